# tests/golden/golden.mk - golden captures (included by the top Makefile; same variables, same rules).
#
#   make golden          replay every pcaps/INDEX.md row in process, prove the runner catches damage,
#                        and check that tcpdump and tshark decode every capture
#   make golden-update   regenerate pcaps/*.pcap and pcaps/INDEX.md (review the diff)
#
# Tools: build/golden/golden-gen (tests/golden/gen.c + cases_*.c) writes the captures;
# build/golden/golden-replay (replay.c) checks them.  Both link the target's
# handler and the one codec; libpcap reads and writes the files.

GOLDEN_DIR    ?= pcaps
GOLDEN_COMMON := $(call obj,tests/golden/golden.c)
GOLDEN_GEN    := $(BUILD)/golden/golden-gen
GOLDEN_REPLAY := $(BUILD)/golden/golden-replay

.PHONY: golden golden-update golden-replay golden-selftest golden-dissectors

$(GOLDEN_GEN): $(call obj,tests/golden/gen.c $(wildcard tests/golden/cases_*.c)) $(GOLDEN_COMMON) \
		$(LIBTARGET) $(LIBAOE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lpcap $(LDLIBS)

$(GOLDEN_REPLAY): $(call obj,tests/golden/replay.c tests/golden/vblade.c) $(GOLDEN_COMMON) \
		$(LIBTARGET) $(LIBAOE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lpcap $(LDLIBS)

golden-update: $(GOLDEN_GEN)
	$(GOLDEN_GEN) $(GOLDEN_DIR)

golden-replay: $(GOLDEN_REPLAY)
	$(GOLDEN_REPLAY) $(GOLDEN_DIR)/INDEX.md

golden-selftest: $(GOLDEN_REPLAY)
	bash tests/golden/selftest.sh $(GOLDEN_REPLAY) $(GOLDEN_DIR)

golden-dissectors:
	bash tests/golden/check-dissectors.sh $(GOLDEN_DIR)

golden: golden-replay golden-selftest golden-dissectors
