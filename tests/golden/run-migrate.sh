#!/bin/sh
# run-migrate.sh -- golden migrate tests. Each tests/golden/migrate/NAME/ holds a docker
# compose project in in/ (copied to a scratch directory and run from there), and:
#   args             extra arguments for `compose2swarm migrate` (one line; optional)
#   env              NAME=VALUE lines for the environment (optional; else only PATH, HOME)
#   rc               the exit status wanted (optional, default 0)
#   expected.yml     the stack file wanted (exit 0 only): compared byte for byte
#   expected.report  the report wanted, one "FILE:LINE:COL: KIND [RULE]" line per change
#                    (optional in a case with compare)
#   compare          "meaning" (optional): expected.yml is a stack file that means what
#                    the project meant, written by someone who did not run migrate
#                    (its quoting, order and comments are theirs): instead of its bytes,
#                    docker must read the same from it as from migrate's file (below;
#                    the version: line aside); with no docker CLI the case is skipped
#   expected.files/  files migrate writes beside the stack file (--materialize), each
#                    compared byte for byte (optional)
# The expected files are written by hand: they are the spec, not a snapshot. Docker then
# judges them, in the scratch directory, with whatever docker CLI is installed:
#   - one with `docker stack config` (23.0 and later): it must accept expected.yml and
#     print the same for it as for the file migrate wrote;
#   - one without (Debian's docker.io 20.10, what a fresh CI machine has):
#     `docker stack deploy` against the fake engine (scripts/reference/reference.sh)
#     must accept expected.yml without ignoring any option, and post the same request
#     bodies for it as for the file migrate wrote.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${C2S:-$top/compose2swarm}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
dir=$top/tests/golden/migrate
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
# Which docker check this machine can run: `docker stack config --help` exits 0 even where
# the command does not exist (20.10 prints the stack usage), so a real file is tried.
docker_check=
if command -v docker >/dev/null 2>&1; then
	printf 'version: "3"\nservices: {}\n' >"$tmp/probe.yml"
	if DOCKER_HOST=unix:///nonexistent.sock docker stack config -c "$tmp/probe.yml" >/dev/null 2>&1; then
		docker_check=config
	elif command -v python3 >/dev/null 2>&1 && [ -x "$top/scripts/reference/reference.sh" ]; then
		docker_check=deploy
	fi
fi
# deploy_ref DIR FILE: docker stack deploy of FILE (in DIR) against the fake engine, into DIR/FILE.ref
deploy_ref() {
	(cd "$1" && env HOME="$tmp/home" REF_CLEAN_ENV=1 "$top/scripts/reference/reference.sh" "$2" "$2.ref" stack) \
		>/dev/null 2>&1
}
fail=0 n=0 skipped=0
for case_dir in "$dir"/*/; do
	name=$(basename "$case_dir")
	n=$((n + 1))
	work=$tmp/$name
	mkdir -p "$work" && cp -R "$case_dir/in/." "$work/"
	args=$(cat "$case_dir/args" 2>/dev/null || true)
	compare=$(cat "$case_dir/compare" 2>/dev/null || true)
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
	if [ -f "$case_dir/expected.report" ] || [ "$compare" != meaning ]; then
		if ! diff -u "$case_dir/expected.report" "$tmp/report" >"$tmp/diff"; then
			echo "FAIL $name: report differs"; cat "$tmp/diff"; cat "$tmp/err"; fail=$((fail + 1)); continue
		fi
	fi
	if [ "$want_rc" = 0 ]; then
		if [ "$compare" != meaning ] && ! diff -u "$case_dir/expected.yml" "$work/stack.yml" >"$tmp/diff"; then
			echo "FAIL $name: stack file differs"; cat "$tmp/diff"; fail=$((fail + 1)); continue
		fi
		if [ "$compare" = meaning ] && [ -z "$docker_check" ]; then
			echo "SKIP $name: compare meaning needs a docker CLI"; skipped=$((skipped + 1)); continue
		fi
		extra_bad=
		for f in "$case_dir"/expected.files/*; do
			[ -e "$f" ] || continue
			cmp -s "$f" "$work/${f##*/}" || extra_bad="$extra_bad ${f##*/}"
		done
		if [ -n "$extra_bad" ]; then
			echo "FAIL $name: files beside the stack file differ or are missing:$extra_bad"; fail=$((fail + 1)); continue
		fi
		if [ "$docker_check" = deploy ]; then
			cp "$case_dir/expected.yml" "$work/expected.yml"
			deploy_ref "$work" expected.yml
			r1=$(cat "$work/expected.yml.ref/deploy.rc" 2>/dev/null || echo none)
			if [ "$compare" = meaning ]; then
				deploy_ref "$work" stack.yml
			else
				# the same bytes (compared above) post the same bodies: one deploy is enough
				cp -R "$work/expected.yml.ref" "$work/stack.yml.ref"
			fi
			r2=$(cat "$work/stack.yml.ref/deploy.rc" 2>/dev/null || echo none)
			if [ "$r1" != 0 ] || [ "$r2" != 0 ] ||
				! cmp -s "$work/expected.yml.ref/payloads.json" "$work/stack.yml.ref/payloads.json"; then
				echo "FAIL $name: docker stack deploy of expected.yml (exit $r1) and of our file (exit $r2) differ"
				cat "$work/expected.yml.ref/deploy.out" "$work/stack.yml.ref/deploy.out" 2>/dev/null
				diff -u "$work/expected.yml.ref/payloads.json" "$work/stack.yml.ref/payloads.json"
				fail=$((fail + 1)); continue
			fi
			if grep -qi 'ignoring' "$work/expected.yml.ref/deploy.out"; then
				echo "FAIL $name: docker stack deploy ignores options of expected.yml"
				cat "$work/expected.yml.ref/deploy.out"; fail=$((fail + 1)); continue
			fi
		fi
		if [ "$docker_check" = config ]; then
			cp "$case_dir/expected.yml" "$work/expected.yml"
			(cd "$work" && DOCKER_HOST=unix:///nonexistent.sock docker stack config -c expected.yml) \
				>"$tmp/d1" 2>"$tmp/d1.err"
			r1=$?
			(cd "$work" && DOCKER_HOST=unix:///nonexistent.sock docker stack config -c stack.yml) \
				>"$tmp/d2" 2>"$tmp/d2.err"
			r2=$?
			if [ "$compare" = meaning ]; then
				# the version is the writer's choice: it decides which keys docker reads, not what they mean
				sed -i '1{/^version: /d}' "$tmp/d1" "$tmp/d2"
			fi
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
case $docker_check in
config) echo "(the expected stack files were checked with docker stack config)" ;;
deploy) echo "(the expected stack files were checked with docker stack deploy against the fake engine)" ;;
*) echo "(no docker CLI: the expected stack files were not checked by docker)" ;;
esac
echo "$n golden migrate cases, $fail failed, $skipped skipped"
[ "$n" -gt 0 ] && [ "$fail" -eq 0 ]
