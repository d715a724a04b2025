# snapvnf - top-level build. `make` builds into build/, `make test` runs every
# test, `make demo` shows the system on the bundled capture, `make bench`
# measures. Debian packages come from scripts/deps.sh, per target: `make` needs
# only the "build" group; test, demo, demo-live and bench install their own.

BUILD   ?= build
CC      ?= cc
SAN     ?=
WERROR  ?=
OPT     ?= -O2

PKGS    := libpcap json-c
# Only snapvnfd links these (the enforcer's backends and its privileges).
DPKGS   := libnftables hiredis libcap-ng
# The VERSION file is the one place the version is written; the define
# reaches src/common/version.c, which hands it out.
VERSION := $(shell cat VERSION)
CPPFLAGS += -Iinclude -Isrc -I. -D_GNU_SOURCE -DSV_VERSION='"$(VERSION)"'
CFLAGS  += -std=c11 $(OPT) -g -fPIC -Wall -Wextra -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wno-unused-parameter $(WERROR)
ifneq ($(SAN),)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lpcap -ljson-c)
LIBS    = $(PKG_LIBS) -lm -lpthread -ldl
DPKG_CFLAGS = $(shell pkg-config --cflags $(DPKGS) 2>/dev/null)
DLIBS   = $(shell pkg-config --libs $(DPKGS) 2>/dev/null || echo -lnftables -lhiredis -lcap-ng)

DEPS_OK := $(BUILD)/.deps-build

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
LIBSO  := $(BUILD)/libsnapvnf.so
DLIBA  := $(BUILD)/libsnapvnfd.a
TESTS  := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
BENCHES:= $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
EXAMPLES:=$(patsubst examples/%.c,$(BUILD)/examples/%,$(EXAMPLE_SRC))

.PHONY: all deps test unit demo bench fuzz clean e2e
all: $(BUILD)/snapvnfd $(BUILD)/snapvnf $(LIBA) $(LIBSO) $(EXAMPLES)

deps: $(DEPS_OK)
# One stamp per package group, remade when the list changes.
$(BUILD)/.deps-%: scripts/deps.sh
	@mkdir -p $(BUILD)
	@scripts/deps.sh $* && touch $@

$(BUILD)/obj/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) $(DPKG_CFLAGS) -MMD -MP -c $< -o $@

$(call obj,src/common/version.c) $(BUILD)/fuzz/obj/src/common/version.o: VERSION

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	ar rcsP $@ $^
$(LIBSO): $(LIB_OBJ)
	$(CC) -shared $(LDFLAGS) -o $@ $^ $(LIBS)
$(DLIBA): $(DAEMON_OBJ)
	@rm -f $@
	ar rcsP $@ $^

$(BUILD)/snapvnfd: $(call obj,src/daemon/main.c) $(DLIBA) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(DLIBS)
$(BUILD)/snapvnf: $(TOOLS_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
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

# Unit tests only (what .ci/run repeats under the sanitizers).
unit: $(BUILD)/.deps-test $(TESTS)
	@scripts/run-tests.sh --unit $(BUILD)

# Everything: unit tests, then the end-to-end scripts in tests/*.sh.
test: $(BUILD)/.deps-test all $(TESTS)
	@scripts/run-tests.sh $(BUILD)

e2e: $(BUILD)/.deps-test all
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
# (bench/seedline.c) in the same run. Needs root; about 15 minutes.
.PHONY: bench-live
bench-live: $(BUILD)/.deps-bench all $(BENCHES)
	@scripts/bench-live $(BUILD)

# libFuzzer harnesses (clang): `make fuzz` builds them into build/fuzz/.
# The library, decoders, VNFs and daemon modules are compiled once more with
# coverage and sanitizers into an archive; each harness takes what it uses.
FUZZ_CC      ?= clang
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := -std=c11 -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN)
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

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/fuzz/obj -name '*.d' 2>/dev/null)
.SECONDARY:
