#!/usr/bin/env bash
# fuzz/campaign.sh - one AFL++ campaign of one harness (make fuzz HARNESS=h SECONDS=s JOBS=n).
#
#   bash fuzz/campaign.sh HARNESS SECONDS JOBS
#
# Instance 1 (-M main) runs the ASan+UBSan build, so memory errors that do not
# crash a plain build are found; instances 2..JOBS (-S) run the plain build,
# faster, sharing its queue.  Every instance stops after SECONDS (-V), runs at
# nice 10 (FUZZ_NICE) and is not pinned to a core (other work shares the host).
# Seeds: fuzz/corpus/HARNESS, fuzz/regressions/HARNESS and FUZZ_EXTRA_SEEDS (a
# directory) if set.  Output: build/fuzz-out/HARNESS (FUZZ_OUT), replaced on each
# run; FUZZ_RESUME=1 continues the previous one instead.
#
# Afterwards: a summary from each instance's fuzzer_stats, and every crash or
# hang copied into fuzz/regressions/HARNESS/ (named by content hash) to be kept
# forever; the script then exits 1 so the finding cannot go unnoticed.
set -euo pipefail

PROG=fuzz/campaign.sh
die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }

(($# == 3)) || die "usage: $PROG HARNESS SECONDS JOBS"
harness=$1 seconds=$2 jobs=$3
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || die "SECONDS must be a positive number: $seconds"
[[ $jobs =~ ^[0-9]+$ && $jobs -gt 0 ]] || die "JOBS must be a positive number: $jobs"

plain=build/fuzz-afl/fuzz/bin/$harness
sanitized=build/fuzz-afl-asan/fuzz/bin/$harness
[[ -x $plain && -x $sanitized ]] || die "no AFL++ build of '$harness' (make fuzz-afl)"
out=${FUZZ_OUT:-build/fuzz-out/$harness}
dict=fuzz/dict/aoe.dict

# afl-fuzz's environment: no curses UI (logs instead), do not insist on the
# CPU governor or a core_pattern we may not change, do not pin cores.
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1

if [[ ${FUZZ_RESUME:-0} == 1 && -d $out/main ]]; then
	input=-
	export AFL_AUTORESUME=1
else
	rm -rf "$out"
	mkdir -p "$out"
	input=$out/seeds
	mkdir -p "$input"
	for dir in "fuzz/corpus/$harness" "fuzz/regressions/$harness" ${FUZZ_EXTRA_SEEDS:+"$FUZZ_EXTRA_SEEDS"}; do
		[[ -d $dir ]] || continue
		find "$dir" -maxdepth 1 -type f ! -name 'README*' ! -name '.*' -exec cp -t "$input" {} +
	done
	[[ -n $(ls -A "$input") ]] || die "no seeds for '$harness' (make fuzz-seeds)"
fi

# The campaign runs copies of the binaries: a rebuild during a long run must not
# swap the program under afl-fuzz, and coverage is later measured on these.
mkdir -p "$out/bin"
cp "$plain" "$out/bin/$harness"
cp "$sanitized" "$out/bin/$harness-asan"
plain=$out/bin/$harness sanitized=$out/bin/$harness-asan

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; }
trap stop INT TERM

nice_level=${FUZZ_NICE:-10}
for ((i = 1; i <= jobs; i++)); do
	if ((i == 1)); then
		role=(-M main) binary=$sanitized name=main
	else
		role=(-S "s$i") binary=$plain name=s$i
	fi
	nice -n "$nice_level" afl-fuzz "${role[@]}" -i "$input" -o "$out" -x "$dict" -m none \
		-V "$seconds" -- "$binary" >"$out/$name.log" 2>&1 &
	pids+=($!)
done
echo "$PROG: $jobs instance(s) of '$harness' for ${seconds}s; logs in $out/*.log"

status=0
for pid in "${pids[@]}"; do
	wait "$pid" || status=1
done
((status == 0)) || echo "$PROG: an afl-fuzz instance failed; see $out/*.log" >&2

# Summary: one line per instance.
field() { sed -n "s/^$2 *: *//p" "$1/fuzzer_stats"; }
for dir in "$out"/*/; do
	[[ -f $dir/fuzzer_stats ]] || continue
	printf '%s %s: %s execs, %s/s, corpus %s, edges %s, crashes %s, hangs %s, run %ss\n' \
		"$harness" "$(basename "$dir")" "$(field "$dir" execs_done)" "$(field "$dir" execs_per_sec)" \
		"$(field "$dir" corpus_count)" "$(field "$dir" bitmap_cvg)" "$(field "$dir" saved_crashes)" \
		"$(field "$dir" saved_hangs)" "$(field "$dir" run_time)"
done

# Findings become regression inputs, kept forever.
found=0
mkdir -p "fuzz/regressions/$harness"
while IFS= read -r -d '' file; do
	kind=$(basename "$(dirname "$file")")
	kind=${kind%s}
	sum=$(sha1sum "$file" | cut -c1-16)
	cp "$file" "fuzz/regressions/$harness/$kind-$sum"
	echo "$PROG: $kind saved as fuzz/regressions/$harness/$kind-$sum (from $file)" >&2
	found=1
done < <(find "$out" \( -path '*/crashes/id:*' -o -path '*/hangs/id:*' \) -print0)
((found == 0)) || die "crashes or hangs found: replay them with build/asan/fuzz/bin/$harness FILE"
exit $status
