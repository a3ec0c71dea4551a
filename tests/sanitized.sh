#!/usr/bin/env bash
# tests/sanitized.sh - the end-to-end, simulator and conformance suites again,
# with every program built with AddressSanitizer + UndefinedBehaviorSanitizer
# (`make e2e-asan`; the binaries come from `make BUILD=build/asan SAN=1 all`).
#
# The unit tests run under the sanitizers too (`make asan`), but only the
# suites drive the real programs: hostile frames over real links, a target's
# whole life from start to SIGTERM, the switch's fast path and faults, the
# Linux driver in its VM against the sanitized target.  A
# program that runs in the background of a test (a target, the switch) can
# report an error that no test looks at, so every report goes to a file in a
# directory of its own, and any file there fails the run, whatever the tests
# said.
#
# Usage: tests/sanitized.sh [SUITE...]   (default: every suite below)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SAN_BIN=${SAN_BIN:-build/asan/bin}
SUITES=("$@")
if [[ ${#SUITES[@]} -eq 0 ]]; then
	SUITES=(e2e e2e-sim initiator initiator-sim sim conformance)
fi

for program in aoe-target aoe-initiator aoe-sim; do
	# A plain build in the sanitizers' place would pass everything and prove nothing.
	# (grep -c reads to the end: grep -q would leave nm a broken pipe, failing under pipefail)
	if [[ $(nm "$SAN_BIN/$program" 2>/dev/null | grep -c __asan_init) == 0 ]]; then
		echo "sanitized.sh: $SAN_BIN/$program is missing or not built with AddressSanitizer;" \
			"run: make BUILD=build/asan BIN=$SAN_BIN SAN=1 all" >&2
		exit 2
	fi
done

REPORTS=$(mktemp -d /tmp/aoekit-sanitizer-reports.XXXXXX)
trap 'rm -rf "$REPORTS"' EXIT
export ASAN_OPTIONS="log_path=$REPORTS/asan:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="log_path=$REPORTS/ubsan:print_stacktrace=1:halt_on_error=1"
export AOE_TARGET="$ROOT/$SAN_BIN/aoe-target" AOE_INITIATOR="$ROOT/$SAN_BIN/aoe-initiator"
export AOE_SIM="$ROOT/$SAN_BIN/aoe-sim"

failed=0
for suite in "${SUITES[@]}"; do
	echo "== sanitized: $suite"
	case $suite in
	e2e) bash tests/e2e/run.sh ;;
	e2e-sim) E2E_LAN=sim bash tests/e2e/run.sh ;;
	initiator) bash tests/e2e/initiator.sh ;;
	initiator-sim) E2E_LAN=sim bash tests/e2e/initiator.sh ;;
	sim) bash tests/sim/run.sh ;;
	conformance)
		# Every clause, hostile frames included, against the sanitized target.
		AOE_WIRE=${AOE_WIRE:-build/conformance/aoe-wire} bash tests/conformance/run.sh \
			--target "$AOE_TARGET {opts} {iface} {shelf} {slot} {file}" ;;
	*)
		echo "sanitized.sh: unknown suite '$suite' (e2e e2e-sim initiator initiator-sim sim conformance)" >&2
		exit 2
		;;
	esac || failed=1
done

shopt -s nullglob
reports=("$REPORTS"/*)
if [[ ${#reports[@]} -gt 0 ]]; then
	echo "sanitized.sh: ${#reports[@]} sanitizer report(s):" >&2
	for report in "${reports[@]:0:5}"; do
		echo "--- $report" >&2
		head -n 40 "$report" >&2
	done
	[[ ${#reports[@]} -gt 5 ]] && echo "(and $((${#reports[@]} - 5)) more)" >&2
	failed=1
fi
if [[ $failed -eq 0 ]]; then
	echo "sanitized: every suite passed, no sanitizer reports"
fi
exit $failed
