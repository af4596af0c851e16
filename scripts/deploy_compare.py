#!/usr/bin/env python3
"""deploy_compare.py -- is a compose2swarm deploy's request log the one `docker stack deploy` made?

deploy_compare.py DOCKER_LOG OURS_LOG

Both are fakedockerd request logs (JSON lines, scripts/reference/fakedockerd.py)
of one deploy against the same prior state. Compared per request: method,
path (with its API version), query, body, and the headers (all but
User-Agent: Host, Content-Type, Content-Length, X-Registry-Auth, and what the
docker config's HttpHeaders add).

What is deterministic in docker's log is compared in order; what docker/cli
orders by ranging over a Go map is compared as a set (deploy_composefile.go:
external networks, network creates, secrets, configs, the per-service secret
and config lookups, services; a secret's inspect and its create or update stay
one unit, as do an image's distribution lookup and its service request).

compose2swarm reads the stack once for its plan before it applies: that block
(GET and HEAD only, after docker's ping and GET /info) is taken out of ours
before the comparison, and checked to be read-only.

A version=N query is checked against the version the same log's daemon
reported for that object, then compared as "current": the numbers themselves
follow the fake's counter, which docker's random create order moves.

Exit 0 equal, 1 different (what differs on stdout), 2 usage or bad input.
"""
import json
import re
import sys

IGNORED_HEADERS = ("User-Agent",)


def load(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except ValueError as exc:
                sys.exit("deploy_compare: %s:%d: %s" % (path, n, exc))
    return out


def phase(r):
    m, ep = r["method"], r["endpoint"]
    f = r.get("filters") or {}
    if ep == "/_ping":
        return "ping"
    if ep == "/info":
        return "info"
    if ep == "/services" and m == "GET":
        return "services-list"
    if ep.startswith("/services/") and m == "DELETE":
        return "prune"
    if ep.startswith("/networks/") and m == "GET":
        return "external-networks"
    if ep == "/networks" and m == "GET":
        return "networks-list"
    if ep == "/networks/create":
        return "networks"
    for kind in ("secrets", "configs"):
        if ep == "/" + kind and m == "GET" and "name" in f:
            return "references"
        if ep.startswith("/%s/" % kind):
            return kind
    if ep.startswith("/distribution/") or ep.startswith("/services/"):
        return "services"
    return "other %s %s" % (m, ep)


def unit_start(r):
    """A request that starts a unit inside its phase."""
    m, ep = r["method"], r["endpoint"]
    if m == "GET" and re.match(r"^/(secrets|configs)/[^/]+$", ep):
        return True
    if ep.startswith("/distribution/"):
        return True
    if ep.startswith("/services/") and m == "POST":
        return True
    return False


def versions_seen(log):
    """For each request, the object versions the daemon had reported before it."""
    known, out = {}, []
    for r in log:
        out.append(dict(known))
        resp = r.get("response")
        objs = resp if isinstance(resp, list) else [resp] if isinstance(resp, dict) else []
        for o in objs:
            if isinstance(o, dict) and isinstance(o.get("Version"), dict) and "ID" in o:
                known[o["ID"]] = o["Version"].get("Index")
    return out


def normalise(log, where):
    seen = versions_seen(log)
    out = []
    for r, known in zip(log, seen):
        q = {k: list(v) for k, v in (r.get("query") or {}).items()}
        if "version" in q:
            m = re.match(r"^/(services|secrets|configs)/([^/]+)/update$", r["endpoint"])
            oid = m.group(2) if m else None
            want = known.get(oid)
            got = q["version"][0]
            q["version"] = ["current" if want is not None and str(want) == got else
                            "version %s, the daemon said %s" % (got, want)]
        if "filters" in q:  # compared decoded (fakedockerd's filters)
            q["filters"] = r.get("filters")
        h = {k: v for k, v in (r.get("headers") or {}).items() if k not in IGNORED_HEADERS}
        out.append({"method": r["method"], "path": r["path"], "endpoint": r["endpoint"], "query": q,
                    "body": r.get("body"), "headers": h,
                    "phase": phase(r), "where": "%s #%s" % (where, r.get("seq"))})
    return out


def key(r):
    return json.dumps([r["method"], r["path"], r["query"], r["body"], r["headers"]], sort_keys=True)


def runs(log):
    """[(phase, [units])]: consecutive requests of one phase, cut into units."""
    out = []
    for r in log:
        if not out or out[-1][0] != r["phase"]:
            out.append((r["phase"], []))
        units = out[-1][1]
        if not units or unit_start(r) or r["phase"] not in ("secrets", "configs", "services"):
            units.append([])
        units[-1].append(r)
    return out


def show(r):
    q = "&".join("%s=%s" % (k, json.dumps(v)) for k, v in sorted(r["query"].items()))
    return "%s %s%s%s  [%s]" % (r["method"], r["path"], "?" if q else "", q, r["where"])


def diff_body(a, b, path="body"):
    if type(a) is not type(b):
        return "%s: %s vs %s" % (path, json.dumps(a)[:200], json.dumps(b)[:200])
    if isinstance(a, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in b or k not in a:
                return "%s.%s: %s vs %s" % (path, k, json.dumps(a.get(k))[:200], json.dumps(b.get(k))[:200])
            d = diff_body(a[k], b[k], path + "." + k)
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: %d vs %d items" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff_body(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if a == b else "%s: %s vs %s" % (path, json.dumps(a)[:200], json.dumps(b)[:200])


def explain(a, b):
    for f in ("method", "path", "query", "headers"):
        if a[f] != b[f]:
            return "%s: %s vs %s" % (f, json.dumps(a[f])[:300], json.dumps(b[f])[:300])
    return diff_body(a["body"], b["body"]) or "?"


def compare(docker, ours):
    problems = []
    # the plan block: ours has k more requests, right after docker's ping and GET /info
    k = len(ours) - len(docker)
    if k < 0:
        return ["ours has %d requests, docker's %d" % (len(ours), len(docker))]
    head = 2 if len(docker) >= 2 and docker[1]["phase"] == "info" else 1
    block = ours[head:head + k]
    for r in block:
        if r["method"] not in ("GET", "HEAD"):
            problems.append("the plan sent %s (plan only reads)" % show(r))
    ours = ours[:head] + ours[head + k:]
    rd, ro = runs(docker), runs(ours)
    pd, po = [p for p, _ in rd], [p for p, _ in ro]
    if pd != po:
        problems.append("phases differ:\n  docker: %s\n  ours:   %s" % (" > ".join(pd), " > ".join(po)))
        return problems
    for (p, ud), (_, uo) in zip(rd, ro):
        kd = sorted(ud, key=lambda u: [key(r) for r in u])
        ko = sorted(uo, key=lambda u: [key(r) for r in u])
        if [[key(r) for r in u] for u in kd] == [[key(r) for r in u] for u in ko]:
            continue
        # name the first unit of docker's that ours lacks, and the reverse
        so = [[key(r) for r in u] for u in ko]
        sd = [[key(r) for r in u] for u in kd]
        for u in kd:
            if [key(r) for r in u] not in so:
                near = [v for v in ko if len(v) == len(u) and all(x["method"] == y["method"] and
                                                                  x["path"] == y["path"] for x, y in zip(u, v))]
                if near:
                    for x, y in zip(u, near[0]):
                        if key(x) != key(y):
                            problems.append("%s: %s\n    docker %s\n    ours   %s" %
                                            (p, explain(x, y), show(x), show(y)))
                            break
                else:
                    problems.append("%s: docker sent %s; ours did not" % (p, " + ".join(show(r) for r in u)))
                break
        for u in ko:
            if [key(r) for r in u] not in sd:
                problems.append("%s: ours sent %s; docker did not" % (p, " + ".join(show(r) for r in u)))
                break
    return problems


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2])
    docker = normalise(load(sys.argv[1]), "docker")
    ours = normalise(load(sys.argv[2]), "ours")
    problems = compare(docker, ours)
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    try:
        main()
    except (OSError, KeyError) as exc:
        print("deploy_compare: %s" % exc, file=sys.stderr)
        sys.exit(2)
