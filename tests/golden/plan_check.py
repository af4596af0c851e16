#!/usr/bin/env python3
"""Check a plan (compose2swarm plan --format json) against a hand-written
expectation (tests/golden/plan/*.expect).

  plan_check.py EXPECT PLAN.json RC

EXPECT, one statement a line ('#' starts a comment):
  exit N                          the exit status
  summary create=N update=N delete=N unchanged=N fail=N
  KIND NAME ACTION REPLACES       a change (REPLACES: true, false or null);
                                  every change that is not "unchanged" must be
                                  listed, in the plan's order; unchanged ones
                                  may be
    API | COMPOSE | BEFORE | AFTER  its fields, all of them, in order
                                  (COMPOSE "-" is null; BEFORE/AFTER are JSON)
    ~ TEXT                        its message contains TEXT
    task ID                       a task it replaces (all of them, in order)
Exit 0 when the plan is as expected; 1 with what differs.
"""
import json
import sys


def parse(path):
    exp = {"exit": None, "summary": None, "changes": []}
    cur = None
    for n, raw in enumerate(open(path), 1):
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("  ") or line.startswith("\t"):
            s = line.strip()
            if cur is None:
                sys.exit("%s:%d: a field before any change" % (path, n))
            if s.startswith("~ "):
                cur["messages"].append(s[2:])
            elif s.startswith("task "):
                cur["tasks"].append(s[5:])
            else:
                parts = [p.strip() for p in s.split(" | ")]
                if len(parts) != 4:
                    sys.exit("%s:%d: a field is API | COMPOSE | BEFORE | AFTER" % (path, n))
                cur["fields"].append({"api": parts[0], "compose": None if parts[1] == "-" else parts[1],
                                      "before": json.loads(parts[2]), "after": json.loads(parts[3])})
            continue
        w = line.split()
        if w[0] == "exit":
            exp["exit"] = int(w[1])
        elif w[0] == "summary":
            exp["summary"] = {k: int(v) for k, v in (x.split("=") for x in w[1:])}
        else:
            if len(w) != 4:
                sys.exit("%s:%d: a change is KIND NAME ACTION REPLACES" % (path, n))
            cur = {"kind": w[0], "name": w[1], "action": w[2], "replaces_tasks": json.loads(w[3]),
                   "fields": [], "messages": [], "tasks": []}
            exp["changes"].append(cur)
    return exp


def main():
    exp = parse(sys.argv[1])
    try:
        plan = json.load(open(sys.argv[2]))
    except ValueError as e:
        print("not JSON: %s" % e)
        return 1
    rc = int(sys.argv[3])
    bad = []
    if exp["exit"] is not None and rc != exp["exit"]:
        bad.append("exit %d, expected %d" % (rc, exp["exit"]))
    if exp["summary"] is not None and plan.get("summary") != exp["summary"]:
        bad.append("summary %s, expected %s" % (plan.get("summary"), exp["summary"]))
    listed = {(c["kind"], c["name"]) for c in exp["changes"]}
    got = [c for c in plan.get("changes", []) if c["action"] != "unchanged" or (c["kind"], c["name"]) in listed]
    for i in range(max(len(got), len(exp["changes"]))):
        g = got[i] if i < len(got) else None
        e = exp["changes"][i] if i < len(exp["changes"]) else None
        if g is None or e is None:
            bad.append("change %d: got %s, expected %s" % (i, g and (g["kind"], g["name"], g["action"]),
                                                          e and (e["kind"], e["name"], e["action"])))
            continue
        where = "%s %s" % (e["kind"], e["name"])
        for k in ("kind", "name", "action", "replaces_tasks"):
            if g[k] != e[k]:
                bad.append("%s: %s is %r, expected %r" % (where, k, g[k], e[k]))
        gf = [{k: f[k] for k in ("api", "compose", "before", "after")} for f in g["fields"]]
        if gf != e["fields"]:
            bad.append("%s: fields\n    got      %s\n    expected %s" % (where, json.dumps(gf), json.dumps(e["fields"])))
        for m in e["messages"]:
            if m not in g["message"]:
                bad.append("%s: message %r lacks %r" % (where, g["message"], m))
        if e["messages"] == [] and g["message"] and g["action"] != "unchanged":
            bad.append("%s: unexpected message %r" % (where, g["message"]))
        if g.get("tasks", []) != e["tasks"]:
            bad.append("%s: tasks %s, expected %s" % (where, g.get("tasks", []), e["tasks"]))
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
