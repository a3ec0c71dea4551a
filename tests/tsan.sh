#!/usr/bin/env bash
# tests/tsan.sh - aoe-target's threads under ThreadSanitizer (`make e2e-tsan`).
#
# --threads N is the only place where aoekit runs threads: N event loops share
# the exports' protocol state under a lock, and the signal handlers set flags
# that every loop reads.  The end-to-end tests that drive those threads run
# here against a TSan build of aoe-target (`make BUILD=build/tsan SAN=thread`).
# The target runs in a test's background, so its reports go to files of their
# own, and any report fails the run even when every test passed.
#
# Usage: tests/tsan.sh [TEST...]   (default: the e2e tests threads and threads-busy)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2
TSAN_TARGET=${TSAN_TARGET:-build/tsan/bin/aoe-target}
TESTS=("$@")
if [[ ${#TESTS[@]} -eq 0 ]]; then
	TESTS=(threads threads-busy)
fi

# A plain build in its place would pass everything and prove nothing.
if [[ $(nm "$TSAN_TARGET" 2>/dev/null | grep -c __tsan_init) == 0 ]]; then
	echo "tsan.sh: $TSAN_TARGET is missing or not built with ThreadSanitizer;" \
		"run: make BUILD=build/tsan BIN=build/tsan/bin SAN=thread build/tsan/bin/aoe-target" >&2
	exit 2
fi

REPORTS=$(mktemp -d /tmp/aoekit-tsan-reports.XXXXXX)
trap 'rm -rf "$REPORTS"' EXIT
export TSAN_OPTIONS="log_path=$REPORTS/tsan:halt_on_error=0:second_deadlock_stack=1"
export AOE_TARGET="$ROOT/$TSAN_TARGET"

failed=0
bash tests/e2e/run.sh "${TESTS[@]}" || failed=1

reports=("$REPORTS"/*)
if [[ -e ${reports[0]} ]]; then
	echo "tsan.sh: ThreadSanitizer reported (${#reports[@]} file(s)):"
	grep -h '^SUMMARY' "${reports[@]}" | sort | uniq -c
	for report in "${reports[@]}"; do
		echo "== $report"
		head -60 "$report"
	done
	failed=1
fi
if ((failed)); then
	echo "tsan: FAILED"
	exit 1
fi
echo "tsan: every test passed, no ThreadSanitizer reports"
