#!/usr/bin/env python3
"""--batch over an archive: directories expanded in path order, each capture
analyzed on its own (the same result as alone), -j N gives byte-identical
output, --shard K/N partitions the archive, a bad capture fails alone."""
import csv
import glob
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import ESPREKEY, ROOT, Tap, analyze, run

t = Tap()
arch = tempfile.mkdtemp(prefix="esprekey-archive-")
os.makedirs(os.path.join(arch, "2026", "11"))
for i, src in enumerate(sorted(glob.glob(os.path.join(ROOT, "tests/data/*-snap80.*.gz")))):
    shutil.copy(src, os.path.join(arch, "2026" if i % 2 else "2026/11", os.path.basename(src)))
open(os.path.join(arch, "2026", "notes.txt"), "w").write("not a capture, not picked up\n")
open(os.path.join(arch, "2026", "broken.pcap"), "w").write("not a capture either\n")


def batch(*args):
    out = tempfile.mkdtemp(prefix="esprekey-batch-")
    p = run(["--batch", arch, "--out", out, "-q"] + list(args))
    rows = list(csv.DictReader(open(os.path.join(out, "batch.csv"), newline="")))
    return p, out, rows


p, out1, rows = batch()
t.ok(p.returncode == 1, "an archive with one broken capture: exit 1", p.stderr)
names = [os.path.relpath(r["capture"], arch) for r in rows]
t.ok(names == sorted(names) and len(rows) == 5, "5 captures found under the directories, in path order", names)
bad = [r for r in rows if r["status"] == "error"]
t.ok(len(bad) == 1 and bad[0]["capture"].endswith("broken.pcap") and "not a pcap" in bad[0]["error"],
     "the broken one fails alone, with its reason", bad)
for r in rows:
    if r["status"] != "ok":
        continue
    _, alone = analyze(r["capture"])
    t.ok(int(r["rekeys"]) == len(alone["rekeys"]) and int(r["volume"]) + int(r["time"]) == len(alone["rekeys"]),
         "%s: %s rekeys, as when analyzed alone" % (os.path.basename(r["capture"]), r["rekeys"]))
    sub = os.path.join(out1, r["capture"].lstrip("/").replace("/", "_"), "rekeys.csv")
    t.ok(os.path.exists(sub) and open(sub, "rb").read() == alone["rekeys.bytes"],
         "%s: its own rekeys.csv, byte-identical to a single run" % os.path.basename(r["capture"]))

p2, out2, rows2 = batch("-j", "3")
same = open(os.path.join(out1, "batch.csv"), "rb").read() == open(os.path.join(out2, "batch.csv"), "rb").read()
t.ok(same, "-j 3 writes the same batch.csv as -j 1")

shards = [batch("--shard", "%d/3" % k)[2] for k in (1, 2, 3)]
got = sorted(r["capture"] for s in shards for r in s)
t.ok(got == sorted(r["capture"] for r in rows) and sum(len(s) for s in shards) == len(rows),
     "--shard 1/3, 2/3, 3/3 split the archive without overlap", [len(s) for s in shards])

for args, what in ((["--shard", "0/3"], "'0/3'"), (["--shard", "4/3"], "'4/3'"), (["--shard", "1/3", arch], "--batch"),
                   (["-j", "2", arch], "--batch")):
    full = args if "--shard" in args and arch in args or "-j" in args else ["--batch", arch] + args
    p = run(full)
    t.ok(p.returncode == 2 and what in p.stderr and len(p.stderr.strip().splitlines()) == 1,
         "%s: a usage error naming %s" % (" ".join(args), what), p.stderr)
# A rotated set: one capture cut into files named like tcpdump -C does
# (wan.pcapng, wan.pcapng1, ...); --rotated reads them as one, in number order.
import gzip, struct
rot = tempfile.mkdtemp(prefix="esprekey-rotated-")
src = os.path.join(ROOT, "tests/data/ikev1-small-snap80.pcap.gz")
data = gzip.open(src).read()
head, blocks, pos = b"", [], 0
while pos < len(data):
    btype, blen = struct.unpack_from("<II", data, pos)
    if btype in (0x0A0D0D0A, 1):
        head += data[pos:pos + blen]
    else:
        blocks.append(data[pos:pos + blen])
    pos += blen
parts = 12
per = (len(blocks) + parts - 1) // parts
for k in range(parts):
    name = "wan.pcapng" + (str(k) if k else "")
    open(os.path.join(rot, name), "wb").write(head + b"".join(blocks[k * per:(k + 1) * per]))
out = tempfile.mkdtemp(prefix="esprekey-batch-")
p = run(["--batch", "--rotated", rot, "--out", out, "-q"])
rows = list(csv.DictReader(open(os.path.join(out, "batch.csv"), newline="")))
_, whole = analyze(src)
t.ok(p.returncode == 0 and len(rows) == 1 and rows[0]["files"] == str(parts),
     "--rotated: %d files (wan.pcapng, wan.pcapng1 .. wan.pcapng11) are one capture" % parts,
     (p.stderr, [(r["capture"], r["files"]) for r in rows]))
sub = os.path.join(out, rows[0]["capture"].lstrip("/").replace("/", "_"), "rekeys.csv") if rows else ""
t.ok(rows and open(sub, "rb").read() == whole["rekeys.bytes"],
     "--rotated: read in number order, the set gives the same rekeys.csv as the uncut capture")
p = run(["--batch", rot, "-o", out, "-q"])
rows = list(csv.DictReader(open(os.path.join(out, "batch.csv"), newline="")))
t.ok(len(rows) == parts, "without --rotated the %d files are %d captures" % (parts, parts), len(rows))
t.done()
