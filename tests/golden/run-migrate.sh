#!/bin/sh
# run-migrate.sh -- golden migrate tests. Each tests/golden/migrate/NAME/ holds a docker
# compose project in in/ (copied to a scratch directory and run from there), and:
#   args             extra arguments for `compose2swarm migrate` (one line; optional)
#   env              NAME=VALUE lines for the environment (optional; else only PATH, HOME)
#   rc               the exit status wanted (optional, default 0)
#   expected.yml     the stack file wanted (exit 0 only): compared byte for byte
#   expected.report  the report wanted, one "FILE:LINE:COL: KIND [RULE]" line per change
# The expected files are written by hand: they are the spec, not a snapshot. Where a
# docker CLI is installed, `docker stack config` must accept expected.yml and print the
# same for it as for the file migrate wrote (both read in the scratch directory).
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${C2S:-$top/compose2swarm}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
dir=$top/tests/golden/migrate
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
docker_ok=
if command -v docker >/dev/null 2>&1 && docker stack config --help >/dev/null 2>&1; then docker_ok=1; fi
fail=0 n=0
for case_dir in "$dir"/*/; do
	name=$(basename "$case_dir")
	n=$((n + 1))
	work=$tmp/$name
	mkdir -p "$work" && cp -R "$case_dir/in/." "$work/"
	args=$(cat "$case_dir/args" 2>/dev/null || true)
	want_rc=$(cat "$case_dir/rc" 2>/dev/null || echo 0)
	set --
	if [ -f "$case_dir/env" ]; then
		while IFS= read -r kv; do [ -n "$kv" ] && set -- "$@" "$kv"; done <"$case_dir/env"
	fi
	# shellcheck disable=SC2086
	(cd "$work" && env -i PATH="$PATH" HOME="${HOME:-/}" NO_COLOR=1 "$@" "$bin" migrate $args -o stack.yml \
		--format gnu >"$tmp/out" 2>"$tmp/err" </dev/null)
	rc=$?
	if [ "$rc" != "$want_rc" ]; then
		echo "FAIL $name: exit $rc, want $want_rc"; cat "$tmp/err"; fail=$((fail + 1)); continue
	fi
	# the report without its sentences: place, kind, rule
	sed -n 's/^\([^:]*:[0-9]*:[0-9]*\): \([a-z-]*\): .* \[\([A-Z0-9]*\)\]$/\1: \2 [\3]/p' "$tmp/err" >"$tmp/report"
	if ! diff -u "$case_dir/expected.report" "$tmp/report" >"$tmp/diff"; then
		echo "FAIL $name: report differs"; cat "$tmp/diff"; cat "$tmp/err"; fail=$((fail + 1)); continue
	fi
	if [ "$want_rc" = 0 ]; then
		if ! diff -u "$case_dir/expected.yml" "$work/stack.yml" >"$tmp/diff"; then
			echo "FAIL $name: stack file differs"; cat "$tmp/diff"; fail=$((fail + 1)); continue
		fi
		if [ -n "$docker_ok" ]; then
			cp "$case_dir/expected.yml" "$work/expected.yml"
			(cd "$work" && DOCKER_HOST=unix:///nonexistent.sock docker stack config -c expected.yml) \
				>"$tmp/d1" 2>"$tmp/d1.err"
			r1=$?
			(cd "$work" && DOCKER_HOST=unix:///nonexistent.sock docker stack config -c stack.yml) \
				>"$tmp/d2" 2>"$tmp/d2.err"
			r2=$?
			if [ "$r1" != 0 ] || [ "$r2" != 0 ] || ! cmp -s "$tmp/d1" "$tmp/d2"; then
				echo "FAIL $name: docker stack config of expected.yml (exit $r1) and of our file (exit $r2) differ"
				cat "$tmp/d1.err" "$tmp/d2.err"; diff -u "$tmp/d1" "$tmp/d2"
				fail=$((fail + 1)); continue
			fi
		fi
	elif [ -e "$work/stack.yml" ]; then
		echo "FAIL $name: exit $rc, yet stack.yml was written"; fail=$((fail + 1)); continue
	fi
	echo "ok   $name"
done
[ -n "$docker_ok" ] || echo "(no docker CLI: the expected stack files were not checked with docker stack config)"
echo "$n golden migrate cases, $fail failed"
[ "$n" -gt 0 ] && [ "$fail" -eq 0 ]
