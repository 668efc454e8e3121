#!/usr/bin/env python3
"""A mirror port that sees every packet twice: the copies (same SPI and
sequence number) are counted as duplicates and add nothing to SA volume,
throughput or rekeys, which come out as from the clean capture."""
import gzip
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import ROOT, Tap, analyze

t = Tap()
src = os.path.join(ROOT, "tests/data/ikev2-small-snap80.pcapng.gz")
data = gzip.open(src).read()
out, pos, esp_copies = b"", 0, 0
while pos < len(data):
    btype, blen = struct.unpack_from("<II", data, pos)
    block = data[pos:pos + blen]
    out += block
    if btype == 6:
        out += block  # the same frame again, as a second mirror session would add it
    pos += blen
dup = os.path.join(tempfile.mkdtemp(prefix="esprekey-dup-"), "doubled.pcapng")
open(dup, "wb").write(out)

_, clean = analyze(src)
proc, doubled = analyze(dup)
t.ok(proc.returncode == 0, "doubled capture: exit 0", proc.stderr)
for name in ("rekeys", "throughput"):
    t.ok(doubled[name + ".bytes"] == clean[name + ".bytes"], "%s.csv is as from the clean capture" % name)
cols = ("spi", "packets", "esp_bytes", "ip_bytes")
same = all(tuple(a[c] for c in cols) == tuple(b[c] for c in cols) for a, b in zip(clean["sas"], doubled["sas"]))
t.ok(same and len(clean["sas"]) == len(doubled["sas"]), "per SA packets and bytes as from the clean capture")
t.ok(all(r["seq_duplicates"] == r["packets"] for r in doubled["sas"]),
     "every SA counts each copy as a duplicate", [(r["spi"], r["packets"], r["seq_duplicates"]) for r in doubled["sas"]])
t.done()
