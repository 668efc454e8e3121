#!/usr/bin/env python3
"""The README keeps exactly two set-up commands and the demo one works; the
man page describes every option --help prints and renders without warnings."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import ROOT, Tap, run

t = Tap()
readme = open(os.path.join(ROOT, "README.md")).read()
setup = readme.split("## Set up", 1)[1].split("```", 2)[1]
cmds = [l.split("#")[0].strip() for l in setup.splitlines() if l.split("#")[0].strip()]
t.ok(cmds == ["make demo", "make check"], "README: exactly two set-up commands, make demo and make check", cmds)

demo = subprocess.run(["make", "--no-print-directory", "-C", ROOT, "demo"], capture_output=True, text=True)
t.ok(demo.returncode == 0 and "Verdict: 3 rekeys, all volume-triggered" in demo.stdout,
     "make demo prints the report for the shipped sample", demo.stderr[-500:])

help_text = run(["--help"]).stdout
options = sorted(set(re.findall(r"--([a-z][a-z-]+)", help_text)) - {"help", "help-all"})
man = open(os.path.join(ROOT, "man", "esprekey.1")).read().replace("\\-", "-")
missing = [o for o in options if "--" + o not in man]
t.ok(not missing and len(options) >= 14, "the man page describes all %d options of --help" % len(options), missing)
if shutil.which("groff"):
    g = subprocess.run(["groff", "-man", "-Tutf8", "-ww", os.path.join(ROOT, "man", "esprekey.1")],
                       capture_output=True, text=True)
    t.ok(g.returncode == 0 and g.stderr == "", "groff -man -ww renders the man page without warnings", g.stderr)
else:
    t.skip("groff", "groff not installed")
t.done()
