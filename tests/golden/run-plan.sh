#!/usr/bin/env bash
# run-plan.sh -- golden tests for `plan`: fixtures/plan's compose files against
# swarm states recorded from a real swarm (scripts/record-plan-golden.sh),
# each case's expected plan written by hand (tests/golden/plan/cases says
# which; plan_check.py reads the expectations). Offline: --state only.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
C2S=${C2S:-$PWD/compose2swarm}
command -v python3 >/dev/null || { echo "run-plan: python3 is needed" >&2; exit 99; }
dir=$top_srcdir/tests/golden/plan
tmp=$(mktemp -d /tmp/c2s-run-plan.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
while read -r name stack file states args; do
	case $name in '' | '#'*) continue ;; esac
	expect=${name#*=} name=${name%%=*}
	: >"$tmp/state"
	for s in ${states//,/ }; do cat "$dir/$s" >>"$tmp/state"; done
	format=json
	case " $args " in *" --format text "*) format=text ;; esac
	# shellcheck disable=SC2086
	(cd "$top_srcdir/fixtures/plan" && env -i PATH="$PATH" HOME=/nonexistent "$C2S" plan -c "$file" \
		--state - --api-version 1.41 --format json $args "$stack" <"$tmp/state") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$format" = text ]; then
		if [ "$rc" = 1 ] && cmp -s "$tmp/out" "$dir/$expect.text"; then
			ok=1
		else
			ok=0
			diff -u "$dir/$expect.text" "$tmp/out" | head -20
		fi
	elif python3 "$top_srcdir/tests/golden/plan_check.py" "$dir/$expect.expect" "$tmp/out" "$rc" >"$tmp/why"; then
		ok=1
	else
		ok=0
		head -c 3000 "$tmp/why"
	fi
	if [ "$ok" = 1 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL plan/$name (exit $rc)"
		head -c 500 "$tmp/err"
	fi
done <"$dir/cases"
echo "run-plan: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
