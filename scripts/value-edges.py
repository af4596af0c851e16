#!/usr/bin/env python3
"""value-edges.py -- docker's value grammar, edge case by edge case: lint,
convert and docker must agree.

For each value class (durations, sizes, cpus, ports, env files, paths, image
references) this generates edge cases: one compose file each (with the files
it names), staged in a temporary directory. Docker's answers are recorded in
tests/values/CLASS.json by `--regen` (docker CLI 28.2: `docker stack config`,
and `docker stack deploy` against scripts/reference/fakedockerd.py through
scripts/reference/reference.sh); `make check` runs this script without
options, which compares our binary with those recorded answers:

  convert        exits 0 exactly when `docker stack config` did, with the
                 same bytes on standard output, or with docker's error text
                 in its diagnostics;
  convert --to api  (when stack config accepted) exits 0 exactly when deploy
                 did, with the same payloads (tests/golden/api_compare.py's
                 rules), or with docker's error text;
  lint           reports an error (--fail-on error; CS2010-CS2019, the real
                 engine's refusals, left out: the fake engine is no judge of
                 those) exactly when docker refused the file, in docker's
                 words.

So lint agrees with convert, and both with docker. `--live` asks docker
instead of the recorded answers (needs /usr/local/bin/docker); `--class`
picks classes; `--keep` leaves the staged cases in place.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
EXPECTED = os.path.join(TOP, "tests", "values")
HOME = "/home/c2s-values"  # the deploying user's HOME ('~' in bind sources)
PLACEHOLDER = "@DIR@"  # the case's directory in recorded answers
ROOT = "@ROOT@"  # the directory all cases of a class are staged in
BIG = 2048  # longer outputs are recorded by their sha256
ENGINE_BAND = "CS201"  # CS2010-CS2019: refusals only a real engine makes (rules.def)


def svc(body, version=None):
    head = 'version: "%s"\n' % version if version else ""
    return head + "services:\n  web:\n    image: nginx\n" + body


def q(v):
    """A YAML double-quoted scalar holding v exactly."""
    return json.dumps(v, ensure_ascii=False)


# ---- the cases: (name, {file: bytes-or-text}, {env}) per class ----

def durations():
    nums = ["0", "1", "1.5", ".5", "5.", "007", "0.000000001", "1.0000000001", "9223372036854775807"]
    units = ["ns", "us", "\u00b5s", "\u03bcs", "ms", "s", "m", "h"]
    vals = ["0", "+0", "-0", "1h30m", "1h2m3s4ms5us6ns", "-2m3.4s", "10.5s4m", "2562047h47m16.854775807s",
            "2562047h47m16.854775808s", "-2562047h47m16.854775808s", "9223372036854775808ns", "3000000h",
            "0.3333333333333333333h", "", "5", "1 s", "1d", "1.5.s", "s", ".", "-", "+.s", "1h1x", "1s ", "1S",
            "1H", "1e3s", "1_0s", "\u00e91s"]
    for n in nums:
        for u in units:
            vals.append(n + u)
    for sign in ("+", "-"):
        vals += [sign + "1.5h", sign + ".5s"]
    out = []
    for i, v in enumerate(dict.fromkeys(vals)):
        # the schema's duration format (3.13), and the loader's decoding alone (3.3)
        out.append(("grace-%03d" % i, {"compose.yml": svc("    stop_grace_period: %s\n" % q(v))}, {}))
        out.append(("hc33-%03d" % i, {"compose.yml": svc("    healthcheck:\n      test: [\"CMD\", \"true\"]\n"
                                                          "      interval: %s\n" % q(v), "3.3")}, {}))
    return out


def sizes():
    nums = ["0", "1", "1.5", ".5", "5.", "1e3", "1_0", "0x1p4", "-1", "-0", "12345678901234567", "9e18", "9.3e18"]
    sfx = ["", "b", "B", "k", "K", "kb", "KiB", "kib", "m", "MB", "g", "GiB", "t", "p", "PB", "x", "kk", "bb",
           "ki", "kibb", " k", " KiB", "\u212a", "\u00c9", "\uff2d"]
    vals = ["", "M", "hello", " 1", "1  k", "1.5.5", "Inf", "1e400", "1e-400", "0x10", "1 ", " 32 ", "32m b"]
    for n in nums[:8]:
        for s in sfx:
            vals.append(n + s)
    for n in nums[8:]:
        vals += [n, n + "k"]
    out = []
    for i, v in enumerate(dict.fromkeys(vals)):
        body = "    deploy:\n      resources:\n        limits:\n          memory: %s\n" % q(v)
        out.append(("limit-%03d" % i, {"compose.yml": svc(body)}, {}))
    for i, v in enumerate(["512m", "1.5G", "x"]):
        body = "    deploy:\n      resources:\n        reservations:\n          memory: %s\n" % q(v)
        out.append(("reservation-%03d" % i, {"compose.yml": svc(body)}, {}))
    return out


def cpus():
    vals = ["0.5", ".25", "2", "0", "-0", "-1", "1.", "1e0", "1.e1", "+1.5", "1e2", "1e10", "1/3", "2/4", "-1/5",
            "1/0", "1/-2", "4/3/2", "4/", "4/3e0", "1_0", "1_000.5", "1__0", "1_.5", "_1", "1_", "0x10", "0x_1",
            "0_x1", "010", "08", "010/2", "08/1", "0x10/0x2", "0b1", "0b102", "0o7", "0o1.4", "0x1p-1",
            "0x1.8p1", "0x1p-30", "2p-1", "1.5p1", "1e", "1.e", "1e4.5", "abc", "a/b", "0.000000001", "1e-9",
            "1e-10", "0.0000000015", "1/1000000000", "1000000000/3", "9223372036.854775807",
            "9223372036.854775808", "18446744073.709551616", "0e9999999999", "1e9999999999", "1e1000000",
            "1e-1000000", "1 ", " 1", "1,5", "\u0661"]
    out = []
    for i, v in enumerate(dict.fromkeys(vals)):
        body = "    deploy:\n      resources:\n        limits:\n          cpus: %s\n" % q(v)
        out.append(("limit-%03d" % i, {"compose.yml": svc(body)}, {}))
    out.append(("reservation-000", {"compose.yml": svc(
        "    deploy:\n      resources:\n        reservations:\n          cpus: \"1/3\"\n")}, {}))
    return out


def ports():
    vals = ["80", "0", "65535", "65536", "8080:80", "8080:80/udp", "8080:80/UDP", "80/sctp", "80/tcpx", "80/",
            "/udp", "80:", ":80", "80:80:80", "1-2-3", "1-2-3:1-2-3", "1-2-x", "2-1-3", "9000-9001:9000-9001",
            "9000-9002:80-81", "9000-9010:80", "8-10:8-10", "99-101", "9001-9000", "a:80", "+80", "1_0", "0123",
            "127.0.0.1:53:53/udp", "127.0.0.1::80", "0.0.0.0:80:80", "01.2.3.4:80:80", "1.2.3:80:80",
            "localhost:80:80", "[::1]:80:80", "[::1:80:80", "[::1]x:80:80", "::1:80:80", "::::80",
            "2001:db8::68::333", "[2001:db8::68]::333", "80/tcp/x", "-1", "80-"]
    out = []
    for i, v in enumerate(dict.fromkeys(vals)):
        out.append(("str-%03d" % i, {"compose.yml": svc("    ports:\n      - %s\n" % q(v))}, {}))
    for i, v in enumerate(["80", "0", "65536", "80.0", "80.5", "-1", "1e3"]):
        out.append(("num-%03d" % i, {"compose.yml": svc("    ports:\n      - %s\n" % v)}, {}))
    return out


def envfiles():
    long_ok = "A=" + "a" * 65533 + "\n"     # 65,535 bytes and '\n'
    long_bad = "A=" + "a" * 65534 + "\n"
    contents = [
        "A=1\nB=two words \n", "\ufeffA=1\n", "A=1\r\nB=2\r\n", "  # comment\n\n\tA=\"q\"\n", "A==x\n",
        "\u00a0A=1\n", "\u2003A=1\n", "A=1\n\ufeffB=2\n", "=x\n", "export A=1\n", "A B=1\n", "A\tB=1\n",
        "A=1", "A=\n", "BARE_SET\n", "BARE_UNSET\n", "EMPTY_SET=\n", long_ok, long_bad, long_ok[:-1],
        long_bad[:-1], "#only a comment", "", "\n\n", "A=\u00e9\n", "A=\"\n", "A=$HOME\n", "A=${X}\n",
    ]
    out = []
    env = {"BARE_SET": "from-shell", "EMPTY_SET": "shell-fills-empty"}
    for i, c in enumerate(contents):
        out.append(("file-%03d" % i, {"compose.yml": svc("    env_file: e.env\n"), "e.env": c}, env))
    out.append(("bad-utf8", {"compose.yml": svc("    env_file: e.env\n"), "e.env": b"A=1\nB=\xff\n"}, {}))
    out.append(("missing", {"compose.yml": svc("    env_file: nowhere.env\n")}, {}))
    out.append(("directory", {"compose.yml": svc("    env_file: d\n"), "d/x": ""}, {}))
    out.append(("two-files", {"compose.yml": svc("    env_file: [a.env, b.env]\n    environment:\n      B: env\n"),
                              "a.env": "A=a\nB=a\nC=a\n", "b.env": "C=b\n"}, {}))
    return out


def paths():
    out = []
    binds = ["./a:/t", "../a:/t", "~/a:/t", "~:/t", "./a/./b/:/t", ".:/t", "./:/t", "..:/t", "/abs/./x/../y:/t",
             "./a//b:/t", "C:\\x:/t", "c:/x:/t", "\\\\host\\share:/t", "x:/t", "\u00e9:/t", "a::b", "./a:/t:ro",
             "./a:/t:rw,shared", "./a:/t:ro,rw", "data:/t:nocopy", "./a:/t:z,ro", "./a:/t:ro:x", ":/t", "/a::ro",
             "ab", "./a/../../b:/t"]
    for i, b in enumerate(binds):
        vols = "volumes:\n  data: {}\n" if b.startswith("data") else ""
        out.append(("bind-%03d" % i, {"compose.yml": svc("    volumes:\n      - %s\n" % q(b)) + vols}, {}))
    for i, f in enumerate(["e.env", "./e.env", "sub/../e.env", "./sub/./e.env", "sub//e.env"]):
        out.append(("envpath-%03d" % i, {"compose.yml": svc("    env_file: %s\n" % q(f)), "e.env": "A=1\n",
                                         "sub/e.env": "B=2\n"}, {}))
    for i, f in enumerate(["s.txt", "./s.txt", "sub/../s.txt", "/abs/./s.txt"]):
        out.append(("secret-%03d" % i, {"compose.yml": svc("    secrets: [s]\n") +
                                        "secrets:\n  s:\n    file: %s\n" % q(f), "s.txt": "x\n"}, {}))
    # the working directory is the first file's: a file in a subdirectory
    out.append(("subdir", {"sub/compose.yml": svc("    env_file: e.env\n    volumes: [\"./d:/t\"]\n"),
                           "sub/e.env": "A=sub\n"}, {}))
    return out


def images():
    h64 = "c" * 64
    vals = ["nginx", "nginx:1.27", "docker.io/library/nginx", "index.docker.io/someone/tool", "someone/tool:1.2",
            "registry.example.com:5000/team/app", "localhost/app", "localhost:5000", "a/b/c/d", "foo_bar.com/x",
            "a__b/c", "[::1]:5000/x", "Registry.Example.com/app", "nginx:" + h64 + h64, "sha256:" + h64, h64,
            "alpine@sha256:" + "4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1",
            "UPPER", "Foo.io/Bar", "MyOrg/App:1", "nginx:", "nginx:latest:extra", "x@sha256:abc", "a___b", "-a",
            "a:b:c", "x@md5:" + h64, "https://github.com/docker/docker", "docker///docker", "docker.io/" + h64,
            "a" * 256, "a/" + "b" * 254, "nginx:" + "t" * 128, "nginx:" + "t" * 129, "nginx@sha256:" + "A" * 64,
            "nginx@sha384:" + "a" * 96, "nginx@sha256:" + "a" * 63, "\u00e9", "x y", ""]
    out = []
    for i, v in enumerate(dict.fromkeys(vals)):
        out.append(("ref-%03d" % i, {"compose.yml": "services:\n  web:\n    image: %s\n" % q(v)}, {}))
    out.append(("none", {"compose.yml": "services:\n  web:\n    command: [\"true\"]\n"}, {}))
    return out


CLASSES = {"durations": durations, "sizes": sizes, "cpus": cpus, "ports": ports, "envfiles": envfiles,
           "paths": paths, "images": images}


# ---- staging and running ----

def stage(root, name, files):
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    for rel, content in files.items():
        p = os.path.join(d, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(content if isinstance(content, bytes) else content.encode())
    main = "sub/compose.yml" if "sub/compose.yml" in files else "compose.yml"
    return d, main


def clean_env(extra):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": HOME}
    env.update(extra)
    return env


def last_error(text):
    """docker's error: the last line that is not the --detach notice."""
    lines = [ln for ln in text.splitlines() if ln.strip() and "--detach" not in ln and "future release" not in ln]
    return lines[-1] if lines else ""


def ask_docker(root, d, main, env):
    out = tempfile.mkdtemp(prefix="c2s-values-ref.")
    try:
        e = dict(os.environ)
        e.update({"REF_CLEAN_ENV": "1", "HOME": HOME})
        e.update({"REF_ENV_" + k: v for k, v in env.items()})
        subprocess.run([os.path.join(TOP, "scripts", "reference", "reference.sh"), os.path.join(d, main), out],
                       env=e, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)

        def rd(name):
            try:
                with open(os.path.join(out, name), encoding="utf-8", errors="surrogateescape") as f:
                    return f.read().replace(d, PLACEHOLDER).replace(root, ROOT)
            except FileNotFoundError:
                return ""
        rec = {"config_rc": int(rd("stack-config.rc").strip() or 99)}
        if rec["config_rc"] == 0:
            out_text = rd("stack-config.yml")
            if len(out_text) > BIG:
                rec["config_out_sha256"] = sha256(out_text)
            else:
                rec["config_out"] = out_text
            rec["deploy_rc"] = int(rd("deploy.rc").strip() or 99)
            if rec["deploy_rc"] == 0:
                rec["payloads"] = json.loads(rd("payloads.json"))
            else:
                rec["deploy_error"] = last_error(rd("deploy.err"))
        else:
            rec["config_error"] = last_error(rd("stack-config.err"))
        return rec
    finally:
        shutil.rmtree(out, ignore_errors=True)


def sha256(text):
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def run(cmd, d, env):
    p = subprocess.run(cmd, cwd=d, env=clean_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode("utf-8", "surrogateescape"), p.stderr.decode("utf-8", "surrogateescape")


def strip_ids(v):
    if isinstance(v, dict):
        return {k: strip_ids(x) for k, x in v.items() if k not in ("SecretID", "ConfigID")}
    if isinstance(v, list):
        return [strip_ids(x) for x in v]
    return v


def same_output(out, want, d, croot):
    if "config_out" in want:
        return out == want["config_out"]
    return sha256(out.replace(d, PLACEHOLDER).replace(croot, ROOT)) == want["config_out_sha256"]


def check(binary, croot, name, d, main, env, want, lint):
    """Our verdicts against docker's recorded ones; a list of problems."""
    probs = []
    want = json.loads(json.dumps(want).replace(PLACEHOLDER, d).replace(ROOT, croot))
    accepted = want["config_rc"] == 0 and want.get("deploy_rc") == 0
    derr = want.get("config_error") or want.get("deploy_error") or ""
    rc, out, err = run([binary, "convert", "-c", main], d, env)
    if want["config_rc"] == 0:
        if rc != 0:
            probs.append("convert refused what stack config accepts: %s" % last_error(err))
        elif not same_output(out, want, d, croot):
            probs.append("convert prints other bytes than stack config")
        else:
            rc, out, err = run([binary, "convert", "-c", main, "--to", "api"], d, env)
            if want["deploy_rc"] == 0:
                if rc != 0:
                    probs.append("convert --to api refused what deploy accepts: %s" % last_error(err))
                else:
                    try:
                        got = strip_ids(json.loads(out))
                    except ValueError:
                        got = None
                    if got != strip_ids(want["payloads"]):
                        probs.append("convert --to api payloads differ from deploy's")
            elif rc != 1 or out or derr not in err:
                probs.append("convert --to api: exit %d, want 1 with %r" % (rc, derr))
    elif rc != 1 or out or derr not in err:
        probs.append("convert: exit %d, want 1 with %r; said %r" % (rc, derr, last_error(err)))
    # lint: an error (not the real engine's) exactly when docker refused, in docker's words
    errors = [f for f in lint if f["severity"] == "error" and not f["rule"].startswith(ENGINE_BAND)]
    if accepted and errors:
        probs.append("lint reports an error docker does not: %s %s" % (errors[0]["rule"], errors[0]["message"]))
    if not accepted:
        if not errors:
            probs.append("lint passes what docker refuses (%r)" % derr)
        else:
            # lint names files as given (relative to where it runs: the class's directory)
            shown = derr.replace(croot + "/", "")
            if not any(shown in f["message"] or derr in f["message"] for f in errors):
                probs.append("lint refuses in other words: %r, docker %r" % (errors[0]["message"], derr))
    return probs


def lint_all(binary, root, cases):
    """One lint run over every case file (each is linted on its own)."""
    by_env = {}
    for name, _, env, main in cases:
        by_env.setdefault(json.dumps(env, sort_keys=True), []).append(os.path.join(name, main))
    found = {}
    for env_key, files in by_env.items():
        rc, out, err = run([binary, "lint", "--format", "json", "--fail-on", "none"] + files, root,
                           json.loads(env_key))
        try:
            diags = json.loads(out)["diagnostics"]
        except (ValueError, KeyError):
            raise SystemExit("lint printed no JSON report (exit %d): %s" % (rc, err[-500:]))
        for f in files:
            found[f] = []
        for dg in diags:
            found.setdefault(dg["file"], []).append(dg)
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.environ.get("C2S", os.path.join(TOP, "compose2swarm")))
    ap.add_argument("--regen", action="store_true", help="ask docker and write tests/values/CLASS.json")
    ap.add_argument("--live", action="store_true", help="ask docker now instead of the recorded answers")
    ap.add_argument("--class", dest="classes", action="append", choices=sorted(CLASSES))
    ap.add_argument("--keep", action="store_true", help="leave the staged cases in place")
    ap.add_argument("--expected", default=EXPECTED, help="where the recorded answers are (tests/values)")
    a = ap.parse_args()
    classes = a.classes or sorted(CLASSES)
    if (a.regen or a.live) and not shutil.which("docker"):
        print("value-edges: --regen and --live need the docker CLI", file=sys.stderr)
        return 77
    root = tempfile.mkdtemp(prefix="c2s-values.")
    root = os.path.realpath(root)  # the path docker and we see
    failures = total = 0
    try:
        for cls in classes:
            cases = CLASSES[cls]()
            staged = []
            for name, files, env in cases:
                d, main = stage(os.path.join(root, cls), name, files)
                staged.append((name, d, env, main))
            if a.regen or a.live:
                answers = {}
                for name, d, env, main in staged:
                    answers[name] = ask_docker(os.path.join(root, cls), d, main, env)
                if a.regen:
                    with open(os.path.join(a.expected, cls + ".json"), "w") as f:
                        # one case a line: a diff shows which answers docker changed
                        f.write("{\n" + ",\n".join(json.dumps(k) + ": " + json.dumps(answers[k], sort_keys=True)
                                                    for k in sorted(answers)) + "\n}\n")
                    print("%s: %d cases recorded" % (cls, len(answers)))
                    continue
            else:
                with open(os.path.join(a.expected, cls + ".json")) as f:
                    answers = json.load(f)
            lint = lint_all(a.bin, os.path.join(root, cls), [(n, None, e, m) for n, d, e, m in staged])
            with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
                jobs = []
                for name, d, env, main in staged:
                    if name not in answers:
                        print("FAIL %s/%s: no recorded answer (run scripts/value-edges.py --regen)" % (cls, name))
                        failures += 1
                        continue
                    jobs.append((name, pool.submit(check, a.bin, os.path.join(root, cls), name, d, main, env,
                                                   answers[name], lint.get(os.path.join(name, main), []))))
                for name, job in jobs:
                    total += 1
                    probs = job.result()
                    if probs:
                        failures += 1
                        print("FAIL %s/%s: %s" % (cls, name, "; ".join(probs)))
            missing = set(answers) - {n for n, _, _, _ in staged}
            if missing:
                print("FAIL %s: recorded cases no longer generated: %s" % (cls, ", ".join(sorted(missing))))
                failures += 1
    finally:
        if a.keep:
            print("cases staged in %s" % root)
        else:
            shutil.rmtree(root, ignore_errors=True)
    if not a.regen:
        print("value-edges: %d cases, %d disagree" % (total, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
