# tests/conformance/conformance.mk - the AoE conformance suite, included by the
# top Makefile (same tree, same rules).
#
#   make conformance                                                tests bin/aoe-target
#   make conformance TARGET='vblade {shelf} {slot} {iface} {file}'  tests any other target
#
# Report: build/conformance/<target>/report.md, junit.xml, results.json.

CONFORMANCE_WIRE := $(BUILD)/conformance/aoe-wire

.PHONY: conformance

# The frame injector and collector: libnet out, libpcap in (docs/dependencies.md).
$(CONFORMANCE_WIRE): tests/conformance/aoe-wire.c
	@mkdir -p $(@D)
	$(CC) $(WARN) -D_GNU_SOURCE $(CFLAGS) -o $@ $< -lnet -lpcap $(LDLIBS)

conformance: deps
	$(MAKE) all $(CONFORMANCE_WIRE)
	AOE_WIRE=$(CONFORMANCE_WIRE) bash tests/conformance/run.sh $(if $(TARGET),--target '$(TARGET)')
