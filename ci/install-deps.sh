#!/usr/bin/env bash
# ci/install-deps.sh - install the Debian packages aoekit builds and tests with.
#
# Idempotent: asks dpkg which packages are missing and installs just those, so
# a second run (every `make test`) costs one dpkg-query per package and no
# network.  Works as root on a fresh Debian 12 with no standard input.
# Prints one line: what it installed, or that everything is present.
set -euo pipefail

PROG=ci/install-deps.sh

# Why each is here:
#   build-essential pkg-config      compiler, make, library flags
#   libpcap-dev libnet1-dev         frame capture and crafting in tools and tests
#   libcmocka-dev valgrind afl++    unit tests, memcheck, fuzzing
#   python3 python3-pytest          test helpers
#   iproute2 procps util-linux      network namespaces and veth (sim/lan.sh), sysctl
#   vblade aoetools                 Debian's AoE target and tools: interoperability peers
#   tcpdump tshark                  dissectors used as oracles for captures
#   libfuse3-dev fuse3 liburing-dev FUSE and io_uring builds
#   e2fsprogs                       mkfs on an exported disk
PACKAGES=(
	build-essential pkg-config
	libpcap-dev libnet1-dev
	libcmocka-dev valgrind afl++
	python3 python3-pytest
	iproute2 procps util-linux
	vblade aoetools
	tcpdump tshark
	libfuse3-dev fuse3 liburing-dev
	e2fsprogs
)

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 1
}

# A package counts as present only when dpkg says it is fully installed
# (not merely known, half-configured or removed with its config left).
is_installed() {
	local status
	status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
	[[ "$status" == "install ok installed" ]]
}

missing_packages() {
	local pkg
	for pkg in "${PACKAGES[@]}"; do
		is_installed "$pkg" || printf '%s\n' "$pkg"
	done
}

install_packages() {
	local log
	log=$(mktemp /tmp/aoekit-install-deps.XXXXXX)
	# tshark's wireshark-common asks whether non-root users may capture; answer
	# it ahead so the install never waits for a terminal that is not there.
	if ! printf '%s\n' 'wireshark-common wireshark-common/install-setuid boolean false' |
		debconf-set-selections >"$log" 2>&1; then
		cat "$log" >&2
		die "debconf-set-selections failed"
	fi
	# apt's own progress goes to a log: this script promises one line of output,
	# and the log is shown in full when something goes wrong.
	if ! { apt-get update -q &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"; } \
		</dev/null >>"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "apt-get failed installing: $* (full log: $log)"
	fi
	rm -f "$log"
}

main() {
	if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
		printf 'usage: %s\n  installs the missing ones of: %s\n' "$PROG" "${PACKAGES[*]}"
		exit 0
	fi
	command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script is for Debian"

	local -a missing
	mapfile -t missing < <(missing_packages)
	if ((${#missing[@]} == 0)); then
		printf '%s: all %d packages present\n' "$PROG" "${#PACKAGES[@]}"
		return 0
	fi
	[[ $EUID -eq 0 ]] || die "must run as root to install: ${missing[*]}"

	install_packages "${missing[@]}"

	# Trust nothing: a package apt skipped would otherwise fail much later.
	local -a still
	mapfile -t still < <(missing_packages)
	((${#still[@]} == 0)) || die "still missing after apt-get install: ${still[*]}"
	printf '%s: installed %s\n' "$PROG" "${missing[*]}"
}

main "$@"
