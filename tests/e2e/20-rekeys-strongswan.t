#!/usr/bin/env python3
"""Rekeys in the real strongSwan captures match their ground truth.

tests/data holds snaplen-80 copies (headers only) of the four captures in
../shared/captures with the ground truth they need, so this runs from a plain
clone; where ../shared is present the full captures are checked too, and must
give the same rekeys and SA volumes as the cut copies."""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import ROOT, SHARED, Tap, analyze

CAUSE = {"bytes": "volume", "time": "time"}
CASES = ["ikev1-small", "ikev1-natt-down-small", "ikev1-time-small", "ikev2-small"]
t = Tap()


def check(case, capture, truth, label):
    proc, tab = analyze(capture)
    if not t.ok(proc.returncode == 0, "%s: esprekey exits 0" % label, proc.stderr):
        return None
    rk = tab["rekeys"]
    want = truth["rekeys"]
    t.ok(len(rk) == len(want), "%s: %d rekeys" % (label, len(want)), "got %d" % len(rk))
    seen_spis = set(truth["per_spi"])
    t0 = truth["capture_start"]
    for got, exp in zip(rk, want):
        i = exp["index"]
        for d in ("up", "down"):
            for age in ("old", "new"):
                col = "%s_%s_spi" % (d, age)
                spi = "0x" + exp["%s_%s" % (age, d)]
                if spi in seen_spis:
                    t.ok(got[col] == spi, "%s: rekey %d %s %s SPI %s" % (label, i, d, age, spi), got[col])
                else:
                    # without keys an SPI that carried no packet cannot be seen
                    t.ok(got[col] == "", "%s: rekey %d %s %s SPI %s carried no packet, so none is reported"
                         % (label, i, d, age, spi), got[col])
        # the first Quick Mode / CREATE_CHILD_SA packet follows strongSwan's
        # trigger log line by a few milliseconds
        from datetime import datetime, timezone
        ts = datetime.strptime(got["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()
        delay = ts - exp["trigger_time"]
        t.ok(-0.001 <= delay <= 0.010, "%s: rekey %d starts %.4f s after the trigger" % (label, i, delay),
             "time %s, trigger %.3f" % (got["time"], exp["trigger_time"]))
        t.ok(abs(float(got["age_s"]) - exp["sa_age_at_trigger_s"]) <= 0.010,
             "%s: rekey %d old SA age %.3f s" % (label, i, exp["sa_age_at_trigger_s"]), got["age_s"])
        t.ok(got["cause"] == CAUSE[exp["reason"]], "%s: rekey %d cause %s" % (label, i, CAUSE[exp["reason"]]),
             "%s (%s): %s" % (got["cause"], got["cause_basis"], got["evidence"]))
    # every SPI tshark saw is an SA, with tshark's packet count
    sas = {r["spi"]: r for r in tab["sas"]}
    t.ok(set(sas) == seen_spis, "%s: %d ESP SAs, the SPIs tshark saw" % (label, len(seen_spis)),
         sorted(set(sas) ^ seen_spis))
    bad = [(s, sas[s]["packets"], v["packets"]) for s, v in truth["per_spi"].items()
           if s in sas and int(sas[s]["packets"]) != v["packets"]]
    t.ok(not bad, "%s: packets per SPI equal tshark's" % label, bad)
    return tab


for case in CASES:
    truth = json.load(open(os.path.join(ROOT, "tests/data/%s.truth.json" % case)))
    cut = glob.glob(os.path.join(ROOT, "tests/data/%s-snap80.*" % case))[0]
    cut_tab = check(case, cut, truth, case + " (snaplen 80)")
    full = glob.glob(os.path.join(SHARED, "captures", case, "capture-client.*"))
    if not full:
        t.skip("%s: full capture" % case, "../shared/captures not present")
        continue
    full_tab = check(case, full[0], truth, case)
    if cut_tab and full_tab:
        for name in ("rekeys", "sas", "throughput"):
            t.ok(cut_tab[name + ".bytes"] == full_tab[name + ".bytes"],
                 "%s: %s.csv is the same from the snaplen-80 copy (bytes come from length fields)" % (case, name))
        _, again = analyze(full[0])
        t.ok(all(again[n + ".bytes"] == full_tab[n + ".bytes"] for n in ("rekeys", "sas", "throughput", "dips")),
             "%s: a second run writes byte-identical CSVs" % case)
t.done()
