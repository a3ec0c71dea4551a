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
CUR_LAN=
TARGET_PID=
PY_PID=

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	if [[ -n $PY_PID ]]; then kill "$PY_PID" 2>/dev/null; wait "$PY_PID" 2>/dev/null; fi
	[[ -n $TARGET_PID ]] && lan_stop "$TARGET_PID" 2
	[[ -n $CUR_LAN ]] && lan_down "$CUR_LAN"
	# Whatever an interrupted run left (only this run's names).
	lan_sweep "$PREFIX-" || rc=1
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# One capture against a fresh target.  Writes its report to $WORK/report.
live_row() { # N FILE SHELF SLOT MTU RO MAC HOST PAIR
	local n=$1 file=$2 shelf=$3 slot=$4 mtu=$5 ro=$6 mac=$7 host=$8 pair=$9 i rc=0
	local -a opts=(-q)
	((ro == 1)) && opts+=(-r)
	CUR_LAN="$PREFIX-$n"
	lan_up "$CUR_LAN" "$mtu" || { echo "could not build the LAN"; return 1; }
	# Fixed MACs: the target's is the row's, so its replies need no rewriting.
	ip netns exec "$CUR_LAN-a" ip link set eth0 address "$mac" || return 1
	ip netns exec "$CUR_LAN-b" ip link set eth0 address "$HOST_A" || return 1
	"$IMAGE_TOOL" "$DIR/INDEX.md" "$file" "$WORK/disk.img" || return 1
	rm -f "$WORK/ready"
	ip netns exec "$CUR_LAN-b" timeout -k 5 60 "$PY" tests/golden/live.py compare "$DIR/$file" \
		--target-mac "$mac" --pair "$pair" --ready "$WORK/ready" >"$WORK/py.out" 2>"$WORK/py.err" &
	PY_PID=$!
	for ((i = 0; i < 100; i++)); do
		[[ -e $WORK/ready ]] && break
		kill -0 "$PY_PID" 2>/dev/null || break
		sleep 0.05
	done
	[[ -e $WORK/ready ]] || { cat "$WORK/py.err"; echo "live.py did not open its socket"; return 1; }
	# unshare --uts without --fork execs, and so does sh: the PID is the target's.
	# shellcheck disable=SC2016 # expanded by the inner sh, on purpose
	lan_spawn "$CUR_LAN" a "$WORK/target.log" unshare --uts sh -c 'hostname "$0" && exec "$@"' \
		"$host" "$TARGET" "${opts[@]}" eth0 "$shelf" "$slot" "$WORK/disk.img"
	TARGET_PID=$LAN_PID
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
	[[ $mode == exact ]] || continue
	if (($# > 0)); then
		wanted=0
		for w in "$@"; do [[ $w == "$file" ]] && wanted=1; done
		((wanted)) || continue
	fi
	n=$((n + 1))
	if live_row "$n" "$file" "$shelf" "$slot" "$mtu" "$ro" "$mac" "$host" "$pair" >"$WORK/report" 2>&1; then
		echo "ok $n - live $file ($sectors sectors, MTU $mtu): $(tail -n 1 "$WORK/report")"
		passed=$((passed + 1))
	else
		echo "not ok $n - live $file ($sectors sectors, MTU $mtu)"
		sed 's/^/# /' "$WORK/report"
		failed=$((failed + 1))
	fi
	# A row that failed half-way leaves its target and LAN: remove them before the next.
	if [[ -n $PY_PID ]]; then kill "$PY_PID" 2>/dev/null; wait "$PY_PID" 2>/dev/null || true; PY_PID=; fi
	if [[ -n $TARGET_PID ]]; then lan_stop "$TARGET_PID" 2 || true; TARGET_PID=; fi
	if [[ -n $CUR_LAN ]]; then lan_down "$CUR_LAN" || true; CUR_LAN=; fi
done
((n > 0)) || { echo "$PROG: no mode=exact rows matched in $DIR/INDEX.md" >&2; exit 1; }
echo "$passed passed, $failed failed"
((failed == 0))
