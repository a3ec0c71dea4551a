# aoekit: one Makefile for everything (no recursive make).
#
#   make            build the programs into bin/
#   make test       unit tests (plain, sanitizers, valgrind), end-to-end, simulator and conformance
#                   suites, the Linux driver in a VM (installs what is missing)
#   make demo       the main job end to end on a simulated LAN
#   make unit       unit tests only
#   make asan       unit tests built with AddressSanitizer + UndefinedBehaviorSanitizer
#   make valgrind   unit tests under valgrind memcheck
#   make e2e-asan   end-to-end and simulator suites with sanitizer builds of every program
#   make e2e-tsan   aoe-target's threads (--threads) under ThreadSanitizer, the Linux driver too
#   make sim-test   the simulator's faults, checked by counting frames in its captures
#   make vm         the real Linux aoe driver in a QEMU guest against aoe-target
#   make conformance  the clause-by-clause suite (TARGET='vblade {shelf} {slot} {iface} {file}' for others)
#   make golden     golden pcaps: replay, byte-for-byte comparison, tcpdump/tshark decode them
#   make fuzz-smoke a short AFL++ run of each harness plus every kept regression input
#   make bench      aoe-target against Debian's vblade, side by side (docs/performance.md)
#   make install    programs, man pages, aoe-target.service and examples under PREFIX
#                   (/usr/local; DESTDIR for staging); make uninstall removes them
#
# Objects go to $(BUILD) (build/ by default; build/asan for the sanitizer
# build), with dependency files so a header change rebuilds what uses it.

CC      ?= cc
BUILD   ?= build
BIN     ?= bin
SAN     ?=
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wformat=2 -Wvla
CPPFLAGS += -D_GNU_SOURCE -Ilib -Itarget -Iinitiator
ifeq ($(SAN),1)
  CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
  LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(SAN),thread)
  CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=thread
  LDFLAGS += -fsanitize=thread
endif
ALL_CFLAGS = $(WARN) $(CPPFLAGS) $(CFLAGS) -MMD -MP

LIB_SRC       := $(wildcard lib/*.c)
TARGET_CORE   := $(filter-out target/main.c,$(wildcard target/*.c))
TARGET_MAIN   := $(filter-out $(TARGET_CORE),$(wildcard target/*.c))
INITIATOR_CORE := $(filter-out initiator/main.c,$(wildcard initiator/*.c))
SIM_SRC       := $(wildcard sim/*.c)
SIM_CORE      := $(filter-out sim/main.c,$(SIM_SRC))
UNIT_SRC      := $(wildcard tests/unit/test_*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

LIBAOE      := $(BUILD)/libaoe.a
LIBTARGET   := $(BUILD)/libtarget.a
LIBINITIATOR := $(BUILD)/libinitiator.a
LIBSIM      := $(BUILD)/libsim.a
PROGRAMS    := $(BIN)/aoe-target $(BIN)/aoe-initiator $(if $(SIM_SRC),$(BIN)/aoe-sim)
UNIT_TESTS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all unit test e2e e2e-asan e2e-tsan demo asan valgrind deps clean bench vm sim-test install uninstall
all: $(PROGRAMS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBAOE): $(call obj,$(LIB_SRC))
	$(AR) rcs $@ $^

$(LIBTARGET): $(call obj,$(TARGET_CORE))
	$(AR) rcs $@ $^

$(BIN)/aoe-target: $(call obj,$(TARGET_MAIN)) $(LIBTARGET) $(LIBAOE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -luring $(LDLIBS)

$(LIBINITIATOR): $(call obj,$(INITIATOR_CORE))
	$(AR) rcs $@ $^

# mount.o is named so that its FUSE code is linked in (cli.h declares it weak).
$(BIN)/aoe-initiator: $(call obj,initiator/main.c initiator/mount.c) $(LIBINITIATOR) $(LIBAOE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lm -lfuse3 -lpthread $(LDLIBS)

$(LIBSIM): $(call obj,$(SIM_CORE))
	$(AR) rcs $@ $^

$(BIN)/aoe-sim: $(call obj,sim/main.c) $(LIBSIM) $(LIBAOE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lpcap $(LDLIBS)

$(BIN)/aoe-bench: $(BUILD)/tests/bench/aoe_bench.o $(LIBAOE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lm $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBTARGET) $(LIBINITIATOR) $(LIBAOE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka -lm $(LDLIBS)

# The simulator's tests: its headers first (target/ has a counters.h too), its library alone.
$(BUILD)/tests/unit/test_sim_%.o: CPPFLAGS := -Isim $(CPPFLAGS)
$(BUILD)/tests/test_sim_%: $(BUILD)/tests/unit/test_sim_%.o $(LIBSIM) $(LIBAOE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka -lm -lpcap $(LDLIBS)

# Each unit test binary prints cmocka's summary; every binary runs, then any failure fails.
unit: $(UNIT_TESTS)
	@failed=0; for t in $(UNIT_TESTS); do echo "== $$t"; $$t || failed=1; done; exit $$failed

deps:
	@bash ci/install-deps.sh

test: deps
	$(MAKE) all unit
	$(MAKE) asan
	$(MAKE) valgrind
	bash tests/e2e/run.sh
	E2E_LAN=sim bash tests/e2e/run.sh
	bash tests/e2e/initiator.sh
	E2E_LAN=sim bash tests/e2e/initiator.sh
	bash tests/sim/run.sh
	$(MAKE) e2e-asan
	$(MAKE) e2e-tsan
	$(MAKE) golden
	$(MAKE) fuzz-smoke
	$(MAKE) conformance

# The simulator's faults, counted in its own captures.
sim-test: all
	bash tests/sim/run.sh

# The real Linux aoe driver (Debian's kernel under QEMU) against aoe-target,
# at MTU 1500 and 9000, then through 2% loss each way and a restart of the
# target: mkfs.ext4, files, remount, e2fsck, data in the image.
vm: all
	bash tests/vm/linux-aoe.sh --mtu 1500
	bash tests/vm/linux-aoe.sh --mtu 9000
	bash tests/vm/linux-aoe.sh --mtu 1500 --loss 2% --restart

e2e: all
	bash tests/e2e/run.sh
	E2E_LAN=sim bash tests/e2e/run.sh
	bash tests/e2e/initiator.sh
	E2E_LAN=sim bash tests/e2e/initiator.sh

# The suites again with every program built with ASan + UBSan; any report fails it.
e2e-asan: deps
	$(MAKE) all $(CONFORMANCE_WIRE)
	$(MAKE) BUILD=build/asan BIN=build/asan/bin SAN=1 all
	AOE_WIRE=$(CONFORMANCE_WIRE) bash tests/sanitized.sh

# The one program with threads: aoe-target --threads, built with TSan; any report fails it.
e2e-tsan: deps
	$(MAKE) all
	$(MAKE) BUILD=build/tsan BIN=build/tsan/bin SAN=thread build/tsan/bin/aoe-target
	bash tests/tsan.sh

demo: deps
	$(MAKE) all
	bash sim/demo.sh

bench: deps
	$(MAKE) all $(BIN)/aoe-bench
	bash tests/bench/bench.sh

asan:
	$(MAKE) BUILD=build/asan BIN=build/asan/bin SAN=1 unit

valgrind: $(UNIT_TESTS)
	@failed=0; for t in $(UNIT_TESTS); do echo "== valgrind $$t"; \
	  valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all \
	    --track-origins=yes $$t || failed=1; done; exit $$failed

# Where `make install` puts things.  The unit reads SYSCONFDIR/aoe-target.conf;
# the example config is only copied to DOCDIR: an installation never writes /etc.
# (The simulator's scenarios name the programs by their place in the repository,
# so they stay there.)
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/aoekit
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
INSTALLED_PROGRAMS := $(notdir $(PROGRAMS))

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)/examples
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(SBINDIR)
	install -m 0644 docs/aoe-initiator.1 $(DESTDIR)$(MANDIR)/man1
	install -m 0644 docs/aoe-target.8 $(DESTDIR)$(MANDIR)/man8
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	  target/aoe-target.service.in >$(DESTDIR)$(UNITDIR)/aoe-target.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/aoe-target.service
	install -m 0644 target/aoe-target.conf $(DESTDIR)$(DOCDIR)/examples

uninstall:
	rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,$(INSTALLED_PROGRAMS)) \
	  $(DESTDIR)$(MANDIR)/man1/aoe-initiator.1 $(DESTDIR)$(MANDIR)/man8/aoe-target.8 \
	  $(DESTDIR)$(UNITDIR)/aoe-target.service
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf build bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Fragments owned by their directories (fuzz harnesses, golden replays), same tree, same rules.
-include fuzz/fuzz.mk tests/golden/golden.mk tests/conformance/conformance.mk
