# SPDX-License-Identifier: GPL-2.0
#
# Unit tests (cmocka), included by the top-level Makefile after lib/lib.mk.
#
# `make unit-test` builds every tests/unit/test_*.c into a program and runs
# each one three ways:
#   plain      $(O)/tests/unit/test_*, linked to $(O)/lib/libkvmlstar.so
#              (so only the exported API is reachable, as for real users);
#   sanitized  $(O)/asan/tests/unit/test_*, library and test built with
#              -fsanitize=address,undefined, linked statically;
#   valgrind   the plain programs under valgrind --leak-check=full.
# It also checks the exported ABI (kvmlstar.h, libkvmlstar.map and the
# .so's dynamic symbols agree), that the .so's ABI (abidw, the types of the
# public headers) is still the committed baseline lib/libkvmlstar.abi
# (unit-abi-baseline; `make abi-update` rewrites it after an intended
# change), and that install-lib yields a usable library with a working
# pkg-config file.  It ends with one line "unit-test: N passed, N failed,
# N skipped" counting test cases (a run that dies without a cmocka summary
# counts as one failure).
#
# test_symbols also reads real bad inputs from Debian's kernel package (the
# ELF inside its bzImage, its placeholder System.map): unit-debian-kernel
# puts them in $(UNIT_DEBIAN_DIR) with tests/unit/debian-kernel.sh, which
# fetches the VM harness's kernel image when it is not cached yet.  Without
# them (offline) those tests skip.
#
# Other tests/unit/*.c files are helpers linked into every test program.
# A test listed in UNIT_STATIC_TESTS links the static library instead of the
# .so (needed for -Wl,--wrap of the library's own calls); UNIT_LDFLAGS_<name>
# adds link flags to one test.

UNIT_DIR := tests/unit
UNIT_TEST_SRCS := $(wildcard $(UNIT_DIR)/test_*.c)
UNIT_HELPER_SRCS := $(filter-out $(UNIT_TEST_SRCS),$(wildcard $(UNIT_DIR)/*.c))
UNIT_NAMES := $(basename $(notdir $(UNIT_TEST_SRCS)))

UNIT_STATIC_TESTS := test_msr_mock
UNIT_LDFLAGS_test_msr_mock := -Wl,--wrap=ioctl

CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(or $(shell pkg-config --libs cmocka 2>/dev/null),-lcmocka)

# The plain programs find the library next door without installing it.
UNIT_SO_LINK = -L$(O)/lib -lkvmlstar -Wl,-rpath,'$$ORIGIN/../../lib'

UNIT_CFLAGS = $(USER_CFLAGS) $(NL_CFLAGS) $(CMOCKA_CFLAGS) -I$(UNIT_DIR)
UNIT_LIBS = $(CMOCKA_LIBS) -lelf $(NL_LIBS)

UNIT_ASAN_O := $(O)/asan
UNIT_SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

UNIT_BINS := $(addprefix $(O)/tests/unit/,$(UNIT_NAMES))
UNIT_ASAN_BINS := $(addprefix $(UNIT_ASAN_O)/tests/unit/,$(UNIT_NAMES))
UNIT_HELPER_OBJS := $(patsubst $(UNIT_DIR)/%.c,$(O)/tests/unit/%.o,$(UNIT_HELPER_SRCS))
UNIT_ASAN_HELPER_OBJS := $(patsubst $(UNIT_DIR)/%.c,$(UNIT_ASAN_O)/tests/unit/%.o,$(UNIT_HELPER_SRCS))
UNIT_ASAN_LIB_OBJS := $(patsubst lib/%.c,$(UNIT_ASAN_O)/lib/%.o,$(LIB_SRCS))
UNIT_ASAN_LIB_A := $(UNIT_ASAN_O)/lib/libkvmlstar.a
UNIT_HDRS := $(wildcard $(UNIT_DIR)/*.h) $(LIB_HDRS)

.PHONY: unit-test unit-build unit-abi-check unit-abi-baseline abi-update \
	unit-install-check unit-debian-kernel

UNIT_DEBIAN_DIR = $(O)/tests/unit/debian-kernel

unit-debian-kernel:
	@$(UNIT_DIR)/debian-kernel.sh $(UNIT_DEBIAN_DIR)

unit-build: $(UNIT_BINS) $(UNIT_ASAN_BINS)

# --- plain build -------------------------------------------------------

$(O)/tests/unit/%.o: $(UNIT_DIR)/%.c $(UNIT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -c -o $@ $<

$(O)/tests/unit/%: $(O)/tests/unit/%.o $(UNIT_HELPER_OBJS) $(LIB_SO) $(LIB_SO_LINKS) $(LIB_A)
	$(CC) -o $@ $< $(UNIT_HELPER_OBJS) \
		$(if $(filter $*,$(UNIT_STATIC_TESTS)),$(LIB_A),$(UNIT_SO_LINK)) \
		$(UNIT_LDFLAGS_$*) $(UNIT_LIBS) $(LDFLAGS)

# --- sanitized build ---------------------------------------------------

$(UNIT_ASAN_O)/lib/%.o: lib/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) $(UNIT_SANFLAGS) -c -o $@ $<

$(UNIT_ASAN_LIB_A): $(UNIT_ASAN_LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(UNIT_ASAN_O)/tests/unit/%.o: $(UNIT_DIR)/%.c $(UNIT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(UNIT_SANFLAGS) -c -o $@ $<

$(UNIT_ASAN_O)/tests/unit/%: $(UNIT_ASAN_O)/tests/unit/%.o $(UNIT_ASAN_HELPER_OBJS) $(UNIT_ASAN_LIB_A)
	$(CC) $(UNIT_SANFLAGS) -o $@ $< $(UNIT_ASAN_HELPER_OBJS) $(UNIT_ASAN_LIB_A) \
		$(UNIT_LDFLAGS_$*) $(UNIT_LIBS) $(LDFLAGS)

# Keep the objects (they are intermediate files to make otherwise).
.SECONDARY: $(UNIT_BINS:=.o) $(UNIT_ASAN_BINS:=.o) $(UNIT_ASAN_LIB_OBJS) \
	$(UNIT_HELPER_OBJS) $(UNIT_ASAN_HELPER_OBJS)

# --- checks and the run (the shell is in tests/unit/*.sh) ------------

# The exported ABI: headers, version script and the .so agree.
unit-abi-check: $(LIB_SO) $(LIB_SO_LINKS)
	@$(UNIT_DIR)/abi-check.sh $(LIB_SO) $(KVMLSTAR_SONAME) $(O)/tests/unit/abi $(LIB_PUBLIC_HDRS)

# The .so's ABI against the committed baseline (abidw/abidiff from
# abigail-tools, only the public headers' types); abi-update rewrites the
# baseline from the current build when the change is intended.
UNIT_ABI_BASELINE := lib/libkvmlstar.abi
UNIT_ABI_CURRENT = $(O)/tests/unit/abi-baseline/libkvmlstar.abi

unit-abi-baseline: $(LIB_SO) $(LIB_SO_LINKS)
	@$(UNIT_DIR)/abidiff-check.sh $(LIB_SO) $(UNIT_ABI_BASELINE) $(UNIT_ABI_CURRENT) $(LIB_PUBLIC_HDRS)

abi-update: $(LIB_SO) $(LIB_SO_LINKS)
	@$(UNIT_DIR)/abidiff-check.sh --update $(LIB_SO) $(UNIT_ABI_BASELINE) $(UNIT_ABI_CURRENT) $(LIB_PUBLIC_HDRS)

# An installed copy is usable through pkg-config alone.
unit-install-check: $(LIB_SO) $(LIB_A) $(LIB_PC)
	@$(UNIT_DIR)/install-check.sh $(O) $(CC)

unit-test: export KVMLSTAR_UNIT_DEBIAN_KERNEL = $(abspath $(UNIT_DEBIAN_DIR))
unit-test: unit-build unit-debian-kernel
	@$(UNIT_DIR)/run.sh $(O) $(UNIT_ASAN_O) $(UNIT_NAMES)
