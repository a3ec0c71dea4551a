#!/usr/bin/env bash
# fuzz/regress.sh - replay every kept input of each harness (make fuzz-regress).
#
#   bash fuzz/regress.sh BINDIR HARNESS...
#
# Runs BINDIR/HARNESS (the standalone ASan+UBSan build) over
# fuzz/regressions/HARNESS/ (every crash and hang ever found, kept forever) and
# fuzz/corpus/HARNESS/ (the seeds).  A sanitizer report, a broken property or
# more than FUZZ_REGRESS_TIMEOUT seconds (a hang come back) fails the run.
set -euo pipefail

PROG=fuzz/regress.sh
(($# >= 2)) || { echo "usage: $PROG BINDIR HARNESS..." >&2; exit 2; }
bindir=$1
shift
limit=${FUZZ_REGRESS_TIMEOUT:-120}
# Name the input being run, so a report can be traced to its file.
export FUZZ_VERBOSE=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
for harness in "$@"; do
	dirs=()
	for dir in "fuzz/regressions/$harness" "fuzz/corpus/$harness"; do
		[[ -d $dir ]] && dirs+=("$dir")
	done
	((${#dirs[@]})) || continue
	log=$(mktemp)
	if timeout "$limit" "$bindir/$harness" "${dirs[@]}" >"$log" 2>&1; then
		echo "$PROG: $harness: $(tail -n 1 "$log")"
	else
		# The last inputs named before the failure, then the report itself.
		grep -v '^fuzz driver: .* bytes)$' "$log" | tail -n 60 >&2 || true
		echo "$PROG: $harness: FAILED on $(grep '^fuzz driver: .* bytes)$' "$log" | tail -n 1)" >&2
		failed=1
	fi
	rm -f "$log"
done
exit $failed
