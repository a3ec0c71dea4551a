#!/usr/bin/env bash
# tests/golden/live.sh - replay the golden captures against the real aoe-target
# binary over a virtual LAN (make golden-live, part of make golden).
#
#   bash tests/golden/live.sh [NAME.pcap...]      (as root; default: every mode=exact row)
#
# For each mode=exact row of pcaps/INDEX.md, a LAN of its own (sim/lan.sh: two
# namespaces, a veth pair, the row's MTU):
#   host a  eth0 gets the row's MAC; bin/aoe-target serves a file written by
#           golden-image (the same bytes as the in-process replay's disk), with
#           the row's shelf, slot and -r for ro=1, in a UTS namespace whose host
#           name is the row's host (it is in the IDENTIFY serial);
#   host b  eth0 gets host A's MAC (02:00:00:00:aa:01); live.py waits for the
#           target's start-up announcement, then sends each request of the
#           capture and compares what comes back with the golden reply, byte
#           for byte, or checks that nothing comes back (tests/golden/README.md).
# The target is started afresh for every capture (config string, mask list,
# reservations and disk start as the capture's did) and must exit 0 on SIGTERM.
# Output: "ok N - ..." / "not ok N - ..." (the failures as "#" lines), then
# "P passed, F failed".  Exit status 1 if any failed.
# Environment: AOE_TARGET (default bin/aoe-target), GOLDEN_DIR (default pcaps).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=sim/lan.sh
. sim/lan.sh

PROG=tests/golden/live.sh
TARGET=${AOE_TARGET:-$ROOT/bin/aoe-target}
DIR=${GOLDEN_DIR:-pcaps}
IMAGE_TOOL=${GOLDEN_IMAGE:-$ROOT/build/golden/golden-image}
PY=/usr/bin/python3
HOST_A=02:00:00:00:aa:01
PREFIX="aoekit-golden-$$"

lan_require_root || exit 1
for f in "$TARGET" "$IMAGE_TOOL"; do
	[[ -x $f ]] || { echo "$PROG: $f not built (make golden builds it)" >&2; exit 1; }
done

# Disk images on tmpfs where there is one: every acknowledged write is made stable
# first (fdatasync), which costs nothing there and keeps the run short on a busy disk.
WORK_PARENT=/tmp
[[ -d /dev/shm && -w /dev/shm ]] && WORK_PARENT=/dev/shm
WORK=$(mktemp -d "$WORK_PARENT/aoekit-golden-live.XXXXXX")
# shellcheck source=tests/golden/row-lan.sh
. tests/golden/row-lan.sh
row_traps

# One capture against a fresh target.  Writes its report to $WORK/report.
live_row() { # N FILE SHELF SLOT MTU RO MAC HOST PAIR
	local n=$1 file=$2 shelf=$3 slot=$4 mtu=$5 ro=$6 mac=$7 host=$8 pair=$9 rc=0
	local -a opts=(-q)
	((ro == 1)) && opts+=(-r)
	row_lan_up "$n" "$file" "$mtu" "$mac" || return 1
	row_listen 60 compare "$DIR/$file" --target-mac "$mac" --pair "$pair" || return 1
	row_spawn_target "$host" "$WORK/target.log" "$TARGET" "${opts[@]}" eth0 "$shelf" "$slot" \
		"$WORK/disk.img"
	wait "$PY_PID" || rc=$?
	PY_PID=
	cat "$WORK/py.err" "$WORK/py.out"
	if ! lan_stop "$TARGET_PID" 5 || ((LAN_STATUS != 0)); then
		echo "aoe-target did not exit 0 on SIGTERM (status $LAN_STATUS): $(cat "$WORK/target.log")"
		rc=1
	fi
	TARGET_PID=
	lan_down "$CUR_LAN" || rc=1
	CUR_LAN=
	return "$rc"
}

mapfile -t rows < <("$IMAGE_TOOL" --list "$DIR/INDEX.md")
n=0 passed=0 failed=0
echo "# golden captures against $TARGET over a virtual LAN (namespaces $PREFIX-*)"
for row in "${rows[@]}"; do
	read -r file mode shelf slot sectors mtu ro mac host pair <<<"$row"
	if [[ $mode != exact ]] || ! row_wanted "$file" "$@"; then continue; fi
	n=$((n + 1))
	if live_row "$n" "$file" "$shelf" "$slot" "$mtu" "$ro" "$mac" "$host" "$pair" >"$WORK/report" 2>&1; then
		echo "ok $n - live $file ($sectors sectors, MTU $mtu): $(tail -n 1 "$WORK/report")"
		passed=$((passed + 1))
	else
		echo "not ok $n - live $file ($sectors sectors, MTU $mtu)"
		sed 's/^/# /' "$WORK/report"
		failed=$((failed + 1))
	fi
	row_tidy # a row that failed half-way leaves its target and LAN
done
((n > 0)) || { echo "$PROG: no mode=exact rows matched in $DIR/INDEX.md" >&2; exit 1; }
echo "$passed passed, $failed failed"
((failed == 0))
