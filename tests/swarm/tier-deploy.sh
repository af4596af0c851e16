#!/usr/bin/env bash
# tests/swarm/tier-deploy.sh -- check-swarm tier: `deploy --wait` against a real swarm.
#
# fixtures/deploy/stack.yml (a web service and a one-shot task whose restart
# condition is none) is deployed and waited for: exit 0 once both converged,
# the one-shot task counting as converged when it completed, not hanging.
# unhealthy.yml gives web a healthcheck that always fails, with
# update_config.failure_action rollback: exit 1, saying it rolled back, and
# the swarm has the old spec again; paused.yml, the same with failure_action
# pause: exit 1, saying the update paused. crash.yml (a task that exits 3): exit 1,
# tasks keep failing, with swarm's error. oneshot.yml (a one-shot task with restart
# condition on-failure that exits 0): exit 0, converged. pending.yml (no node can take it)
# with --wait=5s: exit 1 at the timeout, saying why the task waits. SIGINT
# while waiting: exit 2, the deploy itself applied. A daemon killed while
# deploy waits (a second private dockerd, killed by its pid): exit 2 with a
# message. About 2.5 minutes.
# Exit 0 pass, 1 fail, 77 skip (no dockerd/root here: it says why).
set -u
. "$(dirname "$0")/lib.sh"
fx=$top_srcdir/fixtures/deploy
[ -x "$C2S" ] || fail "no binary at $C2S"
"$C2S" --version | grep -q "^Engine API client: " || skip "this compose2swarm has no Engine API client"
swarm_start
tmp=$SWARM_TMP

deploy() { # deploy STACK FILE [ARGS]: compose2swarm deploy; sets rc, out and err files
	local stack=$1 f=$2
	shift 2
	(cd "$fx" && "$C2S" deploy --yes --fail-on none --resolve-image never "$@" -c "$f" "$stack") \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
}
show() { sed 's/^/    /' "$tmp/out" "$tmp/err" >&2; }
replicas() { docker service ls --filter "name=$1" --format '{{.Name}} {{.Replicas}}' | awk -v n="$1" '$1 == n { print $2 }'; }

# ---- 1. a first deploy converges; the one-shot task does not hang it ----
t0=$(date +%s)
deploy dep stack.yml --wait=120s
secs=$(($(date +%s) - t0))
[ "$rc" -eq 0 ] || { show; fail "stack.yml: deploy --wait exits $rc, not 0"; }
grep -q '^dep_once: converged$' "$tmp/out" || { show; fail "stack.yml: the one-shot service did not converge"; }
grep -q '^dep_web: converged$' "$tmp/out" || { show; fail "stack.yml: web did not converge"; }
[ "$(replicas dep_web)" = 2/2 ] || fail "stack.yml: dep_web has $(replicas dep_web), not 2/2"
docker service ps --format '{{.CurrentState}}' dep_once | grep -q '^Complete' || fail "dep_once's task did not complete"
say "stack.yml: converged in $secs s (the one-shot task completed)"

# ---- 2. an update whose healthcheck fails rolls back: exit 1, saying so ----
t0=$(date +%s)
deploy dep unhealthy.yml --wait=180s
secs=$(($(date +%s) - t0))
[ "$rc" -eq 1 ] || { show; fail "unhealthy.yml: deploy --wait exits $rc, not 1"; }
grep -q 'dep_web: rolled back' "$tmp/err" || { show; fail "unhealthy.yml: no 'rolled back' for dep_web"; }
[ "$(docker service inspect dep_web --format '{{.UpdateStatus.State}}')" = rollback_completed ] ||
	fail "unhealthy.yml: the swarm says $(docker service inspect dep_web --format '{{.UpdateStatus.State}}')"
[ "$(docker service inspect dep_web --format '{{json .Spec.TaskTemplate.ContainerSpec.Healthcheck}}')" = null ] ||
	fail "unhealthy.yml: dep_web still has the failing healthcheck after the rollback"
say "unhealthy.yml: exit 1 after $secs s: $(grep 'dep_web: rolled back' "$tmp/err" | head -1)"

# ---- 3. the same file again: what rolled back before is no news now ----
deploy dep stack.yml --wait=120s
[ "$rc" -eq 0 ] || { show; fail "stack.yml again: deploy --wait exits $rc, not 0 (an old rollback read as new?)"; }

# ---- 3b. the same failing healthcheck with failure_action pause: exit 1, saying it paused ----
t0=$(date +%s)
deploy dep paused.yml --wait=180s
secs=$(($(date +%s) - t0))
[ "$rc" -eq 1 ] || { show; fail "paused.yml: deploy --wait exits $rc, not 1"; }
grep -q 'dep_web: update paused: .*; last task error: ' "$tmp/err" || { show; fail "paused.yml: no 'update paused' with the last task error for dep_web"; }
[ "$(docker service inspect dep_web --format '{{.UpdateStatus.State}}')" = paused ] ||
	fail "paused.yml: the swarm says $(docker service inspect dep_web --format '{{.UpdateStatus.State}}')"
say "paused.yml: exit 1 after $secs s: $(grep 'dep_web: update paused' "$tmp/err" | head -1)"

# ---- 4. tasks that keep failing: exit 1 with swarm's error ----
t0=$(date +%s)
deploy depcrash crash.yml --wait=120s
secs=$(($(date +%s) - t0))
[ "$rc" -eq 1 ] || { show; fail "crash.yml: deploy --wait exits $rc, not 1"; }
grep -q 'depcrash_crash: tasks keep failing: task: non-zero exit (3)' "$tmp/err" ||
	{ show; fail "crash.yml: no 'tasks keep failing' with the exit code"; }
say "crash.yml: exit 1 after $secs s: $(grep 'keep failing' "$tmp/err" | head -1)"

# ---- 4b. a one-shot task with restart condition on-failure that exits 0: converged, no hang ----
deploy depone oneshot.yml --wait=60s
[ "$rc" -eq 0 ] || { show; fail "oneshot.yml: deploy --wait exits $rc, not 0"; }
grep -q '^depone_job: converged$' "$tmp/out" || { show; fail "oneshot.yml: depone_job did not converge"; }

# ---- 5. a task no node takes: the timeout, and why ----
deploy deppend pending.yml --wait=5s
[ "$rc" -eq 1 ] || { show; fail "pending.yml: deploy --wait=5s exits $rc, not 1"; }
grep -q 'deppend_stuck: not converged after 5 s' "$tmp/err" || { show; fail "pending.yml: no timeout message"; }

# ---- 6. SIGINT while waiting: exit 2, the deploy applied ----
(cd "$fx" && exec "$C2S" deploy --yes --fail-on none --resolve-image never --wait=120s -c pending.yml depint) \
	>"$tmp/out" 2>"$tmp/err" </dev/null &
pid=$!
for _ in $(seq 1 100); do grep -q 'depint_stuck: ' "$tmp/out" 2>/dev/null && break; sleep 0.2; done
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 2 ] || { show; fail "SIGINT while waiting: exit $rc, not 2"; }
grep -q 'interrupted while waiting' "$tmp/err" || { show; fail "SIGINT while waiting: no message"; }
[ -n "$(docker service ls -q --filter name=depint_stuck)" ] || fail "SIGINT while waiting: the service is not there"

for s in dep depcrash depone deppend depint; do swarm_rm_stack "$s"; done

# ---- 7. the daemon killed while deploy waits: exit 2 (a dockerd of our own) ----
t0=$(date +%s)
(
	unset SWARM_SOCK
	SWARM_DPID= SWARM_WRAPPER= SWARM_OWNED=
	SWARM_NAME=deploy-kill
	swarm_start
	(cd "$fx" && exec "$C2S" deploy --yes --fail-on none --resolve-image never --wait=120s -c pending.yml depkill) \
		>"$SWARM_TMP/out" 2>"$SWARM_TMP/err" </dev/null &
	pid=$!
	for _ in $(seq 1 100); do grep -q 'depkill_stuck: ' "$SWARM_TMP/out" 2>/dev/null && break; sleep 0.2; done
	kill -KILL "$SWARM_DPID"
	wait "$pid"
	rc=$?
	[ "$rc" -eq 2 ] || { sed 's/^/    /' "$SWARM_TMP/out" "$SWARM_TMP/err" >&2; fail "killed daemon: exit $rc, not 2"; }
	grep -q 'lost the daemon while waiting for depkill_stuck: Cannot connect to the Docker daemon' "$SWARM_TMP/err" ||
		{ cat "$SWARM_TMP/err" >&2; fail "killed daemon: no message naming the daemon"; }
) || exit 1
say "killed daemon: exit 2 ($(($(date +%s) - t0)) s with its own dockerd)"
say "PASS"
