#!/bin/sh
# run-lint.sh -- golden lint tests: for each tests/golden/lint/NAME.out, run
# `compose2swarm ARGS` from the top of the source tree and compare standard
# output with NAME.out and the exit status with NAME.rc. ARGS is the one line
# in NAME.args, or `lint fixtures/lint/NAME.yml` when there is none. The
# expected files are written by hand: they are the spec, not a snapshot.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${C2S:-$top/compose2swarm}
dir=$top/tests/golden/lint
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for out in "$dir"/*.out; do
	name=$(basename "$out" .out)
	n=$((n + 1))
	if [ -f "$dir/$name.args" ]; then args=$(cat "$dir/$name.args"); else args="lint fixtures/lint/$name.yml"; fi
	want_rc=$(cat "$dir/$name.rc" 2>/dev/null || echo 0)
	# shellcheck disable=SC2086
	(cd "$top" && env -u COLUMNS NO_COLOR=1 "$bin" $args >"$tmp/out" 2>"$tmp/err" </dev/null)
	rc=$?
	if [ "$rc" != "$want_rc" ]; then
		echo "FAIL $name: exit $rc, want $want_rc"; cat "$tmp/err"; fail=$((fail + 1)); continue
	fi
	if ! diff -u "$out" "$tmp/out" >"$tmp/diff"; then
		echo "FAIL $name: output differs"; cat "$tmp/diff"; fail=$((fail + 1)); continue
	fi
	if [ -f "$dir/$name.err" ] && ! diff -u "$dir/$name.err" "$tmp/err"; then
		echo "FAIL $name: standard error differs"; fail=$((fail + 1)); continue
	fi
	echo "ok   $name"
done
echo "$n golden lint cases, $fail failed"
[ "$n" -gt 0 ] && [ "$fail" -eq 0 ]
