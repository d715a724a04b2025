#!/bin/sh
# Every Debian package snapvnf uses, grouped by what uses it, and the one
# place that installs them: `scripts/deps.sh GROUP...` installs the missing
# packages of those groups (as root: apt-get; otherwise it prints the exact
# command to run and fails, so nothing half-works). Nothing else in the tree
# keeps a package list: scripts that need tools call this.
#
#   scripts/deps.sh [--list] GROUP...
#     --list   print the packages of the groups, one per line, and exit
#
# Groups (a group may name others with @):
#   build      compile the daemon, the library and the CLI: `make` (libsystemd:
#              the journald event sink and the daemon's sd_notify)
#   test       `make test`: unit tests, tshark truths, the flow tools, fuzz
#              corpus replay, and the stand-in switch for the live tests
#   testbed    scripts/testbed: the stand-in switch and its traffic programs
#   demo       `make demo`
#   demo-live  `make demo-live` (the testbed)
#   bench      `make bench` and `make bench-live`: charts, instruction
#              counts, the bare reader (tcpdump) the ingest cost is held
#              against, and the live generators (tcpreplay, iperf3) with
#              the veth pair's tools
#   record     scripts/record-demo-capture.sh
#   docs       scripts/metrics-screenshot.sh: a real prometheus scraping a
#              real daemon, its graph page shot by headless chromium
#   deb        `make deb` (debian/: dpkg-buildpackage, debhelper, lintian)
#              and `make deb-check` (git: the root it makes holds a commit;
#              tcpdump: the capture's packet count)
set -eu

group() {
	case $1 in
	build)
		echo gcc make pkg-config libc6-dev libpcap-dev libjson-c-dev libyaml-dev \
		     libsystemd-dev libnftables-dev libhiredis-dev libcap-ng-dev libmicrohttpd-dev ;;
	test)
		echo @build @testbed @deb libcmocka-dev tshark wireshark-common tcpdump jq python3 \
		     nfdump softflowd pmacct clang libclang-rt-dev iproute2 \
		     redis-server redis-tools nftables prometheus curl \
		     logrotate rsyslog rsyslog-kafka systemd groff-base ;;
	testbed)
		echo openvswitch-switch ethtool iproute2 iputils-ping dnsmasq-base \
		     iperf3 hping3 bind9-dnsutils curl openssl python3 tcpdump procps jq ;;
	demo)
		echo @build ;;
	demo-live)
		echo @build @testbed ;;
	bench)
		echo @build gnuplot-nox valgrind tcpdump tcpreplay iperf3 iproute2 \
		     ethtool procps jq ;;
	record)
		echo tcpdump dnsmasq-base iperf3 bind9-dnsutils openssl tshark curl \
		     python3 iproute2 iputils-ping procps ;;
	docs)
		echo @build prometheus chromium fonts-dejavu-core curl jq python3 ;;
	deb)
		# build-essential: dpkg-buildpackage checks for it, as Debian's
		# build daemons have it, beside Build-Depends.
		echo @build build-essential debhelper dpkg-dev fakeroot lintian git tcpdump ;;
	*)
		echo "deps.sh: no package group '$1' (build test testbed demo demo-live bench record docs deb)" >&2
		return 1 ;;
	esac
}

# Expand groups (and the groups they name) into a sorted package list.
expand() {
	for g in "$@"; do
		for p in $(group "$g"); do
			case $p in
			@*) expand "${p#@}" ;;
			*) echo "$p" ;;
			esac
		done
	done
}

list=0
[ "${1:-}" = --list ] && { list=1; shift; }
[ $# -ge 1 ] || set -- build
pkgs=$(expand "$@" | sort -u)
if [ $list -eq 1 ]; then
	echo "$pkgs"
	exit 0
fi

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
# Another apt (a second build, a test installing its tools) may hold the
# lock: wait for it rather than fail.
lock_wait="-o DPkg::Lock::Timeout=600"
if [ "$(id -u)" -ne 0 ]; then
	echo "snapvnf: missing Debian packages ($*):$missing" >&2
	echo "snapvnf: run as root: apt-get update && $cmd" >&2
	exit 1
fi
echo "snapvnf: installing for $*:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# An apt-get on a fresh machine has no package lists yet. Descriptors above
# 2 are closed for apt: a caller's lock (the testbed's flock on fd 8 or 9)
# must not be inherited by what dpkg starts.
apt-get $lock_wait update -qq >&2 8<&- 9<&- || true
$cmd $lock_wait >&2 8<&- 9<&-
