#!/usr/bin/env python3
"""daemonlike.py -- `compose2swarm convert --to api` bodies made into what a
swarm manager stores for them, for tests and the benchmark that need a stack
that exists without a real daemon.

  daemonlike.py post SOCKET BODIES.json   create the objects on a fake Engine
                                          API (scripts/reference/fakedockerd.py),
                                          services as a daemon stores them
  daemonlike.py state BODIES.json         print a state as `docker inspect`
                                          prints it (for plan --state)

A daemon fills defaults the body leaves out (the runtime, the isolation, one
replica, vip, tcp/ingress ports, pause/stop-first update configs, the restart
condition) and names networks, secrets and configs by ID; the fake engine
stores bodies as they come, so this does it first. The list is the one
src/plan_norm.c applies (observed on a 20.10 swarm), in short.
Standard library only.
"""
import http.client
import json
import socket
import sys


def stored(spec, ids):
    """The service spec as a daemon stores it (in place); ids: name -> ID."""
    tt = spec.setdefault("TaskTemplate", {})
    cs = tt.get("ContainerSpec")
    if cs is not None:
        tt["Runtime"] = "container"
        cs["Isolation"] = "default"
        for r in cs.get("Secrets") or []:
            r["SecretID"] = ids.get(r["SecretName"], r["SecretID"])
        for r in cs.get("Configs") or []:
            r["ConfigID"] = ids.get(r["ConfigName"], r["ConfigID"])
    for n in tt.get("Networks") or []:
        n["Target"] = ids.get(n["Target"], n["Target"])
    rp = tt.get("RestartPolicy")
    if rp is not None:
        rp["Condition"] = rp.get("Condition") or "any"
        rp.setdefault("MaxAttempts", 0)
    for k in ("UpdateConfig", "RollbackConfig"):
        u = spec.get(k)
        if u is not None:
            u["FailureAction"] = u.get("FailureAction") or "pause"
            u["Order"] = u.get("Order") or "stop-first"
            if not u.get("Monitor"):
                u.pop("Monitor", None)
    rep = spec.setdefault("Mode", {}).get("Replicated")
    if rep is not None:
        rep.setdefault("Replicas", 1)
    ep = spec.setdefault("EndpointSpec", {})
    ep["Mode"] = ep.get("Mode") or "vip"
    for p in ep.get("Ports") or []:
        p["Protocol"] = p.get("Protocol") or "tcp"
        p["PublishMode"] = p.get("PublishMode") or "ingress"
    return spec


def state(bodies):
    """The objects as `docker inspect` prints them, IDs made up."""
    out, ids = [], {}
    for i, n in enumerate(bodies["networks"]):
        ids[n["Name"]] = "net%022d" % i
        out.append({"Name": n["Name"], "Id": ids[n["Name"]], "Scope": "swarm", "Driver": n.get("Driver") or "overlay",
                    "IPAM": n.get("IPAM") or {"Driver": "default"}, "Internal": n.get("Internal", False),
                    "Attachable": n.get("Attachable", False), "Options": n.get("Options") or {},
                    "Labels": n.get("Labels") or {}})
    for kind in ("secrets", "configs"):
        for i, o in enumerate(bodies[kind]):
            ids[o["Name"]] = "%s%022d" % (kind[:3], i)
            spec = {k: v for k, v in o.items() if kind == "configs" or k != "Data"}
            out.append({"ID": ids[o["Name"]], "Version": {"Index": 11}, "Spec": spec})
    for i, s in enumerate(bodies["services"]):
        out.append({"ID": "svc%022d" % i, "Version": {"Index": 12}, "Spec": stored(s, ids)})
    return out


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("docker")
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def post(sock, bodies):
    """Create every object on the fake engine, services as stored; returns the count."""
    conn = UnixConnection(sock)
    ids, n = {}, 0

    def create(kind, body):
        conn.request("POST", "/v1.50/%s/create" % kind, json.dumps(body), {"Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        if r.status != 201:
            sys.exit("POST /%s/create: %d %s" % (kind, r.status, data[:200]))
        return json.loads(data).get("Id") or json.loads(data).get("ID")

    for kind in ("networks", "secrets", "configs"):
        for b in bodies[kind]:
            ids[b["Name"]] = create(kind, b)
            n += 1
    # the external networks the services name exist too, unlabelled
    for s in bodies["services"]:
        for net in s.get("TaskTemplate", {}).get("Networks") or []:
            t = net["Target"]
            if t not in ids and t not in ("host", "bridge", "none"):
                ids[t] = create("networks", {"Name": t, "Driver": "overlay", "Attachable": True})
                n += 1
    for s in bodies["services"]:
        create("services", stored(s, ids))
        n += 1
    conn.close()
    return n


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "post":
        print(post(sys.argv[2], json.load(open(sys.argv[3]))))
    elif len(sys.argv) == 3 and sys.argv[1] == "state":
        json.dump(state(json.load(open(sys.argv[2]))), sys.stdout, indent=4)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
