# fuzz/fuzz.mk - fuzz harnesses, included by the top Makefile (same variables, same rules).
#
#   make fuzz-regress     replay fuzz/regressions/* and fuzz/corpus/* under ASan+UBSan (no AFL++ needed)
#   make fuzz-smoke       fuzz-regress, then a short AFL++ run of each harness; fails on any crash or hang
#   make fuzz HARNESS=handler SECONDS=3600 JOBS=2
#                         a campaign: JOBS afl-fuzz instances (the first with ASan+UBSan), then any
#                         crash or hang is copied into fuzz/regressions/HARNESS/ and the run fails
#   make fuzz-cov         afl-showmap edge coverage of each harness over its corpus and last campaign
#   make fuzz-seeds       regenerate fuzz/corpus/ from pcaps/*.pcap
#   make fuzz-libfuzzer   libFuzzer + ASan + UBSan binaries in build/fuzz-libfuzzer/fuzz/libfuzzer/
#   make fuzz-libfuzzer-run HARNESS=parse SECONDS=600 JOBS=1
#                         a libFuzzer campaign; new inputs go to build/fuzz-libfuzzer-corpus/, never
#                         into the committed fuzz/corpus/
#
# One harness source links three ways (see fuzz/driver.c): the objects are built by the top
# Makefile's own rules in a separate BUILD directory per flavour, by a sub-make as `make asan` does:
#   build/asan/fuzz/bin/H           plain main, ASan+UBSan: regression replay
#   build/fuzz-afl/fuzz/bin/H       afl-clang-fast, persistent mode: campaign secondaries
#   build/fuzz-afl-asan/fuzz/bin/H  afl-clang-fast with ASan+UBSan: smoke runs, campaign main instance
#   build/fuzz-libfuzzer/fuzz/libfuzzer/H  clang -fsanitize=fuzzer,address,undefined (no driver.c)

FUZZ_HARNESSES := parse handler $(if $(wildcard fuzz/fuzz_initiator.c),initiator)
HARNESS  ?= handler
SECONDS  ?= 3600
JOBS     ?= 1
FUZZ_SMOKE_SECONDS ?= 60
FUZZ_AFL_CC ?= afl-clang-fast
FUZZ_LIBFUZZER_CC ?= clang
FUZZ_LIBFUZZER_SAN := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all

FUZZ_DRIVER := $(BUILD)/fuzz/driver.o
FUZZ_BINS   := $(patsubst %,$(BUILD)/fuzz/bin/%,$(FUZZ_HARNESSES))
FUZZ_LIBFUZZER_BINS := $(patsubst %,$(BUILD)/fuzz/libfuzzer/%,$(FUZZ_HARNESSES))

# The initiator harness also needs the initiator's library ($(LIBINITIATOR): all but main.c) and
# fake_port.o, which stands in for lib/l2port.o (it comes before libaoe.a, so the linker never takes
# l2port.o from the archive) and, through --wrap, for the clock and ppoll.  Its own rules, because
# the link order matters.
FUZZ_INITIATOR_LINK := $(BUILD)/fuzz/fuzz_initiator.o $(BUILD)/fuzz/fake_port.o $(LIBINITIATOR) $(LIBAOE)
FUZZ_WRAP := -Wl,--wrap=clock_gettime -Wl,--wrap=ppoll

.PHONY: fuzz fuzz-bins fuzz-afl fuzz-regress fuzz-smoke fuzz-cov fuzz-seeds fuzz-libfuzzer \
	fuzz-libfuzzer-bins fuzz-libfuzzer-run

# Harness objects are reached through pattern rules only: keep them, make would delete them as
# intermediates and rebuild every time.
.SECONDARY: $(FUZZ_DRIVER) $(patsubst %,$(BUILD)/fuzz/fuzz_%.o,$(FUZZ_HARNESSES)) $(BUILD)/fuzz/seeds.o \
	$(BUILD)/fuzz/fake_port.o

$(BUILD)/fuzz/bin/%: $(BUILD)/fuzz/fuzz_%.o $(FUZZ_DRIVER) $(LIBTARGET) $(LIBAOE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lm $(LDLIBS)

$(BUILD)/fuzz/bin/initiator: $(FUZZ_DRIVER) $(FUZZ_INITIATOR_LINK)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lm $(FUZZ_WRAP) $(LDLIBS)

$(BUILD)/fuzz/libfuzzer/%: $(BUILD)/fuzz/fuzz_%.o $(LIBTARGET) $(LIBAOE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $^ -lm $(LDLIBS)

$(BUILD)/fuzz/libfuzzer/initiator: $(FUZZ_INITIATOR_LINK)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $^ -lm $(FUZZ_WRAP) $(LDLIBS)

$(BUILD)/fuzz/fuzz-seeds: $(BUILD)/fuzz/seeds.o $(LIBAOE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lpcap $(LDLIBS)

fuzz-bins: $(FUZZ_BINS)
fuzz-libfuzzer-bins: $(FUZZ_LIBFUZZER_BINS)

fuzz-afl:
	$(MAKE) BUILD=build/fuzz-afl CC=$(FUZZ_AFL_CC) fuzz-bins
	$(MAKE) BUILD=build/fuzz-afl-asan CC=$(FUZZ_AFL_CC) SAN=1 fuzz-bins

fuzz-libfuzzer:
	$(MAKE) BUILD=build/fuzz-libfuzzer CC=$(FUZZ_LIBFUZZER_CC) \
	  CFLAGS="-O1 -g -fno-omit-frame-pointer $(FUZZ_LIBFUZZER_SAN)" \
	  LDFLAGS="-fsanitize=address,undefined" fuzz-libfuzzer-bins

fuzz-regress:
	$(MAKE) BUILD=build/asan BIN=build/asan/bin SAN=1 fuzz-bins
	bash fuzz/regress.sh build/asan/fuzz/bin $(FUZZ_HARNESSES)

fuzz-smoke: fuzz-regress fuzz-afl
	bash fuzz/smoke.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_HARNESSES)

fuzz: fuzz-afl
	bash fuzz/campaign.sh $(HARNESS) $(SECONDS) $(JOBS)

fuzz-cov: fuzz-afl
	bash fuzz/coverage.sh $(FUZZ_HARNESSES)

fuzz-seeds: $(BUILD)/fuzz/fuzz-seeds
	@mkdir -p $(patsubst %,fuzz/corpus/%,$(FUZZ_HARNESSES))
	$(BUILD)/fuzz/fuzz-seeds -p fuzz/corpus/parse -h fuzz/corpus/handler \
	  $(if $(filter initiator,$(FUZZ_HARNESSES)),-i fuzz/corpus/initiator) $(wildcard pcaps/*.pcap)

FUZZ_LF_CORPUS := build/fuzz-libfuzzer-corpus/$(HARNESS)
fuzz-libfuzzer-run: fuzz-libfuzzer
	@mkdir -p $(FUZZ_LF_CORPUS) fuzz/regressions/$(HARNESS)
	build/fuzz-libfuzzer/fuzz/libfuzzer/$(HARNESS) -max_total_time=$(SECONDS) \
	  $(if $(filter-out 1,$(JOBS)),-fork=$(JOBS)) -dict=fuzz/dict/aoe.dict \
	  -artifact_prefix=$(FUZZ_LF_CORPUS)- $(FUZZ_LF_CORPUS) fuzz/corpus/$(HARNESS) fuzz/regressions/$(HARNESS)
