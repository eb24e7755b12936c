# SPDX-License-Identifier: GPL-2.0
#
# libkvmlstar: included by the top-level Makefile (uses O, PREFIX, DESTDIR,
# VERSION, USER_CFLAGS, NL_CFLAGS, NL_LIBS).
#
#   $(O)/lib/libkvmlstar.so.1.0.0   the shared library (soname libkvmlstar.so.1)
#   $(O)/lib/libkvmlstar.so.1       -> libkvmlstar.so.1.0.0
#   $(O)/lib/libkvmlstar.so         -> libkvmlstar.so.1
#   $(O)/lib/libkvmlstar.a          the static library
#   $(O)/lib/libkvmlstar.pc         pkg-config file for PREFIX/LIBDIR/INCLUDEDIR
#
# `make install-lib` installs them and the public headers (lib/kvmlstar*.h)
# under $(DESTDIR)$(PREFIX).
#
# Every lib/*.c is part of the library.  The code is built -fPIC and
# -fvisibility=hidden; only functions declared KVMLSTAR_API in a public header
# and listed in libkvmlstar.map are exported (`make unit-abi-check`).

LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

KVMLSTAR_SONAME := libkvmlstar.so.1
KVMLSTAR_REALNAME := libkvmlstar.so.1.0.0

LIB_SRCS := $(wildcard lib/*.c)
LIB_HDRS := $(wildcard lib/*.h) include/uapi/linux/kvm_lstar.h
# Installed headers: lib/kvmlstar*.h (kvmlstar.h and its companions).
LIB_PUBLIC_HDRS := $(wildcard lib/kvmlstar*.h)
LIB_OBJS := $(patsubst lib/%.c,$(O)/lib/%.o,$(LIB_SRCS))
LIB_CFLAGS = $(USER_CFLAGS) $(NL_CFLAGS) -fPIC -fvisibility=hidden -DKVMLSTAR_BUILDING
LIB_LIBS = -lelf $(NL_LIBS)

LIB_SO := $(O)/lib/$(KVMLSTAR_REALNAME)
LIB_SO_LINKS := $(O)/lib/$(KVMLSTAR_SONAME) $(O)/lib/libkvmlstar.so
LIB_A := $(O)/lib/libkvmlstar.a
LIB_PC := $(O)/lib/libkvmlstar.pc

USER_TARGETS += $(LIB_SO) $(LIB_SO_LINKS) $(LIB_A) $(LIB_PC)

.PHONY: lib install-lib kvmlstar-pc-always

lib: $(LIB_SO) $(LIB_SO_LINKS) $(LIB_A) $(LIB_PC)

$(O)/lib/%.o: lib/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c -o $@ $<

$(LIB_SO): $(LIB_OBJS) lib/libkvmlstar.map
	$(CC) -shared -Wl,-soname,$(KVMLSTAR_SONAME) \
		-Wl,--version-script=lib/libkvmlstar.map -Wl,--no-undefined \
		$(LDFLAGS) -o $@ $(LIB_OBJS) $(LIB_LIBS)

$(O)/lib/$(KVMLSTAR_SONAME): $(LIB_SO)
	ln -sf $(KVMLSTAR_REALNAME) $@

$(O)/lib/libkvmlstar.so: $(O)/lib/$(KVMLSTAR_SONAME)
	ln -sf $(KVMLSTAR_SONAME) $@

$(LIB_A): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# Regenerated on every run but replaced only when the text changes, so
# `make install-lib PREFIX=/usr` after a plain `make` installs the right paths.
$(LIB_PC): lib/libkvmlstar.pc.in kvmlstar-pc-always
	@mkdir -p $(@D)
	@sed -e 's|@PREFIX@|$(PREFIX)|g' \
	     -e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|g' \
	     -e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|g' \
	     -e 's|@VERSION@|$(VERSION)|g' $< > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; echo "  GEN     $@"; fi

kvmlstar-pc-always: ;

install-lib: $(LIB_SO) $(LIB_SO_LINKS) $(LIB_A) $(LIB_PC)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 0755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/$(KVMLSTAR_REALNAME)
	ln -sf $(KVMLSTAR_REALNAME) $(DESTDIR)$(LIBDIR)/$(KVMLSTAR_SONAME)
	ln -sf $(KVMLSTAR_SONAME) $(DESTDIR)$(LIBDIR)/libkvmlstar.so
	install -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/libkvmlstar.a
	install -m 0644 $(LIB_PUBLIC_HDRS) $(DESTDIR)$(INCLUDEDIR)/
	install -m 0644 $(LIB_PC) $(DESTDIR)$(PKGCONFIGDIR)/libkvmlstar.pc
