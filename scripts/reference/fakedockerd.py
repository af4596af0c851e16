#!/usr/bin/env python3
# The team's reference fake Engine API (the oracle for request bytes), kept in the
# tree so tests/golden/regen.sh and the Engine API tests work from a fresh clone.
# Changed from the team's copy in one place: the buffered response (Handler.wbufsize).
"""fakedockerd.py - a tiny fake Docker Engine API server on a UNIX socket.

It answers just enough of the Engine API for the real Docker CLI to run
`docker stack deploy` against it as if it were a swarm manager, and records
every request (method, path, query, headers, JSON body, response) to a JSONL
file.  Standard library only; listens on a UNIX socket only (never TCP).

Usage:
    python3 fakedockerd.py --socket /tmp/x/docker.sock --log /tmp/x/requests.jsonl
    DOCKER_HOST=unix:///tmp/x/docker.sock docker stack deploy --resolve-image never -c compose.yml stack

Exits cleanly (removes the socket, closes the log) on SIGTERM or SIGINT.
It prints "READY <socket>" on stdout once it accepts connections.

The state (networks, secrets, configs, services) lives in memory, so a second
deploy against the same running server exercises the *update* paths.
"""

import argparse
import base64
import hashlib
import http.server
import itertools
import json
import os
import re
import signal
import socketserver
import stat
import sys
import threading
import time
import urllib.parse

ENGINE_VERSION = "28.2.2"
DEFAULT_API_VERSION = "1.50"  # what a 28.2.x engine (and the 28.2.2 CLI) speak
MIN_API_VERSION = "1.24"
NODE_ID = "fakenode0000000000000000a"
SWARM_ID = "fakeswarm000000000000000a"

VERSIONED = re.compile(r"^/v(\d+\.\d+)(/.*)$")


class Terminate(Exception):
    """Raised from the signal handler to leave serve_forever()."""


def now_rfc3339():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%09dZ" % int((t % 1) * 1e9)


class State:
    """In-memory swarm objects, shared by all handler threads."""

    def __init__(self, missing):
        self.lock = threading.Lock()
        self.counter = itertools.count(1)
        self.version = itertools.count(10)
        # names that must look absent even when the CLI expects them to exist
        # (external networks / secrets / configs), e.g. {"network": {"foo"}}
        self.missing = missing
        self.networks = {}
        self.secrets = {}
        self.configs = {}
        self.services = {}
        for name, driver, scope in (("ingress", "overlay", "swarm"),
                                    ("bridge", "bridge", "local"),
                                    ("host", "host", "local"),
                                    ("none", "null", "local")):
            self._add_network(name, {"Driver": driver, "Ingress": name == "ingress"}, scope)

    def new_id(self, kind, name=""):
        """Deterministic fake ID derived from kind and name, so references
        such as SecretID/ConfigID in service specs are stable between runs
        (the CLI creates objects in Go map order, which varies)."""
        used = set(self.networks) | set(self.secrets) | set(self.configs) | set(self.services)
        seed = "%s/%s" % (kind, name)
        while True:
            h = hashlib.sha256(seed.encode()).hexdigest()
            # networks use 64-hex IDs, swarm objects 25-char IDs
            oid = h if kind == "network" else h[:25]
            if oid not in used:
                return oid
            seed = "%s/%s/%d" % (kind, name, next(self.counter))

    def _add_network(self, name, body, scope="swarm"):
        nid = self.new_id("network", name)
        ts = now_rfc3339()
        net = {
            "Name": name,
            "Id": nid,
            "Created": ts,
            "Scope": scope,
            "Driver": body.get("Driver") or "overlay",
            "EnableIPv4": True,
            "EnableIPv6": bool(body.get("EnableIPv6")),
            "IPAM": body.get("IPAM") or {"Driver": "default", "Options": None, "Config": []},
            "Internal": bool(body.get("Internal")),
            "Attachable": bool(body.get("Attachable")),
            "Ingress": bool(body.get("Ingress")),
            "ConfigFrom": body.get("ConfigFrom") or {"Network": ""},
            "ConfigOnly": bool(body.get("ConfigOnly")),
            "Containers": {},
            "Options": body.get("Options") or {},
            "Labels": body.get("Labels") or {},
            "Peers": [],
        }
        self.networks[nid] = net
        return net

    def new_object(self, kind, spec):
        oid = self.new_id(kind, spec.get("Name", ""))
        ts = now_rfc3339()
        obj = {"ID": oid, "Version": {"Index": next(self.version)},
               "CreatedAt": ts, "UpdatedAt": ts, "Spec": spec}
        return obj


# ---------------------------------------------------------------- filters ---

def parse_filters(query):
    """Decode the `filters` query parameter into {key: [values]}."""
    raw = query.get("filters", [None])[0]
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    out = {}
    for key, val in (data or {}).items():
        if isinstance(val, dict):
            out[key] = [k for k, v in val.items() if v]
        elif isinstance(val, list):
            out[key] = list(val)
        else:
            out[key] = [str(val)]
    return out


def label_match(labels, wanted):
    labels = labels or {}
    for item in wanted:
        if "=" in item:
            k, v = item.split("=", 1)
            if labels.get(k) != v:
                return False
        elif item not in labels:
            return False
    return True


def match_obj(filters, name, oid, labels, name_mode="prefix", extra=None):
    for key, values in filters.items():
        if not values:
            continue
        if key == "label":
            if not label_match(labels, values):
                return False
        elif key == "name":
            if name_mode == "prefix":
                ok = any(name.startswith(v) for v in values)
            else:  # networks: substring match, like the engine
                ok = any(v in name for v in values)
            if not ok:
                return False
        elif key == "id":
            if not any(oid.startswith(v) for v in values):
                return False
        elif extra and key in extra:
            if extra[key] not in values:
                return False
    return True


# ---------------------------------------------------------------- handler ---

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Docker/" + ENGINE_VERSION
    sys_version = "(linux)"
    # A buffered response: BaseHTTPRequestHandler flushes it after dispatch()
    # returns, so each request's log record is written before its client can
    # see the answer. Unbuffered, a client could exit and a test read the log
    # before the last record was there (a race tests/cli/plan-live.sh lost on
    # a loaded CI machine).
    wbufsize = -1

    # BaseHTTPRequestHandler assumes an (addr, port) client address.
    def address_string(self):
        return "unix"

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("fakedockerd: %s\n" % (fmt % args))

    # every method goes through one dispatcher
    def do_GET(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    # ------------------------------------------------------------ plumbing
    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                line = self.rfile.readline().strip()
                size = int(line.split(b";")[0] or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send(self, status, payload=None, ctype="application/json", extra=None):
        if payload is None:
            data = b""
        elif isinstance(payload, (bytes, str)):
            data = payload.encode() if isinstance(payload, str) else payload
        else:
            data = (json.dumps(payload) + "\n").encode()
        self.send_response(status)
        srv = self.server
        self.send_header("Api-Version", srv.api_version)
        self.send_header("Docker-Experimental", "false")
        self.send_header("Ostype", "linux")
        if data or self.command != "HEAD":
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(0 if self.command == "HEAD" else len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD" and data:
            self.wfile.write(data)
        self._resp = (status, payload if not isinstance(payload, bytes) else None)

    def err(self, status, message):
        self.send(status, {"message": message})

    def dispatch(self):
        self._resp = (None, None)
        raw = self.read_body()
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        m = VERSIONED.match(url.path)
        api_version, endpoint = (m.group(1), m.group(2)) if m else (None, url.path)
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = {"_raw": raw.decode("utf-8", "replace")}
        self._ctx = {"query": query, "body": body, "endpoint": endpoint}
        handled = True
        try:
            handled = self.route(self.command, endpoint, query, body)
            if not handled:
                self.err(404, "page not found (fakedockerd: unhandled %s %s)" % (self.command, endpoint))
        except Exception as exc:  # keep serving, but make the failure visible
            handled = False
            if self._resp[0] is None:
                self.err(500, "fakedockerd internal error: %r" % (exc,))
            sys.stderr.write("fakedockerd: error on %s %s: %r\n" % (self.command, self.path, exc))
        rec = {
            "seq": next(self.server.seq),
            "time": now_rfc3339(),
            "method": self.command,
            "path": url.path,
            "api_version": api_version,
            "endpoint": endpoint,
            "query": query,
            "filters": parse_filters(query) or None,
            "headers": {k: v for k, v in self.headers.items()},
            "body": body,
            "status": self._resp[0],
            "response": self._resp[1],
            "handled": handled,
        }
        self.server.write_log(rec)

    # -------------------------------------------------------------- routes
    def route(self, method, ep, query, body):
        st = self.server.state
        parts = [p for p in ep.split("/") if p]
        if not parts:
            return False
        head = parts[0]

        if ep == "/_ping" and method in ("GET", "HEAD"):
            self.send(200, "OK", ctype="text/plain; charset=utf-8", extra={
                "Builder-Version": "2",
                "Swarm": self.server.swarm_header,
                "Cache-Control": "no-cache, no-store, must-revalidate",
                "Pragma": "no-cache"})
            return True
        if ep == "/version" and method == "GET":
            self.send(200, self.server.version_json())
            return True
        if ep == "/info" and method == "GET":
            self.send(200, self.server.info_json())
            return True
        if ep == "/swarm" and method == "GET":
            self.send(200, self.server.swarm_json())
            return True
        if head == "nodes" and method == "GET":
            node = self.server.node_json()
            if len(parts) == 1:
                self.send(200, [node])
            elif parts[1] in (NODE_ID, "self") or NODE_ID.startswith(parts[1]):
                self.send(200, node)
            else:
                self.err(404, "node %s not found" % parts[1])
            return True
        if head == "tasks" and method == "GET" and len(parts) == 1:
            self.send(200, [])
            return True
        if head == "distribution" and method == "GET" and parts[-1] == "json":
            name = urllib.parse.unquote("/".join(parts[1:-1]))
            if not self.server.fake_digests:
                self.err(404, "fakedockerd: no registry access for %s" % name)
            else:
                digest = "sha256:" + hashlib.sha256(name.encode()).hexdigest()
                self.send(200, {"Descriptor": {
                    "mediaType": "application/vnd.oci.image.index.v1+json",
                    "digest": digest, "size": 1024},
                    "Platforms": [{"architecture": "amd64", "os": "linux"}]})
            return True

        with st.lock:
            if head == "networks":
                return self.route_networks(method, parts, query, body, st)
            if head in ("secrets", "configs"):
                return self.route_objects(head, method, parts, query, body, st)
            if head == "services":
                return self.route_services(method, parts, query, body, st)
        return False

    def route_networks(self, method, parts, query, body, st):
        if len(parts) == 1 and method == "GET":
            f = parse_filters(query)
            out = [n for n in st.networks.values()
                   if match_obj(f, n["Name"], n["Id"], n["Labels"], name_mode="substring",
                                extra={"driver": n["Driver"], "scope": n["Scope"]})]
            self.send(200, out)
            return True
        if parts[1:] == ["create"] and method == "POST":
            body = body or {}
            name = body.get("Name", "")
            if any(n["Name"] == name for n in st.networks.values()):
                self.err(409, "network with name %s already exists" % name)
                return True
            net = st._add_network(name, body, scope="swarm" if (body.get("Driver") or "overlay") == "overlay" else "local")
            self.send(201, {"Id": net["Id"], "Warning": ""})
            return True
        if len(parts) == 2:
            key = urllib.parse.unquote(parts[1])
            net = self.find(st.networks, key, "Name", "Id")
            if method == "GET":
                if net is None and key not in st.missing.get("network", set()):
                    # an external network the stack refers to: pretend it exists
                    net = st._add_network(key, {"Driver": "overlay", "Attachable": True}, scope="swarm")
                    net["Labels"] = {}
                if net is None:
                    self.err(404, "network %s not found" % key)
                else:
                    self.send(200, net)
                return True
            if method == "DELETE":
                if net is None:
                    self.err(404, "network %s not found" % key)
                else:
                    del st.networks[net["Id"]]
                    self.send(204)
                return True
        return False

    @staticmethod
    def find(table, key, name_field, id_field):
        for obj in table.values():
            if obj[id_field] == key or (name_field and obj.get(name_field) == key):
                return obj
        hits = [o for o in table.values() if o[id_field].startswith(key)]
        return hits[0] if len(hits) == 1 else None

    @staticmethod
    def find_spec(table, key):
        for obj in table.values():
            if obj["ID"] == key or obj["Spec"].get("Name") == key:
                return obj
        hits = [o for o in table.values() if o["ID"].startswith(key)]
        return hits[0] if len(hits) == 1 else None

    def route_objects(self, kind, method, parts, query, body, st):
        table = st.secrets if kind == "secrets" else st.configs
        single = kind[:-1]
        if len(parts) == 1 and method == "GET":
            f = parse_filters(query)
            out = [o for o in table.values()
                   if match_obj(f, o["Spec"].get("Name", ""), o["ID"], o["Spec"].get("Labels"))]
            # The CLI looks up secrets/configs referenced by services by exact
            # name.  Names it asks for that we do not know are external ones:
            # pretend they exist (unless --missing says otherwise).
            for name in f.get("name", []):
                if any(o["Spec"].get("Name") == name for o in table.values()):
                    continue
                if name in st.missing.get(single, set()):
                    continue
                obj = st.new_object(single, {"Name": name, "Labels": {}})
                obj["Fabricated"] = True  # marker only; the CLI ignores unknown fields
                table[obj["ID"]] = obj
                out.append(obj)
            self.send(200, out)
            return True
        if parts[1:] == ["create"] and method == "POST":
            spec = body or {}
            name = spec.get("Name", "")
            if any(o["Spec"].get("Name") == name for o in table.values()):
                self.err(409, "%s %s already exists" % (single, name))
                return True
            obj = st.new_object(single, spec)
            table[obj["ID"]] = obj
            self.send(201, {"ID": obj["ID"]})
            return True
        if len(parts) >= 2:
            key = urllib.parse.unquote(parts[1])
            obj = self.find_spec(table, key)
            if obj is None:
                self.err(404, "%s %s not found" % (single, key))
                return True
            if len(parts) == 2 and method == "GET":
                self.send(200, obj)
                return True
            if len(parts) == 2 and method == "DELETE":
                del table[obj["ID"]]
                self.send(204)
                return True
            if parts[2:] == ["update"] and method == "POST":
                obj["Spec"] = body or {}
                obj["Version"] = {"Index": next(st.version)}
                obj["UpdatedAt"] = now_rfc3339()
                self.send(200)
                return True
        return False

    def route_services(self, method, parts, query, body, st):
        if len(parts) == 1 and method == "GET":
            f = parse_filters(query)
            out = [s for s in st.services.values()
                   if match_obj(f, s["Spec"].get("Name", ""), s["ID"], s["Spec"].get("Labels"),
                                extra={"mode": "global" if "Global" in (s["Spec"].get("Mode") or {}) else "replicated"})]
            self.send(200, out)
            return True
        if parts[1:] == ["create"] and method == "POST":
            spec = body or {}
            name = spec.get("Name", "")
            if any(s["Spec"].get("Name") == name for s in st.services.values()):
                self.err(409, "rpc error: code = AlreadyExists desc = name conflicts with an existing object")
                return True
            svc = st.new_object("service", spec)
            svc["Endpoint"] = {"Spec": spec.get("EndpointSpec") or {"Mode": "vip"}}
            st.services[svc["ID"]] = svc
            self.send(201, {"ID": svc["ID"]})
            return True
        if len(parts) >= 2:
            key = urllib.parse.unquote(parts[1])
            svc = self.find_spec(st.services, key)
            if svc is None:
                self.err(404, "service %s not found" % key)
                return True
            if len(parts) == 2 and method == "GET":
                self.send(200, svc)
                return True
            if len(parts) == 2 and method == "DELETE":
                del st.services[svc["ID"]]
                self.send(200)
                return True
            if parts[2:] == ["update"] and method == "POST":
                svc["PreviousSpec"] = svc["Spec"]
                svc["Spec"] = body or {}
                svc["Version"] = {"Index": next(st.version)}
                svc["UpdatedAt"] = now_rfc3339()
                self.send(200, {"Warnings": None})
                return True
            if parts[2:] == ["logs"]:
                self.err(501, "fakedockerd: logs not supported")
                return True
        return False


# ----------------------------------------------------------------- server ---

class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = False
    request_queue_size = 64

    def __init__(self, path, log_path, args):
        self.api_version = args.api_version
        self.swarm_header = args.swarm
        self.fake_digests = args.fake_digests
        self.verbose = args.verbose
        missing = {}
        for item in args.missing:
            kind, _, name = item.partition(":")
            missing.setdefault(kind, set()).add(name)
        self.state = State(missing)
        self.seq = itertools.count(1)
        self.log_lock = threading.Lock()
        self.log_fh = open(log_path, "a", encoding="utf-8")
        super().__init__(path, Handler)

    def write_log(self, rec):
        line = json.dumps(rec, sort_keys=False)
        with self.log_lock:
            self.log_fh.write(line + "\n")
            self.log_fh.flush()

    def version_json(self):
        return {
            "Platform": {"Name": "Docker Engine - Community (fakedockerd)"},
            "Components": [{"Name": "Engine", "Version": ENGINE_VERSION,
                            "Details": {"ApiVersion": self.api_version, "MinAPIVersion": MIN_API_VERSION,
                                        "Os": "linux", "Arch": "amd64", "Experimental": "false"}}],
            "Version": ENGINE_VERSION, "ApiVersion": self.api_version, "MinAPIVersion": MIN_API_VERSION,
            "GitCommit": "fakedockerd", "GoVersion": "go1.24.3", "Os": "linux", "Arch": "amd64",
            "KernelVersion": os.uname().release, "Experimental": False, "BuildTime": "2025-05-30T12:07:14.000000000+00:00",
        }

    def swarm_json(self):
        ts = now_rfc3339()
        return {"ID": SWARM_ID, "Version": {"Index": 10}, "CreatedAt": ts, "UpdatedAt": ts,
                "Spec": {"Name": "default", "Labels": {}, "Orchestration": {"TaskHistoryRetentionLimit": 5},
                         "Raft": {"SnapshotInterval": 10000, "KeepOldSnapshots": 0, "LogEntriesForSlowFollowers": 500,
                                  "ElectionTick": 10, "HeartbeatTick": 1},
                         "Dispatcher": {"HeartbeatPeriod": 5000000000},
                         "CAConfig": {"NodeCertExpiry": 7776000000000000},
                         "TaskDefaults": {}, "EncryptionConfig": {"AutoLockManagers": False}},
                "TLSInfo": {}, "RootRotationInProgress": False, "DefaultAddrPool": ["10.0.0.0/8"],
                "SubnetSize": 24, "DataPathPort": 4789,
                "JoinTokens": {"Worker": "SWMTKN-1-fake", "Manager": "SWMTKN-1-fake"}}

    def node_json(self):
        ts = now_rfc3339()
        return {"ID": NODE_ID, "Version": {"Index": 9}, "CreatedAt": ts, "UpdatedAt": ts,
                "Spec": {"Labels": {}, "Role": "manager", "Availability": "active"},
                "Description": {"Hostname": "fakedockerd", "Platform": {"Architecture": "x86_64", "OS": "linux"},
                                "Resources": {"NanoCPUs": 16000000000, "MemoryBytes": 137438953472},
                                "Engine": {"EngineVersion": ENGINE_VERSION}},
                "Status": {"State": "ready", "Addr": "127.0.0.1"},
                "ManagerStatus": {"Leader": True, "Reachability": "reachable", "Addr": "127.0.0.1:2377"}}

    def info_json(self):
        active = self.swarm_header.startswith("active")
        manager = self.swarm_header.endswith("manager")
        st = self.state
        return {
            "ID": "FAKE:DOCKERD", "Containers": 0, "ContainersRunning": 0, "ContainersPaused": 0,
            "ContainersStopped": 0, "Images": 0, "Driver": "overlay2", "DriverStatus": [],
            "Plugins": {"Volume": ["local"], "Network": ["bridge", "host", "ipvlan", "macvlan", "null", "overlay"],
                        "Authorization": None, "Log": ["json-file", "local", "journald", "syslog"]},
            "MemoryLimit": True, "SwapLimit": True, "CpuCfsPeriod": True, "CpuCfsQuota": True,
            "CPUShares": True, "CPUSet": True, "PidsLimit": True, "IPv4Forwarding": True,
            "Debug": False, "NFd": 20, "OomKillDisable": False, "NGoroutines": 40,
            "SystemTime": now_rfc3339(), "LoggingDriver": "json-file", "CgroupDriver": "systemd",
            "CgroupVersion": "2", "NEventsListener": 0, "KernelVersion": os.uname().release,
            "OperatingSystem": "fakedockerd", "OSVersion": "", "OSType": "linux", "Architecture": "x86_64",
            "IndexServerAddress": "https://index.docker.io/v1/", "RegistryConfig": {
                "IndexConfigs": {}, "InsecureRegistryCIDRs": ["127.0.0.0/8"], "Mirrors": []},
            "NCPU": 16, "MemTotal": 137438953472, "GenericResources": None, "DockerRootDir": "/var/lib/docker",
            "HttpProxy": "", "HttpsProxy": "", "NoProxy": "", "Name": "fakedockerd", "Labels": [],
            "ExperimentalBuild": False, "ServerVersion": ENGINE_VERSION,
            "Runtimes": {"runc": {"path": "runc"}}, "DefaultRuntime": "runc",
            "Swarm": {
                "NodeID": NODE_ID if active else "", "NodeAddr": "127.0.0.1" if active else "",
                "LocalNodeState": "active" if active else "inactive",
                "ControlAvailable": bool(active and manager), "Error": "",
                "RemoteManagers": [{"NodeID": NODE_ID, "Addr": "127.0.0.1:2377"}] if active else None,
                "Nodes": 1 if active else 0, "Managers": 1 if (active and manager) else 0,
                "Cluster": self.swarm_json() if (active and manager) else None,
            },
            "LiveRestoreEnabled": False, "Isolation": "", "InitBinary": "docker-init",
            "ContainerdCommit": {"ID": "fake"}, "RuncCommit": {"ID": "fake"}, "InitCommit": {"ID": "fake"},
            "SecurityOptions": ["name=seccomp,profile=builtin", "name=cgroupns"],
            "Warnings": None,
            "_fakedockerd": {"networks": len(st.networks), "secrets": len(st.secrets),
                             "configs": len(st.configs), "services": len(st.services)},
        }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--socket", required=True, help="UNIX socket path to listen on")
    ap.add_argument("--log", required=True, help="JSONL file to append one record per request to")
    ap.add_argument("--api-version", default=DEFAULT_API_VERSION,
                    help="API version advertised by /_ping (default %(default)s)")
    ap.add_argument("--swarm", default="active/manager",
                    choices=["active/manager", "active/worker", "inactive"],
                    help="swarm state advertised by /_ping and /info (default %(default)s)")
    ap.add_argument("--missing", action="append", default=[], metavar="KIND:NAME",
                    help="make an external network/secret/config look absent, e.g. network:frontend "
                         "(repeatable; KIND is network, secret or config)")
    ap.add_argument("--fake-digests", action="store_true",
                    help="answer GET /distribution/<image>/json with a fake digest instead of 404")
    ap.add_argument("--verbose", action="store_true", help="log each request line to stderr")
    args = ap.parse_args(argv)

    path = args.socket
    try:
        if stat.S_ISSOCK(os.lstat(path).st_mode):
            os.unlink(path)  # stale socket from an earlier run
    except FileNotFoundError:
        pass

    old_umask = os.umask(0o177)  # socket is created 0600
    try:
        server = Server(path, args.log, args)
    finally:
        os.umask(old_umask)

    def on_signal(signum, frame):
        raise Terminate(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    print("READY %s" % path, flush=True)
    code = 0
    try:
        server.serve_forever(poll_interval=0.2)
    except Terminate:
        pass
    except Exception as exc:  # pragma: no cover
        sys.stderr.write("fakedockerd: fatal: %r\n" % (exc,))
        code = 1
    finally:
        server.server_close()
        try:
            os.unlink(path)
        except OSError:
            pass
        server.log_fh.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
