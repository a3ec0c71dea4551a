#!/usr/bin/env bash
# tests/golden/capture-linux.sh - record the Linux aoe driver (Debian's kernel
# under QEMU) talking to bin/aoe-target, small enough to keep as a golden pcap.
#
#   bash tests/golden/capture-linux.sh [MTU]      (as root; MTU 1500 by default)
#       writes pcaps/linux-aoe85-vs-aoe-target-mtuMTU.pcap
#
# tests/vm/linux-aoe.sh --scenario short: a 16 MiB image of zeros, discovery
# (Query Config, IDENTIFY, the partition scan's reads), then raw patterns of
# 512 bytes, 129 sectors and 4 KiB written and read back with direct I/O; whole
# frames, about 400 of them (200 KB).  The target runs under the host name
# "golden" (it is in the IDENTIFY serial) and the MACs are linux-aoe.sh's fixed
# ones, so the INDEX.md row (mode=exact pair=tag: the driver keeps several
# requests in flight) describes exactly the target that answered.
# Not part of make golden: recorded once (a boot takes 20-60 s) and reviewed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PROG=tests/golden/capture-linux.sh
MTU=${1:-1500}
OUT=pcaps/linux-aoe85-vs-aoe-target-mtu$MTU.pcap
TARGET_MAC=02:00:00:ae:09:01       # tests/vm/linux-aoe.sh TAP_MAC
TMP=$(mktemp /tmp/aoekit-golden-linux.XXXXXX)
trap 'rm -f "$TMP"' EXIT

bash tests/vm/linux-aoe.sh --scenario short --size 16M --mtu "$MTU" --capture "$TMP" --timeout 200 \
	--target "unshare --uts sh -c 'hostname golden && exec $ROOT/bin/aoe-target {iface} {shelf} {slot} {file}'"
# The start-up announcement normally goes nowhere (the TAP has no carrier until QEMU opens it);
# if it was captured, it is a reply without a request, which a replay rejects.
first_src=$(tshark -r "$TMP" -c 1 -T fields -e eth.src 2>/dev/null)
[[ $first_src != "$TARGET_MAC" ]] || { echo "$PROG: the capture starts with a frame from the target" >&2; exit 1; }
install -m 644 "$TMP" "$OUT"   # not cp: mktemp made it 0600
echo "$PROG: wrote $OUT ($(tshark -r "$OUT" 2>/dev/null | wc -l) frames, $(stat -c %s "$OUT") bytes)"
