#!/usr/bin/env bash
# tests/swarm/tier-plan.sh -- check-swarm tier: `plan` against a real swarm.
#
# fixtures/plan/stack.yml is deployed with the docker CLI; plan must say
# nothing changes (offline from `docker inspect`, and against the daemon: the
# two plans must be the same, byte for byte, at every step).
# Then changed.yml (one change per service) is planned, deployed with the
# docker CLI, and the tasks are compared before and after: a service's tasks
# must be replaced exactly where plan said replaces_tasks true. After it,
# plan says nothing changes again; fail.yml's refusals (a mode change, a
# config's data) are planned as fail and docker refuses them too; --prune
# deletes the service the file dropped. more.yml and more-changed.yml (stack
# tplanx) make the changes changed.yml does not (ports published and
# removed, a network added, the environment reordered, a volume, a config
# under a new name, the endpoint mode, a healthcheck disabled), checked the
# same way. About 90 s on a quiet machine before more.yml and norm-job.yml
# came (197 s at a load average of 17 on 2 cores); with them, 285 s at a
# load average of 25.
# Exit 0 pass, 1 fail, 77 skip (no dockerd/root here: it says why).
# Environment: as tests/swarm/lib.sh; DOCKER_CLI: the docker CLI that deploys
# (default /usr/local/bin/docker when it is there, else docker).
set -u
. "$(dirname "$0")/lib.sh"
fx=$top_srcdir/fixtures/plan
[ -x "$C2S" ] || fail "no binary at $C2S"
swarm_start
tmp=$SWARM_TMP
cli=${DOCKER_CLI:-/usr/local/bin/docker}
[ -x "$cli" ] || cli=$swarm_docker
stack=tplan
docker tag c2s-busybox:latest c2s-busybox:2 || fail "docker tag"
live=1
if "$C2S" plan -c "$fx/stack.yml" "$stack" 2>&1 | grep -q 'Engine API client, which this build lacks'; then
	live=0
	say "this build has no Engine API client: offline plans only"
fi

deploy() { # deploy FILE [ARGS]: docker stack deploy, as a user would
	local f=$1
	shift
	swarm_wait_updates "$stack" || return 1
	(cd "$fx" && "$cli" stack deploy --resolve-image never "$@" -c "$f" "$stack") >"$tmp/deploy.out" 2>&1
}
state() { # state FILE: what docker inspects print for the stack, its running tasks and the nodes
	local k ids i
	for i in 1 2 3; do # a task can go between the list and its inspect: again
		: >"$1"
		for k in service network secret config; do
			ids=$(docker "$k" ls -q --filter "label=com.docker.stack.namespace=$stack")
			# shellcheck disable=SC2086
			[ -z "$ids" ] || "$cli" "$k" inspect $ids >>"$1" 2>"$tmp/inspect.err" || continue 2
		done
		# shellcheck disable=SC2046
		"$cli" node inspect $(docker node ls -q) >>"$1" 2>"$tmp/inspect.err" || continue
		ids=$(docker stack ps -q --filter desired-state=running "$stack")
		# shellcheck disable=SC2086
		[ -z "$ids" ] || "$cli" inspect --type task $ids >>"$1" 2>"$tmp/inspect.err" || continue
		return 0
	done
	cat "$tmp/inspect.err" >&2
	fail "docker inspect"
}
plan() { # plan FILE OUT [ARGS]: offline from a fresh state, and against the daemon:
	# the same plan, byte for byte; prints the exit status
	local f=$1 out=$2 rc lrc
	shift 2
	state "$tmp/state.json"
	(cd "$fx" && "$C2S" plan -c "$f" --state "$tmp/state.json" --api-version "$SWARM_API" --format json \
		"$@" "$stack") >"$out" 2>"$tmp/plan.err"
	rc=$?
	[ "$live" = 1 ] || { echo "$rc"; return; }
	(cd "$fx" && "$C2S" plan -c "$f" --format json "$@" "$stack") >"$out.live" 2>"$tmp/plan-live.err"
	lrc=$?
	if [ "$lrc" != "$rc" ] || ! cmp -s "$out" "$out.live"; then
		diff "$out" "$out.live" >&2
		cat "$tmp/plan-live.err" >&2
		echo "live-differs"
		return
	fi
	echo "$rc"
}
settled() { # settled: wait (60 s at most) until no task of the stack is on its way to start
	# (a stack removed while a task still starts can leave its network behind:
	# seen once on a loaded machine, a 20.10 dockerd listing a network it then
	# could not find to remove)
	local i
	for i in $(seq 1 60); do
		docker stack ps --format '{{.CurrentState}}' "$stack" 2>/dev/null |
			grep -Eq '^(New|Pending|Assigned|Accepted|Preparing|Starting|Ready)' || return 0
		sleep 1
	done
}
summary() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(" ".join("%s=%d" % (k, s[k]) for k in ("create","update","delete","unchanged","fail")))' "$1"; }
tasks() { # tasks: "SERVICE ID..." per service, the tasks desired running
	local s
	for s in $(docker service ls --filter "label=com.docker.stack.namespace=$stack" --format '{{.Name}}'); do
		echo "$s $(docker service ps -q --filter desired-state=running "$s" | sort | tr '\n' ' ')"
	done | sort
}

as_planned() { # as_planned FILE: after FILE's deploy, tasks replaced exactly where
	# $tmp/expect ("SERVICE replaced|kept" lines) says, against $tmp/before
	# wait until every service plan said is replaced has no task of before left
	local i left
	for i in $(seq 1 "$SWARM_TIMEOUT"); do
		tasks >"$tmp/after"
		left=$(python3 - "$tmp/expect" "$tmp/before" "$tmp/after" <<'EOF'
import sys
exp = dict(l.split() for l in open(sys.argv[1]))
before = {l.split()[0]: set(l.split()[1:]) for l in open(sys.argv[2])}
after = {l.split()[0]: set(l.split()[1:]) for l in open(sys.argv[3])}
print(sum(1 for s, how in exp.items() if how == "replaced" and before.get(s, set()) & after.get(s, set())))
EOF
)
		[ "$left" = 0 ] && break
		sleep 1
	done
	sleep 8 # time for an update plan said keeps the tasks to replace them, if it wrongly would
	tasks >"$tmp/after"
	python3 - "$tmp/expect" "$tmp/before" "$tmp/after" <<'EOF' || fail "$1: tasks were not replaced where plan said"
import sys
exp = dict(l.split() for l in open(sys.argv[1]))
before = {l.split()[0]: set(l.split()[1:]) for l in open(sys.argv[2])}
after = {l.split()[0]: set(l.split()[1:]) for l in open(sys.argv[3])}
bad = 0
for s, how in sorted(exp.items()):
    b, a = before.get(s, set()), after.get(s, set())
    replaced = bool(b) and not (b & a)
    kept = bool(b) and b <= a
    if (how == "replaced" and not replaced) or (how == "kept" and not kept):
        print("%s: plan said %s; tasks before %s, after %s" % (s, how, sorted(b), sorted(a)), file=sys.stderr)
        bad = 1
sys.exit(bad)
EOF
}

# ---- 1. deployed with the docker CLI: nothing to change ----
t0=$(date +%s)
deploy stack.yml || { cat "$tmp/deploy.out" >&2; fail "docker stack deploy stack.yml"; }
for s in same plain env global; do swarm_wait_replicas "${stack}_$s" 1 || fail "${stack}_$s did not start"; done
rc=$(plan stack.yml "$tmp/same.json" --resolve-image never)
[ "$rc" = 0 ] || { cat "$tmp/same.json" "$tmp/plan.err" >&2; fail "stack.yml as deployed plans as changes (exit $rc)"; }
say "deployed stack.yml plans as no changes ($(summary "$tmp/same.json"))"
rc=$(plan stack.yml "$tmp/same-always.json")
[ "$rc" = 0 ] || { cat "$tmp/same-always.json" >&2; fail "--resolve-image always: changes (exit $rc)"; }

# norm.yml: values the daemon keeps in a form of its own
stack=tplann
if deploy norm.yml; then
	rc=$(plan norm.yml "$tmp/norm.json" --resolve-image never)
	[ "$rc" = 0 ] || { cat "$tmp/norm.json" "$tmp/plan.err" >&2; fail "norm.yml as deployed plans as changes (exit $rc)"; }
	say "deployed norm.yml plans as no changes"
	# norm-job.yml: a service label on one job, the environment of the other;
	# swarm runs a job again on every update, so both replace their tasks
	rc=$(plan norm-job.yml "$tmp/norm-job.json" --resolve-image never)
	[ "$rc" = 1 ] && [ "$(python3 -c 'import json,sys; print(" ".join(sorted("%s:%s:%s" % (c["name"], c["action"], c["replaces_tasks"]) for c in json.load(open(sys.argv[1]))["changes"] if c["kind"] == "service")))' "$tmp/norm-job.json")" = "${stack}_gjob:update:True ${stack}_job:update:True ${stack}_norm:unchanged:False" ] ||
		{ cat "$tmp/norm-job.json" >&2; fail "norm-job.yml: the jobs should be updates that replace their tasks"; }
	for s in job gjob; do # the first run's tasks (made by now: else any task would look new)
		for i in $(seq 1 "$SWARM_TIMEOUT"); do
			docker service ps -q "${stack}_$s" | sort >"$tmp/$s.before"
			[ -s "$tmp/$s.before" ] && break
			[ "$i" = "$SWARM_TIMEOUT" ] && fail "norm.yml: ${stack}_$s ran no task"
			sleep 1
		done
	done
	deploy norm-job.yml || { cat "$tmp/deploy.out" >&2; fail "docker stack deploy norm-job.yml"; }
	for s in job gjob; do
		for i in $(seq 1 "$SWARM_TIMEOUT"); do
			docker service ps -q "${stack}_$s" | sort >"$tmp/$s.after"
			[ -n "$(comm -13 "$tmp/$s.before" "$tmp/$s.after")" ] && break
			[ "$i" = "$SWARM_TIMEOUT" ] && fail "norm-job.yml: ${stack}_$s ran no new task after its update"
			sleep 1
		done
	done
	say "norm-job.yml: both jobs ran new tasks, as planned"
	settled
	swarm_rm_stack "$stack"
elif grep -q 'unsupported Compose file version' "$tmp/deploy.out"; then
	# docker 20.10's CLI reads Compose files up to 3.9 (tests/golden/plan has norm.yml's state)
	say "norm.yml skipped: $cli reads no Compose 3.13 ($(tail -n 1 "$tmp/deploy.out"))"
else
	cat "$tmp/deploy.out" >&2
	fail "docker stack deploy norm.yml"
fi
stack=tplan

# ---- 2. changed.yml: planned, deployed, tasks replaced where plan said ----
rc=$(plan changed.yml "$tmp/changed.json" --resolve-image never)
[ "$rc" = 1 ] || { cat "$tmp/plan.err" >&2; fail "changed.yml: exit $rc, expected 1"; }
python3 - "$tmp/changed.json" >"$tmp/expect" <<'EOF' || fail "changed.yml: the plan is not as expected"
import json, sys
plan = json.load(open(sys.argv[1]))
want = {"env": True, "grace": True, "health": True, "image": True, "labels": True, "logging": True,
        "movenode": True, "ports": True, "resources": True, "restart": True,
        "deploylabels": False, "keepnode": False, "prefs": False, "replicas": False,
        "rollback": False, "update": False}
bad = 0
for c in plan["changes"]:
    if c["kind"] != "service":
        continue
    key = c["name"].split("_", 1)[1]
    if key in want:
        if c["action"] != "update" or c["replaces_tasks"] is not want[key]:
            print("%s: %s, replaces_tasks %s; expected update, %s" % (c["name"], c["action"], c["replaces_tasks"], want[key]), file=sys.stderr)
            bad = 1
        print(c["name"], "replaced" if c["replaces_tasks"] else "kept")
    elif key == "added":
        bad |= c["action"] != "create"
    elif c["action"] != "unchanged":
        print("%s: %s, expected unchanged" % (c["name"], c["action"]), file=sys.stderr)
        bad = 1
    else:
        print(c["name"], "kept")
sys.exit(bad)
EOF
tasks >"$tmp/before"
deploy changed.yml || { cat "$tmp/deploy.out" >&2; fail "docker stack deploy changed.yml"; }
as_planned changed.yml
say "changed.yml: $(grep -c ' replaced$' "$tmp/expect") services replaced their tasks and $(grep -c ' kept$' "$tmp/expect") kept them, as planned"
rc=$(plan changed.yml "$tmp/changed-again.json" --resolve-image never)
[ "$rc" = 0 ] || { cat "$tmp/changed-again.json" >&2; fail "changed.yml after its deploy: exit $rc, expected 0"; }

# ---- 3. what swarm refuses ----
rc=$(plan fail.yml "$tmp/fail.json" --resolve-image never)
[ "$rc" = 1 ] && [ "$(python3 -c 'import json,sys; print(" ".join(sorted(c["name"] for c in json.load(open(sys.argv[1]))["changes"] if c["action"] == "fail")))' "$tmp/fail.json")" = "${stack}_app_conf ${stack}_mode" ] ||
	{ cat "$tmp/fail.json" >&2; fail "fail.yml: the config and the mode change should fail"; }
deploy fail.yml && fail "docker stack deploy fail.yml succeeded"
grep -q 'only updates to Labels are allowed' "$tmp/deploy.out" || { cat "$tmp/deploy.out" >&2; fail "fail.yml: not docker's refusal"; }
say "fail.yml: plan and docker refuse the config's data and the mode change"

# ---- 4. --prune ----
# fail.yml's deploy updated the secret's labels back (secrets go before configs)
# before the config stopped it: changed.yml updates them again
rc=$(plan changed.yml "$tmp/prune.json" --resolve-image never --prune)
[ "$rc" = 1 ] && [ "$(summary "$tmp/prune.json")" = "create=0 update=1 delete=1 unchanged=26 fail=0" ] ||
	{ cat "$tmp/prune.json" >&2; fail "--prune: expected one delete"; }
deploy changed.yml --prune || { cat "$tmp/deploy.out" >&2; fail "docker stack deploy --prune"; }
docker service inspect "${stack}_gone" >/dev/null 2>&1 && fail "--prune: ${stack}_gone is still there"
rc=$(plan changed.yml "$tmp/pruned.json" --resolve-image never --prune)
[ "$rc" = 0 ] || { cat "$tmp/pruned.json" >&2; fail "after --prune: exit $rc, expected 0"; }

settled
swarm_rm_stack "$stack"

# ---- 5. more.yml: the changes changed.yml does not make ----
stack=tplanx
deploy more.yml || { cat "$tmp/deploy.out" >&2; fail "docker stack deploy more.yml"; }
for i in $(seq 1 "$SWARM_TIMEOUT"); do # every service has its task
	[ "$(tasks | awk 'NF == 2' | wc -l)" = 8 ] && break
	[ "$i" = "$SWARM_TIMEOUT" ] && { tasks >&2; fail "more.yml: the services did not get their tasks"; }
	sleep 1
done
rc=$(plan more.yml "$tmp/more.json" --resolve-image never)
[ "$rc" = 0 ] || { cat "$tmp/more.json" "$tmp/plan.err" >&2; fail "more.yml as deployed plans as changes (exit $rc)"; }
rc=$(plan more-changed.yml "$tmp/more-changed.json" --resolve-image never)
[ "$rc" = 1 ] || { cat "$tmp/more-changed.json" "$tmp/plan.err" >&2; fail "more-changed.yml: exit $rc, expected 1"; }
python3 - "$tmp/more-changed.json" >"$tmp/expect" <<'EOF' || fail "more-changed.yml: the plan is not as expected"
import json, sys
plan = json.load(open(sys.argv[1]))
want = {"portsadd": True, "portsdel": True, "netadd": True, "mounts": True, "confname": True,
        "epmode": True, "healthoff": True, "envorder": None}
bad = 0
for c in plan["changes"]:
    if c["kind"] != "service":
        # the new config, and the network no service of more.yml joined
        new = c["name"].split("_", 1)[1] in ("app_conf_v2", "front")
        if c["action"] != ("create" if new else "unchanged"):
            print("%s %s: %s" % (c["kind"], c["name"], c["action"]), file=sys.stderr)
            bad = 1
        continue
    key = c["name"].split("_", 1)[1]
    exp = want.get(key, False)
    action = "unchanged" if exp is None else "update"
    if c["action"] != action or (exp is not None and c["replaces_tasks"] is not exp):
        print("%s: %s, replaces_tasks %s; expected %s, %s" % (c["name"], c["action"], c["replaces_tasks"], action, exp),
              file=sys.stderr)
        bad = 1
    print(c["name"], "replaced" if c["replaces_tasks"] else "kept")
sys.exit(bad)
EOF
tasks >"$tmp/before"
deploy more-changed.yml || { cat "$tmp/deploy.out" >&2; fail "docker stack deploy more-changed.yml"; }
as_planned more-changed.yml
say "more-changed.yml: $(grep -c ' replaced$' "$tmp/expect") services replaced their tasks and $(grep -c ' kept$' "$tmp/expect") kept them, as planned"
rc=$(plan more-changed.yml "$tmp/more-again.json" --resolve-image never)
[ "$rc" = 0 ] || { cat "$tmp/more-again.json" >&2; fail "more-changed.yml after its deploy: exit $rc, expected 0"; }
settled
swarm_rm_stack "$stack"
say "PASS in $(($(date +%s) - t0)) s"
