#!/usr/bin/env bash
# tests/bench/profile.sh - where a target spends its time, for docs/performance.md.
#
# Usage: tests/bench/profile.sh aoe-target|vblade [MODE] [INFLIGHT] [RATE] [MTU]
# Serves a tmpfs image from a private two-namespace LAN, offers the load with
# bin/aoe-bench and reports, for that target alone:
#   system calls per request counted by perf's syscall tracepoints (cheap
#     enough not to change the batching),
#   strace -c: the same by strace (a run of its own: strace slows the target
#     down so much that a batching target batches more; the counts above are
#     the ones to read, this one names every call),
#   perf record: where its CPU time goes (cpu-clock samples, kernel and user),
#   and its CPU time per request from /proc/PID/stat in a clean run.
# Defaults: seqread, 64 in flight, 100000 requests/s, MTU 1500.
# Environment: PROFILE_SECONDS (default 5), PROFILE_OUT (default build/bench/profile),
# PROFILE_TARGET_ARGS (extra aoe-target options).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=sim/lan.sh
. "$ROOT/sim/lan.sh"

KIND=${1:?usage: profile.sh aoe-target|vblade [MODE] [INFLIGHT] [RATE] [MTU]}
MODE=${2:-seqread}
INFLIGHT=${3:-64}
RATE=${4:-100000}
MTU=${5:-1500}
SECS=${PROFILE_SECONDS:-5}
OUT=${PROFILE_OUT:-$ROOT/build/bench/profile}
LAN="aoekit-prof-$$"
IMAGE="/dev/shm/$LAN.img"
PID=

cleanup() {
	trap - EXIT INT TERM
	[[ -n $PID ]] && { lan_stop "$PID" 3 || true; }
	lan_down "$LAN" || true
	rm -f "$IMAGE"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

lan_require_root
mkdir -p "$OUT"
lan_up "$LAN" "$MTU"
dd if=/dev/zero of="$IMAGE" bs=1M count=256 status=none
case $KIND in
# shellcheck disable=SC2086 # options are words
aoe-target) lan_spawn "$LAN" a "$OUT/target.log" "$ROOT/bin/aoe-target" -q ${PROFILE_TARGET_ARGS:-} eth0 1 0 "$IMAGE" ;;
vblade) lan_spawn "$LAN" a "$OUT/target.log" /usr/sbin/vblade 1 0 eth0 "$IMAGE" ;;
*) echo "profile.sh: aoe-target or vblade, not $KIND" >&2; exit 2 ;;
esac
PID=$LAN_PID
lan_wait_port "$LAN" a "$PID" 5
rate_arg=()
((RATE > 0)) && rate_arg=(-r "$RATE")
load() { # SECONDS
	ip netns exec "$LAN-b" "$ROOT/bin/aoe-bench" -i eth0 -m "$MODE" -q "$INFLIGHT" -d "$1" \
		"${rate_arg[@]}" --json e1.0
}
load 0.5 >/dev/null

tag="$KIND-$MODE-q$INFLIGHT-r$RATE-mtu$MTU"
# A clean run first: CPU per request without any observer.
t0=$(awk '{ print $14 + $15 }' "/proc/$PID/stat")
clean=$(load "$SECS")
t1=$(awk '{ print $14 + $15 }' "/proc/$PID/stat")
completed=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["completed"])' "$clean")
printf '%s: %s\n' "$tag" "$clean"
awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$completed" \
	'BEGIN { printf "target CPU %.2f s, %.2f us per request\n", t / hz, 1e6 * t / hz / n }'

# Tracepoint counts: each of the calls either target makes, per request.
calls=(poll ppoll read write pread64 preadv2 pwritev2 recvmmsg sendmmsg sendto io_uring_enter fdatasync)
events=raw_syscalls:sys_enter
for c in "${calls[@]}"; do events+=",syscalls:sys_enter_$c"; done
perf stat -x, -e "$events" -p "$PID" -o "$OUT/$tag.syscalls" -- sleep "$SECS" &
ppid=$!
sleep 0.2
counted=$(load "$SECS")
wait "$ppid" || true
completed=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["completed"])' "$counted")
printf 'counted: %s\n' "$counted"
awk -F, -v n="$completed" '$1 ~ /^[0-9]+$/ && $1 > 0 { sub(/.*:sys_enter_?/, "", $3);
	printf "%-16s %8.3f per request\n", ($3 == "" ? "all" : $3), $1 / n }' "$OUT/$tag.syscalls"

# strace -c counts every system call of every thread while the load runs.
strace -c -f -p "$PID" -o "$OUT/$tag.strace" &
spid=$!
sleep 0.3
traced=$(load "$SECS")
kill -INT "$spid"
wait "$spid" || true
completed=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["completed"])' "$traced")
printf 'under strace: %s\n' "$traced"
# strace -c columns: % time, seconds, usecs/call, calls, [errors], syscall.
awk -v n="$completed" 'NR <= 2 || /^-/ || NF < 5 { next }
	{ printf "%-16s %8.3f per request\n", $NF, $4 / n }' "$OUT/$tag.strace"

# perf: cpu-clock samples of this process only, with call graphs.
if perf record -q -e cpu-clock -g -p "$PID" -o "$OUT/$tag.perf" -- sleep "$SECS" 2>/dev/null &
then
	ppid=$!
	load "$SECS" >/dev/null
	wait "$ppid" || true
	perf report -i "$OUT/$tag.perf" --no-children --percent-limit 1.5 --stdio -g none \
		--sort sym 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40 >"$OUT/$tag.perf.txt" || true
	cat "$OUT/$tag.perf.txt"
fi
