#!/usr/bin/env python3
"""Wrong keys are no reason to stop: ICV failures are counted per SA, the
other SAs still decrypt, and the analysis completes; a wrong IKE key is
reported as what could not be decrypted, not as a crash or a false result."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import ROOT, Tap, analyze, run

t = Tap()
sample = os.path.join(ROOT, "samples", "windows-nvr510.pcapng")
lines = open(os.path.join(ROOT, "samples", "windows-nvr510.keys")).read().splitlines()
tmp = tempfile.mkdtemp(prefix="esprekey-wrong-")


def flip(line, field):
    parts = line.split(",")
    key = parts[field]
    parts[field] = key[:-2] + ("0" if key[-2] != "0" else "1") + key[-1]
    return ",".join(parts)


# the authentication key of SPI 0xb6339616 is wrong
wrong = [flip(l, 7) if "0xb6339616" in l else l for l in lines]
keys = os.path.join(tmp, "wrong-auth.keys")
open(keys, "w").write("\n".join(wrong) + "\n")
proc, tab = analyze(sample, "--keys", keys)
sas = {r["spi"]: r for r in tab.get("sas", [])}
bad = sas.get("0xb6339616", {})
t.ok(proc.returncode == 0, "a wrong key: the analysis completes, exit 0", proc.stderr)
t.ok(bad.get("icv_failures") == bad.get("packets") and bad.get("decrypted") == "0",
     "SPI 0xb6339616: every packet counted as an ICV failure", bad)
t.ok(all(r["decrypted"] == r["packets"] for s, r in sas.items() if s != "0xb6339616"),
     "the other SAs still decrypt in full")
t.ok(len(tab.get("rekeys", [])) == 3, "the rekeys are still found")
p = run([sample, "--keys", keys])
t.ok("ICV failed" in p.stdout and "670 ICV failed" in p.stdout.replace("(", " "),
     "the report shows the ICV failures", p.stdout[:400])

# a wrong IKE key (Ka): Quick Mode cannot be read, ESP still decrypts with its own lines
wrong = [l[:-2] + ("0" if l[-2] != "0" else "1") + l[-1] if l.startswith("b99073fcc5414fd1,") else l for l in lines]
keys = os.path.join(tmp, "wrong-ike.keys")
open(keys, "w").write("\n".join(wrong) + "\n")
p = run([sample, "--keys", keys])
t.ok(p.returncode == 0, "a wrong IKE key: exit 0", p.stderr)
t.ok("Decryption notes" in p.stdout and "IKEv1 SA b99073fcc5414fd1" in p.stdout,
     "the report says the IKE SA could not be decrypted", p.stdout[:600])
# SKEYID_a proves what IKE decryption yields: every HASH payload of the
# sample's Quick Modes and Informationals verifies; with a wrong SKEYID_a none does
import json
truth = json.load(open(os.path.join(ROOT, "samples", "windows-nvr510.truth.json")))
tun = truth["tunnels"][0]
for skeyid_a, want in ((tun["skeyid_a"], "15 verify, 0 do not"),
                       (tun["skeyid_a"][:-1] + ("0" if tun["skeyid_a"][-1] != "0" else "1"), "0 verify, 15 do not")):
    keys = os.path.join(tmp, "skeyid_a.keys")
    open(keys, "w").write("\n".join(lines) + "\nskeyid_a %s %s\n" % (tun["cky_i"], skeyid_a))
    p = run([sample, "--keys", keys])
    t.ok(p.returncode == 0 and "checked with SKEYID_a: " + want in p.stdout,
         "skeyid_a: %s (12 Quick Mode + 3 Informational HASHes)" % want,
         [l for l in p.stdout.splitlines() if "HASH" in l])
t.done()
