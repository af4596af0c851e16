#!/usr/bin/env bash
# The team's reference capture script (docker stack deploy against fakedockerd.py),
# kept in the tree so tests/golden/regen.sh works from a fresh clone. Needs the docker CLI.
# reference.sh COMPOSE_FILE OUTDIR [STACK_NAME]
#
# Reference oracle: records exactly which Engine API payloads the real Docker
# CLI (`docker stack deploy`) sends for COMPOSE_FILE, using fakedockerd.py on
# a private UNIX socket instead of a real daemon.  See README.md.
#
# Writes into OUTDIR:
#   stack-config.yml / .err / .rc   `docker stack config -c COMPOSE_FILE`
#   deploy.out                      `docker stack deploy --resolve-image never`
#                                   stdout+stderr interleaved as they arrived
#   deploy.stdout / deploy.err      the same, split by stream
#   deploy.rc                       its exit status (124 = timed out)
#   requests.jsonl                  every request the CLI made (fakedockerd log)
#   payloads.json                   {"networks","secrets","configs","services"}
#                                   create bodies, each list sorted by Name
#   flow.json                       ordered request list + unhandled requests
#   server.err                      fakedockerd stderr (normally empty)
#
# Exit status: 0 when the capture ran (whatever the CLI's own exit code was;
# read deploy.rc), 2 on usage / harness errors.
#
# Environment knobs (optional):
#   DOCKER_BIN         docker CLI to run (default: docker in PATH)
#   FAKE_API_VERSION   API version fakedockerd advertises (default 1.50)
#   FAKE_ARGS          extra fakedockerd args, e.g. "--missing network:ext"
#   REF_TIMEOUT        seconds allowed per docker command (default 20)
#   REF_CLEAN_ENV=1    run the CLI with only PATH/HOME (+ REF_ENV_* vars,
#                      prefix stripped) so host variables cannot leak into
#                      ${VAR} interpolation

set -u

usage() { echo "usage: $0 COMPOSE_FILE OUTDIR [STACK_NAME]" >&2; exit 2; }
if [ $# -lt 2 ] || [ $# -gt 3 ]; then usage; fi

compose_arg=$1
outdir_arg=$2
stack=${3:-stack}
here=$(cd "$(dirname "$0")" && pwd)
docker_bin=${DOCKER_BIN:-docker}
api_version=${FAKE_API_VERSION:-1.50}
tmo=${REF_TIMEOUT:-20}

[ -f "$compose_arg" ] || { echo "reference.sh: no such compose file: $compose_arg" >&2; exit 2; }
command -v "$docker_bin" >/dev/null 2>&1 || { echo "reference.sh: docker CLI not found" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "reference.sh: python3 not found" >&2; exit 2; }

composedir=$(cd "$(dirname "$compose_arg")" && pwd)
composefile=$composedir/$(basename "$compose_arg")
mkdir -p "$outdir_arg" || exit 2
outdir=$(cd "$outdir_arg" && pwd)

# short path: UNIX socket paths must stay under ~107 bytes
tmp=$(mktemp -d /tmp/fdd.XXXXXX) || exit 2
sock=$tmp/docker.sock
server_pid=

cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null
        for _ in $(seq 1 40); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.05
        done
        kill -0 "$server_pid" 2>/dev/null && kill -KILL "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    server_pid=
    [ -f "$tmp/server.err" ] && cp "$tmp/server.err" "$outdir/server.err"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Run the CLI in an isolated client configuration: private DOCKER_CONFIG (no
# contexts, credential helpers or plugins from the host), no TLS / context /
# pinned API version, no OpenTelemetry exporter (nothing may leave the host),
# stdin from /dev/null, cwd = the compose file's directory, hard timeout.
# Writes stdout, stderr and (optionally) both interleaved in arrival order.
# usage: run_docker HOST_URL STDOUT STDERR COMBINED|"" RC_FILE CWD DOCKER_CONFIG TIMEOUT DOCKER -- args...
run_docker() {
    python3 -c '
import os, selectors, signal, subprocess, sys, time
host, fout, ferr, fcomb, frc, cwd, cfg, tmo, docker = sys.argv[1:10]
args = sys.argv[11:]
if os.environ.get("REF_CLEAN_ENV") == "1":
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/root")}
    env.update({k[len("REF_ENV_"):]: v for k, v in os.environ.items() if k.startswith("REF_ENV_")})
else:
    env = dict(os.environ)
for k in ("DOCKER_CONTEXT", "DOCKER_API_VERSION", "DOCKER_TLS", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH",
          "DOCKER_DEFAULT_PLATFORM", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
          "DOCKER_CLI_OTEL_EXPORTER_OTLP_ENDPOINT", "REF_CLEAN_ENV", "FAKE_ARGS", "FAKE_API_VERSION",
          "REF_TIMEOUT", "DOCKER_BIN"):
    env.pop(k, None)
env.update(DOCKER_HOST=host, DOCKER_CONFIG=cfg, DOCKER_CLI_HINTS="false")
files = {"out": open(fout, "wb"), "err": open(ferr, "wb")}
comb = open(fcomb, "wb") if fcomb else None
try:
    p = subprocess.Popen([docker] + args, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
except OSError as exc:
    files["err"].write(("reference.sh: cannot run %s: %s\n" % (docker, exc)).encode())
    open(frc, "w").write("127\n"); sys.exit(0)
sel = selectors.DefaultSelector()
sel.register(p.stdout, selectors.EVENT_READ, "out")
sel.register(p.stderr, selectors.EVENT_READ, "err")
deadline = time.monotonic() + float(tmo)
timed_out = False
while sel.get_map():
    left = deadline - time.monotonic()
    if left <= 0:
        timed_out = True
        p.kill()
        break
    for key, _ in sel.select(timeout=min(left, 0.5)):
        data = os.read(key.fileobj.fileno(), 65536)
        if not data:
            sel.unregister(key.fileobj)
            continue
        files[key.data].write(data)
        if comb:
            comb.write(data)
rc = p.wait()
if timed_out:
    msg = ("reference.sh: docker timed out after %s s\n" % tmo).encode()
    files["err"].write(msg)
    if comb:
        comb.write(msg)
    rc = 124
open(frc, "w").write("%d\n" % rc)
' "$@"
}

mkdir -p "$tmp/dockercfg"
rm -f "$outdir"/stack-config.yml "$outdir"/stack-config.err "$outdir"/stack-config.rc \
      "$outdir"/deploy.out "$outdir"/deploy.stdout "$outdir"/deploy.err "$outdir"/deploy.rc \
      "$outdir"/requests.jsonl \
      "$outdir"/payloads.json "$outdir"/flow.json "$outdir"/server.err

# (a) docker stack config: purely client-side; point it at a socket nobody
# listens on so it never needs (or talks to) a daemon.
run_docker "unix://$tmp/no-daemon.sock" "$outdir/stack-config.yml" "$outdir/stack-config.err" "" \
    "$outdir/stack-config.rc" "$composedir" "$tmp/dockercfg" "$tmo" "$docker_bin" -- \
    stack config -c "$composefile"

# (b) fake daemon + docker stack deploy
# shellcheck disable=SC2086
python3 "$here/fakedockerd.py" --socket "$sock" --log "$outdir/requests.jsonl" \
    --api-version "$api_version" ${FAKE_ARGS:-} >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
ready=
for _ in $(seq 1 100); do          # up to ~5 s
    if grep -q '^READY ' "$tmp/server.out" 2>/dev/null; then ready=1; break; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
done
if [ -z "$ready" ]; then
    echo "reference.sh: fakedockerd did not start" >&2
    cat "$tmp/server.err" >&2
    exit 2
fi

run_docker "unix://$sock" "$outdir/deploy.stdout" "$outdir/deploy.err" "$outdir/deploy.out" \
    "$outdir/deploy.rc" "$composedir" "$tmp/dockercfg" "$tmo" "$docker_bin" -- \
    stack deploy --resolve-image never -c "$composefile" "$stack"

# stop the server we started (by PID) before reading its log
cleanup
trap - EXIT

# (c) payloads.json + flow.json from the request log
python3 - "$outdir" <<'PY' || { echo "reference.sh: could not extract payloads" >&2; exit 2; }
import json, os, re, sys
outdir = sys.argv[1]
reqs = []
path = os.path.join(outdir, "requests.jsonl")
if os.path.exists(path):
    with open(path, encoding="utf-8") as fh:
        reqs = [json.loads(line) for line in fh if line.strip()]
kinds = {"/networks/create": "networks", "/secrets/create": "secrets",
         "/configs/create": "configs", "/services/create": "services"}
payloads = {"networks": [], "secrets": [], "configs": [], "services": []}
for r in reqs:
    k = kinds.get(r.get("endpoint")) if r.get("method") == "POST" else None
    if k and r.get("body") is not None:
        payloads[k].append(r["body"])
# The CLI creates objects while ranging over Go maps, so the request order is
# random from run to run; sort by Name for a stable reference.  The real order
# of this run is kept in flow.json.
for k in payloads:
    payloads[k].sort(key=lambda b: (b.get("Name") or "") if isinstance(b, dict) else "")
with open(os.path.join(outdir, "payloads.json"), "w", encoding="utf-8") as fh:
    json.dump(payloads, fh, indent=2, sort_keys=False)
    fh.write("\n")
def short(r):
    q = "?" + "&".join("%s=%s" % (k, v) for k, vs in r["query"].items() for v in vs) if r.get("query") else ""
    name = (r.get("body") or {}).get("Name") if isinstance(r.get("body"), dict) else None
    return {"seq": r["seq"], "request": "%s %s%s" % (r["method"], r["endpoint"], q),
            "status": r["status"], **({"name": name} if name else {})}
rc_path = os.path.join(outdir, "deploy.rc")
flow = {
    "deploy_rc": int(open(rc_path).read().strip() or -1) if os.path.exists(rc_path) else None,
    "api_version": next((r["api_version"] for r in reqs if r.get("api_version")), None),
    "requests": [short(r) for r in reqs],
    "unhandled": [short(r) for r in reqs if not r.get("handled")],
}
with open(os.path.join(outdir, "flow.json"), "w", encoding="utf-8") as fh:
    json.dump(flow, fh, indent=2)
    fh.write("\n")
if flow["unhandled"]:
    sys.stderr.write("reference.sh: WARNING: fakedockerd did not handle: %s\n"
                     % ", ".join(u["request"] for u in flow["unhandled"]))
PY
exit 0
