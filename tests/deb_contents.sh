#!/bin/bash
# The Debian packages (`make deb`; built here unless this run's build/deb
# is newer than every source of it):
#  - their files, all three together, are exactly what `make install`
#    put in the package build's debian/tmp (docs and changelogs aside, man
#    pages gzipped), each in one package only;
#  - control: names, the version of VERSION (and debian/changelog's),
#    the architecture, libsnapvnf1 named after the SONAME its library has
#    (readelf), the -dev package tied to that exact version, the daemon's
#    libraries in Depends (dpkg-shlibdeps), adduser for the user, the
#    conffiles, the user made in postinst and the unit enabled;
#  - Build-Depends are scripts/deps.sh's build group but build-essential;
#  - lintian (pedantic) has no error and no warning.
set -u
. "$(dirname "$0")/lib.bash"
for t in dpkg-deb dpkg-buildpackage lintian readelf; do
	command -v $t >/dev/null || fail "$t is missing (scripts/deps.sh deb installs it)"
done
top=$(cd "$(dirname "$0")/.." && pwd)
V=$(cat "$top/VERSION")
A=$(dpkg --print-architecture)
D=$B/deb
deb() { echo "$D/${1}_${V}_$A.deb"; }

stale=1
if [ -f "$(deb snapvnf)" ]; then
	stale=$(cd "$top" && find Makefile VERSION debian dist man src include tools vnfs examples docs README.md \
		-newer "$(deb snapvnf)" -type f | head -1 | wc -l)
fi
if [ "$stale" -ne 0 ]; then
	make -C "$top" -s deb BUILD="$B" > "$T/make.log" 2>&1 || fail "make deb: $(tail -20 "$T/make.log")"
	echo "built $(cd "$D" && ls *.deb | paste -sd ' ')"
else
	echo "reusing this run's packages in $D"
fi
for p in snapvnf libsnapvnf1 libsnapvnf-dev; do
	[ -f "$(deb $p)" ] || fail "no $(deb $p)"
done

# Files.
tmp=$D/snapvnf-$V/debian/tmp
[ -d "$tmp" ] || fail "no $tmp (make install's output in the package build)"
(cd "$tmp" && find . \( -type f -o -type l \) | sed 's|^\./|/|' | sort) > "$T/installed"
for p in snapvnf libsnapvnf1 libsnapvnf-dev; do
	dpkg-deb -c "$(deb $p)" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./|/|' |
		grep -v "^/usr/share/doc/$p/" | sed 's|^\(/usr/share/man/.*\)\.gz$|\1|' | sort > "$T/files.$p"
done
sort "$T"/files.* | uniq -d > "$T/twice"
[ -s "$T/twice" ] && fail "in two packages: $(cat "$T/twice")"
sort -u "$T"/files.* > "$T/packaged"
diff "$T/installed" "$T/packaged" > "$T/diff" || fail "make install (<) against the packages (>): $(cat "$T/diff")"
echo "files: the $(wc -l < "$T/packaged") make install puts, each in one package"
dpkg-deb -c "$(deb snapvnf)" > "$T/list"
grep -q ' \./usr/lib/[^/]*/snapvnf/vnfs/$' "$T/list" || fail "snapvnf has no plugin directory"
for f in README.md deploy.md events.md; do
	grep -q "/usr/share/doc/snapvnf/$f.gz\$" "$T/list" || fail "no /usr/share/doc/snapvnf/$f"
done

# Control.
field() { dpkg-deb -f "$(deb "$1")" "$2"; }
for p in snapvnf libsnapvnf1 libsnapvnf-dev; do
	[ "$(field $p Package)" = "$p" ] || fail "$p: Package $(field $p Package)"
	[ "$(field $p Version)" = "$V" ] || fail "$p: Version $(field $p Version), VERSION says $V"
	[ "$(field $p Architecture)" = "$A" ] || fail "$p: Architecture $(field $p Architecture)"
done
[ "$(cd "$top" && dpkg-parsechangelog -S Version)" = "$V" ] || fail "debian/changelog's version is not VERSION's $V"
mkdir "$T/lib" && dpkg-deb -x "$(deb libsnapvnf1)" "$T/lib"
so=$(find "$T/lib" -name 'libsnapvnf.so.*.*' -type f)
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$(echo "$soname" | sed 's/\.so\./-/; s/^\(lib[a-z]*\)-\([0-9]*\)$/\1\2/')" = libsnapvnf1 ] ||
	fail "the library's SONAME $soname does not name the package libsnapvnf1"
dep=$(field snapvnf Depends)
for d in adduser libpcap0.8 libjson-c5 libsystemd0 libcap-ng0 libnftables1; do
	[[ ", $dep," == *", $d "* || ", $dep," == *", $d,"* ]] || fail "snapvnf does not depend on $d: $dep"
done
[[ "$(field libsnapvnf-dev Depends)" == *"libsnapvnf1 (= $V)"* ]] || fail "libsnapvnf-dev: $(field libsnapvnf-dev Depends)"
mkdir "$T/ctl" && dpkg-deb -e "$(deb snapvnf)" "$T/ctl"
grep -qx /etc/default/snapvnfd "$T/ctl/conffiles" || fail "/etc/default/snapvnfd is not a conffile"
sed -e ':a' -e '/\\$/N; s/\\\n[ \t]*/ /; ta' "$T/ctl/postinst" | grep -q 'adduser --system --group .* snapvnf$' ||
	fail "postinst makes no user snapvnf"
grep -q "deb-systemd-helper enable 'snapvnfd.service'" "$T/ctl/postinst" || fail "postinst does not enable snapvnfd.service"
echo "control: $V, $A; snapvnf depends on $dep"

# Build-Depends against the build group.
bd=$(cd "$top" && sed -n '/^Build-Depends:/,/^[A-Z]/p' debian/control | sed '$d; s/^Build-Depends://' |
	tr ',' '\n' | sed 's/(.*)//; s/^[ \t]*//; s/[ \t]*$//' | grep -v '^debhelper-compat$' | grep . | sort)
grp=$("$top/scripts/deps.sh" --list build | grep -vx -e gcc -e make -e libc6-dev | sort)
diff <(echo "$grp") <(echo "$bd") > "$T/diff" || fail "deps.sh build (<) against Build-Depends (>): $(cat "$T/diff")"
echo "Build-Depends: deps.sh's build group but build-essential"

# lintian, everything it has to say.
lintian --pedantic -I "$D/snapvnf_${V}_$A.changes" > "$T/lintian" 2>&1
grep -v 'running with root privileges' "$T/lintian" | sed 's/^/lintian: /'
grep -qE '^[EW]: ' "$T/lintian" && fail "lintian has errors or warnings"
echo ok
