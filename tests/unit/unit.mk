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
# .so's dynamic symbols agree) and that install-lib yields a usable
# library with a working pkg-config file.  It ends with one line
# "unit-test: N passed, N failed, N skipped" counting test cases (a run
# that dies without a cmocka summary counts as one failure).
#
# test_symbols also reads real bad inputs from Debian's kernel package (the
# ELF inside its bzImage, its placeholder System.map): unit-debian-kernel
# puts them in $(UNIT_DEBIAN_DIR) with tests/unit/debian-kernel.sh, which
# fetches the VM bench's kernel image when it is not cached yet.  Without
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

UNIT_VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible \
	--track-fds=no
UNIT_ASAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:strict_string_checks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

UNIT_BINS := $(addprefix $(O)/tests/unit/,$(UNIT_NAMES))
UNIT_ASAN_BINS := $(addprefix $(UNIT_ASAN_O)/tests/unit/,$(UNIT_NAMES))
UNIT_HELPER_OBJS := $(patsubst $(UNIT_DIR)/%.c,$(O)/tests/unit/%.o,$(UNIT_HELPER_SRCS))
UNIT_ASAN_HELPER_OBJS := $(patsubst $(UNIT_DIR)/%.c,$(UNIT_ASAN_O)/tests/unit/%.o,$(UNIT_HELPER_SRCS))
UNIT_ASAN_LIB_OBJS := $(patsubst lib/%.c,$(UNIT_ASAN_O)/lib/%.o,$(LIB_SRCS))
UNIT_ASAN_LIB_A := $(UNIT_ASAN_O)/lib/libkvmlstar.a
UNIT_HDRS := $(wildcard $(UNIT_DIR)/*.h) $(LIB_HDRS)

.PHONY: unit-test unit-build unit-abi-check unit-install-check unit-debian-kernel

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

# --- checks ------------------------------------------------------------

# The exported functions must be exactly those declared KVMLSTAR_API (on the
# line that names them) in the public headers lib/kvmlstar*.h and listed in
# libkvmlstar.map, all at version KVMLSTAR_1...
unit-abi-check: $(LIB_SO) $(LIB_SO_LINKS)
	@set -e; d=$(O)/tests/unit/abi; mkdir -p $$d; \
	sed -n 's/^KVMLSTAR_API .*[ *]\(kvmlstar_[a-z0-9_]*\)(.*/\1/p' $(LIB_PUBLIC_HDRS) | sort > $$d/header; \
	sed -n 's/^[[:space:]]*\(kvmlstar_[a-z0-9_]*\);.*/\1/p' lib/libkvmlstar.map | sort > $$d/map; \
	nm -D --defined-only $(LIB_SO) | awk '$$2 == "T" { print $$3 }' | sort > $$d/so; \
	grep -v '@@KVMLSTAR_1$$' $$d/so > $$d/unversioned || true; \
	sed 's/@.*//' $$d/so > $$d/so-names; \
	ok=1; \
	if ! cmp -s $$d/header $$d/map; then echo "abi: the headers (<) and libkvmlstar.map (>) differ:"; diff $$d/header $$d/map || true; ok=0; fi; \
	if ! cmp -s $$d/header $$d/so-names; then echo "abi: the headers (<) and the .so's exports (>) differ:"; diff $$d/header $$d/so-names || true; ok=0; fi; \
	if [ -s $$d/unversioned ]; then echo "abi: exported outside KVMLSTAR_1:"; cat $$d/unversioned; ok=0; fi; \
	if ! readelf -d $(LIB_SO) | grep -q 'Library soname: \[$(KVMLSTAR_SONAME)\]'; then echo "abi: soname is not $(KVMLSTAR_SONAME)"; ok=0; fi; \
	if [ $$ok = 1 ]; then echo "abi: $$(wc -l < $$d/header) functions exported at KVMLSTAR_1, soname $(KVMLSTAR_SONAME)"; else exit 1; fi

# ...and an installed copy must be usable through pkg-config alone.
unit-install-check: $(LIB_SO) $(LIB_A) $(LIB_PC)
	@set -e; stage=$(abspath $(O)/tests/unit/stage); rm -rf $$stage; \
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) O=$(O) \
		DESTDIR=$$stage PREFIX=/usr install-lib > $$stage.log 2>&1 || { cat $$stage.log; exit 1; }; \
	for f in usr/lib/libkvmlstar.so.1.0.0 usr/lib/libkvmlstar.so.1 usr/lib/libkvmlstar.so \
		 usr/lib/libkvmlstar.a usr/include/kvmlstar.h usr/lib/pkgconfig/libkvmlstar.pc; do \
		test -e $$stage/$$f || { echo "install: $$f missing"; exit 1; }; done; \
	pc="pkg-config --define-variable=prefix=$$stage/usr"; \
	export PKG_CONFIG_PATH=$$stage/usr/lib/pkgconfig; \
	$$pc --static --libs libkvmlstar | grep -q -- -lelf || { echo "install: .pc lacks libelf"; exit 1; }; \
	$$pc --static --libs libkvmlstar | grep -q -- -lnl-genl-3 || { echo "install: .pc lacks libnl-genl-3"; exit 1; }; \
	printf '%s\n' '#include <kvmlstar.h>' '#include <stdio.h>' \
		'int main(void) { uint64_t o = 0; struct kvmlstar_error e;' \
		'  if (kvmlstar_derive(0xffffffffb5600080ull, 0xffffffff81e00080ull, &o, &e) || o != 0x33800000) return 1;' \
		'  puts(kvmlstar_err_class(KVMLSTAR_E_LSTAR_ZERO)); return 0; }' > $$stage/smoke.c; \
	$(CC) -std=c11 -Wall -Werror -o $$stage/smoke $$stage/smoke.c $$($$pc --cflags --libs libkvmlstar); \
	out=$$(LD_LIBRARY_PATH=$$stage/usr/lib $$stage/smoke); \
	test "$$out" = lstar_zero || { echo "install: smoke program failed"; exit 1; }; \
	$(CC) -std=c11 -Wall -Werror -o $$stage/smoke-static $$stage/smoke.c $$($$pc --cflags libkvmlstar) \
		$$stage/usr/lib/libkvmlstar.a $$($$pc --static --libs-only-l libkvmlstar | sed 's/-lkvmlstar//'); \
	test "$$($$stage/smoke-static)" = lstar_zero || { echo "install: static smoke program failed"; exit 1; }; \
	echo "install: DESTDIR install, pkg-config and a smoke program (shared and static) ok"

# --- the run -----------------------------------------------------------

# run LABEL CMD...: run one program, keep its output in a log for the tally.
define unit_run_sh
run() { label=$$1; shift; n=$$((n + 1)); log=$$logs/$$n.log; \
	echo "===== $$label"; \
	( "$$@"; echo $$? > $$log.rc ) 2>&1 | tee $$log; \
	rc=$$(cat $$log.rc); \
	p=$$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' $$log | tail -n1); \
	f=$$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' $$log | tail -n1); \
	s=$$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' $$log | tail -n1); \
	passed=$$((passed + $${p:-0})); failed=$$((failed + $${f:-0})); skipped=$$((skipped + $${s:-0})); \
	if [ "$$rc" != 0 ] && [ "$${f:-0}" = 0 ]; then \
		failed=$$((failed + 1)); echo "!!!!! $$label exited $$rc"; fi; \
	if [ "$$rc" != 0 ]; then bad="$$bad $$label"; fi; }
endef

unit-test: export KVMLSTAR_UNIT_DEBIAN_KERNEL = $(abspath $(UNIT_DEBIAN_DIR))
unit-test: unit-build unit-debian-kernel
	@logs=$(O)/tests/unit/logs; rm -rf $$logs; mkdir -p $$logs; \
	n=0; passed=0; failed=0; skipped=0; bad=; \
	$(unit_run_sh); \
	for t in $(UNIT_NAMES); do run "plain $$t" $(O)/tests/unit/$$t; done; \
	for t in $(UNIT_NAMES); do run "asan+ubsan $$t" env $(UNIT_ASAN_ENV) $(UNIT_ASAN_O)/tests/unit/$$t; done; \
	for t in $(UNIT_NAMES); do run "valgrind $$t" $(UNIT_VALGRIND) $(O)/tests/unit/$$t; done; \
	echo "===== abi"; if $(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) O=$(O) unit-abi-check; \
		then passed=$$((passed + 1)); else failed=$$((failed + 1)); bad="$$bad abi"; fi; \
	echo "===== install"; if $(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) O=$(O) unit-install-check; \
		then passed=$$((passed + 1)); else failed=$$((failed + 1)); bad="$$bad install"; fi; \
	echo; [ -z "$$bad" ] || echo "unit-test failures:$$bad"; \
	echo "unit-test: $$passed passed, $$failed failed, $$skipped skipped"; \
	[ -z "$$bad" ]
