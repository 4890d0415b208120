"""Run a command in a fresh network namespace and report every DNS query and connection it tries.

Used as `unshare -rnm python netns_probe.py CMD...` (a user, network and mount namespace, no
privileges needed). Inside, only the loopback interface exists; /etc/resolv.conf is replaced by
one naming 127.0.0.1, where this script listens on port 53 (UDP and TCP) and on ports 80 and
443. Any name lookup or web request of CMD, from Python or native code alike, lands here and is
recorded. The IPv4 default route leads into the loopback too, where a packet socket sees every
packet: a connection to any other address and port (a literal IP, no DNS) is recorded as well,
as `tcp ADDRESS:PORT` or `udp ADDRESS:PORT`. IPv6 has no route but the loopback's: a connection
elsewhere fails at once (unrecorded, and unable to leave). Prints one JSON object: the
command's exit code, output and what was recorded.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sH14s", b"lo", 0, b"")
        flags = struct.unpack("16sH14s", fcntl.ioctl(s, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH14s", b"lo", flags | IFF_UP, b""))


def fake_resolver() -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as fh:
        fh.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    subprocess.run(["mount", "--bind", fh.name, "/etc/resolv.conf"], check=True)
    os.unlink(fh.name)  # the mount keeps the file for as long as this namespace lives


def qname(packet: bytes) -> str:
    labels, i = [], 12
    while i < len(packet) and packet[i]:
        labels.append(packet[i + 1 : i + 1 + packet[i]].decode("ascii", "replace"))
        i += 1 + packet[i]
    return ".".join(labels)


def record(seen: list[str]) -> None:
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 53))

    def dns() -> None:
        while True:
            packet, _ = udp.recvfrom(4096)
            seen.append("dns " + qname(packet))

    threading.Thread(target=dns, daemon=True).start()
    for port in (53, 80, 443):
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.bind(("127.0.0.1", port))
        tcp.listen()

        def accept(tcp: socket.socket = tcp, port: int = port) -> None:
            while True:
                conn, _ = tcp.accept()
                seen.append(f"tcp {port}")
                conn.close()

        threading.Thread(target=accept, daemon=True).start()


def route_everything_to_loopback() -> None:
    """A packet for any address leaves through the loopback, where `sniff` sees it (and the
    kernel then drops it: nothing answers, nothing leaves the namespace)."""
    subprocess.run(["ip", "route", "add", "default", "dev", "lo"], check=True)


def sniff(seen: list[str]) -> None:
    """Record every TCP connection attempt (SYN) and UDP datagram sent to an address that is not
    this machine's loopback (those are recorded by the listeners of `record`)."""
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0003))
    raw.bind(("lo", 0))
    outgoing = 4  # PACKET_OUTGOING: each packet on lo shows twice, going and coming

    def loop() -> None:
        while True:
            packet, address = raw.recvfrom(65535)
            if address[2] == outgoing:
                found = _destination(packet[14:])  # after the (all-zero) Ethernet header of lo
                if found:
                    seen.append(found)

    threading.Thread(target=loop, daemon=True).start()


def _destination(ip: bytes) -> str | None:
    import ipaddress

    if ip[:1] and ip[0] >> 4 == 4:
        header, proto, dst = (ip[0] & 15) * 4, ip[9], ipaddress.ip_address(ip[16:20])
    elif ip[:1] and ip[0] >> 4 == 6:
        header, proto, dst = 40, ip[6], ipaddress.ip_address(ip[24:40])
    else:
        return None
    if dst.is_loopback:
        return None
    port = struct.unpack("!H", ip[header + 2 : header + 4])[0]
    if proto == 6 and ip[header + 13] & 0x12 == 0x02:  # SYN, not SYN-ACK
        return f"tcp {dst}:{port}"
    if proto == 17:
        return f"udp {dst}:{port}"
    return None


def main(argv: list[str]) -> int:
    loopback_up()
    fake_resolver()
    route_everything_to_loopback()
    seen: list[str] = []
    record(seen)
    sniff(seen)
    result = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    time.sleep(0.3)  # let the recorder threads log what arrived last
    print(json.dumps({"rc": result.returncode, "stdout": result.stdout, "stderr": result.stderr, "seen": seen}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
