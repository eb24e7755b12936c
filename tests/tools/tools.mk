# Test tools that run inside the VM bench (static: the bench has no libc).
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
