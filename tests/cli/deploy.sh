#!/bin/sh
# deploy.sh -- `compose2swarm deploy`'s contract around the requests (the requests themselves:
# tests/deploy/run.sh): usage errors, the lint gate (nothing sent), an unreachable daemon and one
# that is no swarm manager (exit 2), ssh:// hosts (and their failures), --plan-only (reads only), the question on a terminal (no:
# nothing sent; yes: applied), SIGINT or SIGTERM while applying (the request in flight ends, nothing after,
# exit 2), DOCKER_CUSTOM_HEADERS on plan's requests, a credential helper that fails. Against scripts/reference/fakedockerd.py.
set -u
. "$(dirname "$0")/lib.sh"
"$bin" --version | grep -q "^Engine API client: " || { echo "SKIP: no Engine API client in this build"; exit 77; }
ok_stack=$top/fixtures/deploy/ok/stack.yml
seed=$top/fixtures/seed/docker-compose.yml
fake_pid=
fake_start() { # fake_start [ARGS]: a fresh fakedockerd on $tmp/d.sock, its log in $tmp/log.jsonl
	fake_stop
	rm -f "$tmp/log.jsonl" "$tmp/ready"
	python3 "$top/scripts/reference/fakedockerd.py" --socket "$tmp/d.sock" --log "$tmp/log.jsonl" "$@" \
		>"$tmp/ready" 2>/dev/null &
	fake_pid=$!
	i=0
	while ! grep -q READY "$tmp/ready" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	DOCKER_HOST=unix://$tmp/d.sock
	export DOCKER_HOST
}
fake_stop() { if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null; wait "$fake_pid" 2>/dev/null; fake_pid=; fi; }
trap 'fake_stop; rm -rf "$tmp"' EXIT
requests() { sleep 0.3; cat "$tmp/log.jsonl" 2>/dev/null | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    print(r["method"], r["endpoint"])'; }
DOCKER_CONFIG=$tmp/dockerconfig
export DOCKER_CONFIG
mkdir -p "$DOCKER_CONFIG"

# --- usage: exit 2 before anything is read or sent ---
run deploy -c "$ok_stack";                      expect "no stack name is a usage error" 2 '' 'stack name'
run deploy s;                                   expect "no -c is a usage error" 2 '' 'Compose file'
run deploy --detach --wait -c "$ok_stack" s;    expect "--detach with --wait is a usage error" 2 '' 'not both'
run deploy --resolve-image sometimes -c "$ok_stack" s; expect "--resolve-image is checked" 2 '' 'always, changed or never'
run deploy --yes --wait=soon -c "$ok_stack" s;  expect "--wait=TIMEOUT must be a duration" 2 '' 'duration'
fake_start
run deploy -c "$ok_stack" s;                    expect "without a terminal --yes is needed" 2 '' 'only with --yes'
[ -z "$(requests)" ] && ok "... and nothing was sent" || fail "a usage error sent requests"
run deploy --help;                              expect "deploy --help" 0 'with-registry-auth'

# --- the gate: findings at --fail-on stop it before the daemon is asked anything ---
run deploy --yes --detach -c "$seed" s;         expect "the seed's warnings stop the deploy" 1 '' 'lint gate stopped the deploy'
[ -z "$(requests)" ] && ok "... and nothing was sent" || fail "the gate let requests through: $(requests)"
run deploy --yes --detach --fail-on error --plan-only -c "$seed" s
expect "--fail-on error lets warnings pass" 1 'Plan: ' 'CS5101'

# --- the daemon: unreachable, or not a manager: exit 2 with the address or docker's words ---
DOCKER_HOST=unix://$tmp/nobody.sock run deploy --yes --detach -c "$ok_stack" s
expect "an unreachable daemon is exit 2, named" 2 '' "Cannot connect to the Docker daemon at unix://$tmp/nobody.sock"
# ssh:// (`ssh ... -- HOST docker system dial-stdio`, as docker runs it; tests/deploy/ssh-bin/ssh
# relays to the fake engine; the requests themselves: tests/deploy/cases/ssh): plan over it; ssh that
# cannot log in, no ssh at all and a URL docker refuses are exit 2 in docker's words
fake_start
sshbin=$top/tests/deploy/ssh-bin
PATH=$sshbin:$PATH C2S_FAKE_SSH_SOCK=$tmp/d.sock DOCKER_HOST=ssh://me@box.example:2222 run plan -c "$ok_stack" s
expect "plan over ssh://" 1 '^Plan: 2 to create'
PATH=$sshbin:$PATH C2S_FAKE_SSH_FAIL='me@box.example: Permission denied (publickey).' \
	DOCKER_HOST=ssh://me@box.example:2222 run deploy --yes --detach -c "$ok_stack" s
expect "ssh that cannot log in is exit 2, with its command and its words" 2 '' \
	'command \[ssh -o ConnectTimeout=30 -T -l me -p 2222 -- box.example docker system dial-stdio\] has exited with exit status 255, make sure the URL is valid, and Docker 18.09 or later is installed on the remote host: stderr=me@box.example: Permission denied \(publickey\).$'
PATH=/nonexistent DOCKER_HOST=ssh://box /bin/sh -c '"$0" plan -c "$1" s >"$2/out" 2>"$2/err"' "$bin" "$ok_stack" "$tmp"
rc=$?
expect "no ssh on PATH is exit 2" 2 '' 'exec: "ssh": executable file not found in \$PATH'
DOCKER_HOST=ssh://me:secret@box run plan -c "$ok_stack" s
expect "an ssh:// URL with a password is refused as docker refuses it" 2 '' \
	'ssh host connection is not valid: invalid SSH URL: plain-text password is not supported'
fake_start --swarm inactive
run deploy --yes --detach -c "$ok_stack" s;     expect "a daemon that is no manager is exit 2" 2 '' 'not a swarm manager'

# --- --plan-only reads and stops ---
fake_start
run deploy --plan-only -c "$ok_stack" s;        expect "--plan-only: exit 1 when something would change" 1 '^Plan: 2 to create'
bad=$(requests | grep -v -e '^GET ' -e '^HEAD ')
[ -z "$bad" ] && ok "--plan-only sends GET and HEAD only" || fail "--plan-only sent: $bad"

# --- on a terminal: asked; anything but yes sends nothing ---
if command -v script >/dev/null && script -qec true /dev/null >/dev/null 2>&1; then
	fake_start
	printf 'no\n' | script -qec "'$bin' deploy --detach -c '$ok_stack' s" /dev/null >"$tmp/tty" 2>&1
	grep -q 'Apply this plan to stack s on unix://' "$tmp/tty" && grep -q 'not applied; nothing was sent' "$tmp/tty" &&
		ok "a terminal is asked; 'no' applies nothing" || fail "the question on a terminal: $(cat "$tmp/tty")"
	bad=$(requests | grep -v -e '^GET ' -e '^HEAD ')
	[ -z "$bad" ] && ok "... and sends no change" || fail "'no' still sent: $bad"
	printf 'yes\n' | script -qec "'$bin' deploy --detach -c '$ok_stack' s" /dev/null >"$tmp/tty" 2>&1
	grep -q 'Creating service s_web' "$tmp/tty" && requests | grep -q '^POST /services/create' &&
		ok "'yes' applies" || fail "'yes' on a terminal: $(cat "$tmp/tty")"
else
	echo "skip the terminal checks: no working script(1)"
fi

# --- SIGINT or SIGTERM while applying: the request in flight finishes, nothing after it, exit 2
# (2,000 services: about 2 s against the fake, so the signal comes well before the end) ---
python3 -c '
import sys
print("version: \"3.8\"\nservices:")
for i in range(2000):
    print("  s%04d:\n    image: nginx:1.27" % i)' >"$tmp/many.yml"
for sig in INT TERM; do
	fake_start
	rm -f "$tmp/out" "$tmp/err" # the last run's lines are not this one's (the child opens them later)
	"$bin" deploy --yes --detach --fail-on none --resolve-image never -c "$tmp/many.yml" big >"$tmp/out" 2>"$tmp/err" </dev/null &
	pid=$!
	i=0
	while ! grep -q '^Creating service' "$tmp/out" 2>/dev/null && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
	kill -$sig $pid
	wait $pid
	rc=$?
	said=$(grep -c '^Creating service' "$tmp/out")
	sent=$(requests | grep -c '^POST /services/create')
	if [ $rc -eq 2 ] && grep -q 'interrupted: the request in flight finished' "$tmp/err" &&
		grep -q "^compose2swarm: interrupted: .*; $(grep -c '^Creating ' "$tmp/out") changes* w[ae][sr]e* applied" "$tmp/err" &&
		[ "$said" = "$sent" ] && [ "$sent" -lt 2000 ]; then
		ok "SIG$sig while applying: exit 2 after $sent of 2000 services, each one it named sent whole, and it says so"
	else
		fail "SIG$sig while applying: exit $rc, $said named, $sent sent: $(tail -2 "$tmp/err")"
	fi
done

# --- DOCKER_CUSTOM_HEADERS: plan and deploy --plan-only send on every request the headers docker
# sent (tests/deploy/cases/custom-headers/docker.jsonl, recorded from the docker CLI 28.2.2;
# that case compares a whole deploy) ---
hcase=$top/tests/deploy/cases/custom-headers
hvalue=$(sed -n "s/^HEADERS='\(.*\)'\$/\1/p" "$hcase/case.sh")
same_headers() { # every request of the log carries docker's headers (User-Agent aside)
	python3 - "$hcase/docker.jsonl" "$tmp/log.jsonl" <<'PY'
import json, sys
def h(r):
    return {k: v for k, v in r["headers"].items() if k not in ("User-Agent", "Content-Type", "Content-Length")}
want = h(json.loads(open(sys.argv[1]).readline()))
got = [json.loads(l) for l in open(sys.argv[2])]
bad = [(r["method"], r["endpoint"], h(r)) for r in got if h(r) != want]
if not got or bad:
    print("want %s; %d requests, these differ: %s" % (want, len(got), bad[:2]))
    sys.exit(1)
PY
}
for cmd in plan "deploy --plan-only --fail-on none"; do
	fake_start
	# shellcheck disable=SC2086
	DOCKER_CONFIG=$hcase/dockerconfig DOCKER_CUSTOM_HEADERS=$hvalue run $cmd -c "$hcase/stack.yml" s
	sleep 0.3
	[ "$rc" = 1 ] && why=$(same_headers) && ok "$cmd sends docker's DOCKER_CUSTOM_HEADERS headers" ||
		fail "$cmd with DOCKER_CUSTOM_HEADERS: exit $rc: $why $(cat "$tmp/err")"
done
DOCKER_CUSTOM_HEADERS='a="b' run plan -c "$ok_stack" s
expect "a DOCKER_CUSTOM_HEADERS docker refuses is exit 2, in docker's words" 2 '' \
	'failed to parse custom headers from DOCKER_CUSTOM_HEADERS environment variable: value must be formatted as comma-separated key=value pairs'

# --- --with-registry-auth: a credential helper that fails stops the deploy, as docker's ---
fake_start
mkdir -p "$tmp/bin"
printf '#!/bin/sh\ncat >/dev/null\necho "the keychain is locked"\nexit 4\n' >"$tmp/bin/docker-credential-c2sbroken"
chmod +x "$tmp/bin/docker-credential-c2sbroken"
printf '{"credsStore": "c2sbroken"}\n' >"$DOCKER_CONFIG/config.json"
PATH=$tmp/bin:$PATH run deploy --yes --detach --with-registry-auth -c "$ok_stack" s
expect "a failing credential helper is trouble, in docker's words" 2 '' 'error getting credentials - err: exit status 4, out: `the keychain is locked`'
requests | grep -q '^POST /services/' && fail "... yet a service was posted" || ok "... and no service was posted"
rm -f "$DOCKER_CONFIG/config.json"
fake_stop
finish
