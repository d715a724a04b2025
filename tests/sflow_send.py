#!/usr/bin/env python3
"""Send the UDP payloads to port 6343 found in classic pcap files to
HOST:PORT over UDP, in file order, as an sFlow agent would (for
tests/sflow_live.sh). Only the standard library: the pcap format, Ethernet
(802.1Q/802.1ad tags), raw IP, IPv4 and IPv6 are read by hand. The UDP
length field decides the payload, as tshark does, capped at what was
captured. Prints how many datagrams it sent.

With --header-protocol N instead of files, it sends one hand-made sFlow v5
datagram instead: agent 192.0.2.1, one compact flow sample (rate 100,
in 3, out 4) whose raw packet header record says header_protocol N and
holds an IPv4/TCP header 10.0.0.1:1234 > 10.0.0.2:80, SYN (frame length 64).

usage: sflow_send.py HOST PORT FILE...
       sflow_send.py HOST PORT --header-protocol N
"""
import socket
import struct
import sys
import time

SFLOW_PORT = 6343


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise SystemExit(f"{path}: not a classic pcap file")
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0xFFFF
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        yield linktype, data[off + 16:off + 16 + caplen]
        off += 16 + caplen


def udp_payload(linktype, pkt):
    """The payload of a UDP datagram to SFLOW_PORT, or None."""
    if linktype == 1:  # Ethernet
        off, etype = 14, struct.unpack(">H", pkt[12:14])[0]
        while etype in (0x8100, 0x88A8) and off + 4 <= len(pkt):
            etype = struct.unpack(">H", pkt[off + 2:off + 4])[0]
            off += 4
    elif linktype in (12, 101):  # raw IP
        off, etype = 0, 0x0800 if pkt[0] >> 4 == 4 else 0x86DD
    else:
        return None
    if etype == 0x0800:
        ihl = (pkt[off] & 0x0F) * 4
        frag = struct.unpack(">H", pkt[off + 6:off + 8])[0] & 0x1FFF
        if pkt[off + 9] != 17 or frag:
            return None
        udp = off + ihl
    elif etype == 0x86DD:
        if pkt[off + 6] != 17:
            return None
        udp = off + 40
    else:
        return None
    if udp + 8 > len(pkt):
        return None
    dport, ulen = struct.unpack(">HH", pkt[udp + 2:udp + 6])
    if dport != SFLOW_PORT or ulen < 8:
        return None
    return pkt[udp + 8:udp + ulen]


def crafted(protocol):
    """One sFlow v5 datagram, XDR: big-endian 32-bit words."""
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 40, 0, 0, 64, 6, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    tcp = struct.pack(">HHIIBBHHH", 1234, 80, 0, 0, 0x50, 0x02, 0, 0, 0)
    hdr = ip + tcp
    hdr += b"\0" * (-len(hdr) % 4)
    # raw packet header (format 1): protocol, frame length, stripped, length
    rec = struct.pack(">IIII", protocol, 64, 0, len(ip + tcp)) + hdr
    # compact flow sample (format 1): seq, source id, rate, pool, drops,
    # input, output, records
    smp = struct.pack(">IIIIIIII", 1, 7, 100, 100, 0, 3, 4, 1)
    smp += struct.pack(">II", 1, len(rec)) + rec
    # datagram: version, IPv4 agent, sub-agent, sequence, uptime, samples
    return (struct.pack(">II4sIIII", 5, 1, bytes([192, 0, 2, 1]), 0, 1, 1000, 1)
            + struct.pack(">II", 1, len(smp)) + smp)


def main():
    host, port, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sent = 0
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        if files[:1] == ["--header-protocol"]:
            s.sendto(crafted(int(files[1])), (host, port))
            print(1)
            return
        for path in files:
            for linktype, pkt in packets(path):
                payload = udp_payload(linktype, pkt)
                if payload is None:
                    continue
                s.sendto(payload, (host, port))
                sent += 1
                time.sleep(0.001)  # no burst to outrun a lossy reader
    print(sent)


if __name__ == "__main__":
    main()
