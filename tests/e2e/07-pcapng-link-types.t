#!/usr/bin/env python3
"""pcapng with interfaces of different link types (libpcap 1.10 stops at the
second): every frame is read, each with its own link type; a file cut inside
a block is analyzed up to the cut."""
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import ROOT, Tap, analyze, run

t = Tap()
data = open(os.path.join(ROOT, "samples", "windows-nvr510.pcapng"), "rb").read()
head, packets, pos = b"", [], 0
while pos < len(data):
    btype, blen = struct.unpack_from("<II", data, pos)
    if btype in (0x0A0D0D0A, 1):
        head += data[pos:pos + blen]
    else:
        packets.append(data[pos:pos + blen])
    pos += blen


def block(btype, body):
    body += b"\0" * ((-len(body)) % 4)
    return struct.pack("<II", btype, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


# interface 1: raw IPv4 (LINKTYPE_RAW 101), microsecond timestamps
raw_idb = block(1, struct.pack("<HHI", 101, 0, 65535))
udp = bytes.fromhex("4500001c000000004011" + "0000" + "0a000001" + "0a000002") + bytes.fromhex("0035003500080000")
ts = int(1767225600.5e6)
raw_epb = block(6, struct.pack("<IIIII", 1, ts >> 32, ts & 0xffffffff, len(udp), len(udp)) + udp)
mixed = head + raw_idb + b"".join(packets[:100]) + raw_epb * 3 + b"".join(packets[100:])
tmp = tempfile.mkdtemp(prefix="esprekey-ng-")
path = os.path.join(tmp, "mixed.pcapng")
open(path, "wb").write(mixed)

_, clean = analyze(os.path.join(ROOT, "samples", "windows-nvr510.pcapng"))
proc, tab = analyze(path)
t.ok(proc.returncode == 0, "mixed link types: exit 0", proc.stderr)
t.ok(tab.get("rekeys.bytes") == clean["rekeys.bytes"], "the Ethernet interface's rekeys as without the other")
p = run([path, "--json"])
t.ok('"frames":%d,' % (len(packets) + 3) in p.stdout, "all %d frames read" % (len(packets) + 3), p.stdout[:300])
p = run([path])
t.ok("other IP 3" in p.stdout and "and other link types" in p.stdout,
     "the raw-IP frames are read as IP, and the report says the file mixes link types", p.stdout[:400])

cut = os.path.join(tmp, "cut.pcapng")
open(cut, "wb").write(mixed[: len(mixed) // 2 + 5])
p = run([cut])
t.ok(p.returncode == 0 and "cut short" in p.stdout, "cut inside a block: analyzed up to the cut, and said so",
     p.stdout[:400] + p.stderr)
t.done()
