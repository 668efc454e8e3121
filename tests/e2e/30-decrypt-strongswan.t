#!/usr/bin/env python3
"""Decryption of the real strongSwan captures: every ESP packet decrypts with
the Wireshark key lines and, for IKEv1, with only SKEYID_d + the IKE key
(KEYMAT derivation from decrypted Quick Mode); plaintext volumes equal
tshark's, lifetimes equal what Quick Mode carried, and every Delete strongSwan
sent is found.  Needs the full captures in ../shared (skips without)."""
import glob
import json
import os
import sys
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import ROOT, SHARED, Tap, analyze, run
import tempfile

t = Tap()
KEYSETS = {
    "ikev1-small": [["esp_sa", "ikev1_decryption_table"], ["skeyid"]],
    "ikev1-natt-down-small": [["esp_sa", "ikev1_decryption_table"], ["skeyid"]],
    "ikev1-time-small": [["esp_sa", "ikev1_decryption_table"], ["skeyid"]],
    "ikev2-small": [["esp_sa", "ikev2_decryption_table"]],
}
LIFE = {"ikev1-small": ("life_kbytes", "3000"), "ikev1-natt-down-small": ("life_kbytes", "3600"),
        "ikev1-time-small": ("life_seconds", "5")}


def epoch(iso):
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()


for case, keysets in KEYSETS.items():
    truth = json.load(open(os.path.join(ROOT, "tests/data/%s.truth.json" % case)))
    cap = glob.glob(os.path.join(SHARED, "captures", case, "capture-client.*"))
    if not cap:
        t.skip("%s: decryption" % case, "../shared/captures not present")
        continue
    for keys in keysets:
        label = "%s with %s" % (case, "+".join(keys))
        args = []
        for k in keys:
            args += ["--keys", os.path.join(SHARED, "captures", case, "keys", k)]
        proc, tab = analyze(cap[0], *args)
        if not t.ok(proc.returncode == 0, "%s: exit 0" % label, proc.stderr):
            continue
        sas = {r["spi"]: r for r in tab["sas"]}
        for spi, want in sorted(truth["per_spi"].items()):
            sa = sas.get(spi)
            if not t.ok(sa is not None, "%s: SA %s present" % (label, spi)):
                continue
            t.ok(int(sa["decrypted"]) == want["decrypted"] and sa["icv_failures"] == "0",
                 "%s: %s all %d packets decrypt, ICV good" % (label, spi, want["decrypted"]),
                 "decrypted %s, ICV failures %s, key %s" % (sa["decrypted"], sa["icv_failures"], sa["key_source"]))
            t.ok(int(sa["plaintext_bytes"]) == want["inner_ip_bytes"],
                 "%s: %s plaintext %d bytes as tshark" % (label, spi, want["inner_ip_bytes"]), sa["plaintext_bytes"])
            if keys == ["skeyid"]:
                t.ok(sa["key_source"] == "derived (KEYMAT)", "%s: %s key derived" % (label, spi), sa["key_source"])
        if case in LIFE:
            col, val = LIFE[case]
            bad = [(s, r[col]) for s, r in sas.items() if r[col] != val]
            t.ok(not bad, "%s: every SA's %s is %s, from Quick Mode" % (label, col, val), bad)
        # epoch of the first frame, from any SA row
        r0 = tab["sas"][0]
        t0 = epoch(r0["first"]) - float(r0["first_s"])
        for dl in truth["deletes"]:
            sa = sas.get("0x" + dl["spi"])
            if sa is None:
                continue
            ok = sa["deleted_s"] != "" and abs(t0 + float(sa["deleted_s"]) - dl["t"]) <= 0.010
            t.ok(ok, "%s: Delete of 0x%s by the %s at %.3f" % (label, dl["spi"], dl["by"], dl["t"]),
                 "deleted_s %r" % sa["deleted_s"])
        # rekeys whose new SA never carried a packet get their SPIs from Quick Mode
        for got, exp in zip(tab["rekeys"], truth["rekeys"]):
            for d in ("up", "down"):
                t.ok(got["%s_new_spi" % d] == "0x" + exp["new_%s" % d],
                     "%s: rekey %d %s new SPI 0x%s" % (label, exp["index"], d, exp["new_%s" % d]),
                     got["%s_new_spi" % d])
# With SKEYID_a (strongSwan logged it) every Quick Mode and Informational
# HASH verifies: the IKE decryption is proven, not just plausible.
HASHES = {"ikev1-small": 17, "ikev1-natt-down-small": 17, "ikev1-time-small": 37}
for case, n in HASHES.items():
    cap = glob.glob(os.path.join(SHARED, "captures", case, "capture-client.*"))
    if not cap:
        t.skip("%s: HASH" % case, "../shared/captures not present")
        continue
    sec = json.load(open(os.path.join(SHARED, "captures", case, "keys", "ike-secrets.json")))[0]
    keys = os.path.join(tempfile.mkdtemp(prefix="esprekey-skeyid-a-"), "keys")
    open(keys, "w").write(open(os.path.join(SHARED, "captures", case, "keys", "skeyid")).read() +
                          "skeyid_a %s %s\n" % (sec["initiator_spi"], sec["secrets"]["SKEYID_a"]))
    p = run([cap[0], "--keys", keys])
    t.ok("checked with SKEYID_a: %d verify, 0 do not" % n in p.stdout, "%s: all %d IKE HASHes verify" % (case, n),
         [l for l in p.stdout.splitlines() if "HASH" in l])

# IKEv2 with the ikev2_decryption_table line and an esprekey "sk_d" line
# only (SK_d from strongSwan's log): every child SA's keys are derived
# (RFC 7296 prf+ over the CREATE_CHILD_SA / IKE_SA_INIT nonces).
cap = os.path.join(SHARED, "captures", "ikev2-small", "capture-client.pcapng")
if os.path.exists(cap):
    sec = json.load(open(os.path.join(SHARED, "captures", "ikev2-small", "keys", "ike-secrets.json")))[0]
    keys = os.path.join(tempfile.mkdtemp(prefix="esprekey-sk-d-"), "keys")
    open(keys, "w").write(open(os.path.join(SHARED, "captures", "ikev2-small", "keys", "ikev2_decryption_table")).read() +
                          "sk_d %s %s %s\n" % (sec["initiator_spi"], sec["responder_spi"], sec["secrets"]["Sk_d"]))
    proc, tab = analyze(cap, "--keys", keys)
    sas = tab.get("sas", [])
    t.ok(len(sas) == 8 and all(r["decrypted"] == r["packets"] and r["key_source"] == "derived (IKEv2 SK_d)"
                               for r in sas),
         "ikev2-small with only ikev2_decryption_table + sk_d: all 8 SAs derived and decrypted in full",
         [(r["spi"], r["decrypted"], r["packets"], r["key_source"]) for r in sas])
else:
    t.skip("ikev2 sk_d", "../shared/captures not present")

# A capture that starts after Main Mode and the first Quick Mode, as a mirror
# capture of an hours-old IKE SA does: with only the ikev1 key + skeyid_d the
# later Quick Modes still decrypt, and from them every later SA's keys.
import struct, tempfile
cap = os.path.join(SHARED, "captures", "ikev1-small", "capture-client.pcap")
if os.path.exists(cap):
    data = open(cap, "rb").read()
    pos, n, cut = 24, 0, None
    while pos < len(data):
        n += 1
        if n == 200:
            cut = pos
        incl = struct.unpack_from("<I", data, pos + 8)[0]
        pos += 16 + incl
    late = os.path.join(tempfile.mkdtemp(prefix="esprekey-late-"), "late.pcap")
    open(late, "wb").write(data[:24] + data[cut:])
    proc, tab = analyze(late, "--keys", os.path.join(SHARED, "captures", "ikev1-small", "keys", "skeyid"))
    sas = tab.get("sas", [])
    later = [r for r in sas if r["key_source"] == "derived (KEYMAT)"]
    t.ok(proc.returncode == 0 and len(later) == 6 and all(r["decrypted"] == r["packets"] for r in later),
         "late start (no Main Mode): the 6 SAs of the 3 rekeys get derived keys and decrypt in full",
         [(r["spi"], r["decrypted"], r["packets"], r["key_source"]) for r in sas])
    t.ok([r["cause"] for r in tab.get("rekeys", [])] == ["volume"] * 3,
         "late start: 3 rekeys, all volume", [(r["cause"], r["cause_basis"]) for r in tab.get("rekeys", [])])
else:
    t.skip("late start", "../shared/captures not present")
t.done()
