# SPDX-License-Identifier: GPL-2.0
#
# tests/tools: every program the tests run, built into $(O)/tests/bin/
# (tests/vm/run copies them into the VM), except mkelf and mkmap, which run
# on the host for the benchmarks.

# Test tools that run inside the VM harness (static: its initramfs has no libc).
USER_TARGETS += $(O)/tests/bin/nlraw

$(O)/tests/bin/nlraw: tests/tools/nlraw.c include/uapi/linux/kvm_lstar.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Iinclude/uapi -static -o $@ $<

# The library's KVM_GET_MSRS reader, linked from the static library (only
# its KVM and error objects are pulled in, so it links statically).
USER_TARGETS += $(O)/tests/bin/msrread

$(O)/tests/bin/msrread: tests/tools/msrread.c $(O)/lib/libkvmlstar.a
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -static -o $@ $< $(O)/lib/libkvmlstar.a

# nlfuzz: random and malformed requests to the kvm_lstar family
# (tests/vm/suites/harden.sh).
USER_TARGETS += $(O)/tests/bin/nlfuzz

$(O)/tests/bin/nlfuzz: tests/tools/nlfuzz.c include/uapi/linux/kvm_lstar.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Iinclude/uapi -static -o $@ $<

# The event-overrun tests of harden.sh.  waitstop is kvmlstar_wait() with
# stop points (its poll() and recv() wrapped at link time); the -noresync
# variants are built from a lib/netlink.c compiled with the test-only
# KVMLSTAR_TEST_NO_RESYNC, to show those tests fail without the resync.
# Linked like kvm-lstar: the static library, libnl, libelf and libsystemd
# shared.
HARDEN_NL_NORESYNC := $(O)/tests/noresync/netlink.o
HARDEN_LIB_OBJS := $(filter-out $(O)/lib/netlink.o,$(patsubst lib/%.c,$(O)/lib/%.o,$(wildcard lib/*.c)))
HARDEN_TOOL_OBJS := $(patsubst tool/%.c,$(O)/tool/%.o,$(wildcard tool/*.c))
HARDEN_WRAP := -Wl,--wrap=poll,--wrap=recv

# abisize: the size contract of the library's growing structs (cli.sh).
USER_TARGETS += $(O)/tests/bin/abisize

$(O)/tests/bin/abisize: tests/tools/abisize.c $(O)/lib/libkvmlstar.a
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $< $(O)/lib/libkvmlstar.a -lelf $(NL_LIBS)

USER_TARGETS += $(O)/tests/bin/waitstop $(O)/tests/bin/waitstop-noresync \
	$(O)/tests/bin/kvm-lstar-noresync

$(HARDEN_NL_NORESYNC): lib/netlink.c $(wildcard lib/*.h) include/uapi/linux/kvm_lstar.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) -fPIC -fvisibility=hidden -DKVMLSTAR_BUILDING \
		-DKVMLSTAR_TEST_NO_RESYNC -c -o $@ $<

$(O)/tests/bin/waitstop: tests/tools/waitstop.c $(O)/lib/libkvmlstar.a
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(HARDEN_WRAP) -o $@ $< $(O)/lib/libkvmlstar.a -lelf $(NL_LIBS)

$(O)/tests/bin/waitstop-noresync: tests/tools/waitstop.c $(HARDEN_NL_NORESYNC) $(HARDEN_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(HARDEN_WRAP) -o $@ $^ -lelf $(NL_LIBS)

$(O)/tests/bin/kvm-lstar-noresync: $(HARDEN_TOOL_OBJS) $(HARDEN_NL_NORESYNC) $(HARDEN_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lelf $(NL_LIBS) $(SYSTEMD_LIBS)

# lstar-guest, the test VMM whose vCPUs write MSR_LSTAR.
# Static, because it runs in a busybox initramfs that has no libc.
#
# longmode.c (64-bit guest set-up on /dev/kvm) is compiled into every test
# VMM that needs it: lstar-guest here, lstar-bench in tests/bench/bench.mk.

LONGMODE_SRC := tests/tools/longmode.c
LONGMODE_DEPS := $(LONGMODE_SRC) tests/tools/longmode.h

USER_TARGETS += $(O)/tests/bin/lstar-guest

$(O)/tests/bin/lstar-guest: tests/tools/lstar-guest.c $(LONGMODE_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -static -pthread -o $@ $< $(LONGMODE_SRC) $(LDFLAGS)

# lstar-bench: the benchmarks' VMM and netlink client (tests/bench).
USER_TARGETS += $(O)/tests/bin/lstar-bench

# Static, libkvmlstar and libnl included: its dump mode times the library.
# -Wl,--no-warnings: libnl's address helpers bring glibc's "getaddrinfo in
# a static binary" link warnings; nothing here resolves host names.
# The long-mode guest set-up is longmode.c, shared with lstar-guest.
$(O)/tests/bin/lstar-bench: tests/tools/lstar-bench.c $(LONGMODE_DEPS) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Itests/tools -static -pthread -Wl,--no-warnings -o $@ $< \
		$(LONGMODE_SRC) $(LIB_A) \
		$(shell pkg-config --static --libs libnl-genl-3.0 2>/dev/null)

$(O)/bench/mkelf: tests/tools/mkelf.c tests/tools/synth.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $<

$(O)/bench/mkmap: tests/tools/mkmap.c tests/tools/synth.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $<

# lstar-peer and its BPF object: the program a user would write instead of
# kvm_lstar, which make bench measures beside it (tests/bench/bpf/).  The
# object is CO-RE (struct layouts from the running kernel's BTF), one build
# for every kernel; tests/vm/run puts it in /usr/share/kvm-lstar/.
USER_TARGETS += $(O)/tests/bin/lstar-peer $(O)/tests/bpf/lstar-peer.bpf.o

$(O)/tests/bin/lstar-peer: tests/tools/lstar-peer.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -static -o $@ $< -lbpf -lelf -lz

$(O)/tests/bpf/lstar-peer.bpf.o: tests/bench/bpf/lstar-peer.bpf.c
	@mkdir -p $(dir $@)
	clang -O2 -g -Wall -Werror -target bpf -I/usr/include/$(shell $(CC) -dumpmachine) \
		-c -o $@ $<
