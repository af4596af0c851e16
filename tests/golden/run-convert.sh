#!/bin/sh
# run-convert.sh -- `compose2swarm convert` against docker's recorded output
# for each tests/golden/convert/CASE/ (see regen.sh): byte-identical stdout
# when docker accepted the files, exit 1 and empty stdout when it refused.
# Needs no docker. Cases are staged at /tmp/c2s-golden/CASE/ as regen.sh does.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${C2S:=$top_srcdir/compose2swarm}"
stage_root=/tmp/c2s-golden
# docker printed these absolute paths, so the stage cannot move: two runs at
# once (two checkouts on one machine) take turns instead of colliding
if command -v flock >/dev/null 2>&1; then
	exec 9>"$stage_root.lock"
	flock 9
fi
fail=0
n=0
for cdir in "$top_srcdir"/tests/golden/convert/*/; do
	c=$(basename "$cdir")
	[ -f "$cdir/stack-config.rc" ] || continue
	n=$((n + 1))
	d=$stage_root/$c
	rm -rf "$d"
	mkdir -p "$d"
	(cd "$cdir" && tar cf - --exclude=stack-config.yml --exclude=stack-config.rc \
		--exclude=stack-config.err --exclude=payloads.json --exclude=match-message --exclude=flags .) | (cd "$d" && tar xf -)
	chmod -R u+w "$d"
	files=compose.yml
	[ -f "$d/files" ] && files=$(cat "$d/files")
	args=""
	for f in $files; do args="$args -c $f"; done
	# optional `flags`: options given to both docker stack config and convert
	[ -f "$cdir/flags" ] && args="$args $(cat "$cdir/flags")"
	envs=""
	[ -f "$d/env" ] && envs=$(grep -v '^#' "$d/env" || true)
	want=$(cat "$cdir/stack-config.rc")
	rc=0
	# shellcheck disable=SC2086
	(cd "$d" && env -i PATH="$PATH" HOME=/tmp/c2s-golden-home $envs "$C2S" convert $args \
		>"$d/.out" 2>"$d/.err") || rc=$?
	if [ "$want" = 0 ]; then
		if [ "$rc" != 0 ] || ! cmp -s "$d/.out" "$cdir/stack-config.yml"; then
			echo "FAIL $c: rc=$rc (want 0)"
			diff -u "$cdir/stack-config.yml" "$d/.out" | head -20
			head -5 "$d/.err"
			fail=$((fail + 1))
		fi
	else
		if [ "$rc" != 1 ] || [ -s "$d/.out" ]; then
			echo "FAIL $c: rc=$rc (want 1, docker said: $(head -c 200 "$cdir/stack-config.err"))"
			fail=$((fail + 1))
		elif [ -f "$cdir/match-message" ] && ! grep -qF -- "$(grep . "$cdir/stack-config.err" | tail -n 1)" "$d/.err"; then
			echo "FAIL $c: docker's message not in ours: $(grep . "$cdir/stack-config.err" | tail -n 1)"
			cat "$d/.err"
			fail=$((fail + 1))
		fi
	fi
done
echo "convert golden: $((n - fail))/$n passed"
[ "$fail" = 0 ]
