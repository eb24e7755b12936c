# Test tools that run inside the VM bench (static: the bench has no libc).
USER_TARGETS += $(O)/tests/bin/nlraw

$(O)/tests/bin/nlraw: tests/tools/nlraw.c include/uapi/linux/kvm_lstar.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Iinclude/uapi -static -o $@ $<
