#!/bin/sh
# regen.sh -- regenerate the expected outputs of tests/golden/convert/*/ with
# the real docker CLI (28.2.2): stack-config.yml/.rc/.err from `docker stack
# config`, and payloads.json from `docker stack deploy` against the fake
# engine (scripts/reference/reference.sh; single-file cases only, as that
# script takes one file). Needs docker; the tests themselves do not.
#
# Each case directory holds its inputs: compose.yml (or the files listed, one
# per line, in `files`, given as -c in that order), any files they refer to,
# and optionally `env` (NAME=VALUE lines: the only variables besides PATH and
# HOME the CLI sees). Cases are staged at /tmp/c2s-golden/CASE/ because docker
# prints absolute bind-mount paths; run-convert.sh stages the same way.
#
# Usage: tests/golden/regen.sh [CASE...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
stage_root=/tmp/c2s-golden
command -v docker >/dev/null || { echo "regen.sh: docker CLI not found" >&2; exit 2; }
cd "$here/convert"
cases=${*:-$(ls)}
for c in $cases; do
	[ -d "$here/convert/$c" ] || continue
	d=$stage_root/$c
	rm -rf "$d"
	mkdir -p "$d"
	(cd "$here/convert/$c" && tar cf - --exclude=stack-config.yml --exclude=stack-config.rc \
		--exclude=stack-config.err --exclude=payloads.json --exclude=match-message --exclude=flags .) | (cd "$d" && tar xf -)
	files=compose.yml
	[ -f "$d/files" ] && files=$(cat "$d/files")
	args=""
	for f in $files; do args="$args -c $f"; done
	# optional `flags`: options given to both docker stack config and convert
	[ -f "$here/convert/$c/flags" ] && args="$args $(cat "$here/convert/$c/flags")"
	envs=""
	refenv=""
	if [ -f "$d/env" ]; then
		envs=$(grep -v '^#' "$d/env" || true)
		refenv=$(grep -v '^#' "$d/env" | sed 's/^/REF_ENV_/' || true)
	fi
	rc=0
	# shellcheck disable=SC2086
	(cd "$d" && env -i PATH="$PATH" HOME=/tmp/c2s-golden-home DOCKER_CONFIG="$d/.docker-config" $envs \
		docker stack config $args >"$here/convert/$c/stack-config.yml" \
		2>"$here/convert/$c/stack-config.err") || rc=$?
	rm -rf "$d/.docker-config"
	echo "$rc" >"$here/convert/$c/stack-config.rc"
	# docker prints time stamps in its warnings; keep only the messages
	sed -i 's/^time="[^"]*" //' "$here/convert/$c/stack-config.err"
	set -- $files
	if [ $# -eq 1 ] && [ ! -f "$here/convert/$c/flags" ]; then
		out=$(mktemp -d)
		# shellcheck disable=SC2086
		env HOME=/tmp/c2s-golden-home REF_CLEAN_ENV=1 $refenv "$top/scripts/reference/reference.sh" "$d/$1" "$out" stack >/dev/null 2>&1 || true
		if [ -f "$out/payloads.json" ] && [ "$(cat "$out/deploy.rc" 2>/dev/null)" = 0 ]; then
			cp "$out/payloads.json" "$here/convert/$c/payloads.json"
		else
			rm -f "$here/convert/$c/payloads.json"
		fi
		rm -rf "$out"
	fi
	echo "$c: stack config rc=$rc"
done
