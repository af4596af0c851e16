#!/usr/bin/env bash
# tests/cli/api.sh -- the command-line contract of `convert --to api` (CLI.md):
# exit codes, nothing on stdout when rejected, -o, --stack, --api-version, -c merges.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
C2S=${C2S:-$PWD/compose2swarm}
tmp=$(mktemp -d /tmp/c2s-cli-api.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # check NAME WANT_RC CMD... (stdout -> $tmp/out, stderr -> $tmp/err)
	local name=$1 want=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL $name: exit $rc, want $want"; sed 's/^/  /' "$tmp/err"; fails=$((fails + 1)); return 1
	fi
	echo "ok   $name"
}
expect() { # expect NAME PYTHON-EXPR-ON-j (the parsed stdout)
	if ! python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$tmp/out" 2>"$tmp/pyerr"; then
		echo "FAIL $1: $2"; head -c 600 "$tmp/out"; cat "$tmp/pyerr"; fails=$((fails + 1))
	fi
}
empty_stdout() {
	[ -s "$tmp/out" ] && { echo "FAIL $1: stdout not empty"; fails=$((fails + 1)); }
	return 0
}
seed=$top_srcdir/fixtures/seed/docker-compose.yml

check "seed as stack swarm" 0 "$C2S" convert -c "$seed" --to api --stack swarm
expect "seed: one service swarm_api with 10 replicas" \
	'[s["Name"] for s in j["services"]] == ["swarm_api"] and j["services"][0]["Mode"]["Replicated"]["Replicas"] == 10'
expect "seed: the default overlay network" \
	'[(n["Name"], n["Driver"]) for n in j["networks"]] == [("swarm_default", "overlay")] and "CheckDuplicate" not in j["networks"][0]'
expect "seed: the four lists, sorted" 'sorted(j) == ["configs", "networks", "secrets", "services"]'

check "default stack name is stack" 0 "$C2S" convert -c "$seed" --to api
expect "default stack name" 'j["services"][0]["Name"] == "stack_api"'

check "api 1.43 adds CheckDuplicate" 0 "$C2S" convert -c "$seed" --to api --api-version 1.43
expect "CheckDuplicate below 1.44" 'j["networks"][0]["CheckDuplicate"] is True'

check "api 1.29 is refused like docker --resolve-image" 1 "$C2S" convert -c "$seed" --to api --api-version 1.29
empty_stdout "api 1.29"
grep -q 'requires API version 1.30' "$tmp/err" || { echo "FAIL api 1.29: message"; fails=$((fails + 1)); }

check "malformed --api-version is a usage error" 2 "$C2S" convert -c "$seed" --to api --api-version one
empty_stdout "malformed --api-version"

check "a stack name of quotes and blanks is refused" 1 "$C2S" convert -c "$seed" --to api --stack "' '"
grep -qF "invalid stack name: \"' '\"" "$tmp/err" || { echo "FAIL stack name: message"; fails=$((fails + 1)); }

printf 'version: "3.8"\nservices:\n  web:\n    image: nginx\n    networks: [missing]\n' >"$tmp/bad.yml"
check "a file deploy refuses: exit 1" 1 "$C2S" convert -c "$tmp/bad.yml" --to api
empty_stdout "refused file"
grep -q 'bad.yml:5:16: error: service web: undefined network "missing"' "$tmp/err" ||
	{ echo "FAIL refused file: diagnostic"; cat "$tmp/err"; fails=$((fails + 1)); }

printf 'services:\n  web:\n    image: nginx\n    secrets: [a, {source: b, target: a}]\nsecrets:\n  a: {file: ./bad.yml}\n  b: {file: ./bad.yml}\n' >"$tmp/dup.yml"
check "two secrets at one target: the CLI refuses (parse.go ParseSecrets)" 1 "$C2S" convert -c "$tmp/dup.yml" --to api
empty_stdout "duplicate secret target"
grep -q 'dup.yml:4:38: error: service web: duplicate secret target for a not allowed' "$tmp/err" ||
	{ echo "FAIL duplicate secret target: diagnostic"; cat "$tmp/err"; fails=$((fails + 1)); }

# what only the engine refuses is lint's to say (CS2010): the CLI still posts it
printf 'services:\n  web:\n    image: nginx\n    deploy:\n      restart_policy: {condition: always}\n' >"$tmp/engine.yml"
check "an engine refusal is posted as the CLI posts it" 0 "$C2S" convert -c "$tmp/engine.yml" --to api
expect "restart condition sent verbatim" \
	'j["services"][0]["TaskTemplate"]["RestartPolicy"]["Condition"] == "always"'
check "... and lint --fail-on error refuses it" 1 "$C2S" lint --fail-on error "$tmp/engine.yml"

check "-o writes the JSON, not stdout" 0 "$C2S" convert -c "$seed" --to api -o "$tmp/payload.json"
empty_stdout "-o"
cp "$tmp/payload.json" "$tmp/out"
expect "-o content" 'j["services"][0]["Name"] == "stack_api"'

printf 'version: "3.7"\nservices:\n api:\n   deploy:\n     replicas: 2\n   environment: [B=2, A=1]\n' >"$tmp/override.yml"
check "-c merges files before converting" 0 "$C2S" convert -c "$seed" -c "$tmp/override.yml" --to api
expect "merged replicas and sorted Env" \
	'j["services"][0]["Mode"]["Replicated"]["Replicas"] == 2 and j["services"][0]["TaskTemplate"]["ContainerSpec"]["Env"] == ["A=1", "B=2"]'

# a refusal in the last service, after many good ones: nothing written, with -o or not
{ printf 'version: "3.8"\nservices:\n'; for i in $(seq -w 1 300); do printf '  s%s:\n    image: nginx\n' "$i"; done
  printf '  zzz:\n    image: nginx\n    deploy:\n      mode: bogus\n'; } >"$tmp/late.yml"
check "a refusal after 300 good services (stdout)" 1 "$C2S" convert -c "$tmp/late.yml" --to api
empty_stdout "late refusal"
grep -q 'service zzz: Unknown mode: bogus' "$tmp/err" || { echo "FAIL late refusal: message"; fails=$((fails + 1)); }
check "a refusal after 300 good services (-o)" 1 "$C2S" convert -c "$tmp/late.yml" --to api -o "$tmp/late.json"
[ -e "$tmp/late.json" ] && { echo "FAIL late refusal: -o file written"; fails=$((fails + 1)); }
ls -A "$tmp" | grep -q 'late\.json' && { echo "FAIL late refusal: temporary file left"; fails=$((fails + 1)); }
check "300 good services" 0 "$C2S" convert -c "$tmp/late.yml" -c /dev/stdin --to api <<'YML'
version: "3.8"
services:
  zzz:
    deploy:
      mode: global
YML
expect "300 good services: all there, sorted" \
	'len(j["services"]) == 301 and [s["Name"] for s in j["services"]] == sorted(s["Name"] for s in j["services"])'

[ "$fails" -eq 0 ] || { echo "cli/api: $fails failed"; exit 1; }
echo "cli/api: all passed"
