# SPDX-License-Identifier: GPL-2.0
#
# kvm-lstar top-level build.  Userspace objects go to $(O) (default build/),
# the module is built by kbuild through the top-level Kbuild file.

VERSION := 0.1.0

O ?= build
PREFIX ?= /usr/local
DESTDIR ?=
# Where `make dkms-install` puts the module sources (DKMS's source tree).
DKMSDIR ?= /usr/src/kvm-lstar-$(VERSION)

# The kernel to build the module for: the running one when its build tree
# exists, else the newest Debian headers installed.
KVER ?= $(shell if [ -d /lib/modules/$$(uname -r)/build ]; then uname -r; \
	else ls -1d /usr/src/linux-headers-*-amd64 2>/dev/null | sed 's|.*/linux-headers-||' | sort -V | tail -n1; fi)
# Headers that need a newer toolchain than Debian 12's (sid's 7.2) live in
# the sid chroot `make kernels` keeps in the cache; the module is built
# inside that chroot for them.
KVM_LSTAR_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/kvm-lstar
SIDROOT := $(KVM_LSTAR_CACHE)/sid/root
KDIR ?= $(firstword $(wildcard /lib/modules/$(KVER)/build /usr/src/linux-headers-$(KVER) \
	$(SIDROOT)/usr/src/linux-headers-$(KVER)) /usr/src/linux-headers-$(KVER))

CC ?= cc
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g \
	-Iinclude -Ilib -DKVM_LSTAR_VERSION=\"$(VERSION)\" $(EXTRA_CFLAGS)
NL_CFLAGS = $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS = $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)

.PHONY: all module user deps check lint unit-test vm-test host-test demo bench clean install
.PHONY: module-install dkms-install dkms-check kernels spec-check regen

all: module user

# The module builds in a copy of its sources under $(O)/module-$(KVER), so
# that several kernels' objects can coexist and the tree stays clean.
# KVM_LSTAR_SELFTEST=1 builds the in-module self-tests in (kmod/selftest.c),
# into a directory of its own.
MOD_OUT = $(abspath $(O))/module-$(KVER)$(if $(KVM_LSTAR_SELFTEST),-selftest)
MOD_FLAGS = W=$(W) KVM_LSTAR_VERSION=$(VERSION) $(if $(KVM_LSTAR_SELFTEST),KVM_LSTAR_SELFTEST=1)
W ?= 1

module:
	@test -d $(KDIR) || { echo "no kernel build tree at $(KDIR): run 'make deps' or set KDIR/KVER" >&2; exit 1; }
	@mkdir -p $(MOD_OUT)/kmod $(MOD_OUT)/include/uapi/linux
	@cp -p Kbuild $(MOD_OUT)/
	@cp -p kmod/Kbuild kmod/*.c kmod/*.h $(MOD_OUT)/kmod/
	@cp -p include/uapi/linux/kvm_lstar.h $(MOD_OUT)/include/uapi/linux/
ifeq ($(patsubst $(SIDROOT)/%,,$(KDIR)),)
	scripts/chroot-kbuild.sh $(SIDROOT) $(KDIR:$(SIDROOT)%=%) $(MOD_OUT) $(MOD_FLAGS) modules
else
	$(MAKE) -C $(KDIR) M=$(MOD_OUT) O= $(MOD_FLAGS) modules
endif

# Into $(DESTDIR)/lib/modules/$(KVER)/extra/kmod/ (kbuild keeps the kmod/
# of the top-level Kbuild).  Debian's headers have no System.map, so kbuild
# skips depmod: run it for a real install.
module-install: module
	$(MAKE) -C $(KDIR) M=$(MOD_OUT) O= INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra modules_install
	$(if $(DESTDIR),,depmod -a $(KVER))

# The module's sources and dkms.conf, with PACKAGE_VERSION set to VERSION,
# for `dkms install kvm-lstar/$(VERSION)`.  `make dkms-check` builds this
# tree and the checkout (`dkms add .`) with DKMS, in a throwaway DKMS tree.
dkms-install:
	install -d $(DESTDIR)$(DKMSDIR)/kmod $(DESTDIR)$(DKMSDIR)/include/uapi/linux
	install -m 0644 Kbuild $(DESTDIR)$(DKMSDIR)/
	install -m 0644 kmod/Kbuild kmod/*.c kmod/*.h $(DESTDIR)$(DKMSDIR)/kmod/
	install -m 0644 include/uapi/linux/kvm_lstar.h $(DESTDIR)$(DKMSDIR)/include/uapi/linux/
	sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(VERSION)"/' dkms.conf > $(DESTDIR)$(DKMSDIR)/dkms.conf
	chmod 0644 $(DESTDIR)$(DKMSDIR)/dkms.conf

dkms-check:
	tests/dkms-check.sh

deps:
	scripts/deps.sh

# The 6.12 (bookworm-backports) and 7.2 (sid chroot) kernels the VM harness also
# builds for and boots, and the debug kernel built from 7.2's source.
kernels: deps
	scripts/kernels-setup.sh 6.12 7.2 debug

# Each part's rules; every fragment is required (a missing one is an error).
include lib/lib.mk
include tests/tools/tools.mk
include tests/unit/unit.mk
include tool/tool.mk
include tests/fuzz/fuzz.mk
include tests/bench/bench.mk
include pkg/pkg.mk

user: $(USER_TARGETS)

install: install-lib install-tool module-install

check: deps kernels
	$(MAKE) lint
	$(MAKE) spec-check
	$(MAKE) unit-test
	$(MAKE) fuzz-check
	$(MAKE) cli-test
	$(MAKE) dkms-check
	$(MAKE) deb-check
	$(MAKE) bench-tools
	KVM_LSTAR_POOL_MAKE=bench-check $(MAKE) vm-test

lint:
	tests/lint.sh

# doc/kvm_lstar.yaml against the kernel's genetlink-legacy schema.
spec-check:
	tests/spec-check.sh

# The files doc/kvm_lstar.yaml generates: the uAPI header and the module's
# attribute policy (kmod/netlink-gen.[ch]).  `make lint` checks they are
# up to date.
regen:
	scripts/ynl-regen.sh

# A real QEMU boots a real Debian guest with KASLR inside the VM harness; the
# tool derives its offset from the host side and the guest confirms.
demo:
	O=$(O) tests/vm/make-demo.sh

vm-test: all
	tests/vm/suites.sh

# The packages on a booted Debian 12 lab host (systemd, libvirt,
# node_exporter) in the QEMU/TCG bench: tests/host/host-test.sh.  Part of
# vm-test when the packages are built (make check builds them first).
host-test: deb
	O=$(O) tests/host/host-test.sh

# The VM harness's netlink fuzzer (tests/vm/suites/harden.sh, fuzz part) for
# KVM_LSTAR_FUZZ_SECONDS on each kernel; part of `make fuzz`.  A failure
# prints the seed; replay with harden.sh --fuzz-seed.
KVM_LSTAR_FUZZ_SECONDS ?= 600
.PHONY: fuzz-netlink
fuzz: fuzz-netlink
fuzz-netlink: user
	O=$(O) tests/vm/fuzz-netlink.sh $(KVM_LSTAR_FUZZ_SECONDS) $(KVM_LSTAR_KERNELS)

clean:
	rm -rf $(O)
