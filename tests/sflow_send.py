#!/usr/bin/env python3
"""Send the UDP payloads to port 6343 found in classic pcap files to
HOST:PORT over UDP, in file order, as an sFlow agent would (for
tests/sflow_live.sh). Only the standard library: the pcap format, Ethernet
(802.1Q/802.1ad tags), raw IP, IPv4 and IPv6 are read by hand. The UDP
length field decides the payload, as tshark does, capped at what was
captured. Prints how many datagrams it sent.

usage: sflow_send.py HOST PORT FILE...
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


def main():
    host, port, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sent = 0
    with socket.socket(family, socket.SOCK_DGRAM) as s:
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
