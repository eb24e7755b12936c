# SPDX-License-Identifier: GPL-2.0
#
# libFuzzer targets for libkvmlstar's symbol readers, included by the
# top-level Makefile (uses O, USER_CFLAGS).  Needs clang and its fuzzer
# runtime (`make deps`).
#
#   fuzz_map       System.map / /proc/kallsyms text (tests/fuzz/fuzz_map.c)
#   fuzz_vmlinux   the libelf vmlinux reader, build-id included
#                  (tests/fuzz/fuzz_vmlinux.c)
#
# Both are built with clang -fsanitize=fuzzer,address,undefined together
# with the library sources they drive (instrumented for coverage), into
# $(O)/fuzz.  Seeds are committed in tests/fuzz/corpus/<target>/; what a
# run finds is added to $(O)/fuzz/corpus/<target>/, which later runs reuse.
#
#   make fuzz          each target for FUZZ_SECONDS (default 300); fails on
#                      any crash, leak, timeout, UBSan report or broken API
#                      contract, and names the inputs it kept in
#                      $(O)/fuzz/artifacts/<target>/
#   make fuzz-check    the bounded run for `make check`: fuzz-selftest, then
#                      each target for FUZZ_CHECK_SECONDS (default 20)
#   make fuzz-selftest proves the runner can fail: variants of the targets
#                      with a planted bug (FUZZ_PLANT, see fuzz.h) that fires
#                      on a seed must each be reported, with an artifact
#
# Logs are in $(O)/fuzz/logs/.  tests/fuzz/run.sh runs one target,
# tests/fuzz/all.sh all of them.

FUZZ_DIR := tests/fuzz
FUZZ_O = $(O)/fuzz
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 300
FUZZ_CHECK_SECONDS ?= 20
FUZZ_SELFTEST_SECONDS ?= 15

FUZZ_TARGETS := map vmlinux
FUZZ_LIB_SRCS := lib/symbols.c lib/error.c lib/derive.c

FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS = $(USER_CFLAGS) -DKVMLSTAR_BUILDING $(FUZZ_SAN)
FUZZ_LIBS := -lelf

# Their libFuzzer options and the planted bugs' expected reports are in
# tests/fuzz/all.sh, which runs them.

FUZZ_LIB_OBJS = $(patsubst lib/%.c,$(FUZZ_O)/lib/%.o,$(FUZZ_LIB_SRCS))
FUZZ_BINS = $(addprefix $(FUZZ_O)/fuzz_,$(FUZZ_TARGETS))
# The planted bugs: fuzz_map with each kind (1 abort, 2 heap overflow,
# 3 leak, 4 UBSan), fuzz_vmlinux with an abort.
FUZZ_PLANTS := map-1 map-2 map-3 map-4 vmlinux-1
FUZZ_PLANT_BINS = $(addprefix $(FUZZ_O)/plant/fuzz_,$(FUZZ_PLANTS))
FUZZ_HDRS = $(FUZZ_DIR)/fuzz.h $(LIB_HDRS)

.PHONY: fuzz fuzz-check fuzz-selftest fuzz-build fuzz-tools

fuzz-build: $(FUZZ_BINS)

fuzz-tools:
	@command -v $(FUZZ_CC) >/dev/null || \
		{ echo "fuzz: no $(FUZZ_CC) (with its libFuzzer runtime): run 'make deps'" >&2; exit 1; }

$(FUZZ_O)/lib/%.o: lib/%.c $(LIB_HDRS) | fuzz-tools
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_O)/fuzz_%.o: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_HDRS) | fuzz-tools
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -c -o $@ $<

$(FUZZ_O)/fuzz_%: $(FUZZ_O)/fuzz_%.o $(FUZZ_LIB_OBJS)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS) $(LDFLAGS)

# fuzz_<target>-<N>: that target with FUZZ_PLANT=N.
$(FUZZ_O)/plant/fuzz_%: $(FUZZ_HDRS) $(FUZZ_LIB_OBJS) $(wildcard $(FUZZ_DIR)/fuzz_*.c)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -DFUZZ_PLANT=$(lastword $(subst -, ,$*)) \
		-o $@ $(FUZZ_DIR)/fuzz_$(firstword $(subst -, ,$*)).c $(FUZZ_LIB_OBJS) \
		$(FUZZ_LIBS) $(LDFLAGS)

.SECONDARY: $(FUZZ_LIB_OBJS) $(FUZZ_BINS:=.o)

# The runs themselves: tests/fuzz/all.sh, over tests/fuzz/run.sh.
fuzz: $(FUZZ_BINS)
	@$(FUZZ_DIR)/all.sh $(FUZZ_O) run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-selftest: $(FUZZ_PLANT_BINS)
	@$(FUZZ_DIR)/all.sh $(FUZZ_O) selftest $(FUZZ_SELFTEST_SECONDS) $(FUZZ_PLANTS)

fuzz-check: $(FUZZ_BINS) $(FUZZ_PLANT_BINS)
	@$(FUZZ_DIR)/all.sh $(FUZZ_O) selftest $(FUZZ_SELFTEST_SECONDS) $(FUZZ_PLANTS)
	@$(FUZZ_DIR)/all.sh $(FUZZ_O) run $(FUZZ_CHECK_SECONDS) $(FUZZ_TARGETS)
