#!/bin/sh
# plan-live.sh -- plan against a daemon (scripts/reference/fakedockerd.py, a
# fake Engine API on a private socket): it sends nothing but GET and HEAD,
# lists each kind with one request filtered by the stack's label (the ping
# and four lists; the tasks and nodes only when a placement change needs
# them; an external network inspected as docker does), says when the daemon
# is no swarm manager or cannot be reached (exit 2, with the address), and
# turns an external network that does not exist into a fail.
set -u
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
command -v curl >/dev/null || { echo "skip: no curl"; exit 77; }
fx=$top/fixtures/plan
cp "$fx"/*.yml "$fx"/*.txt "$fx"/*.conf "$tmp/"
# a build without the Engine API client (the static binary's) plans from --state only
if "$bin" plan -H "unix://$tmp/none.sock" -c "$tmp/stack.yml" pf 2>&1 | grep -q 'Engine API client, which this build lacks'; then
	echo "skip: this build has no Engine API client"
	exit 77
fi
fake_pid=
stop_fake() {
	if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null; wait "$fake_pid" 2>/dev/null; fi
	fake_pid=
}
trap 'stop_fake; rm -rf "$tmp"' EXIT
start_fake() { # start_fake [ARGS]: fakedockerd on $tmp/d.sock, log $tmp/log.jsonl
	stop_fake
	rm -f "$tmp/log.jsonl" "$tmp/fake.out"
	python3 "$top/scripts/reference/fakedockerd.py" --socket "$tmp/d.sock" --log "$tmp/log.jsonl" "$@" \
		>"$tmp/fake.out" 2>"$tmp/fake.err" &
	fake_pid=$!
	i=0
	until grep -q READY "$tmp/fake.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && { cat "$tmp/fake.err"; echo "FAIL fakedockerd did not start"; exit 1; }
		sleep 0.1
	done
}
deploy_bodies() { # deploy_bodies FILE STACK: our api bodies created on the fake, as a daemon stores them
	(cd "$tmp" && "$bin" convert -c "$1" --to api --stack "$2") >"$tmp/bodies.json" || exit 1
	python3 "$top/tests/plan/daemonlike.py" post "$tmp/d.sock" "$tmp/bodies.json" >/dev/null || exit 1
}
requests() { # the requests logged since line $1: "METHOD ENDPOINT" each
	python3 - "$tmp/log.jsonl" "$1" <<'PY'
import json, sys
for n, line in enumerate(open(sys.argv[1])):
    if n >= int(sys.argv[2]):
        r = json.loads(line)
        print(r["method"], r["endpoint"])
PY
}

start_fake
deploy_bodies stack.yml pf
before=$(wc -l <"$tmp/log.jsonl")
run_in "$tmp" plan -H "unix://$tmp/d.sock" -c stack.yml --resolve-image never pf
expect "the stack as a daemon stores it: no changes" 0 '^Plan: 0 to create, 0 to update'
requests "$before" >"$tmp/req"
if grep -qv '^\(GET\|HEAD\) ' "$tmp/req"; then fail "plan sent more than GET and HEAD: $(grep -v '^\(GET\|HEAD\) ' "$tmp/req" | head -3)"; else ok "only GET and HEAD ($(wc -l <"$tmp/req") requests)"; fi
if [ "$(sort "$tmp/req" | tr '\n' ' ')" = "GET /configs GET /networks GET /secrets GET /services HEAD /_ping " ]; then
	ok "the ping and one list per kind"
else
	fail "requests: $(tr '\n' ' ' <"$tmp/req")"
fi
python3 - "$tmp/log.jsonl" "$before" <<'PY' && ok "each list filtered by com.docker.stack.namespace=pf" || fail "lists not filtered by the stack's label"
import json, sys
for n, line in enumerate(open(sys.argv[1])):
    r = json.loads(line)
    if n >= int(sys.argv[2]) and r["method"] == "GET" and r["filters"] != {"label": ["com.docker.stack.namespace=pf"]}:
        sys.exit(1)
PY

# a placement change: the tasks and the nodes, two more reads
before=$(wc -l <"$tmp/log.jsonl")
run_in "$tmp" plan -H "unix://$tmp/d.sock" -c changed.yml --resolve-image never pf
requests "$before" >"$tmp/req"
if grep -q '^GET /tasks$' "$tmp/req" && grep -q '^GET /nodes$' "$tmp/req" && [ "$(wc -l <"$tmp/req")" -eq 7 ] &&
	! grep -qv '^\(GET\|HEAD\) ' "$tmp/req"; then
	ok "a placement change reads the tasks and nodes once (7 requests)"
else
	fail "placement change requests: $(tr '\n' ' ' <"$tmp/req")"
fi

# an external network: inspected as docker does; missing, a fail
printf 'version: "3.8"\nservices:\n  web:\n    image: nginx\n    networks: [ext]\nnetworks:\n  ext:\n    external: true\n' >"$tmp/ext.yml"
start_fake --missing network:ext
run_in "$tmp" plan -H "unix://$tmp/d.sock" -c ext.yml --format json pf
expect "a missing external network: exit 1" 1 '"kind": "network", "name": "ext", "action": "fail"'
requests 0 >"$tmp/req"
if [ "$(sort "$tmp/req" | tr '\n' ' ')" = "GET /configs GET /networks GET /secrets GET /services HEAD /_ping " ] &&
	python3 -c 'import json,sys; sys.exit(0 if any(json.loads(l)["endpoint"] == "/networks" and not json.loads(l)["filters"] for l in open(sys.argv[1])) else 1)' "$tmp/log.jsonl"; then
	ok "with an external network, the networks are one unfiltered list (still 5 requests)"
else
	fail "external network requests: $(tr '\n' ' ' <"$tmp/req")"
fi
start_fake
curl -sS --unix-socket "$tmp/d.sock" -H 'Content-Type: application/json' \
	--data-binary '{"Name": "ext", "Driver": "overlay", "Attachable": true}' http://docker/v1.50/networks/create >/dev/null
run_in "$tmp" plan -H "unix://$tmp/d.sock" -c ext.yml --format json pf
case $out in
*'"name": "ext", "action": "fail"'*) fail "an external network that exists planned as fail" ;;
*'"name": "pf_web", "action": "create"'*) ok "an external network that exists: no fail" ;;
*) fail "an external network that exists" ;;
esac

# not a manager, nobody there
start_fake --swarm inactive
run_in "$tmp" plan -H "unix://$tmp/d.sock" -c stack.yml pf
expect "a daemon that is no swarm manager: exit 2" 2 '' 'not a swarm manager'
no_stdout "no plan from a daemon that is no manager"
stop_fake
run_in "$tmp" plan -H "unix://$tmp/gone.sock" -c stack.yml pf
expect "an unreachable daemon: exit 2 with its address" 2 '' 'gone.sock'
DOCKER_HOST=unix://$tmp/env.sock run_in "$tmp" plan -c stack.yml pf
expect "DOCKER_HOST is where the daemon is" 2 '' 'env.sock'
finish
