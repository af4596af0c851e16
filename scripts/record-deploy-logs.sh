#!/usr/bin/env bash
# record-deploy-logs.sh -- record what `docker stack deploy` (docker CLI 28.2) sends for each case in tests/deploy/cases.
# Usage: scripts/record-deploy-logs.sh [CASE...]   (needs the docker CLI; no daemon: fakedockerd)
# For each case, the setup steps and the compared deploy run with the docker CLI against a
# fresh fakedockerd; the compared deploy's request log goes to CASE/docker.jsonl (responses
# cut to the IDs and versions deploy_compare.py checks version= against), its exit status
# to CASE/docker.rc, what it printed to CASE/docker.out and .err. tests/deploy/run.sh then runs compose2swarm the same way and compares.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export top_srcdir=$top
. "$top/tests/deploy/lib.sh"
docker_bin=${DOCKER_BIN:-docker}
"$docker_bin" --version | grep -q "version 28\." || { echo "record-deploy-logs: needs docker CLI 28 (DOCKER_BIN)" >&2; exit 2; }
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=("$top"/tests/deploy/cases/*/)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for c in "${cases[@]}"; do
	c=${c%/}
	name=$(basename "$c")
	run_case docker "$c" "$tmp/$name" || { echo "record-deploy-logs: $name: setup failed" >&2; exit 1; }
	python3 - "$tmp/$name.jsonl" "$c/docker.jsonl" <<'PY'
import json, sys
out = open(sys.argv[2], "w")
for line in open(sys.argv[1]):
    r = json.loads(line)
    resp = r.get("response")
    objs = resp if isinstance(resp, list) else [resp] if isinstance(resp, dict) else []
    r["response"] = [{"ID": o["ID"], "Version": o["Version"]} for o in objs
                     if isinstance(o, dict) and "ID" in o and isinstance(o.get("Version"), dict)]
    r.pop("time", None)
    out.write(json.dumps(r, sort_keys=True) + "\n")
PY
	cp "$tmp/$name.rc" "$c/docker.rc"
	# an ssh:// case: the arguments docker gave ssh
	if [ -s "$tmp/$name.ssh" ]; then cp "$tmp/$name.ssh" "$c/docker.ssh"; fi
	# what it said it did, and the warnings (the --detach notice aside)
	cp "$tmp/$name.out" "$c/docker.out"
	grep -v -e '^Since --detach=false' -e '^In a future release, --detach=false' "$tmp/$name.err" >"$c/docker.err" || true
	echo "$name: $(wc -l <"$c/docker.jsonl") requests, docker exit $(cat "$c/docker.rc")"
done
"$docker_bin" --version >"$top/tests/deploy/cases/recorded-with.txt"
