#!/bin/bash
# deploy-wait.sh -- `deploy --wait`'s verdicts, fast: what a real 20.10 dockerd answered while the
# stacks of fixtures/deploy converged, rolled back, paused, kept failing or waited for a node
# (tests/deploy/wait/*.json, recorded by scripts/record-wait-states.sh) is replayed, one recorded
# frame per look, by tests/deploy/waitd.py (fakedockerd.py plus the replay). Each case checks the
# exit status and the reason printed: converged (a one-shot task whose restart condition is none
# counts as converged); an update rolled back (UpdateStatus.State rollback_completed: exit 1,
# docker/cli#6752); an update paused; tasks that keep failing (the last task error); a task no
# node takes (the timeout, and why); a one-shot task with restart condition on-failure that exits 0
# (converged, docker/cli#5299); the daemon gone mid-wait (exit 2). The cases run at once (each
# waits on a 0.5 s poll and a 5 s monitor period): about 20 s. The same states on a real swarm:
# tests/swarm/tier-deploy.sh.
set -u
. "$(dirname "$0")/lib.sh"
"$bin" --version | grep -q "^Engine API client: " || { echo "SKIP: no Engine API client in this build"; exit 77; }
fx=$top/fixtures/deploy
rec=$top/tests/deploy/wait
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT

# start NAME CASE: a waitd replaying CASE.json on $tmp/NAME.sock
start() {
	python3 "$top/tests/deploy/waitd.py" --replay "$rec/$2.json" --socket "$tmp/$1.sock" --log "$tmp/$1.log" \
		>"$tmp/$1.ready" 2>"$tmp/$1.fake.err" &
	eval "fake_$1=$!"
	pids="$pids $!"
	i=0
	while ! grep -q READY "$tmp/$1.ready" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
}
# dep NAME STACK FILE [ARGS]: compose2swarm deploy against NAME's waitd; NAME.rc, .out, .err
dep() {
	local name=$1 stack=$2 file=$3
	shift 3
	(cd "$fx" && DOCKER_HOST=unix://$tmp/$name.sock DOCKER_CONFIG=$tmp/cfg NO_COLOR=1 \
		"$bin" deploy --yes --fail-on none --resolve-image never "$@" -c "$file" "$stack" \
		>"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null)
	echo $? >"$tmp/$name.rc"
}
mkdir -p "$tmp/cfg"

for c in converged rollback paused failing pending oneshot gone; do
	case $c in gone) start $c pending ;; *) start $c $c ;; esac
done
# the updates are updates: stack.yml first, then the file whose update rolls back or pauses
dep rollback dep stack.yml --detach
dep paused dep stack.yml --detach
jobs=
for args in "converged dep stack.yml --wait=60s" "rollback dep unhealthy.yml --wait=60s" \
	"paused dep paused.yml --wait=60s" "failing depcrash crash.yml --wait=60s" \
	"pending deppend pending.yml --wait=2s" "oneshot depone oneshot.yml --wait=60s" \
	"gone deppend pending.yml --wait=60s"; do
	# shellcheck disable=SC2086
	dep $args &
	jobs="$jobs $!"
done
# the daemon goes away once the wait has said where it is
i=0
while ! grep -q '^deppend_stuck: ' "$tmp/gone.out" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill "$fake_gone"
# shellcheck disable=SC2086
wait $jobs

verdict() { # NAME TEST WANT_RC [PATTERN_OUT [PATTERN_ERR]]
	rc=$(cat "$tmp/$1.rc")
	cp "$tmp/$1.out" "$tmp/out"
	cp "$tmp/$1.err" "$tmp/err"
	expect "$2" "$3" "${4:-}" "${5:-}"
	[ "$rc" = "$3" ] || sed 's/^/    /' "$tmp/$1.out" "$tmp/$1.err" | tail -20
}
verdict converged "converged: web 2/2 running, the one-shot task (restart condition none) completed" 0 '^dep_once: converged$'
grep -q '^dep_web: converged$' "$tmp/converged.out" && ok "... and web converged" || fail "web did not converge: $(cat "$tmp/converged.out")"
verdict rollback "an update that rolled back is exit 1, saying why" 1 '' \
	'^compose2swarm: dep_web: rolled back: update rolled back due to failure or early termination of task [a-z0-9]+ \(rollback completed\)'
verdict paused "an update that paused is exit 1, with the last task error" 1 '' \
	'^compose2swarm: dep_web: update paused: update paused due to failure or early termination of task [a-z0-9]+; last task error: '
verdict failing "tasks that keep failing are exit 1, with the last task error" 1 '' \
	'^compose2swarm: depcrash_crash: tasks keep failing: task: non-zero exit \(3\)$'
verdict pending "a task no node takes: exit 1 at the timeout, saying why it waits" 1 '' \
	'^compose2swarm: deppend_stuck: not converged after 2 s: 0/1 running; a task is pending \(no suitable node'
verdict oneshot "a one-shot task with restart condition on-failure that exits 0 has converged" 0 '^depone_job: converged$'
verdict gone "the daemon gone while waiting is exit 2, named" 2 '' \
	"^compose2swarm: lost the daemon while waiting for deppend_stuck: Cannot connect to the Docker daemon at unix://$tmp/gone.sock"
finish
