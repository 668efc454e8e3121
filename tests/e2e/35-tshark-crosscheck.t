#!/usr/bin/env python3
"""Cross-check with tshark: for the same capture and esp_sa keys, the number
of ESP packets decrypted (ICV good) per SPI equals what tshark reports."""
import collections
import glob
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import ROOT, SHARED, Tap, analyze

t = Tap()
cases = []
for case in ("ikev1-small", "ikev1-natt-down-small", "ikev1-time-small", "ikev2-small"):
    cap = glob.glob(os.path.join(SHARED, "captures", case, "capture-client.*"))
    if cap:
        cases.append((case, cap[0], os.path.join(SHARED, "captures", case, "keys", "esp_sa")))
sample = os.path.join(ROOT, "samples", "windows-nvr510.pcapng")
if os.path.exists(sample):
    cases.append(("shipped sample", sample, os.path.join(ROOT, "samples", "windows-nvr510.keys")))


def tshark_counts(cap, keyfile):
    args = ["tshark", "-r", cap, "-o", "esp.enable_encryption_decode:TRUE",
            "-o", "esp.enable_authentication_check:TRUE"]
    for line in open(keyfile):
        if line.startswith('"'):
            args += ["-o", "uat:esp_sa:" + line.strip()]
    args += ["-Y", "esp", "-T", "fields", "-e", "esp.spi", "-e", "esp.icv_good", "-e", "esp.pad_len"]
    out = subprocess.run(args, capture_output=True, text=True).stdout
    good = collections.Counter()
    for row in out.splitlines():
        f = row.split("\t")
        if len(f) == 3 and f[1] == "1" and f[2] != "":
            good[f[0]] += 1
    return good


if not shutil.which("tshark"):
    t.skip("tshark cross-check", "tshark not installed")
elif not cases:
    t.skip("tshark cross-check", "no capture with esp_sa keys (../shared absent, no shipped sample)")
for name, cap, keys in cases if shutil.which("tshark") else []:
    want = tshark_counts(cap, keys)
    proc, tab = analyze(cap, "--keys", keys)
    got = {r["spi"]: int(r["decrypted"]) for r in tab.get("sas", [])}
    t.ok(proc.returncode == 0 and sum(want.values()) > 0, "%s: both decrypt (%d packets by tshark)"
         % (name, sum(want.values())), proc.stderr)
    diff = {s: (got.get(s, 0), want.get(s, 0)) for s in set(got) | set(want) if got.get(s, 0) != want.get(s, 0)}
    t.ok(not diff, "%s: decrypted packets per SPI equal tshark's (%d SPIs)" % (name, len(want)),
         "esprekey, tshark: %s" % diff)
t.done()
