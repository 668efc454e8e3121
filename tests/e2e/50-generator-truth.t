#!/usr/bin/env python3
"""esprekey against the generator's ground truth across its option matrix:
rekey count, SPIs, times, causes, deleted SPIs, packets after the Delete,
and injected dips found and attributed (the dips with no rekey near them
must not be blamed on a rekey)."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import ROOT, Tap, analyze

t = Tap()
MKCAPTURE = os.path.join(ROOT, "samples", "mkcapture")
tmp = tempfile.mkdtemp(prefix="esprekey-gen-")
BASE = ["--lifetime-kb", "600", "--up", "1", "--down", "2.5", "-d", "12", "--dip-length", "0.3",
        "--dip-depth", "0.6", "--extra-dips", "2"]
CASES = {
    "default": [],
    "natt-pppoe-pcap": ["--nat-t", "--link", "pppoe", "-f", "pcap", "--delete-before-qm3"],
    "sll-esp1024-qm3": ["--link", "sll", "--esp-fields", "10", "--count", "esp1024", "--router-switch", "qm3"],
    "ipv6-3-tunnels-time": ["-6", "-n", "3", "--lifetime-kb", "250000", "--lifetime-s", "3"],
    "skeyid-only": ["--keys", "skeyid"],
    "soft-rekey-at-60pct": ["--rekey-at", "60"],
    "after-negotiation": ["--capture-start", "1"],
    "no-ike-natt": ["--no-ike", "--nat-t", "-n", "2"],
}


def rel(row, col):
    return float(row[col]) if row.get(col) not in (None, "") else None


for name, extra in CASES.items():
    cap = os.path.join(tmp, name + ".pcapng")
    gen = subprocess.run([MKCAPTURE, "-o", cap, "--seed", "7"] + BASE + extra, capture_output=True, text=True)
    if not t.ok(gen.returncode == 0, "%s: generated" % name, gen.stderr):
        continue
    truth = json.load(open(cap[:-len(".pcapng")] + ".truth.json"))
    cap = truth["capture"]["file"]
    ike = truth["capture"]["ike_in_capture"]
    # without IKE nothing tells which lifetime Windows offered: the user
    # gives it, as --lifetime-kb's default does for Windows' 250000
    lifetime = [] if ike else ["--lifetime-kb", str(truth["lifetime"]["kilobytes"])]
    proc, tab = analyze(cap, "--keys", truth["keys"]["file"], *lifetime)
    if not t.ok(proc.returncode == 0, "%s: esprekey exits 0" % name, proc.stderr):
        continue
    ike = truth["capture"]["ike_in_capture"]
    t0 = truth["capture"]["start"]
    sas = {r["spi"]: r for r in tab["sas"]}
    # tunnels by client address (esprekey numbers them by first packet)
    ours = {}
    for r in tab["sas"]:
        client = r["src"] if r["dir"] == "up" else r["dst"]
        ours[client] = r["tunnel"]
    for tun in truth["tunnels"]:
        tid = ours.get(tun["client"])
        want = [r for r in truth["rekeys"] if r["tunnel"] == tun["index"]]
        got = [r for r in tab["rekeys"] if r["tunnel"] == tid]
        label = "%s tunnel %s" % (name, tun["client"])
        t.ok(len(got) == len(want), "%s: %d rekeys" % (label, len(want)), "got %d" % len(got))
        for g, w in zip(got, want):
            i = w["index"]
            spis = all(g["%s_%s_spi" % (d, a)] == w["%s_spi" % a][d] for d in ("up", "down") for a in ("old", "new"))
            t.ok(spis, "%s: rekey %d old and new SPIs" % (label, i),
                 [(g["%s_%s_spi" % (d, a)], w["%s_spi" % a][d]) for d in ("up", "down") for a in ("old", "new")])
            if ike:
                ok = abs(rel(g, "time_s") - (w["qm_start"] - t0)) < 1e-6
                t.ok(ok, "%s: rekey %d at the first Quick Mode packet" % (label, i), (g["time_s"], w["qm_start"] - t0))
            else:
                first_new = min(rel(g, "up_new_first_s") or 1e9, rel(g, "down_new_first_s") or 1e9)
                t.ok(abs(rel(g, "time_s") - first_new) < 1e-6 and w["qm_start"] - t0 <= first_new,
                     "%s: rekey %d at the first packet on a new SPI (no IKE)" % (label, i))
            t.ok(g["cause"] == w["cause"], "%s: rekey %d cause %s" % (label, i, w["cause"]),
                 "%s (%s): %s" % (g["cause"], g["cause_basis"], g["evidence"]))
            if ike and truth["capture"].get("ike_in_capture") and name != "after-negotiation":
                sa = sas.get(w["deleted_spi"], {})
                ok = sa.get("deleted_s") not in (None, "") and abs(float(sa["deleted_s"]) - (w["delete"] - t0)) < 1e-6
                t.ok(ok, "%s: rekey %d Delete of %s found" % (label, i, w["deleted_spi"]), sa.get("deleted_s"))
                if truth.get("router_switch", "delete") == "delete" and "--router-switch" not in extra:
                    t.ok(int(sa.get("packets_after_delete", -1)) == w["late_packets"],
                         "%s: rekey %d: %d packets on %s after its Delete" % (label, i, w["late_packets"], w["deleted_spi"]),
                         sa.get("packets_after_delete"))
        # injected dips: found in the ESP series (either direction) and attributed right
        dips = [d for d in tab["dips"] if d["tunnel"] == tid and d["series"] == "esp"]
        traffic_end = max(sa["last"] for sa in truth["sas"] if sa["tunnel"] == tun["index"] and sa["packets"])
        for dip in [d for d in truth["dips"] if d["tunnel"] == tun["index"]]:
            start = dip["start"] - t0
            near = [d for d in dips if abs(float(d["start_s"]) - start) <= 0.15]
            if dip["end"] > traffic_end:
                continue  # the tunnel's transfer stopped inside it: that is no dip
            t.ok(bool(near), "%s: %s dip at %.2f s found" % (label, dip["kind"], start),
                 [(d["start_s"], d["depth"]) for d in dips])
            if not near:
                continue
            if dip["follows_rekey"]:
                t.ok(all(d["rekey"] == str(dip["rekey_index"]) for d in near),
                     "%s: dip at %.2f s attributed to rekey %d" % (label, start, dip["rekey_index"]),
                     [d["rekey"] for d in near])
            else:
                t.ok(all(d["rekey"] == "" for d in near),
                     "%s: dip at %.2f s with no rekey near is not blamed on one" % (label, start),
                     [d["rekey"] for d in near])
t.done()
