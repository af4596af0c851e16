#!/usr/bin/env bash
# plan-corpus.sh -- every corpus file a real engine accepts, deployed with the
# docker CLI, must plan as no changes: offline (--state from docker inspect)
# and against the daemon (when this build has the Engine API client), and the
# two plans (--format json, every object with its action) must be the same
# bytes.
#
#   scripts/plan-corpus.sh [--changes] CORPUS [ID...]
#
# --changes: then each file is changed by an override (-c FILE -c override.yml:
# a label under deploy.labels and a variable in environment for every
# service), which plan must call an update that replaces the tasks of every
# service, the same offline and live; deployed with the docker CLI, the same
# files then plan as no changes again.
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
changes=0
[ "${1:-}" = --changes ] && { changes=1; shift; }
[ $# -ge 1 ] && [ -d "$1/real" ] || { echo "usage: $0 [--changes] CORPUS [ID...]" >&2; exit 2; }
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
live=1 # until the build says it has no Engine API client
pass=0 failed=""
# the external objects a file needed go with it: the next file may declare
# one of the same name as its own (swarm names are unique regardless of case)
drop_externals() {
	local o
	for o in $made; do docker "${o%%:*}" rm "${o#*:}" >/dev/null 2>&1; done
}
# change ID DIR STACK: an override that changes every service; plan says each
# is updated and replaces its tasks; deployed, it plans as no changes
change() {
	local id=$1 d=$2 stack=$3 r=0
	(cd "$d" && clean_env "$C2S" convert -c "$id.yml" --to api --stack "$stack") >"$d/api.json" 2>/dev/null &&
		(cd "$d" && clean_env "$C2S" convert -c "$id.yml") >"$d/config.yml" 2>/dev/null || return 1
	python3 - "$d/api.json" "$d/config.yml" "$stack" >"$d/override.yml" <<'PY' || return 1
import json, sys
api = json.load(open(sys.argv[1]))
version = next((l.split(":", 1)[1].strip() for l in open(sys.argv[2]) if l.startswith("version:")), '"3.8"')
print("version: %s" % version)
print("services:")
for s in api["services"]:
    key = s["Name"][len(sys.argv[3]) + 1:]
    print("  %s:\n    environment:\n      C2S_PLAN_CHANGE: \"1\"\n    deploy:\n      labels:\n        c2s.plan.change: \"1\"" % json.dumps(key))
PY
	(cd "$d" && clean_env "$C2S" plan -c "$id.yml" -c override.yml --resolve-image never --format json \
		"$stack") >"$d/change.json" 2>"$d/change.err"
	python3 - "$d/change.json" <<'PY' || { say "$id: the change is not planned as an update replacing every service's tasks"; head -c 2000 "$d/change.json" "$d/change.err" >&2; return 1; }
import json, sys
p = json.load(open(sys.argv[1]))
svcs = [c for c in p["changes"] if c["kind"] == "service"]
sys.exit(0 if svcs and all(c["action"] == "update" and c["replaces_tasks"] is True for c in svcs) else 1)
PY
	[ "$live" = 0 ] || same_plans "$d" "$stack" "$id.yml" override.yml ||
		{ say "$id: with the override, the live plan differs from the offline one:"; head -n 30 "$d/plan.out" >&2; return 1; }
	(cd "$d" && clean_env "$cli" stack deploy --resolve-image never -c "$id.yml" -c override.yml "$stack") \
		>"$d/deploy2.out" 2>&1 || { say "$id: docker stack deploy with the override failed"; return 1; }
	(cd "$d" && clean_env "$C2S" plan -c "$id.yml" -c override.yml --resolve-image never "$stack") \
		>"$d/plan2.out" 2>&1 || { say "$id: after the change, plans as changes:"; head -n 30 "$d/plan2.out" >&2; return 1; }
	return 0
}
# same_plans DIR STACK FILE...: plan --format json from DIR/state.json and
# against the daemon print the same bytes (and exit the same); the diff goes
# into DIR/plan.out
same_plans() {
	local d=$1 stack=$2 a=() f rs=0 rl=0
	shift 2
	for f in "$@"; do a+=(-c "$f"); done
	(cd "$d" && clean_env "$C2S" plan "${a[@]}" --resolve-image never --format json --state state.json \
		--api-version "$SWARM_API" "$stack") >"$d/same.state.json" 2>&1 || rs=$?
	(cd "$d" && clean_env "$C2S" plan "${a[@]}" --resolve-image never --format json "$stack") \
		>"$d/same.live.json" 2>&1 || rl=$?
	[ "$rs" = "$rl" ] && cmp -s "$d/same.state.json" "$d/same.live.json" && return 0
	{ echo "exit offline $rs, live $rl"; diff "$d/same.state.json" "$d/same.live.json"; } >"$d/plan.out"
	return 1
}
clean_env() { env -i PATH="$PATH" HOME="$HOME" DOCKER_HOST="$DOCKER_HOST" DOCKER_CONFIG="$DOCKER_CONFIG" "$@"; }
for id in $ids; do
	d=$SWARM_TMP/corpus/$id stack=c$id
	rm -rf "$d" && mkdir -p "$d"
	cp "$corpus/real/$id.yml" "$d/"
	[ -d "$corpus/stubs/$id" ] && cp -r "$corpus/stubs/$id/." "$d/"
	ok=0 made=
	for try in $(seq 1 30); do
		(cd "$d" && clean_env "$cli" stack deploy --resolve-image never -c "$id.yml" "$stack") >"$d/deploy.out" 2>&1 &&
			{ ok=1; break; }
		e=$(tail -n 1 "$d/deploy.out")
		n=$(printf '%s' "$e" | sed -n 's/.*network "\([^"]*\)" is declared as external.*/\1/p')
		if [ -n "$n" ]; then docker network create -d overlay --attachable "$n" >/dev/null 2>&1; made="$made network:$n"; continue; fi
		# a network of that name removed with the previous file can still be
		# found by name on dockerd 20.10 (its local copy) while swarm has none:
		# the CLI's check passes and the service create says "not found"
		n=$(printf '%s' "$e" | sed -n 's/.*Error response from daemon: network \(.*\) not found$/\1/p')
		if [ -n "$n" ] && [ "$try" -lt 30 ]; then docker network create -d overlay --attachable "$n" >/dev/null 2>&1; made="$made network:$n"; sleep 1; continue; fi
		n=$(printf '%s' "$e" | sed -n 's/.*secret not found: \(.*\)$/\1/p')
		if [ -n "$n" ]; then echo x | docker secret create "$n" - >/dev/null 2>&1; made="$made secret:$n"; continue; fi
		n=$(printf '%s' "$e" | sed -n 's/.*config not found: \(.*\)$/\1/p')
		if [ -n "$n" ]; then echo x | docker config create "$n" - >/dev/null 2>&1; made="$made config:$n"; continue; fi
		break
	done
	if [ "$ok" != 1 ]; then
		say "$id: docker stack deploy failed: $(tail -n 1 "$d/deploy.out")"
		failed="$failed $id"
		swarm_rm_stack "$stack"
		drop_externals
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
		if [ "$r" = 2 ] && grep -q 'lacks' "$d/plan-live.out"; then
			say "this build has no Engine API client: offline only"
			live=0 r=0
		fi
		[ "$r" = 0 ] || cp "$d/plan-live.out" "$d/plan.out"
	fi
	# the same plan, every object with its action, offline and live
	why="plans as changes (exit $r)"
	if [ "$live" = 1 ] && [ "$r" = 0 ] && ! same_plans "$d" "$stack" "$id.yml"; then
		why="the live plan differs from the offline one" r=1
	fi
	if [ "$r" = 0 ] && [ "$changes" = 1 ]; then
		change "$id" "$d" "$stack" || why="the change" r=1
	fi
	if [ "$r" = 0 ]; then
		pass=$((pass + 1))
	else
		say "$id: $why:"
		head -n 30 "$d/plan.out" >&2
		failed="$failed $id"
	fi
	swarm_rm_stack "$stack"
	drop_externals
done
say "$pass planned as no changes$([ "$live" = 1 ] && echo ' (offline and live)')${failed:+; not:$failed}"
[ -z "$failed" ]
