#!/usr/bin/env bash
# tests/e2e/run.sh - end-to-end tests: aoe-target and aoe-initiator on virtual LANs.
#
# Each test gets its own two-host LAN (sim/lan.sh: namespaces joined by a veth
# pair, eth0 on each side; with E2E_LAN=sim, the two hosts behind aoe-sim's
# user-space switch instead), runs the target on host a and the initiator (or
# a Debian peer) on host b, and removes everything it made, pass or fail.
# Output is TAP-like: "ok N - name" / "not ok N - name" (with the test's log as
# "#" lines), "ok N - name # SKIP why" for a skip, and a last line
# "P passed, F failed" (", S skipped" appended when some were skipped).
# A skip is not a pass.  Exit status 1 if any test failed.
#
# Usage: tests/e2e/run.sh [-l] [TEST...]   (as root; `make e2e` builds first)
#   -l      list the tests
#   TEST    run only these (names from -l)
# Environment: AOE_TARGET, AOE_INITIATOR (default bin/aoe-target and
# bin/aoe-initiator), E2E_LAN=veth|sim (default veth; sim: through bin/aoe-sim,
# AOE_SIM), E2E_KEEP=1 keeps the work directory of failed tests,
# E2E_VERBOSE=1 shows the log of passed tests too.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=sim/lan.sh
. "$ROOT/sim/lan.sh"

PROG=tests/e2e/run.sh
TARGET=${AOE_TARGET:-$ROOT/bin/aoe-target}
INITIATOR=${AOE_INITIATOR:-$ROOT/bin/aoe-initiator}
SIM=${AOE_SIM:-$ROOT/bin/aoe-sim}
LAN_KIND=${E2E_LAN:-veth}
VBLADE=/usr/sbin/vblade
AOEPING=/usr/sbin/aoeping
PY=/usr/bin/python3

# Every namespace of this run starts with PREFIX, so a final sweep can find
# whatever a killed test left behind without touching anyone else's.
PREFIX="aoekit-e2e-$$"
MIB=1048576
IMAGE_MIB=64
SECTORS=$((IMAGE_MIB * MIB / 512))
ODD_OFFSET=1234567        # not a multiple of 512: exercises read-modify-write
STEP_TIMEOUT=30           # no single command may take longer than this

# name | function | description, in run order.
TESTS=(
	"discover|t_discover|discover finds e9.0 with its size ($IMAGE_MIB MiB = $SECTORS sectors) at MTU 1500"
	"rw-1500|t_rw_1500|4 MiB written at byte offset $ODD_OFFSET reads back identical and is in the image (MTU 1500)"
	"rw-9000|t_rw_9000|4 MiB written at byte offset $ODD_OFFSET reads back identical and is in the image (MTU 9000, jumbo frames)"
	"mtu-grow|t_mtu_grow|the MTU raised to 9000 while the target runs: it advertises what its buffers hold and serves it"
	"coalesce|t_coalesce|--coalesce 50: data written and read back intact, and the loop held to gather requests"
	"threads|t_threads|--threads 2: data intact through both loops, a reservation enforced by both, both loops busy"
	"threads-busy|t_threads_busy|--threads 2: 16 MiB written and read back intact while SIGUSR1 and config changes keep coming; SIGTERM exits 0"
	"read-only|t_read_only|a read-only target (-r) refuses writes and still serves reads"
	"err-iface|t_err_iface|aoe-target on a missing interface eth7 fails with one line naming eth7"
	"err-file|t_err_file|aoe-target with a missing file fails and names the file"
	"err-shelf|t_err_shelf|aoe-target refuses shelf 65535 (broadcast)"
	"err-slot|t_err_slot|aoe-target refuses slot 255 (broadcast)"
	"vblade|t_vblade|Debian's vblade as target: our initiator discovers it, writes and reads back"
	"aoeping|t_aoeping|Debian's aoeping gets a config reply and IDENTIFY from our target"
	"vblade-order|t_vblade_order|aoe-target takes vblade's argument order SHELF SLOT IFACE FILE"
	"blockdev|t_blockdev|a block device (loop device) is exported with its own size and serves reads and writes"
	"offset-length|t_offset_length|-o and -l export a window of the file, and nothing outside it is touched"
	"config-file|t_config_file|-c FILE serves two exports from one process; a broadcast finds both"
	"two-paths|t_two_paths|one export on two interfaces (eth0,eth1) is one target with two paths"
	"mask|t_mask|-m serves only the listed MAC; any other host does not even see the target"
	"state-dir|t_state_dir|with --state-dir the config string survives a restart"
	"daemon|t_daemon|-D detaches after setup and keeps serving"
	"counters|t_counters|SIGUSR1 logs the counters while the target runs"
	"install|t_install|make install stages programs, man pages, unit and example; the unit's command line serves the example config; uninstall removes it all"
)

# ---------------------------------------------------------------------------
# Helpers used inside a test.  A test runs in its own subshell with set -e;
# T_LAN, T_DIR, T_TARGET_PID and T_STEP_PID belong to that subshell.

# To stderr, so that a failure inside $(...) still reaches the test's log.
fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

skip() {
	printf '%s\n' "$*" >"$T_DIR/skip"
	exit 77
}

note() {
	printf '%s\n' "$*"
}

# Deterministic pseudo-random bytes: a failure reproduces byte for byte.
pattern() { # FILE BYTES SEED
	"$PY" -c 'import random, sys
sys.stdout.buffer.write(random.Random(int(sys.argv[2])).randbytes(int(sys.argv[1])))' \
		"$2" "$3" >"$1"
}

lan() { # MTU
	if [[ $LAN_KIND == sim ]]; then
		# The same two hosts, a and b, behind aoe-sim's switch (namespace $T_LAN-sw).
		printf 'lan e2e mtu %s\nhost a\nhost b\n' "$1" >"$T_DIR/lan.sim"
		"$SIM" up "$T_DIR/lan.sim" --name "$T_LAN" >"$T_DIR/sim.log" 2>&1 ||
			fail "could not build LAN $T_LAN through aoe-sim (MTU $1): $(tail -3 "$T_DIR/sim.log")"
		return
	fi
	lan_up "$T_LAN" "$1" || fail "could not build LAN $T_LAN (MTU $1)"
}

# A 64 MiB sparse image whose first 8 MiB hold a background pattern, so that a
# write which damages its neighbours (bad read-modify-write) shows.
image() { # FILE
	truncate -s "${IMAGE_MIB}M" "$1"
	pattern "$T_DIR/background" $((8 * MIB)) 1
	dd if="$T_DIR/background" of="$1" conv=notrunc bs=1M status=none
}

# Start a target on host a and wait until it holds its raw socket.
start() { # PROGRAM ARGS...
	lan_spawn "$T_LAN" a "$T_DIR/target.log" "$@"
	T_TARGET_PID=$LAN_PID
	if ! lan_wait_port "$T_LAN" a "$T_TARGET_PID" 10; then
		local status=running
		if ! kill -0 "$T_TARGET_PID" 2>/dev/null; then
			wait "$T_TARGET_PID" && status=0 || status=$?
			T_TARGET_PID=
		fi
		note "target log:"
		cat "$T_DIR/target.log"
		fail "target did not open its port within 10 s (status: $status): $*"
	fi
}

start_ours() { # [OPTIONS...] -- image path last
	start "$TARGET" "$@"
}

# Run a command on host b (or a), bounded in time, in the background so that
# a SIGTERM to the test reaches its trap at once.  The command is simple so
# that T_STEP_PID is the program's own PID.
on() { # a|b CMD...
	local side=$1 rc=0
	shift
	ip netns exec "$T_LAN-$side" timeout -k 5 "$STEP_TIMEOUT" "$@" &
	T_STEP_PID=$!
	wait "$T_STEP_PID" || rc=$?
	T_STEP_PID=
	return "$rc"
}

ini() { # initiator ARGS... on host b
	on b "$INITIATOR" "$@"
}

# `aoe-initiator discover` lists a target as
#   "e9.0  eth0  MAC  64.0 MiB  131072 sectors  bufcnt 16 ...".
expect_discovered() { # DEV SECTORS
	local out line
	ini discover -i eth0 --timeout 1 >"$T_DIR/discover.out" 2>"$T_DIR/discover.err" ||
		fail "discover failed (status $?): $(cat "$T_DIR/discover.err")"
	out=$(cat "$T_DIR/discover.out")
	note "discover: $out"
	line=$(grep -E "^$1([[:space:]]|$)" <<<"$out") || fail "discover did not list $1"
	[[ "$line" =~ [[:space:]]$2\ sectors([[:space:]]|$) ]] ||
		fail "discover did not give $1 the size $2 sectors: $line"
}

# The --json form of discover, one field of the target named DEV.
json_field() { # DEV FIELD
	ini discover -i eth0 --timeout 1 --json >"$T_DIR/discover.json" 2>"$T_DIR/discover.err" ||
		fail "discover --json failed (status $?): $(cat "$T_DIR/discover.err")"
	"$PY" -c 'import json, sys
targets = [t for t in json.load(open(sys.argv[1])) if t.get("name") == sys.argv[2]]
if not targets:
    sys.exit("discover --json did not list " + sys.argv[2])
print(targets[0].get(sys.argv[3]))' "$T_DIR/discover.json" "$1" "$2" ||
		fail "discover --json: $(cat "$T_DIR/discover.json")"
}

# Write LEN pseudo-random bytes at OFFSET, read them back, and check both the
# copy that came back and the image file itself, byte for byte, over all of
# it: the written range must hold the data and nothing else may have changed.
roundtrip() { # IMAGE OFFSET LEN
	local img=$1 off=$2 len=$3
	pattern "$T_DIR/data" "$len" 2
	cp --sparse=always "$img" "$T_DIR/expected"
	dd if="$T_DIR/data" of="$T_DIR/expected" bs=1M oflag=seek_bytes seek="$off" \
		conv=notrunc status=none
	ini write e9.0 -i eth0 --offset "$off" -f "$T_DIR/data" ||
		fail "write of $len bytes at offset $off failed (status $?)"
	ini read e9.0 -i eth0 --offset "$off" --length "$len" -o "$T_DIR/back" ||
		fail "read of $len bytes at offset $off failed (status $?)"
	cmp "$T_DIR/data" "$T_DIR/back" || fail "read back differs from what was written"
	note "read back: identical ($len bytes at offset $off)"
	cmp "$T_DIR/expected" "$img" ||
		fail "the image differs from the expected one (data at $off, neighbours untouched)"
	note "image: data at offset $off, everything else unchanged"
}

# Run the target with arguments that must make it fail at startup; it must exit
# non-zero by itself, quickly, with a message on stderr.  Sets ERR_LINES.
expect_startup_error() { # ARGS...
	local rc=0
	on a "$TARGET" "$@" >"$T_DIR/stdout" 2>"$T_DIR/stderr" || rc=$?
	note "aoe-target $* -> status $rc, stderr:"
	cat "$T_DIR/stderr"
	((rc != 124 && rc != 137)) || fail "aoe-target $* was still running after $STEP_TIMEOUT s"
	((rc != 0)) || fail "aoe-target $* exited 0"
	[[ -s "$T_DIR/stderr" ]] || fail "aoe-target $* failed without a message on stderr"
	mapfile -t ERR_LINES <"$T_DIR/stderr"
}

# ---------------------------------------------------------------------------
# The tests.

t_discover() {
	lan 1500
	truncate -s "${IMAGE_MIB}M" "$T_DIR/disk.img"
	start_ours eth0 9 0 "$T_DIR/disk.img"
	expect_discovered e9.0 "$SECTORS"
	local sectors
	sectors=$(json_field e9.0 sectors)
	[[ "$sectors" == "$SECTORS" ]] || fail "discover --json gives sectors=$sectors, expected $SECTORS"
}

rw_test() { # MTU MIN_SECTORS_PER_FRAME
	lan "$1"
	image "$T_DIR/disk.img"
	start_ours eth0 9 0 "$T_DIR/disk.img"
	local spf
	spf=$(json_field e9.0 sectors_per_frame)
	note "MTU $1: $spf sectors per frame"
	if [[ ! "$spf" =~ ^[0-9]+$ ]] || ((spf < $2)); then
		fail "at MTU $1 expected at least $2 sectors per frame, discover says $spf"
	fi
	roundtrip "$T_DIR/disk.img" "$ODD_OFFSET" $((4 * MIB))
}

t_rw_1500() {
	rw_test 1500 2
}

# (9000 - 36) / 512 = 17 sectors fit in a jumbo frame; anything from 16 up
# shows the jumbo MTU is really used.
t_rw_9000() {
	rw_test 9000 16
}

# The MTU is raised to 9000 on both ends while the target runs with buffers
# sized for 1500: it must advertise what its buffers hold (more than 2
# sectors, fewer than the 17 a jumbo frame carries), and serve that.
t_mtu_grow() {
	[[ $LAN_KIND != sim ]] || skip "the switch's own ports keep their MTU: a veth test"
	lan 1500
	image "$T_DIR/disk.img"
	start_ours eth0 9 0 "$T_DIR/disk.img"
	ip -n "$T_LAN-a" link set eth0 mtu 9000
	ip -n "$T_LAN-b" link set eth0 mtu 9000
	sleep 1.5 # the target looks at its MTU after a second without frames
	local spf
	spf=$(json_field e9.0 sectors_per_frame)
	note "after the MTU went to 9000: $spf sectors per frame"
	[[ "$spf" =~ ^[0-9]+$ ]] && ((spf > 2 && spf < 17)) ||
		fail "expected more than 2 and fewer than 17 sectors per frame, discover says $spf"
	roundtrip "$T_DIR/disk.img" "$ODD_OFFSET" $((4 * MIB))
}

# --coalesce gathers a steady stream of requests per wake-up: the data must
# still be right, and the loop's counters must show that it held.
t_coalesce() {
	lan 1500
	image "$T_DIR/disk.img"
	start_ours --coalesce 50 eth0 9 0 "$T_DIR/disk.img"
	roundtrip "$T_DIR/disk.img" "$ODD_OFFSET" $((4 * MIB))
	kill -USR1 "$T_TARGET_PID"
	local line i
	for ((i = 0; i < 50; i++)); do
		line=$(grep -m1 'coalescing holds' "$T_DIR/target.log" || true)
		[[ -n $line ]] && break
		sleep 0.1
	done
	note "target: $line"
	[[ $line =~ \(([0-9]+)\ coalescing\ holds\) ]] || fail "no loop counters after SIGUSR1"
	((BASH_REMATCH[1] > 0)) || fail "--coalesce 50 never held during a 4 MiB transfer"
}

# --threads 2: two loops share the export.  Data written and read through
# both is intact; a reservation set through one loop is enforced by the other
# (reads 128 KiB apart go to different loops: workers.c spreads by LBA bits
# 8-15); and SIGUSR1 shows that both loops took frames.
t_threads() {
	lan 1500
	image "$T_DIR/disk.img"
	start_ours --threads 2 eth0 9 0 "$T_DIR/disk.img"
	roundtrip "$T_DIR/disk.img" "$ODD_OFFSET" $((4 * MIB))
	ini reserve e9.0 -i eth0 --set 02:00:00:00:00:01 --force >/dev/null ||
		fail "reserve --set for another host failed"
	local offset rc
	for offset in 0 131072; do
		rc=0
		ini read e9.0 -i eth0 --offset "$offset" --length 1024 -o "$T_DIR/r" \
			--timeout 1 2>"$T_DIR/r.err" || rc=$?
		note "read at $offset while reserved by another host: status $rc: $(cat "$T_DIR/r.err")"
		((rc != 0)) || fail "a read at offset $offset succeeded while another host held the reservation"
		grep -qi 'reserv' "$T_DIR/r.err" || fail "the read at $offset failed, but not for the reservation"
	done
	kill -USR1 "$T_TARGET_PID"
	local lines i
	for ((i = 0; i < 30; i++)); do
		lines=$(grep -c '^aoe-target: loop [01]: .* frames [1-9]' "$T_DIR/target.log" || true)
		((lines >= 2)) && break
		sleep 0.1
	done
	note "$(grep '^aoe-target: loop' "$T_DIR/target.log" || true)"
	((lines >= 2)) || fail "expected both loops to report frames after SIGUSR1"
}

# What the TSan run (tests/tsan.sh) needs: every thread busy while the signal
# handlers and the shared protocol state are exercised from outside.
t_threads_busy() {
	lan 1500
	image "$T_DIR/disk.img"
	start_ours --threads 2 eth0 9 0 "$T_DIR/disk.img"
	expect_discovered e9.0 "$SECTORS"
	(
		for ((i = 0; i < 400; i++)); do
			kill -USR1 "$T_TARGET_PID" 2>/dev/null || exit 0
			ip netns exec "$T_LAN-b" timeout 5 "$INITIATOR" config e9.0 -i eth0 \
				--set "busy-$i" --force >/dev/null 2>&1 || true
			sleep 0.05
		done
	) &
	local poker=$!
	roundtrip "$T_DIR/disk.img" "$ODD_OFFSET" $((16 * MIB))
	kill "$poker" 2>/dev/null || true
	wait "$poker" 2>/dev/null || true
	local reports
	reports=$(grep -c '^aoe-target: loop 1: ' "$T_DIR/target.log" || true)
	note "loop 1 reported $reports times"
	((reports > 0)) || fail "the second loop never logged its counters after SIGUSR1"
	lan_stop "$T_TARGET_PID" 10 || fail "the target did not stop on SIGTERM"
	T_TARGET_PID=
	((LAN_STATUS == 0)) || fail "the target exited $LAN_STATUS on SIGTERM"
}

t_read_only() {
	lan 1500
	image "$T_DIR/disk.img"
	cp --sparse=always "$T_DIR/disk.img" "$T_DIR/before"
	lan_spawn "$T_LAN" a "$T_DIR/target.log" "$TARGET" -r eth0 9 0 "$T_DIR/disk.img"
	T_TARGET_PID=$LAN_PID
	if ! lan_wait_port "$T_LAN" a "$T_TARGET_PID" 10; then
		if ! kill -0 "$T_TARGET_PID" 2>/dev/null &&
			grep -qiE 'usage|option|unrecognized|invalid' "$T_DIR/target.log"; then
			skip "aoe-target does not take -r yet: $(head -n 1 "$T_DIR/target.log")"
		fi
		cat "$T_DIR/target.log"
		fail "read-only target did not start"
	fi
	pattern "$T_DIR/data" $((64 * 1024)) 3
	local rc=0
	ini write e9.0 -i eth0 --offset "$ODD_OFFSET" -f "$T_DIR/data" || rc=$?
	note "write to the read-only target: status $rc"
	((rc != 0)) || fail "the write to a read-only target succeeded"
	((rc != 124 && rc != 137)) || fail "the write to a read-only target hung (killed after $STEP_TIMEOUT s)"
	cmp "$T_DIR/before" "$T_DIR/disk.img" || fail "the read-only image was changed"
	ini read e9.0 -i eth0 --offset 0 --length 65536 -o "$T_DIR/back" ||
		fail "read from the read-only target failed (status $?)"
	cmp -n 65536 "$T_DIR/back" "$T_DIR/before" || fail "read from the read-only target returned wrong data"
	note "reads still served; the image is unchanged"
}

t_err_iface() {
	lan 1500
	truncate -s "${IMAGE_MIB}M" "$T_DIR/disk.img"
	expect_startup_error eth7 9 0 "$T_DIR/disk.img"
	((${#ERR_LINES[@]} == 1)) || fail "expected one line on stderr, got ${#ERR_LINES[@]}"
	[[ "${ERR_LINES[0]}" == *eth7* ]] || fail "the message does not name eth7"
}

t_err_file() {
	lan 1500
	local missing="$T_DIR/no-such-dir/disk.img"
	expect_startup_error eth0 9 0 "$missing"
	grep -qF "$missing" "$T_DIR/stderr" || fail "the message does not name $missing"
}

t_err_shelf() {
	lan 1500
	truncate -s "${IMAGE_MIB}M" "$T_DIR/disk.img"
	expect_startup_error eth0 65535 0 "$T_DIR/disk.img"
}

t_err_slot() {
	lan 1500
	truncate -s "${IMAGE_MIB}M" "$T_DIR/disk.img"
	expect_startup_error eth0 9 255 "$T_DIR/disk.img"
}

# vblade takes SHELF SLOT IFACE FILE.  Its replies are not padded to the
# Ethernet minimum on a veth, so this also checks that we accept short frames.
t_vblade() {
	[[ -x "$VBLADE" ]] || fail "$VBLADE is not installed (run: make deps)"
	lan 1500
	image "$T_DIR/disk.img"
	start "$VBLADE" 9 0 eth0 "$T_DIR/disk.img"
	expect_discovered e9.0 "$SECTORS"
	roundtrip "$T_DIR/disk.img" "$ODD_OFFSET" $((4 * MIB))
}

# aoeping sends a Config query (then IDENTIFY with -I) and, with -v, prints
#   config query response: <hex>   found e9.0 with mac <12 hex digits>
#   device identify fields: ... model: ...
# It ignores frames shorter than 60 bytes, so replies must be padded.
t_aoeping() {
	[[ -x "$AOEPING" ]] || fail "$AOEPING is not installed (run: make deps)"
	lan 1500
	truncate -s "${IMAGE_MIB}M" "$T_DIR/disk.img"
	start_ours eth0 9 0 "$T_DIR/disk.img"
	local mac out rc=0
	mac=$(lan_mac "$T_LAN" a)
	mac=${mac//:/}
	on b "$AOEPING" -v -I -s 3 9 0 eth0 >"$T_DIR/aoeping.out" 2>&1 || rc=$?
	out=$(cat "$T_DIR/aoeping.out")
	note "aoeping -v -I -s 3 9 0 eth0 -> status $rc:"
	note "$out"
	((rc == 0)) || fail "aoeping exited with status $rc (142 = no reply within 3 s)"
	grep -q '^config query response:' <<<"$out" || fail "aoeping printed no config query response"
	grep -qx "found e9.0 with mac $mac" <<<"$out" || fail "aoeping did not report e9.0 at $mac"
	grep -q '^device identify fields:' <<<"$out" || fail "aoeping printed no IDENTIFY fields"
	grep -qE '^model: .*[^ ]' <<<"$out" || fail "IDENTIFY has an empty model"
}

t_vblade_order() {
	lan 1500
	truncate -s "${IMAGE_MIB}M" "$T_DIR/disk.img"
	start_ours 9 0 eth0 "$T_DIR/disk.img"
	expect_discovered e9.0 "$SECTORS"
}

# A loop device is a real block device: its size comes from BLKGETSIZE64, not
# from st_size (which is 0 for a block device).
t_blockdev() {
	lan 1500
	image "$T_DIR/disk.img"
	T_LOOP=$(losetup -f --show "$T_DIR/disk.img") || skip "no loop device available"
	note "loop device: $T_LOOP"
	start_ours eth0 9 0 "$T_LOOP"
	expect_discovered e9.0 "$SECTORS"
	roundtrip_device "$T_LOOP" "$ODD_OFFSET" $((1 * MIB))
}

# Like roundtrip, for a device: compare through the device itself.
roundtrip_device() { # DEVICE OFFSET LEN
	pattern "$T_DIR/data" "$3" 4
	ini write e9.0 -i eth0 --offset "$2" -f "$T_DIR/data" || fail "write failed (status $?)"
	ini read e9.0 -i eth0 --offset "$2" --length "$3" -o "$T_DIR/back" || fail "read failed (status $?)"
	cmp "$T_DIR/data" "$T_DIR/back" || fail "read back differs"
	cmp -n "$3" "$T_DIR/data" <(dd if="$1" bs=1M iflag=skip_bytes skip="$2" status=none) ||
		fail "the device does not hold the data at offset $2"
	note "read back identical; the device holds the data"
}

# Export sectors 2048.. of the file, 8192 sectors long: sector 0 of the target
# is byte 1 MiB of the file, and writes at its last sector stay inside.
t_offset_length() {
	lan 1500
	image "$T_DIR/disk.img"
	cp --sparse=always "$T_DIR/disk.img" "$T_DIR/expected"
	start_ours -o 2048 -l 8192 eth0 9 0 "$T_DIR/disk.img"
	expect_discovered e9.0 8192
	pattern "$T_DIR/data" 4096 5
	local off=$((8192 * 512 - 4096))
	ini write e9.0 -i eth0 --offset "$off" -f "$T_DIR/data" || fail "write at the window's end failed"
	dd if="$T_DIR/data" of="$T_DIR/expected" bs=4096 oflag=seek_bytes seek=$((MIB + off)) \
		conv=notrunc status=none
	cmp "$T_DIR/expected" "$T_DIR/disk.img" || fail "the write did not land at file offset 1 MiB + $off only"
	local rc=0
	ini write e9.0 -i eth0 --offset $((8192 * 512)) -f "$T_DIR/data" || rc=$?
	((rc != 0)) || fail "a write past the window's end succeeded"
	cmp "$T_DIR/expected" "$T_DIR/disk.img" || fail "a refused write changed the file"
	note "the window is served at its offset, and its end is enforced"
}

t_config_file() {
	lan 1500
	truncate -s "${IMAGE_MIB}M" "$T_DIR/a.img"
	truncate -s 8M "$T_DIR/b.img"
	printf '# two exports, one process\nexport eth0 9 0 %s\nexport -r 9 1 eth0 %s\n' \
		"$T_DIR/a.img" "$T_DIR/b.img" >"$T_DIR/aoe.conf"
	start_ours -c "$T_DIR/aoe.conf"
	expect_discovered e9.0 "$SECTORS"
	expect_discovered e9.1 16384
	pattern "$T_DIR/data" 65536 6
	ini write e9.0 -i eth0 --offset 4096 -f "$T_DIR/data" || fail "write to e9.0 failed"
	cmp -n 65536 "$T_DIR/data" <(dd if="$T_DIR/a.img" bs=4096 skip=1 status=none) ||
		fail "e9.0's image does not hold the data"
	local rc=0
	ini write e9.1 -i eth0 --offset 0 -f "$T_DIR/data" || rc=$?
	((rc != 0)) || fail "e9.1 is read-only in the file, but a write succeeded"
}

# A second veth pair joins the hosts as eth1 on both sides.
add_second_link() {
	ip link add eth1 netns "$T_LAN-a" type veth peer name eth1 netns "$T_LAN-b" ||
		fail "could not add a second link"
	ip -n "$T_LAN-a" link set eth1 up
	ip -n "$T_LAN-b" link set eth1 up
	sleep 1 # both ends report up before frames flow
}

t_two_paths() {
	lan 1500
	add_second_link
	image "$T_DIR/disk.img"
	start_ours eth0,eth1 9 0 "$T_DIR/disk.img"
	on b "$INITIATOR" discover -i eth0 -i eth1 --timeout 1 --json >"$T_DIR/d.json" ||
		fail "discover on two interfaces failed"
	local paths
	paths=$("$PY" -c 'import json, sys
t = [t for t in json.load(open(sys.argv[1])) if t["name"] == "e9.0"]
print(len(t), len(t[0].get("paths", [])) if t else 0)' "$T_DIR/d.json")
	note "targets named e9.0, paths: $paths"
	[[ "$paths" == "1 2" ]] || fail "expected one target e9.0 with two paths, got: $(cat "$T_DIR/d.json")"
	pattern "$T_DIR/data" $((2 * MIB)) 7
	on b "$INITIATOR" write e9.0 -i eth0 -i eth1 --offset "$ODD_OFFSET" -f "$T_DIR/data" ||
		fail "write over two paths failed"
	cmp -n $((2 * MIB)) "$T_DIR/data" \
		<(dd if="$T_DIR/disk.img" bs=1M iflag=skip_bytes skip="$ODD_OFFSET" status=none) ||
		fail "the image does not hold the data written over two paths"
}

t_mask() {
	lan 1500
	truncate -s "${IMAGE_MIB}M" "$T_DIR/disk.img"
	local mac_b
	mac_b=$(lan_mac "$T_LAN" b)
	start_ours -m "${mac_b^^}" eth0 9 0 "$T_DIR/disk.img"
	expect_discovered e9.0 "$SECTORS"
	lan_stop "$T_TARGET_PID" 5 || true
	T_TARGET_PID=
	# The discover listens while the target starts: the target's announcement,
	# unicast to the listed MAC, also arrives on host b (a veth delivers every
	# frame) and must not count as a discovery there.
	local rc=0
	ip netns exec "$T_LAN-b" timeout -k 5 "$STEP_TIMEOUT" \
		"$INITIATOR" discover -i eth0 --timeout 2 >"$T_DIR/masked.out" 2>&1 &
	T_STEP_PID=$!
	sleep 0.5
	start_ours -m 02:00:00:00:00:01 eth0 9 0 "$T_DIR/disk.img"
	wait "$T_STEP_PID" || rc=$?
	T_STEP_PID=
	note "discover from an unlisted host: status $rc: $(cat "$T_DIR/masked.out")"
	((rc != 0)) || fail "a host not on the mask list discovered the target"
	! grep -q '^e9.0' "$T_DIR/masked.out" || fail "a host not on the mask list saw e9.0"
}

# aoecfg (Debian's aoetools) sets the string; the target is restarted; the
# string is still there.
t_state_dir() {
	lan 1500
	truncate -s "${IMAGE_MIB}M" "$T_DIR/disk.img"
	mkdir -p "$T_DIR/state"
	start_ours --state-dir "$T_DIR/state" eth0 9 0 "$T_DIR/disk.img"
	on b aoecfg -c set -s kept-across-restarts -t 3 9 0 eth0 >"$T_DIR/set.out" 2>&1 ||
		fail "aoecfg set failed: $(cat "$T_DIR/set.out")"
	lan_stop "$T_TARGET_PID" 5 || true
	T_TARGET_PID=
	note "state file: $(cat "$T_DIR/state/e9.0.state")"
	start_ours --state-dir "$T_DIR/state" eth0 9 0 "$T_DIR/disk.img"
	on b aoecfg -c read -t 3 9 0 eth0 >"$T_DIR/read.out" 2>&1 || fail "aoecfg read failed"
	note "after the restart aoecfg reads: $(cat "$T_DIR/read.out")"
	grep -q 'kept-across-restarts' "$T_DIR/read.out" || fail "the config string did not survive the restart"
}

t_daemon() {
	lan 1500
	truncate -s "${IMAGE_MIB}M" "$T_DIR/disk.img"
	on a "$TARGET" -D eth0 9 0 "$T_DIR/disk.img" >"$T_DIR/daemon.out" 2>&1 ||
		fail "aoe-target -D failed: $(cat "$T_DIR/daemon.out")"
	note "aoe-target -D returned at once; its daemon keeps serving"
	expect_discovered e9.0 "$SECTORS"
	# lan_down ends every process left in the namespace, the daemon included.
}

t_counters() {
	lan 1500
	truncate -s "${IMAGE_MIB}M" "$T_DIR/disk.img"
	start_ours eth0 9 0 "$T_DIR/disk.img"
	expect_discovered e9.0 "$SECTORS"
	kill -USR1 "$T_TARGET_PID"
	local i
	for ((i = 0; i < 40; i++)); do
		grep -q 'counters: frames in' "$T_DIR/target.log" && break
		sleep 0.05
	done
	grep 'counters: frames in' "$T_DIR/target.log" || fail "no counters in the log after SIGUSR1"
	grep -q 'config [1-9]' "$T_DIR/target.log" || fail "the counters do not show the config queries"
	kill -0 "$T_TARGET_PID" || fail "the target did not survive SIGUSR1"
}

# Stage an installation, check what it holds, then run the target exactly as
# aoe-target.service would: its ExecStart line, ${STATE_DIRECTORY} as systemd
# sets it, the installed example config with one export added.
t_install() {
	lan 1500
	local root="$T_DIR/root" etc="$T_DIR/etc" unit file
	make -s -C "$ROOT" install DESTDIR="$root" PREFIX=/usr SYSCONFDIR="$etc" >"$T_DIR/install.log" 2>&1 ||
		fail "make install failed: $(tail -5 "$T_DIR/install.log")"
	unit="$root/usr/lib/systemd/system/aoe-target.service"
	for file in usr/sbin/aoe-target usr/sbin/aoe-initiator usr/sbin/aoe-sim; do
		[[ -x "$root/$file" ]] || fail "$file is not installed as a program"
	done
	for file in usr/share/man/man8/aoe-target.8 usr/share/man/man1/aoe-initiator.1 \
		usr/share/doc/aoekit/examples/aoe-target.conf usr/lib/systemd/system/aoe-target.service; do
		[[ -f "$root/$file" ]] || fail "$file is not installed"
	done
	"$root/usr/sbin/aoe-target" --version >"$T_DIR/version.out" || fail "the installed aoe-target does not run"
	note "installed: $(cat "$T_DIR/version.out")"
	if command -v groff >/dev/null; then
		for file in "$root"/usr/share/man/man*/*; do
			groff -man -ww -z "$file" 2>"$T_DIR/groff.err" && [[ ! -s "$T_DIR/groff.err" ]] ||
				fail "$file: groff warns: $(cat "$T_DIR/groff.err")"
		done
	else
		note "no groff: the man pages are not checked"
	fi
	# The unit as installed, its program looked for in the staging tree.
	if command -v systemd-analyze >/dev/null; then
		mkdir -p "$T_DIR/verify"
		sed "s|^ExecStart=/usr/sbin/|ExecStart=$root/usr/sbin/|" "$unit" >"$T_DIR/verify/aoe-target.service"
		# It only warns about a setting it cannot parse (and ignores it): any output fails.
		MANPATH="$root/usr/share/man" systemd-analyze verify "$T_DIR/verify/aoe-target.service" \
			>"$T_DIR/verify.out" 2>&1 && [[ ! -s "$T_DIR/verify.out" ]] ||
			fail "systemd-analyze verify: $(cat "$T_DIR/verify.out")"
	else
		note "no systemd-analyze: the unit's syntax is not checked"
	fi
	local -a argv
	read -r -a argv <<<"$(sed -n 's/^ExecStart=//p' "$unit")"
	[[ ${argv[0]} == /usr/sbin/aoe-target ]] || fail "ExecStart runs ${argv[0]}, not /usr/sbin/aoe-target"
	argv[0]="$root${argv[0]}"
	# shellcheck disable=SC2016 # the unit's own ${STATE_DIRECTORY}, literally
	argv=("${argv[@]//'${STATE_DIRECTORY}'/$T_DIR/state}")
	mkdir -p "$etc" "$T_DIR/state"
	truncate -s "${IMAGE_MIB}M" "$T_DIR/disk.img"
	cp "$root/usr/share/doc/aoekit/examples/aoe-target.conf" "$etc/aoe-target.conf"
	printf 'export eth0 9 0 %s\n' "$T_DIR/disk.img" >>"$etc/aoe-target.conf"
	note "the unit runs: ${argv[*]}"
	start "${argv[@]}"
	expect_discovered e9.0 "$SECTORS"
	ini config e9.0 -i eth0 --set set-under-the-unit >"$T_DIR/config.out" 2>&1 ||
		fail "setting the config string failed: $(cat "$T_DIR/config.out")"
	lan_stop "$T_TARGET_PID" 5 || fail "the target did not stop on SIGTERM (as systemctl stop sends)"
	T_TARGET_PID=
	((LAN_STATUS == 0)) || fail "the target exited $LAN_STATUS on SIGTERM (systemd would call that a failure)"
	# The state file holds the config string in hex.
	grep -q "^config $(printf set-under-the-unit | od -An -tx1 | tr -d ' \n')\$" "$T_DIR/state/e9.0.state" ||
		fail "the config string is not in the unit's state directory: $(cat "$T_DIR/state/e9.0.state")"
	make -s -C "$ROOT" uninstall DESTDIR="$root" PREFIX=/usr SYSCONFDIR="$etc" >>"$T_DIR/install.log" 2>&1 ||
		fail "make uninstall failed: $(tail -5 "$T_DIR/install.log")"
	file=$(find "$root" -type f)
	[[ -z $file ]] || fail "make uninstall left: $file"
}

# ---------------------------------------------------------------------------
# The runner.

# Inside a test's subshell: stop what the test started, remove its LAN.
test_cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n "${T_STEP_PID:-}" ]]; then
		kill -TERM "$T_STEP_PID" 2>/dev/null || true
		wait "$T_STEP_PID" 2>/dev/null || true
	fi
	if [[ -n "${T_TARGET_PID:-}" ]]; then
		lan_stop "$T_TARGET_PID" 2 || true
		note "target stopped (status $LAN_STATUS); its log:"
		cat "$T_DIR/target.log" 2>/dev/null || true
	fi
	if [[ $LAN_KIND == sim ]]; then
		if ip netns list | grep -q "^$T_LAN-sw "; then
			"$SIM" down "$T_LAN" >/dev/null 2>&1 || rc=1
		fi
		lan_sweep "$T_LAN-" || rc=1 # a LAN aoe-sim could not finish
	else
		lan_down "$T_LAN" || rc=1
	fi
	[[ -z "${T_LOOP:-}" ]] || losetup -d "$T_LOOP" || rc=1
	exit "$rc"
}

PASSED=0
FAILED=0
SKIPPED=0
CUR_PID=
WORK=

runner_cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n "$CUR_PID" ]]; then
		kill -TERM "$CUR_PID" 2>/dev/null || true
		wait "$CUR_PID" 2>/dev/null || true
	fi
	# Safety net: anything of this run that a test could not remove.
	lan_sweep "$PREFIX-" || rc=1
	[[ -z "$WORK" ]] || rm -rf "$WORK"
	exit "$rc"
}

interrupted() {
	printf 'Bail out! interrupted by %s\n' "$1"
	printf '%d passed, %d failed\n' "$PASSED" $((FAILED + 1))
	exit "$2"
}

run_test() { # N NAME FUNCTION DESCRIPTION
	local n=$1 name=$2 fn=$3 desc=$4 rc=0 start end
	local dir="$WORK/$n-$name"
	mkdir -p "$dir"
	start=$(date +%s)
	(
		T_LAN="$PREFIX-$n"
		T_DIR=$dir
		T_TARGET_PID=
		T_STEP_PID=
		T_LOOP=
		trap test_cleanup EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
		set -e
		"$fn"
	) >"$dir/log" 2>&1 &
	CUR_PID=$!
	wait "$CUR_PID" || rc=$?
	CUR_PID=
	end=$(date +%s)
	if ((rc == 0)); then
		printf 'ok %d - %s: %s (%ds)\n' "$n" "$name" "$desc" $((end - start))
		[[ "${E2E_VERBOSE:-}" != 1 ]] || sed 's/^/#   /' "$dir/log"
		PASSED=$((PASSED + 1))
	elif ((rc == 77)); then
		printf 'ok %d - %s: %s # SKIP %s\n' "$n" "$name" "$desc" "$(cat "$dir/skip" 2>/dev/null)"
		SKIPPED=$((SKIPPED + 1))
	else
		printf 'not ok %d - %s: %s (%ds)\n' "$n" "$name" "$desc" $((end - start))
		sed 's/^/#   /' "$dir/log"
		FAILED=$((FAILED + 1))
		if [[ "${E2E_KEEP:-}" == 1 ]]; then
			cp -a "$dir" "/tmp/aoekit-e2e-failed-$$-$n-$name"
			printf '#   kept in /tmp/aoekit-e2e-failed-%s-%s-%s\n' "$$" "$n" "$name"
		fi
	fi
}

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

main() {
	local -a selected=()
	local entry name fn desc
	while (($# > 0)); do
		case $1 in
		-h | --help) usage; return 0 ;;
		-l)
			for entry in "${TESTS[@]}"; do
				IFS='|' read -r name fn desc <<<"$entry"
				printf '%-10s %s\n' "$name" "$desc"
			done
			return 0
			;;
		-*) printf '%s: unknown option %s\n' "$PROG" "$1" >&2; return 2 ;;
		*) selected+=("$1") ;;
		esac
		shift
	done
	local -a run=()
	for entry in "${TESTS[@]}"; do
		IFS='|' read -r name fn desc <<<"$entry"
		if ((${#selected[@]} == 0)) || [[ " ${selected[*]} " == *" $name "* ]]; then
			run+=("$entry")
		fi
	done
	if ((${#run[@]} == 0)); then
		printf '%s: no test named %s (see -l)\n' "$PROG" "${selected[*]}" >&2
		return 2
	fi

	local missing=
	[[ $EUID -eq 0 ]] || missing="must run as root (network namespaces and raw sockets)"
	[[ -x "$TARGET" ]] || missing="$TARGET is missing (run: make)"
	[[ -x "$INITIATOR" ]] || missing="$INITIATOR is missing (run: make)"
	[[ -x "$PY" ]] || missing="$PY is missing (run: make deps)"
	if [[ -n "$missing" ]]; then
		printf '1..%d\nBail out! %s\n0 passed, %d failed\n' "${#run[@]}" "$missing" "${#run[@]}"
		return 1
	fi

	WORK=$(mktemp -d /tmp/aoekit-e2e.XXXXXX)
	trap runner_cleanup EXIT
	trap 'interrupted SIGINT 130' INT
	trap 'interrupted SIGTERM 143' TERM

	printf '# end-to-end tests (namespaces %s-*, LAN: %s)\n' "$PREFIX" "$LAN_KIND"
	printf '1..%d\n' "${#run[@]}"
	local n=0
	for entry in "${run[@]}"; do
		IFS='|' read -r name fn desc <<<"$entry"
		n=$((n + 1))
		run_test "$n" "$name" "$fn" "$desc"
	done

	if ((SKIPPED > 0)); then
		printf '%d passed, %d failed, %d skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
	else
		printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
	fi
	((FAILED == 0))
}

main "$@"
