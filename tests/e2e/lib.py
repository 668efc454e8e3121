"""Shared bits of the end-to-end tests: TAP output, running esprekey, CSVs."""
import atexit
import csv
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("ESPREKEY_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
ESPREKEY = os.environ.get("ESPREKEY", os.path.join(ROOT, "esprekey"))

# every temporary file of a test script lives under one directory, removed
# when the script ends (generated captures run to megabytes)
tempfile.tempdir = tempfile.mkdtemp(prefix="esprekey-test-")
atexit.register(shutil.rmtree, tempfile.tempdir, ignore_errors=True)


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        if not cond:
            self.failed += 1
        print(("ok" if cond else "not ok") + " %d - %s" % (self.n, name))
        if not cond and diag:
            for line in str(diag).splitlines():
                print("# " + line)
        sys.stdout.flush()
        return cond

    def skip(self, name, why):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, name, why))

    def done(self):
        print("1..%d" % self.n)
        sys.exit(1 if self.failed else 0)


def run(args, **kw):
    return subprocess.run([ESPREKEY] + list(args), capture_output=True, text=True, **kw)


def analyze(capture, *extra):
    """Runs esprekey with --out into a temp dir; returns (proc, {name: rows})."""
    out = tempfile.mkdtemp(prefix="esprekey-e2e-")
    proc = run([capture, "--out", out, "-q"] + list(extra))
    tables = {}
    for name in ("rekeys", "sas", "throughput", "dips"):
        path = os.path.join(out, name + ".csv")
        if os.path.exists(path):
            with open(path, newline="") as f:
                tables[name] = list(csv.DictReader(f))
            with open(path, "rb") as f:
                tables[name + ".bytes"] = f.read()
    return proc, tables
