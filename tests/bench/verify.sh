#!/usr/bin/env bash
# tests/bench/verify.sh - aoe-target's data path under load gives back what was written.
#
# For each store (tmpfs; a file on a real disk, durable; the same with O_DIRECT;
# the same in write-back mode) and MTU (1500, 9000): aoe-bench --verify writes a
# pattern made of each sector's LBA over a span with 64 requests in flight, then
# reads it back (random and sequential, while another generator rewrites it),
# and the image file itself is checked at the end.  Every mismatch, error or
# failed check fails the run.  Not timed: it checks, it does not measure.
#
# Environment: VERIFY_TARGET_ENV ("VAR=value ..." for aoe-target), VERIFY_DISK_DIR
# (default /var/tmp), VERIFY_MTUS (default "1500 9000").
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=sim/lan.sh
. "$ROOT/sim/lan.sh"

BENCH=$ROOT/bin/aoe-bench
TARGET=$ROOT/bin/aoe-target
DISK_DIR=${VERIFY_DISK_DIR:-/var/tmp}
MTUS=${VERIFY_MTUS:-"1500 9000"}
TARGET_ENV=${VERIFY_TARGET_ENV:-}
PREFIX="aoekit-verify-$$"
SPAN=34816  # sectors: 17 MiB, whole frames at 2 and 17 sectors per frame
LAN=
PID=
IMAGE=
failures=0

cleanup() {
	trap - EXIT INT TERM
	[[ -n $PID ]] && { lan_stop "$PID" 3 || true; }
	[[ -n $LAN ]] && { lan_down "$LAN" || true; }
	[[ -n $IMAGE ]] && rm -f "$IMAGE"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

load() { # MODE INFLIGHT SECONDS
	ip netns exec "$LAN-b" "$BENCH" -i eth0 -m "$1" -q "$2" -d "$3" -S "$SPAN" --verify e1.0
}

# The image must hold the pattern over the span: the writes reached the file, at the right place.
check_image() {
	python3 - "$IMAGE" "$SPAN" <<'EOF'
import struct, sys
path, span = sys.argv[1], int(sys.argv[2])
with open(path, "rb") as f:
    data = f.read(span * 512)
bad = 0
for lba in range(span):
    want = [((lba * 0x9e3779b97f4a7c15) & (2**64 - 1)) ^ w for w in range(64)]
    if list(struct.unpack_from("<64Q", data, lba * 512)) != want:
        bad += 1
print("image: %d of %d sectors wrong" % (bad, span))
sys.exit(1 if bad else 0)
EOF
}

one_case() { # NAME MTU DIR OPTIONS...
	local name=$1 mtu=$2 dir=$3
	shift 3
	LAN="$PREFIX-$mtu"
	IMAGE="$dir/$PREFIX.img"
	lan_up "$LAN" "$mtu"
	truncate -s 64M "$IMAGE"
	# shellcheck disable=SC2086 # environment words
	lan_spawn "$LAN" a "/tmp/$PREFIX.log" env $TARGET_ENV "$TARGET" -q "$@" eth0 1 0 "$IMAGE"
	PID=$LAN_PID
	local ok=1 rewrite
	lan_wait_port "$LAN" a "$PID" 5 || ok=0
	if ((ok)); then
		load seqwrite 64 2 >/dev/null || ok=0
		load seqwrite 64 1 >/dev/null &
		rewrite=$!
		load randread 64 1 >/dev/null || ok=0
		load seqread 16 1 >/dev/null || ok=0
		wait "$rewrite" || ok=0
	fi
	lan_stop "$PID" 5 || ok=0
	[[ $LAN_STATUS == 0 ]] || ok=0
	PID=
	check_image >/dev/null || ok=0
	if ((ok)); then
		printf 'ok - %s, MTU %s\n' "$name" "$mtu"
	else
		printf 'not ok - %s, MTU %s (log: %s)\n' "$name" "$mtu" "$(tr '\n' ' ' <"/tmp/$PREFIX.log")"
		failures=$((failures + 1))
	fi
	rm -f "$IMAGE" "/tmp/$PREFIX.log"
	IMAGE=
	lan_down "$LAN"
	LAN=
}

lan_require_root
for mtu in $MTUS; do
	one_case "tmpfs" "$mtu" /dev/shm
	one_case "real disk, durable" "$mtu" "$DISK_DIR"
	one_case "real disk, O_DIRECT" "$mtu" "$DISK_DIR" -d
	one_case "real disk, write-back" "$mtu" "$DISK_DIR" --writeback
done
((failures == 0)) || { echo "$failures failed"; exit 1; }
echo "all passed"
