#!/usr/bin/env python3
"""run.py -- compose2swarm's benchmark: every command as a ratio to libyaml's bare parse.

    python3 bench/run.py --bin ./compose2swarm --floor bench/floor [--quick] [--out FILE]

Inputs (bench/gen_compose.py, seed 42): N = 10, 100, 1,000, 10,000 and 100,000
services, with anchors and --flat; plus 200 small files linted in one call
(the pre-commit case: the real corpus when /work/shared/corpus/real exists,
else 200 generated files of 1 to 5 services).

Each command runs paired with the floor (bench/floor.c: libyaml's event
parser counting events) alternating A B A B, and each figure is the median of
the pair ratios, with their spread, because the machines are shared and
noisy. Peak RSS comes from wait4's rusage (taken by bench/measure.c, which starts each command: see there why). Instruction counts come from
valgrind --tool=callgrind at N = 1,000 (repeatable on a noisy machine).

--quick (CI): N <= 1,000, fewer pairs, no docker; exits 1 when any figure is
more than twice its target. The full run writes bench/RESULTS.md.
Standard library only.
"""
import argparse
import datetime
import hashlib
import json
import importlib.util
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = "/work/shared/corpus/real"
SEED = 42
SIZES = (10, 100, 1000, 10000, 100000)
QUICK_SIZES = (10, 100, 1000)
TARGET_N = 10000           # the N the targets are stated at
QUICK_TARGET_N = 1000
SMALL_FILES = 200
MiB = 1 << 20

# Targets (issue 8). Ratios are to the floor measured in the same run.
RATIO_TARGET = {
    "lint": 1.3,
    "lint --format json": 1.3,
    "convert --to yaml": 1.8,
    "convert --to api": 1.8,
}
LINEAR_TARGET = 11.0        # time(100,000) / time(10,000)
SMALL_TARGET_S = 0.1        # 200 small files in one lint call
CALLGRIND_TARGET = 1.4      # lint instructions / floor instructions


def rss_limit(nbytes):
    return 2 * nbytes + 4 * MiB


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


# ---- running one process ----------------------------------------------------

class Run:
    __slots__ = ("wall", "cpu", "rss", "rc", "err")

    def __init__(self, wall, cpu, rss, rc, err):
        self.wall, self.cpu, self.rss, self.rc, self.err = wall, cpu, rss, rc, err


MEASURE = None   # the bench/measure binary: see measure.c for why it is needed


def run_once(argv, env):
    """Run argv with stdout to /dev/null, through bench/measure: wall time, CPU time
    and peak RSS come from its wait4 on the command."""
    with open(os.devnull, "rb") as devin, open(os.devnull, "wb") as devout, \
            tempfile.TemporaryFile() as errf, tempfile.NamedTemporaryFile("r", suffix=".rusage") as res:
        actions = [(os.POSIX_SPAWN_DUP2, devin.fileno(), 0),
                   (os.POSIX_SPAWN_DUP2, devout.fileno(), 1),
                   (os.POSIX_SPAWN_DUP2, errf.fileno(), 2)]
        pid = os.posix_spawn(MEASURE, [MEASURE, res.name] + argv, env, file_actions=actions)
        _, status, _ = os.wait4(pid, 0)
        errf.seek(0)
        err = errf.read(8192).decode("utf-8", "replace")
        fields = res.read().split()
    if os.waitstatus_to_exitcode(status) != 0 or len(fields) != 4:
        return Run(0.0, 0.0, 0, 127, err or "measure failed")
    wall, cpu, rss, rc = float(fields[0]), float(fields[1]), int(fields[2]) * 1024, int(fields[3])
    return Run(wall, cpu, rss, rc, err)


class Measure:
    """One command on one input, paired with the floor."""

    def __init__(self, command, inp):
        self.command, self.input = command, inp
        self.state = "ok"        # ok | missing | error | skipped
        self.note = ""
        self.pairs = []          # (Run of the command, Run of the floor)

    def ratios(self):
        return [a.wall / b.wall for a, b in self.pairs]

    def cpu_ratios(self):
        return [a.cpu / b.cpu for a, b in self.pairs if b.cpu > 0]

    def median_ratio(self):
        return statistics.median(self.ratios())

    def wall(self):
        return statistics.median(a.wall for a, _ in self.pairs)

    def floor_wall(self):
        return statistics.median(b.wall for _, b in self.pairs)

    def min_wall(self):
        return min(a.wall for a, _ in self.pairs)

    def min_floor_wall(self):
        return min(b.wall for _, b in self.pairs)

    def rss(self):
        return max(a.rss for a, _ in self.pairs)

    def floor_rss(self):
        return max(b.rss for _, b in self.pairs)

    def mbps(self):
        return self.input.nbytes / self.wall() / 1e6


def is_missing(r):
    return r.rc == 2 and "not available" in r.err


def measure(command, argv, floor_argv, inp, pairs, env, ok_rc, retry_spread=None):
    """pairs A B runs; when retry_spread is given and the pair ratios spread wider
    than that factor (max/min: other processes got in the way), as many again."""
    m = Measure(command, inp)
    total = pairs
    i = 0
    while i < total:
        a = run_once(argv, env)
        if i == 0 and is_missing(a):
            m.state, m.note = "missing", a.err.strip().splitlines()[0] if a.err.strip() else "not available"
            return m
        if a.rc not in ok_rc:
            m.state = "error"
            first = a.err.strip().splitlines()[:1]
            m.note = "exit %d%s" % (a.rc, (": " + first[0][:160]) if first else "")
            return m
        b = run_once(floor_argv, env)
        if b.rc not in (0, 1):
            m.state, m.note = "error", "the floor failed: exit %d %s" % (b.rc, b.err.strip()[:160])
            return m
        m.pairs.append((a, b))
        i += 1
        if i == pairs and retry_spread and total == pairs:
            r = m.ratios()
            if max(r) / min(r) > retry_spread:
                total = 2 * pairs
                m.note = "spread over %.1fx after %d pairs: %d more" % (retry_spread, pairs, pairs)
    return m


# ---- inputs -------------------------------------------------------------------

class Input:
    def __init__(self, name, files, n=None, flat=False):
        self.name, self.files, self.n, self.flat = name, files, n, flat
        self.nbytes = sum(os.path.getsize(f) for f in files)


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_compose", os.path.join(HERE, "gen_compose.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def generator_digest():
    with open(os.path.join(HERE, "gen_compose.py"), "rb") as f:
        return hashlib.sha1(f.read()).hexdigest()[:10]


def write_if_absent(path, make_text):
    if not os.path.exists(path):
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(make_text())
        os.replace(tmp, path)
    return path


def generated_input(gen, workdir, n, flat):
    name = "compose-%d%s.yml" % (n, "-flat" if flat else "")
    path = os.path.join(workdir, name)
    if not os.path.exists(path):
        log("  generating %s" % name)
    write_if_absent(path, lambda: gen.Gen(n, SEED, flat).generate())
    return Input("N=%d%s" % (n, " flat" if flat else ""), [path], n, flat)


def small_files_input(gen, workdir):
    """200 small files: the real corpus (cycled to 200) if present, else generated ones."""
    d = os.path.join(workdir, "small")
    os.makedirs(d, exist_ok=True)
    real = sorted(f for f in os.listdir(CORPUS) if f.endswith(".yml")) if os.path.isdir(CORPUS) else []
    files = []
    if real:
        for i in range(SMALL_FILES):
            src = os.path.join(CORPUS, real[i % len(real)])
            dst = os.path.join(d, "real-%03d.yml" % i)
            if not os.path.exists(dst):
                shutil.copyfile(src, dst)
            files.append(dst)
        what = "the %d real corpus files, cycled to 200" % len(real)
    else:
        for i in range(SMALL_FILES):
            dst = os.path.join(d, "gen-%03d.yml" % i)
            write_if_absent(dst, lambda i=i: gen.Gen(1 + i % 5, SEED + i).generate())
            files.append(dst)
        what = "200 generated files of 1 to 5 services (no real corpus on this machine)"
    inp = Input("200 small files", files)
    inp.what = what
    return inp


# ---- commands -------------------------------------------------------------------

def commands(binary):
    def lint(extra):
        return lambda files: [binary, "lint"] + extra + files

    def convert(to):
        return lambda files: [binary, "convert"] + [x for f in files for x in ("-c", f)] + ["--to", to]

    return [
        ("lint", lint([])),
        ("lint --format json", lint(["--format", "json"])),
        ("convert --to yaml", convert("yaml")),
        ("convert --to api", convert("api")),
    ]


# ---- plan: the same stack against a state ----------------------------------------

PLAN_SIZES = (1000, 10000)


def daemonlike():
    spec = importlib.util.spec_from_file_location("daemonlike", os.path.join(HERE, "..", "tests", "plan",
                                                                             "daemonlike.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def plan_bodies(binary, inp, env):
    p = subprocess.run([binary, "convert", "-c", inp.files[0], "--to", "api", "--stack", "bench"],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    return json.loads(p.stdout)


def plan_state(binary, inp, workdir, env):
    """A state for plan: the bodies `convert --to api` makes for the input,
    as a daemon stores them (tests/plan/daemonlike.py), printed as `docker
    inspect` prints them. Next to the input, made again each run from this
    binary's bodies: one kept from an older binary could differ, and plan
    must find nothing to change (its exit status 0 is checked)."""
    path = os.path.join(workdir, os.path.basename(inp.files[0]) + ".state.json")
    state = daemonlike().state(plan_bodies(binary, inp, env))
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f, indent=4)
    os.replace(tmp, path)
    return path


class FakeDaemon:
    """scripts/reference/fakedockerd.py on a private socket, holding the stack."""

    def __init__(self, workdir):
        self.dir = tempfile.mkdtemp(prefix="c2s-bench-fake.", dir=workdir)
        self.sock = os.path.join(self.dir, "d.sock")
        self.log = os.path.join(self.dir, "log.jsonl")
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "scripts", "reference", "fakedockerd.py"),
                                      "--socket", self.sock, "--log", self.log],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if "READY" not in (self.proc.stdout.readline() or ""):
            self.stop()
            raise RuntimeError("fakedockerd did not start")

    def requests(self):
        with open(self.log) as f:
            return [json.loads(line) for line in f]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def plan_argv(binary, files, state=None, host=None):
    return [binary, "plan", "--resolve-image", "never"] + [x for f in files for x in ("-c", f)] + \
        (["--state", state, "--api-version", "1.41"] if state else ["-H", "unix://" + host]) + ["bench"]


def docker_argv(files):
    return ["docker", "stack", "config"] + [x for f in files for x in ("-c", f)]


PROFILES = {}   # command -> [(inclusive instructions, function)], from callgrind_annotate


def profile_of(out):
    """The inclusive instruction counts of our own functions (src/...) and of
    libyaml's parser, largest first: where the time goes."""
    if not shutil.which("callgrind_annotate"):
        return []
    p = subprocess.run(["callgrind_annotate", "--inclusive=yes", out], capture_output=True, text=True)
    rows, seen = [], set()
    for line in p.stdout.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+(\S+?):(\S+)", line)
        if not m:
            continue
        ir, path, fn = int(m.group(1).replace(",", "")), m.group(2), m.group(3)
        fn = fn.split("'")[0]
        if fn == "yaml_parser_parse":
            name = "libyaml yaml_parser_parse (the floor's work)"
        elif "/src/" in path and fn not in ("main", "c2s_lint", "c2s_convert"):
            name = "%s %s" % (path.split("/src/")[-1], fn)
        else:
            continue
        if name not in seen:
            seen.add(name)
            rows.append((ir, name))
    return sorted(rows, reverse=True)[:16]


def callgrind(argv, env, profile=None):
    """Total instructions (Ir) of one run under callgrind."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "cg.out")
        p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + argv,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        if profile and os.path.exists(out):
            PROFILES[profile] = profile_of(out)
    err = p.stderr.decode("utf-8", "replace")
    m = re.search(r"Collected\s*:\s*(\d+)", err)
    if not m:
        return None, "callgrind: %s" % (err.strip().splitlines()[-1:] or ["no output"])[0]
    return int(m.group(1)), "exit %d" % p.returncode


# ---- machine --------------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_commit():
    try:
        root = subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", HERE, "status", "--porcelain", "--untracked-files=no",
                                "--", ".", ":!RESULTS.md", ":(top)src", ":(top)include"],
                               capture_output=True, text=True).stdout.strip()
        return root + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


def tool_version(argv):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return (p.stdout.strip().splitlines() or ["?"])[0]
    except (OSError, subprocess.TimeoutExpired):
        return None


# ---- report ---------------------------------------------------------------------

def fmt_ratio(m):
    if m.state != "ok":
        return m.state.upper()
    r = m.ratios()
    return "%.2fx (%.2f-%.2f)" % (m.median_ratio(), min(r), max(r))


def fmt_mib(n):
    return "%.1f MiB" % (n / MiB)


class Target:
    def __init__(self, what, value, limit, ok, note=""):
        self.what, self.value, self.limit, self.ok, self.note = what, value, limit, ok, note

    def verdict(self):
        return {True: "PASS", False: "FAIL", None: "n/a"}[self.ok]


PLAN_KINDS = 4  # services, networks, secrets, configs: plan lists each once, after the ping


def evaluate(results, small, cg, quick, allow_missing, plan_requests=()):
    """The targets of issue 8; in quick mode at N = 1,000 with every limit doubled."""
    k = 2.0 if quick else 1.0
    tn = QUICK_TARGET_N if quick else TARGET_N
    targets = []

    def missing_ok(m):
        return None if allow_missing else False

    by = {(m.command, m.input.name): m for m in results}
    for cmd, lim in RATIO_TARGET.items():
        for flat in (False, True):
            name = "N=%d%s" % (tn, " flat" if flat else "")
            m = by.get((cmd, name))
            what = "`%s` at %s: time / floor" % (cmd, name)
            if not m or m.state == "skipped":
                targets.append(Target(what, "not run", "<= %.2fx" % (lim * k), None, m.note if m else ""))
            elif m.state == "missing":
                targets.append(Target(what, "missing", "<= %.2fx" % (lim * k), missing_ok(m), m.note))
            elif m.state == "error":
                targets.append(Target(what, "error", "<= %.2fx" % (lim * k), False, m.note))
            else:
                targets.append(Target(what, fmt_ratio(m), "<= %.2fx" % (lim * k), m.median_ratio() <= lim * k))
    for cmd in RATIO_TARGET:
        for flat in (False, True):
            name = "N=%d%s" % (tn, " flat" if flat else "")
            m = by.get((cmd, name))
            if not m or m.state != "ok":
                continue
            lim = rss_limit(m.input.nbytes) * k
            targets.append(Target("`%s` at %s: peak RSS (input %s)" % (cmd, name, fmt_mib(m.input.nbytes)),
                                  fmt_mib(m.rss()), "<= %s" % fmt_mib(lim), m.rss() <= lim))
    if not quick:
        for cmd in RATIO_TARGET:
            for flat in (False, True):
                sfx = " flat" if flat else ""
                a, b = by.get((cmd, "N=10000" + sfx)), by.get((cmd, "N=100000" + sfx))
                what = "`%s`%s: time(100,000) / time(10,000)" % (cmd, sfx and " (flat)")
                if not a or not b or a.state != "ok" or b.state != "ok":
                    st = (b.state if b else "not run") if a and a.state == "ok" else (a.state if a else "not run")
                    ok = None if st in ("missing", "skipped", "not run") else False
                    if st == "missing" and not allow_missing:
                        ok = False
                    targets.append(Target(what, st, "<= %g" % LINEAR_TARGET, ok))
                    continue
                # Through the same-run ratios to the floor, which is linear by
                # construction (libyaml keeps no more than a few tokens): the
                # command's time grows like the floor's times its own ratio's
                # growth. Raw seconds, even the fastest of each, are at the
                # mercy of whatever else the machine runs; they are in the note.
                size = b.input.nbytes / a.input.nbytes
                lin = size * b.median_ratio() / a.median_ratio()
                raw = b.min_wall() / a.min_wall()
                flin = b.min_floor_wall() / a.min_floor_wall()
                targets.append(Target(what, "%.2f" % lin, "<= %g" % LINEAR_TARGET, lin <= LINEAR_TARGET,
                                      "%.2f x size ratio %.2f; raw fastest seconds: %.2f, floor's: %.2f"
                                      % (b.median_ratio() / a.median_ratio(), size, raw, flin)))
    if small:
        lim = SMALL_TARGET_S * k
        if small.state == "ok":
            # An absolute time: in --quick (CI, shared machines) the fastest run counts.
            t = small.min_wall() if quick else small.wall()
            targets.append(Target("`lint` on %d small files in one call (%s)" % (SMALL_FILES,
                                  "fastest run" if quick else "median"),
                                  "%.3f s" % t, "<= %.2f s" % lim, t <= lim,
                                  "floor %.3f s" % (small.min_floor_wall() if quick else small.floor_wall())))
        else:
            targets.append(Target("`lint` on %d small files in one call" % SMALL_FILES, small.state,
                                  "<= %.2f s" % lim, False, small.note))
    for m in results:
        if m.command.startswith("plan") and m.state in ("ok", "error"):
            targets.append(Target("`%s` at %s: the stack as a daemon stores it plans as no changes" % (m.command, m.input.name),
                                  "exit 0" if m.state == "ok" else m.note, "exit 0", m.state == "ok"))
    for inp, per_run, methods in plan_requests:
        lim = PLAN_KINDS + 1
        targets.append(Target("`plan` against fakedockerd at %s: requests per run (%s)" % (inp.name, "/".join(methods)),
                              "%g" % per_run, "<= %d, GET/HEAD only" % lim,
                              per_run <= lim and set(methods) <= {"GET", "HEAD"}))
    if cg is not None:
        floor_ir = cg.get("floor")
        lint_ir = cg.get("lint")
        lim = CALLGRIND_TARGET * k
        if floor_ir and lint_ir:
            r = lint_ir / floor_ir
            targets.append(Target("callgrind at N=1000: `lint` / floor instructions", "%.3fx" % r,
                                  "<= %.2fx" % lim, r <= lim))
        else:
            targets.append(Target("callgrind at N=1000: `lint` / floor instructions", "not measured",
                                  "<= %.2fx" % lim, None))
    return targets


def write_report(out, meta, inputs, results, dock, small, cg, cg_bytes, targets, notes, quick):
    L = []
    w = L.append
    bullets = []  # the headline, also quoted in README.md
    head = [m for m in results if m.input.name == "N=%d" % TARGET_N and m.state == "ok"]
    w("# Benchmark results%s" % (" (quick run)" if quick else ""))
    w("")
    w("Written by `bench/run.py` (`make bench`); see `bench/README.md` for what is measured.")
    w("")
    w("## Headline")
    w("")
    if head:
        inp = head[0].input
        w("On the %s file with %s services (gen_compose.py, anchors), median of paired runs, "
          "ratio to libyaml's bare event parse (the floor, %.0f MB/s here):"
          % (fmt_mib(inp.nbytes), "{:,}".format(inp.n), inp.nbytes / head[0].floor_wall() / 1e6))
        w("")
        for m in head:
            bullets.append("- `%s`: **%.2fx** the floor, %.0f MB/s, peak RSS %s" % (m.command, m.median_ratio(), m.mbps(),
                                                                      fmt_mib(m.rss())))
        dk = [m for m in dock if m.input.name == "N=%d" % TARGET_N and m.state == "ok"]
        if dk:
            bullets.append("- `docker stack config` (the reference): **%.0fx** the floor, peak RSS %s"
              % (dk[0].median_ratio(), fmt_mib(dk[0].rss())))
        if small and small.state == "ok":
            bullets.append("- `lint` on %d small files in one call: %.3f s" % (SMALL_FILES, small.wall()))
        if cg and cg.get("floor") and cg.get("lint"):
            bullets.append("- instructions (callgrind, N=1,000): lint %.0f per input byte, the floor %.0f: %.2fx"
              % (cg["lint"] / cg_bytes, cg["floor"] / cg_bytes, cg["lint"] / cg["floor"]))
        missing = sorted({m.command for m in results if m.state == "missing"})
        if missing:
            bullets.append("- not measured, the command is not available in this build: %s"
              % ", ".join("`%s`" % c for c in missing))
        judged = [t for t in targets if t.ok is not None]
        failed = [t for t in judged if not t.ok]
        bullets.append("- targets met: %d of %d%s" % (len(judged) - len(failed), len(judged),
                       (" (not met: %s)" % "; ".join(t.what for t in failed)) if failed else ""))
        for b in bullets:
            w(b)
    else:
        w("(no N=%d measurement in this run)" % TARGET_N)
    w("")
    w("## Targets")
    w("")
    w("| target | measured | limit | verdict | note |")
    w("|---|---|---|---|---|")
    for t in targets:
        w("| %s | %s | %s | %s | %s |" % (t.what, t.value, t.limit, t.verdict(), t.note))
    w("")
    w("## Machine")
    w("")
    for k, v in meta:
        w("- %s: %s" % (k, v))
    w("")
    w("## Every measurement")
    w("")
    w("Ratio: median of (command wall time / floor wall time) over the pairs, (min-max) of the pairs; "
      "when they spread over 1.5x, as many pairs again were run. "
      "Fastest / fastest: the command's fastest run over the floor's fastest. "
      "CPU ratio: the median ratio of user+system time. "
      "MB/s: input bytes / median wall time.")
    w("")
    w("| input | bytes | command | pairs | ratio (spread) | fastest / fastest | CPU ratio | median s | floor s | MB/s | peak RSS | floor RSS | note |")
    w("|---|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for m in results + ([small] if small else []) + dock:
        if m.state == "ok":
            w("| %s | %s | `%s` | %d | %s | %.2fx | %.2fx | %.4f | %.4f | %.1f | %s | %s | %s |" % (
                m.input.name, "{:,}".format(m.input.nbytes), m.command, len(m.pairs), fmt_ratio(m),
                m.min_wall() / m.min_floor_wall(),
                statistics.median(m.cpu_ratios()) if m.cpu_ratios() else 0, m.wall(), m.floor_wall(),
                m.mbps(), fmt_mib(m.rss()), fmt_mib(m.floor_rss()), m.note))
        else:
            w("| %s | %s | `%s` | 0 | %s | | | | | | | | %s |" % (
                m.input.name, "{:,}".format(m.input.nbytes), m.command, m.state.upper(), m.note))
    w("")
    if cg:
        w("## Instructions (callgrind, N=1,000, %s bytes)" % "{:,}".format(cg_bytes))
        w("")
        w("| program | instructions | per input byte | / floor |")
        w("|---|---:|---:|---:|")
        for k, v in cg.items():
            if isinstance(v, int):
                w("| `%s` | %s | %.1f | %.3fx |" % (k, "{:,}".format(v), v / cg_bytes, v / cg["floor"]))
            else:
                w("| `%s` | %s | | |" % (k, v))
        w("")
    if PROFILES and cg:
        w("## Where the instructions go (callgrind, N=1,000, inclusive)")
        w("")
        w("Functions of ours (src/) and libyaml's parser, each with everything it calls, "
          "as a share of the floor's total: what a command costs beyond the floor is below them.")
        w("")
        for name, rows in PROFILES.items():
            if not rows or not isinstance(cg.get(name), int):
                continue
            w("`%s` (%s instructions, %.2fx the floor):" % (name, "{:,}".format(cg[name]), cg[name] / cg["floor"]))
            w("")
            w("| function | instructions | / floor |")
            w("|---|---:|---:|")
            for ir, fn in rows:
                w("| %s | %s | %.3f |" % (fn, "{:,}".format(ir), ir / cg["floor"]))
            w("")
    if notes:
        w("## Notes")
        w("")
        for n in notes:
            w("- %s" % n)
        w("")
    text = "\n".join(L)
    meta_d = dict(meta)
    bullets.append("- (%s, commit %s; %s)" % (meta_d.get("date", "?"), meta_d.get("commit", "?"),
                                              "see bench/RESULTS.md for every figure and target"))
    if out == "-":
        sys.stdout.write(text)
    else:
        with open(out, "w") as f:
            f.write(text)
        log("wrote %s" % out)
    return bullets


def quote_in_readme(path, bullets):
    """Put the headline between README.md's bench-headline markers."""
    begin, end = "<!-- bench-headline -->", "<!-- /bench-headline -->"
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        log("bench: cannot read %s: %s; not updated" % (path, e.strerror))
        return
    i, j = text.find(begin), text.find(end)
    if i < 0 or j < i:
        log("bench: %s has no %s ... %s markers; not updated" % (path, begin, end))
        return
    text = text[:i + len(begin)] + "\n" + "\n".join(bullets) + "\n" + text[j:]
    with open(path, "w") as f:
        f.write(text)
    log("quoted the headline in %s" % path)


# ---- main -----------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="./compose2swarm", help="the compose2swarm binary")
    ap.add_argument("--floor", default=None, help="the floor binary (default: build bench/floor.c with cc)")
    ap.add_argument("--measure", default=None, help="the bench/measure binary (default: build measure.c with cc)")
    ap.add_argument("--quick", action="store_true", help="N <= 1,000, fewer pairs, no docker; "
                    "exit 1 if any figure is more than twice its target")
    ap.add_argument("--out", default=None, help="markdown report (default: bench/RESULTS.md, "
                    "or standard output with --quick); '-' for standard output")
    ap.add_argument("--readme", default=None, help="README.md to quote the headline in (between "
                    "<!-- bench-headline --> markers)")
    ap.add_argument("--workdir", default=None, help="where generated inputs are kept between runs")
    ap.add_argument("--allow-missing", action="store_true",
                    help="a command that says it is not available yet is reported, not failed")
    ap.add_argument("--pairs", type=int, default=None, help="pairs per measurement (default 5; 3 at N=100,000)")
    ap.add_argument("--sizes", default=None, help="comma-separated N to generate (default 10,...,100000; "
                    "quick 10,100,1000)")
    ap.add_argument("--nice", type=int, default=0,
                    help="run the measured programs at this niceness (e.g. -10, needs privilege; both the "
                    "command and the floor get it: fewer pairs spoilt by the neighbours on a shared machine)")
    ap.add_argument("--target-pairs", type=int, default=9,
                    help="pairs at N=10,000, where the targets are judged (default 9)")
    ap.add_argument("--no-docker", action="store_true")
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--callgrind-linearity", action="store_true",
                    help="also count lint's and the floor's instructions at N=10,000 (slow)")
    ap.add_argument("--budget", type=float, default=480,
                    help="seconds: an N=100,000 measurement predicted to end later is skipped "
                    "(make bench must stay under 10 minutes)")
    a = ap.parse_args()

    started = time.time()
    niceness = "unchanged"
    if a.nice:
        try:
            niceness = "%d" % os.nice(a.nice)
        except OSError as e:
            niceness = "unchanged (%s)" % e.strerror
    binary = os.path.abspath(a.bin)
    if not os.access(binary, os.X_OK):
        ap.error("no executable %s (build first, or give --bin)" % binary)
    workdir = a.workdir or os.path.join(tempfile.gettempdir(), "c2s-bench-%d-%s" % (os.getuid(), generator_digest()))
    os.makedirs(workdir, exist_ok=True)
    floor = a.floor
    if not floor:
        floor = os.path.join(workdir, "floor")
        subprocess.run([os.environ.get("CC", "cc"), "-O2", "-o", floor, os.path.join(HERE, "floor.c"), "-lyaml"],
                       check=True)
    floor = os.path.abspath(floor)
    global MEASURE
    MEASURE = a.measure
    if not MEASURE:
        MEASURE = os.path.join(workdir, "measure")
        subprocess.run([os.environ.get("CC", "cc"), "-O2", "-o", MEASURE, os.path.join(HERE, "measure.c")],
                       check=True)
    MEASURE = os.path.abspath(MEASURE)
    out = a.out or ("-" if a.quick else os.path.join(HERE, "RESULTS.md"))
    pairs = a.pairs or 5
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
           "NO_COLOR": "1", "LC_ALL": "C"}
    notes = []
    load0 = os.getloadavg()

    gen = load_generator()
    sizes = tuple(int(x) for x in a.sizes.split(",")) if a.sizes else QUICK_SIZES if a.quick else SIZES
    log("bench: inputs in %s" % workdir)
    inputs = [generated_input(gen, workdir, n, flat) for n in sizes for flat in (False, True)]
    small_in = small_files_input(gen, workdir)

    results, dock = [], []
    # Small files: the pre-commit case, lint only.
    log("bench: %s" % small_in.name)
    small = measure("lint", [binary, "lint"] + small_in.files, [floor] + small_in.files, small_in, pairs,
                    env, (0, 1, 2))
    notes.append("%s: %s. Exit status 2 is accepted there: some real files are broken on purpose." %
                 (small_in.name, small_in.what))

    cmds = commands(binary)

    def run_input(inp):
        for name, argv in cmds:
            n_pairs = pairs
            if inp.n == TARGET_N:
                n_pairs = max(pairs, a.target_pairs)
            big = inp.n >= 100000
            if big:
                # 3 pairs, if the time left allows: predicted from the same
                # command at 10,000 (seconds grow tenfold), so that make bench
                # stays under its --budget.
                n_pairs = 3
                base = by_name.get((name, "N=10000" + (" flat" if inp.flat else "")))
                if base and base.state == "ok":
                    predicted = n_pairs * (base.wall() + base.floor_wall()) * 10 * 1.2
                    if time.time() - started + predicted > a.budget:
                        m = Measure(name, inp)
                        m.state = "skipped"
                        m.note = "%.0f s predicted, over --budget %g s" % (predicted, a.budget)
                        results.append(m)
                        log("bench: %-8s %s skipped: %s" % (inp.name, name, m.note))
                        continue
            log("bench: %-8s %s" % (inp.name, name))
            m = measure(name, argv(inp.files), [floor] + inp.files, inp, n_pairs, env, (0, 1),
                        None if big else 1.5)
            results.append(m)
            by_name[(name, inp.name)] = m
            if m.state == "ok":
                log("        %s  %.0f MB/s  %s" % (fmt_ratio(m), m.mbps(), fmt_mib(m.rss())))
            else:
                log("        %s %s" % (m.state, m.note))

    by_name = {}
    for inp in inputs:
        if inp.n < 100000:
            run_input(inp)

    # plan: the stack against a state of its own, from a file and from a fake
    # daemon (no time target; its requests are counted: the ping and one list
    # per kind, whatever the stack's size)
    plan_requests = []
    for inp in inputs:
        if inp.flat or inp.n not in PLAN_SIZES:
            continue
        state = plan_state(binary, inp, workdir, env)
        log("bench: %-8s plan --state" % inp.name)
        m = measure("plan --state", plan_argv(binary, inp.files, state=state), [floor] + inp.files, inp,
                    pairs, env, (0,), 1.5)
        results.append(m)
        log("        %s  %s" % ((fmt_ratio(m), fmt_mib(m.rss())) if m.state == "ok" else (m.state, m.note)))
        if inp.n != (QUICK_TARGET_N if a.quick else PLAN_SIZES[0]):
            continue
        try:
            fake = FakeDaemon(workdir)
        except (OSError, RuntimeError) as e:
            notes.append("plan against fakedockerd not measured: %s" % e)
            continue
        try:
            daemonlike().post(fake.sock, plan_bodies(binary, inp, env))
            before = len(fake.requests())
            log("bench: %-8s plan (fakedockerd)" % inp.name)
            m = measure("plan (fakedockerd)", plan_argv(binary, inp.files, host=fake.sock), [floor] + inp.files,
                        inp, pairs, env, (0,), 1.5)
            results.append(m)
            log("        %s  %s" % ((fmt_ratio(m), fmt_mib(m.rss())) if m.state == "ok" else (m.state, m.note)))
            reqs = fake.requests()[before:]
            runs = max(1, len(m.pairs))
            plan_requests.append((inp, len(reqs) / runs, sorted({r["method"] for r in reqs})))
        finally:
            fake.stop()

    # Instruction counts: repeatable where wall-clock time is not.
    cg, cg_bytes, cg_linear = None, 0, []
    if not a.no_callgrind and shutil.which("valgrind"):
        cg_in = next((i for i in inputs if i.n == 1000 and not i.flat), None)
        if cg_in:
            cg, cg_bytes = {}, cg_in.nbytes
            log("bench: callgrind at %s" % cg_in.name)
            ir, why = callgrind([floor] + cg_in.files, env)
            cg["floor"] = ir if ir else why
            for name, argv in cmds:
                if any(m.command == name and m.state == "missing" for m in results):
                    cg[name] = "missing"
                    continue
                ir, why = callgrind(argv(cg_in.files), env, profile=name)
                cg[name] = ir if ir else why
            if not isinstance(cg.get("floor"), int):
                notes.append("callgrind failed on the floor: %s" % cg["floor"])
                cg = {k: v for k, v in cg.items() if k != "floor"} or None
        # Optional: instructions at N=10,000 too, for a linearity figure no
        # neighbour can disturb (about two minutes per command on 2 cores).
        big_in = next((i for i in inputs if i.n == 10000 and not i.flat), None)
        if cg and a.callgrind_linearity and big_in:
            log("bench: callgrind at %s (linearity)" % big_in.name)
            size = big_in.nbytes / cg_bytes
            for name, argv in [("floor", lambda f: [floor] + f)] + [(n, v) for n, v in cmds if n == "lint"]:
                if not isinstance(cg.get(name), int):
                    continue
                ir, why = callgrind(argv(big_in.files), env)
                if ir:
                    cg_linear.append((name, ir, ir / cg[name], size))
    elif not a.no_callgrind:
        notes.append("valgrind is not installed: no instruction counts.")

    # The reference, side by side (slow: one pair at 10,000).
    if not a.quick and not a.no_docker and shutil.which("docker"):
        for inp in inputs:
            if inp.flat or inp.n > 10000:
                continue
            log("bench: %-8s docker stack config" % inp.name)
            m = measure("docker stack config", docker_argv(inp.files), [floor] + inp.files, inp,
                        1 if inp.n >= 10000 else 3, env, (0,))
            dock.append(m)
            if m.state == "ok":
                log("        %s  %s" % (fmt_ratio(m), fmt_mib(m.rss())))
    elif not a.quick and not a.no_docker:
        notes.append("docker is not installed: no side-by-side with `docker stack config`.")

    # Last, the largest inputs, as far as the time budget goes.
    for inp in inputs:
        if inp.n >= 100000:
            run_input(inp)
    if any(m.state == "skipped" for m in results):
        notes.append("Some N=100,000 measurements were skipped to keep make bench under --budget %g s." % a.budget)

    for name, ir, growth, size in cg_linear:
        notes.append("callgrind linearity, `%s`: %s instructions at N=10,000, %.3f times those at N=1,000 "
                     "for %.3f times the bytes." % (name, "{:,}".format(ir), growth, size))
    load1 = os.getloadavg()
    targets = evaluate(results, small, cg, a.quick, a.allow_missing, plan_requests)
    meta = [
        ("date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("commit", git_commit()),
        ("binary", "%s (%s)" % (os.path.relpath(binary), tool_version([binary, "--version"]) or "?")),
        ("machine", " ".join(platform.uname()[i] for i in (0, 2, 4))),
        ("CPU", "%s, nproc %d" % (cpu_model(), os.cpu_count() or 0)),
        ("load average (1 min) at start / end", "%.2f / %.2f" % (load0[0], load1[0])),
        ("python", platform.python_version()),
        ("niceness of the measured programs", niceness),
    ]
    dv = tool_version(["docker", "--version"]) if shutil.which("docker") else None
    if dv:
        meta.append(("docker", dv))
    meta.append(("run time", "%.0f s" % (time.time() - started)))
    if load0[0] > 1.0 or load1[0] > 1.0:
        notes.append("The machine was busy (load average above 1 on %d cores): wall-clock ratios are noisy; "
                     "the CPU ratios and the callgrind counts are the steadier figures." % (os.cpu_count() or 0))
    bullets = write_report(out, meta, inputs, results, dock, small, cg, cg_bytes, targets, notes, a.quick)
    if a.readme and not a.quick:
        quote_in_readme(a.readme, bullets)

    failed = [t for t in targets if t.ok is False]
    for t in targets:
        log("%-4s %s: %s (limit %s)%s" % (t.verdict(), t.what, t.value, t.limit, ("  " + t.note) if t.note else ""))
    if a.quick and failed:
        log("bench: %d figure(s) more than twice the target" % len(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
