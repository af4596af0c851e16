#!/usr/bin/env python3
"""diff-interp-docker.py [BIN] [N] -- differential test of ${VAR} interpolation against the
docker CLI (needs `docker` on PATH; runs offline: `docker stack config` only).

Random strings of $, braces, operators and names go into a service's environment;
for each file, `docker stack config` and `BIN convert --to yaml` must agree on
accept/reject and on the output, and when docker refuses a one-value file, lint
must report docker's message word for word (CS3001/CS3002/CS3003)."""
import os
import random
import re
import subprocess
import sys
import tempfile

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "./compose2swarm")
N = int(sys.argv[2]) if len(sys.argv) > 2 else 100
ALPHA = ["$", "$", "{", "}", ":", "-", "?", "+", "A", "x", "_", "1", " ", "SET", "EMPTY", "UN", "$$", "${", ":-",
         ":?", "?"]
ENV = {"PATH": os.environ["PATH"], "HOME": "/root", "SET": "val", "EMPTY": "", "A": "a", "NO_COLOR": "1"}


def quote(v):
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    rnd = random.Random(int(os.environ.get("SEED", "7")))
    bad = 0
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "f.yml")
        for _ in range(N):
            vals = ["".join(rnd.choice(ALPHA) for _ in range(rnd.randint(1, 8))) for _ in range(rnd.randint(1, 3))]
            with open(path, "w") as f:
                f.write("services:\n  web:\n    image: nginx\n    environment:\n")
                for i, v in enumerate(vals):
                    f.write("      K%d: %s\n" % (i, quote(v)))
            dk = subprocess.run(["docker", "stack", "config", "-c", "f.yml"], cwd=d, env=ENV, capture_output=True,
                                text=True)
            cv = subprocess.run([BIN, "convert", "-c", "f.yml", "--to", "yaml"], cwd=d, env=ENV,
                                capture_output=True, text=True)
            same = (dk.returncode != 0) == (cv.returncode != 0) and (dk.returncode != 0 or dk.stdout == cv.stdout)
            if same and dk.returncode != 0 and len(vals) == 1:
                lint = subprocess.run([BIN, "lint", "-f", "gnu", "f.yml"], cwd=d, env=ENV, capture_output=True,
                                      text=True)
                msgs = [re.sub(r"^f\.yml:\d+:\d+: error: (.*) \[CS300\d\]$", r"\1", x)
                        for x in lint.stdout.splitlines() if "CS300" in x]
                same = dk.stderr.strip() in msgs
            if not same:
                bad += 1
                print("DIFF", vals, "docker:", (dk.stdout + dk.stderr)[:200], "ours:", (cv.stdout + cv.stderr)[:200])
    print("%d cases, %d differ" % (N, bad))
    return 1 if bad else 0


sys.exit(main())
