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
# Logs are in $(O)/fuzz/logs/.  tests/fuzz/run.sh is the runner.

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

# libFuzzer options per target.
FUZZ_FLAGS_map = -max_len=4096 -dict=$(FUZZ_DIR)/map.dict
FUZZ_FLAGS_vmlinux = -max_len=4096

FUZZ_LIB_OBJS = $(patsubst lib/%.c,$(FUZZ_O)/lib/%.o,$(FUZZ_LIB_SRCS))
FUZZ_BINS = $(addprefix $(FUZZ_O)/fuzz_,$(FUZZ_TARGETS))
# The planted bugs: fuzz_map with each kind (1 abort, 2 heap overflow,
# 3 leak, 4 UBSan), fuzz_vmlinux with an abort.
FUZZ_PLANTS := map-1 map-2 map-3 map-4 vmlinux-1
FUZZ_PLANT_BINS = $(addprefix $(FUZZ_O)/plant/fuzz_,$(FUZZ_PLANTS))
FUZZ_HDRS = $(FUZZ_DIR)/fuzz.h $(LIB_HDRS)
FUZZ_RUN := $(FUZZ_DIR)/run.sh

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

# run SECONDS: every target in turn, all of them even when one fails.
define fuzz_run_sh
fail=0; \
$(foreach t,$(FUZZ_TARGETS),$(FUZZ_RUN) $(t) $(FUZZ_O)/fuzz_$(t) $(1) $(FUZZ_DIR)/corpus/$(t) \
	$(FUZZ_O)/corpus/$(t) $(FUZZ_O)/artifacts/$(t) $(FUZZ_O)/logs/$(t).log \
	$(FUZZ_FLAGS_$(t)) || fail=1;) \
if [ $$fail = 0 ]; then \
	echo "fuzz: no failure; inputs that fail would be kept in $(FUZZ_O)/artifacts/"; \
else \
	echo "fuzz: FAILED; the failing inputs are in $(FUZZ_O)/artifacts/ (logs in $(FUZZ_O)/logs/)"; \
	exit 1; \
fi
endef

# Each planted bug must be reported with its own kind of report.
FUZZ_EXPECT_1 := planted bug: abort
FUZZ_EXPECT_2 := AddressSanitizer: heap-buffer-overflow
FUZZ_EXPECT_3 := LeakSanitizer: detected memory leaks
FUZZ_EXPECT_4 := runtime error: signed integer overflow

define fuzz_selftest_sh
d=$(FUZZ_O)/selftest; rm -rf $$d; fail=0; \
$(foreach p,$(FUZZ_PLANTS),$(FUZZ_RUN) --expect '$(FUZZ_EXPECT_$(lastword $(subst -, ,$(p))))' \
	plant-$(p) $(FUZZ_O)/plant/fuzz_$(p) $(FUZZ_SELFTEST_SECONDS) \
	$(FUZZ_DIR)/corpus/$(firstword $(subst -, ,$(p))) $$d/corpus-$(p) $$d/artifacts-$(p) \
	$$d/$(p).log $(FUZZ_FLAGS_$(firstword $(subst -, ,$(p)))) || fail=1;) \
[ $$fail = 0 ] || { echo "fuzz-selftest: FAILED: a planted bug went unreported" >&2; exit 1; }
endef

fuzz: $(FUZZ_BINS)
	@$(call fuzz_run_sh,$(FUZZ_SECONDS))

fuzz-selftest: $(FUZZ_PLANT_BINS)
	@$(fuzz_selftest_sh)

fuzz-check: $(FUZZ_BINS) $(FUZZ_PLANT_BINS)
	@$(fuzz_selftest_sh); $(call fuzz_run_sh,$(FUZZ_CHECK_SECONDS))
