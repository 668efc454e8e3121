#!/usr/bin/env python3
"""ESP keys carried inside the capture: a pcapng Decryption Secrets Block of
type "ESPS" with esp_sa records decrypts the ESP like --keys does, and a bad
record in it is a key error (exit 2, one line)."""
import glob
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import ROOT, SHARED, Tap, analyze, run

t = Tap()


def with_dsb(src, secrets, dst):
    """Copies pcapng `src` with a DSB inserted after its SHB and IDBs."""
    data = open(src, "rb").read()
    pos, out = 0, b""
    while pos < len(data):
        btype, blen = struct.unpack_from("<II", data, pos)
        if btype not in (0x0A0D0D0A, 1):
            break
        out += data[pos:pos + blen]
        pos += blen
    pad = (-len(secrets)) % 4
    body = struct.pack("<II", 0x45535053, len(secrets)) + secrets + b"\0" * pad
    blen = 12 + len(body)
    out += struct.pack("<II", 0x0000000A, blen) + body + struct.pack("<I", blen) + data[pos:]
    open(dst, "wb").write(out)


case = "ikev2-small"
cap = os.path.join(SHARED, "captures", case, "capture-client.pcapng")
tmp = tempfile.mkdtemp(prefix="esprekey-dsb-")
if not os.path.exists(cap):
    t.skip("pcapng DSB", "../shared/captures not present")
else:
    keys = open(os.path.join(SHARED, "captures", case, "keys", "esp_sa"), "rb").read()
    good = os.path.join(tmp, "with-keys.pcapng")
    with_dsb(cap, keys, good)
    proc, tab = analyze(good)
    t.ok(proc.returncode == 0, "capture with a DSB: exit 0", proc.stderr)
    sas = tab.get("sas", [])
    t.ok(len(sas) == 8 and all(r["decrypted"] == r["packets"] and r["icv_failures"] == "0" for r in sas),
         "all 8 SAs decrypt with the keys from the DSB", [(r["spi"], r["decrypted"], r["packets"]) for r in sas])
    t.ok(all(r["key_source"].startswith(good + ": DSB 1:") for r in sas),
         "key source names the DSB and its line", [r["key_source"] for r in sas][:2])
    bad = os.path.join(tmp, "bad-keys.pcapng")
    with_dsb(cap, keys.replace(b"AES-CBC [RFC3602]", b"AES-XYZ", 1), bad)
    p = run([bad])
    lines = p.stderr.strip().splitlines()
    t.ok(p.returncode == 2 and len(lines) == 1 and "DSB 1:1" in lines[0] and "AES-XYZ" in lines[0],
         "a bad record in the DSB: exit 2, one line naming DSB 1 line 1", p.stderr)
    secret = keys.split(b'"0x')[1][:32].decode()
    t.ok(secret not in p.stderr, "the error does not print key material")
t.done()
