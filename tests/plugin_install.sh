#!/bin/bash
# What a VNF provider does, from outside the tree: `make install` into a
# temporary DESTDIR with PREFIX=/usr (its own build directory, from
# scratch), then examples/plugin copied elsewhere and built against that
# install alone (pkg-config, PKG_CONFIG_SYSROOT_DIR), then loaded by the
# installed snapvnf three ways - --plugin, the plugin directory, and the
# example's own service program linked against the installed
# libsnapvnf.so - while the installed snapvnfd replays the HTTP captures
# of the shared test data. Each service's per-host counts must be the
# truth's: requests per Host from tests/data/*.http.tsv, those whose Host
# line the snap cuts (offsets.tsv) under host null, and truncated_requests
# the requests whose head tshark does not find complete within the snap
# (its empty line; for HTTP/0.9, its request line).
# Then `make uninstall` leaves nothing but empty directories.
set -u
. "$(dirname "$0")/lib.bash"

top=${SNAPVNF_TOP:-$PWD}
for t in tshark mergecap jq python3 pkg-config readelf; do
	command -v $t >/dev/null || fail "$t is missing (scripts/deps.sh installs it)"
done
root=$T/root
make -C "$top" -s BUILD="$T/build" DESTDIR="$root" PREFIX=/usr install > "$T/make.log" 2>&1 ||
	fail "make install: $(tail -5 "$T/make.log")"

# The layout, the SONAME and its links.
for f in sbin/snapvnfd bin/snapvnf lib/libsnapvnf.a lib/libsnapvnf.so lib/libsnapvnf.so.1 \
	 lib/pkgconfig/snapvnf.pc include/snapvnf/vnf_util.h include/snapvnf/plugin.h; do
	[ -e "$root/usr/$f" ] || fail "make install did not install /usr/$f"
done
[ -d "$root/usr/lib/snapvnf/vnfs" ] || fail "no plugin directory /usr/lib/snapvnf/vnfs"
[ "$(readlink "$root/usr/lib/libsnapvnf.so")" = libsnapvnf.so.1 ] || fail "libsnapvnf.so link"
soname=$(readelf -d "$root/usr/lib/libsnapvnf.so.1" | sed -n 's/.*soname: \[\(.*\)\]/\1/p')
[ "$soname" = libsnapvnf.so.1 ] || fail "SONAME '$soname'"
diff <(cd "$top/include/snapvnf" && ls) <(cd "$root/usr/include/snapvnf" && ls) > /dev/null ||
	fail "installed headers differ from include/snapvnf/"

# The provider's side: a copy of the example, nothing of the tree.
cp -r "$top/examples/plugin" "$T/provider"
export PKG_CONFIG_PATH=$root/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
make -C "$T/provider" > "$T/build.log" 2>&1 || fail "building the example: $(tail -5 "$T/build.log")"
grep -q -- "-I$root/usr/include" "$T/build.log" || fail "the example did not use the installed headers"
grep -q -- "$top" "$T/build.log" && fail "the example's build reached into the source tree: $(grep -- "$top" "$T/build.log" | head -2)"
readelf -d "$T/provider/http_hosts" | grep -q 'NEEDED.*\[libsnapvnf.so.1\]' ||
	fail "http_hosts does not need libsnapvnf.so.1"
make -C "$T/provider" -s install DESTDIR="$root" PLUGINDIR=/usr/lib/snapvnf/vnfs > /dev/null ||
	fail "installing the plugin"
[ -f "$root/usr/lib/snapvnf/vnfs/http_host_count.so" ] || fail "the plugin is not in the plugin directory"

caps="http-get http-vlan http-nonprint http-oneside http-split http-ipv6-frag"
mergecap -a -F pcap -w "$T/http.pcap" $(for c in $caps; do echo "tests/data/$c.pcap"; done) ||
	fail "mergecap"

for snap in 150 1024; do
	# The truth at this snap length: per host, requests and truncated ones.
	for c in $caps; do
		tshark -n -r "tests/data/$c.pcap" -o tcp.desegment_tcp_streams:FALSE -o ip.defragment:FALSE \
			-o ipv6.defragment:FALSE -Y http.request -T pdml 2> /dev/null > "$T/$c.pdml"
	done
	python3 - "$snap" "$T" $caps > "$T/truth.$snap" <<'PY' || fail "truth"
import collections, csv, sys
import xml.etree.ElementTree as ET

snap, tmp, caps = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
req, trunc = collections.Counter(), collections.Counter()
for c in caps:
    rows = list(csv.DictReader(open(f"tests/data/{c}.http.tsv"), delimiter="\t"))
    ends = {}
    for o in csv.DictReader(open(f"tests/data/{c}.offsets.tsv"), delimiter="\t"):
        if o["field"] == "http.host":
            ends[o["frame.number"]] = int(o["end"])
    # tshark: the head is whole when its empty line is in the frame and the snap.
    whole = {}
    for _, pkt in ET.iterparse(f"{tmp}/{c}.pdml"):
        if pkt.tag != "packet":
            continue
        num = next(f.get("show") for f in pkt.iter("field") if f.get("name") == "frame.number")
        cap = int(next(f.get("show") for f in pkt.iter("field") if f.get("name") == "frame.cap_len"))
        http = next(p for p in pkt.iter("proto") if p.get("name") == "http")
        fields = http.findall("field")
        blank = [f for f in fields if f.get("name") == "" and f.get("show") == "\\r\\n"]
        # HTTP/0.9 (no version): the request line is the whole request.
        if any(f.get("name") == "http.request.version" and f.get("show") == "" for f in http.iter("field")):
            blank = fields[:1]
        whole[num] = any(int(f.get("pos")) + int(f.get("size")) <= min(snap, cap) for f in blank)
        pkt.clear()
    for r in rows:
        host = r["http.host"] if r["http.host"] and ends.get(r["frame.number"], 1 << 30) <= snap else "null"
        req[host] += 1
        trunc[host] += 0 if whole[r["frame.number"]] else 1
for h in sorted(req):
    print(f"{h}\t{req[h]}\t{trunc[h]}")
PY
	[ "$(wc -l < "$T/truth.$snap")" -ge 4 ] || fail "snap $snap: the truth has too few hosts"

	"$root/usr/sbin/snapvnfd" -q -s $snap -r "$T/http.pcap" --wait-for 3 & dpid=$!; PIDS+=($dpid)
	wait_ctl
	"$root/usr/bin/snapvnf" run --name p1 --plugin "$T/provider/http_host_count.so" \
		http_host_count > "$T/p1.$snap" 2> "$T/p1.err" & p1=$!; PIDS+=($p1)
	SNAPVNF_PLUGIN_DIR=$root/usr/lib/snapvnf/vnfs "$root/usr/bin/snapvnf" run --name p2 \
		http_host_count > "$T/p2.$snap" 2> "$T/p2.err" & p2=$!; PIDS+=($p2)
	LD_LIBRARY_PATH=$root/usr/lib "$T/provider/http_hosts" p3 > "$T/p3.$snap" 2> "$T/p3.err" &
	p3=$!; PIDS+=($p3)
	wait_exit $dpid 60 || fail "snapvnfd exited with $?"
	for p in p1 p2 p3; do
		eval "wait_exit \$$p 30" || fail "$p exited with $?: $(cat "$T/$p.err")"
		jq -r 'select(.event == "http_host_count") |
			[.host // "null", .requests, .truncated_requests] | @tsv' "$T/$p.$snap" |
			sort > "$T/$p.got"
		diff "$T/truth.$snap" "$T/$p.got" > "$T/diff" ||
			fail "snap $snap, $p: counts (>) differ from the truth (<): $(cat "$T/diff")"
	done
	echo "snap $snap: three services agree with the truth: $(paste -sd ' ' "$T/truth.$snap")"
done

make -C "$top" -s BUILD="$T/build" DESTDIR="$root" PREFIX=/usr uninstall > /dev/null 2>&1 ||
	fail "make uninstall"
rm -f "$root/usr/lib/snapvnf/vnfs/http_host_count.so"
make -C "$top" -s BUILD="$T/build" DESTDIR="$root" PREFIX=/usr uninstall > /dev/null 2>&1
left=$(find "$root" -type f -o -type l)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "ok: installed, built outside the tree, loaded three ways, uninstalled"
