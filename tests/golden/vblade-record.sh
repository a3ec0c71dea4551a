#!/usr/bin/env bash
# tests/golden/vblade-record.sh - Debian's vblade 25 answering the requests of
# the golden captures, recorded for people to compare (not a pass/fail test).
#
#   bash tests/golden/vblade-record.sh [NAME.pcap...]   (as root; default: every mode=exact row)
#
# The same LAN, MACs, disk image and host name as tests/golden/live.sh, but
# /usr/sbin/vblade serves the image (vblade SHELF SLOT eth0 FILE, -r for ro=1)
# and live.py records each request and whatever vblade sends back into
# pcaps/vblade/vblade-NAME.pcap (fixed timestamps, 1 ms apart; a request
# vblade leaves unanswered is followed by the next request).  MAC Mask deletes
# are not sent: vblade 25 aborts on them (docs/compat.md), and the recording
# says which frames were left out.  Then tests/golden/vblade-diff.py lists,
# request by request, where vblade's replies differ from the golden ones, into
# pcaps/vblade/differences.txt; pcaps/vblade/README.md explains them.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=sim/lan.sh
. sim/lan.sh

PROG=tests/golden/vblade-record.sh
VBLADE=/usr/sbin/vblade
DIR=${GOLDEN_DIR:-pcaps}
OUTDIR=$DIR/vblade
IMAGE_TOOL=${GOLDEN_IMAGE:-$ROOT/build/golden/golden-image}
PY=/usr/bin/python3
HOST_A=02:00:00:00:aa:01
PREFIX="aoekit-golvb-$$"

lan_require_root || exit 1
for f in "$VBLADE" "$IMAGE_TOOL"; do
	[[ -x $f ]] || { echo "$PROG: $f missing (make build/golden/golden-image; ci/install-deps.sh)" >&2; exit 1; }
done
WORK=$(mktemp -d /tmp/aoekit-golden-vblade.XXXXXX)
# shellcheck source=tests/golden/row-lan.sh
. tests/golden/row-lan.sh
row_traps

record_row() { # N FILE SHELF SLOT MTU RO MAC HOST PAIR
	local n=$1 file=$2 shelf=$3 slot=$4 mtu=$5 ro=$6 mac=$7 host=$8 pair=$9 rc=0
	local -a opts=()
	((ro == 1)) && opts+=(-r)
	row_lan_up "$n" "$file" "$mtu" "$mac" || return 1
	# vblade leaves some requests unanswered on purpose or by bug: a short wait for each.
	row_listen 120 record "$DIR/$file" --target-mac "$mac" --pair "$pair" --reply-timeout 0.5 \
		--silent-wait 0.2 --skip-mask-deletes --out "$OUTDIR/vblade-$file" || return 1
	row_spawn_target "$host" "$WORK/vblade.log" "$VBLADE" "${opts[@]}" "$shelf" "$slot" eth0 \
		"$WORK/disk.img"
	wait "$PY_PID" || rc=$?
	PY_PID=
	cat "$WORK/py.err" "$WORK/py.out"
	if ! kill -0 "$TARGET_PID" 2>/dev/null; then
		echo "vblade exited during the run: $(tail -n 3 "$WORK/vblade.log" | tr '\n' ' ')"
	fi
	lan_stop "$TARGET_PID" 2 || true
	TARGET_PID=
	lan_down "$CUR_LAN" || rc=1
	CUR_LAN=
	return "$rc"
}

mkdir -p "$OUTDIR"
mapfile -t rows < <("$IMAGE_TOOL" --list "$DIR/INDEX.md")
n=0
: >"$WORK/diff"
for row in "${rows[@]}"; do
	read -r file mode shelf slot _ mtu ro mac host pair <<<"$row"
	if [[ $mode != exact ]] || ! row_wanted "$file" "$@"; then continue; fi
	n=$((n + 1))
	if record_row "$n" "$file" "$shelf" "$slot" "$mtu" "$ro" "$mac" "$host" "$pair" >"$WORK/report" 2>&1; then
		echo "$PROG: $OUTDIR/vblade-$file: $(tr '\n' ' ' <"$WORK/report")"
		"$PY" tests/golden/vblade-diff.py "$DIR/$file" "$OUTDIR/vblade-$file" --target-mac "$mac" --pair "$pair" \
			>>"$WORK/diff"
	else
		echo "$PROG: $file: recording failed:" >&2
		sed 's/^/  /' "$WORK/report" >&2
	fi
	row_tidy
done
# Only a full run rewrites the listing, so that it always covers every capture.
if (($# == 0)); then
	cp "$WORK/diff" "$OUTDIR/differences.txt"
	echo "$PROG: $OUTDIR/differences.txt written"
else
	cat "$WORK/diff"
fi
