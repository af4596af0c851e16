#!/usr/bin/env python3
"""Check `compose2swarm migrate` on a corpus of real compose files.

For every CORPUS/real/NNN.yml (with the stand-in files of CORPUS/stubs/NNN/ beside it,
staged in a private directory), run from that directory, with only PATH and HOME in
the environment:

  BIN migrate -c NNN.yml --image-prefix registry.example.com/ --materialize -o stack.yml

and then, where migrate wrote the stack file (exit 0):
  - docker stack config -c stack.yml                 must exit 0
  - docker stack deploy (scripts/reference/reference.sh, a fake engine) must exit 0
  - BIN lint stack.yml --format json                 must report no error and
                                                     nothing ignored or dropped
                                                     (CS5xxx, CS6xxx)
  - every dropped or needs-you change of the report has a file and a line.
Where docker stack deploy already accepted the file (CORPUS/ref/NNN/deploy.rc is 0),
migrate --keep-variables must change only the blocks of keys a lint finding points at,
and add keys only to services lint has a finding on.

Where migrate exits 1 (something needs the user) the reasons are listed; whether each
is a compose-spec feature migrate should have translated or a real problem of the
file (a missing variable, a broken value) is for the reader of the list to judge.

Usage: migrate-corpus.py CORPUS [BIN] [--ids 001,002] [--keep DIR] [-v]
Exit: 0 when every written file passed its checks, 1 otherwise, 2 on usage errors.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "reference", "reference.sh")
PREFIX = "registry.example.com/"


def run(cmd, cwd, timeout=60, env_extra=None):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/root")}
    if env_extra:
        env.update(env_extra)
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return None, "", "timeout"


def stage(corpus, i, root):
    d = os.path.join(root, i)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    shutil.copyfile(os.path.join(corpus, "real", i + ".yml"), os.path.join(d, i + ".yml"))
    stubs = os.path.join(corpus, "stubs", i)
    if os.path.isdir(stubs):
        shutil.copytree(stubs, d, dirs_exist_ok=True)
        for dirpath, dirnames, filenames in os.walk(d):  # stubs are read-only: make them ours
            for n in dirnames + filenames:
                os.chmod(os.path.join(dirpath, n), 0o755 if n in dirnames else 0o644)
    return d


def changed_lines(old, new):
    """Changes a unified diff makes to old: (1-based lines of old it removes or changes,
    lines of old an insertion follows). A version: line added to a file that had none
    does not count: docker CLIs before 23.0 need it."""
    import difflib
    import re
    changed, inserted = set(), set()
    b = new.splitlines()
    sm = difflib.SequenceMatcher(a=old.splitlines(), b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "insert" and all(re.match(r'^version: "3\.[0-9]+"$', x) for x in b[j1:j2]):
            continue
        if tag in ("replace", "delete"):
            changed.update(range(i1 + 1, i2 + 1))
        elif tag == "insert":
            inserted.add(i1)  # the line the insertion follows
    return changed, inserted


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def _quiet(line):
    t = line.strip()
    return not t or t.startswith("#")


def flagged_lines(lines, spans):
    """Lines of the blocks the findings point at: a finding's key line, and every line
    below it that belongs to the key (deeper, or a "- " item at its column)."""
    ok = set()
    for first, last in spans:
        if not 1 <= first <= len(lines):
            continue
        ind = _indent(lines[first - 1])
        k = first
        while k < len(lines) and (_quiet(lines[k]) or _indent(lines[k]) > ind or
                                  (_indent(lines[k]) == ind and lines[k].lstrip().startswith("- "))):
            k += 1
        ok.update(range(first, max(k, last) + 1))
    return ok


def service_of(lines, n):
    """(first, last) lines of the service whose block holds line n, or None."""
    top = None
    for i, l in enumerate(lines):
        if l.rstrip() == "services:":
            top = i
            break
    if top is None:
        return None
    col, start, blocks = None, None, []
    for i in range(top + 1, len(lines)):
        l = lines[i]
        if _quiet(l):
            continue
        if _indent(l) == 0:
            break
        if col is None:
            col = _indent(l)
        if _indent(l) == col:
            if start is not None:
                blocks.append((start, i))
            start = i + 1
    if start is not None:
        blocks.append((start, i + 1 if lines else 0))
    for a, b in blocks:
        if a <= n <= b:
            return a, b
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("bin", nargs="?", default=os.path.join(HERE, "..", "compose2swarm"))
    ap.add_argument("--ids")
    ap.add_argument("--keep", help="stage here and keep the files")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    binp = os.path.abspath(a.bin)
    if not os.access(binp, os.X_OK) or not os.path.isdir(os.path.join(a.corpus, "real")):
        print("usage: migrate-corpus.py CORPUS [BIN]", file=sys.stderr)
        return 2
    have_docker = shutil.which("docker") is not None
    root = a.keep or tempfile.mkdtemp(prefix="c2s-migrate-corpus.")
    os.makedirs(root, exist_ok=True)
    ids = sorted(f[:-4] for f in os.listdir(os.path.join(a.corpus, "real")) if f.endswith(".yml"))
    if a.ids:
        want = set(a.ids.split(","))
        ids = [i for i in ids if i in want]
    counts = {"written": 0, "needs-you": 0, "trouble": 0, "bad": 0, "rescued": 0}
    bad = []
    needs = []
    kept_needs = []  # accepted files where --keep-variables needs the user
    try:
        for i in ids:
            d = stage(a.corpus, i, root)
            rc, out, err = run([binp, "migrate", "-c", i + ".yml", "--image-prefix", PREFIX, "--materialize",
                                "-o", "stack.yml", "--format", "json"], d)
            try:
                report = json.loads(err[err.index("{"):]) if "{" in err else {"diagnostics": []}
            except ValueError:
                report = {"diagnostics": []}
            problems = []
            for dg in report["diagnostics"]:
                if dg.get("kind") in ("dropped", "needs-you") and not dg.get("line"):
                    problems.append("a %s change without a line: %s" % (dg["kind"], dg["message"]))
            if rc == 1:
                counts["needs-you"] += 1
                why = [dg["message"] for dg in report["diagnostics"] if dg.get("kind") == "needs-you"]
                needs.append((i, why))
                continue
            if rc != 0:
                counts["trouble"] += 1
                bad.append((i, ["migrate exit %s: %s" % (rc, err.strip()[-300:])]))
                continue
            counts["written"] += 1
            stack = os.path.join(d, "stack.yml")
            if have_docker:
                rc2, o2, e2 = run(["docker", "stack", "config", "-c", "stack.yml"], d,
                                  env_extra={"DOCKER_HOST": "unix:///nonexistent.sock"})
                if rc2 != 0:
                    problems.append("docker stack config: " + e2.strip()[-300:])
                refdir = os.path.join(d, "ref")
                run(["bash", REFERENCE, stack, refdir], d)
                drc = open(os.path.join(refdir, "deploy.rc")).read().strip() if os.path.exists(
                    os.path.join(refdir, "deploy.rc")) else "?"
                if drc != "0":
                    errt = open(os.path.join(refdir, "deploy.err")).read().strip() if os.path.exists(
                        os.path.join(refdir, "deploy.err")) else ""
                    problems.append("docker stack deploy (fake engine) exit %s: %s" % (drc, errt[-300:]))
            rc3, o3, e3 = run([binp, "lint", "stack.yml", "--format", "json"], d)
            try:
                lint = json.loads(o3)
                for dg in lint["diagnostics"]:
                    if dg["severity"] == "error" or dg["rule"][:3] in ("CS5", "CS6"):
                        problems.append("lint %s: %s" % (dg["rule"], dg["message"]))
            except ValueError:
                problems.append("lint: no json: " + e3.strip()[-200:])
            # a file docker stack deploy accepted: only lines lint points at change
            deploy_rc = os.path.join(a.corpus, "ref", i, "deploy.rc")
            if os.path.exists(deploy_rc) and open(deploy_rc).read().strip() == "0":
                rck, _, ek = run([binp, "migrate", "-c", i + ".yml", "--keep-variables", "-o", "kept.yml",
                                  "--format", "gnu"], d)
                kept = os.path.join(d, "kept.yml")
                if rck == 1:
                    kept_needs.append((i, [x for x in ek.splitlines() if ": needs-you: " in x]))
                elif rck != 0:
                    problems.append("migrate --keep-variables exit %s: %s" % (rck, ek.strip()[-300:]))
                if rck == 0 and os.path.exists(kept):
                    rc4, o4, e4 = run([binp, "lint", i + ".yml", "--format", "json", "--no-interpolate"], d)
                    spans = []
                    try:
                        for dg in json.loads(o4)["diagnostics"]:
                            spans.append((dg["line"], dg["end_line"]))
                    except (ValueError, KeyError):
                        pass
                    old = open(os.path.join(d, i + ".yml"), encoding="utf-8", errors="replace").read()
                    new = open(kept, encoding="utf-8", errors="replace").read()
                    olines = old.splitlines()
                    flagged = flagged_lines(olines, spans)
                    changed, inserted = changed_lines(old, new)
                    for ln in sorted(changed):
                        if ln not in flagged:
                            problems.append("line %d changed, outside every block lint points at" % ln)
                            break
                    # keys migrate adds (deploy.restart_policy...) go at the end of the service
                    # a finding is about
                    for ln in sorted(inserted):
                        svc = service_of(olines, ln) or service_of(olines, ln + 1)
                        if not svc or not any(svc[0] <= f <= svc[1] for f, _ in spans):
                            problems.append("lines inserted after line %d, in no service lint points at" % ln)
                            break
            if problems:
                counts["bad"] += 1
                bad.append((i, problems))
            elif os.path.exists(deploy_rc) and open(deploy_rc).read().strip() != "0":
                counts["rescued"] += 1
            elif a.verbose:
                print("%s ok" % i)
    finally:
        if not a.keep:
            shutil.rmtree(root, ignore_errors=True)
    for i, why in needs:
        print("%s needs-you: %s" % (i, " | ".join(w[:160] for w in why[:4])))
    for i, why in kept_needs:
        print("%s (accepted by docker) needs-you with --keep-variables: %s" % (i, " | ".join(w[:200] for w in why[:3])))
    for i, problems in bad:
        print("%s BAD: %s" % (i, " | ".join(p[:300] for p in problems[:4])))
    print("migrate corpus: %d files, %d written and accepted, %d need the user, %d written but refused, "
          "%d trouble" % (len(ids), counts["written"] - counts["bad"], counts["needs-you"], counts["bad"],
                          counts["trouble"]))
    refused = sum(1 for i in ids if os.path.exists(os.path.join(a.corpus, "ref", i, "deploy.rc")) and
                  open(os.path.join(a.corpus, "ref", i, "deploy.rc")).read().strip() != "0")
    print("of the %d files docker stack deploy refused, %d written by migrate and accepted" %
          (refused, counts["rescued"]))
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
