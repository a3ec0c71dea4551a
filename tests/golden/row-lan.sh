# shellcheck shell=bash
# tests/golden/row-lan.sh - what live.sh and vblade-record.sh share: one golden
# row's LAN, its listener and its target, and the cleanup of all three.
# Sourced after sim/lan.sh; the caller sets PREFIX, DIR, IMAGE_TOOL, PY,
# HOST_A and WORK.  Functions return non-zero on failure; they never exit.

CUR_LAN=
TARGET_PID=
PY_PID=

# Whatever a run left behind, also when it is interrupted: the listener, the
# target, the LAN, any LAN of this run's prefix, the work directory.
row_cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	if [[ -n $PY_PID ]]; then kill "$PY_PID" 2>/dev/null; wait "$PY_PID" 2>/dev/null; fi
	[[ -n $TARGET_PID ]] && lan_stop "$TARGET_PID" 2
	[[ -n $CUR_LAN ]] && lan_down "$CUR_LAN"
	lan_sweep "$PREFIX-" || rc=1
	rm -rf "$WORK"
	exit "$rc"
}

row_traps() {
	trap row_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# Is FILE among the names given on the command line (all are, if none was)?
row_wanted() { # FILE [NAMES...]
	local file=$1 name
	shift
	(($# == 0)) && return 0
	for name in "$@"; do [[ $name == "$file" ]] && return 0; done
	return 1
}

# The row's LAN (fixed MACs: the target's is the row's, host b is host A, so
# no frame needs rewriting) and its initial disk image in $WORK/disk.img.
row_lan_up() { # N FILE MTU TARGET_MAC
	CUR_LAN="$PREFIX-$1"
	lan_up "$CUR_LAN" "$3" || { echo "could not build the LAN"; return 1; }
	ip netns exec "$CUR_LAN-a" ip link set eth0 address "$4" || return 1
	ip netns exec "$CUR_LAN-b" ip link set eth0 address "$HOST_A" || return 1
	"$IMAGE_TOOL" "$DIR/INDEX.md" "$2" "$WORK/disk.img"
}

# live.py on host b, in the background (PY_PID), until it holds its socket.
# Its stdout and stderr go to $WORK/py.out and $WORK/py.err.
row_listen() { # SECONDS LIVE.PY-ARGS...
	local limit=$1 i
	shift
	rm -f "$WORK/ready"
	ip netns exec "$CUR_LAN-b" timeout -k 5 "$limit" "$PY" tests/golden/live.py "$@" \
		--ready "$WORK/ready" >"$WORK/py.out" 2>"$WORK/py.err" &
	PY_PID=$!
	for ((i = 0; i < 100; i++)); do
		[[ -e $WORK/ready ]] && break
		kill -0 "$PY_PID" 2>/dev/null || break
		sleep 0.05
	done
	[[ -e $WORK/ready ]] || { cat "$WORK/py.err"; echo "live.py did not open its socket"; return 1; }
}

# Start a target on host a under the row's host name (it is in the IDENTIFY
# serial), logging to LOG; its PID in TARGET_PID.  unshare --uts without
# --fork execs, and so does sh: the PID is the target's own.
row_spawn_target() { # HOST LOG CMD...
	local host=$1 log=$2
	shift 2
	# shellcheck disable=SC2016 # expanded by the inner sh, on purpose
	lan_spawn "$CUR_LAN" a "$log" unshare --uts sh -c 'hostname "$0" && exec "$@"' "$host" "$@"
	TARGET_PID=$LAN_PID
}

# After a row, whatever it left running (a row that failed half-way).
row_tidy() {
	if [[ -n $PY_PID ]]; then kill "$PY_PID" 2>/dev/null; wait "$PY_PID" 2>/dev/null || true; PY_PID=; fi
	if [[ -n $TARGET_PID ]]; then lan_stop "$TARGET_PID" 2 || true; TARGET_PID=; fi
	if [[ -n $CUR_LAN ]]; then lan_down "$CUR_LAN" || true; CUR_LAN=; fi
}
