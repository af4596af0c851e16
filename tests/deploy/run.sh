#!/usr/bin/env bash
# run.sh -- compose2swarm deploy sends what docker stack deploy sent: each case in tests/deploy/cases
# runs against fakedockerd (setup steps, then the compared deploy), and its request log is compared
# with the one the docker CLI made (CASE/docker.jsonl, scripts/record-deploy-logs.sh) by
# scripts/deploy_compare.py. The setup deploys are compose2swarm's own here (CI has no docker CLI
# 28): a first deploy that left another state than docker's would show in the compared log.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
export top_srcdir=$top
C2S=${C2S:-$top/compose2swarm}
export C2S
. "$top/tests/deploy/lib.sh"
"$C2S" --version | grep -q "^Engine API client: " || { echo "SKIP: built without the Engine API client"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
for c in "$top"/tests/deploy/cases/*/; do
	c=${c%/}
	name=$(basename "$c")
	if ! run_case ours "$c" "$tmp/$name" 2>"$tmp/$name.setup"; then
		echo "FAIL $name: setup"; cat "$tmp/$name.setup"; failed=$((failed + 1)); continue
	fi
	want=$(cat "$c/docker.rc") got=$(cat "$tmp/$name.rc")
	if [ "$want" != "$got" ]; then
		echo "FAIL $name: exit $got, docker's $want"; sed 's/^/  /' "$tmp/$name.err" | head -20
		failed=$((failed + 1)); continue
	fi
	# docker's progress lines (in its random order), then ours after the plan
	said() { grep -E '^(Creating (network|secret|config|service)|Updating service|Removing service) ' "$1" | LC_ALL=C sort; }
	if ! diff <(said "$c/docker.out") <(said "$tmp/$name.out") >"$tmp/$name.said"; then
		echo "FAIL $name: not docker's progress lines"; sed 's/^/  /' "$tmp/$name.said" | head -20
		failed=$((failed + 1)); continue
	fi
	# docker's warnings (an image whose digest could not be had), in any order
	warned() { grep -E '^image .* could not be accessed on a registry' "$1" | LC_ALL=C sort; }
	if ! diff <(warned "$c/docker.err") <(warned "$tmp/$name.err") >"$tmp/$name.warned"; then
		echo "FAIL $name: not docker's warnings"; sed 's/^/  /' "$tmp/$name.warned" | head -20
		failed=$((failed + 1)); continue
	fi
	# an ssh:// case: the same ssh command as docker's, as many times
	if [ -f "$c/docker.ssh" ] && ! diff "$c/docker.ssh" "$tmp/$name.ssh" >"$tmp/$name.sshdiff" 2>&1; then
		echo "FAIL $name: not docker's ssh commands"; sed 's/^/  /' "$tmp/$name.sshdiff" | head -10
		failed=$((failed + 1)); continue
	fi
	if python3 "$top/scripts/deploy_compare.py" "$c/docker.jsonl" "$tmp/$name.jsonl" >"$tmp/$name.diff"; then
		echo "ok   $name ($(wc -l <"$c/docker.jsonl") requests as docker's)"
		passed=$((passed + 1))
	else
		echo "FAIL $name: not docker's requests"; sed 's/^/  /' "$tmp/$name.diff" | head -30
		failed=$((failed + 1))
	fi
done
echo "deploy requests: $passed passed, $failed failed"
[ $failed -eq 0 ]
