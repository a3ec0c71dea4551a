#!/usr/bin/env bash
# sim/lan.sh - a two-host virtual Ethernet LAN made of network namespaces.
#
#   sim/lan.sh up NAME [--mtu N]          namespaces NAME-a and NAME-b, joined by a
#                                         veth pair named eth0 on both sides
#   sim/lan.sh exec NAME a|b -- CMD...    run CMD inside NAME-a or NAME-b
#   sim/lan.sh down NAME                  remove both (no error if absent)
#   sim/lan.sh run NAME [--mtu N] -- CMD...
#                                         up, run CMD in the root namespace with
#                                         LAN_A=NAME-a LAN_B=NAME-b, then down, always
#   sim/lan.sh sweep PREFIX               remove every namespace whose name starts
#                                         with PREFIX (left behind by a killed run)
#
# Why namespaces: AoE is raw Ethernet, and the machine's own eth0 is shared, so
# every target and initiator runs on a private wire that nothing else can see.
# The veth ends are created directly inside the namespaces, so no interface
# ever appears in the root namespace, even for a moment.
#
# Sourced (". sim/lan.sh"), it defines the functions and runs nothing:
#   lan_up NAME [MTU]       lan_down NAME        lan_exec NAME a|b CMD...
#   lan_exists NAME         lan_sweep PREFIX     lan_require_root
#   lan_spawn NAME a|b LOG CMD...   start CMD in the background, PID in LAN_PID
#   lan_wait_port NAME a|b PID SECS wait until PID has bound a raw packet socket to AoE
#   lan_stop PID [SECS]             SIGTERM, wait, SIGKILL if it will not go
#   lan_mac NAME a|b                MAC address of eth0 on that side
# Functions report errors on stderr and return non-zero; they never exit.

LAN_PROG=sim/lan.sh
LAN_IFACE=eth0
LAN_DEFAULT_MTU=1500

lan_err() {
	printf '%s: %s\n' "$LAN_PROG" "$*" >&2
}

lan_require_root() {
	if [[ $EUID -ne 0 ]]; then
		lan_err "must run as root"
		return 1
	fi
}

# Names become namespace names and file names under /run/netns: keep them plain.
lan_check_name() {
	if [[ ! "$1" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,60}$ ]]; then
		lan_err "bad LAN name '$1' (letters, digits, '_', '.', '-'; at most 61)"
		return 1
	fi
}

lan_check_side() {
	if [[ "$1" != a && "$1" != b ]]; then
		lan_err "side must be a or b, not '$1'"
		return 1
	fi
}

lan_check_mtu() {
	# 68 is the IPv4 minimum Linux accepts; 65535 is veth's maximum.
	if [[ ! "$1" =~ ^[0-9]{1,5}$ ]] || (($1 < 68 || $1 > 65535)); then
		lan_err "bad MTU '$1' (68..65535)"
		return 1
	fi
}

lan_ns_exists() {
	[[ -e "/run/netns/$1" ]]
}

lan_exists() {
	lan_ns_exists "$1-a" || lan_ns_exists "$1-b"
}

# End what still runs inside a namespace we made, by PID: deleting the name
# alone would leave the namespace (and its veth) alive, invisible, until those
# processes exit.
lan_kill_ns_pids() {
	local ns=$1 pid i
	local -a pids
	mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null)
	((${#pids[@]} > 0)) || return 0
	kill -TERM "${pids[@]}" 2>/dev/null || true
	for ((i = 0; i < 20; i++)); do
		mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null)
		((${#pids[@]} > 0)) || return 0
		sleep 0.1
	done
	for pid in "${pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
	done
}

lan_ns_delete() {
	local ns=$1
	lan_ns_exists "$ns" || return 0
	lan_kill_ns_pids "$ns"
	if ! ip netns delete "$ns" 2>/dev/null && lan_ns_exists "$ns"; then
		lan_err "could not delete namespace $ns"
		return 1
	fi
}

lan_down() {
	local name=$1 rc=0
	lan_check_name "$name" || return 1
	lan_ns_delete "$name-a" || rc=1
	lan_ns_delete "$name-b" || rc=1
	return "$rc"
}

# Run a command inside one namespace; a failure is one line on stderr.
lan_ns_run() {
	local ns=$1
	shift
	local out
	if ! out=$(ip netns exec "$ns" "$@" 2>&1); then
		lan_err "in $ns: $* failed: ${out//$'\n'/ }"
		return 1
	fi
}

lan_up() {
	local name=$1 mtu=${2:-$LAN_DEFAULT_MTU} side
	lan_require_root || return 1
	lan_check_name "$name" || return 1
	lan_check_mtu "$mtu" || return 1
	for side in a b; do
		if lan_ns_exists "$name-$side"; then
			lan_err "namespace $name-$side already exists (run: $LAN_PROG down $name)"
			return 1
		fi
	done
	if ! lan_up_steps "$name" "$mtu"; then
		# Leave nothing half-built behind.
		lan_down "$name" || true
		return 1
	fi
}

lan_up_steps() {
	local name=$1 mtu=$2 side ns out
	for side in a b; do
		ns="$name-$side"
		if ! out=$(ip netns add "$ns" 2>&1); then
			lan_err "cannot create namespace $ns: $out"
			return 1
		fi
		# No IPv6 on the wire: the kernel would send router and neighbour
		# solicitations, and captures of this LAN should hold only AoE.
		ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
		lan_ns_run "$ns" ip link set lo up || return 1
	done
	if ! out=$(ip link add "$LAN_IFACE" netns "$name-a" mtu "$mtu" type veth \
		peer name "$LAN_IFACE" netns "$name-b" mtu "$mtu" 2>&1); then
		lan_err "cannot create the veth pair for $name: $out"
		return 1
	fi
	for side in a b; do
		lan_ns_run "$name-$side" ip link set "$LAN_IFACE" up || return 1
	done
	# Until the kernel's link watcher marks the carrier up (it runs later,
	# asynchronously), the device still has the queue that drops every frame:
	# a program started right now would lose its first frames.
	local i state
	for side in a b; do
		for ((i = 0; ; i++)); do
			state=$(ip netns exec "$name-$side" cat "/sys/class/net/$LAN_IFACE/operstate" 2>/dev/null) || state=
			[[ "$state" == up ]] && break
			if ((i >= 100)); then
				lan_err "eth0 in $name-$side did not come up (operstate '$state')"
				return 1
			fi
			sleep 0.05
		done
	done
}

lan_exec() {
	local name=$1 side=$2
	shift 2
	lan_check_name "$name" || return 1
	lan_check_side "$side" || return 1
	if ! lan_ns_exists "$name-$side"; then
		lan_err "namespace $name-$side does not exist (run: $LAN_PROG up $name)"
		return 1
	fi
	ip netns exec "$name-$side" "$@"
}

# Remove every namespace whose name starts with PREFIX.  For cleaning up after
# a run that was killed too hard to clean up itself (SIGKILL, power loss).
lan_sweep() {
	local prefix=$1 ns rc=0
	if [[ ${#prefix} -lt 3 ]]; then
		lan_err "sweep needs a prefix of at least 3 characters, not '$prefix'"
		return 1
	fi
	while read -r ns _; do
		[[ "$ns" == "$prefix"* ]] || continue
		lan_ns_delete "$ns" || rc=1
	done < <(ip netns list 2>/dev/null)
	return "$rc"
}

# Start CMD in the background inside a namespace, its stdout and stderr going
# to LOG.  `ip netns exec` execs CMD, so LAN_PID is the PID of CMD itself.
lan_spawn() {
	local name=$1 side=$2 log=$3
	shift 3
	lan_check_side "$side" || return 1
	ip netns exec "$name-$side" "$@" </dev/null >"$log" 2>&1 &
	# shellcheck disable=SC2034 # output for the caller
	LAN_PID=$!
}

# A program serving AoE is listening once it holds a raw packet socket bound to
# AoE's EtherType (88a2 in /proc/net/packet's Proto column); nothing else in a
# fresh namespace opens one, so its appearance is the signal.  A socket not yet
# bound (Proto 0) does not count: aoe-target sets up its receive ring first,
# which takes milliseconds.  Returns 1 if PID exits first (or never opens one
# within SECS seconds).
lan_wait_port() {
	local name=$1 side=$2 pid=$3 secs=${4:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		if ip netns exec "$name-$side" awk 'NR > 1 && $4 == "88a2" { found = 1 } END { exit !found }' \
			/proc/net/packet 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# Stop a process we started: SIGTERM, then SIGKILL after SECS seconds.  Sets
# LAN_STATUS to its exit status (128+signal when a signal ended it) and returns
# 1 only if SIGTERM was not enough.
lan_stop() {
	local pid=$1 secs=${2:-5} i rc=1 status=0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < secs * 20; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			rc=0
			break
		fi
		sleep 0.05
	done
	((rc == 0)) || kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || status=$?
	# shellcheck disable=SC2034 # output for the caller
	LAN_STATUS=$status
	return "$rc"
}

lan_mac() {
	local name=$1 side=$2
	ip netns exec "$name-$side" cat "/sys/class/net/$LAN_IFACE/address"
}

lan_usage() {
	cat <<EOF
usage: $LAN_PROG up NAME [--mtu N]        create namespaces NAME-a and NAME-b joined by
                                          a veth pair (eth0 on each side, MTU default $LAN_DEFAULT_MTU)
       $LAN_PROG exec NAME a|b -- CMD...  run CMD in NAME-a or NAME-b
       $LAN_PROG down NAME                remove both namespaces (no error if absent)
       $LAN_PROG run NAME [--mtu N] -- CMD...
                                          up, run CMD with LAN_A=NAME-a LAN_B=NAME-b,
                                          then down (also on failure or Ctrl-C)
       $LAN_PROG sweep PREFIX             remove all namespaces named PREFIX*
       $LAN_PROG -h                       this help
Must run as root.  Sourced, it defines lan_up, lan_down, lan_exec and helpers.
EOF
}

# Parse "[--mtu N] [-- CMD...]" into LAN_ARG_MTU and LAN_ARG_CMD.
lan_parse_opts() {
	LAN_ARG_MTU=$LAN_DEFAULT_MTU
	LAN_ARG_CMD=()
	while (($# > 0)); do
		case $1 in
		--mtu)
			(($# >= 2)) || { lan_err "--mtu needs a value"; return 1; }
			LAN_ARG_MTU=$2
			shift 2
			;;
		--mtu=*)
			LAN_ARG_MTU=${1#--mtu=}
			shift
			;;
		--)
			shift
			LAN_ARG_CMD=("$@")
			return 0
			;;
		*)
			lan_err "unexpected argument '$1' (see $LAN_PROG -h)"
			return 1
			;;
		esac
	done
}

# `run`: the command runs in the background so that a SIGTERM or Ctrl-C sent to
# us interrupts `wait` at once; the EXIT trap then ends the command and removes
# the LAN whatever happened.
lan_cmd_run() {
	local name=$1
	shift
	lan_parse_opts "$@" || return 2
	if ((${#LAN_ARG_CMD[@]} == 0)); then
		lan_err "run needs a command after --"
		return 2
	fi
	lan_check_name "$name" || return 2
	lan_check_mtu "$LAN_ARG_MTU" || return 2
	# Someone else's LAN of that name is theirs: refuse before the trap that
	# would take it down.
	if lan_exists "$name"; then
		lan_err "namespace $name-a or $name-b already exists (run: $LAN_PROG down $name)"
		return 1
	fi
	LAN_RUN_NAME=$name
	LAN_RUN_PID=
	trap 'lan_run_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	lan_up "$name" "$LAN_ARG_MTU" || return 1
	# Explicit <&0: a background job's stdin would otherwise be /dev/null.
	LAN_A="$name-a" LAN_B="$name-b" LAN_NAME="$name" "${LAN_ARG_CMD[@]}" <&0 &
	LAN_RUN_PID=$!
	local rc=0
	wait "$LAN_RUN_PID" || rc=$?
	LAN_RUN_PID=
	return "$rc"
}

lan_run_cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n "${LAN_RUN_PID:-}" ]]; then
		kill -TERM "$LAN_RUN_PID" 2>/dev/null || true
		wait "$LAN_RUN_PID" 2>/dev/null || true
	fi
	lan_down "$LAN_RUN_NAME" || rc=1
	exit "$rc"
}

lan_main() {
	set -euo pipefail
	local cmd=${1:-}
	case $cmd in
	-h | --help | help)
		lan_usage
		return 0
		;;
	"")
		lan_usage >&2
		return 2
		;;
	up | down | exec | run | sweep) ;;
	*)
		lan_err "unknown command '$cmd' (see $LAN_PROG -h)"
		return 2
		;;
	esac
	shift
	if (($# < 1)); then
		lan_err "$cmd needs a NAME (see $LAN_PROG -h)"
		return 2
	fi
	lan_require_root || return 1
	local name=$1
	shift
	case $cmd in
	up)
		lan_parse_opts "$@" || return 2
		((${#LAN_ARG_CMD[@]} == 0)) || { lan_err "up takes no command"; return 2; }
		lan_up "$name" "$LAN_ARG_MTU" || return 1
		printf '%s: up: %s-a and %s-b, eth0 each side, MTU %s\n' \
			"$LAN_PROG" "$name" "$name" "$LAN_ARG_MTU"
		;;
	down)
		(($# == 0)) || { lan_err "down takes only NAME"; return 2; }
		lan_down "$name"
		;;
	exec)
		local side=${1:-}
		lan_check_side "$side" || return 2
		shift
		[[ "${1:-}" == "--" ]] && shift
		(($# > 0)) || { lan_err "exec needs a command"; return 2; }
		lan_check_name "$name" || return 2
		if ! lan_ns_exists "$name-$side"; then
			lan_err "namespace $name-$side does not exist (run: $LAN_PROG up $name)"
			return 1
		fi
		exec ip netns exec "$name-$side" "$@"
		;;
	run)
		lan_cmd_run "$name" "$@"
		;;
	sweep)
		(($# == 0)) || { lan_err "sweep takes only PREFIX"; return 2; }
		lan_sweep "$name"
		;;
	esac
}

# Run only when executed, not when sourced.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	lan_main "$@"
fi
