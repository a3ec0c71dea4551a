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
# Then the real Linux aoe driver (tests/vm/linux-aoe.sh: Debian's kernel under
# QEMU; mkfs.ext4, files, e2fsck) against the TSan build with --threads 2, at
# MTU 1500 and 9000: the fanout deals its requests to both loops by LBA region.
#
# Usage: tests/tsan.sh [TEST...]   (default: the e2e tests threads and threads-busy,
#                                   then the Linux driver; with TESTS, only those)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2
TSAN_TARGET=${TSAN_TARGET:-build/tsan/bin/aoe-target}
TESTS=("$@")
WITH_VM=0
if [[ ${#TESTS[@]} -eq 0 ]]; then
	TESTS=(threads threads-busy)
	WITH_VM=1
fi

# A plain build in its place would pass everything and prove nothing.
if [[ $(nm "$TSAN_TARGET" 2>/dev/null | grep -c __tsan_init) == 0 ]]; then
	echo "tsan.sh: $TSAN_TARGET is missing or not built with ThreadSanitizer;" \
		"run: make BUILD=build/tsan BIN=build/tsan/bin SAN=thread build/tsan/bin/aoe-target" >&2
	exit 2
fi

REPORTS=$(mktemp -d /tmp/aoekit-tsan-reports.XXXXXX)
trap 'rm -rf "$REPORTS" "$REPORTS.vm"' EXIT
export TSAN_OPTIONS="log_path=$REPORTS/tsan:halt_on_error=0:second_deadlock_stack=1"
export AOE_TARGET="$ROOT/$TSAN_TARGET"

failed=0
bash tests/e2e/run.sh "${TESTS[@]}" || failed=1
if ((WITH_VM)); then
	for mtu in 1500 9000; do
		echo "== the Linux aoe driver against aoe-target --threads 2 (TSan), MTU $mtu"
		if bash tests/vm/linux-aoe.sh --mtu "$mtu" \
			--target "$AOE_TARGET --threads 2 {iface} {shelf} {slot} {file}" >"$REPORTS.vm" 2>&1; then
			tail -1 "$REPORTS.vm"
		else
			tail -40 "$REPORTS.vm"
			failed=1
		fi
	done
fi

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
