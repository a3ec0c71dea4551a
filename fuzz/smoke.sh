#!/usr/bin/env bash
# fuzz/smoke.sh - a short AFL++ run of each harness (make fuzz-smoke, part of make test).
#
#   bash fuzz/smoke.sh SECONDS HARNESS...
#
# Each harness's ASan+UBSan AFL++ build runs for SECONDS from its seeds and
# regressions; any crash or hang fails the run, and its input is copied into
# fuzz/regressions/HARNESS/ so that the next fuzz-regress replays it.
set -euo pipefail

PROG=fuzz/smoke.sh
(($# >= 2)) || { echo "usage: $PROG SECONDS HARNESS..." >&2; exit 2; }
seconds=$1
shift

mkdir -p build/fuzz-smoke
failed=0
for harness in "$@"; do
	out=build/fuzz-smoke/$harness
	if ! FUZZ_OUT=$out FUZZ_NICE=0 bash fuzz/campaign.sh "$harness" "$seconds" 1 >"$out.log" 2>&1; then
		cat "$out.log" >&2
		tail -n 20 "$out/main.log" >&2 || true
		echo "$PROG: $harness: FAILED" >&2
		failed=1
		continue
	fi
	echo "$PROG: $(grep "^$harness main:" "$out.log")"
done
exit $failed
