// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkvmlstar: read MSR_LSTAR from a vCPU fd the caller owns.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "internal.h"

KVMLSTAR_API int kvmlstar_read_lstar(int vcpu_fd, uint64_t *lstar,
				     struct kvmlstar_error *err)
{
	/* struct kvm_msrs ends in a flexible array: give it one entry. */
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry entry;
	} req;
	int n;

	if (!lstar)
		return kvmlstar__null(err, "kvmlstar_read_lstar", "lstar is NULL");
	memset(&req, 0, sizeof(req));
	req.hdr.nmsrs = 1;
	req.entry.index = KVMLSTAR_MSR_LSTAR;

	/*
	 * KVM_GET_MSRS returns how many entries it filled, stopping at the
	 * first MSR it cannot read.  Confidential guests (SEV-ES/SNP, TDX)
	 * make it fail or return nothing rather than garbage.
	 */
	n = ioctl(vcpu_fd, KVM_GET_MSRS, &req);
	if (n < 0) {
		int e = errno;

		return kvmlstar__fail(err, KVMLSTAR_E_IO, e,
			"KVM_GET_MSRS for MSR_LSTAR (0x%x) on fd %d failed: %s%s",
			KVMLSTAR_MSR_LSTAR, vcpu_fd, strerror(e),
			e == ENOTTY || e == EBADF ? " (not a KVM vCPU fd?)" : "");
	}
	if (n == 0)
		return kvmlstar__fail(err, KVMLSTAR_E_LSTAR_UNSUPPORTED, 0,
			"KVM_GET_MSRS returned no entry for MSR_LSTAR (0x%x) on fd %d: "
			"this KVM does not expose the MSR for this vCPU (e.g. a "
			"confidential guest); use another source of the KASLR offset",
			KVMLSTAR_MSR_LSTAR, vcpu_fd);
	if (n != 1)
		return kvmlstar__fail(err, KVMLSTAR_E_IO, 0,
			"KVM_GET_MSRS for MSR_LSTAR (0x%x) on fd %d returned %d entries "
			"for a request of 1",
			KVMLSTAR_MSR_LSTAR, vcpu_fd, n);

	*lstar = req.entry.data;
	return kvmlstar__ok(err);
}
