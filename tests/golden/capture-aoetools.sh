#!/usr/bin/env bash
# tests/golden/capture-aoetools.sh - record Debian's real aoeping and aoecfg
# (aoetools 36) talking to bin/aoe-target, as a golden capture.
#
#   bash tests/golden/capture-aoetools.sh [OUT.pcap]
#       (as root; default pcaps/aoetools-real-vs-aoe-target.pcap)
#
# A LAN of its own (sim/lan.sh, MTU 1500).  Host a: eth0 is 02:ae:00:00:00:01
# and aoe-target serves e9.0, 64 sectors of the golden pattern (golden-image,
# its own INDEX.md row), under the host name "golden"; host b: eth0 is
# 02:00:00:00:aa:01 (host A of the generated captures), where the tools run and
# tcpdump writes the capture.  The MACs are fixed so that a re-recording
# differs only in timestamps, in the tags aoecfg chooses, and in aoecfg's
# requests past the config string (it sends its whole 1024-byte buffer, and
# the rest is uninitialised stack memory).
# tcpdump starts after the target's start-up announcement, so that every reply
# in the capture follows its request (mode=exact needs that).
# Not part of make golden: the capture is recorded once and reviewed; make
# golden replays it, in process and live, like any mode=exact row.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=sim/lan.sh
. sim/lan.sh

PROG=tests/golden/capture-aoetools.sh
OUT=${1:-pcaps/aoetools-real-vs-aoe-target.pcap}
TARGET=${AOE_TARGET:-$ROOT/bin/aoe-target}
IMAGE_TOOL=${GOLDEN_IMAGE:-$ROOT/build/golden/golden-image}
TARGET_MAC=02:ae:00:00:00:01
HOST_A=02:00:00:00:aa:01
LAN="aoekit-golcap-$$"

lan_require_root || exit 1
for f in "$TARGET" "$IMAGE_TOOL" /usr/sbin/aoeping /usr/sbin/aoecfg /usr/bin/tcpdump; do
	[[ -x $f ]] || { echo "$PROG: $f missing (make golden; ci/install-deps.sh)" >&2; exit 1; }
done
WORK=$(mktemp -d /tmp/aoekit-golden-cap.XXXXXX)
TARGET_PID=
DUMP_PID=
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	[[ -n $DUMP_PID ]] && lan_stop "$DUMP_PID" 2
	[[ -n $TARGET_PID ]] && lan_stop "$TARGET_PID" 2
	lan_down "$LAN"
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

lan_up "$LAN" 1500
ip netns exec "$LAN-a" ip link set eth0 address "$TARGET_MAC"
ip netns exec "$LAN-b" ip link set eth0 address "$HOST_A"
"$IMAGE_TOOL" pcaps/INDEX.md aoetools-real-vs-aoe-target.pcap "$WORK/disk.img"
lan_spawn "$LAN" a "$WORK/target.log" unshare --uts sh -c 'hostname golden && exec "$@"' sh \
	"$TARGET" -q eth0 9 0 "$WORK/disk.img"
TARGET_PID=$LAN_PID
lan_wait_port "$LAN" a "$TARGET_PID" 10 || { cat "$WORK/target.log" >&2; exit 1; }
sleep 0.2   # the announcement has gone out; it is not part of the conversation

lan_spawn "$LAN" b "$WORK/tcpdump.log" tcpdump -i eth0 -U --immediate-mode -s 0 -w "$WORK/out.pcap" ether proto 0x88a2
DUMP_PID=$LAN_PID
for ((i = 0; i < 100; i++)); do
	grep -q 'listening on' "$WORK/tcpdump.log" && break
	sleep 0.05
done
grep -q 'listening on' "$WORK/tcpdump.log" || { cat "$WORK/tcpdump.log" >&2; exit 1; }

# tool ARGS...: one run on host b, bounded; its status is logged, not judged
# (aoecfg with a shelf and slot always waits for its timeout).
tool() {
	local rc=0
	ip netns exec "$LAN-b" timeout -k 2 10 "$@" >>"$WORK/tools.log" 2>&1 || rc=$?
	printf '%s -> %d\n' "$*" "$rc"
}
tool aoeping -s 2 9 0 eth0                 # Query Config (1024 bytes of 0xED)
tool aoeping -s 2 -i 9 0 eth0              # then IDENTIFY, hex dump
tool aoeping -s 2 -I 9 0 eth0              # then IDENTIFY, fields
tool aoeping -s 2 -S read_data 9 0 eth0    # then SMART READ DATA: ATA abort from us
tool aoecfg -c read -t 1 9 0 eth0          # the empty string
tool aoecfg -c set -s "aoekit golden" -t 1 9 0 eth0
tool aoecfg -c test -s "aoekit golden" -t 1 9 0 eth0
tool aoecfg -c prefix -s "aoekit" -t 1 9 0 eth0
tool aoecfg -c test -s "something else" -t 1 9 0 eth0   # no reply
tool aoecfg -c set -s "another" -t 1 9 0 eth0          # error 4: a string is set
tool aoecfg -c fset -s "forced" -t 1 9 0 eth0
tool aoecfg -c read -t 1 eth0    # broadcast shelf and slot (aoecfg waits out -t even after a reply)
sleep 0.2
lan_stop "$DUMP_PID" 5 || true
DUMP_PID=
# Every frame the filter took must be in the file (none left in a ring block at the stop).
grep -E 'captured|received|dropped' "$WORK/tcpdump.log" || true
mkdir -p "$(dirname "$OUT")"
cp "$WORK/out.pcap" "$OUT"
echo "$PROG: wrote $OUT ($(tcpdump -r "$OUT" 2>/dev/null | wc -l) frames)"
echo "--- tool output"
cat "$WORK/tools.log"
