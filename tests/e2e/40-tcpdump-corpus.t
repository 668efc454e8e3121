#!/usr/bin/env python3
"""Robustness: every capture of tcpdump's test suite (many are crash
reproducers) goes through the whole tool: exit 0, or 1 with one line, never a
crash, hang or sanitizer report; and the ESP known-answer cases decrypt."""
import glob
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import ESPREKEY, SHARED, Tap, analyze

t = Tap()
corpus = os.environ.get("ESPREKEY_CORPUS", os.path.join(SHARED, "corpus", "tcpdump"))
files = sorted(glob.glob(os.path.join(corpus, "*.pcap")) + glob.glob(os.path.join(corpus, "*.pcapng")))
if not files:
    t.skip("tcpdump corpus", "%s not present" % corpus)
    t.done()

tmp = tempfile.mkdtemp(prefix="esprekey-corpus-")
keys = os.path.join(tmp, "tcpdump.keys")
with open(keys, "w") as f:
    # tcpdump's esp-secrets.txt in Wireshark's form (no authentication keys known)
    f.write('"IPv4","*","192.1.2.45","0x12345678","TripleDES-CBC [RFC2451]",'
            '"0x4043434545464649494a4a4c4c4f4f515152525454575758","ANY 96 bit authentication [no checking]",""\n')
    f.write('"IPv4","*","192.0.1.1","0xabcdabcd","TripleDES-CBC [RFC2451]",'
            '"0x434545464649494a4a4c4c4f4f5151525254545757584043","ANY 96 bit authentication [no checking]",""\n')
    f.write('"IPv4","*","192.1.2.45","0xd1234567","AES-CBC [RFC3602]",'
            '"0xaaaabbbbccccdddd4043434545464649494a4a4c4c4f4f515152525454575758",'
            '"ANY 96 bit authentication [no checking]",""\n')

bad = []
for path in files:
    try:
        p = subprocess.run([ESPREKEY, path, "--keys", keys, "--json"], capture_output=True, text=True,
                           timeout=60, errors="replace")
    except subprocess.TimeoutExpired:
        bad.append((os.path.basename(path), "hang (60 s)"))
        continue
    lines = p.stderr.strip().splitlines()
    if p.returncode < 0 or p.returncode > 1 or "Sanitizer" in p.stderr or "runtime error" in p.stderr:
        bad.append((os.path.basename(path), "exit %d: %s" % (p.returncode, p.stderr[-300:])))
    elif p.returncode == 1 and len(lines) != 1:
        bad.append((os.path.basename(path), "exit 1 without one line: %r" % p.stderr[-300:]))
t.ok(not bad, "all %d tcpdump captures: no crash, hang or sanitizer report; errors in one line" % len(files),
     "\n".join("%s: %s" % b for b in bad[:20]))

# Known answers (tcpdump's esp1.out, esp5.out): 8 ICMP echo requests of 84 bytes
for name, spi in (("02-sunrise-sunset-esp.pcap", "0x12345678"), ("08-sunrise-sunset-aes.pcap", "0xd1234567")):
    proc, tab = analyze(os.path.join(corpus, name), "--keys", keys)
    sas = {r["spi"]: r for r in tab.get("sas", [])}
    sa = sas.get(spi, {})
    t.ok(sa.get("decrypted") == "8" and sa.get("plaintext_bytes") == str(8 * 84),
         "%s: SPI %s, 8 packets decrypt to 84-byte inner IP packets" % (name, spi),
         "%s %s" % (proc.stderr, sa))
t.done()
