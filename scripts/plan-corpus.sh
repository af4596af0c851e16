#!/usr/bin/env bash
# plan-corpus.sh -- every corpus file a real engine accepts, deployed with the
# docker CLI, must plan as no changes: offline (--state from docker inspect)
# and against the daemon (when this build has the Engine API client).
#
#   scripts/plan-corpus.sh CORPUS [ID...]
#
# CORPUS is a directory with real/NNN.yml, stubs/NNN/ (files the compose file
# names) and ref-real/SUMMARY.tsv (which files the real engine accepted); the
# corpus is not part of the repository. Each file is staged with its stubs,
# deployed as stack cNNN with `docker stack deploy --resolve-image never`
# (external networks, secrets and configs it names are created first, as the
# deploy's errors ask for them), planned, and removed. Runs on a private swarm
# (tests/swarm/lib.sh; SWARM_SOCK reuses a running one). About 10 s a file.
# Environment: C2S (default ./compose2swarm), DOCKER_CLI (default
# /usr/local/bin/docker when it is there, else docker).
# Exit 0 all planned as no changes, 1 some did not, 2 usage.
set -u
[ $# -ge 1 ] && [ -d "$1/real" ] || { echo "usage: $0 CORPUS [ID...]" >&2; exit 2; }
corpus=$(cd "$1" && pwd)
shift
top=$(cd "$(dirname "$0")/.." && pwd)
C2S=${C2S:-$PWD/compose2swarm}
case $C2S in /*) ;; *) C2S=$PWD/$C2S ;; esac
SWARM_NAME=plan-corpus
. "$top/tests/swarm/lib.sh"
cli=${DOCKER_CLI:-/usr/local/bin/docker}
[ -x "$cli" ] || cli=$(command -v docker)
ids=$*
[ -n "$ids" ] || ids=$(awk -F'\t' 'NR > 1 && $3 == 0 { print $1 }' "$corpus/ref-real/SUMMARY.tsv")
swarm_start
live=0
"$C2S" plan --help 2>/dev/null | grep -q -- '--host' && ! "$C2S" plan -c /dev/null x 2>&1 | grep -q 'lacks' && live=1
pass=0 failed=""
clean_env() { env -i PATH="$PATH" HOME="$HOME" DOCKER_HOST="$DOCKER_HOST" DOCKER_CONFIG="$DOCKER_CONFIG" "$@"; }
for id in $ids; do
	d=$SWARM_TMP/corpus/$id stack=c$id
	rm -rf "$d" && mkdir -p "$d"
	cp "$corpus/real/$id.yml" "$d/"
	[ -d "$corpus/stubs/$id" ] && cp -r "$corpus/stubs/$id/." "$d/"
	ok=0
	for try in $(seq 1 30); do
		(cd "$d" && clean_env "$cli" stack deploy --resolve-image never -c "$id.yml" "$stack") >"$d/deploy.out" 2>&1 &&
			{ ok=1; break; }
		e=$(tail -n 1 "$d/deploy.out")
		n=$(printf '%s' "$e" | sed -n 's/.*network "\([^"]*\)" is declared as external.*/\1/p')
		if [ -n "$n" ]; then docker network create -d overlay --attachable "$n" >/dev/null 2>&1; continue; fi
		n=$(printf '%s' "$e" | sed -n 's/.*secret not found: \(.*\)$/\1/p')
		if [ -n "$n" ]; then echo x | docker secret create "$n" - >/dev/null 2>&1; continue; fi
		n=$(printf '%s' "$e" | sed -n 's/.*config not found: \(.*\)$/\1/p')
		if [ -n "$n" ]; then echo x | docker config create "$n" - >/dev/null 2>&1; continue; fi
		break
	done
	if [ "$ok" != 1 ]; then
		say "$id: docker stack deploy failed: $(tail -n 1 "$d/deploy.out")"
		failed="$failed $id"
		swarm_rm_stack "$stack"
		continue
	fi
	# the stack's objects and every network (external ones resolve by name)
	objs=$(for k in service secret config; do
		docker "$k" ls -q --filter "label=com.docker.stack.namespace=$stack"
	done)
	# shellcheck disable=SC2046,SC2086
	"$cli" inspect $objs $(docker network ls -q --filter scope=swarm) >"$d/state.json" 2>"$d/inspect.err"
	r=0
	(cd "$d" && clean_env "$C2S" plan -c "$id.yml" --resolve-image never --state state.json \
		--api-version "$SWARM_API" "$stack") >"$d/plan.out" 2>&1 || r=$?
	if [ "$live" = 1 ] && [ "$r" = 0 ]; then
		(cd "$d" && clean_env "$C2S" plan -c "$id.yml" --resolve-image never "$stack") >"$d/plan-live.out" 2>&1 || r=$?
		[ "$r" = 0 ] || cp "$d/plan-live.out" "$d/plan.out"
	fi
	if [ "$r" = 0 ]; then
		pass=$((pass + 1))
	else
		say "$id: plans as changes (exit $r):"
		head -n 30 "$d/plan.out" >&2
		failed="$failed $id"
	fi
	swarm_rm_stack "$stack"
done
say "$pass planned as no changes$([ "$live" = 1 ] && echo ' (offline and live)')${failed:+; not:$failed}"
[ -z "$failed" ]
