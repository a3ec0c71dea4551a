#!/usr/bin/env bash
# sim/demo.sh - the main job, end to end, on a private virtual LAN.
#
# Builds a two-host LAN out of network namespaces (sim/lan.sh), exports a
# sparse 64 MiB disk image from host a with aoe-target, and from host b finds
# it, writes a 1 MiB pattern at offset 1 MiB, reads it back and checks that the
# bytes really landed in the image.  Everything it made is removed at the end,
# also when a step fails or it is interrupted.
#
# Usage: sim/demo.sh            (as root, after `make`; `make demo` does both)
# Environment:
#   AOE_TARGET     target program, called as: PROGRAM IFACE SHELF SLOT FILE
#                  (default: bin/aoe-target)
#   AOE_INITIATOR  initiator program (default: bin/aoe-initiator)
#   DEMO_SEED      seed of the test pattern (default 2024)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=sim/lan.sh
. "$ROOT/sim/lan.sh"

PROG=sim/demo.sh
TARGET=${AOE_TARGET:-$ROOT/bin/aoe-target}
INITIATOR=${AOE_INITIATOR:-$ROOT/bin/aoe-initiator}
SEED=${DEMO_SEED:-2024}
SHELF=9
SLOT=0
DEV="e$SHELF.$SLOT"
IMAGE_MIB=64
MIB=1048576
# A hung step must not hang the demo; the initiator gives up by itself sooner.
STEP_TIMEOUT=60

LAN="aoekit-demo-$$"
WORK=
TARGET_PID=
STEP_PID=

say() {
	printf '%s\n' "$*"
}

fail() {
	printf '%s: FAILED: %s\n' "$PROG" "$*" >&2
	if [[ -n "$WORK" && -s "$WORK/target.log" ]]; then
		printf '%s: the target said:\n' "$PROG" >&2
		sed 's/^/    /' "$WORK/target.log" >&2
	fi
	exit 1
}

interrupted() {
	printf '%s: interrupted by %s\n' "$PROG" "$1" >&2
	exit "$2"
}

# Runs on every exit: normal end, failed step, Ctrl-C or SIGTERM.
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n "$STEP_PID" ]]; then
		kill -TERM "$STEP_PID" 2>/dev/null || true
		wait "$STEP_PID" 2>/dev/null || true
	fi
	if [[ -n "$TARGET_PID" ]]; then
		lan_stop "$TARGET_PID" 2 || true
	fi
	lan_down "$LAN" || rc=1
	[[ -z "$WORK" ]] || rm -rf "$WORK"
	if ((rc != 0)); then
		printf '%s: cleaned up after the failure (LAN %s removed)\n' "$PROG" "$LAN" >&2
	fi
	exit "$rc"
}

# The initiator on host b, bounded in time.  It runs in the background and we
# wait for it, because a trapped SIGTERM interrupts `wait` at once but waits
# for a foreground command to end; cleanup ends it by STEP_PID.
initiator() {
	local rc=0
	# A simple command, not a function: its PID is then the program's own.
	ip netns exec "$LAN-b" timeout -k 5 "$STEP_TIMEOUT" "$INITIATOR" "$@" &
	STEP_PID=$!
	wait "$STEP_PID" || rc=$?
	STEP_PID=
	return "$rc"
}

check_setup() {
	[[ $EUID -eq 0 ]] || fail "must run as root (network namespaces and raw sockets need it)"
	[[ -x "$TARGET" ]] || fail "$TARGET not found or not executable (run: make)"
	[[ -x "$INITIATOR" ]] || fail "$INITIATOR not found or not executable (run: make)"
	[[ -x /usr/bin/python3 ]] || fail "/usr/bin/python3 is missing (run: make deps)"
}

# Deterministic, non-repeating bytes: the same seed gives the same pattern, so
# a failure can be reproduced byte for byte.
make_pattern() {
	/usr/bin/python3 -c 'import random, sys
sys.stdout.buffer.write(random.Random(int(sys.argv[1])).randbytes(int(sys.argv[2])))' \
		"$SEED" "$2" >"$1"
}

start_target() {
	lan_spawn "$LAN" a "$WORK/target.log" "$TARGET" eth0 "$SHELF" "$SLOT" "$WORK/disk.img"
	TARGET_PID=$LAN_PID
	if ! lan_wait_port "$LAN" a "$TARGET_PID" 10; then
		if kill -0 "$TARGET_PID" 2>/dev/null; then
			fail "aoe-target did not open its port on eth0 within 10 s"
		fi
		local status
		wait "$TARGET_PID" && status=0 || status=$?
		TARGET_PID=
		fail "aoe-target exited at startup (status $status)"
	fi
}

# Expects the discover line "e9.0  eth0  MAC  64.0 MiB  131072 sectors  ...".
discover() {
	local out line sectors status=0
	out=$(initiator discover -i eth0 2>"$WORK/discover.err") || status=$?
	((status == 0)) ||
		fail "discover failed (status $status): $(tr '\n' ' ' <"$WORK/discover.err")"
	line=$(grep -E "^$DEV([[:space:]]|$)" <<<"$out") ||
		fail "discover did not list $DEV; it printed: ${out:-nothing}"
	if [[ "$line" =~ [[:space:]]([0-9]+)\ sectors([[:space:]]|$) ]]; then
		sectors=${BASH_REMATCH[1]}
	else
		fail "discover gave no size for $DEV: $line"
	fi
	((sectors * 512 == IMAGE_MIB * MIB)) ||
		fail "discover says $DEV has $sectors sectors, expected $((IMAGE_MIB * MIB / 512))"
	say "- discovered $DEV ($((sectors * 512 / MIB)) MiB) on eth0:"
	say "    $line"
}

main() {
	if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
		sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
		return 0
	fi
	check_setup
	trap cleanup EXIT
	trap 'interrupted SIGINT 130' INT
	trap 'interrupted SIGTERM 143' TERM

	say "aoekit demo: an AoE target and an initiator on a private virtual LAN"
	WORK=$(mktemp -d /tmp/aoekit-demo.XXXXXX)
	lan_up "$LAN" 1500 || fail "could not build the virtual LAN"
	say "- built a virtual LAN: namespaces $LAN-a and $LAN-b joined by a veth pair (eth0 on each side, MTU 1500)"

	truncate -s "${IMAGE_MIB}M" "$WORK/disk.img"
	say "- made a sparse $IMAGE_MIB MiB disk image: $WORK/disk.img"

	start_target
	say "- started aoe-target (pid $TARGET_PID) in $LAN-a: $DEV on eth0, backed by disk.img"

	discover

	make_pattern "$WORK/pattern" "$MIB"
	initiator write "$DEV" -i eth0 --offset 1M -f "$WORK/pattern" ||
		fail "write of 1 MiB at offset 1 MiB failed (status $?)"
	say "- wrote 1 MiB at offset 1 MiB (a pseudo-random pattern, seed $SEED)"

	initiator read "$DEV" -i eth0 --offset 1M --length 1M -o "$WORK/back" ||
		fail "read of 1 MiB at offset 1 MiB failed (status $?)"
	cmp -s "$WORK/pattern" "$WORK/back" ||
		fail "read back: DIFFERENT ($(cmp "$WORK/pattern" "$WORK/back" 2>&1 | head -n 1))"
	say "- read back: identical"

	dd if="$WORK/disk.img" of="$WORK/landed" bs=1M skip=1 count=1 status=none
	cmp -s "$WORK/pattern" "$WORK/landed" ||
		fail "disk.img at offset 1 MiB does not hold the pattern ($(cmp "$WORK/pattern" "$WORK/landed" 2>&1 | head -n 1))"
	say "- on the target side, disk.img holds the same bytes at offset 1 MiB"

	local status
	lan_stop "$TARGET_PID" 5 || fail "aoe-target did not stop within 5 s of SIGTERM (killed)"
	status=$LAN_STATUS
	TARGET_PID=
	((status == 0)) || fail "aoe-target exited with status $status after SIGTERM"
	say "- stopped the target with SIGTERM (exit status 0); it logged:"
	sed 's/^/    /' "$WORK/target.log"

	trap - EXIT INT TERM
	lan_down "$LAN" || fail "could not remove the LAN"
	rm -rf "$WORK"
	WORK=
	say "- removed the LAN and the temporary files"
	say "demo passed"
}

main "$@"
