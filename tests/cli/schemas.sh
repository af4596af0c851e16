#!/bin/sh
# schemas.sh -- our JSON against docs/schema/: `lint --format json` for every
# fixture, and `convert --to api` for every api golden case together with the
# bodies docker itself posted for them (payloads.json, recorded from the docker
# CLI), so the schema describes docker's requests, not only ours. A schema a
# broken document passes proves nothing: each is also shown documents it must refuse.
set -u
. "$(dirname "$0")/lib.sh"
check=$top/tests/jsonschema-check.py
py=$(schema_python)
if [ -z "$py" ]; then
	missing_tool "python3-jsonschema"
	finish
	exit $?
fi

# --- lint --format json: every fixture on its own, several files, standard input ---
mkdir "$tmp/lint"
n=0
for f in "$top"/fixtures/lint/*.yml "$top"/fixtures/ok/*.yml "$top"/fixtures/seed/*.yml "$top"/fixtures/swarm/*.yml; do
	n=$((n + 1))
	"$bin" lint --format json "$f" >"$tmp/lint/$n.json" 2>/dev/null
done
"$bin" lint --format json "$top"/fixtures/lint/*.yml >"$tmp/lint/all.json" 2>/dev/null
"$bin" lint --format json --stdin-filename stack.yml - <"$top/fixtures/seed/docker-compose.yml" >"$tmp/lint/stdin.json"
"$bin" lint --format json -c "$top/fixtures/lint/CS2001-mismatch-1.yml" -c "$top/fixtures/lint/CS2001-mismatch-2.yml" >"$tmp/lint/stack.json"
rc=0
"$py" "$check" "$top/docs/schema/lint.schema.json" "$tmp"/lint/*.json >"$tmp/out" 2>&1 || rc=$?
if [ "$rc" = 0 ]; then ok "lint --format json: $n fixtures, all at once, stdin and -c fit lint.schema.json"; else fail "lint --format json fits lint.schema.json"; fi

# documents lint.schema.json must refuse
mkdir "$tmp/bad"
"$py" - "$tmp/lint/all.json" "$tmp/bad" <<'PY'
import copy, json, sys
good = json.load(open(sys.argv[1]))
d0 = good["diagnostics"][0]
def emit(name, doc):
    json.dump(doc, open(f"{sys.argv[2]}/{name}.json", "w"))
d = copy.deepcopy(good); del d["summary"]; emit("no-summary", d)
d = copy.deepcopy(good); d["diagnostics"][0]["severity"] = "fatal"; emit("severity", d)
d = copy.deepcopy(good); d["diagnostics"][0]["extra"] = 1; emit("extra-key", d)
d = copy.deepcopy(good); del d["diagnostics"][0]["hint"]; emit("no-hint", d)
d = copy.deepcopy(good); d["diagnostics"][0]["line"] = "4"; emit("line-string", d)
d = copy.deepcopy(good); d["diagnostics"][0]["rule"] = "X1"; emit("rule-id", d)
PY
rc=0
"$py" "$check" --invalid "$top/docs/schema/lint.schema.json" "$tmp"/bad/*.json >"$tmp/out" 2>&1 || rc=$?
if [ "$rc" = 0 ]; then ok "lint.schema.json refuses 6 broken reports"; else fail "lint.schema.json refuses broken reports"; fi

# --- convert --to api: our bodies and docker's for each api golden case docker accepted ---
mkdir "$tmp/api"
n=0
for dir in "$top"/tests/golden/api/*/; do
	[ "$(cat "$dir/deploy.rc")" = 0 ] || continue
	n=$((n + 1))
	name=$(basename "$dir")
	api=$(cat "$dir/api-version" 2>/dev/null || echo 1.50)
	(cd "$dir" && env -i PATH="$PATH" HOME="${HOME:-/root}" "$bin" convert -c compose.yml --to api --api-version "$api") \
		>"$tmp/api/ours-$name.json" 2>/dev/null
	cp "$dir/payloads.json" "$tmp/api/docker-$name.json"
done
rc=0
"$py" "$check" "$top/docs/schema/convert-api.schema.json" "$tmp"/api/*.json >"$tmp/out" 2>&1 || rc=$?
if [ "$rc" = 0 ] && [ "$n" -gt 10 ]; then
	ok "convert --to api: ours and docker's bodies for $n cases fit convert-api.schema.json"
else
	fail "convert --to api fits convert-api.schema.json ($n cases)"
fi
rm -f "$tmp"/bad/*
"$py" - "$tmp/api/ours-mixed-5.json" "$tmp/bad" <<'PY'
import copy, json, sys
good = json.load(open(sys.argv[1]))
def emit(name, doc):
    json.dump(doc, open(f"{sys.argv[2]}/{name}.json", "w"))
d = copy.deepcopy(good); del d["configs"]; emit("no-configs", d)
d = copy.deepcopy(good); d["volumes"] = []; emit("volumes", d)
d = copy.deepcopy(good); del d["services"][0]["TaskTemplate"]["ContainerSpec"]["Image"]; emit("no-image", d)
d = copy.deepcopy(good); d["secrets"][0]["Data"] = "not base64!"; emit("data", d)
d = copy.deepcopy(good); d["services"][0]["Mode"] = {"Replicated": {}, "Global": {}}; emit("two-modes", d)
d = copy.deepcopy(good); d["networks"][0]["Labels"] = {"a": 1}; emit("label-number", d)
PY
rc=0
"$py" "$check" --invalid "$top/docs/schema/convert-api.schema.json" "$tmp"/bad/*.json >"$tmp/out" 2>&1 || rc=$?
if [ "$rc" = 0 ]; then ok "convert-api.schema.json refuses 6 broken envelopes"; else fail "convert-api.schema.json refuses broken envelopes"; fi

# plan --format json: tests/cli/plan.sh checks it against docs/schema/plan.schema.json.

finish
