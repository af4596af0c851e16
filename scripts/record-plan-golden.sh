#!/usr/bin/env bash
# record-plan-golden.sh -- record the swarm states tests/golden/plan/ plans
# against: fixtures/plan/stack.yml deployed with the docker CLI
# (`docker stack deploy --resolve-image never`, stack "pf") on a private
# single-node swarm (tests/swarm/lib.sh; needs root and dockerd), then what
# `docker inspect` prints for the stack's objects:
#   stack.state.json   services, networks, secrets and configs
#   stack.nodes.json   the running tasks and the nodes
#   stack.raw.json     the same objects as the Engine API lists them
#                      (GET /services, /networks, /secrets, /configs filtered
#                      by the stack's label: no defaults filled in)
#   pinned.state.json  after `docker service update --force --image
#                      c2s-busybox:latest@sha256:... pf_plain`: a pinned image
#                      and ForceUpdate 1, which docker/cli's merges keep
#   norm.state.json, norm.raw.json   fixtures/plan/norm.yml as stack "pn": the
#                      values the daemon stores in a form of its own
#   paused.state.json  fixtures/plan/paused.yml as stack "pp", then
#                      paused-bad.yml over it: its update paused on a failed
#                      task (UpdateStatus.State "paused"); paused.nodes.json
#                      its running tasks (one still on paused.yml's spec)
#                      and the nodes
# `scripts/record-plan-golden.sh paused` records only the last (each of
# stack, norm, paused can be named; none: all of them).
# The expected plans (*.expect) are written by hand from what the swarm did
# (tests/swarm/tier-plan.sh checks the same changes on a live swarm).
# Environment: DOCKER_CLI (default /usr/local/bin/docker when it is there,
# else docker), and tests/swarm/lib.sh's (SWARM_SOCK reuses a running swarm).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SWARM_NAME=record-plan
. "$top/tests/swarm/lib.sh"
out=$top/tests/golden/plan
cli=${DOCKER_CLI:-/usr/local/bin/docker}
[ -x "$cli" ] || cli=$(command -v docker)
stack=pf
sets=${*:-stack norm paused}
want() { case " $sets " in *" $1 "*) return 0 ;; esac; return 1; }
swarm_start
objects() {
	local k
	for k in service network secret config; do
		docker "$k" ls -q --filter "label=com.docker.stack.namespace=$stack"
	done
}
api_list() { # api_list KIND: GET /KIND filtered by the stack's label
	curl -sS --unix-socket "$SWARM_SOCK" -G "http://docker/v$SWARM_API/$1" \
		--data-urlencode "filters={\"label\":{\"com.docker.stack.namespace=$stack\":true}}"
}
raw() { # raw FILE: the stack's objects as the Engine API lists them
	local k
	for k in services networks secrets configs; do api_list "$k" && echo; done >"$1" || fail "GET lists"
}
if want stack; then
(cd "$top/fixtures/plan" && "$cli" stack deploy --resolve-image never -c stack.yml "$stack") >"$SWARM_TMP/deploy.out" 2>&1 ||
	{ cat "$SWARM_TMP/deploy.out" >&2; fail "docker stack deploy"; }
# the tasks settle: each service has its running task (or its failures) recorded
for i in $(seq 1 60); do
	[ "$(docker service ls --filter "label=com.docker.stack.namespace=$stack" --format '{{.Replicas}}' |
		awk -F/ '$1 != $2' | wc -l)" -eq 0 ] && break
	sleep 1
done
"$cli" inspect $(objects) >"$out/stack.state.json" || fail "docker inspect"
"$cli" inspect $(docker node ls -q) $(docker stack ps -q --filter desired-state=running "$stack") \
	>"$out/stack.nodes.json" || fail "docker inspect (tasks, nodes)"
raw "$out/stack.raw.json"
docker service update --detach --force --no-resolve-image \
	--image "c2s-busybox:latest@sha256:$(printf 'c2s-plan-pinned' | sha256sum | cut -c1-64)" \
	"${stack}_plain" >/dev/null || fail "docker service update"
"$cli" inspect $(objects) >"$out/pinned.state.json" || fail "docker inspect (pinned)"
swarm_rm_stack "$stack"
fi
if want norm; then
stack=pn
(cd "$top/fixtures/plan" && "$cli" stack deploy --resolve-image never -c norm.yml "$stack") >"$SWARM_TMP/deploy.out" 2>&1 ||
	{ cat "$SWARM_TMP/deploy.out" >&2; fail "docker stack deploy norm.yml"; }
"$cli" inspect $(objects) >"$out/norm.state.json" || fail "docker inspect (norm)"
raw "$out/norm.raw.json"
swarm_rm_stack "$stack"
fi
if want paused; then
stack=pp
for f in paused.yml paused-bad.yml; do
	(cd "$top/fixtures/plan" && "$cli" stack deploy --resolve-image never -c "$f" "$stack") >"$SWARM_TMP/deploy.out" 2>&1 ||
		{ cat "$SWARM_TMP/deploy.out" >&2; fail "docker stack deploy $f"; }
	for i in $(seq 1 120); do # paused.yml: both tasks run; paused-bad.yml: its update pauses
		if [ "$f" = paused.yml ]; then
			[ "$(docker service ls --filter name=pp_p --format '{{.Replicas}}')" = 2/2 ] && break
		else
			[ "$(docker service inspect --format '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' pp_p)" = paused ] && break
		fi
		[ "$i" = 120 ] && fail "$f: not as expected after 120 s"
		sleep 1
	done
done
"$cli" inspect $(objects) >"$out/paused.state.json" || fail "docker inspect (paused)"
"$cli" inspect $(docker node ls -q) $(docker stack ps -q --filter desired-state=running "$stack") \
	>"$out/paused.nodes.json" || fail "docker inspect (paused: tasks, nodes)"
swarm_rm_stack "$stack"
fi
say "recorded $(ls "$out"/*.json | wc -l) states in $out"
