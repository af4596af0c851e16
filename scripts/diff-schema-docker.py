#!/usr/bin/env python3
"""diff-schema-docker.py MODE [N] -- differential tests of the schema, load and deploy stages
against the docker CLI (needs `docker` on PATH). MODE:
  schema   random service keys and values, versions: `docker stack config` vs `BIN convert`
  top      random networks/volumes/secrets/configs and deploy keys: the same
  cast     variables at docker's cast paths (replicas, ports, booleans...): verdicts and output
  deep     every key path of the 3.13 service schema (SCHEMA=path/to/config_schema_v3.13.json)
           with random values, some holding ${X} (X from $XV): stack config vs BIN convert
  deploy   deploy-time refusals: `docker stack deploy` against a fake engine (DOCKER_HOST must
           point at reference/fakedockerd.py) vs `BIN lint --fail-on error`
BIN is $C2S or ./compose2swarm; SEED and N pick the cases. Exit 1 when any case differs."""
import os
import sys

BIN = os.path.abspath(os.environ.get("C2S", "./compose2swarm"))
MODE = sys.argv[1] if len(sys.argv) > 1 else "schema"
if len(sys.argv) > 2:
    os.environ["N"] = sys.argv[2]


def run_schema():
    import random, subprocess, tempfile
    rnd = random.Random(int(os.environ.get("SEED","5")))
    ENV = {"PATH": os.environ["PATH"], "HOME": "/root", "NO_COLOR": "1"}
    keys = ["image","command","entrypoint","environment","labels","ports","volumes","deploy","healthcheck","tty","init","user",
            "ulimits","sysctls","networks","secrets","configs","logging","stop_grace_period","extra_hosts","dns","cap_add",
            "read_only","stdin_open","working_dir","hostname","expose","tmpfs","env_file","depends_on","isolation","x-a","foo"]
    values = ["x", "1", "1.5", "true", "yes", "~", "[]", "{}", "[a, b]", "[a, a]", "{a: 1}", "{a: [1]}", "\"10s\"", "10 s",
              "[\"80:80\"]", "[{target: 80}]", "{replicas: 2}", "{mode: global}", "{test: [CMD, x]}", "[1, 2]", "-1",
              "{nofile: 1}", "{nofile: {soft: 1, hard: 2}}", "{nofile: {soft: 1}}", "[\"a=b\"]", "{resources: {limits: {memory: 1x}}}",
              "{restart_policy: {condition: on-failure, delay: 5}}", "{update_config: {order: x}}", "[\"/a:/b\"]", "[\":/b\"]",
              "[{type: bind, target: /x}]", "{placement: {constraints: [1]}}", "0x10", "2001-01-01", "\"3\"", "[x, {a: 1}]"]
    versions = ["", "version: \"3.0\"\n", "version: \"3.3\"\n", "version: \"3.7\"\n", "version: '3.9'\n"]
    bad = 0; n = int(os.environ.get("N", "120"))
    with tempfile.TemporaryDirectory() as d:
        for i in range(n):
            v = rnd.choice(versions)
            body = "".join("    %s: %s\n" % (rnd.choice(keys), rnd.choice(values)) for _ in range(rnd.randint(1, 2)))
            y = v + "services:\n  web:\n    image: nginx\n" + body
            # drop duplicate keys (a YAML error either way)
            open(os.path.join(d, "f.yml"), "w").write(y)
            dk = subprocess.run(["docker", "stack", "config", "-c", "f.yml"], cwd=d, env=ENV, capture_output=True, text=True)
            cv = subprocess.run([BIN, "convert", "-c", "f.yml", "--to", "yaml"], cwd=d, env=ENV, capture_output=True, text=True)
            if (dk.returncode != 0) != (cv.returncode != 0):
                bad += 1
                if bad <= 8:
                    print("DIFF docker=%d ours=%d\n%s docker: %s\n ours: %s" % (dk.returncode, cv.returncode, y, dk.stderr.strip()[:200], cv.stderr.strip()[:300]))
    print(n, "cases", bad, "differ")
    return bad


def run_top():
    import random, subprocess, tempfile
    rnd = random.Random(int(os.environ.get("SEED", "5")))
    ENV = {"PATH": os.environ["PATH"], "HOME": "/root", "NO_COLOR": "1"}
    sections = {
     "networks": ["driver", "driver_opts", "external", "internal", "attachable", "ipam", "labels", "name", "x-a", "enable_ipv6", "scope"],
     "volumes": ["driver", "driver_opts", "external", "labels", "name", "x-a", "x-cluster-spec"],
     "secrets": ["file", "external", "labels", "name", "driver", "driver_opts", "template_driver", "x-a", "environment"],
     "configs": ["file", "external", "labels", "name", "template_driver", "x-a", "content"],
    }
    deploykeys = ["mode", "replicas", "labels", "endpoint_mode", "placement", "resources", "restart_policy", "rollback_config", "update_config"]
    values = ["x", "1", "true", "~", "{}", "[a]", "{name: x}", "{a: b}", "[a=b, a=b]", "{config: [{subnet: 10.0.0.0/8}]}",
              "{driver: default, config: [{subnet: x, gateway: y}]}", "{parallelism: 1, delay: 10s, order: start-first}",
              "{max_replicas_per_node: 1, preferences: [{spread: node.id}]}", "{limits: {pids: 10}}", "{condition: any, window: 1}",
              "{external: true}", "./f.yml", "-3", "{access_mode: {scope: single}}"]
    versions = ["", "version: \"3.0\"\n", "version: \"3.4\"\n", "version: \"3.5\"\n", "version: \"3.7\"\n", "version: \"3.8\"\n", "version: \"3.9\"\n", "version: \"3.10\"\n"]
    bad = 0; n = int(os.environ.get("N", "150"))
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "f.txt"), "w").write("x")
        for i in range(n):
            v = rnd.choice(versions)
            sec = rnd.choice(list(sections))
            ks = rnd.sample(sections[sec], rnd.randint(1, 2))
            obj = "".join("    %s: %s\n" % (k, rnd.choice(values)) for k in ks)
            dep = "".join("      %s: %s\n" % (k, rnd.choice(values)) for k in rnd.sample(deploykeys, rnd.randint(0, 2)))
            y = v + "services:\n  web:\n    image: nginx\n" + ("    deploy:\n" + dep if dep else "") + "%s:\n  o:\n%s" % (sec, obj)
            open(os.path.join(d, "f.yml"), "w").write(y)
            dk = subprocess.run(["docker", "stack", "config", "-c", "f.yml"], cwd=d, env=ENV, capture_output=True, text=True)
            cv = subprocess.run([BIN, "convert", "-c", "f.yml", "--to", "yaml"], cwd=d, env=ENV, capture_output=True, text=True)
            if (dk.returncode != 0) != (cv.returncode != 0):
                bad += 1
                if bad <= 8:
                    print("DIFF docker=%d ours=%d\n%s docker: %s\n ours: %s" % (dk.returncode, cv.returncode, y, dk.stderr.strip()[:200], cv.stderr.strip()[:300]))
    print(n, "cases", bad, "differ")
    return bad


def run_cast():
    import random, subprocess, tempfile
    rnd = random.Random(int(os.environ.get("SEED", "5")))
    vals = ["3", "-1", "+2", "0x10", "1.5", "", "yes", "Off", "TRUE", "y", "abc", " 3", "3 ", "1e3", "inf", "0.5", "010", "99999999999999999999"]
    paths = [("deploy:\n      replicas: %s\n", 1), ("tty: %s\n", 0), ("deploy:\n      update_config:\n        max_failure_ratio: %s\n", 1),
             ("ports:\n      - target: 80\n        published: %s\n", 0), ("ulimits:\n      nofile: %s\n", 0), ("read_only: %s\n", 0),
             ("healthcheck:\n      retries: %s\n", 0), ("deploy:\n      placement:\n        max_replicas_per_node: %s\n", 0)]
    bad = 0; n = int(os.environ.get("N", "120"))
    with tempfile.TemporaryDirectory() as d:
        for i in range(n):
            x = rnd.choice(vals); p, _ = rnd.choice(paths)
            q = rnd.choice(['${X}', '"${X}"', '${X:-7}'])
            y = "services:\n  web:\n    image: nginx\n    " + (p % q)
            env = {"PATH": os.environ["PATH"], "HOME": "/root", "NO_COLOR": "1", "X": x}
            open(os.path.join(d, "f.yml"), "w").write(y)
            dk = subprocess.run(["docker", "stack", "config", "-c", "f.yml"], cwd=d, env=env, capture_output=True, text=True)
            cv = subprocess.run([BIN, "convert", "-c", "f.yml", "--to", "yaml"], cwd=d, env=env, capture_output=True, text=True)
            same = (dk.returncode != 0) == (cv.returncode != 0) and (dk.returncode != 0 or dk.stdout == cv.stdout)
            if not same:
                bad += 1
                if bad <= 6:
                    print("DIFF X=%r\n%s docker(%d): %s\n ours(%d): %s" % (x, y, dk.returncode, (dk.stdout+dk.stderr).strip()[:250], cv.returncode, (cv.stdout+cv.stderr).strip()[:250]))
    print(n, "cases", bad, "differ")
    return bad


def run_deploy():
    import random, subprocess, tempfile
    rnd = random.Random(int(os.environ.get("SEED", "5")))
    ENV = {"PATH": os.environ["PATH"], "HOME": "/root", "NO_COLOR": "1", "DOCKER_HOST": os.environ.get("DOCKER_HOST", "")}
    svc_bits = ["    image: nginx\n", "    image: Nginx\n", "    image: \"\"\n", "    image: nginx:1.2@sha256:" + "a"*64 + "\n",
                "    networks: [n]\n", "    networks: [m]\n", "    networks: {n: {aliases: [a]}}\n",
                "    volumes: [\"v:/d\"]\n", "    volumes: [\"w:/d\"]\n", "    volumes: [\"./x:/d:rshared\"]\n", "    volumes: [\"v:/d:rshared\"]\n",
                "    volumes: [{type: tmpfs, target: /t, tmpfs: {size: 10}}]\n", "    volumes: [{type: volume, source: v, target: /d, bind: {propagation: shared}}]\n",
                "    secrets: [s]\n", "    secrets: [t]\n", "    configs: [c]\n",
                "    deploy: {mode: global, replicas: 1}\n", "    deploy: {mode: replicated-job}\n", "    deploy: {mode: Replicated}\n",
                "    deploy: {resources: {limits: {cpus: \"0.5\", memory: 10M}}}\n", "    deploy: {resources: {limits: {cpus: \"x\"}}}\n",
                "    restart: always\n", "    restart: unless-stopped\n", "    restart: nope\n",
                "    healthcheck: {test: [CMD, x], disable: true}\n", "    healthcheck: {disable: true}\n",
                "    credential_spec: {registry: a}\n", "    credential_spec: {registry: a, file: b}\n",
                "    env_file: ./nofile.env\n", "    ports: [\"80\"]\n", "    ports: [80.0]\n"]
    tops = ["networks:\n  n: {}\n", "volumes:\n  v: {}\n", "secrets:\n  s: {external: true}\n", "configs:\n  c: {external: true}\n",
            "volumes:\n  v: {external: true, labels: [a=b]}\n", "secrets:\n  s: {file: ./f.yml}\n", "configs:\n  c: {file: ./missing}\n",
            "networks:\n  n: {external: {name: x}, name: y}\n"]
    bad = 0; n = int(os.environ.get("N", "100"))
    with tempfile.TemporaryDirectory() as d:
        for i in range(n):
            body = "".join(rnd.sample(svc_bits, rnd.randint(1, 3)))
            if "image:" not in body and rnd.random() < 0.7: body = "    image: nginx\n" + body
            ts = rnd.sample(tops, rnd.randint(0, 3))
            # avoid duplicate top-level keys
            seen = set(); tl = ""
            for t in ts:
                k = t.split(":")[0]
                if k in seen: continue
                seen.add(k); tl += t
            y = "services:\n  web:\n" + body + tl
            if len(set(l.split(":")[0] for l in body.splitlines())) != len(body.splitlines()): continue
            open(os.path.join(d, "f.yml"), "w").write(y)
            dk = subprocess.run(["docker", "stack", "deploy", "--resolve-image", "never", "-c", "f.yml", "s"], cwd=d, env=ENV, capture_output=True, text=True)
            li = subprocess.run([BIN, "lint", "--fail-on", "error", "-f", "gnu", "f.yml"], cwd=d, env=ENV, capture_output=True, text=True)
            if (dk.returncode != 0) != (li.returncode != 0):
                bad += 1
                if bad <= 8:
                    print("DIFF docker=%d lint=%d\n%s docker: %s\n lint: %s" % (dk.returncode, li.returncode, y, dk.stderr.strip()[-200:], "\n".join(l for l in li.stdout.splitlines() if "error" in l)[:400]))
    print(n, "cases", bad, "differ")
    return bad


def run_deep():
    import json, random, subprocess, tempfile
    rnd = random.Random(int(os.environ.get("SEED", "1")))
    sch = json.load(open(os.environ["SCHEMA"]))
    def res(x):
        while isinstance(x, dict) and "$ref" in x:
            t = sch
            for p in x["$ref"].lstrip("#/").split("/"): t = t[p]
            x = t
        return x
    # collect paths under service
    paths = []
    def walk(x, path, depth):
        x = res(x)
        if depth > 5: return
        alts = x.get("oneOf", [x])
        for a in alts:
            a = res(a)
            for k, v in a.get("properties", {}).items():
                paths.append(path + [k]); walk(v, path + [k], depth + 1)
            if "items" in a:
                walk(a["items"], path + [0], depth + 1)
    walk(sch["definitions"]["service"], [], 0)
    vals = ["${X}", "\"${X:-2}\"", "$X", "${X:?m}", "x", "1", "-2", "1.5", "true", "yes", "~", "[]", "{}", "[a, a]", "[1]", "{a: 1}", "{a: [1]}", "10s", "\"1\"", "1x", "2001-01-01", "0x1F", "[{a: 1}]", "\":/x\"", "\"a:b:c:d\""]
    def build(path, val):
        # nested YAML from path
        y = val
        for p in reversed(path):
            if p == 0: y = "[" + y + "]"
            else: y = "{" + p + ": " + y + "}"
        return y
    ENV = {"PATH": os.environ["PATH"], "HOME": "/root", "X": os.environ.get("XV", "3")}
    bad = 0; n = int(os.environ.get("N", "150"))
    with tempfile.TemporaryDirectory() as d:
        for i in range(n):
            p = rnd.choice(paths); v = rnd.choice(vals)
            if p[0] == "image": continue
            y = "services:\n  web:\n    image: nginx\n    %s: %s\n" % (p[0], build(p[1:], v))
            open(os.path.join(d, "f.yml"), "w").write(y)
            dk = subprocess.run(["docker", "stack", "config", "-c", "f.yml"], cwd=d, env=ENV, capture_output=True, text=True)
            cv = subprocess.run([BIN, "convert", "-c", "f.yml", "--to", "yaml"], cwd=d, env=ENV, capture_output=True, text=True)
            if (dk.returncode != 0) != (cv.returncode != 0):
                bad += 1
                if bad <= 8: print("DIFF docker=%d ours=%d\n%s docker: %s\n ours: %s" % (dk.returncode, cv.returncode, y, dk.stderr.strip()[:200], cv.stderr.strip()[:200]))
    print(len(paths), "paths", n, "cases", bad, "differ")
    return bad


sys.exit(1 if {"schema": run_schema, "top": run_top, "cast": run_cast, "deploy": run_deploy, "deep": run_deep}[MODE]() else 0)
