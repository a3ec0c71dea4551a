#!/usr/bin/env bash
# tests/bench/bench.sh - aoe-target against Debian's vblade, side by side (`make bench`).
#
# Two namespaces joined by two veth pairs: aoe-target serves e1.0 on eth0,
# vblade serves e2.0 on eth1, both from host a, each from its own image; the
# load generator (bin/aoe-bench) runs on host b.  Both targets stay up for a
# whole LAN, so every case runs A B A B back to back and a change of load on
# the machine hits both alike.  For each MTU (1500, 9000), image on tmpfs:
#   seqread, randread, seqwrite at 1, 16 and 64 requests in flight (closed loop),
#   a fixed offered load (open loop) at which the target's CPU per request counts.
#   aoe-initiator reading 64 MiB (QUICK: 16) of each target to /dev/null: what the
#   project's own initiator gets, and the CPU it needs for it.
# Then, at MTU 1500, images on a real disk (BENCH_DISK_DIR, default /var/tmp):
#   seqwrite with aoe-target in its default (durable) mode against vblade -s.
#
# Target CPU comes from /proc/PID/stat (utime + stime, all threads), the
# generator's from its own getrusage; "others" is what the rest of the machine
# used meanwhile (from /proc/stat), in cores, to judge the noise.
#
# Output: a table on stdout, build/bench/results.json (every run and the
# summary), build/bench/results.md (the table), build/bench/runs.jsonl.
#
# Environment:
#   QUICK=1              about a minute: 0.3 s runs, fewer fixed-load and durable cases
#   BENCH_SECONDS=S      seconds per run (default 3; QUICK 0.3)
#   BENCH_ROUNDS=N       A B pairs per case (default 2)
#   BENCH_MTUS="1500 9000"  BENCH_DEPTHS="1 16 64"  BENCH_MODES="seqread randread seqwrite"
#                        (BENCH_MODES= : no closed-loop rows, only the fixed loads)
#   BENCH_FIXED_MODES="seqread seqwrite"  the fixed-load rows (QUICK: seqread)
#   BENCH_DISK=0         skip the real-disk durable-write case
#   BENCH_INITIATOR=0    skip the aoe-initiator whole-read case
#   BENCH_TARGET_ARGS=.. extra options for aoe-target (A); BENCH_A_ENV="VAR=value ..." its environment
#   BENCH_B=vblade|aoe-target   what B is (aoe-target: with BENCH_B_ARGS and BENCH_B_ENV,
#                        to compare two settings of ours, or BENCH_B_BIN=PATH, two builds)
#   BENCH_GEN_ARGS=..    extra options for aoe-bench
#   BENCH_RT=1           targets and generator as SCHED_FIFO, pinned (targets on CPU 0, the
#                        generator on CPU 1): a loaded machine's other work no longer
#                        delays their wake-ups.  Takes the CPUs from everyone else while
#                        it runs (up to the kernel's 95% RT limit): only briefly, and
#                        not where others' work matters.  One request in flight is
#                        distorted under it (RT wake-ups preempt whatever runs).
#   BENCH_OUT=DIR        where results go (default build/bench)
# Never touches the machine's own interfaces; everything it makes is removed on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=sim/lan.sh
. "$ROOT/sim/lan.sh"

TARGET=${AOE_TARGET:-$ROOT/bin/aoe-target}
BENCH=${AOE_BENCH:-$ROOT/bin/aoe-bench}
INITIATOR=${AOE_INITIATOR:-$ROOT/bin/aoe-initiator}
VBLADE=${VBLADE:-/usr/sbin/vblade}
OUT=${BENCH_OUT:-$ROOT/build/bench}
QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
	RUN_SECONDS=${BENCH_SECONDS:-0.3}
	DISK_DEPTHS=${BENCH_DISK_DEPTHS:-"16"}
	FIXED_MODES=${BENCH_FIXED_MODES:-"seqread"}
	INITIATOR_MIB=16
else
	RUN_SECONDS=${BENCH_SECONDS:-3}
	DISK_DEPTHS=${BENCH_DISK_DEPTHS:-"1 16 64"}
	FIXED_MODES=${BENCH_FIXED_MODES:-"seqread seqwrite"}
	INITIATOR_MIB=64
fi
ROUNDS=${BENCH_ROUNDS:-2}
MTUS=${BENCH_MTUS:-"1500 9000"}
DEPTHS=${BENCH_DEPTHS:-"1 16 64"}
MODES=${BENCH_MODES-"seqread randread seqwrite"}
DISK=${BENCH_DISK:-1}
WITH_INITIATOR=${BENCH_INITIATOR:-1}
DISK_DIR=${BENCH_DISK_DIR:-/var/tmp}
TARGET_ARGS=${BENCH_TARGET_ARGS:-}
B_KIND=${BENCH_B:-vblade}
B_ARGS=${BENCH_B_ARGS:-}
B_BIN=${BENCH_B_BIN:-$TARGET}
A_ENV=${BENCH_A_ENV:-}
B_ENV=${BENCH_B_ENV:-}
GEN_ARGS=${BENCH_GEN_ARGS:-}
RT=${BENCH_RT:-0}
TARGET_PREFIX=()
GEN_PREFIX=()
if [[ $RT == 1 ]]; then
	TARGET_PREFIX=(chrt -f 10 taskset -c 0)
	GEN_PREFIX=(chrt -f 10 taskset -c 1)
	# With a CPU of its own the generator may as well spin on its ring a little.
	GEN_ARGS="--spin 50 $GEN_ARGS"
fi
IMAGE_MIB=256
DISK_IMAGE_MIB=64
PREFIX="aoekit-bench-$$"
CLK_TCK=$(getconf CLK_TCK)

LANS=()
IMAGES=()
PIDS=()

cleanup() {
	local pid lan
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do
		lan_stop "$pid" 3 || true
	done
	for lan in "${LANS[@]}"; do
		lan_down "$lan" || true
	done
	rm -f "${IMAGES[@]}"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
	printf 'bench.sh: %s\n' "$*" >&2
	exit 1
}

# The offered load of the fixed-load case: about 40% of what vblade manages.
fixed_rate() { # MTU
	if (($1 >= 9000)); then echo 50000; else echo 100000; fi
}

# A second veth pair, eth1 on both sides, so that each target has its own wire.
add_second_wire() { # LAN MTU
	local lan=$1 mtu=$2 side i state
	ip link add eth1 netns "$lan-a" mtu "$mtu" type veth peer name eth1 netns "$lan-b" mtu "$mtu"
	ip -n "$lan-a" link set eth1 up
	ip -n "$lan-b" link set eth1 up
	for side in a b; do
		for ((i = 0; i < 100; i++)); do
			state=$(ip netns exec "$lan-$side" cat /sys/class/net/eth1/operstate 2>/dev/null) || state=
			[[ $state == up ]] && break
			sleep 0.05
		done
		[[ $state == up ]] || die "eth1 in $lan-$side did not come up"
	done
}

new_image() { # PATH MIB
	IMAGES+=("$1")
	# Written, not sparse: writes overwrite allocated blocks, as on a real export.
	dd if=/dev/zero of="$1" bs=1M count="$2" status=none conv=fsync
}

# Start a target in the LAN's host a; its PID goes to STARTED_PID.
start_target() { # LAN KIND IFACE SHELF IMAGE EXTRA_ARGS LOG ENV [BINARY]
	local lan=$1 kind=$2 iface=$3 shelf=$4 image=$5 extra=$6 log=$7 environment=$8 bin=${9:-$TARGET}
	# shellcheck disable=SC2086 # extra options and environment are words
	case $kind in
	vblade) lan_spawn "$lan" a "$log" "${TARGET_PREFIX[@]}" env $environment "$VBLADE" $extra \
		"$shelf" 0 "$iface" "$image" ;;
	aoe-target) lan_spawn "$lan" a "$log" "${TARGET_PREFIX[@]}" env $environment "$bin" -q $extra \
		"$iface" "$shelf" 0 "$image" ;;
	*) die "unknown target kind $kind" ;;
	esac
	STARTED_PID=$LAN_PID
	PIDS+=("$LAN_PID")
	sleep 0.2
	kill -0 "$LAN_PID" 2>/dev/null || die "$kind did not start: $(cat "$log")"
	# Wait until it answers: a short run that must complete requests.
	local i
	for ((i = 0; i < 20; i++)); do
		if ip netns exec "$lan-b" "$BENCH" -i "$iface" -m seqread -q 1 -d 0.05 --json "e$shelf.0" \
			>/dev/null 2>&1; then
			return 0
		fi
		sleep 0.2
	done
	die "$kind on $iface does not answer"
}

stop_target() { # PID
	local pid=$1 keep=() p
	lan_stop "$pid" 5 || true
	for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}

cpu_ticks() { # PID: utime + stime of every thread, in clock ticks
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

machine_busy_ticks() { # all CPUs: everything but idle and iowait
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

# One run of the generator against one target; appends a JSON line to RUNS.
run_one() { # LAN LABEL PID IFACE SHELF MTU STORE MODE Q RATE ROUND
	local lan=$1 label=$2 pid=$3 iface=$4 shelf=$5 mtu=$6 store=$7 mode=$8 q=$9 rate=${10} round=${11}
	local t0 t1 m0 m1 out rate_arg=()
	((rate > 0)) && rate_arg=(-r "$rate")
	t0=$(cpu_ticks "$pid")
	m0=$(machine_busy_ticks)
	# shellcheck disable=SC2086 # options are words
	out=$(ip netns exec "$lan-b" "${GEN_PREFIX[@]}" "$BENCH" -i "$iface" -m "$mode" -q "$q" \
		-d "$RUN_SECONDS" "${rate_arg[@]}" $GEN_ARGS --json "e$shelf.0") || die "aoe-bench failed against $label ($mode q$q): $out"
	t1=$(cpu_ticks "$pid")
	m1=$(machine_busy_ticks)
	printf '{"target": "%s", "mtu": %s, "store": "%s", "mode": "%s", "inflight": %s, "rate": %s, ' \
		"$label" "$mtu" "$store" "$mode" "$q" "$rate" >>"$RUNS"
	printf '"round": %s, "target_cpu_s": %s, "machine_busy_s": %s, "bench": %s}\n' "$round" \
		"$(awk -v t=$((t1 - t0)) -v hz="$CLK_TCK" 'BEGIN { printf "%.3f", t / hz }')" \
		"$(awk -v t=$((m1 - m0)) -v hz="$CLK_TCK" 'BEGIN { printf "%.3f", t / hz }')" "$out" >>"$RUNS"
	printf '  %-4s %-8s q%-3s %-7s %-22s %s\n' "$mtu" "$mode" "$q" "${rate/#0/-}" "$label" \
		"$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("%(iops).0f IOPS, p50 %(p50_us).0f us, %(retransmits)d retransmits, generator CPU %(bench_cpu_share).2f" % d)' "$out")" >&2
}

# A B A B...: each round runs A then B, so both see the same machine.
run_case() { # LAN MTU STORE MODE Q RATE
	local round
	for ((round = 1; round <= ROUNDS; round++)); do
		run_one "$1" "$A_LABEL" "$A_PID" eth0 1 "$2" "$3" "$4" "$5" "$6" "$round"
		run_one "$1" "$B_LABEL" "$B_PID" eth1 2 "$2" "$3" "$4" "$5" "$6" "$round"
	done
}

# aoe-initiator reads INITIATOR_MIB of one target; bash's `time` gives its CPU.
initiator_one() { # LAN LABEL PID IFACE SHELF MTU ROUND
	local lan=$1 label=$2 pid=$3 iface=$4 shelf=$5 mtu=$6 round=$7 t0 t1 times
	t0=$(cpu_ticks "$pid")
	times=$( { TIMEFORMAT='%R %U %S'; time ip netns exec "$lan-b" "$INITIATOR" read "e$shelf.0" \
		-i "$iface" --length "${INITIATOR_MIB}M" -o /dev/null >/dev/null 2>&1; } 2>&1) ||
		die "aoe-initiator read failed against $label: $times"
	t1=$(cpu_ticks "$pid")
	local wall user sys
	read -r wall user sys <<<"${times##*$'\n'}"
	printf '{"kind": "initiator", "target": "%s", "mtu": %s, "store": "tmpfs", "mode": "initiator-read", ' \
		"$label" "$mtu" >>"$RUNS"
	printf '"inflight": 0, "rate": 0, "round": %s, "bytes": %s, "seconds": %s, "initiator_cpu_s": %s, ' \
		"$round" $((INITIATOR_MIB << 20)) "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" \
		>>"$RUNS"
	printf '"target_cpu_s": %s}\n' "$(awk -v t=$((t1 - t0)) -v hz="$CLK_TCK" 'BEGIN { printf "%.3f", t / hz }')" \
		>>"$RUNS"
	printf '  %-4s %-17s %-22s %s MiB in %s s\n' "$mtu" "initiator read" "$label" "$INITIATOR_MIB" "$wall" >&2
}

initiator_case() { # LAN MTU
	local round
	for ((round = 1; round <= ROUNDS; round++)); do
		initiator_one "$1" "$A_LABEL" "$A_PID" eth0 1 "$2" "$round"
		initiator_one "$1" "$B_LABEL" "$B_PID" eth1 2 "$2" "$round"
	done
}

start_pair() { # LAN STORE_DIR MIB B_EXTRA
	local lan=$1 dir=$2 mib=$3 b_extra=$4
	local a_img="$dir/$PREFIX-a.img" b_img="$dir/$PREFIX-b.img"
	new_image "$a_img" "$mib"
	new_image "$b_img" "$mib"
	start_target "$lan" aoe-target eth0 1 "$a_img" "$TARGET_ARGS" "$OUT/target-a.log" "$A_ENV"
	A_PID=$STARTED_PID
	start_target "$lan" "$B_KIND" eth1 2 "$b_img" "$b_extra" "$OUT/target-b.log" "$B_ENV" "$B_BIN"
	B_PID=$STARTED_PID
}

stop_pair() {
	stop_target "$A_PID"
	stop_target "$B_PID"
	rm -f "${IMAGES[@]}"
	IMAGES=()
}

bench_mtu() { # MTU
	local mtu=$1 lan="$PREFIX-$1" mode q
	lan_up "$lan" "$mtu" || die "cannot build the LAN"
	LANS+=("$lan")
	add_second_wire "$lan" "$mtu"
	printf 'MTU %s, images on tmpfs (%s MiB)\n' "$mtu" "$IMAGE_MIB" >&2
	start_pair "$lan" /dev/shm "$IMAGE_MIB" "$B_ARGS"
	for mode in $MODES; do
		for q in $DEPTHS; do
			run_case "$lan" "$mtu" tmpfs "$mode" "$q" 0
		done
	done
	for mode in $FIXED_MODES; do
		run_case "$lan" "$mtu" tmpfs "$mode" 64 "$(fixed_rate "$mtu")"
	done
	if [[ $WITH_INITIATOR == 1 && -x $INITIATOR ]]; then
		initiator_case "$lan" "$mtu"
	fi
	stop_pair
	if [[ $DISK == 1 && $mtu == "${MTUS%% *}" ]]; then
		printf 'MTU %s, images on a real disk (%s), durable writes\n' "$mtu" "$DISK_DIR" >&2
		local b_extra=$B_ARGS
		[[ $B_KIND == vblade ]] && b_extra="-s $B_ARGS"
		start_pair "$lan" "$DISK_DIR" "$DISK_IMAGE_MIB" "$b_extra"
		for q in $DISK_DEPTHS; do
			run_case "$lan" "$mtu" disk seqwrite "$q" 0
		done
		stop_pair
	fi
	lan_down "$lan"
	LANS=()
}

main() {
	lan_require_root || exit 1
	[[ -x $TARGET && -x $BENCH ]] || die "build first: make all bin/aoe-bench"
	if [[ $B_KIND == vblade && ! -x $VBLADE ]]; then
		die "$VBLADE is missing (apt-get install vblade)"
	fi
	mkdir -p "$OUT"
	RUNS="$OUT/runs.jsonl"
	: >"$RUNS"
	A_LABEL="${A_ENV:+$A_ENV }aoe-target${TARGET_ARGS:+ $TARGET_ARGS}"
	B_LABEL="${B_ENV:+$B_ENV }$B_KIND${B_ARGS:+ $B_ARGS}"
	[[ $B_KIND == aoe-target && $B_BIN != "$TARGET" ]] && B_LABEL="$B_LABEL ($B_BIN)"
	[[ $A_LABEL != "$B_LABEL" ]] || B_LABEL="$B_LABEL (B)"
	local started load_before
	started=$(date +%s)
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	printf 'bench: %s s per run, %s rounds, load average %s, %s CPUs\n' "$RUN_SECONDS" "$ROUNDS" \
		"$load_before" "$(nproc)" >&2
	local mtu
	for mtu in $MTUS; do
		bench_mtu "$mtu"
	done
	python3 "$ROOT/tests/bench/report.py" --runs "$RUNS" --json "$OUT/results.json" \
		--markdown "$OUT/results.md" --a "$A_LABEL" --b "$B_LABEL" \
		--meta "load_before=$load_before" --meta "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" \
		--meta "seconds_per_run=$RUN_SECONDS" --meta "rounds=$ROUNDS" --meta "rt=$RT" \
		--meta "elapsed_s=$(($(date +%s) - started))" --meta "cpus=$(nproc)" \
		--meta "kernel=$(uname -r)" --meta "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
}

main "$@"
