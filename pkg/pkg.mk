# SPDX-License-Identifier: GPL-2.0
#
# pkg/: Debian packages and the system integration files.  Included by the
# top-level Makefile (uses O, VERSION, PREFIX, DESTDIR, BINDIR).
#
#   make install-extras   the systemd units kvm-lstar-watch.service and
#                         kvm-lstar-metrics.service (ExecStart from BINDIR)
#                         with kvm-lstar-metrics.timer, the udev rule, the
#                         journal's message catalog (then, installing into
#                         / itself, journalctl --update-catalog), and the
#                         opt-in modules-load.d snippet as an example; part
#                         of `make install`
#   make deb              the Debian packages (debian/), built from a copy of
#                         the tree into $(O)/deb: kvm-lstar-dkms,
#                         libkvmlstar1, libkvmlstar-dev, kvm-lstar
#   make deb-check        builds them, lints them, installs them into a
#                         clean Debian 12 chroot and checks them there
#                         (pkg/deb-check.sh; root, network to the apt mirror)
#   make deb-symbols      regenerates debian/libkvmlstar1.symbols from
#                         lib/libkvmlstar.map
#
# The version is VERSION in the Makefile; debian/changelog's upstream version
# must equal it (`make deb` and `make deb-check` refuse otherwise).

SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
# journalctl reads catalogs from /usr/lib and /usr/local/lib/systemd/catalog
# (Debian's systemd rebuilds the database from a dpkg trigger on the first).
CATALOGDIR ?= $(PREFIX)/lib/systemd/catalog
DOCDIR ?= $(PREFIX)/share/doc/kvm-lstar

PKG_UNITS := $(O)/pkg/kvm-lstar-watch.service $(O)/pkg/kvm-lstar-metrics.service
DEB_DIR := $(abspath $(O))/deb

.PHONY: install-extras deb deb-check deb-symbols kvm-lstar-unit-always

install: install-extras

# Rewritten only when their text changes (BINDIR may differ between runs).
$(O)/pkg/%.service: pkg/%.service.in kvm-lstar-unit-always
	@mkdir -p $(@D)
	@sed 's|@BINDIR@|$(BINDIR)|g' $< > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; echo "  GEN     $@"; fi

kvm-lstar-unit-always: ;

install-extras: $(PKG_UNITS)
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(UDEVRULESDIR) $(DESTDIR)$(CATALOGDIR) \
		$(DESTDIR)$(DOCDIR)/examples
	install -m 0644 $(PKG_UNITS) pkg/kvm-lstar-metrics.timer $(DESTDIR)$(SYSTEMDUNITDIR)/
	install -m 0644 pkg/60-kvm-lstar.rules $(DESTDIR)$(UDEVRULESDIR)/60-kvm-lstar.rules
	install -m 0644 pkg/kvm-lstar.catalog $(DESTDIR)$(CATALOGDIR)/kvm-lstar.catalog
	install -m 0644 pkg/modules-load.d/kvm-lstar.conf $(DESTDIR)$(DOCDIR)/examples/kvm-lstar.conf
	@if [ -z "$(DESTDIR)" ] && command -v journalctl >/dev/null; then \
		echo "journalctl --update-catalog"; journalctl --update-catalog || true; fi

# Built from a copy of the tree in $(O)/deb (pkg/build-deb.sh).
deb:
	pkg/build-deb.sh $(DEB_DIR) $(VERSION)

deb-check:
	O=$(O) pkg/deb-check.sh

deb-symbols:
	pkg/gen-symbols.sh lib/libkvmlstar.map debian/libkvmlstar1.symbols $(VERSION) > debian/libkvmlstar1.symbols.new
	mv -f debian/libkvmlstar1.symbols.new debian/libkvmlstar1.symbols
