#!/usr/bin/env bash
# tests/bench/soak.sh - aoe-target's memory under a long load (docs/performance.md).
#
# Two aoe-target processes serve a small and a large export (64 MiB and
# 4 GiB, sparse, on tmpfs) side by side while generators keep both busy with
# random reads (all over the export) and sequential writes (its first 64 MiB)
# in turn.  Every SOAK_STEP seconds the
# resident size (VmRSS) of each is sampled.  What it shows: the resident size
# does not depend on the export's size, and does not grow over the run.
# Prints the samples and a summary line; never fails on a figure.
#
# Environment: SOAK_SECONDS (default 600), SOAK_STEP (default 10).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=sim/lan.sh
. "$ROOT/sim/lan.sh"

SECONDS_TOTAL=${SOAK_SECONDS:-600}
STEP=${SOAK_STEP:-10}
LAN="aoekit-soak-$$"
SMALL="/dev/shm/$LAN-small.img"
LARGE="/dev/shm/$LAN-large.img"
PIDS=()

cleanup() {
	trap - EXIT INT TERM
	local pid
	for pid in "${PIDS[@]}"; do lan_stop "$pid" 3 || true; done
	lan_down "$LAN" || true
	rm -f "$SMALL" "$LARGE"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

lan_require_root
lan_up "$LAN" 1500
ip link add eth1 netns "$LAN-a" type veth peer name eth1 netns "$LAN-b"
ip -n "$LAN-a" link set eth1 up
ip -n "$LAN-b" link set eth1 up
sleep 0.5
truncate -s 64M "$SMALL"
truncate -s 4G "$LARGE"
lan_spawn "$LAN" a /dev/null "$ROOT/bin/aoe-target" -q eth0 1 0 "$SMALL"
small_pid=$LAN_PID
PIDS+=("$small_pid")
lan_spawn "$LAN" a /dev/null "$ROOT/bin/aoe-target" -q eth1 2 0 "$LARGE"
large_pid=$LAN_PID
PIDS+=("$large_pid")
lan_wait_port "$LAN" a "$small_pid" 5
sleep 0.5

# Reads roam the whole export; writes stay in its first 64 MiB, so that tmpfs
# does not fill a shared machine's memory with a 4 GiB image.
load() { # IFACE TARGET MODE
	local span=()
	[[ $3 == seqwrite ]] && span=(-S 131072)
	ip netns exec "$LAN-b" "$ROOT/bin/aoe-bench" -i "$1" -m "$3" -q 16 -d "$STEP" "${span[@]}" "$2" \
		>/dev/null
}

printf '%6s %12s %12s\n' seconds small_KiB large_KiB
first_small=$(rss_kib "$small_pid")
first_large=$(rss_kib "$large_pid")
max_small=$first_small
max_large=$first_large
modes=(randread seqwrite)
for ((t = 0, i = 0; t < SECONDS_TOTAL; t += STEP, i++)); do
	mode=${modes[i % 2]}
	load eth0 e1.0 "$mode" &
	a=$!
	load eth1 e2.0 "$mode" || true
	wait "$a" || true
	s=$(rss_kib "$small_pid")
	l=$(rss_kib "$large_pid")
	((s > max_small)) && max_small=$s
	((l > max_large)) && max_large=$l
	printf '%6s %12s %12s  (%s)\n' $((t + STEP)) "$s" "$l" "$mode"
done
printf 'summary: RSS KiB small export (64 MiB) %s -> %s (max %s); large export (4 GiB) %s -> %s (max %s)\n' \
	"$first_small" "$(rss_kib "$small_pid")" "$max_small" "$first_large" "$(rss_kib "$large_pid")" "$max_large"
