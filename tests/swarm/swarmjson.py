#!/usr/bin/env python3
"""JSON glue for tests/swarm/run.sh (the HTTP requests are made with curl).

  swarmjson.py split PAYLOAD DIR     one body per file: DIR/<kind>.<n>.json, and
                                     DIR/<kind>.list naming them in order
  swarmjson.py fill BODY IDS         set SecretID/ConfigID from IDS ("kind name id"
                                     lines); prints the body
  swarmjson.py replicas PAYLOAD      "NAME WANT" per service (global: nodes count
                                     is resolved by the caller, printed as "global")
  swarmjson.py id RESPONSE           the "ID" of a create response
  swarmjson.py compare SENT GOT IDS  every field we sent must be in the inspected
                                     object with the same value; exit 1 otherwise
"""
import json
import os
import sys

ZERO = (None, False, 0, "", {}, [])


def split(payload, outdir):
    data = json.load(open(payload))
    for kind in ("networks", "secrets", "configs", "services"):
        names = []
        for n, body in enumerate(data[kind]):
            path = os.path.join(outdir, "%s.%d.json" % (kind, n))
            with open(path, "w") as fh:
                json.dump(body, fh)
            names.append("%s %s" % (path, body["Name"]))
        with open(os.path.join(outdir, kind + ".list"), "w") as fh:
            fh.write("".join(x + "\n" for x in names))


def fill(body, ids):
    table = {}
    for line in open(ids):
        kind, name, id_ = line.split()
        table[(kind, name)] = id_
    spec = json.load(open(body))
    cs = spec.get("TaskTemplate", {}).get("ContainerSpec", {})
    for ref in cs.get("Secrets") or []:
        ref["SecretID"] = table.get(("secret", ref["SecretName"]), ref["SecretID"])
    for ref in cs.get("Configs") or []:
        ref["ConfigID"] = table.get(("config", ref["ConfigName"]), ref["ConfigID"])
    json.dump(spec, sys.stdout)


def replicas(payload):
    for spec in json.load(open(payload))["services"]:
        mode = spec.get("Mode", {})
        if "Global" in mode:
            want = "global"
        else:
            want = str(mode.get("Replicated", {}).get("Replicas", 1))
        print(spec["Name"], want)


def diff(sent, got, path, out):
    """Collect paths where `got` lacks or changes a value of `sent`.  A zero
    value we sent may be absent on the daemon's side (Go's omitempty)."""
    if sent is None:
        return                  # unset: the daemon may fill in its default
    if isinstance(sent, dict):
        if got is None and all(v in ZERO for v in sent.values()):
            return
        if not isinstance(got, dict):
            out.append("%s: sent %s, daemon has %s" % (path, json.dumps(sent), json.dumps(got)))
            return
        for k, v in sent.items():
            if k not in got:
                if v not in ZERO:
                    out.append("%s.%s: sent %s, daemon has nothing" % (path, k, json.dumps(v)))
                continue
            diff(v, got[k], path + "." + k, out)
    elif isinstance(sent, list):
        if not isinstance(got, list) or len(got) != len(sent):
            if sent == [] and got is None:
                return
            out.append("%s: sent %s, daemon has %s" % (path, json.dumps(sent), json.dumps(got)))
            return
        for i, (a, b) in enumerate(zip(sent, got)):
            diff(a, b, "%s[%d]" % (path, i), out)
    elif sent in (None, ""):
        return                  # unset: the daemon may fill in its default
    elif sent != got and not (sent in ZERO and got in ZERO):
        out.append("%s: sent %s, daemon has %s" % (path, json.dumps(sent), json.dumps(got)))


def compare(sent_path, got_path, ids):
    sent = json.load(open(sent_path))
    got = json.load(open(got_path))
    if isinstance(got, list):
        got = got[0]
    got = got.get("Spec", got)
    # CheckDuplicate is a request flag, not part of the stored network
    sent.pop("CheckDuplicate", None)
    # the daemon stores network attachments by network id
    names = {}
    for line in open(ids):
        kind, name, id_ = line.split()
        if kind == "network":
            names[id_] = name
    for att in got.get("TaskTemplate", {}).get("Networks") or []:
        att["Target"] = names.get(att.get("Target"), att.get("Target"))
    out = []
    diff(sent, got, sent.get("Name", "spec"), out)
    for line in out:
        print(line)
    return 1 if out else 0


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "split" and len(argv) == 4:
        split(argv[2], argv[3])
    elif cmd == "fill" and len(argv) == 4:
        fill(argv[2], argv[3])
    elif cmd == "replicas" and len(argv) == 3:
        replicas(argv[2])
    elif cmd == "id" and len(argv) == 3:
        resp = json.load(open(argv[2]))
        print(resp.get("ID") or resp["Id"])
    elif cmd == "compare" and len(argv) == 5:
        return compare(argv[2], argv[3], argv[4])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
