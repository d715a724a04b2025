# snapvnf - top-level build. `make` builds into build/, `make test` runs every
# test, `make demo` shows the system on the bundled capture, `make bench`
# measures, `make deb` packages (debian/). Debian packages come from
# scripts/deps.sh, per target: `make` needs
# only the "build" group; test, demo, demo-live and bench install their own.

BUILD   ?= build
CC      ?= cc
SAN     ?=
WERROR  ?=
OPT     ?= -O2

# Where `make install` puts things (DESTDIR is prepended to each). The
# library's SONAME major follows the plugin ABI (include/snapvnf/api.h),
# not the release: it changes only when programs and plugins must rebuild.
SOMAJOR    := 1
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PLUGINDIR  ?= $(LIBDIR)/snapvnf/vnfs
# /etc whatever PREFIX is: systemd and the units read it there. The units go
# where systemd looks for them under PREFIX (/usr/local/lib/systemd/system);
# Debian's are in /lib/systemd/system (debian/rules says so).
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
UNITS   := $(patsubst dist/systemd/%.in,$(BUILD)/systemd/%,$(wildcard dist/systemd/*.in))
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# man/NAME.SECTION, written by hand; the build stamps the version in.
MANPAGES:= $(patsubst man/%,$(BUILD)/man/%,$(wildcard man/*.[1358]))

PKGS    := libpcap json-c yaml-0.1 libsystemd
# Only snapvnfd links these (the enforcer's backends and its privileges;
# the --metrics HTTP server).
DPKGS   := libnftables hiredis libcap-ng libmicrohttpd
# The VERSION file is the one place the version is written; the define
# reaches src/common/version.c, which hands it out.
VERSION := $(shell cat VERSION)
CPPFLAGS += -Iinclude -Isrc -I. -I$(BUILD) -D_GNU_SOURCE -DSV_VERSION='"$(VERSION)"'
# Hidden by default: the library exports what its headers mark SV_API.
CFLAGS  += -std=c11 $(OPT) -g -fPIC -fvisibility=hidden -Wall -Wextra -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wno-unused-parameter $(WERROR)
ifneq ($(SAN),)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lpcap -ljson-c -lyaml -lsystemd)
LIBS    = $(PKG_LIBS) -lm -lpthread -ldl
DPKG_CFLAGS = $(shell pkg-config --cflags $(DPKGS) 2>/dev/null)
DLIBS   = $(shell pkg-config --libs $(DPKGS) 2>/dev/null || echo -lnftables -lhiredis -lcap-ng -lmicrohttpd)

DEPS_OK := $(BUILD)/.deps-build
HEADERS := $(wildcard include/snapvnf/*.h)

LIB_SRC    := $(wildcard src/common/*.c src/lib/*.c src/decode/*.c vnfs/*.c)
DAEMON_SRC := $(filter-out src/daemon/main.c,$(wildcard src/daemon/*.c))
TOOLS_SRC  := $(wildcard tools/*.c)
TEST_SRC   := $(wildcard tests/test_*.c)
BENCH_SRC  := $(wildcard bench/*.c)
EXAMPLE_SRC:= $(wildcard examples/*.c)
FUZZ_SRC   := $(wildcard fuzz/fuzz_*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIB_OBJ    := $(call obj,$(LIB_SRC))
DAEMON_OBJ := $(call obj,$(DAEMON_SRC))
TOOLS_OBJ  := $(call obj,$(TOOLS_SRC))

LIBA   := $(BUILD)/libsnapvnf.a
SONAME := libsnapvnf.so.$(SOMAJOR)
LIBSO  := $(BUILD)/libsnapvnf.so.$(SOMAJOR).0.0
DLIBA  := $(BUILD)/libsnapvnfd.a
TESTS  := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
BENCHES:= $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
EXAMPLES:=$(patsubst examples/%.c,$(BUILD)/examples/%,$(EXAMPLE_SRC))

.PHONY: all deps test unit demo bench fuzz clean e2e install uninstall
all: $(BUILD)/snapvnfd $(BUILD)/snapvnf $(LIBA) $(LIBSO) $(BUILD)/snapvnf.pc $(EXAMPLES) $(UNITS) $(MANPAGES)

deps: $(DEPS_OK)
# One stamp per package group, remade when the list changes.
$(BUILD)/.deps-%: scripts/deps.sh
	@mkdir -p $(BUILD)
	@scripts/deps.sh $* && touch $@

# Objects remember the flags they were built with: a change (OPT, SAN,
# -fvisibility...) rebuilds them, where a stale object would keep the old
# ones. -Werror changes no object; pkg-config's flags follow the packages.
FLAGS_NOW := $(CC) $(CPPFLAGS) $(filter-out -Werror,$(CFLAGS))
ifneq ($(FLAGS_NOW),$(file <$(BUILD)/.flags))
$(shell mkdir -p $(BUILD))
$(file >$(BUILD)/.flags,$(FLAGS_NOW))
endif

$(BUILD)/obj/%.o: %.c $(BUILD)/.flags | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) $(DPKG_CFLAGS) -MMD -MP -c $< -o $@

$(call obj,src/common/version.c) $(BUILD)/fuzz/obj/src/common/version.o: VERSION

# Appended (q), not replaced (r): two members are dns.o (the decoder and
# the VNF). By their base names, not paths (P), as an installed archive
# must be for strip and for users' ar.
$(LIBA): $(LIB_OBJ)
	@rm -f $@
	ar qc $@ $^
	ranlib $@
$(LIBSO): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) $(LDFLAGS) -o $@ $^ $(LIBS)
	ln -sf $(notdir $@) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/libsnapvnf.so
# The plugin directory is compiled in; a change of PREFIX rewrites it.
$(BUILD)/config.h: FORCE
	@mkdir -p $(BUILD)
	@printf '#define SV_PLUGIN_DIR "%s"\n' '$(PLUGINDIR)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(BUILD)/snapvnf.pc: snapvnf.pc.in FORCE
	@sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	     -e 's|@PLUGINDIR@|$(PLUGINDIR)|; s|@VERSION@|$(VERSION)|' $< > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
.PHONY: FORCE
FORCE:
$(call obj,src/lib/plugin.c) $(BUILD)/fuzz/obj/src/lib/plugin.o: $(BUILD)/config.h
# The units name the programs where this PREFIX installs them.
$(BUILD)/systemd/%: dist/systemd/%.in FORCE
	@mkdir -p $(dir $@)
	@sed -e 's|@SBINDIR@|$(SBINDIR)|g; s|@BINDIR@|$(BINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' $< > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(BUILD)/man/%: man/% VERSION
	@mkdir -p $(dir $@)
	@sed -e 's|@VERSION@|$(VERSION)|g' $< > $@
$(DLIBA): $(DAEMON_OBJ)
	@rm -f $@
	ar rcsP $@ $^

$(BUILD)/snapvnfd: $(call obj,src/daemon/main.c) $(DLIBA) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(DLIBS)
# -rdynamic: a plugin loaded by `snapvnf run` finds the library's exported
# (SV_API) functions in the program itself; hidden ones stay hidden.
$(BUILD)/snapvnf: $(TOOLS_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -rdynamic -o $@ $^ $(LIBS)
$(BUILD)/examples/%: $(BUILD)/obj/examples/%.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
# Services written without the library (examples/nolib/), to count lines
# against: libpcap only, no snapvnf header. A static pattern rule, so the
# examples/% rule above (which links libsnapvnf) does not take them.
NOLIB := $(patsubst examples/nolib/%.c,$(BUILD)/examples/nolib/%,$(wildcard examples/nolib/*.c))
all: $(NOLIB)
$(NOLIB): $(BUILD)/examples/nolib/%: examples/nolib/%.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) -D_GNU_SOURCE $(CFLAGS) $(LDFLAGS) -o $@ $< -lpcap
# Tests build against cmocka (the "test" group).
$(call obj,$(TEST_SRC)): | $(BUILD)/.deps-test
$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(DLIBA) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(DLIBS) -lcmocka
$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(DLIBA) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(DLIBS)

# Plugins the loader must refuse (tests/plugin_errors.sh), one per case.
TEST_PLUGINS := $(patsubst %,$(BUILD)/tests/plugins/%.so,good bad_abi no_symbol clash bad_schema undefined)
$(BUILD)/tests/plugins/%.so: tests/plugins/bad.c $(HEADERS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -fPIC -shared -fvisibility=hidden -Iinclude -DCASE_$* -o $@ $<

# Unit tests only (what .ci/run repeats under the sanitizers); test_torn runs
# the daemon of the same build.
unit: $(BUILD)/.deps-test $(TESTS) $(BUILD)/snapvnfd
	@scripts/run-tests.sh --unit $(BUILD)

# Everything: unit tests, then the end-to-end scripts in tests/*.sh.
test: $(BUILD)/.deps-test all $(TESTS) $(TEST_PLUGINS)
	@scripts/run-tests.sh $(BUILD)

e2e: $(BUILD)/.deps-test all $(TEST_PLUGINS)
	@scripts/run-tests.sh --e2e $(BUILD)

demo: $(BUILD)/.deps-demo all
	@scripts/demo.sh $(BUILD)

# The same live: the stand-in switch (scripts/testbed), a minute of traffic
# through it, the daemon on its mirror and sFlow. Needs root.
.PHONY: demo-live
demo-live: $(BUILD)/.deps-demo-live all
	@scripts/demo-live.sh $(BUILD)

bench: $(BUILD)/.deps-bench all $(BENCHES)
	@scripts/bench.sh $(BUILD)

# The paper's evaluation, live over a veth pair, against its design
# (bench/seedline.c) in the same run. Needs root; about 10 minutes.
.PHONY: bench-live
bench-live: $(BUILD)/.deps-bench all $(BENCHES)
	@scripts/bench-live $(BUILD)

# Detection to block on the stand-in switch: the block VNF's request to the
# door's applied and to the first packet OVS dropped. Needs root; ~3 min.
.PHONY: bench-block
bench-block: $(BUILD)/.deps-demo-live all
	@scripts/bench-block $(BUILD)

# libFuzzer harnesses (clang): `make fuzz` builds them into build/fuzz/.
# The library, decoders, VNFs and daemon modules are compiled once more with
# coverage and sanitizers into an archive; each harness takes what it uses.
FUZZ_CC      ?= clang
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := -std=c11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter $(WERROR) $(FUZZ_SAN)
FUZZ_LIB_OBJ := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(LIB_SRC) $(DAEMON_SRC))
FUZZ_LIBA    := $(BUILD)/fuzz/libsnapvnf-fuzz.a
FUZZ_BIN     := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))

fuzz: $(FUZZ_BIN)
$(BUILD)/fuzz/obj/%.o: %.c | $(DEPS_OK) $(BUILD)/.deps-test
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) $(DPKG_CFLAGS) -MMD -MP -c $< -o $@
$(FUZZ_LIBA): $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcsP $@ $^
$(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz/obj/fuzz/fuzz_%.o $(FUZZ_LIBA)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS) $(DLIBS)

# `make install [PREFIX=/usr/local] [DESTDIR=]`, and its inverse.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(INCLUDEDIR)/snapvnf $(DESTDIR)$(PLUGINDIR)
	install -m 755 $(BUILD)/snapvnfd $(DESTDIR)$(SBINDIR)/snapvnfd
	install -m 755 $(BUILD)/snapvnf $(DESTDIR)$(BINDIR)/snapvnf
	install -m 755 $(LIBSO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LIBSO)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libsnapvnf.so
	install -m 644 $(LIBA) $(DESTDIR)$(LIBDIR)/libsnapvnf.a
	install -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/snapvnf/
	install -m 644 $(BUILD)/snapvnf.pc $(DESTDIR)$(LIBDIR)/pkgconfig/snapvnf.pc
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSCONFDIR)/default $(DESTDIR)$(SYSCONFDIR)/snapvnf
	install -m 644 $(UNITS) $(DESTDIR)$(SYSTEMDUNITDIR)/
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 644 dist/bash-completion/snapvnf $(DESTDIR)$(BASHCOMPDIR)/snapvnf
	for m in $(MANPAGES); do s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
		install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
# The examples name their blocklist from the top of the tree; installed,
# they name the copy beside them (blocklist.txt once the operator keeps it).
	for f in examples/*.service; do \
		sed 's|examples/blocklist.txt|$(SYSCONFDIR)/snapvnf/blocklist.txt|' $$f \
			> $(DESTDIR)$(SYSCONFDIR)/snapvnf/$$(basename $$f).example; \
		chmod 644 $(DESTDIR)$(SYSCONFDIR)/snapvnf/$$(basename $$f).example; done
	install -m 644 examples/blocklist.txt $(DESTDIR)$(SYSCONFDIR)/snapvnf/blocklist.txt.example
# An operator's options are never overwritten.
	[ -e $(DESTDIR)$(SYSCONFDIR)/default/snapvnfd ] || \
		install -m 644 dist/default/snapvnfd $(DESTDIR)$(SYSCONFDIR)/default/snapvnfd

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/snapvnfd $(DESTDIR)$(BINDIR)/snapvnf \
	      $(DESTDIR)$(LIBDIR)/$(notdir $(LIBSO)) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	      $(DESTDIR)$(LIBDIR)/libsnapvnf.so $(DESTDIR)$(LIBDIR)/libsnapvnf.a \
	      $(DESTDIR)$(LIBDIR)/pkgconfig/snapvnf.pc \
	      $(addprefix $(DESTDIR)$(INCLUDEDIR)/snapvnf/,$(notdir $(HEADERS))) \
	      $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(notdir $(UNITS))) \
	      $(DESTDIR)$(BASHCOMPDIR)/snapvnf \
	      $(foreach m,$(MANPAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
	      $(patsubst examples/%,$(DESTDIR)$(SYSCONFDIR)/snapvnf/%.example,$(wildcard examples/*.service)) \
	      $(DESTDIR)$(SYSCONFDIR)/snapvnf/blocklist.txt.example
# The options file goes only as it came: an operator's edits stay.
	-cmp -s dist/default/snapvnfd $(DESTDIR)$(SYSCONFDIR)/default/snapvnfd && \
		rm -f $(DESTDIR)$(SYSCONFDIR)/default/snapvnfd
	-rmdir $(DESTDIR)$(INCLUDEDIR)/snapvnf $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(SYSCONFDIR)/snapvnf \
	       $(DESTDIR)$(LIBDIR)/snapvnf 2>/dev/null

# The Debian packages (debian/), built from a copy of the tree with the
# standard tools into $(BUILD)/deb/: snapvnf, libsnapvnf1, libsnapvnf-dev.
# The copy builds on its own: none of this make's variables reach it.
.PHONY: deb deb-check
DEBDIR := $(BUILD)/deb
deb: $(BUILD)/.deps-deb
	rm -rf $(DEBDIR) && mkdir -p $(DEBDIR)/snapvnf-$(VERSION)
	tar -c $(addprefix --exclude=./,$(sort $(BUILD) build .git)) . | tar -x -C $(DEBDIR)/snapvnf-$(VERSION)
	cd $(DEBDIR)/snapvnf-$(VERSION) && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u WERROR -u BUILD \
		dpkg-buildpackage -us -uc -b > ../build.log 2>&1 || { tail -30 ../build.log; exit 1; }
	@cd $(DEBDIR) && ls *.deb

# Install the packages in a brand-new Debian 12 root, start the daemon there
# as its unit would, purge (scripts/deb-check; not part of `make test`).
deb-check: deb
	scripts/deb-check $(DEBDIR)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/fuzz/obj -name '*.d' 2>/dev/null)
.SECONDARY:
