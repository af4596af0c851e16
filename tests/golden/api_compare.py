#!/usr/bin/env python3
"""Compare `compose2swarm convert --to api` output with docker's recorded payloads.

usage: api_compare.py EXPECTED_PAYLOADS ACTUAL_STDOUT CASE_DIR [PLACEHOLDER]
Both are parsed as JSON; key order and whitespace are free, values and the
presence of keys must match. SecretID/ConfigID are left out (a daemon makes
them); PLACEHOLDER (default "@DIR@") in the expected file stands for the
case directory. Prints
the differing paths and exits 1 when they differ.
"""
import json
import os
import sys


def strip(v, d, placeholder="@DIR@"):
    if isinstance(v, dict):
        return {k: strip(x, d, placeholder) for k, x in v.items() if k not in ("SecretID", "ConfigID")}
    if isinstance(v, list):
        return [strip(x, d, placeholder) for x in v]
    if isinstance(v, str) and d is not None:
        return v.replace(placeholder, d)
    return v


def diff(x, y, path, out):
    if type(x) is not type(y):
        out.append("%s: got %s, want %s" % (path, json.dumps(x)[:200], json.dumps(y)[:200]))
    elif isinstance(x, dict):
        for k in sorted(set(x) | set(y)):
            if k not in x:
                out.append("%s.%s: missing, want %s" % (path, k, json.dumps(y[k])[:200]))
            elif k not in y:
                out.append("%s.%s: unexpected %s" % (path, k, json.dumps(x[k])[:200]))
            else:
                diff(x[k], y[k], path + "." + k, out)
    elif isinstance(x, list):
        if len(x) != len(y):
            out.append("%s: got %d items, want %d: %s" % (path, len(x), len(y), json.dumps(y)[:300]))
        else:
            for i, (a, b) in enumerate(zip(x, y)):
                diff(a, b, "%s[%d]" % (path, i), out)
    elif x != y:
        out.append("%s: got %s, want %s" % (path, json.dumps(x), json.dumps(y)))


def main():
    want_path, got_path, case_dir = sys.argv[1:4]
    placeholder = sys.argv[4] if len(sys.argv) > 4 else "@DIR@"
    want = strip(json.load(open(want_path)), os.path.abspath(case_dir), placeholder)
    try:
        got = strip(json.load(open(got_path)), None)
    except ValueError as e:
        print("output is not JSON: %s" % e)
        return 1
    out = []
    diff(got, want, "$", out)
    for line in out[:40]:
        print(line)
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main())
