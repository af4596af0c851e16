#!/usr/bin/env bash
# record-api-golden.sh -- record what the real docker CLI posts for each
# tests/golden/api/<case>/compose.yml (docker stack deploy against the
# fakedockerd oracle, via reference.sh), as the expected output of
# tests/golden/run-api.sh. Never run our own binary here.
#
# usage: scripts/record-api-golden.sh [CASE...]
# env:   REFERENCE_SH (default scripts/reference/reference.sh), DOCKER_BIN
# Per case it writes payloads.json (the case directory written as @DIR@),
# deploy.rc and deploy.err. Optional inputs: `stack` (the stack name, default
# "stack"), `api-version` (the engine's API version, default 1.50).
set -euo pipefail
cd "$(dirname "$0")/.."
ref=${REFERENCE_SH:-scripts/reference/reference.sh}
[ -x "$ref" ] || { echo "record-api-golden: no reference.sh at $ref" >&2; exit 2; }
root=tests/golden/api
cases=("$@")
[ ${#cases[@]} -gt 0 ] || mapfile -t cases < <(ls "$root")
tmp=$(mktemp -d /tmp/c2s-golden.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for c in "${cases[@]}"; do
	src=$root/$c
	[ -f "$src/compose.yml" ] || { echo "record-api-golden: $src/compose.yml missing" >&2; exit 2; }
	stage=$tmp/$c
	rm -rf "$stage"
	mkdir -p "$stage"
	# the inputs only (not earlier outputs)
	(cd "$src" && tar -c --exclude=payloads.json --exclude=deploy.rc --exclude=deploy.err .) | tar -C "$stage" -x
	stack=$(cat "$src/stack" 2>/dev/null || echo stack)
	api=$(cat "$src/api-version" 2>/dev/null || echo 1.50)
	REF_CLEAN_ENV=1 FAKE_API_VERSION=$api "$ref" "$stage/compose.yml" "$tmp/out-$c" "$stack" >/dev/null
	python3 - "$tmp/out-$c/payloads.json" "$stage" "$src/payloads.json" <<'PY'
import json, sys
src, stage, dst = sys.argv[1:4]
def fix(v):
    if isinstance(v, dict):
        return {k: fix(x) for k, x in v.items()}
    if isinstance(v, list):
        return [fix(x) for x in v]
    if isinstance(v, str):
        return v.replace(stage, "@DIR@")
    return v
with open(dst, "w") as fh:
    json.dump(fix(json.load(open(src))), fh, indent=2)
    fh.write("\n")
PY
	cp "$tmp/out-$c/deploy.rc" "$src/deploy.rc"
	sed "s|$stage|@DIR@|g" "$tmp/out-$c/deploy.err" >"$src/deploy.err"
	echo "$c: deploy.rc=$(cat "$src/deploy.rc")"
done
