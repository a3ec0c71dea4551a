#!/usr/bin/env bash
# tests/golden/selftest.sh - the replay runner catches what it claims to (make golden).
#
#   bash tests/golden/selftest.sh REPLAY_BINARY [DIR]
#   (with GOLDEN_IMAGE and AOE_TARGET set, as make golden does: also the live replay, as root)
#
# Copies captures, damages each in one known way, and expects golden-replay to
# fail on exactly that, naming it; then expects the undamaged copy to pass.
set -euo pipefail

PROG=tests/golden/selftest.sh
replay=$1
dir=${2:-pcaps}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
linux=linux-aoe85-vs-vblade25-mtu1500.pcap
cp "$dir"/INDEX.md "$dir"/config.pcap "$dir"/protocol.pcap "$work"/
# The real captures are pcapng; the editor below knows the classic format (editcap ships with tshark).
editcap -F pcap "$dir/$linux" "$work/$linux"

# edit FILE FRAME ACTION [OFFSET]: flip a byte of frame FRAME (1-based) or drop the frame
# (classic pcap: 24-byte file header, 16-byte record headers).
edit() {
	python3 - "$@" <<'PY'
import struct, sys
path, frame, action = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = bytearray(open(path, 'rb').read())
out, pos, n = data[:24], 24, 0
while pos < len(data):
    caplen = struct.unpack_from('<I', data, pos + 8)[0]
    rec = bytearray(data[pos:pos + 16 + caplen])
    pos += 16 + caplen
    n += 1
    if n == frame:
        if action == 'drop':
            continue
        rec[16 + int(sys.argv[4])] ^= 0x01
    out += rec
open(path, 'wb').write(out)
PY
}

# expect FILE PATTERN: golden-replay must fail on FILE with a message matching PATTERN.
expect() {
	local out
	if out=$("$replay" "$work/INDEX.md" "$1" 2>&1); then
		echo "$PROG: $3: golden-replay passed a damaged capture" >&2
		exit 1
	fi
	grep -q -- "$2" <<<"$out" || { echo "$PROG: $3: unexpected report: $out" >&2; exit 1; }
}

"$replay" "$work/INDEX.md" config.pcap protocol.pcap "$linux" >/dev/null

cp "$work/config.pcap" "$work/keep.pcap"
edit "$work/config.pcap" 2 flip 40
expect config.pcap 'frame 2: reply differs: .*first difference at byte 40' "a changed reply byte"
cp "$work/keep.pcap" "$work/config.pcap"
edit "$work/config.pcap" 2 drop
expect config.pcap 'frame 1: the capture has no reply; the target sent' "a reply removed"

# protocol.pcap frames 9 and 10 are a vendor command and its error reply: drop the request.
edit "$work/protocol.pcap" 9 drop
expect protocol.pcap 'a reply with no request before it' "a reply without its request"

# linux capture frame 402 is vblade's reply to a READ EXT of LBA 0: change a data byte.
edit "$work/$linux" 402 flip 100
expect "$linux" 'frame 402: read data differs at byte 100' "vblade read data"
editcap -F pcap "$dir/$linux" "$work/$linux"
edit "$work/$linux" 4 flip 27
expect "$linux" 'frame 4: ATA status differs' "vblade ATA status"
echo "$PROG: golden-replay fails on each of 5 kinds of damage and passes the originals"

# The live replay (live.sh) must catch damage too: a changed reply byte, and a reply removed (the real
# target then answers where the capture says nothing may come).  Only when its tools were given.
[[ -n ${GOLDEN_IMAGE:-} && -n ${AOE_TARGET:-} ]] || exit 0
live_expect() { # PATTERN WHAT
	local out
	if out=$(GOLDEN_DIR=$work bash tests/golden/live.sh config.pcap 2>&1); then
		echo "$PROG: live: $2: live.sh passed a damaged capture" >&2
		exit 1
	fi
	grep -q -- "$1" <<<"$out" || { echo "$PROG: live: $2: unexpected report: $out" >&2; exit 1; }
}
cp "$dir/config.pcap" "$work/config.pcap"
edit "$work/config.pcap" 2 flip 40
live_expect 'frame 2: reply differs: .*first difference at byte 40' "a changed reply byte"
cp "$dir/config.pcap" "$work/config.pcap"
edit "$work/config.pcap" 2 drop
live_expect 'frame 1: the capture has no reply; the target sent' "a reply removed"
echo "$PROG: live.sh fails on each of 2 kinds of damage"
