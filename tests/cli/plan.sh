#!/bin/sh
# plan.sh -- `compose2swarm plan`'s command-line contract (CLI.md): usage
# errors exit 2, --state read from a file or standard input (errors with
# their position, exit 2), files docker refuses exit 1 as convert says it,
# 0 when nothing would change and 1 when something would, --format json
# valid against docs/schema/plan.schema.json, colour only when asked.
set -u
. "$(dirname "$0")/lib.sh"
fx=$top/fixtures/plan
st=$top/tests/golden/plan/stack.state.json
cp "$fx"/*.yml "$fx"/*.txt "$fx"/*.conf "$tmp/"

# --- usage ---
run plan --help;                       expect "plan --help: exit 0" 0 'plan options' ''
run plan -c "$tmp/stack.yml";          expect "no stack name: exit 2" 2 '' 'stack name'
run plan pf;                           expect "no -c: exit 2" 2 '' 'Specify a Compose file'
run plan -c "$tmp/stack.yml" a b;      expect "two stack names: exit 2" 2 '' 'one stack name'
run plan -c "$tmp/stack.yml" --resolve-image sometimes pf; expect "bad --resolve-image: exit 2" 2 '' 'always, changed or never'
run plan -c "$tmp/stack.yml" --format xml pf; expect "bad --format: exit 2" 2 '' 'text or json'
run plan -c "$tmp/stack.yml" --state "$st" --api-version one pf; expect "bad --api-version: exit 2" 2 '' 'X.YY'
run plan -c "$tmp/stack.yml" --state "$st" '""'; expect "a stack name docker refuses: exit 2" 2 '' 'invalid stack name'

# --- the state ---
run plan -c "$tmp/stack.yml" --state "$tmp/absent.json" pf; expect "a missing --state: exit 2" 2 '' 'absent.json: No such file'
no_stdout "a missing --state prints no plan"
printf '[\n {"ID": "x",\n  nope}]\n' >"$tmp/bad.json"
run plan -c "$tmp/stack.yml" --state "$tmp/bad.json" pf; expect "--state not JSON: exit 2 with the position" 2 '' 'bad.json:3:[0-9]+: not JSON'
printf '[{"Id": "c0ffee", "State": {"Running": true}}]' >"$tmp/container.json"
run plan -c "$tmp/stack.yml" --state "$tmp/container.json" pf; expect "a container in --state: exit 2" 2 '' 'not a swarm service, network'
run plan -c "$tmp/stack.yml" --state "$top/fixtures" pf; expect "--state a directory: exit 2" 2 '' 'fixtures'

# --- files docker refuses: as convert says it ---
printf 'version: "3.8"\nservices:\n  web:\n    build: .\n' >"$tmp/noimage.yml"
run plan -c "$tmp/noimage.yml" --state "$st" pf; expect "a file docker refuses: exit 1" 1 '' 'noimage.yml'
no_stdout "a refused file prints no plan"
run plan -c "$tmp/absent.yml" --state "$st" pf; expect "a missing compose file: exit 2" 2 '' 'absent.yml'

# --- exit status ---
run_in "$tmp" plan -c stack.yml --state "$st" --resolve-image never --api-version 1.41 pf
expect "deployed files: no changes, exit 0" 0 '^Plan: 0 to create, 0 to update \(0 replace tasks\), 0 to delete, 0 will fail$'
case $out in *"= "*) fail "unchanged objects listed without -v" ;; *) ok "unchanged objects hidden without -v" ;; esac
run_in "$tmp" plan -c stack.yml --state "$st" --resolve-image never --api-version 1.41 -v pf
expect "-v lists unchanged objects" 0 '^= service pf_same$'
stdin_file=$st run_in "$tmp" plan -c changed.yml --state - --resolve-image never --api-version 1.41 pf
expect "changes from standard input: exit 1" 1 '^~ service pf_env \(replaces tasks\)$'
stdin_file=
run_in "$tmp" plan -c stack.yml -c changed.yml --state "$st" --resolve-image never --api-version 1.41 pf
expect "-c a -c b merged as docker merges them" 1 '^\+ service pf_added$'
run_in "$tmp" plan -c stack.yml,changed.yml --state "$st" --resolve-image never --api-version 1.41 pf
expect "-c a,b is two files, as docker's -c" 1 '^\+ service pf_added$'
run_in "$tmp" plan --with-registry-auth -d=false -q --detach --quiet=true -c stack.yml --state "$st" --resolve-image never --api-version 1.41 pf
expect "docker stack deploy's own flags are accepted" 0
run_in "$tmp" plan -c changed.yml --state "$st" --resolve-image never --api-version 1.41 --prune=false pf
expect "--prune=false prunes nothing" 1 '^Plan: 2 to create, 17 to update \(11 replace tasks\), 0 to delete'
run plan -c "$tmp/stack.yml" --prune=maybe pf; expect "a boolean docker would refuse: exit 2" 2 '' "invalid boolean value 'maybe'"
run_in "$tmp" plan -c stack.yml --state "$st" --resolve-image never --api-version 1.41 other
expect "another stack: everything is created" 1 '^Plan: 26 to create, 0 to update'

# --- JSON, and its schema ---
run_in "$tmp" plan -c changed.yml --state "$st" --resolve-image never --api-version 1.41 --format json pf
expect "--format json" 1 '"summary": \{"create": 2, "update": 17, "delete": 0, "unchanged": 9, "fail": 0\}'
cp "$tmp/out" "$tmp/changed.json"
run_in "$tmp" plan -c fail.yml --state "$st" --resolve-image never --api-version 1.41 --format json pf
cp "$tmp/out" "$tmp/fail.json"
# a paused update the deploy resumes: an update with no field, replacing tasks
cat "$top/tests/golden/plan/paused.state.json" "$top/tests/golden/plan/paused.nodes.json" >"$tmp/paused.state.json"
run_in "$tmp" plan -c paused-bad.yml --state "$tmp/paused.state.json" --resolve-image never \
	--api-version 1.41 --format json pp
expect "a paused update: an update with no field" 1 '"replaces_tasks": true, "fields": \[\]'
cp "$tmp/out" "$tmp/paused.json"
if python3 -c 'import jsonschema' 2>/dev/null; then
	check=$top/tests/jsonschema-check.py schema=$top/docs/schema/plan.schema.json
	if python3 "$check" "$schema" "$tmp/changed.json" "$tmp/fail.json" "$tmp/paused.json" >"$tmp/why" 2>&1; then
		ok "plans valid against docs/schema/plan.schema.json"
	else
		cat "$tmp/why"; fail "plans against the schema"
	fi
	# the schema can fail: an unknown action, a missing summary, an update without fields
	sed 's/"action": "update"/"action": "explode"/' "$tmp/changed.json" >"$tmp/bad1.json"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["summary"]; json.dump(d, open(sys.argv[2], "w"))' \
		"$tmp/changed.json" "$tmp/bad2.json"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [c.update(fields=[]) for c in d["changes"]]; json.dump(d, open(sys.argv[2], "w"))' \
		"$tmp/changed.json" "$tmp/bad3.json"
	if python3 "$check" --invalid "$schema" "$tmp/bad1.json" "$tmp/bad2.json" "$tmp/bad3.json" >/dev/null 2>&1; then
		ok "the schema refuses broken plans"
	else
		fail "the schema accepts a broken plan"
	fi
else
	echo "skip schema: no python3-jsonschema"
fi

# --- colour only when asked ---
run_in "$tmp" plan -c changed.yml --state "$st" --resolve-image never --api-version 1.41 pf
case $out in *"$(printf '\033')"*) fail "colour on a pipe" ;; *) ok "no colour on a pipe" ;; esac
run_in "$tmp" plan -c changed.yml --state "$st" --resolve-image never --api-version 1.41 --color=always pf
case $out in *"$(printf '\033[33m~ service')"*) ok "--color=always colours an update" ;; *) fail "--color=always" ;; esac
finish
