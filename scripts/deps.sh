#!/bin/sh
# Install the Debian packages snapvnf needs to build, test and demo, but
# only those missing. As root it runs apt-get; otherwise it prints the exact
# command to run and fails, so the build never half-works.
set -eu

PKGS="gcc make pkg-config libpcap-dev libjson-c-dev libcmocka-dev
      tshark tcpdump iproute2 python3 nfdump softflowd pmacct jq gnuplot-nox
      clang libclang-rt-dev"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "snapvnf: missing Debian packages:$missing" >&2
	echo "snapvnf: run as root: apt-get update && $cmd" >&2
	exit 1
fi
echo "snapvnf: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# An apt-get on a fresh machine has no package lists yet.
apt-get update -qq >&2 || true
$cmd >&2
