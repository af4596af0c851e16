#!/usr/bin/env python3
"""compose-gen.py -- generated Compose files through lint, convert and --fix:
no crash, no sanitizer report, no hang, and verdicts that agree (issues 12, 18).

Each case is a compose file (sometimes two, merged as `-c a -c b`) built from
the v3 schema's keys with edge values (durations, sizes, ports, image
references, casts, wrong types, nulls), anchors and merge keys, and
interpolation with a random environment. For each case, under a sanitizer
build (`./configure --enable-sanitizers`), it runs:

  lint --fail-on error --format json, convert --to yaml, convert --to api,
  and lint --fix on a copy,

each with a timeout, and checks:
  - exit status in {0, 1, 2} (CLI.md), no AddressSanitizer/UBSan report,
    no timeout;
  - what convert refuses (exit 1), lint reports as an error (exit 1);
    a limit (exit 2) is a limit for both; what --to yaml refuses, --to api
    refuses too;
  - what lint --fix rewrote still reads: convert on it does not crash.

`--docker N` also asks `docker stack config` about N of the cases and
reports where its verdict (and bytes) differ from convert's: the judge of
who is right.

  scripts/compose-gen.py --bin BUILD/compose2swarm -n 2000 --seed 1 [--docker 200]

Failing cases are kept in --out (default /tmp/c2s-gen/fail) with a note.
"""
import argparse
import concurrent.futures
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

class V(list):
    """A value class: its first `good` entries are values docker accepts."""

    def __init__(self, good, edge):
        super().__init__(good + edge)
        self.good = good


EDGE = 0.12  # how often a value is an edge case rather than a good one (--edge)


# ---- edge values by class ----
DUR = V(["10s", "1m30s", "0s", "1.5h", ".5s", "12\u00b5s"],
        ["0", "-1s", "1d", "5", "", "1h1x", "2562047h47m16.854775808s", "9223372036854775807ns", "1e3s",
         "3000000h", "+5s", "1s ", "-0"])
SIZE = V(["512m", "1g", "1.5G", "32 kb", "32Kib", "32.3 mb"], ["0", "-1", "1e3", "x", "", "8192P", "1 ", "0x10"])
CPU = V(["0.5", "2", "0.25"], ["0", "-1", "1/3", "1e10", "abc", "0.000000001", "1_0", "0x10", "1e-10"])
PORT = V(["80", "8080:80", "8080:80/udp", "9000-9001:9000-9001", "127.0.0.1:53:53/udp"], ["0", "65536", "1-2-3", "9000-9001:9000-9001", "9000-9002:80-81",
        "127.0.0.1:53:53/udp", "[::1]:80:80", "a:80", "80/sctp", "80/tcpx", "::::80", "80-", ":80",
        "192.168.1.100:-1:-1", "1234-1230"])
IMAGE = V(["nginx", "nginx:1.27", "docker.io/library/nginx", "${IMG:-busybox}"], ["UPPER", "nginx:", "a:b:c", "-a", "x y", "",
         "localhost:5000/app@sha256:" + "a" * 64, "nginx@sha256:" + "a" * 63, "[::1]:5000/x", "foo:-bar",
         "a" * 256, "${IMG}"])
INTS = V(["0", "1", "3", "${N:-2}"], ["-1", "1.0", "1.5", "1e3", "9223372036854775807", "9223372036854775808",
        "18446744073709551616", "0x10", "0o7", "\"3\"", "true", "null", "~", ".inf", ".nan", "${N}"])
BOOLS = V(["true", "false"], ["yes", "no", "on", "off", "\"true\"", "1", "0", "null", "${B}", "y", "True"])
STRS = V(["x", "\"a b\"", "\"$$HOME\"", "${S:-d}"], ["\"\"", "''", "null", "1", "true", "2001-01-01", "[a, b]", "{a: 1}", "\"$$HOME\"", "${S}",
        "${S:-d}", "${S?need S}", "${S:?}", "$${x}", "${", "${S:-${T}}", "\"a\\tb\"", "'it''s'", "\"\\u00e9\"",
        "|\n        block\n        text", ">-\n        folded"])
ENV = V(["A=1", "A", "A=${S}", "A=$$x"], ["=x", "A B=1", "PATH=/x"])
MODES = V(["replicated", "global", "replicated-job", "global-job"], ["bogus", "Global", "null"])


def pick(r, xs):
    """A V's good values but for EDGE of the time; in a plain list the first
    entry (the ordinary one) three times in four."""
    if isinstance(xs, V):
        return r.choice(xs.good) if r.random() >= EDGE else r.choice(xs)
    return xs[0] if r.random() < 0.75 else r.choice(xs)


def scalar(r, cls):
    return pick(r, cls)


def maybe_wrong(r, v):
    """Now and then a value of the wrong shape."""
    x = r.random()
    if x < 0.04:
        return "[" + v + "]" if not v.startswith(("|", ">")) else v
    if x < 0.07:
        return "{k: 1}"
    if x < 0.09:
        return "null"
    return v


def quoted(r, v):
    if r.random() < 0.3 and not v.startswith(("\"", "'", "[", "{", "|", ">")) and "\n" not in v:
        return json.dumps(v)
    return v


class Gen:
    def __init__(self, r):
        self.r = r
        self.anchors = []
        self.nets = ["front", "back"]
        self.vols = ["data", "logs"]
        self.secrets = ["s1"]
        self.configs = ["c1"]

    def ind(self, n):
        return "  " * n

    def kv(self, depth, key, val):
        if "\n" in val and not val.startswith(("|", ">")):
            return "%s%s:\n%s" % (self.ind(depth), key, val)
        return "%s%s: %s\n" % (self.ind(depth), key, val)

    def block(self, depth, key, lines):
        return "%s%s:\n%s" % (self.ind(depth), key, "".join(lines))

    def seq(self, depth, key, items):
        r = self.r
        if r.random() < 0.3:
            return "%s%s: [%s]\n" % (self.ind(depth), key, ", ".join(json.dumps(i) if r.random() < 0.5 else i
                                                                       for i in items if "\n" not in i))
        return "%s%s:\n%s" % (self.ind(depth), key, "".join("%s- %s\n" % (self.ind(depth + 1), i)
                                                             for i in items if "\n" not in i))

    # ---- service keys ----
    def healthcheck(self, d):
        r = self.r
        ls = []
        if r.random() < 0.8:
            t = pick(r, ['["CMD", "true"]', '["CMD-SHELL", "curl -f http://x || exit 1"]', '"true"', '["NONE"]',
                         "[]", "x", "null", '["BOGUS"]'])
            ls.append(self.kv(d + 1, "test", t))
        for k in ("interval", "timeout", "start_period", "start_interval"):
            if r.random() < 0.4:
                ls.append(self.kv(d + 1, k, quoted(r, maybe_wrong(r, pick(r, DUR)))))
        if r.random() < 0.3:
            ls.append(self.kv(d + 1, "retries", maybe_wrong(r, pick(r, INTS))))
        if r.random() < 0.1:
            ls.append(self.kv(d + 1, "disable", pick(r, BOOLS)))
        return self.block(d, "healthcheck", ls)

    def deploy(self, d):
        r = self.r
        ls = []
        if r.random() < 0.5:
            ls.append(self.kv(d + 1, "mode", pick(r, MODES)))
        if r.random() < 0.5:
            ls.append(self.kv(d + 1, "replicas", maybe_wrong(r, pick(r, INTS))))
        if r.random() < 0.3:
            ls.append(self.kv(d + 1, "endpoint_mode", pick(r, ["vip", "dnsrr", "x"])))
        for key in ("update_config", "rollback_config"):
            if r.random() < 0.4:
                sub = []
                for k, vals in (("parallelism", INTS), ("delay", DUR), ("monitor", DUR),
                                ("failure_action", ["pause", "continue", "rollback", "x"]),
                                ("max_failure_ratio", ["0.5", "1", "-1", "x", "${R}", "1e400"]),
                                ("order", ["start-first", "stop-first", "x"])):
                    if r.random() < 0.4:
                        sub.append(self.kv(d + 2, k, quoted(r, pick(r, vals))))
                ls.append(self.block(d + 1, key, sub) if sub else self.kv(d + 1, key, "{}"))
        if r.random() < 0.4:
            sub = []
            for k in ("limits", "reservations"):
                if r.random() < 0.6:
                    s2 = []
                    if r.random() < 0.7:
                        s2.append(self.kv(d + 3, "cpus", quoted(r, pick(r, CPU))))
                    if r.random() < 0.7:
                        s2.append(self.kv(d + 3, "memory", quoted(r, pick(r, SIZE))))
                    if k == "limits" and r.random() < 0.2:
                        s2.append(self.kv(d + 3, "pids", pick(r, INTS)))
                    if k == "reservations" and r.random() < 0.2:
                        s2.append(self.kv(d + 3, "generic_resources",
                                          pick(r, ["[{discrete_resource_spec: {kind: gpu, value: 2}}]", "[]", "x"])))
                    sub.append(self.block(d + 2, k, s2) if s2 else self.kv(d + 2, k, "{}"))
            ls.append(self.block(d + 1, "resources", sub) if sub else self.kv(d + 1, "resources", "null"))
        if r.random() < 0.3:
            sub = []
            for k, vals in (("condition", ["none", "on-failure", "any", "always", "x"]), ("delay", DUR),
                            ("max_attempts", INTS), ("window", DUR)):
                if r.random() < 0.5:
                    sub.append(self.kv(d + 2, k, quoted(r, pick(r, vals))))
            ls.append(self.block(d + 1, "restart_policy", sub) if sub else self.kv(d + 1, "restart_policy", "{}"))
        if r.random() < 0.3:
            sub = []
            if r.random() < 0.6:
                sub.append(self.seq(d + 2, "constraints", [pick(r, ["node.role == manager", "node.role==worker",
                                                                     "node.labels.x != y", "bogus", "",
                                                                     "engine.labels.a == b", "node.id = x"])
                                                            for _ in range(r.randint(0, 3))]))
            if r.random() < 0.4:
                sub.append(self.seq(d + 2, "preferences", ["{spread: node.labels.zone}",
                                                            pick(r, ["{spread: x}", "{other: y}", "x"])]))
            if r.random() < 0.3:
                sub.append(self.kv(d + 2, "max_replicas_per_node", pick(r, INTS)))
            ls.append(self.block(d + 1, "placement", sub) if sub else self.kv(d + 1, "placement", "{}"))
        if r.random() < 0.2:
            ls.append(self.block(d + 1, "labels", [self.kv(d + 2, pick(r, ["a", "b.c", "com.docker.stack.x", "1"]),
                                                           pick(r, STRS)) for _ in range(r.randint(1, 3))]))
        if r.random() < 0.05:
            ls.append(self.kv(d + 1, pick(r, ["bogus", "x-ext", "resources"]), "1"))
        return self.block(d, "deploy", ls) if ls else self.kv(d, "deploy", "{}")

    def ports(self, d):
        r = self.r
        if r.random() < 0.7:
            return self.seq(d, "ports", [quoted(r, pick(r, PORT)) if r.random() < 0.8 else pick(r, INTS)
                                         for _ in range(r.randint(1, 3))])
        items = []
        for _ in range(r.randint(1, 2)):
            sub = ["%s- target: %s\n" % (self.ind(d + 1), pick(r, INTS))]
            for k, vals in (("published", INTS + ["\"8080\"", "8080-8081"]), ("protocol", ["tcp", "udp", "UDP", "x"]),
                            ("mode", ["ingress", "host", "x"]), ("host_ip", ["127.0.0.1", "x"])):
                if r.random() < 0.4:
                    sub.append("%s  %s: %s\n" % (self.ind(d + 1), k, pick(r, vals)))
            items.append("".join(sub))
        return "%sports:\n%s" % (self.ind(d), "".join(items))

    def volumes(self, d):
        r = self.r
        items = []
        for _ in range(r.randint(1, 3)):
            x = r.random()
            if x < 0.5:
                items.append("%s- %s\n" % (self.ind(d + 1), quoted(r, pick(r, [
                    "data:/d", "./a:/t", "~/a:/t:ro", "/abs:/t:rw,shared", "logs:/l:nocopy", "undeclared:/u",
                    ":/t", "./a:/t:ro:x", "C:\\x:/t", "/t", "data:/d:z", "a::b", "${S}:/s"]))))
            else:
                t = pick(r, ["volume", "bind", "tmpfs", "npipe", "cluster", "x"])
                sub = ["%s- type: %s\n" % (self.ind(d + 1), t), "%s  target: %s\n" % (self.ind(d + 1),
                                                                                     pick(r, ["/t", "t", "\"\""]))]
                if t != "tmpfs" or r.random() < 0.2:
                    sub.append("%s  source: %s\n" % (self.ind(d + 1), pick(r, ["data", "./a", "/abs", "\"\""])))
                if r.random() < 0.3:
                    sub.append("%s  read_only: %s\n" % (self.ind(d + 1), pick(r, BOOLS)))
                if t == "tmpfs" and r.random() < 0.6:
                    sub.append("%s  tmpfs: {size: %s}\n" % (self.ind(d + 1), pick(r, INTS + ["\"1m\""])))
                if t == "volume" and r.random() < 0.4:
                    sub.append("%s  volume: {nocopy: %s}\n" % (self.ind(d + 1), pick(r, BOOLS)))
                if t == "bind" and r.random() < 0.4:
                    sub.append("%s  bind: {propagation: %s}\n" % (self.ind(d + 1),
                                                                   pick(r, ["rprivate", "shared", "x"])))
                items.append("".join(sub))
        return "%svolumes:\n%s" % (self.ind(d), "".join(items))

    def refs(self, d, key, names):
        r = self.r
        if r.random() < 0.6:
            return self.seq(d, key, [pick(r, names + ["missing"]) for _ in range(r.randint(1, 2))])
        items = []
        for _ in range(r.randint(1, 2)):
            sub = "%s- source: %s\n" % (self.ind(d + 1), pick(r, names + ["missing"]))
            for k, vals in (("target", ["/x", "x", "t.txt", "\"\""]), ("uid", ["\"0\"", "0", "x"]),
                            ("gid", ["\"1\"", "x"]), ("mode", ["0440", "0o440", "440", "\"0440\"", "-1", "${N}"])):
                if r.random() < 0.3:
                    sub += "%s  %s: %s\n" % (self.ind(d + 1), k, pick(r, vals))
            items.append(sub)
        return "%s%s:\n%s" % (self.ind(d), key, "".join(items))

    def service(self, name, d=1):
        r = self.r
        ls = []
        if r.random() < 0.95:
            ls.append(self.kv(d + 1, "image", quoted(r, pick(r, IMAGE))))
        if self.anchors and r.random() < 0.3:
            ls.append(self.kv(d + 1, "<<", "*" + pick(r, self.anchors)))
        choices = [
            ("command", lambda: self.kv(d + 1, "command", pick(r, STRS + ['["sh", "-c", "echo $$HOME"]', "[]"]))),
            ("entrypoint", lambda: self.kv(d + 1, "entrypoint", pick(r, STRS))),
            ("environment", lambda: self.seq(d + 1, "environment", [quoted(r, pick(r, ENV))
                                                                    for _ in range(r.randint(1, 3))])
             if r.random() < 0.5 else self.block(d + 1, "environment",
                                                 [self.kv(d + 2, pick(r, ["A", "B", "C d", "1"]), pick(r, STRS))
                                                  for _ in range(r.randint(1, 3))])),
            ("env_file", lambda: self.kv(d + 1, "env_file", pick(r, ["e.env", "missing.env", "[e.env, e.env]",
                                                                     "./e.env", "null"]))),
            ("healthcheck", lambda: self.healthcheck(d + 1)),
            ("deploy", lambda: self.deploy(d + 1)),
            ("ports", lambda: self.ports(d + 1)),
            ("volumes", lambda: self.volumes(d + 1)),
            ("networks", lambda: self.seq(d + 1, "networks", [pick(r, self.nets + ["missing", "default"])])
             if r.random() < 0.6 else self.block(d + 1, "networks", [
                 self.kv(d + 2, pick(r, self.nets), pick(r, ["null", "{aliases: [a, b]}", "{ipv4_address: 1.2.3.4}",
                                                            "x", "{aliases: x}"]))])),
            ("secrets", lambda: self.refs(d + 1, "secrets", self.secrets)),
            ("configs", lambda: self.refs(d + 1, "configs", self.configs)),
            ("stop_grace_period", lambda: self.kv(d + 1, "stop_grace_period", quoted(r, pick(r, DUR)))),
            ("ulimits", lambda: self.block(d + 1, "ulimits", [
                self.kv(d + 2, pick(r, ["nofile", "nproc", "NOFILE", "core"]),
                        pick(r, INTS + ["{soft: 1, hard: 2}", "{soft: 2}", "{soft: 1.0, hard: 2}"]))])),
            ("labels", lambda: self.seq(d + 1, "labels", [pick(r, ["a=1", "b", "=x", "c=${S}"])])
             if r.random() < 0.5 else self.block(d + 1, "labels", [self.kv(d + 2, "a", pick(r, STRS))])),
            ("extra_hosts", lambda: self.seq(d + 1, "extra_hosts", [pick(r, ["h:1.2.3.4", "h=1.2.3.4", "x",
                                                                            "h:[::1]", "a:b:c"])])),
            ("dns", lambda: self.kv(d + 1, "dns", pick(r, ["8.8.8.8", "[8.8.8.8, x]", "1"]))),
            ("cap_add", lambda: self.seq(d + 1, "cap_add", [pick(r, ["NET_ADMIN", "ALL", "x", "CAP_SYS_TIME"])])),
            ("sysctls", lambda: self.block(d + 1, "sysctls", [self.kv(d + 2, "net.core.somaxconn",
                                                                      pick(r, INTS + STRS[:3]))])),
            ("logging", lambda: self.block(d + 1, "logging", [self.kv(d + 2, "driver", pick(r, ["json-file", "x"])),
                                                              self.kv(d + 2, "options",
                                                                      pick(r, ["{max-size: 10m}", "{a: 1}", "null"]))])),
            ("hostname", lambda: self.kv(d + 1, "hostname", pick(r, STRS))),
            ("user", lambda: self.kv(d + 1, "user", pick(r, ["1000", "1000:1000", "root", "0"]))),
            ("working_dir", lambda: self.kv(d + 1, "working_dir", pick(r, STRS))),
            ("read_only", lambda: self.kv(d + 1, "read_only", pick(r, BOOLS))),
            ("tty", lambda: self.kv(d + 1, "tty", pick(r, BOOLS))),
            ("init", lambda: self.kv(d + 1, "init", pick(r, BOOLS))),
            ("oom_score_adj", lambda: self.kv(d + 1, "oom_score_adj", pick(r, INTS))),
            ("shm_size", lambda: self.kv(d + 1, "shm_size", pick(r, SIZE + ["64"]))),
            ("stop_signal", lambda: self.kv(d + 1, "stop_signal", pick(r, ["SIGTERM", "x", "9"]))),
            ("build", lambda: self.kv(d + 1, "build", pick(r, [".", "{context: ., dockerfile: D}", "1"]))),
            ("depends_on", lambda: self.kv(d + 1, "depends_on", pick(r, ["[db]", "{db: {condition: service_healthy}}"]))),
            ("privileged", lambda: self.kv(d + 1, "privileged", pick(r, BOOLS))),
            ("container_name", lambda: self.kv(d + 1, "container_name", "x")),
            ("x-ext", lambda: self.kv(d + 1, "x-ext", pick(r, STRS))),
            ("bogus", lambda: self.kv(d + 1, pick(r, ["bogus", "Image", "deploy "]), "1")),
            ("isolation", lambda: self.kv(d + 1, "isolation", pick(r, ["default", "x"]))),
            ("credential_spec", lambda: self.kv(d + 1, "credential_spec", pick(r, ["{file: x.json}", "{config: c1}",
                                                                                  "{registry: r}", "x"]))),
            ("cap_drop", lambda: self.kv(d + 1, "cap_drop", "[ALL]")),
            ("tmpfs", lambda: self.kv(d + 1, "tmpfs", pick(r, ["/run", "[/run, /tmp]", "1"]))),
        ]
        for k, f in r.sample(choices, r.randint(0, 7)):
            ls.append(f())
        if r.random() < 0.02:
            ls.append(ls[-1] if ls else "")  # a key twice
        if r.random() < 0.03:
            return self.kv(d, name, pick(r, ["null", "[]", "1", "{}"]))
        return "%s%s:\n%s" % (self.ind(d), name, "".join(ls)) if ls else self.kv(d, name, "{}")

    def toplevel(self, key, names, extra):
        r = self.r
        ls = []
        for n in names:
            if r.random() < 0.8:
                sub = [self.kv(2, k, pick(r, vs)) for k, vs in extra if r.random() < 0.4]
                ls.append("  %s:\n%s" % (n, "".join(sub)) if sub else "  %s: %s\n" % (n, pick(r, ["{}", "null"])))
        return "%s:\n%s" % (key, "".join(ls)) if ls else ""

    def file(self, main=True):
        r = self.r
        out = []
        v = pick(r, V(['"3.13"', '"3.9"', None], ['"3"', '"3.0"', '"3.3"', '"3.7"', '"3.8"', "3.8", '"3.14"',
                                                  '"2.4"']))
        if v:
            out.append("version: %s\n" % v)
        if r.random() < 0.3:
            self.anchors = ["common"]
            out.append("x-common: &common\n  restart: always\n  %s\n" % pick(r, [
                "environment: {A: 1}", "deploy: {replicas: 2}", "logging: {driver: json-file}",
                "healthcheck: {test: [\"CMD\", \"true\"], interval: 10s}", "labels: [a=b]", "ports: [\"80\"]"]))
        out.append("services:\n")
        names = ["web", "db", "worker", "Web-1", "a_b", "x" * 70, "1"]
        for i in range(r.randint(1, 3)):
            out.append(self.service(names[i] if r.random() < 0.9 else pick(r, names)))
        out.append(self.toplevel("networks", self.nets, [("driver", ["overlay", "bridge", "host", "x"]),
                                                          ("external", BOOLS), ("attachable", BOOLS),
                                                          ("internal", BOOLS), ("name", ["n", "${S}"]),
                                                          ("ipam", ["{config: [{subnet: 10.0.0.0/24}]}",
                                                                    "{config: [{subnet: x}]}"]),
                                                          ("driver_opts", ["{a: 1}", "{a: null}"]),
                                                          ("labels", ["[a=b]", "{a: 1}"])]))
        out.append(self.toplevel("volumes", self.vols, [("driver", ["local", "x"]), ("external", BOOLS),
                                                         ("name", ["v", "${S}"]),
                                                         ("driver_opts", ["{type: nfs, o: addr=1.2.3.4}"])]))
        out.append(self.toplevel("secrets", self.secrets, [("file", ["./s.txt", "missing.txt", "/abs/x"]),
                                                            ("external", BOOLS), ("name", ["sec", "${S}"]),
                                                            ("template_driver", ["golang", "x"])]))
        out.append(self.toplevel("configs", self.configs, [("file", ["./s.txt", "missing.txt"]), ("external", BOOLS),
                                                            ("name", ["cfg"]), ("template_driver", ["golang"])]))
        if r.random() < 0.05:
            out.append(pick(r, ["bogus: 1\n", "x-top: [1, 2]\n", "services: {}\n"]))
        text = "".join(out)
        if r.random() < 0.05:
            text = self.mutate(text)
        return text

    def mutate(self, text):
        """A byte-level nudge: the generator's files are otherwise well-formed."""
        r = self.r
        b = bytearray(text.encode())
        for _ in range(r.randint(1, 3)):
            if not b:
                break
            i = r.randrange(len(b))
            op = r.random()
            if op < 0.3:
                del b[i]
            elif op < 0.6:
                b.insert(i, ord(pick(r, list(" :-[]{}&*!|>'\"#\t\n%@`,?"))))
            else:
                j = r.randrange(len(b))
                b[i:i] = b[j:j + r.randint(1, 20)]
        return b.decode("utf-8", "replace")


def make_case(seed):
    r = random.Random(seed)
    g = Gen(r)
    files = {"compose.yml": g.file()}
    order = ["compose.yml"]
    if r.random() < 0.25:
        g2 = Gen(r)
        files["override.yml"] = g2.file(main=False)
        order.append("override.yml")
    files["e.env"] = pick(r, ["A=1\nB=two\n", "", "A\n", "=x\n", "A=\"q\n", "\ufeffA=1\n"])
    files["s.txt"] = "secret\n"
    env = {}
    for k, vals in (("S", ["x", "", "a b", "${T}", "$$"]), ("T", ["t"]), ("N", ["3", "x", "", "-1", "1.5"]),
                    ("B", ["true", "x", "yes", ""]), ("IMG", ["alpine", "UPPER", ""]), ("R", ["0.5", "x"])):
        if r.random() < 0.6:
            env[k] = pick(r, vals)
    return files, order, env


SAN = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "SUMMARY: UndefinedBehaviorSanitizer",
       "AddressSanitizer:DEADLYSIGNAL")


def run(binary, args, cwd, env, timeout):
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/home/c2s-gen",
         "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:exitcode=99",
         "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:exitcode=98"}
    e.update(env)
    try:
        p = subprocess.run([binary] + args, cwd=cwd, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return "timeout", "", ""


def check_case(binary, seed, root, timeout, docker):
    files, order, env = make_case(seed)
    d = os.path.join(root, "c%d" % seed)
    os.makedirs(d, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            f.write(text)
    cargs = []
    for f in order:
        cargs += ["-c", f]
    probs = []
    res = {}

    def one(tag, args):
        rc, out, err = run(binary, args, d, env, timeout)
        res[tag] = (rc, out, err)
        if rc == "timeout":
            probs.append("%s: timed out (%ss)" % (tag, timeout))
        elif rc not in (0, 1, 2):
            probs.append("%s: exit %s" % (tag, rc))
        if any(s in err for s in SAN):
            line = next(ln for ln in err.splitlines() if any(s in ln for s in SAN))
            probs.append("%s: sanitizer: %s" % (tag, line.strip()[:200]))
        return rc

    lint_args = ["lint", "--fail-on", "error", "--format", "json"]
    lint = one("lint", lint_args + (cargs if len(order) > 1 else [order[0]]))
    yaml = one("yaml", ["convert"] + cargs)
    api = one("api", ["convert", "--to", "api"] + cargs)
    if isinstance(lint, int) and isinstance(yaml, int) and isinstance(api, int):
        if yaml == 1 and lint != 1 and lint != 2:
            probs.append("convert refuses (%s) but lint exits %d" % (last(res["yaml"][2]), lint))
        if (yaml == 2) != (lint == 2):
            probs.append("a limit for one only: lint %d, convert %d" % (lint, yaml))
        if yaml != 0 and api == 0:
            probs.append("--to yaml refuses but --to api accepts")
        if yaml == 0 and api == 1 and lint == 0:
            probs.append("convert --to api refuses (%s) but lint passes" % last(res["api"][2]))
        if yaml == 0 and res["yaml"][1] == "":
            probs.append("convert exit 0 with empty output")
        if lint in (0, 1):
            try:
                json.loads(res["lint"][1])
            except ValueError:
                probs.append("lint --format json printed no JSON")
    # --fix on a copy of the files
    fd = os.path.join(root, "f%d" % seed)
    shutil.copytree(d, fd)
    rc, out, err = run(binary, ["lint", "--fix", "--fail-on", "none"] + (cargs if len(order) > 1 else [order[0]]),
                       fd, env, timeout)
    if rc == "timeout" or rc not in (0, 1, 2) or any(s in err for s in SAN):
        probs.append("lint --fix: exit %s %s" % (rc, last(err)))
    elif rc == 0:
        rc2, _, err2 = run(binary, ["convert"] + cargs, fd, env, timeout)
        if rc2 not in (0, 1, 2) or any(s in err2 for s in SAN):
            probs.append("convert after --fix: exit %s %s" % (rc2, last(err2)))
        elif isinstance(yaml, int) and yaml == 0 and rc2 != 0:
            probs.append("--fix turned an accepted file into a refused one: %s" % last(err2))
    shutil.rmtree(fd, ignore_errors=True)
    dock = None
    if docker and isinstance(yaml, int):
        e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/home/c2s-gen"}
        e.update(env)
        try:
            p = subprocess.run(["docker", "stack", "config"] + cargs, cwd=d, env=e, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=30)
            drc = p.returncode
            dout = p.stdout.decode("utf-8", "replace")
            derr = p.stderr.decode("utf-8", "replace")
            dock = drc
            if (drc == 0) != (yaml == 0):
                probs.append("docker stack config exit %d (%s), convert exit %d (%s)" %
                             (drc, last(derr), yaml, last(res["yaml"][2])))
            elif drc == 0 and dout != res["yaml"][1]:
                probs.append("docker stack config prints other bytes")
        except subprocess.TimeoutExpired:
            pass
    return seed, d, probs, (lint, yaml, api, dock)


def last(text):
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith((" ", "\t"))]
    return lines[-1][:200] if lines else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("-n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=5)
    ap.add_argument("--docker", type=int, default=0, help="ask docker stack config about this many cases")
    ap.add_argument("--out", default="/tmp/c2s-gen/fail")
    ap.add_argument("--show", type=int, help="print one case's files and exit")
    ap.add_argument("--edge", type=float, default=EDGE, help="how often a value is an edge case (0..1)")
    a = ap.parse_args()
    globals()["EDGE"] = a.edge
    if a.show is not None:
        files, order, env = make_case(a.show)
        print("# env: %s  files: %s" % (env, order))
        for n in order:
            print("# ---- %s\n%s" % (n, files[n]))
        return 0
    root = tempfile.mkdtemp(prefix="c2s-gen.")
    os.makedirs(a.out, exist_ok=True)
    stats = {}
    bad = 0
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
            step = max(1, a.n // a.docker) if a.docker else 0
            jobs = [pool.submit(check_case, a.bin, a.seed + i, root, a.timeout, bool(step) and i % step == 0)
                    for i in range(a.n)]
            for j in concurrent.futures.as_completed(jobs):
                seed, d, probs, verdict = j.result()
                key = "lint=%s yaml=%s api=%s" % verdict[:3]
                stats[key] = stats.get(key, 0) + 1
                if verdict[3] is not None:
                    stats["docker asked"] = stats.get("docker asked", 0) + 1
                if probs:
                    bad += 1
                    keep = os.path.join(a.out, "c%d" % seed)
                    shutil.rmtree(keep, ignore_errors=True)
                    shutil.copytree(d, keep)
                    with open(os.path.join(keep, "PROBLEMS"), "w") as f:
                        f.write("\n".join(probs) + "\n")
                    with open(os.path.join(keep, "ENV"), "w") as f:
                        f.write("".join("%s=%s\n" % kv for kv in sorted(make_case(seed)[2].items())))
                    print("FAIL seed %d: %s" % (seed, "; ".join(probs)), flush=True)
                shutil.rmtree(d, ignore_errors=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for k in sorted(stats):
        print("  %6d  %s" % (stats[k], k))
    print("compose-gen: %d cases (seeds %d..%d), %d with problems" % (a.n, a.seed, a.seed + a.n - 1, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
