#!/usr/bin/env bash
# tests/e2e/initiator.sh - aoe-initiator end to end, against aoe-target and
# against Debian's vblade, on private virtual LANs.
#
# Every test builds its own LAN (sim/lan.sh: two namespaces joined by a veth
# pair, eth0 on each side; with E2E_LAN=sim the two hosts sit behind aoe-sim's
# switch instead; the fault tests always use aoe-sim), runs the target on
# one side and the initiator on the other, and takes everything down again,
# pass or fail.  Nothing runs in the root namespace's network.
#
# Output: "ok N - name" or "not ok N - name" followed by the test's log as
# "# " lines; the last line is exactly "P passed, F failed".  Exit status 1
# if any test failed.
#
# Usage: tests/e2e/initiator.sh [-l] [TEST...]   (as root, after make)
# Environment: AOE_INITIATOR, AOE_TARGET, AOE_SIM (default bin/...),
# E2E_LAN=veth|sim (default veth), E2E_KEEP=1 keeps the work directory of
# failed tests.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=sim/lan.sh
. "$ROOT/sim/lan.sh"

INITIATOR=${AOE_INITIATOR:-$ROOT/bin/aoe-initiator}
TARGET=${AOE_TARGET:-$ROOT/bin/aoe-target}
SIM=${AOE_SIM:-$ROOT/bin/aoe-sim}
LAN_KIND=${E2E_LAN:-veth}
VBLADE=/usr/sbin/vblade
PY=/usr/bin/python3
PREFIX="ini-e2e-$$"
ODD=1234567               # not a multiple of 512: read-modify-write at both ends
STEP=90                   # no single command may take longer (seconds)

TESTS=(
	"discover|t_discover|discover and identify e9.0 on aoe-target; text and --json"
	"rw-aoe-9000|t_rw_aoe_9000|aoe-target, MTU 9000: 64 MiB of random data written at offset $ODD reads back identical"
	"rw-vblade-1500|t_rw_vblade_1500|vblade, MTU 1500: 64 MiB at offset $ODD reads back identical"
	"rw-vblade-9000|t_rw_vblade_9000|vblade, MTU 9000: 64 MiB at offset $ODD reads back identical"
	"edges|t_edges|small unaligned writes change exactly their bytes (image compared with a local model)"
	"pipes|t_pipes|write from a pipe of unknown length, read to a pipe"
	"config-aoe|t_config_aoe|config read/set/mismatch/force/test/prefix round trip on aoe-target"
	"config-vblade|t_config_vblade|config round trip on vblade"
	"mask-aoe|t_mask_aoe|mask add/del round trip on aoe-target; a host left off the list loses the target"
	"mask-vblade|t_mask_vblade|mask add round trip on vblade (its delete aborts vblade 25); a host left off loses it"
	"reserve-aoe|t_reserve_aoe|reserve set/refuse/force/release round trip on aoe-target"
	"reserve-vblade|t_reserve_vblade|reserve round trip on vblade"
	"flush|t_flush|flush and write --sync: FLUSH CACHE EXT on aoe-target, FLUSH CACHE on vblade"
	"ping-check|t_ping_check|ping and check on every path; check finds an MTU that drops jumbo frames"
	"errors|t_errors|no such target (2), past the end (1), read-only (3), target gone mid-read (2)"
	"interrupt|t_interrupt|SIGINT stops a read cleanly: exit 130, a summary line, the bytes it reports"
	"multipath|t_multipath|two links: both used; one goes down mid-read and the read completes"
	"restart|t_restart|the target restarts (SIGTERM, 2 s away) mid-write and mid-read: both complete, data identical"
	"mtu-change|t_mtu_change|the MTU shrinks 9000 -> 1500 mid-read and mid-write, then grows: data identical, requests split"
	"mount-aoe|t_mount_aoe|mount on aoe-target: losetup, mkfs.ext4, mount, write, read back, e2fsck clean; SIGINT unmounts"
	"mount-vblade|t_mount_vblade|mount --background --json on vblade: the same sequence, ended by fusermount3 -u"
	"faults-aoe|t_faults_aoe|aoe-sim loss+dup+reorder, aoe-target: 64 MiB odd-offset write/read identical, retransmits counted"
	"faults-vblade|t_faults_vblade|aoe-sim loss+dup+reorder, vblade: 64 MiB odd-offset write/read identical, retransmits counted"
)

# ----------------------------------------------------------------------------
# Helpers for a test.  A test runs in a subshell; T_* belong to it.

fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

note() {
	printf '%s\n' "$*" >&2
}

# A LAN for this test: namespaces $T_LAN-a (target) and $T_LAN-b (initiator).
lan() {
	T_LAN="$PREFIX-$T_NUM"
	if [[ $LAN_KIND == sim ]]; then
		# The same hosts a and b, behind aoe-sim's switch (namespace $T_LAN-sw).
		printf 'lan ini mtu %s\nhost a\nhost b\n' "${1:-1500}" >"$T_DIR/lan.sim"
		"$SIM" up "$T_DIR/lan.sim" --name "$T_LAN" >"$T_DIR/sim.log" 2>&1 ||
			fail "cannot build the LAN through aoe-sim: $(tail -3 "$T_DIR/sim.log")"
		return
	fi
	lan_up "$T_LAN" "${1:-1500}" || fail "cannot build the LAN"
}

# Start a target on side a: aoe|vblade IMAGE [extra options].
start_target() {
	local kind=$1 image=$2
	shift 2
	if [[ $kind == aoe ]]; then
		lan_spawn "$T_LAN" a "$T_DIR/target.log" "$TARGET" -q "$@" eth0 9 0 "$image"
	else
		lan_spawn "$T_LAN" a "$T_DIR/target.log" "$VBLADE" "$@" 9 0 eth0 "$image"
	fi
	T_TARGET_PID=$LAN_PID
	lan_wait_port "$T_LAN" a "$T_TARGET_PID" 10 || fail "$kind did not start: $(cat "$T_DIR/target.log")"
}

stop_target() {
	if [[ -n "${T_TARGET_PID:-}" ]]; then
		lan_stop "$T_TARGET_PID" 3 || true
		T_TARGET_PID=
	fi
}

# The initiator on side b, its stderr into the log, bounded in time.
ini() {
	timeout "$STEP" ip netns exec "$T_LAN-b" "$INITIATOR" "$@"
}

# expect_rc N CMD...: run, log, and demand exit status N.
expect_rc() {
	local want=$1 rc=0
	shift
	note "\$ $*"
	"$@" || rc=$?
	[[ $rc == "$want" ]] || fail "exit status $rc, expected $want: $*"
}

json_ok() {
	$PY -m json.tool "$1" >/dev/null || fail "not JSON: $1: $(head -c 300 "$1")"
}

# json_get FILE EXPR: a Python expression on the parsed document d.
json_get() {
	$PY -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

my_mac() {
	lan_mac "$T_LAN" b
}

cleanup_test() {
	stop_target
	[[ -n "${T_LAN:-}" ]] || return 0
	if [[ $LAN_KIND == sim ]]; then
		"$SIM" down "$T_LAN" >/dev/null 2>&1
		lan_sweep "$T_LAN-" >/dev/null 2>&1 # whatever aoe-sim could not finish
	else
		lan_down "$T_LAN" >/dev/null 2>&1
	fi
	return 0
}

# ----------------------------------------------------------------------------
# Tests

t_discover() {
	lan 1500
	truncate -s 64M "$T_DIR/img"
	start_target aoe "$T_DIR/img"
	expect_rc 0 ini discover -i eth0 >"$T_DIR/d.txt"
	grep -q '^e9\.0  eth0  .*64\.0 MiB  131072 sectors  bufcnt 16' "$T_DIR/d.txt" ||
		fail "discover: $(cat "$T_DIR/d.txt")"
	expect_rc 0 ini discover --json >"$T_DIR/d.json"
	json_ok "$T_DIR/d.json"
	[[ $(json_get "$T_DIR/d.json" 'd[0]["sectors"], d[0]["paths"][0]["sectors_per_frame"]') == "131072 2" ]] ||
		fail "discover --json: $(cat "$T_DIR/d.json")"
	expect_rc 0 ini identify e9.0 >"$T_DIR/i.txt"
	grep -q '^sectors  *131072' "$T_DIR/i.txt" && grep -q '^lba48  *yes' "$T_DIR/i.txt" ||
		fail "identify: $(cat "$T_DIR/i.txt")"
	expect_rc 0 ini identify e9.0 --json --raw >"$T_DIR/i.json"
	json_ok "$T_DIR/i.json"
	[[ $(json_get "$T_DIR/i.json" 'd["sectors"], len(d["raw"])') == "131072 1024" ]] ||
		fail "identify --json: $(cat "$T_DIR/i.json")"
}

# 64 MiB of random data at an odd offset, read back, and found in the image.
rw64() {
	local kind=$1 mtu=$2
	lan "$mtu"
	truncate -s 80M "$T_DIR/img"
	head -c 64M /dev/urandom >"$T_DIR/data"
	start_target "$kind" "$T_DIR/img"
	expect_rc 0 ini write e9.0 --offset "$ODD" -f "$T_DIR/data" --json >"$T_DIR/w.json"
	json_ok "$T_DIR/w.json"
	expect_rc 0 ini read e9.0 --offset "$ODD" --length 64M -o "$T_DIR/back" --json >"$T_DIR/r.json"
	json_ok "$T_DIR/r.json"
	cmp "$T_DIR/data" "$T_DIR/back" || fail "read back differs"
	cmp -n 67108864 "$T_DIR/data" <(tail -c +$((ODD + 1)) "$T_DIR/img") || fail "the image differs"
	cmp -n "$ODD" /dev/zero "$T_DIR/img" || fail "bytes before the offset changed"
	note "write: $(json_get "$T_DIR/w.json" '"%.1f MB/s, %d retransmits" % (d["bytes_per_second"]/1e6, d["counters"]["retransmits"])')"
	note "read:  $(json_get "$T_DIR/r.json" '"%.1f MB/s, %d retransmits" % (d["bytes_per_second"]/1e6, d["counters"]["retransmits"])')"
}

t_rw_aoe_9000() { rw64 aoe 9000; }
t_rw_vblade_1500() { rw64 vblade 1500; }
t_rw_vblade_9000() { rw64 vblade 9000; }

t_edges() {
	lan 1500
	head -c 1M /dev/urandom >"$T_DIR/img"
	cp "$T_DIR/img" "$T_DIR/model"
	start_target aoe "$T_DIR/img"
	local spec off len
	# offset:length pairs: inside one sector, across one boundary, ending on one, long and odd.
	for spec in 511:1 700:10 1000:100 1500:548 4095:2 12345:70000 1048575:1 0:513; do
		off=${spec%:*}
		len=${spec#*:}
		head -c "$len" /dev/urandom >"$T_DIR/piece"
		expect_rc 0 ini write e9.0 --offset "$off" -f "$T_DIR/piece"
		dd if="$T_DIR/piece" of="$T_DIR/model" bs=1 seek="$off" conv=notrunc status=none
		expect_rc 0 ini read e9.0 --offset "$off" --length "$len" -o "$T_DIR/got"
		cmp "$T_DIR/piece" "$T_DIR/got" || fail "read back at $off+$len differs"
	done
	stop_target
	cmp "$T_DIR/model" "$T_DIR/img" || fail "the image differs from the model"
}

t_pipes() {
	lan 9000
	truncate -s 32M "$T_DIR/img"
	head -c 5000000 /dev/urandom >"$T_DIR/data"
	start_target aoe "$T_DIR/img"
	note "\$ cat data | write --offset 777"
	cat "$T_DIR/data" | ini write e9.0 --offset 777 || fail "write from a pipe"
	note "\$ read --offset 777 --length 5000000 | sha256sum"
	local got want
	got=$(ini read e9.0 --offset 777 --length 5000000 | sha256sum) || fail "read to a pipe"
	want=$(sha256sum <"$T_DIR/data")
	[[ "$got" == "$want" ]] || fail "pipe round trip differs"
	# More than fits from the offset to the end: written up to the end, then refused.
	note "\$ head -c 2M | write --offset 31M"
	local rc=0
	head -c 2M /dev/urandom | ini write e9.0 --offset 31M 2>"$T_DIR/err" || rc=$?
	[[ $rc == 1 ]] && grep -q 'longer than' "$T_DIR/err" || fail "overlong pipe: rc $rc: $(cat "$T_DIR/err")"
}

config_round_trip() {
	lan 1500
	truncate -s 8M "$T_DIR/img"
	start_target "$1" "$T_DIR/img"
	expect_rc 0 ini config e9.0 >"$T_DIR/c"
	grep -qx 'e9.0  ""' "$T_DIR/c" || fail "empty config: $(cat "$T_DIR/c")"
	expect_rc 0 ini config e9.0 --set "rack 3, shelf 9" >"$T_DIR/c"
	grep -qx 'e9.0  "rack 3, shelf 9"' "$T_DIR/c" || fail "set: $(cat "$T_DIR/c")"
	expect_rc 5 ini config e9.0 --set other 2>"$T_DIR/err"
	grep -q 'config string mismatch: the target already has "rack 3, shelf 9"' "$T_DIR/err" ||
		fail "set over a string: $(cat "$T_DIR/err")"
	expect_rc 0 ini config e9.0 --set other --force --json >"$T_DIR/c.json"
	json_ok "$T_DIR/c.json"
	[[ $(json_get "$T_DIR/c.json" 'd["config"]') == other ]] || fail "force: $(cat "$T_DIR/c.json")"
	expect_rc 0 ini config e9.0 --test other
	expect_rc 5 ini config e9.0 --test othe 2>"$T_DIR/err"
	grep -q 'config string mismatch: the target has "other"' "$T_DIR/err" || fail "test: $(cat "$T_DIR/err")"
	expect_rc 0 ini config e9.0 --prefix oth
	expect_rc 5 ini config e9.0 --prefix x --json >"$T_DIR/t.json"
	json_ok "$T_DIR/t.json"
	[[ $(json_get "$T_DIR/t.json" 'd["matches"]') == False ]] || fail "prefix --json: $(cat "$T_DIR/t.json")"
	expect_rc 0 ini config e9.0 >"$T_DIR/c"
	grep -qx 'e9.0  "other"' "$T_DIR/c" || fail "read back: $(cat "$T_DIR/c")"
}

t_config_aoe() { config_round_trip aoe; }
t_config_vblade() { config_round_trip vblade; }

mask_round_trip() {
	local kind=$1 me other=02:00:00:00:00:99
	lan 1500
	truncate -s 8M "$T_DIR/img"
	start_target "$kind" "$T_DIR/img"
	me=$(my_mac)
	expect_rc 0 ini mask e9.0 >"$T_DIR/m"
	grep -q 'mask  empty' "$T_DIR/m" || fail "empty mask: $(cat "$T_DIR/m")"
	expect_rc 0 ini mask e9.0 --add "$me" --add "$other" --json >"$T_DIR/m.json"
	json_ok "$T_DIR/m.json"
	[[ $(json_get "$T_DIR/m.json" '" ".join(d["mask"])') == "$me $other" ]] ||
		fail "add: $(cat "$T_DIR/m.json")"
	expect_rc 0 ini read e9.0 --count 8 -o /dev/null   # we are on the list: still served
	expect_rc 0 ini mask e9.0 >"$T_DIR/m"
	grep -qx "e9.0  mask  $me, $other" "$T_DIR/m" || fail "read back: $(cat "$T_DIR/m")"
	if [[ $kind == aoe ]]; then
		# vblade 25 cannot delete: its rmmask() counts entries as bytes and
		# aborts (a negative memmove); nor add a third (addmask() overwrites).
		expect_rc 0 ini mask e9.0 --del "$other" >"$T_DIR/m"
		grep -qx "e9.0  mask  $me" "$T_DIR/m" || fail "del: $(cat "$T_DIR/m")"
		expect_rc 0 ini mask e9.0 --del "$me" >"$T_DIR/m"
		grep -q 'mask  empty' "$T_DIR/m" || fail "del self: $(cat "$T_DIR/m")"
	else
		stop_target
		start_target "$kind" "$T_DIR/img"   # a fresh vblade: empty list again
	fi
	# A list without us: allowed with a warning, and then the target ignores us.
	expect_rc 0 ini mask e9.0 --add "$other" 2>"$T_DIR/err"
	grep -q 'not on the mask list' "$T_DIR/err" || fail "no warning: $(cat "$T_DIR/err")"
	expect_rc 2 ini identify e9.0 --timeout 1 2>"$T_DIR/err"
	grep -q 'no such target' "$T_DIR/err" || fail "locked out: $(cat "$T_DIR/err")"
}

t_mask_aoe() { mask_round_trip aoe; }
t_mask_vblade() { mask_round_trip vblade; }

reserve_round_trip() {
	local kind=$1 me other=02:00:00:00:00:77
	lan 1500
	truncate -s 8M "$T_DIR/img"
	start_target "$kind" "$T_DIR/img"
	me=$(my_mac)
	expect_rc 0 ini reserve e9.0 >"$T_DIR/r"
	grep -q 'reserve  empty' "$T_DIR/r" || fail "empty: $(cat "$T_DIR/r")"
	expect_rc 0 ini reserve e9.0 --set self --json >"$T_DIR/r.json"
	json_ok "$T_DIR/r.json"
	[[ $(json_get "$T_DIR/r.json" '" ".join(d["reserve"])') == "$me" ]] || fail "self: $(cat "$T_DIR/r.json")"
	expect_rc 0 ini write e9.0 --lba 0 --count 1 -f /dev/zero   # ours
	expect_rc 0 ini reserve e9.0 --set "$other" --force >"$T_DIR/r"
	grep -qx "e9.0  reserve  $other" "$T_DIR/r" || fail "force: $(cat "$T_DIR/r")"
	expect_rc 5 ini read e9.0 --count 1 -o /dev/null 2>"$T_DIR/err"
	grep -q 'target reserved by another host' "$T_DIR/err" || fail "read while reserved: $(cat "$T_DIR/err")"
	expect_rc 5 ini reserve e9.0 --set self 2>"$T_DIR/err"
	grep -q "reserved by another host ($other)" "$T_DIR/err" || fail "set while reserved: $(cat "$T_DIR/err")"
	expect_rc 0 ini reserve e9.0 --release --force >"$T_DIR/r"
	grep -q 'reserve  empty' "$T_DIR/r" || fail "release: $(cat "$T_DIR/r")"
	expect_rc 0 ini read e9.0 --count 1 -o /dev/null
}

t_reserve_aoe() { reserve_round_trip aoe; }
t_reserve_vblade() { reserve_round_trip vblade; }

t_flush() {
	lan 1500
	truncate -s 8M "$T_DIR/img"
	start_target aoe "$T_DIR/img"
	expect_rc 0 ini flush e9.0 --json >"$T_DIR/f.json"
	json_ok "$T_DIR/f.json"
	[[ $(json_get "$T_DIR/f.json" 'd["command"]') == "FLUSH CACHE EXT" ]] || fail "aoe-target: $(cat "$T_DIR/f.json")"
	expect_rc 0 ini write e9.0 --offset 100 --length 5000 -f /dev/urandom --sync --json >"$T_DIR/w.json"
	[[ $(json_get "$T_DIR/w.json" 'd["flushed"]') == True ]] || fail "--sync: $(cat "$T_DIR/w.json")"
	stop_target
	start_target vblade "$T_DIR/img"
	# vblade aborts FLUSH CACHE EXT and advertises only FLUSH CACHE: that is what goes out.
	expect_rc 0 ini flush e9.0 >"$T_DIR/f"
	grep -q 'FLUSH CACHE  done' "$T_DIR/f" || fail "vblade: $(cat "$T_DIR/f")"
	expect_rc 0 ini write e9.0 --offset 100 --length 5000 -f /dev/urandom --sync
}

t_ping_check() {
	lan 9000
	truncate -s 8M "$T_DIR/img"
	start_target aoe "$T_DIR/img"
	expect_rc 0 ini ping e9.0 -c 3 --interval 0.1 >"$T_DIR/p"
	[[ $(grep -c 'seq=[123] time=' "$T_DIR/p") == 3 ]] || fail "ping: $(cat "$T_DIR/p")"
	expect_rc 0 ini ping e9.0 -c 2 --interval 0.1 --json >"$T_DIR/p.json"
	json_ok "$T_DIR/p.json"
	[[ $(json_get "$T_DIR/p.json" 'd["paths"][0]["received"]') == 2 ]] || fail "ping --json: $(cat "$T_DIR/p.json")"
	expect_rc 0 ini check --json >"$T_DIR/c.json"
	json_ok "$T_DIR/c.json"
	[[ $(json_get "$T_DIR/c.json" 'd[0]["ok"], d[0]["to_target_bytes"], d[0]["from_target_bytes"]') == "True 8704 8704" ]] ||
		fail "check: $(cat "$T_DIR/c.json")"
	# The target's side now carries only 1500-byte frames while it still advertises 17
	# sectors and ours says 9000: check measures what gets through and says so.
	ip netns exec "$T_LAN-a" ip link set eth0 mtu 1500
	expect_rc 3 ini check e9.0 >"$T_DIR/c" 2>"$T_DIR/err"
	grep -q 'to target 1024 B  from target 1024 B  PROBLEM' "$T_DIR/c" &&
		grep -q 'frames with more than 1024 bytes of data are lost' "$T_DIR/err" ||
		fail "after the MTU change: $(cat "$T_DIR/c" "$T_DIR/err")"
}

t_errors() {
	lan 1500
	truncate -s 8M "$T_DIR/img"
	start_target aoe "$T_DIR/img" -r
	expect_rc 2 ini identify e9.9 --timeout 0.5 2>"$T_DIR/err"
	grep -q 'e9.9: no such target' "$T_DIR/err" || fail "no such target: $(cat "$T_DIR/err")"
	expect_rc 1 ini read e9.0 --offset 8M --length 1 -o /dev/null 2>"$T_DIR/err"
	grep -q 'pass the end of the target' "$T_DIR/err" || fail "past the end: $(cat "$T_DIR/err")"
	expect_rc 3 ini write e9.0 --lba 0 --count 1 -f /dev/zero 2>"$T_DIR/err"
	grep -q 'command aborted (read-only export?)' "$T_DIR/err" || fail "read-only: $(cat "$T_DIR/err")"
	expect_rc 1 ini bogus 2>"$T_DIR/err"
	# The target vanishes in the middle of a read: a clear timeout, exit 2.
	stop_target
	truncate -s 512M "$T_DIR/big"
	start_target aoe "$T_DIR/big"
	ini read e9.0 --timeout 1 -o /dev/null 2>"$T_DIR/err" &
	local reader=$! rc=0
	sleep 0.3
	stop_target
	wait "$reader" || rc=$?
	[[ $rc == 2 ]] && grep -q 'timed out after [0-9]* retries' "$T_DIR/err" ||
		fail "target gone: rc $rc: $(cat "$T_DIR/err")"
}

t_interrupt() {
	lan 1500
	truncate -s 1G "$T_DIR/img"
	start_target aoe "$T_DIR/img"
	ip netns exec "$T_LAN-b" "$INITIATOR" read e9.0 -o "$T_DIR/out" --json >"$T_DIR/r.json" 2>"$T_DIR/err" &
	local reader=$! rc=0
	sleep 0.5
	kill -INT "$reader"
	wait "$reader" || rc=$?
	[[ $rc == 130 ]] || fail "exit status $rc after SIGINT: $(cat "$T_DIR/err")"
	grep -q 'interrupted: read [0-9]* bytes' "$T_DIR/err" || fail "no summary: $(cat "$T_DIR/err")"
	json_ok "$T_DIR/r.json"
	local reported size
	reported=$(json_get "$T_DIR/r.json" 'd["bytes"]')
	size=$(stat -c %s "$T_DIR/out")
	[[ $reported == "$size" && $size -gt 0 ]] || fail "reported $reported bytes, file has $size"
	[[ $(json_get "$T_DIR/r.json" 'd["interrupted"]') == True ]] || fail "json: $(cat "$T_DIR/r.json")"
}

# A target restarted while a transfer runs (an upgrade of the storage host):
# SIGTERM finishes what is in flight and exits 0, the initiator retransmits
# into the silence and carries on with the new process.  Once while writing,
# once while reading.
t_restart() {
	lan 1500
	truncate -s 128M "$T_DIR/img"
	head -c 64M /dev/urandom >"$T_DIR/data"
	start_target aoe "$T_DIR/img"
	local op pid rc out
	for op in write read; do
		if [[ $op == write ]]; then
			ini write e9.0 --offset "$ODD" -f "$T_DIR/data" --json >"$T_DIR/$op.json" 2>"$T_DIR/$op.err" &
		else
			ini read e9.0 --offset "$ODD" --length 64M -o "$T_DIR/back" --json >"$T_DIR/$op.json" \
				2>"$T_DIR/$op.err" &
		fi
		pid=$!
		sleep 0.1
		kill -0 "$pid" 2>/dev/null || fail "the $op ended before the target stopped: $(cat "$T_DIR/$op.err")"
		note "\$ kill -TERM <aoe-target>   (during the $op)"
		kill -TERM "$T_TARGET_PID"
		rc=0
		wait "$T_TARGET_PID" || rc=$?
		T_TARGET_PID=
		[[ $rc == 0 ]] || fail "aoe-target exited $rc on SIGTERM: $(tail -3 "$T_DIR/target.log")"
		sleep 2
		kill -0 "$pid" 2>/dev/null || fail "the $op did not wait for the target: $(cat "$T_DIR/$op.err")"
		start_target aoe "$T_DIR/img"
		rc=0
		wait "$pid" || rc=$?
		[[ $rc == 0 ]] || fail "the $op across the restart: exit $rc: $(tail -3 "$T_DIR/$op.err")"
		out=$(json_get "$T_DIR/$op.json" '"%d retransmits" % d["counters"]["retransmits"]')
		note "$op across the restart: $out"
		[[ $(json_get "$T_DIR/$op.json" 'd["counters"]["retransmits"] > 0') == True ]] ||
			fail "the $op needed no retransmission: the target was not away during it"
	done
	cmp "$T_DIR/data" "$T_DIR/back" || fail "what was read back differs from what was written"
	cmp -s "$T_DIR/data" <(tail -c +$((ODD + 1)) "$T_DIR/img" | head -c 64M) ||
		fail "the image does not hold the data at offset $ODD"
}

# Two veth pairs between the namespaces: the target serves on both.
t_multipath() {
	lan 1500
	ip link add eth1 netns "$T_LAN-a" type veth peer name eth1 netns "$T_LAN-b" || fail "second link"
	ip netns exec "$T_LAN-a" ip link set eth1 up
	ip netns exec "$T_LAN-b" ip link set eth1 up
	sleep 0.5
	truncate -s 256M "$T_DIR/img"
	head -c 256M /dev/urandom >"$T_DIR/data"
	cp "$T_DIR/data" "$T_DIR/img"
	lan_spawn "$T_LAN" a "$T_DIR/target.log" "$TARGET" -q eth0,eth1 9 0 "$T_DIR/img"
	T_TARGET_PID=$LAN_PID
	lan_wait_port "$T_LAN" a "$T_TARGET_PID" 10 || fail "target: $(cat "$T_DIR/target.log")"
	expect_rc 0 ini discover --json >"$T_DIR/d.json"
	[[ $(json_get "$T_DIR/d.json" 'len(d[0]["paths"])') == 2 ]] || fail "paths: $(cat "$T_DIR/d.json")"
	ini read e9.0 --timeout 20 -o "$T_DIR/back" --json -v >"$T_DIR/r.json" 2>"$T_DIR/err" &
	local reader=$! rc=0
	sleep 0.4
	note "\$ (target side) ip link set eth1 down"
	ip netns exec "$T_LAN-a" ip link set eth1 down
	wait "$reader" || rc=$?
	[[ $rc == 0 ]] || fail "read over the remaining path: rc $rc: $(tail -5 "$T_DIR/err")"
	cmp "$T_DIR/data" "$T_DIR/back" || fail "read back differs"
	local used
	used=$(json_get "$T_DIR/r.json" 'sum(1 for p in d["paths"] if p["replies"] > 0)')
	[[ $used == 2 ]] || fail "paths used: $used: $(cat "$T_DIR/r.json")"
	note "paths: $(json_get "$T_DIR/r.json" '[(p["interface"], p["replies"], p["timeouts"]) for p in d["paths"]]')"
}

# Wait until FILE holds at least BYTES (10 s at most).
wait_for_size() {
	local file=$1 bytes=$2 i
	for ((i = 0; i < 1000; i++)); do
		[[ -f $file && $(stat -c %s "$file") -ge $bytes ]] && return 0
		sleep 0.01
	done
	return 1
}

# Frames sized for MTU 9000 are in flight when it drops to 1500: they are split.
t_mtu_change() {
	lan 9000
	head -c 256M /dev/urandom >"$T_DIR/data"
	cp "$T_DIR/data" "$T_DIR/img"
	start_target aoe "$T_DIR/img" --writeback
	ini read e9.0 -o "$T_DIR/back" --json >"$T_DIR/r.json" 2>"$T_DIR/err" &
	local job=$! rc=0
	# A whole read takes a fraction of a second: rather than guess when it is
	# under way, wait for its first MiB, then freeze the target so that the
	# requests in flight stay in flight while the MTU drops.
	wait_for_size "$T_DIR/back" $((1 << 20)) || fail "the read wrote nothing: $(cat "$T_DIR/err")"
	kill -STOP "$T_TARGET_PID"
	note "\$ (initiator side) ip link set eth0 mtu 1500, during a read (target stopped)"
	ip netns exec "$T_LAN-b" ip link set eth0 mtu 1500
	sleep 0.3
	kill -CONT "$T_TARGET_PID"
	wait "$job" || rc=$?
	[[ $rc == 0 ]] || fail "read: rc $rc: $(cat "$T_DIR/err")"
	cmp "$T_DIR/data" "$T_DIR/back" || fail "read back differs"
	note "read: $(json_get "$T_DIR/r.json" 'd["counters"]')"
	[[ $(json_get "$T_DIR/r.json" 'd["counters"]["splits"] > 0') == True ]] || fail "nothing was split"
	ip netns exec "$T_LAN-b" ip link set eth0 mtu 9000
	head -c 64M /dev/urandom >"$T_DIR/data2"
	ini write e9.0 --offset "$ODD" -f "$T_DIR/data2" --json >"$T_DIR/w.json" 2>"$T_DIR/err" &
	job=$!
	sleep 0.2
	note "\$ (initiator side) ip link set eth0 mtu 1500, during a write"
	ip netns exec "$T_LAN-b" ip link set eth0 mtu 1500
	wait "$job" || rc=$?
	[[ $rc == 0 ]] || fail "write: rc $rc: $(cat "$T_DIR/err")"
	note "write: $(json_get "$T_DIR/w.json" 'd["counters"]')"
	# And back up: the next requests are large again.
	ini read e9.0 --offset "$ODD" --length 64M -o "$T_DIR/back2" --json >"$T_DIR/r2.json" 2>"$T_DIR/err" &
	job=$!
	# Early: at MTU 1500 a fast read of 64 MiB may take only a quarter second,
	# and the engine looks at the MTU every 100 ms.
	sleep 0.1
	note "\$ (initiator side) ip link set eth0 mtu 9000, during a read"
	ip netns exec "$T_LAN-b" ip link set eth0 mtu 9000
	wait "$job" || rc=$?
	[[ $rc == 0 ]] || fail "read: rc $rc: $(cat "$T_DIR/err")"
	cmp "$T_DIR/data2" "$T_DIR/back2" || fail "read back after the write differs"
	note "read: $(json_get "$T_DIR/r2.json" '[(p["sectors_per_frame"]) for p in d["paths"]]') sectors/frame at the end"
	[[ $(json_get "$T_DIR/r2.json" 'd["paths"][0]["sectors_per_frame"]') == 17 ]] || fail "did not grow back"
}

# The whole FUSE sequence in one `ip netns exec`: a FUSE mount made there is
# seen only by that command's process tree (its own mount namespace).
# MODE fg: mount runs in the foreground and SIGINT ends it; MODE bg: it
# detaches (--background), says so in JSON, and fusermount3 -u ends it.
mount_sequence() {
	local mode=$1
	cat >"$T_DIR/seq.sh" <<'EOF'
set -u
I=$1; D=$2; MODE=$3
M=$D/disk; MNT=$D/mnt; LOOP=; FP=
finish() {
	[ -n "$LOOP" ] && { umount "$MNT" 2>/dev/null; losetup -d "$LOOP"; }
	[ -n "$FP" ] && kill -INT "$FP" 2>/dev/null
	grep -q " $M fuse" /proc/mounts && fusermount3 -u "$M"
}
trap finish EXIT
trap 'exit 1' INT TERM   # a timeout still detaches the loop device and unmounts
mkdir -p "$MNT"
if [ "$MODE" = bg ]; then
	"$I" mount e9.0 "$M" --background --json >"$D/mount.json" 2>"$D/fuse.log" ||
		{ echo "mount: $(cat "$D/fuse.log")"; exit 1; }
	/usr/bin/python3 -m json.tool "$D/mount.json" >/dev/null || { echo "not JSON: $(cat "$D/mount.json")"; exit 1; }
	DAEMON=$(pgrep -f "mount e9.0 $M --background") || { echo "no daemon"; exit 1; }
else
	"$I" mount e9.0 "$M" -v 2>"$D/fuse.log" &
	FP=$!
	for i in $(seq 100); do grep -q " $M fuse" /proc/mounts && break; sleep 0.1; done
fi
grep -q " $M fuse" /proc/mounts || { echo "not mounted: $(cat "$D/fuse.log")"; exit 1; }
[ "$(stat -c %s "$M")" = 134217728 ] || { echo "size $(stat -c %s "$M")"; exit 1; }
LOOP=$(losetup -f --show "$M") || exit 1
echo "loop device $LOOP"
mkfs.ext4 -q -F "$LOOP" || exit 1
mount "$LOOP" "$MNT" || exit 1
head -c 20M /dev/urandom >"$D/payload"
cp "$D/payload" "$MNT/payload" || exit 1
umount "$MNT" || exit 1
mount "$LOOP" "$MNT" || exit 1
cmp "$D/payload" "$MNT/payload" || exit 1
umount "$MNT" || exit 1
e2fsck -fn "$LOOP" || exit 1
losetup -d "$LOOP"; LOOP=
if [ "$MODE" = bg ]; then
	fusermount3 -u "$M" || exit 1
	for i in $(seq 50); do kill -0 "$DAEMON" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$DAEMON" 2>/dev/null && { echo "daemon still running after fusermount3 -u"; exit 1; }
else
	kill -INT "$FP"
	rc=0; wait "$FP" || rc=$?; FP=
	[ $rc = 0 ] || { echo "mount exited $rc: $(cat "$D/fuse.log")"; exit 1; }
fi
grep -q " $M " /proc/mounts && { echo "still mounted"; exit 1; }
echo "unmounted cleanly"
EOF
	note "\$ ip netns exec $T_LAN-b sh seq.sh $mode (mount, losetup, mkfs.ext4, mount, cp, cmp, e2fsck)"
	timeout 180 ip netns exec "$T_LAN-b" sh "$T_DIR/seq.sh" "$INITIATOR" "$T_DIR" "$mode" >&2 ||
		fail "mount sequence"
}

mount_test() {
	# (Not by running it: outside a test LAN the initiator must not touch the network.)
	[[ $(ldd "$INITIATOR") == *libfuse3* ]] ||
		fail "$INITIATOR was built without FUSE: link it with -lfuse3 (see initiator/mount.c)"
	lan "$2"
	truncate -s 128M "$T_DIR/img"
	start_target "$1" "$T_DIR/img"
	mount_sequence "$3"
	stop_target
	e2fsck -fn "$T_DIR/img" >&2 || fail "e2fsck of the image after the target stopped"
}

t_mount_aoe() { mount_test aoe 9000 fg; }
t_mount_vblade() { mount_test vblade 1500 bg; }

# The same 64 MiB round trip through aoe-sim's switch with faults on the initiator's link.
faults() {
	local kind=$1 target_cmd
	if [[ $kind == aoe ]]; then
		target_cmd="$TARGET -q eth0 9 0 {tmp}/disk.img"
	else
		target_cmd="$VBLADE 9 0 eth0 {tmp}/disk.img"
	fi
	cat >"$T_DIR/faults.sim" <<EOF
lan inifaults mtu 9000 seed $((T_NUM * 7 + 1))
host t1
host i1
link i1 loss 1% dup 1% reorder 2% delay 200us jitter 100us
run t1: truncate -s 80M {tmp}/disk.img && head -c 64M /dev/urandom > $T_DIR/data
run t1 bg ready: $target_cmd
run i1 as=write timeout=120s: $INITIATOR write e9.0 -i eth0 --offset $ODD -f $T_DIR/data --json > $T_DIR/w.json
run i1 as=read timeout=120s: $INITIATOR read e9.0 -i eth0 --offset $ODD --length 64M -o $T_DIR/back --json > $T_DIR/r.json
expect counter i1 in drop_loss > 0
expect counter i1 out drop_loss > 0
expect counter i1 out duplicated > 0
expect counter i1 out reordered > 0
EOF
	note "\$ aoe-sim run faults.sim (loss 1%, dup 1%, reorder 2% each way)"
	(cd "$ROOT" && timeout 240 "$SIM" run "$T_DIR/faults.sim" --name "$PREFIX-$T_NUM") >"$T_DIR/sim.log" 2>&1 ||
		fail "aoe-sim run: $(tail -20 "$T_DIR/sim.log")"
	grep -E '^(i1|t1) ' "$T_DIR/sim.log" >&2
	cmp "$T_DIR/data" "$T_DIR/back" || fail "read back differs"
	json_ok "$T_DIR/w.json"
	json_ok "$T_DIR/r.json"
	local f
	for f in w r; do
		note "$f: $(json_get "$T_DIR/$f.json" 'd["counters"]')"
		[[ $(json_get "$T_DIR/$f.json" 'd["counters"]["retransmits"] > 0 and d["counters"]["duplicates"] > 0') == True ]] ||
			fail "no retransmits or duplicates counted in $f.json"
	done
}

t_faults_aoe() { faults aoe; }
t_faults_vblade() { faults vblade; }

# ----------------------------------------------------------------------------
# Runner

run_one() {
	local num=$1 name=$2 func=$3
	T_NUM=$num
	T_DIR=$(mktemp -d "/tmp/$PREFIX-$num.XXXX")
	local start=$SECONDS rc=0
	(
		T_LAN='' T_TARGET_PID=''
		trap cleanup_test EXIT
		"$func"
	) >"$T_DIR/log" 2>&1 || rc=$?
	if [[ $rc == 0 ]]; then
		printf 'ok %d - %s (%ds)\n' "$num" "$name" $((SECONDS - start))
		PASSED=$((PASSED + 1))
		rm -rf "$T_DIR"
	else
		printf 'not ok %d - %s (%ds)\n' "$num" "$name" $((SECONDS - start))
		sed 's/^/# /' "$T_DIR/log"
		FAILED=$((FAILED + 1))
		[[ "${E2E_KEEP:-}" == 1 ]] && printf '# kept %s\n' "$T_DIR" || rm -rf "$T_DIR"
	fi
}

main() {
	if [[ "${1:-}" == -l ]]; then
		local t
		for t in "${TESTS[@]}"; do
			IFS='|' read -r name _ desc <<<"$t"
			printf '%-16s %s\n' "$name" "$desc"
		done
		return 0
	fi
	lan_require_root || return 1
	local missing
	for missing in "$INITIATOR" "$TARGET" "$SIM" "$VBLADE"; do
		[[ -x $missing ]] || { printf '%s: %s is missing (run make)\n' "$0" "$missing" >&2; return 1; }
	done
	trap 'lan_sweep "$PREFIX" >/dev/null 2>&1' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	PASSED=0 FAILED=0
	local num=0 entry name func want
	for entry in "${TESTS[@]}"; do
		IFS='|' read -r name func _ <<<"$entry"
		if (($# > 0)); then
			want=0
			for t in "$@"; do [[ $t == "$name" ]] && want=1; done
			((want)) || continue
		fi
		num=$((num + 1))
		run_one "$num" "$name" "$func"
	done
	printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
	((FAILED == 0))
}

main "$@"
