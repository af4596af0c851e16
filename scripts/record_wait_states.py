#!/usr/bin/env python3
"""record_wait_states.py -- record what a real dockerd answers while a stack's services converge (or do not).

Usage: record_wait_states.py SOCKET STACK UNTIL OUT [MAX_SECONDS]

Polls the daemon on SOCKET every 0.2 s for each service labelled with STACK, with
the requests `compose2swarm deploy --wait` makes (src/deploy_wait.c):
  GET /services/ID
  GET /tasks?filters={"_up-to-date":{"true":true},"service":{"ID":true}}
  GET /tasks?filters={"service":{"ID":true}}
and keeps a frame per service each time the states in those answers change
(the update state, each task's state and desired state), the answers whole, as
the daemon sent them. UNTIL says when to stop:
  settled      nothing changed for 6 s (every service converged or stuck)
  rollback     a service's UpdateStatus.State is rollback_completed
  paused       a service's UpdateStatus.State is paused
  failing      a service has 4 failed tasks
  seconds:N    after N seconds
OUT gets {"stack": STACK, "services": {NAME: [frame...]}, "tasks": {KEY: task}},
NAME without the stack's prefix, a frame being {"service": ..., "tasks": [KEY...],
"tasks_all": [KEY...]}: each task object the daemon sent is kept once, under
KEY = "ID@Version.Index" (a task whose version is the same is the same object).
Run by scripts/record-wait-states.sh; tests/deploy/waitd.py replays OUT.
"""
import http.client
import json
import socket
import sys
import time
import urllib.parse

LABEL = "com.docker.stack.namespace"


class Conn(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=30)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def get(sock, path, filters=None):
    if filters is not None:
        path += "?filters=" + urllib.parse.quote(json.dumps(filters, separators=(",", ":")))
    c = Conn(sock)
    c.request("GET", path)
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status != 200:
        raise RuntimeError("GET %s: %d %s" % (path, r.status, data[:200]))
    return json.loads(data)


def signature(frame):
    us = frame["service"].get("UpdateStatus") or {}
    def tasks(ts):
        return sorted((t["ID"], t["Status"]["State"], t.get("DesiredState", "")) for t in ts)
    return json.dumps([us.get("State"), us.get("Message"), tasks(frame["tasks"]), tasks(frame["tasks_all"])])


def main():
    sock, stack, until, out = sys.argv[1:5]
    max_s = float(sys.argv[5]) if len(sys.argv) > 5 else 180
    start = time.time()
    last_change = start
    frames, last = {}, {}
    reason = "timeout"
    while True:
        now = time.time()
        svcs = get(sock, "/services", {"label": {"%s=%s" % (LABEL, stack): True}})
        done = False
        for s in svcs:
            sid = s["ID"]
            name = s["Spec"]["Name"]
            short = name[len(stack) + 1:] if name.startswith(stack + "_") else name
            frame = {
                "service": get(sock, "/services/" + sid),
                "tasks": get(sock, "/tasks", {"_up-to-date": {"true": True}, "service": {sid: True}}),
                "tasks_all": get(sock, "/tasks", {"service": {sid: True}}),
            }
            sig = signature(frame)
            if last.get(short) != sig:
                last[short] = sig
                frames.setdefault(short, []).append(frame)
                last_change = now
            state = (frame["service"].get("UpdateStatus") or {}).get("State")
            if until == "rollback" and state == "rollback_completed":
                done = True
            elif until == "paused" and state == "paused":
                done = True
            elif until == "failing" and sum(t["Status"]["State"] == "failed" for t in frame["tasks_all"]) >= 4:
                done = True
        if until == "settled" and frames and now - last_change >= 6:
            done = True
        if until.startswith("seconds:") and now - start >= float(until[8:]):
            done = True
        if done:
            reason = until
            break
        if now - start >= max_s:
            break
        time.sleep(0.2)
    table = {}
    def keys(ts):
        out = []
        for t in ts:
            k = "%s@%d" % (t["ID"], t["Version"]["Index"])
            table[k] = t
            out.append(k)
        return out
    for fl in frames.values():
        for fr in fl:
            fr["tasks"] = keys(fr["tasks"])
            fr["tasks_all"] = keys(fr["tasks_all"])
    with open(out, "w") as f:
        json.dump({"stack": stack, "until": until, "services": frames, "tasks": table}, f, sort_keys=True,
                  separators=(",", ":"))
        f.write("\n")
    n = sum(len(v) for v in frames.values())
    print("%s: %d frames in %.0f s (%s)" % (out, n, time.time() - start, reason))
    return 0 if reason == until else 1


if __name__ == "__main__":
    sys.exit(main())
