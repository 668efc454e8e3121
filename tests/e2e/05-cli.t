#!/usr/bin/env python3
"""Command-line behaviour: usage errors exit 2, input errors exit 1, each with
one clear line on stderr; cut files are analyzed up to the cut; "-" is stdin."""
import glob
import gzip
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import ESPREKEY, ROOT, Tap, run

t = Tap()
tmp = tempfile.mkdtemp(prefix="esprekey-cli-")
sample = glob.glob(os.path.join(ROOT, "tests/data/ikev1-small-snap80.*"))[0]
with gzip.open(sample, "rb") as f:
    pcap = f.read()


def write(name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def one_line_error(p, status, what, needle):
    lines = p.stderr.strip().splitlines()
    t.ok(p.returncode == status, "%s: exit status %d" % (what, status), "got %d: %s" % (p.returncode, p.stderr))
    t.ok(len(lines) == 1 and needle in lines[0] and lines[0].startswith("esprekey: "),
         "%s: one line on stderr naming %r" % (what, needle), p.stderr)
    t.ok(p.stdout == "", "%s: nothing on stdout" % what, p.stdout[:200])


one_line_error(run([]), 2, "no capture", "no capture file")
one_line_error(run(["--no-such-option", sample]), 2, "unknown option", "--no-such-option")
one_line_error(run(["--window", "fast", sample]), 2, "bad --window", "'fast'")
one_line_error(run(["--lifetime-kb", "-5", sample]), 2, "bad --lifetime-kb", "-5")
one_line_error(run(["--client", "300.1.1.1", sample]), 2, "bad --client", "300.1.1.1")
one_line_error(run(["--dip-threshold", "1.5", sample]), 2, "bad --dip-threshold", "1.5")
missing = os.path.join(tmp, "missing.pcap")
one_line_error(run([missing]), 1, "missing file", missing)
one_line_error(run([write("notes.txt", b"this is not a capture\n" * 10)]), 1, "not a capture", "notes.txt")
PCAP_HDR = struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1)  # nanosecond pcap, Ethernet
one_line_error(run([write("empty.pcap", PCAP_HDR)]), 1, "empty capture", "no packets")
one_line_error(run([write("empty-file.pcap", b"")]), 1, "zero-byte file", "empty-file.pcap")
# link type 147 (DLT_USER0) is nothing esprekey can read
usr = struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 147) + struct.pack("<IIII", 1, 0, 4, 4) + b"abcd"
one_line_error(run([write("user0.pcap", usr)]), 1, "unsupported link type", "not supported")

# A file cut inside a record: analyzed up to the cut, and the report says so.
cut = write("cut.pcap", pcap[: len(pcap) // 2 + 7])
p = run([cut])
t.ok(p.returncode == 0, "cut capture: exit 0", p.stderr)
t.ok("cut short" in p.stdout, "cut capture: the report says the file was cut short", p.stdout[:600])
t.ok("Phase 2 rekey" in p.stdout, "cut capture: still analyzed", p.stdout[:600])

# Standard input, as in tcpdump -w - | esprekey -
p = subprocess.run([ESPREKEY, "-", "--json"], input=pcap, capture_output=True)
t.ok(p.returncode == 0 and b'"frames":7252,' in p.stdout, "stdin: all 7252 frames read", p.stderr[:300] + p.stdout[:300])

gz = open(sample, "rb").read()
p = subprocess.run([ESPREKEY, "-", "--json"], input=gz, capture_output=True)
t.ok(p.returncode == 0 and b'"frames":7252,' in p.stdout, "stdin: a gzip-compressed capture is read too", p.stderr[:300])
p = subprocess.run([ESPREKEY, "-"], input=b"", capture_output=True)
t.ok(p.returncode == 1 and len(p.stderr.strip().splitlines()) == 1, "stdin: empty input is one line, exit 1",
     p.stderr)

# --client turns the directions round: the server's SAs become "up"
from lib import analyze
_, normal = analyze(sample)
_, swapped = analyze(sample, "--client", "198.51.100.1")
up = lambda tab: sorted(r["spi"] for r in tab["sas"] if r["dir"] == "up")
down = lambda tab: sorted(r["spi"] for r in tab["sas"] if r["dir"] == "down")
t.ok(up(normal) and up(swapped) == down(normal) and down(swapped) == up(normal),
     "--client 198.51.100.1 swaps up and down", (up(normal), up(swapped)))

# --help lists every option
p = run(["--help"])
for opt in ("--keys", "--client", "--lifetime-kb", "--lifetime-s", "--window", "--baseline",
            "--dip-threshold", "--corr-window", "--out", "--json", "--quiet"):
    t.ok(opt in p.stdout, "--help mentions %s" % opt)
t.done()
