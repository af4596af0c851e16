#!/usr/bin/env python3
"""waitd.py -- scripts/reference/fakedockerd.py, with the answers a real dockerd gave while a stack converged replayed to `deploy --wait`.

Usage: waitd.py --replay tests/deploy/wait/CASE.json [fakedockerd.py's arguments]

CASE.json was recorded from a real swarm by scripts/record-wait-states.sh: for
each service of the stack (by its name without the stack's prefix), the frames
in which what the daemon answered changed. Deploys go to the fake engine as
always; then each GET /services/ID of a replayed service (one look of the wait,
src/deploy_wait.c) moves that service to its next frame (the last one stays)
and answers the recorded service, and GET /tasks?filters={"service":...}
answers the frame's tasks: those of the current spec when the filter has
_up-to-date, else all of them. IDs are the fake's own (the recorded service's
ID and its tasks' ServiceID are rewritten to the one the deploy was given);
everything else is the daemon's, byte for byte as parsed.
"""
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "reference"))
import fakedockerd  # noqa: E402

REPLAY = {"services": {}, "tasks": {}}
CURSOR = {}  # service name -> index of the frame the last look got


def replayed(svc):
    """The recorded frames of a fake service, or None."""
    labels = svc["Spec"].get("Labels") or {}
    stack = labels.get("com.docker.stack.namespace", "")
    name = svc["Spec"].get("Name", "")
    short = name[len(stack) + 1:] if stack and name.startswith(stack + "_") else name
    frames = REPLAY["services"].get(short)
    return (short, frames) if frames else (None, None)


def retarget(obj, sid):
    obj = json.loads(json.dumps(obj))
    if "ServiceID" in obj:
        obj["ServiceID"] = sid
    else:
        obj["ID"] = sid
    return obj


class Handler(fakedockerd.Handler):
    def route(self, method, ep, query, body):
        parts = [p for p in ep.split("/") if p]
        st = self.server.state
        if method == "GET" and len(parts) == 2 and parts[0] == "services":
            with st.lock:
                svc = self.find_spec(st.services, urllib.parse.unquote(parts[1]))
            short, frames = replayed(svc) if svc else (None, None)
            if frames:
                i = CURSOR.get(short, -1) + 1
                CURSOR[short] = min(i, len(frames) - 1)
                self.send(200, retarget(frames[CURSOR[short]]["service"], svc["ID"]))
                return True
        if method == "GET" and parts == ["tasks"]:
            f = fakedockerd.parse_filters(query)
            ids = f.get("service", [])
            with st.lock:
                svcs = [self.find_spec(st.services, i) for i in ids]
            # only the services the wait has looked at: before, the deploy's own
            # reading of tasks (the plan's) gets the fake's answer
            looked = [(svc, replayed(svc)) for svc in svcs if svc and replayed(svc)[0] in CURSOR]
            if looked:
                out = []
                for svc, (short, frames) in looked:
                    frame = frames[CURSOR[short]]
                    keys = frame["tasks"] if "_up-to-date" in f else frame["tasks_all"]
                    out.extend(retarget(REPLAY["tasks"][k], svc["ID"]) for k in keys)
                self.send(200, out)
                return True
        return super().route(method, ep, query, body)


def main():
    argv = sys.argv[1:]
    if len(argv) < 2 or argv[0] != "--replay":
        sys.stderr.write("usage: waitd.py --replay CASE.json [fakedockerd arguments]\n")
        return 2
    with open(argv[1]) as f:
        REPLAY.update(json.load(f))
    fakedockerd.Handler = Handler
    return fakedockerd.main(argv[2:])


if __name__ == "__main__":
    sys.exit(main())
