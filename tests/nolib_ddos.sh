#!/bin/bash
# examples/nolib/ddos_nolib (no library, for the line count in README.md)
# reports the alerts the library's ddos VNF reports (examples/ddos_guard
# through snapvnfd --sflow-pcap), and both report what tshark's reading of
# the same sFlow capture says they must: per destination and 5 s interval
# of sample time (the grid starting at the first sample), the sampled
# packets (sampling rate each) and bytes (rate x frame length), alerts for
# those strictly over 600 pps or 4.5 Mb/s, pps named first.
# The capture is made here: 40 s of sFlow v5 from one agent, flow samples
# plain and expanded, sampled headers Ethernet with and without a VLAN tag,
# IPv4 and IPv6, non-IP (ARP) headers and counter samples in between, two
# IPv4 and two IPv6 destinations flooded in bursts among 58 quiet ones,
# and a cold tail so the last interval judges no one.
set -u
. "$(dirname "$0")/lib.bash"

command -v jq >/dev/null || fail "jq is missing (scripts/deps.sh installs it)"
command -v tshark >/dev/null || fail "tshark is missing (scripts/deps.sh installs it)"
command -v python3 >/dev/null || fail "python3 is missing (scripts/deps.sh installs it)"
nolib=$B/examples/nolib/ddos_nolib
[ -x "$nolib" ] || fail "no $nolib (make builds it)"
cap=$T/flood.pcap

python3 - "$cap" <<'PY' || fail "could not write the capture"
import random
import struct
import sys

random.seed(7)


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def sampled_frame(dst, v6, vlan):
    """The first bytes of an Ethernet frame (UDP, 18 bytes of payload)."""
    mac = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"
    tag = struct.pack(">HH", 0x8100, vlan) if vlan else b""
    udp = struct.pack(">HHHH", 1234, 80, 18, 0)
    if v6:
        ip = struct.pack(">IHBB", 0x60000000, 18, 17, 64) + bytes(15) + b"\x01" + dst
        return mac + tag + b"\x86\xdd" + ip + udp
    ip = struct.pack(">BBHHHBBH", 0x45, 0, 38, 1, 0, 64, 17, 0) + ip4("10.0.0.1") + dst
    return mac + tag + b"\x08\x00" + ip + udp


ARP = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01\x08\x06" + bytes(28)


def header_record(h, frame_len):
    """Raw packet header (format 1): Ethernet, frame length, 4 stripped."""
    body = struct.pack(">IIII", 1, frame_len, 4, len(h)) + h + bytes(-len(h) % 4)
    return struct.pack(">II", 1, len(body)) + body


def flow_sample(expanded, seq, rate, rec):
    if expanded:  # format 3: source id and interfaces in two words each
        body = struct.pack(">11I", seq, 0, 3, rate, seq * rate, 0, 0, 3, 0, 4, 1) + rec
        return struct.pack(">II", 3, len(body)) + body
    body = struct.pack(">8I", seq, 3, rate, seq * rate, 0, 3, 4, 1) + rec
    return struct.pack(">II", 1, len(body)) + body


def counter_sample(seq):
    body = struct.pack(">III", seq, 3, 0)  # no counter records
    return struct.pack(">II", 2, len(body)) + body


def udp_frame(seq, samples):
    """An Ethernet frame with the sFlow v5 datagram to port 6343."""
    dgram = (struct.pack(">II", 5, 1) + ip4("192.0.2.7") +
             struct.pack(">IIII", 0, seq, seq * 100, len(samples)) + b"".join(samples))
    udp = struct.pack(">HHHH", 40000, 6343, 8 + len(dgram), 0) + dgram
    ip = (struct.pack(">BBHHHBBH", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0) +
          ip4("192.0.2.7") + ip4("192.0.2.1"))
    return b"\x02\x00\x00\x00\x00\x09\x02\x00\x00\x00\x00\x07\x08\x00" + ip + udp


victims4 = [ip4("198.51.100.%d" % i) for i in (10, 20)]
victims6 = [bytes.fromhex("20010db8" + "0" * 21 + "%03x" % i) for i in (16, 32)]
quiet4 = [ip4("203.0.113.%d" % i) for i in range(1, 30)]
quiet6 = [bytes.fromhex("20010db8" + "0" * 20 + "1%03x" % i) for i in range(1, 30)]
t0 = 1700000000 * 10**6  # microseconds
t, seq, frames = t0, 0, []
while t < t0 + 43 * 10**6:
    seq += 1
    kind = random.random()
    samples = []
    v6 = kind < 0.35
    hot_time = (t - t0) % (20 * 10**6) < 12 * 10**6 and t < t0 + 33 * 10**6
    if kind > 0.93:
        samples.append(flow_sample(False, seq, 500, header_record(ARP, 64)))
    else:
        for _ in range(random.randint(1, 3)):
            hot = random.random() < 0.4 and hot_time
            dst = random.choice((victims6 if v6 else victims4) if hot else (quiet6 if v6 else quiet4))
            rate = random.choice([100, 256, 512, 1000]) if t < t0 + 33 * 10**6 else 10
            frame_len = random.randint(64, 1500)
            h = sampled_frame(dst, v6, random.choice([0, 0, 42]))
            samples.append(flow_sample(random.random() < 0.3, seq, rate, header_record(h, frame_len)))
    if random.random() < 0.2:
        samples.append(counter_sample(seq))
    frames.append((t, udp_frame(seq, samples)))
    # after 33 s a sparse, cold tail: the last interval judges no one
    t += random.randint(20000, 250000) if t < t0 + 33 * 10**6 else 1100000
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for t, fr in frames:
        f.write(struct.pack("<IIII", t // 10**6, t % 10**6, len(fr), len(fr)) + fr)
PY

# tshark's samples: time (ns), sampling rate, frame length, destination.
# A frame's values of a field come as one list, the k-th value for the
# k-th sample; the outer IPv4 header is ip.dst's first value, so the
# sampled headers' destinations are the rest of ip.dst, then ipv6.dst
# (a datagram's samples are all IPv4, all IPv6 or one non-IP header,
# which has none and counts for nothing).
tshark -n -r "$cap" -Y sflow_245.header.frame_length -T fields -E occurrence=a \
	-e frame.time_epoch -e sflow_245.header.frame_length -e sflow.flow_sample.sampling_rate \
	-e ip.dst -e ipv6.dst 2>"$T/tshark.err" |
awk -F'\t' '{
	split($1, t, "."); ns = t[1] substr(t[2] "000000000", 1, 9)
	n = split($2, len, ","); split($3, rate, ",")
	ni = split($4, v4, ","); n6 = split($5, v6, ","); k = 0
	for (i = 2; i <= ni; i++) d[++k] = v4[i]
	for (i = 1; i <= n6; i++) d[++k] = v6[i]
	if (k != n) next
	for (i = 1; i <= n; i++) print ns, rate[i], len[i], d[i]
}' >"$T/samples" || fail "tshark: $(cat "$T/tshark.err")"
[ "$(wc -l <"$T/samples")" -ge 400 ] || fail "tshark finds $(wc -l <"$T/samples") IP samples, fewer than made"

# The alerts they make, as ddos.c and ddos_nolib.c describe them.
python3 - "$T/samples" 600 4500000 5 >"$T/expected" <<'PY'
import sys
rows, pps, bps, secs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
L = secs * 10**9
start, last, tab, out = None, 0, {}, []
def close(length):
    for d, (p, b) in tab.items():
        r, q = p / (length / 1e9), b * 8 / (length / 1e9)
        m = "pps" if pps and r > pps else "bps" if bps and q > bps else None
        if m:
            out.append("%s %d %d %d %d %g %s" % (d, int(r), int(q), p, b, length / 1e9, m))
    tab.clear()
for line in open(rows):
    t, rate, flen, dst = line.split()
    t, rate, flen = int(t), int(rate), int(flen)
    if start is None:
        start = t
    if t >= start and t - start >= L:
        close(L)
        start += (t - start) - (t - start) % L
    last = max(last, t)
    p, b = tab.get(dst, (0, 0))
    tab[dst] = (p + rate, b + rate * flen)
close(max(last - start, 10**9))
print("\n".join(out))
PY
sort -o "$T/expected" "$T/expected"
[ "$(wc -l <"$T/expected")" -ge 5 ] || fail "the capture makes fewer than 5 alerts: $(cat "$T/expected")"
grep -q ' bps$' "$T/expected" || fail "no alert on the bit rate in the capture"
key='[.dst, .pps, .bps, .packets, .bytes, .seconds, .metric] | map(tostring) | join(" ")'

"$B/snapvnfd" -q --sflow-pcap "$cap" --wait-for 1 & dpid=$!; PIDS+=($dpid)
wait_ctl
"$B/examples/ddos_guard" "pps=600,bps=4500000,interval=5" >"$T/lib.json" || fail "ddos_guard exited with $?"
wait_exit $dpid 60 || fail "snapvnfd exited with $?"
jq -r "select(.event == \"alert\") | $key" "$T/lib.json" | sort >"$T/lib"
diff "$T/expected" "$T/lib" >"$T/diff" ||
	fail "the library's alerts (>) differ from tshark's samples' (<): $(head -6 "$T/diff")"
"$nolib" -r "$cap" 600 4500000 5 >"$T/nolib.json" || fail "ddos_nolib exited with $?"
jq -r "$key" "$T/nolib.json" | sort >"$T/nolib"
diff "$T/expected" "$T/nolib" >"$T/diff" ||
	fail "the alerts without the library (>) differ from tshark's samples' (<): $(head -6 "$T/diff")"
echo "ok: the same $(wc -l <"$T/expected") alerts ($(grep -c ' pps$' "$T/expected") on pps, $(grep -c ' bps$' "$T/expected") on bps) from both services, as tshark's samples make them"
