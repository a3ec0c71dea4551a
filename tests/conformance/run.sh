#!/usr/bin/env bash
# tests/conformance/run.sh - the AoE conformance suite (`make conformance`).
#
# Usage: tests/conformance/run.sh [--target TEMPLATE] [PYTEST ARGS...]   (as root)
#   --target T   the target under test, a command template with {iface} {shelf}
#                {slot} {file} and optionally {opts} (where vblade-style options
#                such as -r go; without it they follow the program name).
#                Default: bin/aoe-target {opts} {iface} {shelf} {slot} {file}
#                Debian's vblade: 'vblade {shelf} {slot} {iface} {file}'
#   PYTEST ARGS  e.g. -k mask, or files: tests/conformance/test_ata.py (then only those)
# Environment: TARGET (same as --target), AOE_WIRE (the injector, default
# build/conformance/aoe-wire).
#
# Output: one line per test (result, clause, test) and a last line
# "N passed, M failed"; build/conformance/<target>/report.md, results.json,
# junit.xml, and the logs of failed tests' targets in .../logs/.
# Exit status 0 only if no test failed.  Spec choices are reported, not failed.
#
# Every test runs in network namespaces named aoekit-conf-<this PID>-<MTU>-a/b,
# removed at the end whatever happens; stale ones of dead runs are removed first.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=sim/lan.sh
. sim/lan.sh

PY=/usr/bin/python3
TEMPLATE=${TARGET:-}
ARGS=()
while (($# > 0)); do
	case $1 in
	--target) TEMPLATE=${2:?--target needs a template}; shift 2 ;;
	--target=*) TEMPLATE=${1#--target=}; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) ARGS+=("$1"); shift ;;
	esac
done
[[ -n "$TEMPLATE" ]] || TEMPLATE="$ROOT/bin/aoe-target {opts} {iface} {shelf} {slot} {file}"
WIRE=${AOE_WIRE:-$ROOT/build/conformance/aoe-wire}
[[ "$WIRE" == /* ]] || WIRE=$ROOT/$WIRE

die() { printf 'tests/conformance/run.sh: %s\n0 passed, 1 failed\n' "$*"; exit 1; }

[[ $EUID -eq 0 ]] || die "must run as root (network namespaces, raw sockets)"
"$PY" -c 'import pytest' 2>/dev/null || die "$PY has no pytest (apt-get install python3-pytest, or make deps)"
if [[ ! -x "$WIRE" || "$WIRE" -ot tests/conformance/aoe-wire.c ]]; then
	# Normally built by `make conformance`; this keeps the script usable on its own.
	mkdir -p "$(dirname "$WIRE")"
	cc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O2 -g -o "$WIRE" tests/conformance/aoe-wire.c \
		-lnet -lpcap || die "cannot build $WIRE (needs libnet1-dev and libpcap-dev: make deps)"
fi
prog=$(eval "set -- $TEMPLATE"; printf '%s' "$1")
LABEL=$(basename "$prog")
OUT=$ROOT/build/conformance/$LABEL
mkdir -p "$OUT"

# Test files or node ids given: run those, else the whole suite.
PATHS=(tests/conformance)
for a in "${ARGS[@]}"; do
	[[ "$a" == tests/* ]] && PATHS=() && break
done

PREFIX=aoekit-conf-$$
sweep_stale() {
	local ns pid
	while read -r ns _; do
		[[ "$ns" =~ ^aoekit-conf-([0-9]+)- ]] || continue
		pid=${BASH_REMATCH[1]}
		[[ "$pid" != "$$" ]] && kill -0 "$pid" 2>/dev/null && continue
		lan_ns_delete "$ns" || true
	done < <(ip netns list 2>/dev/null)
}
PYTEST_PID=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n "$PYTEST_PID" ]]; then
		kill -TERM "$PYTEST_PID" 2>/dev/null || true
		wait "$PYTEST_PID" 2>/dev/null || true
	fi
	lan_sweep "$PREFIX-" || rc=1     # whatever pytest could not remove
	exit "$rc"
}
sweep_stale
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

printf '# AoE conformance suite: %s (namespaces %s-*)\n' "$TEMPLATE" "$PREFIX"
# pytest runs in the background so that a signal reaches our trap at once.
AOE_CONFORMANCE_TARGET=$TEMPLATE AOE_CONFORMANCE_PREFIX=$PREFIX AOE_CONFORMANCE_OUT=$OUT AOE_WIRE=$WIRE \
	"$PY" -m pytest -qq --no-header --no-summary -p no:cacheprovider -o console_output_style=classic \
	--junitxml="$OUT/junit.xml" -o junit_suite_name="aoe-conformance-$LABEL" -o junit_family=xunit1 \
	"${PATHS[@]}" "${ARGS[@]}" </dev/null &
PYTEST_PID=$!
rc=0
wait "$PYTEST_PID" || rc=$?
PYTEST_PID=
exit "$rc"
