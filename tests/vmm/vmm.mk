# SPDX-License-Identifier: GPL-2.0
#
# tests/vmm: lstar-guest, the test VMM whose vCPUs write MSR_LSTAR.
# Static, because it runs in a busybox initramfs that has no libc.
#
# longmode.c (64-bit guest set-up on /dev/kvm) is compiled into every test
# VMM that needs it: lstar-guest here, lstar-bench in tests/bench/bench.mk.

LONGMODE_SRC := tests/vmm/longmode.c
LONGMODE_DEPS := $(LONGMODE_SRC) tests/vmm/longmode.h

USER_TARGETS += $(O)/tests/vmm/lstar-guest

$(O)/tests/vmm/lstar-guest: tests/vmm/lstar-guest.c $(LONGMODE_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -static -pthread -o $@ $< $(LONGMODE_SRC) $(LDFLAGS)
