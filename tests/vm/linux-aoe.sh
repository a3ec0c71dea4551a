#!/usr/bin/env bash
# tests/vm/linux-aoe.sh - a real Linux initiator: Debian's kernel and its aoe.ko
# under QEMU (TCG) against an AoE target running on the host side.
#
# The guest is a tiny initramfs (busybox-static, the real mke2fs/e2fsck with
# their libraries, the kernel modules it needs) whose /init discovers e9.0,
# checks its size, reads a pattern the host wrote into the image, makes an ext4
# file system, writes files, remounts and checks them, runs e2fsck -f -n, then
# writes raw patterns (direct I/O) and reads them back.  The host then checks
# the image itself: the raw patterns at their offsets, e2fsck -f -n, and every
# file dumped with debugfs against the md5sums the guest reported.
#
# Network: a namespace of its own (aoevm-PID) with a TAP device tap0; QEMU, the
# target and tcpdump run inside it.  Nothing in the root namespace is touched.
#
# Usage: tests/vm/linux-aoe.sh [options]        (as root)
#   --mtu N           MTU of tap0 and of the guest's eth0 (default 1500; 9000 = jumbo)
#   --target "CMD"    target command with {iface} {shelf} {slot} {file}
#                     (default: bin/aoe-target {iface} {shelf} {slot} {file};
#                     Debian's vblade: "vblade {shelf} {slot} {iface} {file}")
#   --size SIZE       image size, e.g. 64M (default 64M; at least 16M, whole MiB)
#   --capture FILE    tcpdump the AoE frames on tap0 into FILE (pcap)
#   --snaplen N       bytes kept per captured frame (default 0 = whole frames)
#   --scenario NAME   full (default): everything above; short: discovery, size
#                     check and the raw patterns only (no host pattern, no ext4),
#                     a few hundred frames, small enough to keep a whole-frame
#                     capture as a golden pcap (tests/golden/capture-linux.sh)
#   --loss P%         lose P% of the AoE frames each way on tap0 (aoe-sim impair):
#                     the driver must retransmit its way through; the test also
#                     fails if nothing was lost (default: no loss)
#   --restart         stop the target (SIGTERM) just before a direct write of
#                     768 KiB and start it again 8 s later: the write waits for
#                     it and completes; the guest reads it back, the host finds
#                     it in the image
#   --timeout SECS    kill the guest after this long (default 300)
#   --kernel VERSION  Debian kernel ABI, e.g. 6.1.0-56-amd64 (default: what
#                     linux-image-amd64 depends on, else the newest cached one)
#   --keep            keep the run directory (image, initramfs, logs)
# Exit status: 0 only if the guest reported PASS and every host-side check held.
# Caches (kernel package, modules, base initramfs) and the last logs live in
# build/vm/ (last-console.log, last-target.log).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PROG=tests/vm/linux-aoe.sh
VMDIR=$ROOT/build/vm
RECIPE=3                      # bump when the base initramfs recipe changes
SHELF=9
SLOT=0
GUEST_MAC=52:54:00:ae:09:00
TAP_MAC=02:00:00:ae:09:01     # the target's side of the wire
MIB=1048576

MTU=1500
TARGET_TMPL="$ROOT/bin/aoe-target {iface} {shelf} {slot} {file}"
SIZE=64M
CAPTURE=
SNAPLEN=0
SCENARIO=full
TIMEOUT=300
LOSS=
RESTART=0
RESTART_AWAY=8                # seconds the target stays stopped
SIM=${AOE_SIM:-$ROOT/bin/aoe-sim}
IMPAIR_PID=
KVER=
KEEP=0

say() { printf '%s: %s\n' "${PROG##*/}" "$*"; }
die() { printf '%s: FAIL: %s\n' "${PROG##*/}" "$*" >&2; exit 1; }
usage() { sed -n '/^# Usage:/,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
	case $1 in
	--mtu) MTU=${2:?}; shift 2 ;;
	--target) TARGET_TMPL=${2:?}; shift 2 ;;
	--size) SIZE=${2:?}; shift 2 ;;
	--capture) CAPTURE=${2:?}; shift 2 ;;
	--snaplen) SNAPLEN=${2:?}; shift 2 ;;
	--scenario) SCENARIO=${2:?}; shift 2 ;;
	--timeout) TIMEOUT=${2:?}; shift 2 ;;
	--loss) LOSS=${2:?}; shift 2 ;;
	--restart) RESTART=1; shift ;;
	--kernel) KVER=${2:?}; shift 2 ;;
	--keep) KEEP=1; shift ;;
	-h|--help) usage 0 ;;
	*) echo "$PROG: unknown option $1" >&2; usage 2 ;;
	esac
done

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, TAP)"
if ! [[ $MTU =~ ^[0-9]+$ ]] || [ "$MTU" -lt 1280 ] || [ "$MTU" -gt 9000 ]; then die "--mtu must be 1280..9000"; fi
[[ $SNAPLEN =~ ^[0-9]+$ ]] || die "--snaplen must be a number of bytes"
[[ $SCENARIO == full || $SCENARIO == short ]] || die "--scenario must be full or short"
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout must be a number of seconds"
[ -z "$LOSS" ] || [[ $LOSS =~ ^[0-9]+(\.[0-9]+)?%$ ]] || die "--loss must be a percentage, e.g. 2%"
[ -z "$LOSS" ] || [ -x "$SIM" ] || die "--loss needs $SIM (make)"
case $SIZE in
*[Gg]) SIZE_MIB=$(( ${SIZE%[Gg]} * 1024 )) ;;
*[Mm]) SIZE_MIB=${SIZE%[Mm]} ;;
*) die "--size must be like 64M or 1G" ;;
esac
if ! [[ $SIZE_MIB =~ ^[0-9]+$ ]] || [ "$SIZE_MIB" -lt 16 ]; then die "--size must be at least 16M"; fi
SIZE_BYTES=$((SIZE_MIB * MIB))
SECTORS=$((SIZE_BYTES / 512))

# ---------------------------------------------------------------------------
# Host packages.

need_pkgs=()
need() { command -v "$1" >/dev/null 2>&1 || need_pkgs+=("$2"); }
need qemu-system-x86_64 qemu-system-x86
need cpio cpio
need mke2fs e2fsprogs
need debugfs e2fsprogs
need xz xz-utils
need zstd zstd
need modinfo kmod
need ip iproute2
need gzip gzip
[ -x /bin/busybox ] && dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' \
	|| need_pkgs+=(busybox-static)
[ -n "$CAPTURE" ] && need tcpdump tcpdump
if [ ${#need_pkgs[@]} -gt 0 ]; then
	say "installing ${need_pkgs[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null 2>&1 || {
		apt-get update -qq >/dev/null 2>&1 || true
		apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null \
			|| die "apt-get install ${need_pkgs[*]} failed"
	}
fi

# ---------------------------------------------------------------------------
# The kernel: linux-image-KVER from Debian's archive, cached by version.

mkdir -p "$VMDIR"
if [ -z "$KVER" ]; then
	kver_from_apt() {
		apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n 1
	}
	KVER=$(kver_from_apt)
	if [ -z "$KVER" ]; then
		apt-get update -qq >/dev/null 2>&1 || true
		KVER=$(kver_from_apt)
	fi
	if [ -z "$KVER" ]; then    # offline: take the newest kernel already cached
		KVER=$(find "$VMDIR" -maxdepth 1 -name 'kernel-*' ! -name '*.tmp' -type d -printf '%f\n' 2>/dev/null |
			sed 's/^kernel-//' | sort -V | tail -n 1)
	fi
	[ -n "$KVER" ] || die "cannot tell which Debian kernel to use (apt-cache depends linux-image-amd64 gave nothing)"
fi
KDIR=$VMDIR/kernel-$KVER
if [ ! -f "$KDIR/vmlinuz" ] || [ ! -f "$KDIR/aoe.ko" ]; then
	say "fetching linux-image-$KVER from Debian"
	rm -rf "$KDIR.$$.tmp"
	mkdir -p "$KDIR.$$.tmp/x"
	( cd "$KDIR.$$.tmp" && apt-get download "linux-image-$KVER" >/dev/null 2>&1 ) || {
		apt-get update -qq >/dev/null 2>&1 || true
		( cd "$KDIR.$$.tmp" && apt-get download "linux-image-$KVER" >/dev/null ) ||
			die "apt-get download linux-image-$KVER failed"
	}
	dpkg-deb -x "$KDIR.$$.tmp"/linux-image-*.deb "$KDIR.$$.tmp/x"
	cp "$KDIR.$$.tmp/x/boot/vmlinuz-$KVER" "$KDIR.$$.tmp/vmlinuz"
	cp "$KDIR.$$.tmp/x/boot/config-$KVER" "$KDIR.$$.tmp/config"
	mv "$KDIR.$$.tmp/x/lib/modules/$KVER" "$KDIR.$$.tmp/modules"
	rm -rf "$KDIR.$$.tmp/x" "$KDIR.$$.tmp"/*.deb
	aoe=$(find "$KDIR.$$.tmp/modules" -name 'aoe.ko*' | head -n 1)
	[ -n "$aoe" ] || die "linux-image-$KVER has no aoe.ko"
	touch "$KDIR.$$.tmp/aoe.ko"    # marks a complete extraction
	rm -rf "$KDIR"
	mv "$KDIR.$$.tmp" "$KDIR"
fi

# ---------------------------------------------------------------------------
# Base initramfs (busybox, e2fsprogs, modules), cached per kernel and recipe.
# The per-run part (/init, config, patterns) is a second cpio appended to it.

# Modules the guest loads, in this order, with their dependencies first.
# crc32c_generic: ext4 and jbd2 ask the crypto API for "crc32c" at mount time,
# which would need modprobe (absent) if it were not loaded already.
WANT_MODULES=(virtio_pci virtio_net crc32c_generic ext4)

MODS=$KDIR/modules
modfile() {    # NAME -> path of its .ko* (names use _ or -, both are tried)
	local n=$1 alt=${1//_/-}
	find "$MODS/kernel" \( -name "$n.ko" -o -name "$n.ko.*" -o -name "$alt.ko" -o -name "$alt.ko.*" \) | head -n 1
}
builtin_mod() { grep -qE "/${1//_/[-_]}\.ko\$" "$MODS/modules.builtin"; }
declare -A SEEN=()
ORDER=()
resolve() {
	local m=$1 f d
	[ -n "${SEEN[$m]:-}" ] && return 0
	SEEN[$m]=1
	if builtin_mod "$m"; then return 0; fi
	f=$(modfile "$m")
	[ -n "$f" ] || die "kernel $KVER has no module $m"
	for d in $(modinfo -F depends "$f" | tr ',' ' '); do resolve "$d"; done
	ORDER+=("$m")
}
for m in "${WANT_MODULES[@]}"; do resolve "$m"; done

bb_ver=$(dpkg-query -W -f='${Version}' busybox-static)
e2_ver=$(dpkg-query -W -f='${Version}' e2fsprogs)
BASE_KEY=$(printf '%s\n' "$RECIPE" "$bb_ver" "$e2_ver" "${ORDER[*]}" | md5sum | cut -c1-12)
BASE=$KDIR/base-$BASE_KEY.cpio.gz
if [ ! -f "$BASE" ]; then
	say "building the base initramfs for $KVER (modules: ${ORDER[*]} aoe)"
	st=$(mktemp -d "$VMDIR/initramfs.XXXXXX")
	mkdir -p "$st"/{bin,sbin,etc,proc,sys,dev,tmp,mnt,pat,lib/modules}
	cp /bin/busybox "$st/bin/busybox"
	for a in $("$st/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -s busybox "$st/bin/$a"
	done
	# The real e2fsprogs in /sbin, which comes first in the guest's PATH.
	for p in mke2fs e2fsck debugfs; do cp "$(command -v $p)" "$st/sbin/$p"; done
	ln -s mke2fs "$st/sbin/mkfs.ext4"
	ln -s e2fsck "$st/sbin/fsck.ext4"
	[ -f /etc/mke2fs.conf ] && cp /etc/mke2fs.conf "$st/etc/"
	for lib in $(for p in mke2fs e2fsck debugfs; do ldd "$(command -v $p)"; done |
			awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u); do
		mkdir -p "$st$(dirname "$lib")"
		cp -L "$lib" "$st$lib"
	done
	mknod -m 600 "$st/dev/console" c 5 1
	mknod -m 666 "$st/dev/null" c 1 3
	: > "$st/lib/modules/load.order"
	for m in "${ORDER[@]}" aoe; do
		f=$(modfile "$m")
		case $f in
		*.ko.xz) xz -dc "$f" > "$st/lib/modules/$m.ko" ;;
		*.ko.zst) zstd -qdc "$f" > "$st/lib/modules/$m.ko" ;;
		*.ko.gz) gzip -dc "$f" > "$st/lib/modules/$m.ko" ;;
		*) cp "$f" "$st/lib/modules/$m.ko" ;;
		esac
		[ "$m" = aoe ] || echo "$m" >> "$st/lib/modules/load.order"
	done
	( cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9n ) > "$BASE.$$.tmp"
	mv "$BASE.$$.tmp" "$BASE"
	rm -rf "$st"
fi

# ---------------------------------------------------------------------------
# This run: image, patterns, config, namespace, target, QEMU.

RUN=$(mktemp -d "$VMDIR/run.XXXXXX")
NS=aoevm-$$
QEMU_PID=
TARGET_PID=
TCPDUMP_PID=
NS_MADE=0

stop_pid() {    # PID SIGNAL: signal, wait up to 5 s, then SIGKILL
	local pid=$1 sig=$2 i
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kill "-$sig" "$pid" 2>/dev/null || true
	for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}
# shellcheck disable=SC2317  # invoked by the traps
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	stop_pid "$QEMU_PID" TERM
	stop_pid "$TARGET_PID" TERM
	stop_pid "$TCPDUMP_PID" TERM
	stop_pid "$IMPAIR_PID" TERM
	[ "$NS_MADE" = 1 ] && ip netns del "$NS" 2>/dev/null
	[ -f "$RUN/console.log" ] && cp "$RUN/console.log" "$VMDIR/last-console.log"
	[ -f "$RUN/target.log" ] && cp "$RUN/target.log" "$VMDIR/last-target.log"
	if [ "$KEEP" = 1 ]; then say "kept $RUN"; else rm -rf "$RUN"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

T0=$(date +%s)
IMG=$RUN/disk.img
truncate -s "$SIZE_BYTES" "$IMG"

# Layout: ext4 on [0, RAW), raw patterns in [RAW, end) and in sector 0 (ext4
# leaves the first 1024 bytes alone, so host-side e2fsck still works).
RAW=$((SIZE_BYTES - 2 * MIB))
FS_BLOCKS=$((RAW / 4096))
P0_OFF=0;                  P0_LEN=512                # sector 0
P1_OFF=$((RAW + 512));     P1_LEN=$((129 * 512))     # odd sector count, spans many frames
P2_OFF=$((SIZE_BYTES - 4096)); P2_LEN=4096           # the last 4 KiB
H_OFF=$((RAW + MIB + 1536)); H_LEN=$((97 * 512))     # written by the host, read by the guest
R_OFF=$((RAW + 128 * 1024)); R_LEN=$((768 * 1024))   # written across the target's restart
mkdir -p "$RUN/overlay/pat" "$RUN/overlay/etc"
for p in p0:$P0_LEN p1:$P1_LEN p2:$P2_LEN h:$H_LEN r:$R_LEN; do
	head -c "${p#*:}" /dev/urandom > "$RUN/overlay/pat/${p%%:*}.bin"
done
# The short scenario leaves the image all zeros, so that a replay can start from a known disk.
[ "$SCENARIO" = full ] &&
	dd if="$RUN/overlay/pat/h.bin" of="$IMG" bs=512 seek=$((H_OFF / 512)) conv=notrunc status=none

cat > "$RUN/overlay/etc/aoevm.conf" <<EOF
SHELF=$SHELF
SLOT=$SLOT
MTU=$MTU
SECTORS=$SECTORS
FS_BLOCKS=$FS_BLOCKS
P0_OFF=$P0_OFF
P1_OFF=$P1_OFF
P2_OFF=$P2_OFF
H_OFF=$H_OFF
R_OFF=$R_OFF
R_LEN=$R_LEN
RESTART=$RESTART
SCENARIO=$SCENARIO
DISCOVER_WAIT=40
DEADSECS=60
EOF

cat > "$RUN/overlay/init" <<'INIT'
#!/bin/sh
# The guest's scenario.  Lines starting with "AOE-VM" are read by the host.
export PATH=/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
. /etc/aoevm.conf

say() { echo "AOE-VM: $*"; }
finish() {
	echo "AOE-VM-DMESG-BEGIN"
	# without timestamps and with repeats counted, so that a flood stays short
	dmesg | sed 's/^\[ *[0-9.]*\] //' | grep -iE 'aoe|etherd|ext4|jbd2|i/o error|blk_update|buffer i/o' |
		uniq -c | tail -n 40
	echo "AOE-VM-DMESG-END"
	echo "AOE-VM-RESULT: $*"
	sync
	poweroff -f
	sleep 30
}
fail() { finish "FAIL: $*"; }
# run DESCRIPTION CMD...: run CMD, on failure show its output and fail
run() {
	d=$1; shift
	if ! "$@" > /tmp/out 2>&1; then
		sed 's/^/    /' /tmp/out | tail -n 20
		fail "$d"
	fi
}
size_of() { wc -c < "$1" | tr -d ' '; }

for m in $(cat /lib/modules/load.order); do
	insmod "/lib/modules/$m.ko" || fail "insmod $m"
done
i=0
while [ ! -e /sys/class/net/eth0 ]; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "no eth0 after loading the NIC driver"
	sleep 0.1
done
ip link set eth0 mtu "$MTU" || fail "ip link set eth0 mtu $MTU"
ip link set eth0 up || fail "ip link set eth0 up"
say "eth0 up, mtu $(cat /sys/class/net/eth0/mtu), mac $(cat /sys/class/net/eth0/address)"

insmod /lib/modules/aoe.ko aoe_iflist=eth0 aoe_deadsecs="$DEADSECS" || fail "insmod aoe"
say "aoe loaded, version $(cat /sys/module/aoe/version 2>/dev/null)"
NAME=e$SHELF.$SLOT
DEV=/dev/etherd/$NAME
SYS="/sys/block/etherd!$NAME"
uptime_ds() { read -r up rest < /proc/uptime; echo $(( ${up%.*} * 10 + ${up#*.} / 10 )); }
t0=$(uptime_ds)
i=0
while ! { [ -b "$DEV" ] && [ "$(cat "$SYS/size" 2>/dev/null)" -gt 0 ] 2>/dev/null; }; do
	i=$(( $(uptime_ds) - t0 ))
	[ $i -gt $((DISCOVER_WAIT * 10)) ] && fail "$NAME did not appear within $DISCOVER_WAIT s"
	[ -e /dev/etherd/discover ] && [ $((i / 30)) -gt "${last_disc:-0}" ] && {
		last_disc=$((i / 30))
		echo > /dev/etherd/discover
	}
	sleep 0.1
done
i=$(( $(uptime_ds) - t0 ))
size=$(cat "$SYS/size")
payload=$(cat "$SYS/payload" 2>/dev/null)
say "found $NAME, $size sectors, payload $payload, state $(cat "$SYS/state"), target mac $(cat "$SYS/mac"), firmware $(cat "$SYS/firmware-version"), after $((i / 10)).$((i % 10)) s"
[ "$size" = "$SECTORS" ] || fail "$NAME has $size sectors, expected $SECTORS"
[ "$(blockdev --getsize64 "$DEV")" = $((SECTORS * 512)) ] || fail "BLKGETSIZE64 of $DEV is not $((SECTORS * 512))"
if [ "$MTU" -ge 9000 ] && [ "${payload:-0}" -le 1024 ]; then
	fail "MTU $MTU but payload $payload: jumbo frames not used"
fi

# Steps 1 and 2 only in the full scenario (the short one is for a small capture).
if [ "$SCENARIO" = full ]; then
# 1. Read what the host wrote into the image before the target started.
run "direct read of the host's pattern at $H_OFF" \
	dd if="$DEV" of=/tmp/h.rd bs="$(size_of /pat/h.bin)" count=1 skip="$H_OFF" iflag=skip_bytes,direct,fullblock
cmp /tmp/h.rd /pat/h.bin >/dev/null || fail "host's pattern at $H_OFF read back wrong"
say "read the host's $(size_of /pat/h.bin)-byte pattern at offset $H_OFF: ok"

# 2. ext4: mkfs, files, remount, check, fsck.
run "mkfs.ext4" mkfs.ext4 -F -q -b 4096 -E lazy_itable_init=0,lazy_journal_init=0,nodiscard "$DEV" "$FS_BLOCKS"
say "mkfs.ext4 on $NAME ($FS_BLOCKS 4-KiB blocks): ok"
run "mount ext4" mount -t ext4 "$DEV" /mnt
head -c 1048576 /dev/urandom > /mnt/f1 || fail "write /mnt/f1"
head -c 3146505 /dev/urandom > /mnt/f2 || fail "write /mnt/f2"
mkdir /mnt/d || fail "mkdir /mnt/d"
i=0
while [ $i -lt 40 ]; do
	head -c $((i * 977 + 1)) /dev/urandom > /mnt/d/s$i || fail "write /mnt/d/s$i"
	i=$((i + 1))
done
( cd /mnt && md5sum f1 f2 d/* ) > /tmp/md5 || fail "md5sum"
kib=$(du -sk /mnt | cut -f1)
run "sync" sync
run "umount" umount /mnt
say "wrote $(wc -l < /tmp/md5) files ($kib KiB), synced, umounted"
while read -r sum path; do echo "AOE-VM-MD5: $sum $path"; done < /tmp/md5
echo 3 > /proc/sys/vm/drop_caches
run "blockdev --flushbufs" blockdev --flushbufs "$DEV"
run "mount ext4 again" mount -t ext4 "$DEV" /mnt
( cd /mnt && md5sum -c /tmp/md5 ) > /tmp/md5.out 2>&1 || {
	grep -v ': OK$' /tmp/md5.out | head -n 20
	fail "files differ after remount"
}
run "umount again" umount /mnt
say "remounted, all md5sums match"
e2fsck -f -n "$DEV" > /tmp/fsck.out 2>&1
rc=$?
[ $rc = 0 ] || { sed 's/^/    /' /tmp/fsck.out | tail -n 30; fail "e2fsck -f -n exited $rc"; }
say "e2fsck -f -n: clean"
fi

# 3. Raw patterns, direct I/O, read back.
for p in p0:$P0_OFF p1:$P1_OFF p2:$P2_OFF; do
	f=/pat/${p%%:*}.bin
	off=${p#*:}
	len=$(size_of "$f")
	run "direct write of $len bytes at $off" \
		dd if="$f" of="$DEV" bs="$len" count=1 seek="$off" oflag=seek_bytes,direct conv=notrunc,fsync
	run "direct read of $len bytes at $off" \
		dd if="$DEV" of=/tmp/rd bs="$len" count=1 skip="$off" iflag=skip_bytes,direct,fullblock
	cmp /tmp/rd "$f" >/dev/null || fail "pattern at $off ($len bytes) read back wrong"
	say "raw pattern of $len bytes at offset $off written and read back: ok"
done

# 4. Only with --restart: the host stops the target when it reads the next
# line, before the write starts, and starts it again while the write waits.
if [ "$RESTART" = 1 ]; then
	echo "AOE-VM-STOP-TARGET"
	# The host reads the console once a second: 5 s leave it room to stop the
	# target before the write starts, and its 8 s away outlast the wait by 3.
	sleep 5
	t0=$(uptime_ds)
	run "direct write across the target's restart" \
		dd if=/pat/r.bin of="$DEV" bs=65536 seek="$R_OFF" oflag=seek_bytes,direct conv=notrunc,fsync
	took=$(( $(uptime_ds) - t0 ))
	run "direct read after the restart" \
		dd if="$DEV" of=/tmp/rd bs=65536 count=$((R_LEN / 65536)) skip="$R_OFF" iflag=skip_bytes,direct,fullblock
	cmp /tmp/rd /pat/r.bin >/dev/null || fail "what was written across the restart read back wrong"
	say "wrote $R_LEN bytes across the target's restart in $((took / 10)).$((took % 10)) s, read back: ok"
	[ "$took" -ge 20 ] || fail "the write took $((took / 10)).$((took % 10)) s: it cannot have waited for the restarted target"
fi
finish PASS
INIT
chmod +x "$RUN/overlay/init"
( cd "$RUN/overlay" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -n ) > "$RUN/overlay.cpio.gz"
cat "$BASE" "$RUN/overlay.cpio.gz" > "$RUN/initrd.gz"

# Namespace with tap0; IPv6 off so that captures hold only what the test does.
ip netns add "$NS" || die "ip netns add $NS"
NS_MADE=1
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ip tuntap add dev tap0 mode tap || die "cannot create tap0 in $NS"
ip netns exec "$NS" ip link set tap0 mtu "$MTU"
ip netns exec "$NS" ip link set tap0 address "$TAP_MAC"    # fixed, so captures compare across runs
ip netns exec "$NS" ip link set tap0 up

if [ -n "$CAPTURE" ]; then
	mkdir -p "$(dirname "$CAPTURE")"
	# --immediate-mode: otherwise frames wait in a half-filled ring block (up to a second) and
	# the SIGTERM at the end loses them ("packets received by filter" > "packets captured").
	ip netns exec "$NS" tcpdump -i tap0 -s "$SNAPLEN" -U --immediate-mode -n -Z root -w "$CAPTURE" 'ether proto 0x88a2' \
		2> "$RUN/tcpdump.log" &
	TCPDUMP_PID=$!
	for i in $(seq 50); do grep -q 'listening on' "$RUN/tcpdump.log" && break; sleep 0.1; done
	grep -q 'listening on' "$RUN/tcpdump.log" || die "tcpdump did not start: $(cat "$RUN/tcpdump.log")"
fi

if [ -n "$LOSS" ]; then
	# Requests lost on their way in (tap0 ingress), answers on their way out.
	ip netns exec "$NS" "$SIM" impair tap0 --loss-in "$LOSS" --loss-out "$LOSS" \
		> "$RUN/impair.counts" 2> "$RUN/impair.log" &
	IMPAIR_PID=$!
	for i in $(seq 50); do grep -q losing "$RUN/impair.log" && break; sleep 0.1; done
	grep -q losing "$RUN/impair.log" || die "aoe-sim impair did not start: $(cat "$RUN/impair.log")"
	say "losing $LOSS of the AoE frames each way on tap0"
fi

tcmd=$TARGET_TMPL
tcmd=${tcmd//\{iface\}/tap0}
tcmd=${tcmd//\{shelf\}/$SHELF}
tcmd=${tcmd//\{slot\}/$SLOT}
tcmd=${tcmd//\{file\}/$IMG}
say "target: $tcmd (in namespace $NS, MTU $MTU)"
start_target() {
	ip netns exec "$NS" sh -c "exec $tcmd" >> "$RUN/target.log" 2>&1 &
	TARGET_PID=$!
	sleep 0.5
	kill -0 "$TARGET_PID" 2>/dev/null || die "target exited at once: $(tail -n 5 "$RUN/target.log")"
}
: > "$RUN/target.log"
start_target
RESTARTED=0
# --restart: when the guest asks, stop the target, keep it away, start it again.
restart_when_asked() {
	[ "$RESTART" = 1 ] && [ "$RESTARTED" = 0 ] || return 0
	grep -q '^AOE-VM-STOP-TARGET' "$RUN/console.log" 2>/dev/null || return 0
	RESTARTED=1
	say "stopping the target (SIGTERM) for $RESTART_AWAY s, as the guest asked"
	stop_pid "$TARGET_PID" TERM
	sleep "$RESTART_AWAY"
	start_target
	say "target started again"
}

say "booting Debian kernel $KVER under QEMU (TCG), guest MTU $MTU, ${SIZE_MIB} MiB image"
ip netns exec "$NS" qemu-system-x86_64 \
	-accel tcg -cpu max -m 512 -smp 1 \
	-nodefaults -no-user-config -display none -no-reboot \
	-kernel "$KDIR/vmlinuz" -initrd "$RUN/initrd.gz" \
	-append "console=ttyS0 panic=-1 quiet ipv6.disable=1" \
	-serial "file:$RUN/console.log" \
	-netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
	-device "virtio-net-pci,netdev=n0,mac=$GUEST_MAC,host_mtu=$MTU,romfile=" \
	> "$RUN/qemu.log" 2>&1 &
QEMU_PID=$!

shown=0
show_progress() {
	[ -f "$RUN/console.log" ] || return 0
	local n
	n=$(wc -l < "$RUN/console.log")
	[ "$n" -gt "$shown" ] || return 0
	sed -n "$((shown + 1)),${n}p" "$RUN/console.log" | tr -d '\r' |
		sed -n 's/^AOE-VM: /guest: /p; s/^AOE-VM-RESULT: /guest result: /p'
	shown=$n
}
deadline=$(( $(date +%s) + TIMEOUT ))
while kill -0 "$QEMU_PID" 2>/dev/null; do
	show_progress
	restart_when_asked
	if [ "$(date +%s)" -ge "$deadline" ]; then
		say "guest still running after $TIMEOUT s: killing QEMU"
		stop_pid "$QEMU_PID" TERM
		break
	fi
	sleep 1
done
wait "$QEMU_PID" 2>/dev/null && qrc=0 || qrc=$?
QEMU_PID=
show_progress
T_GUEST=$(( $(date +%s) - T0 ))
[ -s "$RUN/qemu.log" ] && sed 's/^/qemu: /' "$RUN/qemu.log"

stop_pid "$TARGET_PID" TERM
TARGET_PID=
stop_pid "$TCPDUMP_PID" TERM
TCPDUMP_PID=
if [ -n "$LOSS" ]; then
	stop_pid "$IMPAIR_PID" TERM
	IMPAIR_PID=
fi
[ -n "$CAPTURE" ] && say "capture: $CAPTURE ($(tail -n 3 "$RUN/tcpdump.log" | grep -m1 'packets captured' || true))"

CONSOLE=$(tr -d '\r' < "$RUN/console.log" 2>/dev/null || true)
result=$(printf '%s\n' "$CONSOLE" | sed -n 's/^AOE-VM-RESULT: //p' | tail -n 1)
failures=()
if [ "$result" != PASS ]; then
	printf '%s\n' "$CONSOLE" | sed -n '/^AOE-VM-DMESG-BEGIN/,/^AOE-VM-DMESG-END/p' | sed '1d;$d;s/^/guest dmesg: /'
	[ -n "$result" ] || { printf '%s\n' "$CONSOLE" | tail -n 15 | sed 's/^/console: /'; result="no result line (QEMU exit $qrc)"; }
	failures+=("guest: $result")
fi

# Host side: the image itself.
check_region() {    # FILE OFFSET WHAT
	local len
	len=$(stat -c %s "$1")
	if dd if="$IMG" bs=64K iflag=skip_bytes,count_bytes skip="$2" count="$len" status=none | cmp -s - "$1"; then
		say "host: image holds the $3 ($len bytes) at offset $2"
	else
		failures+=("image does not hold the $3 ($len bytes) at offset $2")
	fi
}
if [ "$result" = PASS ]; then
	check_region "$RUN/overlay/pat/p0.bin" "$P0_OFF" "guest's raw pattern"
	check_region "$RUN/overlay/pat/p1.bin" "$P1_OFF" "guest's raw pattern"
	check_region "$RUN/overlay/pat/p2.bin" "$P2_OFF" "guest's raw pattern"
	[ "$RESTART" = 1 ] && check_region "$RUN/overlay/pat/r.bin" "$R_OFF" "pattern written across the restart"
fi
[ "$RESTART" = 1 ] && [ "$RESTARTED" = 0 ] && failures+=("the guest never asked for the target's restart")
if [ "$result" = PASS ] && [ "$SCENARIO" = full ]; then
	check_region "$RUN/overlay/pat/h.bin" "$H_OFF" "host's pattern"
	if e2fsck -f -n "$IMG" > "$RUN/host-fsck.log" 2>&1; then
		say "host: e2fsck -f -n on the image: clean"
	else
		sed 's/^/host e2fsck: /' "$RUN/host-fsck.log" | tail -n 20
		failures+=("host-side e2fsck -f -n of the image failed")
	fi
	nfiles=0
	bad=0
	while read -r sum path; do
		nfiles=$((nfiles + 1))
		debugfs -R "dump -p /$path $RUN/dump" "$IMG" >/dev/null 2>&1 || true
		got=$(md5sum < "$RUN/dump" 2>/dev/null | cut -d' ' -f1)
		if [ "$got" != "$sum" ]; then
			bad=$((bad + 1))
			say "host: /$path in the image has md5 ${got:-none}, the guest wrote $sum"
		fi
		rm -f "$RUN/dump"
	done < <(printf '%s\n' "$CONSOLE" | sed -n 's/^AOE-VM-MD5: //p')
	if [ "$nfiles" -eq 0 ]; then
		failures+=("the guest reported no md5sums")
	elif [ "$bad" -gt 0 ]; then
		failures+=("$bad of $nfiles files in the image differ from what the guest wrote")
	else
		say "host: all $nfiles files dumped from the image with debugfs match the guest's md5sums"
	fi
fi

if [ -n "$LOSS" ]; then
	# A loss test that lost nothing would prove nothing.
	for d in in out; do
		read -r frames dropped < <(awk -v d=$d '$1 == d { print $3, $5 }' "$RUN/impair.counts")
		say "tap0 $d: ${dropped:-?} of ${frames:-?} AoE frames lost"
		[ -n "$dropped" ] && [ "$dropped" -gt 0 ] || failures+=("no AoE frame was lost $d on tap0")
	done
fi

T_ALL=$(( $(date +%s) - T0 ))
if [ ${#failures[@]} -eq 0 ]; then
	restart_note=
	[ "$RESTART" = 1 ] && restart_note=", target restarted mid-write"
	say "PASS (MTU $MTU${LOSS:+, $LOSS loss each way}$restart_note, $tcmd; guest ${T_GUEST} s, total ${T_ALL} s)"
	exit 0
fi
for f in "${failures[@]}"; do say "FAIL: $f"; done
say "console log: $VMDIR/last-console.log, target log: $VMDIR/last-target.log"
exit 1
