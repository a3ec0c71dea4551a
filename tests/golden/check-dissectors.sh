#!/usr/bin/env bash
# tests/golden/check-dissectors.sh - every golden capture decodes as AoE in
# tcpdump and tshark, with no malformed frame (make golden-dissectors).
#
#   bash tests/golden/check-dissectors.sh [DIR [INVALID_LIST]]
#       (DIR defaults to pcaps, INVALID_LIST to tests/golden/tcpdump-invalid.txt;
#       make golden also checks pcaps/vblade with tests/golden/tcpdump-invalid-vblade.txt)
#
# For each DIR/*.pcap:
#   tshark   every frame is AoE (`-Y '!aoe'` shows nothing) and none is
#            malformed (`-Y _ws.malformed` shows nothing);
#   tcpdump  `tcpdump -v` reads the file, every frame is printed as AoE, and
#            none is cut short ("[|aoe]": the dissector ran out of bytes).
# tcpdump -v also marks frames "(invalid)" when its own length rules fail.
# Those rules disagree with the protocol in two places (tests/golden/README.md):
# a Reserve/Release frame padded to the Ethernet minimum, and a MAC Mask
# MError reply whose Dir Count is the failing index; and some golden requests
# are wrong on purpose (a length or count past the frame, to show error 2).
# So the frames tcpdump marks invalid must be exactly those listed, with their
# reason, in tests/golden/tcpdump-invalid.txt: a new one fails, and so does a
# listed one that tcpdump now accepts.
set -euo pipefail

PROG=tests/golden/check-dissectors.sh
dir=${1:-pcaps}
expected_file=${2:-tests/golden/tcpdump-invalid.txt}
failed=0
fail() { printf '%s: %s\n' "$PROG" "$*" >&2; failed=1; }

command -v tcpdump >/dev/null || { echo "$PROG: tcpdump not installed" >&2; exit 1; }
command -v tshark >/dev/null || { echo "$PROG: tshark not installed" >&2; exit 1; }

actual=$(mktemp)
expected=$(mktemp)
trap 'rm -f "$actual" "$expected"' EXIT

shopt -s nullglob
pcaps=("$dir"/*.pcap)
((${#pcaps[@]})) || { echo "$PROG: no pcaps in $dir" >&2; exit 1; }

for pcap in "${pcaps[@]}"; do
	name=$(basename "$pcap")
	frames=$(tshark -r "$pcap" 2>/dev/null | wc -l)
	not_aoe=$(tshark -r "$pcap" -Y '!aoe' 2>/dev/null | wc -l)
	malformed=$(tshark -r "$pcap" -Y '_ws.malformed' 2>/dev/null | wc -l)
	((frames > 0)) || fail "$name: tshark reads no frames"
	((not_aoe == 0)) || fail "$name: tshark: $not_aoe frames not decoded as AoE"
	((malformed == 0)) || fail "$name: tshark: $malformed malformed frames: $(tshark -r "$pcap" -Y _ws.malformed 2>/dev/null | head -3)"

	if ! text=$(tcpdump -# -nv -r "$pcap" 2>/dev/null); then
		fail "$name: tcpdump cannot read it"
		continue
	fi
	decoded=$(grep -c '^ *[0-9][0-9]*  .* AoE length ' <<<"$text" || true)
	((decoded == frames)) || fail "$name: tcpdump decoded $decoded of $frames frames as AoE"
	if grep -q '\[|' <<<"$text"; then
		fail "$name: tcpdump: truncated frames: $(grep -B2 '\[|' <<<"$text" | head -6)"
	fi
	# The frame number of every "(invalid)" line (a frame's text spans several lines).
	awk -v name="$name" '/^ *[0-9]+  / { frame = $1 } /\(invalid\)/ { print name, frame }' <<<"$text" |
		sort -u >>"$actual"
done

# Expected: "FILE FRAME[,FRAME...] reason" lines; # comments.
while read -r file list _; do
	[[ -z $file || $file == \#* ]] && continue
	IFS=, read -r -a nums <<<"$list"
	for n in "${nums[@]}"; do
		echo "$file $n"
	done
done <"$expected_file" | sort -u >"$expected"
sort -u -o "$actual" "$actual"

while read -r file n; do
	fail "$file frame $n: tcpdump marks it invalid and $expected_file does not list it:
$(tcpdump -# -nv -r "$dir/$file" 2>/dev/null | awk -v n="$n" '/^ *[0-9]+  / { on = ($1 == n) } on')"
done < <(comm -23 "$actual" "$expected")
while read -r file n; do
	fail "$file frame $n: listed in $expected_file, but tcpdump accepts it now"
done < <(comm -13 "$actual" "$expected")

if ((failed == 0)); then
	echo "$PROG: ${#pcaps[@]} captures: all AoE in tshark and tcpdump, none malformed;" \
		"$(wc -l <"$actual") frames tcpdump marks invalid, all listed in $expected_file"
fi
exit $failed
