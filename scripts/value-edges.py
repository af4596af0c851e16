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
    # no file: (nor external, driver): deploy reads the directory itself
    out.append(("secret-nofile", {"compose.yml": svc("") + "secrets:\n  s: {}\n"}, {}))
    out.append(("config-nofile", {"compose.yml": svc("    configs: [c]\n") +
                                  "configs:\n  c:\n    template_driver: golang\n"}, {}))
    out.append(("secret-emptyfile", {"compose.yml": svc("") + "secrets:\n  s:\n    file: \"\"\n"}, {}))
    out.append(("secret-dir", {"compose.yml": svc("") + "secrets:\n  s:\n    file: ./d\n", "d/x": ""}, {}))
    out.append(("secret-driver", {"compose.yml": svc("") + "secrets:\n  s:\n    driver: vault\n"}, {}))
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


# ---- cases taken from docker's own tests (Go's time, go-units, go-connections
# nat, distribution/reference) and the loader's interpolation casts ----

def durations_go():
    """time.ParseDuration's test table (Go's src/time/time_test.go)."""
    vals = ["5s", "30s", "1478s", "-5s", "+5s", "5.0s", "5.6s", "1.0s", "1.00s", "1.004s", "1.0040s",
            "100.00100s", "10ns", "11us", "12\u00b5s", "12\u03bcs", "13ms", "14s", "15m", "16h", "39h9m14.425s",
            "52763797000ns", "9007199254740993ns", "9223372036854775807ns", "9223372036854775.807us",
            "9223372036s854ms775us807ns", "-9223372036854775808ns", "-9223372036854775.808us",
            "-9223372036s854ms775us808ns", "0.100000000000000000000h", "0.830103483285477580700h",
            "3", "-.", ".s", "\u0085\u0085", "\u00ffff", "hello \u00ffff world", "9223372036854775810ns",
            "-9223372036854775809ns", "9223372036854775.808us", "9223372036854ms775us808ns",
            "0.0000000000000000001h", "1h" * 3, "1m1m", "2562047h48m", "-2562047h48m", "106751d"]
    out = []
    for i, v in enumerate(dict.fromkeys(vals)):
        out.append(("gotime-%03d" % i, {"compose.yml": svc("    healthcheck:\n      test: [\"CMD\", \"true\"]\n"
                                                            "      timeout: %s\n" % q(v))}, {}))
        out.append(("gotime-rb-%03d" % i, {"compose.yml": svc("    deploy:\n      rollback_config:\n"
                                                               "        monitor: %s\n" % q(v))}, {}))
    return out


def sizes_go():
    """go-units' RAMInBytes and FromHumanSize tests (size_test.go)."""
    vals = ["32", "32b", "32B", "32k", "32K", "32kb", "32Kb", "32Kib", "32KIB", "32Mb", "32Gb", "32Tb", "32Pb",
            "32PB", "32P", "32.3", "32.3 mb", "0.3MB", "-32", " 32 ", "32m b", "32bm", "32.5kB", "32.5 kB",
            "32.5 B", "0.3 K", ".3kB", "hello", "32.8Mb", "32.9Gb", "32.777Tb", "32 Kb", "8388608P", "8192P",
            "8191.99999P", "9223372036854775807", "9223372036854775808", "0.0000001k", "1e2k", "1E2k", "NaN",
            "nan", "inf", "+Inf", "-0.0", "1\tk", "1\u00a0k", "1Kibb", "1eb", "1Eb", "1Zb"]
    out = []
    for i, v in enumerate(dict.fromkeys(vals)):
        body = "    deploy:\n      resources:\n        reservations:\n          memory: %s\n" % q(v)
        out.append(("units-%03d" % i, {"compose.yml": svc(body)}, {}))
    # an interpolated size: the same parser after substitution
    for i, v in enumerate(["32.3 mb", "1.5G", "-1", "0x10"]):
        body = "    deploy:\n      resources:\n        limits:\n          memory: ${M}\n"
        out.append(("units-env-%03d" % i, {"compose.yml": svc(body)}, {"M": v}))
    return out


def ports_go():
    """go-connections nat's tests (nat_test.go), short and long syntax."""
    vals = ["asdf", "1asdf", "0123", "65535", "80-8080", "80-8080/", "80-8080/udp", "1234/", "1234/UDP",
            "any port value", "any port value/any proto value", "0.0.0.0:1234-1235:3333-3334/tcp",
            "[2001:4860:0:2001::68]::333", "2001:4860:0:2001::68::333", "1234/tcp", "2345/udp", "3456/sctp",
            "1234:1234/tcp", "0.0.0.0:3456:3456/sctp", "localhost:1234:1234/tcp", "1234-1236/tcp",
            "1234-1236:1234-1236/tcp", "0.0.0.0:1234-1236:1234-1236/tcp", "localhost:1234-1236:1234-1236/tcp",
            "192.168.1.100::80", "192.168.1.100:8080:80", "192.168.1.100", "192.168.1.100:-1:-1",
            "192.168.1.100::6000/udp", "1234-1230", "1234-1242", "0.0.0.0:1234-1236:80", "1-65535",
            "0-1", "65535-65536", "10-10", "80:80-81", "80-81:80", "::80", "[::]:80:80", "[]:80:80",
            "1.2.3.4:80", "1.2.3.4::", "1.2.3.4:80:", "80/udp/tcp", "80 /tcp", " 80"]
    out = []
    for i, v in enumerate(dict.fromkeys(vals)):
        out.append(("nat-%03d" % i, {"compose.yml": svc("    ports:\n      - %s\n" % q(v))}, {}))
    longs = ["target: 80\n        published: 8080\n        protocol: udp\n        mode: host",
             "target: 0", "target: 65536", "target: -1", "target: 80\n        published: 65536",
             "target: 80\n        published: \"8080\"", "target: \"80\"", "target: 80\n        protocol: UDP",
             "target: 80\n        protocol: sctp", "target: 80\n        protocol: icmp",
             "target: 80\n        mode: bogus", "target: 80\n        published: 8080-8081",
             "target: 80\n        host_ip: 127.0.0.1\n        published: 8080", "published: 8080",
             "target: 80.0", "target: 80.5"]
    for i, v in enumerate(longs):
        out.append(("long-%03d" % i, {"compose.yml": svc("    ports:\n      - %s\n" % v, "3.8")}, {}))
    for i, v in enumerate(["80", "+80", "0x50", "080", "80.0", " 80", "65536", "-1", "9223372036854775808"]):
        out.append(("long-env-%03d" % i, {"compose.yml": svc("    ports:\n      - target: ${P}\n"
                                                              "        published: ${P}\n", "3.8")}, {"P": v}))
    return out


def images_go():
    """distribution/reference's tests (normalize_test.go, reference_test.go)."""
    h = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c"
    vals = ["docker/docker", "library/debian", "debian", "docker.io/docker/docker", "docker.io/library/debian",
            "docker.io/debian", "index.docker.io/docker/docker", "index.docker.io/library/debian",
            "index.docker.io/debian", "127.0.0.1:5000/docker/docker", "127.0.0.1:5000/debian", "192.168.0.1",
            "192.168.0.1:80", "192.168.0.1:8/debian", "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
            "[fc00::1]:5000/docker", "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
            "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "Docker/docker",
            "DOCKER/docker", "docker/Docker", "-docker", "-docker/docker", "-docker.io/docker/docker",
            "docker.io/docker/Docker", "docker.io/docker///docker", "[fc00::1]", "[fc00::1]:5000",
            "fc00::1:5000/debian", "[fe80::1%eth0]:5000/debian", "[2001:db8:3:4::192.0.2.33]:5000/debian",
            "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "docker-rules/docker",
            "docker---rules/docker", "d/docker", "jess/t", "dock__er/docker", "docker-/docker", "-docker-/docker",
            "____/____", "_docker/_docker", "dock..er/docker", "dock_.er/docker", "dock-.er/docker", "docker/",
            "n" * 256 + "/docker", "library/ubuntu-12.04-base", "library/foo/bar", "store/foo/bar", "Foo/bar",
            "FOO/bar", "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa",
            "redis@sha256:" + h, "dmcgowan/myapp@sha256:" + h, h[:-1], "dbcc1", "test.com/foo",
            "test_com/foo", "test.com:8080/foo", "test-com:8080/foo", "xn--n3h.com/foo", "xn--n3h.com:18080/foo",
            "docker.io/library/foo/bar", "foo:-bar", "foo:.bar", "foo:_bar", "foo:b.a-r_", "foo@sha256:" + h + ":t",
            "foo:t@sha256:" + h, "foo@sha512:" + "a" * 128, "foo@sha256:" + h.upper(), "foo@SHA256:" + h,
            "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
            "b.gcr.io/test.example.com/my-app:test.example.com", "xn--n3h.com/myimage:xn--n3h.com",
            "foo_bar.com:8080", "foo/foo_bar.com:8080", "192.168.1.1/foo:bar", "[2001:db8::1]/repo",
            "[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8::1]:5000/repo", "[2001:db8::]:5000/repo",
            "[::1]:5000/repo", "[fe80::1%eth0]/repo", "[2001:db8::1]", "a:1_", "localhost:5000/foo:"]
    out = []
    for i, v in enumerate(dict.fromkeys(vals)):
        out.append(("dist-%03d" % i, {"compose.yml": "services:\n  web:\n    image: %s\n" % q(v)}, {}))
    return out


def ulimits():
    """ulimits: the schema's integer, the loader's strconv.Atoi cast after
    interpolation, and the single/soft+hard forms."""
    forms = ["nofile: 1024", "nofile: 0", "nofile: -1", "nofile: 1.5", "nofile: 1.0", "nofile: 9223372036854775807",
             "nofile: 9223372036854775808", "nofile: \"1024\"", "nofile: {soft: 1024, hard: 2048}",
             "nofile: {soft: 2048, hard: 1024}", "nofile: {soft: 1024}", "nofile: {hard: 1024}", "nofile: {}",
             "nofile: {soft: 0, hard: 0}", "nofile: {soft: -1, hard: -1}", "nofile: {soft: 1, hard: 2, x: 3}",
             "nofile: {soft: \"1\", hard: 2}", "NOFILE: 1", "no_file: 1", "nofile2: 1", "bogus: 1",
             "nproc: 65535\n      nofile: {soft: 20000, hard: 40000}", "nofile: null", "nofile: [1]",
             "nofile: 0x10", "nofile: 1e3", "nofile: true"]
    out = []
    for i, f in enumerate(forms):
        out.append(("form-%03d" % i, {"compose.yml": svc("    ulimits:\n      %s\n" % f, "3.8")}, {}))
    casts = ["1024", "+1", "-1", "0", "-0", "01", "0x10", "1_0", " 1", "1 ", "1.0", "1e3", "",
             "9223372036854775807", "9223372036854775808", "-9223372036854775809", "\u0661"]
    for i, v in enumerate(casts):
        out.append(("env-%03d" % i, {"compose.yml": svc("    ulimits:\n      nofile: ${U}\n"
                                                         "      nproc:\n        soft: ${U}\n        hard: ${U}\n",
                                                         "3.8")}, {"U": v}))
    return out


def casts():
    """The loader's interpolation casts (cli/compose/loader/interpolate.go):
    strconv.Atoi, strconv.ParseFloat and its yaml-style booleans."""
    out = []
    ints = ["3", "+3", "-3", "0", "-0", "03", "0x3", "0o3", "0b11", "3_0", " 3", "3 ", "3.0", "3e0", "",
            "9223372036854775807", "9223372036854775808", "4294967296", "18446744073709551616", "\u0663"]
    for i, v in enumerate(ints):
        out.append(("replicas-%03d" % i, {"compose.yml": svc("    deploy:\n      replicas: ${V}\n")}, {"V": v}))
        out.append(("retries-%03d" % i, {"compose.yml": svc("    healthcheck:\n      test: [\"CMD\", \"true\"]\n"
                                                             "      retries: ${V}\n")}, {"V": v}))
        out.append(("maxper-%03d" % i, {"compose.yml": svc("    deploy:\n      placement:\n"
                                                            "        max_replicas_per_node: ${V}\n", "3.8")},
                    {"V": v}))
    floats = ["0.5", ".5", "5.", "1", "-0.1", "1.1", "1e-1", "1E-1", "0x1p-1", "0x.8p0", "1_0", "0.1_0", "inf",
              "+Inf", "-inf", "NaN", "nan", "infinity", "1e400", "1e-400", "", " 0.5", "0.5 ", "0,5", "\u00bd"]
    for i, v in enumerate(floats):
        out.append(("ratio-%03d" % i, {"compose.yml": svc("    deploy:\n      update_config:\n"
                                                           "        max_failure_ratio: ${V}\n")}, {"V": v}))
    bools = ["true", "True", "TRUE", "tRuE", "yes", "YES", "y", "Y", "on", "On", "ON", "false", "no", "n", "N",
             "off", "OFF", "1", "0", "t", "f", "", " true", "true ", "\u0131n"]
    for i, v in enumerate(bools):
        out.append(("tty-%03d" % i, {"compose.yml": svc("    tty: ${V}\n")}, {"V": v}))
        out.append(("ext-%03d" % i, {"compose.yml": svc("    networks: [n]\n") +
                                     "networks:\n  n:\n    external: ${V}\n"}, {"V": v}))
        out.append(("ro-%03d" % i, {"compose.yml": svc("    volumes:\n      - type: volume\n        source: v\n"
                                                        "        target: /v\n        read_only: ${V}\n", "3.8") +
                                    "volumes:\n  v: {}\n"}, {"V": v}))
    modes = ["0440", "440", "0o440", "0x1ff", "-1", "4294967296", "511", "1e2", ""]
    for i, v in enumerate(modes):
        out.append(("mode-%03d" % i, {"compose.yml": svc("    secrets:\n      - source: s\n        mode: ${V}\n",
                                                          "3.8") + "secrets:\n  s:\n    file: ./s.txt\n",
                                      "s.txt": "x\n"}, {"V": v}))
    return out


def int64s():
    """int64 fields the schema calls integers: a tmpfs mount's size (minimum 0,
    3.6+), deploy.resources.limits.pids (3.13), oom_score_adj. yaml.v3 makes
    2^63 and more a uint64 and mapstructure wraps it; a float it truncates."""
    vals = ["0", "1", "-1", "1.0", "1.5", "1e3", "\"1m\"", "\"1024\"", "9223372036854775807",
            "9223372036854775808", "18446744073709551616", "null", "true", "0x10", "18446744073709551615",
            "1e20", "-1e20", "1.0e3", "-9223372036854775808", "-9223372036854775809", "0o17", ".inf", ".nan"]
    out = []
    for i, v in enumerate(vals):
        out.append(("size-%03d" % i, {"compose.yml": svc("    volumes:\n      - type: tmpfs\n        target: /t\n"
                                                          "        tmpfs:\n          size: %s\n" % v, "3.8")}, {}))
        out.append(("pids-%03d" % i, {"compose.yml": svc("    deploy:\n      resources:\n        limits:\n"
                                                          "          pids: %s\n" % v, "3.13")}, {}))
        out.append(("oom-%03d" % i, {"compose.yml": svc("    oom_score_adj: %s\n" % v, "3.13")}, {}))
    # *uint64 and *uint32 fields: mapstructure's SetUint(uint64(f)), cut to 32 bits for a mode
    for i, v in enumerate(["4294967295", "4294967296", "4294967297", "18446744073709551615", "9223372036854775808",
                           "1e10", "1e19", "1e30", "1.5", "-0.5", "-1", "0o777", ".inf"]):
        out.append(("mode-%03d" % i, {"compose.yml": svc("    configs:\n      - source: c\n        mode: %s\n" % v,
                                                          "3.8") + "configs:\n  c:\n    file: ./c.txt\n",
                                      "c.txt": "x\n"}, {}))
        out.append(("replicas-%03d" % i, {"compose.yml": svc("    deploy:\n      replicas: %s\n" % v)}, {}))
    return out


def commands():
    """command and entrypoint as one string: google/shlex's Split (the loader's
    transformShellCommand)."""
    vals = ["it's", "a \"b", "a 'b", "a\\", "echo \"hi there\"", "a 'b c' d", "# c \"x", "a#b \"c", "a \"b\\\\\"",
            "sh -c 'echo $$HOME'", "a\\ b", "\"a\\\"", "'a\\'", "a # b \"c\n d", "''", "\"\"", "   "]
    out = []
    for i, v in enumerate(vals):
        out.append(("command-%03d" % i, {"compose.yml": svc("    command: %s\n" % q(v))}, {}))
        out.append(("entrypoint-%03d" % i, {"compose.yml": svc("    entrypoint: %s\n" % q(v))}, {}))
    return out


CLASSES = {"durations": durations, "sizes": sizes, "cpus": cpus, "ports": ports, "envfiles": envfiles,
           "paths": paths, "images": images, "durations-go": durations_go, "sizes-go": sizes_go,
           "ports-go": ports_go, "images-go": images_go, "ulimits": ulimits, "casts": casts, "int64s": int64s, "commands": commands}


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
    ap.add_argument("--only-new", action="store_true",
                    help="with --regen/--live: keep the recorded answers, ask docker only about new cases")
    ap.add_argument("--jobs", type=int, default=2, help="docker runs at once with --regen/--live")
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
                todo = staged
                if a.only_new:
                    # keep what docker answered before; ask only about cases it has not seen
                    recorded = os.path.join(a.expected, cls + ".json")
                    if os.path.exists(recorded):
                        with open(recorded) as f:
                            answers = json.load(f)
                    todo = [c for c in staged if c[0] not in answers]
                # each reference.sh run has its own fake engine socket: a few at once are safe
                with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
                    asked = {name: pool.submit(ask_docker, os.path.join(root, cls), d, main, env)
                             for name, d, env, main in todo}
                    for name, job in asked.items():
                        answers[name] = job.result()
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
