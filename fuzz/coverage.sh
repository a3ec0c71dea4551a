#!/usr/bin/env bash
# fuzz/coverage.sh - how much of the code each harness reaches (make fuzz-cov).
#
#   bash fuzz/coverage.sh HARNESS...
#
# Two measures, over the seeds alone and over seeds + the last campaign's queue
# (build/fuzz-out/HARNESS/*/queue):
#   edges  afl-showmap -C on the plain AFL++ build: edges hit / edges instrumented
#          in the whole binary (harness, driver, lib/, target/ all count);
#   lines  gcov of the files under test, from a --coverage build replaying the
#          same inputs: which lines of lib/aoe.c, target/handler.c ... ran.
set -euo pipefail

PROG=fuzz/coverage.sh
(($# >= 1)) || { echo "usage: $PROG HARNESS..." >&2; exit 2; }
export AFL_QUIET=1
gcov_build=build/fuzz-gcov

# Which sources each harness is there to cover.
sources_of() {
	case $1 in
	parse) echo lib/aoe.c lib/ata.c ;;
	handler) echo lib/aoe.c target/handler.c target/serve.c ;;
	initiator) echo initiator/engine.c initiator/engine_run.c initiator/query.c initiator/control.c initiator/reply.c ;;
	esac
}

edges() { # edges BINARY DIR...: "hit/total (pct%)" over the files of the directories
	local bin=$1 all
	shift
	all=$(mktemp -d)
	for dir in "$@"; do
		find "$dir" -maxdepth 1 -type f ! -name 'README*' ! -name '.*' -exec cp -t "$all" {} + 2>/dev/null || true
	done
	afl-showmap -C -i "$all" -o /dev/null -- "$bin" 2>&1 |
		sed -n 's/.*A coverage of \([0-9]*\) edges were achieved out of \([0-9]*\) existing (\([0-9.]*%\)).*/\1\/\2 (\3)/p'
	rm -rf "$all"
}

lines() { # lines HARNESS DIR...: gcov line coverage of the harness's sources
	local harness=$1
	shift
	find "$gcov_build" -name '*.gcda' -delete
	"$gcov_build/fuzz/bin/$harness" "$@" >/dev/null 2>&1 || true
	local src
	for src in $(sources_of "$harness"); do
		local obj=$gcov_build/${src%.c}.o
		printf '    %-22s %s\n' "$src" \
			"$(gcov -n -o "$(dirname "$obj")" "$src" 2>/dev/null |
				awk -v f="$src" '$0 ~ "^File .*" f "\x27" {hit=1; next} hit && /^Lines executed/ {sub("Lines executed:", ""); print; exit}')"
	done
}

make -s BUILD="$gcov_build" CFLAGS="-O0 -g --coverage" LDFLAGS=--coverage fuzz-bins >/dev/null

for harness in "$@"; do
	bin=build/fuzz-afl/fuzz/bin/$harness
	[[ -x build/fuzz-out/$harness/bin/$harness ]] && bin=build/fuzz-out/$harness/bin/$harness
	seeds=(fuzz/corpus/"$harness")
	queues=()
	for q in build/fuzz-out/"$harness"/*/queue; do
		[[ -d $q ]] && queues+=("$q")
	done
	echo "$harness: edges, seeds only:        $(edges "$bin" "${seeds[@]}")"
	lines "$harness" "${seeds[@]}"
	if ((${#queues[@]})); then
		echo "$harness: edges, seeds + campaign:  $(edges "$bin" "${seeds[@]}" "${queues[@]}")"
		lines "$harness" "${seeds[@]}" "${queues[@]}"
	fi
done
