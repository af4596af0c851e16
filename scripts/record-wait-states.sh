#!/usr/bin/env bash
# record-wait-states.sh -- record what a real dockerd (Debian's docker.io 20.10, tests/swarm/lib.sh)
# answers while the stacks of fixtures/deploy converge, roll back, pause, keep failing or wait for
# a node, into tests/deploy/wait/*.json, which tests/cli/deploy-wait.sh replays to
# `compose2swarm deploy --wait` through tests/deploy/waitd.py. The stacks are deployed with the
# docker CLI 28 (DOCKER_BIN, default /usr/local/bin/docker); scripts/record_wait_states.py polls.
# Needs root (dockerd). About 3 minutes.
# Usage: scripts/record-wait-states.sh
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
. "$top_srcdir/tests/swarm/lib.sh"
SWARM_NAME=record-wait
docker_cli=${DOCKER_BIN:-/usr/local/bin/docker}
"$docker_cli" --version | grep -q "version 28\." || { echo "record-wait-states: needs docker CLI 28 (DOCKER_BIN)" >&2; exit 2; }
out=$top_srcdir/tests/deploy/wait
fx=$top_srcdir/fixtures/deploy
swarm_start
stack_deploy() { # stack_deploy STACK FILE
	(cd "$fx" && "$docker_cli" stack deploy --detach=true --resolve-image never -c "$2" "$1" >/dev/null) ||
		fail "docker stack deploy -c $2 $1"
}
record() { # record STACK UNTIL FILE [MAX]
	python3 "$top_srcdir/scripts/record_wait_states.py" "$SWARM_SOCK" "$1" "$2" "$3" "${4:-180}" ||
		fail "$3: not recorded ($2)"
}
# a first deploy: web 2/2 and the one-shot task (restart condition none) complete
stack_deploy dep stack.yml
record dep settled "$out/converged.json"
# web's new healthcheck fails; update_config.failure_action rollback
stack_deploy dep unhealthy.yml
record dep rollback "$out/rollback.json"
# back to stack.yml (the rolled-back spec: no update), then the same failure with failure_action pause
stack_deploy dep stack.yml
record dep settled "$SWARM_TMP/settle.json" 60
stack_deploy dep paused.yml
record dep paused "$out/paused.json"
# a task that exits 3, restarted for ever
stack_deploy depcrash crash.yml
record depcrash failing "$out/failing.json"
# a task no node can take
stack_deploy deppend pending.yml
record deppend seconds:3 "$out/pending.json"
# a one-shot task with restart condition on-failure that exits 0
stack_deploy depone oneshot.yml
record depone settled "$out/oneshot.json"
for s in dep depcrash deppend depone; do swarm_rm_stack "$s"; done
"$docker_cli" --version >"$out/recorded-with.txt"
echo "dockerd: $(curl -s --unix-socket "$SWARM_SOCK" http://docker/version | python3 -c 'import json,sys; v=json.load(sys.stdin); print(v["Version"], "API", v["ApiVersion"])')" >>"$out/recorded-with.txt"
say "recorded into $out"
