# tests/golden/golden.mk - golden captures (included by the top Makefile; same variables, same rules).
#
#   make golden          replay every pcaps/INDEX.md row in process, prove the runner catches damage,
#                        check that tcpdump and tshark decode every capture, and replay the
#                        mode=exact rows against the real bin/aoe-target over a virtual LAN
#   make golden-live     only the last (as root: network namespaces)
#   make golden-update   regenerate pcaps/*.pcap and pcaps/INDEX.md (review the diff)
#
# Tools: build/golden/golden-gen (tests/golden/gen.c + cases_*.c) writes the captures;
# build/golden/golden-replay (replay.c) checks them.  Both link the target's
# handler and the one codec; libpcap reads and writes the files.
# build/golden/golden-image (image.c) lists the rows and writes a row's
# initial disk as a file, for the live replay (live.sh, live.py).

GOLDEN_DIR    ?= pcaps
GOLDEN_COMMON := $(call obj,tests/golden/golden.c)
GOLDEN_GEN    := $(BUILD)/golden/golden-gen
GOLDEN_REPLAY := $(BUILD)/golden/golden-replay
GOLDEN_IMAGE  := $(BUILD)/golden/golden-image

.PHONY: golden golden-update golden-replay golden-selftest golden-dissectors golden-live

$(GOLDEN_GEN): $(call obj,tests/golden/gen.c $(wildcard tests/golden/cases_*.c)) $(GOLDEN_COMMON) \
		$(LIBTARGET) $(LIBAOE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lpcap $(LDLIBS)

$(GOLDEN_REPLAY): $(call obj,tests/golden/replay.c tests/golden/vblade.c) $(GOLDEN_COMMON) \
		$(LIBTARGET) $(LIBAOE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lpcap $(LDLIBS)

$(GOLDEN_IMAGE): $(call obj,tests/golden/image.c) $(GOLDEN_COMMON) $(LIBTARGET) $(LIBAOE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

golden-update: $(GOLDEN_GEN)
	$(GOLDEN_GEN) $(GOLDEN_DIR)

golden-replay: $(GOLDEN_REPLAY)
	$(GOLDEN_REPLAY) $(GOLDEN_DIR)/INDEX.md

golden-selftest: $(GOLDEN_REPLAY) $(GOLDEN_IMAGE) $(BIN)/aoe-target
	GOLDEN_IMAGE=$(GOLDEN_IMAGE) AOE_TARGET=$(BIN)/aoe-target \
		bash tests/golden/selftest.sh $(GOLDEN_REPLAY) $(GOLDEN_DIR)

# vblade's recorded answers (pcaps/vblade, tests/golden/vblade-record.sh) must decode cleanly too.
golden-dissectors:
	bash tests/golden/check-dissectors.sh $(GOLDEN_DIR)
	bash tests/golden/check-dissectors.sh $(GOLDEN_DIR)/vblade tests/golden/tcpdump-invalid-vblade.txt

golden-live: $(GOLDEN_IMAGE) $(BIN)/aoe-target
	GOLDEN_DIR=$(GOLDEN_DIR) GOLDEN_IMAGE=$(GOLDEN_IMAGE) AOE_TARGET=$(BIN)/aoe-target bash tests/golden/live.sh

golden: golden-replay golden-selftest golden-dissectors golden-live
