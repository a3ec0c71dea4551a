#!/usr/bin/env bash
# tests/sim/run.sh - aoe-sim's tests: each fault checked by counting frames in
# the captures, the switch's forwarding, the kernel's fast path, repeatability
# of a seed, the CLI, and cleanup after failures and Ctrl-C.  Then every
# scenario in sim/scenarios.
#
#   bash tests/sim/run.sh [FILTER]     (as root, from anywhere; FILTER: substring of test names)
#   SIM_KEEP=1 bash tests/sim/run.sh   keeps the work directory (the logs of every run)
#
# Prints "ok N - name" / "not ok N - name" lines and ends with "N passed, M failed".
# A frame generator (tests/sim/frames.py, standard library only) sends numbered
# frames of EtherType 0x88b5 from host a; the checks read the per-port pcaps.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
SIM=${AOE_SIM:-$ROOT/bin/aoe-sim}   # AOE_SIM=build/asan/bin/aoe-sim for a sanitizer run
PY=/usr/bin/python3
FRAMES=("$PY" tests/sim/frames.py)
FILTER=${1:-}
PREFIX="ast$$"          # every LAN of this run starts with it
WORK=$(mktemp -d /tmp/aoe-sim-tests.XXXXXX)
PASSED=0
FAILED=0
N=0

cleanup() {
	local d
	for d in /run/aoe-sim/"$PREFIX"*; do
		[[ -d "$d" ]] && "$SIM" down "$(basename "$d")" >/dev/null 2>&1
	done
	[[ -n ${SIM_KEEP:-} ]] && echo "kept $WORK" || rm -rf "$WORK" /tmp/aoe-sim."$PREFIX"*   # the runs meant to fail keep their {tmp}
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $EUID -ne 0 ]]; then
	echo "tests/sim/run.sh: must run as root" >&2
	exit 1
fi
if [[ ! -x "$SIM" ]]; then
	make -s bin/aoe-sim || exit 1
fi

report() { # report NAME RC DETAIL
	N=$((N + 1))
	if [[ $2 -eq 0 ]]; then
		PASSED=$((PASSED + 1))
		echo "ok $N - $1${3:+ # $3}"
	else
		FAILED=$((FAILED + 1))
		echo "not ok $N - $1${3:+ # $3}"
	fi
}

wanted() { [[ -z "$FILTER" || "$1" == *"$FILTER"* ]]; }

# run_sim NAME SCENARIO-TEXT: writes $WORK/NAME.sim, runs it with captures into
# $WORK/NAME/, output in $WORK/NAME.log.  Returns aoe-sim's status.
run_sim() {
	local name=$1 text=$2 dir=$WORK/$1
	mkdir -p "$dir"
	printf '%s\n' "$text" >"$WORK/$name.sim"
	"$SIM" run "$WORK/$name.sim" --name "$PREFIX$name" --pcap "$dir" \
		--json-counters "$dir/counters.json" >"$WORK/$name.log" 2>&1
}

# fault_test ID NAME CHECK SCENARIO-TEXT CHECK-ARGS...: a two- or three-host LAN whose
# host a runs the scenario's commands; then frames.py check NAME judges it.
fault_test() {
	local id=$1 name=$2 check=$3 text=$4
	shift 4
	wanted "$name" || return 0
	local detail rc
	if ! run_sim "$id" "$text"; then
		report "$name" 1 "aoe-sim run failed: $(tail -n 3 "$WORK/$id.log" | tr '\n' ' ')"
		return
	fi
	detail=$("${FRAMES[@]}" check "$check" "$WORK/$id" "$@" 2>&1)
	rc=$?
	report "$name" $rc "$detail"
}

SEND="/usr/bin/python3 tests/sim/frames.py send --dst {mac:b}"

fault_test loss "loss 10% out (10000 frames, 4 sigma)" loss "lan x seed 11
host a
host b
link b out loss 10%
run a: $SEND --count 10000 --pps 20000" --p 0.1 --min-sent 10000

fault_test lossin "loss 3% in (10000 frames, 4 sigma)" loss "lan x seed 12
host a
host b
link a in loss 3%
run a: $SEND --count 10000 --pps 20000" --p 0.03 --direction in --min-sent 10000

fault_test dup "dup 5%: copies byte-identical" dup "lan x seed 13
host a
host b
link b out dup 5%
run a: $SEND --count 10000 --pps 20000 --size 60,300,1500" --p 0.05

fault_test reorder "reorder 5%: order changes, nothing lost" reorder "lan x seed 14
host a
host b
link b out reorder 5%
run a: $SEND --count 10000 --pps 20000" --p 0.05

fault_test delay "delay 20ms jitter 5ms: measured, order kept" delay "lan x seed 15
host a
host b
link b out delay 20ms jitter 5ms
run a: $SEND --count 2000 --pps 2000" --ms 20 --jitter-ms 5

fault_test corrupt "corrupt 2%: one byte past the header" corrupt "lan x seed 16
host a
host b
link b out corrupt 2%
run a: $SEND --count 10000 --pps 20000 --size 200" --p 0.02

fault_test mtu "mtu 1500 on a 9000 LAN: long frames dropped and counted" mtu "lan x mtu 9000 seed 17
host a
host b
link b out mtu 1500
run a: $SEND --count 1000 --pps 20000 --size 1000,1514,1515,4000,9014" --mtu 1500

fault_test down "link down 1s-2s: one gap of 1 s" down "lan x seed 18
host a
host b
link b out down 1s-2s
run a: $SEND --count 300 --pps 100" --seconds 1

fault_test part "partition 1s-2s a | b: c unaffected" partition "lan x seed 19
host a
host b
host c
partition 1s-2s a | b
run a: /usr/bin/python3 tests/sim/frames.py send --dst ff:ff:ff:ff:ff:ff --count 300 --pps 100" --seconds 1

fault_test rate "rate 20mbit with a big queue: throughput honoured, no loss" rate "lan x seed 20
host a
host b
link b out rate 20mbit queue 8m
run a: $SEND --count 3000 --size 1000" --mbit 20

fault_test rateq "rate 20mbit with a 32k queue: overflow dropped and counted" rate "lan x seed 21
host a
host b
link b out rate 20mbit queue 32k
run a: $SEND --count 3000 --size 1000" --mbit 20 --expect-queue-drops

fault_test learn "switch learns: unicast to a known MAC is not flooded" flood "lan x seed 22
host a
host b
host c
run b: /usr/bin/python3 tests/sim/frames.py send --dst ff:ff:ff:ff:ff:ff --count 1
run a: $SEND --count 500 --pps 20000" --count 500

# The kernel's fast path (no captures here: with them the switch sees every
# frame).  b announces itself, a sends it 2000 frames of three sizes; b checks
# every frame it got, the scenario's expects check who forwarded them.
# fast_test NAME TEXT AOE-SIM-OPTIONS...: passes when aoe-sim run does.
fast_test() {
	local name=$1 text=$2 id
	shift 2
	wanted "$name" || return 0
	id=fast$((++FAST_N))
	mkdir -p "$WORK/$id"
	printf '%s\n' "$text" >"$WORK/$id.sim"
	"$SIM" run "$WORK/$id.sim" --name "$PREFIX$id" --json-counters "$WORK/$id/counters.json" \
		"$@" >"$WORK/$id.log" 2>&1
	report "$name" $? "$(grep -E 'received|FAIL|kernel forwarded' "$WORK/$id.log" | tr '\n' ' ')"
}
FAST_N=0
RECV="/usr/bin/python3 tests/sim/frames.py recv --count 2000 --timeout 20"
fast_lan() { # fast_lan [HOST-B-OPTIONS]
	echo "host a
host b $*
host c
run b bg ready as=recv: $RECV
run b: /usr/bin/python3 tests/sim/frames.py send --dst ff:ff:ff:ff:ff:ff --count 1
sleep 200ms
run a: $SEND --count 2000 --pps 20000 --size 60,300,1500
wait recv
expect recv exit 0
expect recv output 2000 intact, 0 damaged, in order
expect counter b out forwarded == 2000
expect counter c out frames == 1"
}

fast_test "fast path: unicast between fault-free hosts forwarded by the kernel, intact, counted" \
	"lan x seed 30
$(fast_lan)
expect counter a in fastpath == 2000
expect counter b out fastpath == 2000"

fast_test "fast path: a host with a fault (delay) is served by the switch" "lan x seed 31
$(fast_lan)
link b out delay 1ms
expect counter a in fastpath == 0
expect counter b out fastpath == 0
expect counter b out delayed == 2000"

fast_test "fast path: hosts of different MTUs are served by the switch" "lan x mtu 9000 seed 32
$(fast_lan mtu 1500)
expect counter a in fastpath == 0
expect counter b out fastpath == 0"

# The fast path skips the MTU check a veth makes on delivery, so it follows
# each host's MTU: after b lowers its own, a's 4000-byte frames must go the
# switch's way (where b's veth drops them) and only the 1000-byte ones fast.
fast_test "fast path: a host that lowers its MTU at run time gets no longer frames" "lan x mtu 9000 seed 34
host a
host b
host c
run b bg ready as=recv: /usr/bin/python3 tests/sim/frames.py recv --count 100 --timeout 20
run b: ip link set dev eth0 mtu 1500
run b: /usr/bin/python3 tests/sim/frames.py send --dst ff:ff:ff:ff:ff:ff --count 1
sleep 200ms
run a: $SEND --count 200 --pps 20000 --size 1000,4000
wait recv
expect recv exit 0
expect recv output 100 intact, 0 damaged, in order
expect counter a in fastpath == 100
expect counter b out fastpath == 100"

# Nor may it hand a host frames for an address it gave up: after b takes
# another MAC, a's frames to the old one go the switch's way (to b's veth,
# which passes them up as for another host).
fast_test "fast path: a host that changes its MAC leaves it" "lan x seed 35
host a
host b
host c
run b: /usr/bin/python3 tests/sim/frames.py send --dst ff:ff:ff:ff:ff:ff --count 1
sleep 200ms
run a: $SEND --count 100 --pps 20000
run b: ip link set dev eth0 address 02:ae:00:00:00:99
sleep 200ms
run a: $SEND --count 100 --pps 20000
expect counter a in fastpath == 100
expect counter b out fastpath == 100
expect counter b out forwarded == 200"

fast_test "fast path off (--no-fastpath): the switch forwards everything" "lan x seed 33
$(fast_lan)
expect counter a in fastpath == 0
expect counter b out fastpath == 0" --no-fastpath

# The same seed replays the same faults; another seed does not.
if wanted "seeded"; then
	text="lan x seed 23
host a
host b
link b out loss 20% dup 5% reorder 5%
run a: $SEND --count 3000 --pps 20000"
	run_sim seed1 "$text"; r1=$?
	run_sim seed2 "$text"; r2=$?
	run_sim seed3 "${text/seed 23/seed 24}"; r3=$?
	s1=$("${FRAMES[@]}" seqs "$WORK/seed1" | md5sum)
	s2=$("${FRAMES[@]}" seqs "$WORK/seed2" | md5sum)
	s3=$("${FRAMES[@]}" seqs "$WORK/seed3" | md5sum)
	rc=1
	[[ $r1$r2$r3 == 000 && "$s1" == "$s2" && "$s1" != "$s3" ]] && rc=0
	report "seeded: same seed same frames, other seed other frames" $rc "${s1%% *} ${s2%% *} ${s3%% *}"
fi

# Captures are read by tcpdump and tshark, not only by our own parser.
if wanted "pcap"; then
	rc=1
	nt=0 ns=0
	if run_sim pcap "lan x
host a
host b
run a: $SEND --count 100"; then
		# tcpdump follows each unknown frame with hex lines: count the frame lines.
		nt=$(tcpdump -r "$WORK/pcap/b.pcap" -nn 2>/dev/null | grep -c '^[0-9]')
		ns=$(tshark -r "$WORK/pcap/b.pcap" 2>/dev/null | wc -l)
		[[ $nt -eq 100 && $ns -eq 100 ]] && rc=0
	fi
	report "pcap files read by tcpdump and tshark" $rc "tcpdump $nt frames, tshark $ns"
fi

no_leftovers() { # no_leftovers LAN: nothing of it left
	local lan=$1
	! ip netns list | grep -q "^$lan-" && [[ ! -e /run/aoe-sim/$lan ]]
}

if wanted "cleanup after a failing command"; then
	run_sim fail "lan x
host a
host b
run b bg: sleep 60
run a: false
run a: echo never"
	rc=$?
	ok=1
	[[ $rc -eq 1 ]] && no_leftovers "${PREFIX}fail" && ! grep -q '^\[a\] never' "$WORK/fail.log" && ok=0
	report "cleanup after a failing command" $ok "exit $rc"
fi

if wanted "cleanup after SIGINT"; then
	printf 'lan x\nhost a\nhost b\nrun b bg: sleep 300\nrun a: sleep 300\n' >"$WORK/int.sim"
	"$SIM" run "$WORK/int.sim" --name "${PREFIX}int" >"$WORK/int.log" 2>&1 &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		grep -q '\[a\] sleep 300' "$WORK/int.log" 2>/dev/null && break
		sleep 0.1
	done
	sleeps=$(ip netns pids "${PREFIX}int-a" 2>/dev/null; ip netns pids "${PREFIX}int-b" 2>/dev/null)
	kill -INT "$pid"
	wait "$pid"
	rc=$?
	alive=0
	for p in $sleeps; do
		# A zombie is dead (and not ours to reap once re-parented).
		state=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) || continue
		[[ "$state" != Z ]] && alive=$((alive + 1))
	done
	ok=1
	[[ $rc -eq 130 && -n "$sleeps" && $alive -eq 0 ]] && no_leftovers "${PREFIX}int" && ok=0
	report "cleanup after SIGINT: no namespace, state or process left" $ok \
		"exit $rc, $(echo "$sleeps" | wc -w) processes were running, $alive left"
fi

if wanted "up, exec, counters, down"; then
	printf 'lan x\nhost a\nhost b\n' >"$WORK/up.sim"
	lan="${PREFIX}up"
	ok=1
	if "$SIM" up "$WORK/up.sim" --name "$lan" >"$WORK/up.log" 2>&1; then
		"$SIM" exec "$lan" a -- "${FRAMES[@]}" send --dst ff:ff:ff:ff:ff:ff --count 7 >>"$WORK/up.log" 2>&1
		cnt=$("$SIM" counters "$lan" 2>&1)
		list=$("$SIM" list)
		down=$("$SIM" down "$lan" 2>&1)
		echo "$cnt" | grep -Eq '^a +in +7 ' && echo "$list" | grep -q "^$lan" &&
			echo "$down" | grep -Eq '^b +out +7 ' && no_leftovers "$lan" && ok=0
	fi
	report "up, exec, counters, down" $ok
fi

if wanted "bad scenario"; then
	printf 'lan x\nhost a\nlink a loss 10\n' >"$WORK/bad.sim"
	msg=$("$SIM" check "$WORK/bad.sim" 2>&1)
	rc=$?
	ok=1
	[[ $rc -eq 2 && "$msg" == *"bad.sim:3: loss needs a percentage"* ]] && ok=0
	report "bad scenario: file and line in the message" $ok "$msg"
fi

# impair: loss on an interface aoe-sim did not make the switch for (here the
# target's end of a direct veth pair).  Through 10% loss each way, a write and
# a read of 4 MiB come back intact, and the program's counts show it dropped
# about that share; with 100% loss in, AoE frames are all lost and others
# (EtherType 0x88b5) all arrive.
TARGET_BIN=${AOE_TARGET:-$ROOT/bin/aoe-target}
INITIATOR_BIN=${AOE_INITIATOR:-$ROOT/bin/aoe-initiator}

# impair_start LAN HOST ARGS...: impair eth0 of HOST in the background; its PID in IMPAIR_PID.
impair_start() {
	local lan=$1 host=$2 i
	shift 2
	"$SIM" exec "$lan" "$host" -- "$SIM" impair eth0 "$@" >"$WORK/impair.counts" 2>"$WORK/impair.err" &
	IMPAIR_PID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q losing "$WORK/impair.err" && return 0
		kill -0 "$IMPAIR_PID" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}

# impair_counts DIR: "FRAMES DROPPED" of that direction from the final counts.
impair_counts() { awk -v d="$1" '$1 == d { print $3, $5 }' "$WORK/impair.counts" | tail -n 1; }

if wanted "impair"; then
	name="impair: 10% loss each way on an interface aoe-sim did not make"
	lan="${PREFIX}imp"
	printf 'lan x\nhost t\nhost i\n' >"$WORK/impair.sim"
	ok=1
	detail=
	head -c 4M /dev/urandom >"$WORK/impair.data"
	truncate -s 16M "$WORK/impair.img"
	if "$SIM" up "$WORK/impair.sim" --name "$lan" --direct >"$WORK/impair-up.log" 2>&1 &&
		impair_start "$lan" t --loss-in 10% --loss-out 10%; then
		"$SIM" exec "$lan" t -- "$TARGET_BIN" -q eth0 1 0 "$WORK/impair.img" &
		tpid=$!
		if "$SIM" exec "$lan" i -- "$INITIATOR_BIN" write e1.0 -i eth0 --lba 0 \
			-f "$WORK/impair.data" >"$WORK/impair-io.log" 2>&1 &&
			"$SIM" exec "$lan" i -- "$INITIATOR_BIN" read e1.0 -i eth0 --length 4M \
				-o "$WORK/impair.back" >>"$WORK/impair-io.log" 2>&1 &&
			cmp -s "$WORK/impair.data" "$WORK/impair.back"; then
			ok=0
		else
			detail="transfer: $(tail -n 2 "$WORK/impair-io.log")"
		fi
		kill -TERM "$IMPAIR_PID" "$tpid" 2>/dev/null
		wait "$IMPAIR_PID" "$tpid" 2>/dev/null
		for d in in out; do
			read -r frames dropped <<<"$(impair_counts $d)"
			# 4 MiB is 4096 frames each way at MTU 1500; 10% of them lost, give or take.
			if [[ -z $frames ]] || ((frames < 4096 || dropped * 100 < frames * 5 ||
				dropped * 100 > frames * 16)); then
				ok=1
				detail+=" $d: frames ${frames:-?} dropped ${dropped:-?};"
			else
				detail+=" $d: $dropped of $frames dropped;"
			fi
		done
	else
		detail="could not start: $(cat "$WORK/impair-up.log" "$WORK/impair.err" 2>/dev/null | tail -n 2)"
	fi
	"$SIM" down "$lan" >/dev/null 2>&1
	report "$name" $ok "$detail"

	# 100% each way in turn: the target's answers (out), then the initiator's
	# questions (in) are all lost, while other frames the same way all arrive.
	name="impair: 100% loss out, then in: no AoE frame gets through, every other does"
	lan="${PREFIX}imq"
	ok=1
	detail=
	if "$SIM" up "$WORK/impair.sim" --name "$lan" --direct >"$WORK/impair-up.log" 2>&1; then
		"$SIM" exec "$lan" t -- "$TARGET_BIN" -q eth0 1 0 "$WORK/impair.img" &
		tpid=$!
		discover() { "$SIM" exec "$lan" i -- "$INITIATOR_BIN" discover -i eth0 -t 0.5 2>&1 | grep -c 'e1\.0'; }
		mac_t=$("$SIM" exec "$lan" t -- cat /sys/class/net/eth0/address)
		mac_i=$("$SIM" exec "$lan" i -- cat /sys/class/net/eth0/address)
		sleep 0.3
		before=$(discover)
		ok=0
		for d in out in; do
			if [[ $d == out ]]; then from=t to=i dst=$mac_i; else from=i to=t dst=$mac_t; fi
			if ! impair_start "$lan" t --loss-$d 100%; then
				ok=1 detail+=" $d: did not start: $(cat "$WORK/impair.err")"
				break
			fi
			"$SIM" exec "$lan" "$to" -- "${FRAMES[@]}" recv --count 500 --timeout 20 \
				>"$WORK/impair-recv.log" 2>&1 &
			rpid=$!
			sleep 0.3
			"$SIM" exec "$lan" "$from" -- "${FRAMES[@]}" send --dst "$dst" --count 500 >/dev/null 2>&1
			wait "$rpid"
			recv_rc=$?
			during=$(discover)
			kill -TERM "$IMPAIR_PID" 2>/dev/null
			wait "$IMPAIR_PID" 2>/dev/null
			read -r frames dropped <<<"$(impair_counts $d)"
			detail+=" $d: target found ${during}x, $(cat "$WORK/impair-recv.log"), AoE ${dropped:-?} of ${frames:-?} dropped;"
			[[ $recv_rc -eq 0 && $during == 0 && -n $frames && $frames -ge 1 && $frames == "$dropped" ]] || ok=1
		done
		after=$(discover)
		detail="before: found ${before}x; after: ${after}x;$detail"
		[[ $before -ge 1 && $after -ge 1 ]] || ok=1
		kill -TERM "$tpid" 2>/dev/null
		wait "$tpid" 2>/dev/null
	else
		detail="could not start: $(tail -n 2 "$WORK/impair-up.log")"
	fi
	"$SIM" down "$lan" >/dev/null 2>&1
	report "$name" $ok "$detail"
fi

# `check` prints a scenario in the format it reads: printing what it printed
# gives the same statements (comments name the lines of the file read, so
# they differ).
if wanted "check reads its own output"; then
	ok=0
	detail=
	for f in sim/scenarios/*.sim; do
		if ! "$SIM" check "$f" >"$WORK/printed.sim" 2>"$WORK/printed.err" ||
			! "$SIM" check "$WORK/printed.sim" >"$WORK/reprinted.sim" 2>>"$WORK/printed.err" ||
			! diff <(grep -v '^#' "$WORK/printed.sim") <(grep -v '^#' "$WORK/reprinted.sim") \
				>>"$WORK/printed.err"; then
			ok=1
			detail="$f: $(head -n 3 "$WORK/printed.err")"
			break
		fi
	done
	report "check reads its own output" $ok "$detail"
fi

# Every shipped scenario runs and passes its own expectations.
for f in sim/scenarios/*.sim; do
	[[ -e "$f" ]] || continue
	name="scenario $(basename "$f")"
	wanted "$name" || continue
	log="$WORK/$(basename "$f").log"
	"$SIM" run "$f" --name "${PREFIX}sc$N" >"$log" 2>&1
	rc=$?
	report "$name" $rc "$(tail -n 1 "$log")"
	[[ $rc -eq 0 ]] || sed 's/^/#   /' "$log" | tail -n 20
done

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
