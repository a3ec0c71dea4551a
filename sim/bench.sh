#!/usr/bin/env bash
# sim/bench.sh - is aoe-sim's switch the bottleneck?  The same transfer through
# the switch and over a direct veth pair (aoe-sim run --direct), best of N.
#
#   sim/bench.sh [--size 256M] [--mtu "1500 9000"] [--runs 3] [--pcap]
#
# With bin/aoe-target and bin/aoe-initiator: an AoE read of SIZE from a sparse
# disk image to /dev/null.  Without them: raw frames from tests/sim/frames.py
# (which measures Python more than the switch).  --pcap adds a third column:
# the switch writing a capture of every port.  Prints ratios; asserts nothing.
# Must run as root, from anywhere.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SIM=bin/aoe-sim
SIZE=256M
MTUS="1500 9000"
RUNS=3
PCAP=0

while (($# > 0)); do
	case $1 in
	--size) SIZE=$2; shift 2 ;;
	--mtu) MTUS=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--pcap) PCAP=1; shift ;;
	-h | --help) sed -n '2,13p' "$0"; exit 0 ;;
	*) echo "sim/bench.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ $EUID -eq 0 ]] || { echo "sim/bench.sh: must run as root" >&2; exit 1; }
[[ -x $SIM ]] || make -s bin/aoe-sim

WORK=$(mktemp -d /tmp/aoe-sim-bench.XXXXXX)
trap 'rm -rf "$WORK" /tmp/aoe-sim.bench$$.*' EXIT   # a failed run keeps its {tmp}

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
run t: truncate -s $SIZE {tmp}/disk.img
run t bg ready: bin/aoe-target -q eth0 9 0 {tmp}/disk.img
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
one_run() { # one_run MTU EXTRA-ARGS...
	local mtu=$1 log=$WORK/run.log
	shift
	scenario "$mtu" >"$WORK/bench.sim"
	if ! "$SIM" run "$WORK/bench.sim" --name "bench$$" "$@" >"$log" 2>&1; then
		echo "sim/bench.sh: run failed:" >&2
		tail -n 15 "$log" >&2
		return 1
	fi
	# "SECONDS US-PER-FRAME" (the switch's CPU per frame; - without a switch)
	local t us
	t=$(sed -n 's/^aoe-sim: \[transfer\] exit 0 after \([0-9.]*\) s$/\1/p' "$log")
	us=$(sed -n 's/^aoe-sim: switch CPU .*: \([0-9.]*\) us a frame$/\1/p' "$log")
	echo "$t ${us:--}"
}

best_of() { # best_of MTU EXTRA-ARGS...: the shortest of RUNS runs, as one_run prints it
	local best='' r i
	for ((i = 0; i < RUNS; i++)); do
		r=$(one_run "$@") || return 1
		if [[ -z $best ]] || awk -v a="${r%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
			best=$r
		fi
	done
	echo "$best"
}

mbs() { awk -v b="$(bytes "$SIZE")" -v t="$1" 'BEGIN { printf "%.0f", b / t / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b / a }'; }

echo "sim/bench.sh: $MODE transfer of $SIZE, best of $RUNS, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg), kernel $(uname -r)"
printf '%-6s %12s %12s %8s %14s' mtu "direct MB/s" "switch MB/s" ratio "switch us/frm"
((PCAP)) && printf ' %12s %8s' "+pcap MB/s" ratio
echo
for mtu in $MTUS; do
	direct=$(best_of "$mtu" --direct)
	switched=$(best_of "$mtu")
	printf '%-6s %12s %12s %8s %14s' "$mtu" "$(mbs "${direct%% *}")" "$(mbs "${switched%% *}")" \
		"$(ratio "${switched%% *}" "${direct%% *}")" "${switched##* }"
	if ((PCAP)); then
		mkdir -p "$WORK/pcap"
		captured=$(best_of "$mtu" --pcap "$WORK/pcap")
		printf ' %12s %8s' "$(mbs "${captured%% *}")" "$(ratio "${captured%% *}" "${direct%% *}")"
		rm -f "$WORK"/pcap/*
	fi
	echo
done
echo "(ratio = switch throughput / direct throughput, 1.00: the switch costs nothing;"
echo " us/frm = the switch's CPU time per frame it received, user + system)"
