# SPDX-License-Identifier: GPL-2.0
#
# tests/vmm: lstar-guest, the test VMM whose vCPUs write MSR_LSTAR.
# Static, because it runs in a busybox initramfs that has no libc.

USER_TARGETS += $(O)/tests/vmm/lstar-guest

$(O)/tests/vmm/lstar-guest: tests/vmm/lstar-guest.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -static -pthread -o $@ $< $(LDFLAGS)
