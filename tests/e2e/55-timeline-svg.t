#!/usr/bin/env python3
"""--out also writes timeline.svg: well-formed SVG, one panel per tunnel, a
marker per rekey and a band per ESP dip, orange exactly for the dips a
rekey explains; the same capture gives the same bytes."""
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import ROOT, Tap, analyze

t = Tap()
sample = os.path.join(ROOT, "samples", "windows-nvr510.pcapng")
keys = os.path.join(ROOT, "samples", "windows-nvr510.keys")
for args in ([sample, "--keys", keys], [os.path.join(ROOT, "tests/data/ikev1-time-small-snap80.pcapng.gz")]):
    name = os.path.basename(args[0])
    proc, tab = analyze(*args)
    svg_path = os.path.join(proc.args[proc.args.index("--out") + 1], "timeline.svg")
    data = open(svg_path, "rb").read()
    try:
        root = ET.fromstring(data)
        ok = root.tag.endswith("svg")
    except ET.ParseError as e:
        ok, root = False, None
    t.ok(ok, "%s: timeline.svg is well-formed SVG" % name)
    if not ok:
        continue
    ns = "{http://www.w3.org/2000/svg}"
    titles = [el.text or "" for el in root.iter(ns + "title")]
    rekey_marks = [x for x in titles if x.startswith("rekey ")]
    t.ok(len(rekey_marks) == len(tab["rekeys"]), "%s: one marker per rekey (%d)" % (name, len(tab["rekeys"])),
         rekey_marks)
    esp_dips = [d for d in tab["dips"] if d["series"] == "esp"]
    bands = [r for r in root.iter(ns + "rect") if r.find(ns + "title") is not None]
    t.ok(len(bands) == len(esp_dips), "%s: one band per ESP dip (%d)" % (name, len(esp_dips)), len(bands))
    orange = sum(1 for r in bands if r.get("fill") == "#ff7f0e")
    t.ok(orange == sum(1 for d in esp_dips if d["rekey"]), "%s: orange exactly for rekey-linked dips" % name)
    _, again = analyze(*args)
    svg2 = open(os.path.join(_.args[_.args.index("--out") + 1], "timeline.svg"), "rb").read()
    t.ok(svg2 == data, "%s: the same capture gives the same timeline.svg" % name)
t.done()
