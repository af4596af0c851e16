#!/usr/bin/env python3
"""limits.py -- issue 18's hostile inputs, each run as a user would run it: the
exit status (1 or 2, never a signal), a message naming the file (and the limit
where one is hit), within 2 s and 64 MiB of peak RSS, a bounded report, under
an address-space limit (ulimit -v) so a regression fails instead of filling
the machine. Under ASan (whose shadow memory needs terabytes of address space
and inflates RSS) only statuses, messages and report sizes are checked."""
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time

C2S = os.path.abspath(os.environ.get("C2S", "./compose2swarm"))
top_srcdir = os.path.abspath(os.environ.get("top_srcdir", "."))
MIB = 1 << 20


def sanitized():
    try:
        out = subprocess.run(["ldd", C2S], capture_output=True, text=True).stdout
    except OSError:
        return False
    return "libasan" in out or "libubsan" in out


# under valgrind (make check-valgrind) as under ASan: statuses, messages, sizes
ASAN = sanitized() or os.environ.get("C2S_VALGRIND") == "1"
MAX_SECONDS = 120.0 if os.environ.get("C2S_VALGRIND") == "1" else 10.0 if sanitized() else 2.0
MAX_RSS_MIB = 64
AS_LIMIT = 1 << 30  # ulimit -v: 1 GiB (a mapped input counts too)
fails = 0


def limit_as():
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


def run(name, argv, rcs, pattern, stdin=None, feed=None, cwd=None, max_out=4096, stream="both"):
    """Run compose2swarm argv; check status in rcs, pattern (a regex) in its
    output, time, peak RSS and report size. stdin: a file object; feed: bytes
    written to a pipe by a thread (the command may stop reading early)."""
    global fails
    t0 = time.monotonic()
    # wait4 gives this child's own peak RSS (an exec'd child starts from the
    # interpreter's, about 10 MiB: the figure is an upper bound)
    p = subprocess.Popen([C2S] + argv, stdin=subprocess.PIPE if feed is not None else stdin,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
                         preexec_fn=None if ASAN else limit_as)
    if feed is not None:
        def write():
            try:
                p.stdin.write(feed)
            except (BrokenPipeError, OSError):
                pass
            try:
                p.stdin.close()
            except OSError:
                pass
        threading.Thread(target=write, daemon=True).start()
    out_chunks, err_chunks = [], []
    r1 = threading.Thread(target=lambda: out_chunks.append(p.stdout.read()))
    r2 = threading.Thread(target=lambda: err_chunks.append(p.stderr.read()))
    r1.start()
    r2.start()
    try:
        _, status, ru = os.wait4(p.pid, 0)
    except ChildProcessError:
        status, ru = 0, None
    p.returncode = os.waitstatus_to_exitcode(status)
    r1.join(30)
    r2.join(30)
    secs = time.monotonic() - t0
    out = out_chunks[0] if out_chunks else b""
    err = err_chunks[0] if err_chunks else b""
    rss = ru.ru_maxrss / 1024 if ru else 0
    text = (out + err).decode("utf-8", "replace")
    problems = []
    if p.returncode not in rcs:
        problems.append("exit %d, wanted %s" % (p.returncode, "/".join(map(str, sorted(rcs)))))
    if not re.search(pattern, text):
        problems.append("no message matching %r" % pattern)
    if secs > MAX_SECONDS:
        problems.append("%.2f s (limit %.0f s)" % (secs, MAX_SECONDS))
    if not ASAN and rss > MAX_RSS_MIB:
        problems.append("peak RSS %.1f MiB (limit %d MiB)" % (rss, MAX_RSS_MIB))
    if len(out) + len(err) > max_out:
        problems.append("%d bytes of report (limit %d)" % (len(out) + len(err), max_out))
    if problems:
        fails += 1
        print("FAIL %s: %s\n  %s" % (name, "; ".join(problems), text[:600].replace("\n", "\n  ")))
    else:
        print("ok   %s (exit %d, %.2f s, %.1f MiB, %d bytes)" % (name, p.returncode, secs, rss, len(out) + len(err)))


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    tmp = tempfile.mkdtemp(prefix="c2s-limits.")
    os.chdir(tmp)
    seed = os.path.join(top_srcdir, "fixtures", "seed", "docker-compose.yml")

    # a service name that is a flow sequence or mapping (lint died with SIGSEGV)
    write("flow.yml", b"services:\n  [a, b]:\n    image: x\n")
    write("flowmap.yml", b"services:\n  {a: b}:\n    image: x\n")
    for f in ("flow.yml", "flowmap.yml"):
        run("lint, service name " + f, ["lint", f], {1}, re.escape(f) + r":2:3: error: .*\[CS2004\]")
        run("convert, service name " + f, ["convert", "-c", f], {1}, re.escape(f) + r":2:3: error:")

    # a healthcheck interval of a million hours (a signed product overflowed and
    # the rollout warning was skipped)
    cs7002 = os.path.join(top_srcdir, "fixtures", "lint", "CS7002.yml")
    run("lint, 1000000h healthcheck interval", ["lint", cs7002], {1}, r"CS7002\.yml:22:18: warning: .*interval 1000000h0m0s x retries 3.*\[CS7002\]", max_out=8192)

    # escapes docker refuses (\/) and takes (\'): lint and convert agree with it
    write("slash.yml", b'version: "3.8"\nservices:\n  a:\n    image: x\n    hostname: "a\\/b"\n')
    write("quote.yml", b'version: "3.8"\nservices:\n  a:\n    image: x\n    hostname: "a\\\'b"\n')
    run("lint, \\/ escape", ["lint", "slash.yml"], {1}, r"slash\.yml:5:17: error: found unknown escape character")
    run("convert, \\/ escape", ["convert", "-c", "slash.yml"], {1}, r"slash\.yml:5:17: error: found unknown escape")
    run("convert, \\' escape", ["convert", "-c", "quote.yml"], {0}, r"hostname: a'b")

    # 1 GiB of NUL bytes on standard input, and /dev/zero named as a file or
    # as --config: the stream ends at its first NUL, as every YAML reader does
    with subprocess.Popen(["head", "-c", "1G", "/dev/zero"], stdout=subprocess.PIPE) as head:
        run("lint -, 1 GiB of NUL bytes piped", ["lint", "-"], {1}, r"-:1:1: error: control characters are not allowed",
            stdin=head.stdout)
        head.stdout.close()
        head.kill()
    run("lint /dev/zero", ["lint", "/dev/zero"], {1}, r"/dev/zero:1:1: error: control characters")
    run("convert -c /dev/zero", ["convert", "-c", "/dev/zero"], {1}, r"/dev/zero:1:1: error: control characters")
    run("lint --config /dev/zero", ["lint", "--config", "/dev/zero", seed], {2}, r"/dev/zero:1:1: error:")

    # a config file named on the command line that is a pipe: read with its own
    # cap (C2S_MAX_CONFIG_BYTES, 1 MiB), which is hit before the buffer grows
    run("lint --config /dev/stdin, 8 MiB piped", ["lint", "--config", "/dev/stdin", seed], {2},
        r"/dev/stdin: larger than 1 MiB", feed=b"# " + b"x" * (8 * MIB) + b"\n")
    # 1 GiB of text piped: `yes` (y and a line break: one multi-line plain
    # scalar) and one long line; a stream is held whole to be measured, so it
    # has its own cap, C2S_MAX_STREAM_BYTES (16 MiB), far below the file limit
    stream_msg = r"-: larger than 16 MiB, the largest stream \(standard input, a pipe or a device\)"
    for what, shell in (("`yes`", "yes"), ("one long line", "head -c 1G /dev/zero | tr '\\0' x")):
        with subprocess.Popen(["sh", "-c", shell + " | head -c 1G"], stdout=subprocess.PIPE) as gen:
            run("lint -, 1 GiB of %s piped" % what, ["lint", "-"], {2}, stream_msg, stdin=gen.stdout)
            gen.stdout.close()
            gen.kill()
    with subprocess.Popen(["sh", "-c", "yes | head -c 1G"], stdout=subprocess.PIPE) as gen:
        run("convert -c /dev/stdin, 1 GiB of `yes` piped", ["convert", "-c", "/dev/stdin"], {2},
            r"/dev/stdin: larger than 16 MiB, the largest stream", stdin=gen.stdout)
        gen.stdout.close()
        gen.kill()

    # a scalar past C2S_MAX_SCALAR_BYTES (1 MiB): the load ends there, once (no
    # second reading by libyaml), and the report's excerpt is cut
    write("scalar.yml", b"services:\n  a:\n    image: " + b"x" * (8 * MIB) + b"\n")
    run("lint, an 8 MiB scalar", ["lint", "scalar.yml"], {2}, r"scalar\.yml:3:12: error: scalar too long \(limit 1048576\)")
    run("convert, an 8 MiB scalar", ["convert", "-c", "scalar.yml"], {2},
        r"scalar\.yml:3:12: error: scalar too long \(limit 1048576\)")
    run("lint --format json, an 8 MiB scalar", ["lint", "--format", "json", "scalar.yml"], {2}, r"scalar too long")
    # the same in a flow scalar, which the fast scanner declines (libyaml's path)
    write("flowscalar.yml", b"services: {a: {image: \"" + b"x" * (8 * MIB) + b"\"}}\n")
    run("lint, an 8 MiB flow scalar", ["lint", "flowscalar.yml"], {2}, r"flowscalar\.yml:1:\d+: error: scalar too long")

    # 100 MB scalars (issue 18: 108 MiB and 236 MiB to refuse one): the file
    # is mapped and read a piece at a time, the load ends at the limit, the
    # fast scanner leaves a line over 1 MiB to libyaml, and libyaml is stopped
    # while it reads (one line, quoted, in a flow mapping, over many lines)
    big = 100 * 1000 * 1000
    write("s100.yml", b"services:\n  a:\n    image: " + b"x" * big + b"\n")
    write("q100.yml", b"services:\n  a:\n    image: \"" + b"x" * big + b"\"\n")
    write("f100.yml", b"services: {a: {image: \"" + b"x" * big + b"\"}}\n")
    write("m100.yml", b"services:\n  a:\n    image: a\n" + b"      " + b"x" * 57 + b"\n" * 1 + (b"      " + b"x" * 57 + b"\n") * (big // 64))
    for f, at in (("s100.yml", "3:12"), ("q100.yml", "3:12"), ("f100.yml", "1:23"), ("m100.yml", "3:12")):
        for cmd in (["lint", f], ["convert", "--to", "api", "-c", f]):
            run("%s, a 100 MB scalar (%s)" % (cmd[0], f), cmd, {2},
                re.escape(f) + ":" + at + r": error: scalar too long \(limit 1048576\)")
    for f in ("s100.yml", "q100.yml", "f100.yml", "m100.yml"):
        os.unlink(f)

    # findings on one long line (a compose file as one line of JSON, 10,000
    # services, two findings each): each excerpt reads only the bytes near its
    # column (each counting the whole line made it quadratic: minutes)
    import json
    svcs = {"s%d" % i: {"image": "nginx:1.27", "deploy": {"replicas": 2}} for i in range(10000)}
    write("one.json", json.dumps({"version": "3.8", "services": svcs}).encode())
    run("lint, 20,000 findings on one 0.6 MB line", ["lint", "one.json"], {1},
        r"one\.json:1:\d+: warning: service s9999 has no healthcheck", max_out=8 << 20)

    # deep nesting: the limit at its column, and a report of bounded size
    write("deep.yml", b"a: " + b"[" * 100000 + b"]" * 100000 + b"\n")
    for fmt in ("text", "gnu", "json", "sarif", "github"):
        run("lint --format %s, 100,000 nested [" % fmt, ["lint", "--format", fmt, "deep.yml"], {2},
            r"nesting too deep \(limit 256\)", max_out=8192)

    # a .compose2swarm.yml found by the upward search that is a FIFO (the run
    # hung) or a link to /dev/zero (it filled memory): skipped with a warning
    for kind in ("fifo", "zero"):
        os.makedirs(kind + "/sub")
        conf = kind + "/.compose2swarm.yml"
        if kind == "fifo":
            os.mkfifo(conf)
        else:
            os.symlink("/dev/zero", conf)
        write(kind + "/sub/c.yml", b"services:\n  [a, b]:\n    image: x\n")
        run("config search finds a %s" % ("FIFO" if kind == "fifo" else "link to /dev/zero"), ["lint", "c.yml"], {1},
            r"warning: \S*/\.compose2swarm\.yml is not a regular file; skipped", cwd=kind + "/sub")

    # UTF-32 with a byte order mark: refused at 1:1 as docker refuses it
    write("utf32.yml", b"\xff\xfe\x00\x00" + "services: {}\n".encode("utf-32-le"))
    run("lint, UTF-32 with a BOM", ["lint", "utf32.yml"], {1}, r"utf32\.yml:1:1: error:")
    run("convert, UTF-32 with a BOM", ["convert", "-c", "utf32.yml"], {1}, r"utf32\.yml:1:1: error:")

    subprocess.run(["rm", "-rf", tmp])
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
