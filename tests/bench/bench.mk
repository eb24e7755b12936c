# SPDX-License-Identifier: GPL-2.0
#
# tests/bench: `make bench` and `make bench-check`.
#
#   make bench        the full benchmark: the symbol lookup on the host, the
#                     rest in one VM bench boot; prints the table and the
#                     BENCH lines, and writes them to $(O)/bench/results.txt
#   make bench-check  the same code paths at tiny sizes (under 2 minutes),
#                     checks the BENCH lines and that a failing inner step
#                     fails the bench
#
# lstar-bench runs inside the VM (static: the bench has no libc; tests/vm/run
# copies $(O)/tests/bin/*); mkelf writes the synthetic vmlinux on the host.

.PHONY: bench-check bench-tools

USER_TARGETS += $(O)/tests/bin/lstar-bench

# Static, libkvmlstar and libnl included: its dump mode times the library.
# -Wl,--no-warnings: libnl's address helpers bring glibc's "getaddrinfo in
# a static binary" link warnings; nothing here resolves host names.
# The long-mode guest set-up is tests/vmm/longmode.c, shared with lstar-guest
# (LONGMODE_SRC and LONGMODE_DEPS come from tests/vmm/vmm.mk).
$(O)/tests/bin/lstar-bench: tests/bench/lstar-bench.c $(LONGMODE_DEPS) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Itests/vmm -static -pthread -Wl,--no-warnings -o $@ $< \
		$(LONGMODE_SRC) $(LIB_A) \
		$(shell pkg-config --static --libs libnl-genl-3.0 2>/dev/null)

$(O)/bench/mkelf: tests/bench/mkelf.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $<

bench-tools: $(O)/tests/bin/lstar-bench $(O)/bench/mkelf $(TOOL_BIN)

bench: deps
	$(MAKE) user
	$(MAKE) bench-tools
	O=$(O) tests/bench/bench.sh

bench-check:
	$(MAKE) bench-tools
	O=$(O) tests/bench/check.sh
