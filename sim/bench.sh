#!/usr/bin/env bash
# sim/bench.sh - is aoe-sim's switch the bottleneck?  The same transfer through
# the switch and over a direct veth pair (aoe-sim run --direct), alternating
# (direct, switch, direct, switch...) so that a machine whose load changes
# meanwhile weighs on both columns alike.
#
#   sim/bench.sh [--size 256M] [--mtu "1500 9000"] [--runs 3] [--pcap] [--compare BIN]
#
# With bin/aoe-target and bin/aoe-initiator: an AoE read of SIZE from an
# image allocated on tmpfs to /dev/null.  Without them: raw frames from tests/sim/frames.py
# (which measures Python more than the switch).  Columns: direct (one veth
# pair), switch (as aoe-sim runs by default: the kernel forwards between
# fault-free ports), user (--no-fastpath: the switch forwards every frame
# itself, as it does on links with faults).  --pcap adds a column: the
# switch writing a capture of every port.  --compare adds one for another
# aoe-sim binary (an older build; repeatable), in the same rounds.  Prints
# the best and the median of the runs, and ratios; asserts nothing.  Must run
# as root, from anywhere.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SIM=bin/aoe-sim
SIZE=256M
MTUS="1500 9000"
RUNS=3
PCAP=0
COMPARE=

while (($# > 0)); do
	case $1 in
	--size) SIZE=$2; shift 2 ;;
	--mtu) MTUS=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--pcap) PCAP=1; shift ;;
	--compare) COMPARE+=" $(realpath "$2")"; shift 2 ;;
	-h | --help) sed -n '2,18p' "$0"; exit 0 ;;
	*) echo "sim/bench.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ $EUID -eq 0 ]] || { echo "sim/bench.sh: must run as root" >&2; exit 1; }
[[ -x $SIM ]] || make -s bin/aoe-sim

WORK=$(mktemp -d /tmp/aoe-sim-bench.XXXXXX)
# The export lives on tmpfs and is allocated once: a fresh image on the disk
# would make every run pay for filling the page cache, the same for every
# column, and hide the switch's share.
IMG=/dev/shm/aoe-sim-bench.$$.img
trap 'rm -rf "$WORK" "$IMG" /tmp/aoe-sim.bench$$.*' EXIT   # a failed run keeps its {tmp}

if [[ -x bin/aoe-target && -x bin/aoe-initiator ]]; then
	MODE=aoe
else
	MODE=frames
fi

# SIZE in bytes, for MB/s.
bytes() {
	local n=${1%[KMGkmg]} unit=${1##*[0-9]}
	case $unit in
	K | k) echo $((n << 10)) ;; M | m) echo $((n << 20)) ;; G | g) echo $((n << 30)) ;; *) echo "$n" ;;
	esac
}

scenario() { # scenario MTU
	if [[ $MODE == aoe ]]; then
		cat <<EOS
lan bench mtu $1
host t
host i
run t bg ready: bin/aoe-target -q eth0 9 0 $IMG
run i as=transfer: bin/aoe-initiator read e9.0 -i eth0 --length $SIZE -o /dev/null
EOS
	else
		cat <<EOS
lan bench mtu $1
host t
host i
run i as=transfer: /usr/bin/python3 tests/sim/frames.py send --dst {mac:t} --count $(($(bytes "$SIZE") / $1)) --size $(($1 + 14))
EOS
	fi
}

# One run: prints the transfer's seconds (from the runner's "exit 0 after X s").
one_run() { # one_run SIM MTU EXTRA-ARGS...
	local sim=$1 mtu=$2 log=$WORK/run.log
	shift 2
	scenario "$mtu" >"$WORK/bench.sim"
	if ! "$sim" run "$WORK/bench.sim" --name "bench$$" "$@" >"$log" 2>&1; then
		echo "sim/bench.sh: run failed:" >&2
		tail -n 15 "$log" >&2
		return 1
	fi
	# "SECONDS US-PER-FRAME": the switch process's CPU per frame that crossed the
	# LAN, whoever forwarded it (- without a switch)
	local t cpu frames kernel
	t=$(sed -n 's/^aoe-sim: \[transfer\] exit 0 after \([0-9.]*\) s$/\1/p' "$log")
	cpu=$(sed -n 's/^aoe-sim: switch CPU \([0-9.]*\) s .*$/\1/p' "$log")
	frames=$(sed -n 's/^aoe-sim: switch CPU .* for \([0-9]*\) frames received.*$/\1/p' "$log")
	kernel=$(sed -n 's/^aoe-sim: the kernel forwarded \([0-9]*\) frames.*$/\1/p' "$log")
	if [[ -n $cpu ]]; then
		awk -v t="$t" -v c="$cpu" -v f="$frames" -v k="${kernel:-0}" \
			'BEGIN { n = f + k; printf "%s %s\n", t, n ? sprintf("%.2f", c * 1e6 / n) : "-" }'
	else
		echo "$t -"
	fi
}

# The columns of one round, each "NAME SIM EXTRA-ARGS...".
columns() {
	echo "direct $SIM --direct"
	echo "switch $SIM"
	echo "user $SIM --no-fastpath"
	local bin
	for bin in $COMPARE; do echo "$(basename "$bin") $bin"; done
	((PCAP)) && echo "pcap $SIM --pcap $WORK/pcap"
	return 0
}

# Best and median of a column's times ("T US" lines): "BEST MEDIAN US-OF-BEST".
summary() {
	sort -n "$1" | awk '{ t[NR] = $1; u[NR] = $2 }
		END { m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; print t[1], m, u[1] }'
}

mbs() { awk -v b="$(bytes "$SIZE")" -v t="$1" 'BEGIN { printf "%.0f", b / t / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b / a }'; }

echo "sim/bench.sh: $MODE transfer of $SIZE, $RUNS alternating rounds, $(nproc) CPUs, kernel $(uname -r)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p "$WORK/pcap"
[[ $MODE == aoe ]] && fallocate -l "$SIZE" "$IMG"
for mtu in $MTUS; do
	rm -f "$WORK"/times.*
	for ((i = 0; i < RUNS; i++)); do
		while read -r name sim args; do
			# shellcheck disable=SC2086 # args are words
			one_run "$sim" "$mtu" $args >>"$WORK/times.$name" </dev/null || exit 1
			rm -f "$WORK"/pcap/*
		done < <(columns)
	done
	read -r dbest dmed _ < <(summary "$WORK/times.direct")
	echo "MTU $mtu            best MB/s  ratio   median MB/s  ratio   switch us/frame"
	while read -r name _; do
		read -r best med us < <(summary "$WORK/times.$name")
		printf '  %-14s %9s %6s %13s %6s %12s\n' "$name" "$(mbs "$best")" "$(ratio "$best" "$dbest")" \
			"$(mbs "$med")" "$(ratio "$med" "$dmed")" "$us"
	done < <(columns)
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(ratio = throughput / direct throughput, best against best and median against median;"
echo " 1.00: the switch costs nothing; us/frame = the switch process's CPU time per frame"
echo " that crossed the LAN, forwarded by it or by the kernel for it)"
