# SPDX-License-Identifier: GPL-2.0
#
# tests/bench: `make bench` and `make bench-check`.
#
#   make bench        the full benchmark: the symbol lookup on the host, the
#                     rest in one VM bench boot; prints the table and the
#                     BENCH lines, and writes them to $(O)/bench/results.txt
#                     and doc/benchmarks.md
#   make bench-check  the same code paths at tiny sizes (under 2 minutes),
#                     checks the BENCH lines and that a failing inner step
#                     fails the bench
#
# Its programs, lstar-bench and lstar-peer with its BPF object (inside the
# VM), mkelf and mkmap (the synthetic vmlinux and System.map, on the host),
# are built by tests/tools/tools.mk.

.PHONY: bench-check bench-tools

bench-tools: $(O)/tests/bin/lstar-bench $(O)/tests/bin/lstar-peer $(O)/tests/bpf/lstar-peer.bpf.o \
	$(O)/bench/mkelf $(O)/bench/mkmap $(TOOL_BIN)

bench: deps
	$(MAKE) user
	$(MAKE) bench-tools
	O=$(O) tests/bench/bench.sh

bench-check:
	$(MAKE) bench-tools
	O=$(O) tests/bench/check.sh
