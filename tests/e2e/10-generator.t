#!/usr/bin/env python3
"""samples/mkcapture across its option matrix, checked with tshark (TAP).

For each case: every ESP packet decrypts with ICV good using the generated key file, the
per-SPI packet counts equal the ground truth, every encrypted ISAKMP message (Main Mode 5/6,
Quick Mode, Informational Delete) decrypts with the ikev1_decryption_table line, the Delete
SPIs and Quick Mode lifetimes are what the truth says, and (one case) every esp_sa key equals
RFC 2409 KEYMAT computed here from the skeyid_d line and the decrypted Quick Mode nonces/SPIs.
Where python3-cryptography is installed, every IKE message is also decrypted here, independently
of Wireshark, and SKEYID*, Ka, HASH_I/HASH_R, HASH(1)/(2)/(3) and the Delete HASH(1) are checked
(Wireshark does not verify IKEv1 hashes). Finally the output is byte-identical for the same seed.
"""
import filecmp
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
GEN = os.path.join(ROOT, "samples", "mkcapture")

SMALL = ["--lifetime-kb", "1000", "--up", "20", "--down", "30", "-d", "1.5"]
CASES = [
    ("default-small keys=all", "a.pcapng", SMALL + ["--keys", "all", "--extra-dips", "1"], {"keymat": True}),
    ("nat-t pppoe pcap(us) delete-before-qm3 plain1024",
     "b.pcap", ["--nat-t", "--link", "pppoe", "--format", "pcap", "--delete-before-qm3", "--count", "plain1024",
                "--lifetime-kb", "800", "--up", "10", "--down", "20", "-d", "1.5", "--seed", "7"], {}),
    ("nat-t draft encap sll esp_sa 10 fields esp1000 router-switch qm3",
     "c.pcapng", ["--nat-t", "--encap-draft", "--link", "sll", "--esp-fields", "10", "--count", "esp1000", "--router-switch", "qm3",
                  "--lifetime-kb", "800", "--up", "10", "--down", "20", "-d", "1.5", "--seed", "3"], {}),
    ("ipv6 3 tunnels pcap-ns time rekeys",
     "d.pcapng", ["--ipv6", "--tunnels", "3", "--format", "pcap-ns", "--lifetime-s", "1", "--lifetime-kb", "0",
                  "--up", "4", "--down", "4", "-d", "2.5", "--seed", "11"], {"cause": "time"}),
    ("capture starts after negotiation", "e.pcapng",
     ["--capture-start", "0.5", "--up", "20", "--down", "0", "--lifetime-kb", "1000", "-d", "1.5"], {"no_ike_decrypt": True}),
    ("no IKE, 2 NAT-T tunnels, down only", "f.pcapng",
     ["--no-ike", "--tunnels", "2", "--nat-t", "--up", "0", "--down", "20", "--lifetime-kb", "1000", "-d", "1"], {}),
    ("snaplen 96", "g.pcapng", ["--snaplen", "96", "--up", "5", "--down", "5", "-d", "0.5", "--keys", "skeyid"],
     {"snaplen": 96}),
]

try:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
except ImportError:       # the independent IKE check is skipped
    Cipher = None

FIELDS = ["frame.number", "frame.cap_len", "frame.len", "esp.spi", "esp.icv_good", "esp.icv_bad", "l2tp.type",
          "isakmp.exchangetype", "isakmp.flags", "isakmp.hash", "isakmp.messageid", "isakmp.ispi",
          "isakmp.delete.spi", "isakmp.spi", "isakmp.nonce", "isakmp.ipsec.attr.life_duration", "ip.src", "ipv6.src",
          "udp.srcport", "udp.payload"]

n = 0
failed = 0


def ok(cond, name, diag=None):
    global n, failed
    n += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n, name))
    if not cond:
        failed += 1
        if diag:
            for line in str(diag).splitlines()[:20]:
                print("#   " + line)
    return cond


def read_keys(path):
    esp, ike, skeyid = [], [], {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line.startswith('"'):
                esp.append(line)
            elif line.startswith("skeyid_d "):
                _, cky, key = line.split()
                skeyid[cky] = bytes.fromhex(key)
            elif line and not line.startswith("#"):
                ike.append(line)
    return esp, ike, skeyid


def tshark(cap, keys, fields, extra=()):
    esp, ike, _ = read_keys(keys)
    args = ["tshark", "-n", "-r", cap, "-o", "esp.enable_encryption_decode:TRUE",
            "-o", "esp.enable_authentication_check:TRUE"]
    for line in esp:
        # tshark 4.0 knows 8 esp_sa fields; newer ones 10
        args += ["-o", "uat:esp_sa:" + line]
    for line in ike:
        args += ["-o", "uat:ikev1_decryption_table:" + line]
    args += list(extra) + ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for fld in fields:
        args += ["-e", fld]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    rows = []
    for line in p.stdout.splitlines():
        rows.append(dict(zip(fields, line.split("\t"))))
    return p.returncode, rows, p.stderr


def keymat(skeyid_d, spi_hex, ni, nr):
    seed = bytes([3]) + bytes.fromhex(spi_hex) + ni + nr
    k1 = hmac.new(skeyid_d, seed, hashlib.sha1).digest()
    k2 = hmac.new(skeyid_d, k1 + seed, hashlib.sha1).digest()
    km = k1 + k2
    return km[:16].hex(), km[16:36].hex()


def prf(key, *parts):
    return hmac.new(key, b"".join(parts), hashlib.sha1).digest()


def payloads(body, first):
    """(type, whole payload incl. generic header) along a plaintext ISAKMP payload chain."""
    out, np_, off = [], first, 0
    while np_ and off + 4 <= len(body):
        ln = int.from_bytes(body[off + 2:off + 4], "big")
        out.append((np_, body[off:off + ln]))
        np_, off = body[off], off + ln
    return out, off


def ike_independent(rows, truth):
    """Decrypts every ISAKMP message with Python's AES and checks keys and all HASHes.
    Returns (hashes verified, hashes expected, problems)."""
    problems, verified, expected = [], 0, 0
    tun = {t["cky_i"]: t for t in truth["tunnels"]}
    st = {}
    for r in rows:
        if not r["isakmp.exchangetype"] or not r["udp.payload"]:
            continue
        raw = bytes.fromhex(r["udp.payload"].split(",")[0])
        if r["udp.srcport"].split(",")[0] != "500" and raw[:4] == b"\0\0\0\0" and \
                (r["udp.srcport"].split(",")[0] == "4500" or raw[4:12] != b"\0" * 8):
            raw = raw[4:]                      # non-ESP marker
        cky_i, cky_r = raw[:8], raw[8:16]
        np0, exch, flags, mid = raw[16], raw[18], raw[19], raw[20:24]
        t = tun[cky_i.hex()]
        s = st.setdefault(cky_i, {"mm": 0, "iv": {}, "qm": {}})
        body = raw[28:int.from_bytes(raw[24:28], "big")]
        if flags & 1:
            m = int.from_bytes(mid, "big")
            if m == 0:
                iv = s["iv"].get(0, s.get("iv0"))
            else:
                iv = s["iv"].get(m) or hashlib.sha1(s["p1_last"] + mid).digest()[:16]
            d = Cipher(algorithms.AES(bytes.fromhex(t["ka"])), modes.CBC(iv)).decryptor()
            plain = d.update(body) + d.finalize()
            s["iv"][m] = body[-16:]
            body = plain
        pls, end = payloads(body, np0)
        byt = dict((ty, p) for ty, p in reversed(pls))
        if exch == 2:
            s["mm"] += 1
            n = s["mm"]
            if n == 1:
                s["sai_b"] = byt[1][4:]
            elif n == 2:
                pass
            elif n in (3, 4):
                s["gxi" if n == 3 else "gxr"] = byt[4][4:]
                s["ni" if n == 3 else "nr"] = byt[10][4:]
                if n == 4:
                    skeyid = prf(t["psk"].encode(), s["ni"], s["nr"])
                    gxy = bytes.fromhex(t["gxy"])
                    sd = prf(skeyid, gxy, cky_i, cky_r, b"\0")
                    sa = prf(skeyid, sd, gxy, cky_i, cky_r, b"\1")
                    se = prf(skeyid, sa, gxy, cky_i, cky_r, b"\2")
                    if [x.hex() for x in (skeyid, sd, sa, se, se[:16])] != \
                            [t["skeyid"], t["skeyid_d"], t["skeyid_a"], t["skeyid_e"], t["ka"]]:
                        problems.append("SKEYID derivation differs for %s" % cky_i.hex())
                    s["skeyid"], s["a"] = skeyid, sa
                    s["iv0"] = hashlib.sha1(s["gxi"] + s["gxr"]).digest()[:16]
            else:
                ini = n == 5
                g1, g2 = (s["gxi"], s["gxr"]) if ini else (s["gxr"], s["gxi"])
                c1, c2 = (cky_i, cky_r) if ini else (cky_r, cky_i)
                want = prf(s["skeyid"], g1, g2, c1, c2, s["sai_b"], byt[5][4:])
                expected += 1
                verified += byt[8][4:] == want
                if n == 6:
                    s["p1_last"] = s["iv"][0]
            continue
        a = s["a"]
        h = byt[8][4:]
        rest = body[len(pls[0][1]):end]
        expected += 1
        if exch == 5:
            verified += h == prf(a, mid, rest)
            continue
        q = s["qm"].setdefault(mid, [])
        q.append(byt.get(10, b"")[4:])
        if len(q) == 1:
            verified += h == prf(a, mid, rest)
        elif len(q) == 2:
            verified += h == prf(a, mid, q[0], rest)
        else:
            verified += h == prf(a, b"\0", mid, q[0], q[1])
    return verified, expected, problems


def check_case(tmp, title, cap, args, want):
    capp = os.path.join(tmp, cap)
    stem = os.path.splitext(capp)[0]
    r = subprocess.run([GEN, "-o", capp] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if not ok(r.returncode == 0, "%s: generator runs" % title, r.stderr):
        return
    truth = json.load(open(stem + ".truth.json"))
    keys = stem + ".keys"
    rc, rows, err = tshark(capp, keys, FIELDS)
    if not ok(rc == 0 and len(rows) == truth["capture"]["packets"],
              "%s: tshark reads all %d frames" % (title, truth["capture"]["packets"]), err):
        return
    esp = [r for r in rows if r["esp.spi"]]
    if "snaplen" in want:
        s = want["snaplen"]
        ok(all(int(r["frame.cap_len"]) <= s for r in rows) and any(int(r["frame.len"]) > s for r in rows),
           "%s: frames cut at snaplen %d" % (title, s))
        ok(len(esp) == truth["capture"]["esp_packets"], "%s: %d ESP frames" % (title, len(esp)))
        return
    good = sum(1 for r in esp if r["esp.icv_good"] == "1")
    bad = sum(1 for r in esp if r["esp.icv_bad"] == "1")
    inner = sum(1 for r in esp if r["l2tp.type"])
    ok(len(esp) == truth["capture"]["esp_packets"] and len(esp) > 0,
       "%s: ESP packets %d == truth %d" % (title, len(esp), truth["capture"]["esp_packets"]))
    ok(good == len(esp) and bad == 0, "%s: ICV good %d/%d, bad %d" % (title, good, len(esp), bad))
    ok(inner == len(esp), "%s: decrypted to L2TP %d/%d" % (title, inner, len(esp)))
    per_spi = {}
    for r in esp:
        s = int(r["esp.spi"], 16)
        per_spi[s] = per_spi.get(s, 0) + 1
    want_spi = {int(sa["spi"], 16): sa["packets"] for sa in truth["sas"] if sa["packets"]}
    ok(per_spi == want_spi, "%s: per-SPI packet counts match the truth (%d SPIs)" % (title, len(want_spi)),
       "capture %s\ntruth   %s" % (per_spi, want_spi))
    late = sum(rk["late_packets"] for rk in truth["rekeys"])
    ok(len(truth["rekeys"]) > 0 and all(rk["cause"] == want.get("cause", "volume") for rk in truth["rekeys"]),
       "%s: %d rekeys, cause %s, %d late packets" % (title, len(truth["rekeys"]), want.get("cause", "volume"), late))
    isakmp = [r for r in rows if r["isakmp.exchangetype"]]
    if not truth["capture"]["ike_in_capture"]:
        ok(not isakmp, "%s: no ISAKMP in the capture" % title)
        return
    enc = [r for r in isakmp if int(r["isakmp.flags"], 16) & 1]
    dec = [r for r in enc if r["isakmp.hash"]]
    tenc = sum(1 for m in truth["ike_messages"] if m["encrypted"])
    if want.get("no_ike_decrypt"):
        ok(len(enc) == tenc and not dec,
           "%s: %d encrypted ISAKMP, none decryptable without Main Mode (as in Wireshark)" % (title, len(enc)))
        return
    ok(len(enc) == tenc and len(dec) == len(enc),
       "%s: encrypted ISAKMP decrypted %d/%d (truth %d)" % (title, len(dec), len(enc), tenc))
    if Cipher is None:
        ok(True, "%s: independent IKE check # SKIP python3-cryptography not installed" % title)
    else:
        try:
            v, e, probs = ike_independent(rows, truth)
        except Exception as ex:           # a parse failure is a failed check
            v, e, probs = 0, 1, ["%s: %r" % (type(ex).__name__, ex)]
        ok(v == e and e == len(enc) and not probs,
           "%s: independently decrypted, SKEYID*/Ka and %d/%d IKE HASHes verified" % (title, v, e), probs)
    dels = sorted(r["isakmp.delete.spi"] for r in isakmp if r["isakmp.delete.spi"])
    tdels = sorted(rk["deleted_spi"][2:] for rk in truth["rekeys"] if rk["deleted_spi"])
    ok(dels == tdels and len(dels) == len(truth["rekeys"]), "%s: Delete payloads carry the old inbound SPIs" % title,
       "%s vs %s" % (dels, tdels))
    qm = [r for r in isakmp if r["isakmp.exchangetype"] == "32" and r["isakmp.ipsec.attr.life_duration"]]
    kb = truth["lifetime"]["kilobytes"]
    sec = truth["lifetime"]["seconds"]
    wanted = set(str(v) for v in (kb, sec) if v)
    ok(qm and all(wanted <= set(r["isakmp.ipsec.attr.life_duration"].split(",")) for r in qm),
       "%s: every Quick Mode SA carries lifetimes %s" % (title, sorted(wanted)))
    if want.get("keymat"):
        esp_lines, _, skeyid = read_keys(keys)
        table = {}
        for line in esp_lines:
            f = [x.strip('"') for x in line.split(",")]
            table[int(f[3], 16)] = (f[5][2:], f[7][2:])
        client = {t["client"] for t in truth["tunnels"]}
        qms = {}
        for r in isakmp:
            if r["isakmp.exchangetype"] != "32" or not r["isakmp.nonce"]:
                continue
            src = r["ip.src"].split(",")[0] or r["ipv6.src"].split(",")[0]
            e = qms.setdefault((r["isakmp.ispi"], r["isakmp.messageid"]), {})
            e["i" if src in client else "r"] = (r["isakmp.spi"].split(",")[0], bytes.fromhex(r["isakmp.nonce"]))
        good = 0
        for (cky, _), e in qms.items():
            (spi_i, ni), (spi_r, nr) = e["i"], e["r"]
            sd = skeyid[cky]
            if keymat(sd, spi_r, ni, nr) == table.get(int(spi_r, 16)) and \
               keymat(sd, spi_i, ni, nr) == table.get(int(spi_i, 16)):
                good += 1
        ok(good == len(qms) and 2 * good == len(table),
           "%s: KEYMAT(skeyid_d, QM nonces, SPI) == esp_sa keys for %d/%d Quick Modes" % (title, good, len(qms)))


def main():
    if not shutil.which("tshark"):
        print("1..0 # SKIP tshark not installed")
        return 0
    if not os.access(GEN, os.X_OK):
        print("1..0 # SKIP samples/mkcapture not built")
        return 0
    tmp = tempfile.mkdtemp(prefix="mkcapture-t-")
    os.environ["HOME"] = tmp          # no user Wireshark profile
    try:
        for title, cap, args, want in CASES:
            check_case(tmp, title, cap, args, want)
        # same seed, same options -> same bytes (run in two directories with the same relative names)
        outs = []
        for d in ("r1", "r2"):
            os.mkdir(os.path.join(tmp, d))
            subprocess.run([GEN, "-o", "x.pcapng", "--nat-t", "--tunnels", "2", "--seed", "42"] + SMALL,
                           cwd=os.path.join(tmp, d), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            outs.append(os.path.join(tmp, d))
        same = all(filecmp.cmp(os.path.join(outs[0], f), os.path.join(outs[1], f), shallow=False)
                   for f in ("x.pcapng", "x.keys", "x.truth.json"))
        ok(same, "same seed gives byte-identical capture, keys and truth")
        subprocess.run([GEN, "-o", "y.pcapng", "--nat-t", "--tunnels", "2", "--seed", "43"] + SMALL,
                       cwd=outs[1], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ok(not filecmp.cmp(os.path.join(outs[0], "x.pcapng"), os.path.join(outs[1], "y.pcapng"), shallow=False),
           "another seed gives another capture")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
