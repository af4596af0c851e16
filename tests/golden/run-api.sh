#!/usr/bin/env bash
# run-api.sh -- golden tests for `convert --to api`.
# tests/golden/api/*: a compose.yml and what docker stack deploy did with it,
# recorded by scripts/record-api-golden.sh: payloads.json, deploy.rc,
# deploy.err. deploy.rc 0: our JSON must equal the payloads (api_compare.py);
# otherwise: we must exit 1 with nothing on stdout and docker's error text
# (the last line of deploy.err) in our diagnostics.
# tests/golden/convert/*: the cases with a payloads.json (recorded by
# tests/golden/regen.sh, staged at /tmp/c2s-golden/CASE, HOME
# /tmp/c2s-golden-home, variables from `env`) must give those payloads too.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
C2S=${C2S:-$PWD/compose2swarm}
command -v python3 >/dev/null || { echo "run-api: python3 is needed" >&2; exit 99; }
tmp=$(mktemp -d /tmp/c2s-run-api.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for dir in "$top_srcdir"/tests/golden/api/*/ "$top_srcdir"/tests/golden/convert/*/; do
	dir=${dir%/}
	[ -f "$dir/payloads.json" ] || continue
	name=${dir#"$top_srcdir"/tests/golden/}
	dir=$(cd "$dir" && pwd -P) # the path our binary (and docker) sees: no .., no symlinks
	file=compose.yml
	stack=$(cat "$dir/stack" 2>/dev/null || echo stack)
	api=$(cat "$dir/api-version" 2>/dev/null || echo 1.50)
	home=${HOME:-/root} placeholder=@DIR@ envs=()
	if [ -f "$dir/deploy.rc" ]; then
		want_rc=$(cat "$dir/deploy.rc")
	else # a convert case: recorded only when deploy succeeded
		want_rc=0 home=/tmp/c2s-golden-home placeholder=/tmp/c2s-golden/${dir##*/}
		[ -f "$dir/files" ] && file=$(cat "$dir/files")
		[ -f "$dir/env" ] && mapfile -t envs < <(grep -v '^#' "$dir/env")
	fi
	# the environment docker saw: PATH and HOME (and the case's variables) only
	(cd "$dir" && env -i PATH="$PATH" HOME="$home" "${envs[@]}" "$C2S" convert -c "$file" --to api \
		--stack "$stack" --api-version "$api") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	ok=1
	if [ "$want_rc" = 0 ]; then
		if [ "$rc" != 0 ]; then
			echo "FAIL $name: exit $rc, want 0"; sed 's/^/  /' "$tmp/err"; ok=
		elif ! python3 "$top_srcdir/tests/golden/api_compare.py" "$dir/payloads.json" "$tmp/out" "$dir" "$placeholder" >"$tmp/diff"; then
			echo "FAIL $name: payloads differ"; sed 's/^/  /' "$tmp/diff"; ok=
		fi
	else
		msg=$(grep -v '^$' "$dir/deploy.err" | tail -n 1 | sed "s|@DIR@|$dir|g")
		if [ "$rc" != 1 ] || [ -s "$tmp/out" ]; then
			echo "FAIL $name: exit $rc with $(wc -c <"$tmp/out") bytes of output, want exit 1 and none"; ok=
		elif ! grep -qF -- "$msg" "$tmp/err"; then
			echo "FAIL $name: docker's error not in ours"; echo "  docker: $msg"; sed 's/^/  ours:   /' "$tmp/err"; ok=
		fi
	fi
	if [ -n "$ok" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "run-api: $pass passed, $fail failed"
[ "$pass" -gt 0 ] || { echo "run-api: no cases found" >&2; exit 1; }
[ "$fail" -eq 0 ]
