#!/bin/bash
# Record data/demo.pcap: real traffic between real programs in two private
# network namespaces, plus data/demo-clients.log, the clients' own record of
# what they asked for (the independent source tests compare snapvnf against).
#
#   scripts/record-demo-capture.sh [OUTDIR]       (default: data/ of the repo)
#
# Environment: IPERF_BYTES4 / IPERF_BYTES6 (UDP payload bytes sent by iperf3
# over IPv4 / IPv6, 200-byte datagrams; defaults give ~17,000 packets in all).
#
# Debian packages used: the group "record" of scripts/deps.sh, installed when
# missing.
#
# Topology (nothing leaves the two namespaces):
#   svrec-cli [svrec-c0 10.77.0.2 fd00:77::2] <-veth-> [svrec-s0 10.77.0.1 fd00:77::1] svrec-srv
# Servers in svrec-srv: python3 http.server :80, dnsmasq :53, openssl s_server
# :443 (v4 and v6), iperf3 :5201. Clients in svrec-cli: curl, dig,
# openssl s_client, iperf3 -u, ping. tcpdump -s 0 on svrec-c0 writes pcap.
# Every step is bounded by `timeout`; a trap removes namespaces, processes
# (by PID) and temporary files, also on failure. Re-running replaces outputs.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/data}
IPERF_BYTES4=${IPERF_BYTES4:-2200000}
IPERF_BYTES6=${IPERF_BYTES6:-1100000}

NS_S=svrec-srv NS_C=svrec-cli
IF_S=svrec-s0 IF_C=svrec-c0
S4=10.77.0.1 C4=10.77.0.2 S6=fd00:77::1 C6=fd00:77::2

die() { echo "record-demo-capture: $*" >&2; exit 1; }
log() { echo "record-demo-capture: $*" >&2; }

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, tcpdump)"

# --- packages --------------------------------------------------------------
"$top/scripts/deps.sh" record
# The system python3 (http.server only needs the standard library).
PY=/usr/bin/python3; [ -x "$PY" ] || PY=$(command -v python3)

# --- teardown --------------------------------------------------------------
work="" pids=()
kill_ns_procs() {  # processes left in one of our namespaces, by PID
	local ns=$1 p
	for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
	sleep 0.3
	for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
}
teardown() {
	local p ns
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	pids=()
	for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^svrec-/ {print $1}'); do
		kill_ns_procs "$ns"
		ip netns del "$ns" 2>/dev/null || true
	done
	ip link del "$IF_S" 2>/dev/null || true
	rm -rf /etc/netns/"$NS_C" /etc/netns/"$NS_S"
	rmdir /etc/netns 2>/dev/null || true
	[ -n "$work" ] && rm -rf "$work"
	return 0
}
trap 'rc=$?; teardown; exit $rc' EXIT
trap 'exit 130' INT TERM
teardown  # leftovers of an earlier, interrupted run

work=$(mktemp -d /tmp/svrec.XXXXXX)
chmod 755 "$work"
# Background servers are started as `ip netns exec NS prog &` (not through a
# function) so that $! is the program itself: ip execs it in place.
in_s() { ip netns exec "$NS_S" "$@"; }
in_c() { ip netns exec "$NS_C" "$@"; }
wait_port() {  # ns proto port: wait until something listens (5 s at most)
	local i
	for i in $(seq 50); do
		ip netns exec "$1" ss -Hln"$2" "sport = :$3" | grep -q . && return 0
		sleep 0.1
	done
	die "nothing listens on $2 port $3 in $1"
}

# --- namespaces and link -----------------------------------------------------
log "creating namespaces $NS_S, $NS_C"
ip netns add "$NS_S"
ip netns add "$NS_C"
ip link add "$IF_C" netns "$NS_C" address 02:00:0a:4d:00:02 type veth \
	peer name "$IF_S" netns "$NS_S" address 02:00:0a:4d:00:01
for ns in "$NS_S" "$NS_C"; do ip -n "$ns" link set lo up; done
ip -n "$NS_S" addr add "$S4/24" dev "$IF_S"
ip -n "$NS_S" addr add "$S6/64" dev "$IF_S" nodad
ip -n "$NS_C" addr add "$C4/24" dev "$IF_C"
ip -n "$NS_C" addr add "$C6/64" dev "$IF_C" nodad
ip -n "$NS_S" link set "$IF_S" up
ip -n "$NS_C" link set "$IF_C" up
# The client resolves through dnsmasq (ip netns exec bind-mounts this file).
mkdir -p /etc/netns/"$NS_C"
printf 'nameserver %s\nnameserver %s\noptions timeout:1 attempts:2\n' "$S4" "$S6" \
	>/etc/netns/"$NS_C"/resolv.conf

# --- server content ------------------------------------------------------------
www=$work/www
mkdir -p "$www/login" "$www/static" "$www/images" "$www/docs" "$www/signin"
cat >"$www/index.html" <<'EOF'
<!doctype html><html><head><title>snapvnf demo shop</title>
<link rel="stylesheet" href="/static/style.css"></head>
<body><h1>Demo shop</h1><p>Nothing to buy here.</p>
<img src="/images/logo.svg" alt="logo"><script src="/static/app.js"></script></body></html>
EOF
cat >"$www/login/index.html" <<'EOF'
<!doctype html><html><head><title>Account verification</title></head><body>
<h1>Your account has been limited</h1><p>Please confirm your identity.</p>
<form method="post" action="/login/verify"><input name="email"><input name="password" type="password">
<button>Verify</button></form></body></html>
EOF
cp "$www/login/index.html" "$www/signin/verify-account.html"
printf 'body{font-family:sans-serif;margin:2em}\nh1{color:#246}\n' >"$www/static/style.css"
printf 'document.addEventListener("DOMContentLoaded",function(){console.log("demo");});\n' >"$www/static/app.js"
printf '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30" fill="#246"/></svg>\n' >"$www/images/logo.svg"
printf 'User-agent: *\nDisallow: /login/\n' >"$www/robots.txt"
printf '{"status":"ok","items":[1,2,3]}\n' >"$www/docs/api.json"
seq 1 4000 | sed 's/^/line /' >"$www/docs/report.txt"  # ~40 kB, several segments

# Self-signed certificate for s_server.
timeout 30 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$work/key.pem" -out "$work/cert.pem" -days 30 -subj "/CN=demo.example" \
	-addext "subjectAltName=DNS:demo.example,DNS:*.example" 2>"$work/openssl-req.err" ||
	{ cat "$work/openssl-req.err" >&2; die "certificate generation failed"; }

# --- servers -------------------------------------------------------------------
log "starting servers in $NS_S"
ip netns exec "$NS_S" "$PY" -m http.server 80 --bind :: --directory "$www" >"$work/http.log" 2>&1 &
pids+=($!)

dns=(--no-daemon --no-resolv --no-hosts --no-poll --conf-file=/dev/null --pid-file=
	--user=root --bind-interfaces --interface="$IF_S" --except-interface=lo
	--listen-address="$S4" --listen-address="$S6" --port=53 --cache-size=0
	--log-queries --log-facility="$work/dnsmasq.log"
	--local=/example/ --local=/test/ --domain-needed
	--address=/tracker.adnet.example/)   # empty address: NXDOMAIN
for h in www.shop.example shop.example cdn.shop.example api.shop.example \
	login-paypa1.example secure-appleid-verify.example micros0ft-account-update.example \
	paypal.com.account-verify.example mail.shop.example bank.example secure.bank.example \
	demo.example intranet.test; do
	dns+=(--host-record="$h,$S4,$S6")
done
dns+=(--address=/free-giftcards.test/"$S4" --address=/free-giftcards.test/"$S6"
	--mx-host=shop.example,mail.shop.example,10 --mx-host=bank.example,mail.shop.example,20
	--txt-record=shop.example,"v=spf1 mx -all"
	--txt-record=_dmarc.shop.example,"v=DMARC1; p=reject"
	--txt-record=bank.example,"demo-verification=snapvnf")
ip netns exec "$NS_S" dnsmasq "${dns[@]}" >"$work/dnsmasq.out" 2>&1 &
pids+=($!)

ip netns exec "$NS_S" openssl s_server -quiet -www -accept "$S4:443" -cert "$work/cert.pem" \
	-key "$work/key.pem" >"$work/s_server4.log" 2>&1 </dev/null &
pids+=($!)
ip netns exec "$NS_S" openssl s_server -quiet -www -6 -accept "[$S6]:443" -cert "$work/cert.pem" \
	-key "$work/key.pem" >"$work/s_server6.log" 2>&1 </dev/null &
pids+=($!)
ip netns exec "$NS_S" iperf3 -s -p 5201 >"$work/iperf3-server.log" 2>&1 &
pids+=($!)

wait_port "$NS_S" t 80
wait_port "$NS_S" u 53
wait_port "$NS_S" t 53
wait_port "$NS_S" t 443
wait_port "$NS_S" t 5201

# --- capture -------------------------------------------------------------------
pcap=$work/demo.pcap
ip netns exec "$NS_C" tcpdump -i "$IF_C" -s 0 -U -n -Z root -w "$pcap" >"$work/tcpdump.out" 2>&1 &
tcpdump_pid=$!
pids+=("$tcpdump_pid")
for i in $(seq 50); do grep -q 'listening on' "$work/tcpdump.out" && break; sleep 0.1; done
grep -q 'listening on' "$work/tcpdump.out" || { cat "$work/tcpdump.out" >&2; die "tcpdump did not start"; }
sleep 0.5

# --- clients -------------------------------------------------------------------
clog=$work/demo-clients.log
{
	echo "# snapvnf demo capture: the clients' own record of what they sent."
	echo "# One line per client action, tab-separated key=value fields after the tool name."
	echo "# client $C4 / $C6 ($NS_C), servers $S4 / $S6 ($NS_S)"
} >"$clog"

UA_CURL="curl/$(curl --version | awk 'NR==1{print $2}')"
UA_FF="Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0"
UA_CHROME="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
UA_IOS="Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
UA_PYREQ="python-requests/2.31.0"
UA_WGET="Wget/1.21.3"
UA_SQLMAP="sqlmap/1.7.2#stable (https://sqlmap.org)"
UA_NIKTO="Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000003)"

# curl FAMILY UA URL [extra curl args...]: one GET, logged from curl's -w.
n_curl=0
fetch() {
	local fam=$1 ua=$2 url=$3; shift 3
	local w line
	w="CURL\tfamily=$fam\tmethod=GET\turl=%{url}\turl_effective=%{url_effective}\tua=$ua\tremote_ip=%{remote_ip}\tremote_port=%{remote_port}\tlocal_ip=%{local_ip}\tlocal_port=%{local_port}\thttp_code=%{http_code}\tsize=%{size_download}\n"
	line=$(in_c timeout 10 curl -"$fam" -sS -o /dev/null --max-time 5 --path-as-is \
		-A "$ua" -w "$w" "$@" "$url" 2>>"$work/curl.err") || true
	[ -n "$line" ] || line=$(printf 'CURL\tfamily=%s\tmethod=GET\turl=%s\tua=%s\terror=curl-failed' "$fam" "$url" "$ua")
	# A Host: header given by hand is the Host name the server saw.
	local a host=""
	for a in "$@"; do case $a in Host:*) host=${a#Host: } ;; esac; done
	[ -n "$host" ] && line="$line"$'\t'"host_header=$host"
	printf '%s\n' "$line" >>"$clog"
	n_curl=$((n_curl + 1))
}
log "curl"
fetch 4 "$UA_CURL"   http://www.shop.example/
fetch 4 "$UA_FF"     http://www.shop.example/static/style.css
fetch 4 "$UA_FF"     http://www.shop.example/static/app.js
fetch 4 "$UA_FF"     http://www.shop.example/images/logo.svg
fetch 4 "$UA_CHROME" http://shop.example/robots.txt
fetch 4 "$UA_CHROME" "http://api.shop.example/docs/api.json?page=2&sort=price"
fetch 4 "$UA_PYREQ"  http://api.shop.example/docs/api.json -H "Accept: application/json"
fetch 4 "$UA_WGET"   http://cdn.shop.example/docs/report.txt
fetch 4 "$UA_IOS"    http://login-paypa1.example/login/
fetch 4 "$UA_IOS"    "http://login-paypa1.example/signin/verify-account.html?session=8f2a91c3&redirect=%2Faccount"
fetch 4 "$UA_FF"     http://secure-appleid-verify.example/login/
fetch 4 "$UA_CHROME" http://micros0ft-account-update.example/signin/verify-account.html
fetch 4 "$UA_CHROME" http://paypal.com.account-verify.example/login/
fetch 4 "$UA_FF"     http://free-giftcards.test/claim.php?id=1337
fetch 4 "$UA_CURL"   http://intranet.test/
fetch 4 "$UA_SQLMAP" "http://shop.example/products.php?id=1%27%20OR%20%271%27%3D%271"
fetch 4 "$UA_NIKTO"  http://shop.example/../../etc/passwd
fetch 4 "$UA_NIKTO"  http://shop.example/.env
fetch 4 "$UA_CURL"   http://shop.example/wp-admin/install.php
fetch 4 "$UA_CURL"   "http://$S4/" -H "Host: bank.example"
fetch 4 "$UA_CHROME" "http://$S4/login/" -H "Host: login.bank.example.evil.test"
fetch 4 "$UA_PYREQ"  "http://$S4/docs/api.json" -H "Host: api.shop.example"
fetch 6 "$UA_FF"     http://www.shop.example/
fetch 6 "$UA_FF"     http://www.shop.example/static/style.css
fetch 6 "$UA_IOS"    http://login-paypa1.example/login/
fetch 6 "$UA_CHROME" http://secure-appleid-verify.example/signin/verify-account.html
fetch 6 "$UA_CURL"   http://api.shop.example/docs/api.json
fetch 6 "$UA_WGET"   http://cdn.shop.example/docs/report.txt
fetch 6 "$UA_CURL"   "http://[$S6]/robots.txt" -H "Host: shop.example"
fetch 6 "$UA_NIKTO"  http://shop.example/cgi-bin/test.cgi
# HTTPS to s_server (-www answers any GET with a status page): SNI from curl.
fetch 4 "$UA_CURL"   https://secure.bank.example/ -k
fetch 4 "$UA_IOS"    https://login-paypa1.example/ -k
fetch 6 "$UA_FF"     https://www.shop.example/ -k
fetch 6 "$UA_CHROME" https://micros0ft-account-update.example/ -k

# dig TRANSPORT FAMILY TYPE NAME: one query to dnsmasq, logged with its answer.
n_dig=0
query() {
	local tr=$1 fam=$2 type=$3 name=$4 srv=$S4 opts=(+notcp) out status ans
	[ "$fam" = 6 ] && srv=$S6
	[ "$tr" = tcp ] && opts=(+tcp)
	out=$(in_c timeout 10 dig -"$fam" "@$srv" "${opts[@]}" +time=2 +tries=1 "$name" "$type" 2>&1) || true
	status=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out" | head -1)
	ans=$(awk '/^;; ANSWER SECTION:/{a=1;next} /^$/{a=0} a && !/^;/{printf "%s%s %s", (n++?",":""), $4, substr($0, index($0,$5))}' <<<"$out")
	printf 'DIG\tfamily=%s\ttransport=%s\tserver=%s\tqname=%s\tqtype=%s\tstatus=%s\tanswers=%s\n' \
		"$fam" "$tr" "$srv" "$name" "$type" "${status:-TIMEOUT}" "$ans" >>"$clog"
	n_dig=$((n_dig + 1))
}
log "dig"
query udp 4 A     www.shop.example
query udp 4 AAAA  www.shop.example
query udp 4 MX    shop.example
query udp 4 TXT   shop.example
query udp 4 TXT   _dmarc.shop.example
query udp 4 A     login-paypa1.example
query udp 4 A     paypal.com.account-verify.example
query udp 4 A     tracker.adnet.example
query udp 4 A     no-such-host.example
query udp 4 AAAA  nothing-here.test
query udp 4 MX    bank.example
query udp 4 TXT   bank.example
query udp 6 A     secure-appleid-verify.example
query udp 6 AAAA  secure-appleid-verify.example
query udp 6 AAAA  micros0ft-account-update.example
query udp 6 MX    shop.example
query udp 6 TXT   shop.example
query udp 6 A     unknown-c2-server.example
query udp 6 A     free-giftcards.test
query tcp 4 A     www.shop.example
query tcp 4 TXT   shop.example
query tcp 4 MX    bank.example
query tcp 6 AAAA  login-paypa1.example
query tcp 6 A     missing.bank.example

# s_client FAMILY NAME: one TLS handshake with SNI NAME, then one GET.
n_tls=0
handshake() {
	local fam=$1 name=$2 target=$S4:443 out proto
	[ "$fam" = 6 ] && target="[$S6]:443"
	out=$(printf 'GET / HTTP/1.0\r\nHost: %s\r\n\r\n' "$name" |
		in_c timeout 10 openssl s_client -"$fam" -connect "$target" -servername "$name" \
			-ign_eof 2>&1) || true
	proto=$(sed -n 's/^New, \([^,]*\), Cipher is \(.*\)/\1 \2/p' <<<"$out" | head -1)
	printf 'TLS\tfamily=%s\tconnect=%s\tsni=%s\tresult=%s\n' "$fam" "$target" "$name" \
		"${proto:-handshake-failed}" | sed 's/\(result=[^ ]*\) /\1\tcipher=/' >>"$clog"
	n_tls=$((n_tls + 1))
}
log "openssl s_client"
handshake 4 www.shop.example
handshake 4 login-paypa1.example
handshake 4 secure.bank.example
handshake 4 paypal.com.account-verify.example
handshake 4 api.shop.example
handshake 6 secure-appleid-verify.example
handshake 6 micros0ft-account-update.example
handshake 6 demo.example

log "ping"
for fam in 4 6; do
	dst=$S4; [ "$fam" = 6 ] && dst=$S6
	sum=$(in_c timeout 10 ping -"$fam" -c 3 -i 0.2 -W 1 "$dst" 2>&1 | grep 'packets transmitted' || true)
	printf 'PING\tfamily=%s\tdst=%s\tresult=%s\n' "$fam" "$dst" "${sum:-failed}" >>"$clog"
done

log "iperf3 -u (IPv4 $IPERF_BYTES4 bytes, IPv6 $IPERF_BYTES6 bytes)"
for fam in 4 6; do
	dst=$S4 bytes=$IPERF_BYTES4; [ "$fam" = 6 ] && dst=$S6 bytes=$IPERF_BYTES6
	sum=$(in_c timeout 60 iperf3 -"$fam" -c "$dst" -p 5201 -u -l 200 -b 2M -n "$bytes" \
		--connect-timeout 3000 2>&1 | awk '/receiver$/ {$1=$1; print}' | tail -1 || true)
	printf 'IPERF3\tfamily=%s\tdst=%s\tport=5201\tproto=udp\tlen=200\tbytes=%s\treceiver=%s\n' \
		"$fam" "$dst" "$bytes" "${sum:-failed}" >>"$clog"
done

sleep 1
kill -TERM "$tcpdump_pid" 2>/dev/null || true  # tcpdump flushes and exits
for i in $(seq 50); do kill -0 "$tcpdump_pid" 2>/dev/null || break; sleep 0.1; done
kill -9 "$tcpdump_pid" 2>/dev/null || true
wait "$tcpdump_pid" 2>/dev/null || true

# --- results -------------------------------------------------------------------
mkdir -p "$out"
cp "$pcap" "$out/demo.pcap.tmp" && mv "$out/demo.pcap.tmp" "$out/demo.pcap"
cp "$clog" "$out/demo-clients.log"
chmod 644 "$out/demo.pcap" "$out/demo-clients.log"

fails=$(grep -c -E 'error=|handshake-failed|TIMEOUT|=failed' "$out/demo-clients.log" || true)
echo "== $out/demo.pcap"
if command -v capinfos >/dev/null; then
	capinfos -M -t -E -c -s -u -y -i "$out/demo.pcap" | sed 1d
else
	ls -l "$out/demo.pcap"
fi
echo "== tcpdump: $(grep -E 'captured|dropped by kernel' "$work/tcpdump.out" | tr '\n' ' ')"
echo "== clients: $n_curl curl GETs, $n_dig dig queries, $n_tls s_client handshakes," \
	"2 ping runs, 2 iperf3 runs; $fails failed (see $out/demo-clients.log)"
if command -v tshark >/dev/null; then
	echo "== tshark: $(tshark -r "$out/demo.pcap" -Y http.request 2>/dev/null | wc -l) HTTP requests," \
		"$(tshark -r "$out/demo.pcap" -Y 'dns.flags.response==0' 2>/dev/null | wc -l) DNS queries," \
		"$(tshark -r "$out/demo.pcap" -Y 'tls.handshake.type==1' 2>/dev/null | wc -l) TLS ClientHellos"
fi
