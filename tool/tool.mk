# SPDX-License-Identifier: GPL-2.0
#
# tool/: kvm-lstar, the command-line tool.  Included by the top-level
# Makefile after lib/lib.mk (uses O, PREFIX, DESTDIR, USER_CFLAGS, NL_LIBS
# and LIB_A).
#
#   $(O)/tool/kvm-lstar   linked against the static libkvmlstar.a, so it
#                         runs without the shared library installed
#
# `make install-tool` installs it, its man page and its bash completion
# under $(DESTDIR)$(PREFIX); `make cli-test` runs the offline CLI tests and
# the journal output of watch (tests/cli/journal.sh).

BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

TOOL_SRCS := $(wildcard tool/*.c)
TOOL_OBJS := $(patsubst tool/%.c,$(O)/tool/%.o,$(TOOL_SRCS))
TOOL_HDRS := $(wildcard tool/*.h) lib/kvmlstar.h lib/kvmlstar_netlink.h
TOOL_BIN := $(O)/tool/kvm-lstar

USER_TARGETS += $(TOOL_BIN)

.PHONY: tool install-tool cli-test

tool: $(TOOL_BIN)

$(O)/tool/%.o: tool/%.c $(TOOL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -c -o $@ $<

# libsystemd: watch sends its events to the journal when stdout is one
# (tool/journal.c).
SYSTEMD_CFLAGS := $(shell pkg-config --cflags libsystemd 2>/dev/null)
SYSTEMD_LIBS := $(or $(shell pkg-config --libs libsystemd 2>/dev/null),-lsystemd)

$(O)/tool/journal.o: USER_CFLAGS += $(SYSTEMD_CFLAGS)

$(TOOL_BIN): $(TOOL_OBJS) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(TOOL_OBJS) $(LIB_A) -lelf $(NL_LIBS) $(SYSTEMD_LIBS)

install-tool: $(TOOL_BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(TOOL_BIN) $(DESTDIR)$(BINDIR)/kvm-lstar
	install -m 0644 tool/kvm-lstar.8 $(DESTDIR)$(MANDIR)/man8/kvm-lstar.8
	install -m 0644 tool/kvm-lstar.bash-completion $(DESTDIR)$(BASHCOMPDIR)/kvm-lstar

# tests/cli/journal-event: tool/records.c's event printing with the rest of
# the tool (not its main), for tests/cli/journal.sh.
TOOL_JOURNAL_TEST := $(O)/tests/cli/journal-event
TOOL_JOURNAL_OBJS := $(filter-out $(O)/tool/records.o $(O)/tool/kvm-lstar.o,$(TOOL_OBJS))

$(TOOL_JOURNAL_TEST): tests/cli/journal-event.c tool/records.c $(TOOL_HDRS) $(TOOL_JOURNAL_OBJS) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(LDFLAGS) -o $@ $< $(TOOL_JOURNAL_OBJS) $(LIB_A) -lelf $(NL_LIBS) $(SYSTEMD_LIBS)

cli-test: $(TOOL_BIN) $(TOOL_JOURNAL_TEST)
	KVM_LSTAR=$(TOOL_BIN) tests/cli/offline.sh
	JOURNAL_EVENT=$(TOOL_JOURNAL_TEST) tests/cli/journal.sh
