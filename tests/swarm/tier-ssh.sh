#!/usr/bin/env bash
# tests/swarm/tier-ssh.sh -- check-swarm tier: ssh:// engines through a real
# OpenSSH server in front of the private dockerd.
#
# A private sshd (root, 127.0.0.1, a free port, its own host key and
# sshd_config in the tier's temp dir, key-only logins with a throwaway client
# key; nothing in /etc/ssh used, no system service) is started and stopped by
# its pid. Clients reach it through a wrapper `ssh` first on PATH that runs
# `/usr/bin/ssh -F CONFIG "$@"`: OpenSSH finds ~/.ssh/config through the
# password database, not $HOME, so a temporary HOME would not be read. The URL
# is ssh://root@127.0.0.1:PORT/SWARM_SOCK, whose path makes the remote command
# `docker --host unix://SWARM_SOCK system dial-stdio` (docker/cli
# cli/connhelper/connhelper.go), as users with a non-default socket write it.
#
# Over it: `plan` of fixtures/ssh/stack.yml on an empty stack says create
# for every object; `deploy --yes --wait` applies it (DOCKER_HOST=ssh://...);
# `plan` again says nothing changes (exit 0); each plan is the same, byte for
# byte, as the plan over the unix socket; no ssh is left running after
# compose2swarm exits; docker CLI 28 answers `info` and `stack services` over
# the same URL, and plan finds it as the endpoint of the current docker
# context (`docker context create` and `use`, CLI 28 only). Failures are exit
# 2 in the docker CLI's words (compared with its own output): a port nothing
# listens on, a login refused, an unknown host key, and a socket path with no
# daemon behind it. While deploy --wait waits
# over ssh: ^C is exit 2, and after it, or a SIGKILL of compose2swarm, no ssh
# is left; a session ended under it is dialled again (or fails the request in
# flight); sshd gone is exit 2 with ssh's words. About 25 s in the runner on a
# quiet machine (35 s alone, with its own dockerd).
# Exit 0 pass, 1 fail, 77 skip (no root, sshd or dockerd here: it says why).
# Environment: as tests/swarm/lib.sh; DOCKER_CLI (default /usr/local/bin/docker
# when it is there, else docker); C2S_SSH_REMOTE_PATH, PATH for the commands
# sshd runs (its default finds /usr/local/bin/docker before /usr/bin/docker).
set -u
. "$(dirname "$0")/lib.sh"
fx=$top_srcdir/fixtures/ssh
[ -x "$C2S" ] || fail "no binary at $C2S"
"$C2S" --version | grep -q "^Engine API client: " || skip "this compose2swarm has no Engine API client"
[ "$(id -u)" -eq 0 ] || skip "the private sshd needs root (uid is $(id -u))"
sshd=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$sshd" ] || skip "no sshd (package openssh-server; scripts/install-deps.sh installs it)"
[ -x /usr/bin/ssh ] && command -v ssh-keygen >/dev/null ||
	skip "no ssh or ssh-keygen (package openssh-client; scripts/install-deps.sh installs it)"
swarm_start
tmp=$SWARM_TMP
cli=${DOCKER_CLI:-/usr/local/bin/docker}
[ -x "$cli" ] || cli=$swarm_docker
stack=tssh
sd=$tmp/ssh
mkdir -p "$sd/bin" || fail "mkdir $sd"
unset SSH_AUTH_SOCK # only the throwaway key logs in
# every client run over ssh is bounded (exit 124 at the end), so a hang is a failure, not a stuck CI
bounded() { timeout -k 5 120 "$@"; }

# ---- the private sshd, stopped by its pid on every exit ----
SSHD_PID=
SSHD_WATCHDOG=
sshd_stop() {
	local rc=$?
	[ -n "$SSHD_WATCHDOG" ] && kill "$SSHD_WATCHDOG" 2>/dev/null
	if [ -n "$SSHD_PID" ] && kill -0 "$SSHD_PID" 2>/dev/null; then
		kill -TERM "$SSHD_PID" 2>/dev/null
		wait "$SSHD_PID" 2>/dev/null
	fi
	SSHD_PID= SSHD_WATCHDOG=
	return $rc
}
# run before lib.sh's own EXIT trap (swarm_stop, or the runner's clean-up)
exit_trap=$(trap -p EXIT)
eval "trap -- 'sshd_stop; '${exit_trap#trap -- }"

free_port() {
	python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# privilege separation needs its empty directory (made by the service unit otherwise)
[ -d /run/sshd ] || { mkdir -p /run/sshd && chmod 0755 /run/sshd; } || fail "mkdir /run/sshd"
ssh-keygen -q -t ed25519 -N '' -C c2s-tier-ssh-host -f "$sd/host_key" || fail "ssh-keygen (host key)"
ssh-keygen -q -t ed25519 -N '' -C c2s-tier-ssh-client -f "$sd/client_key" || fail "ssh-keygen (client key)"
cp "$sd/client_key.pub" "$sd/authorized_keys"
port=
for attempt in 1 2 3; do # a free port can be taken between the probe and sshd's bind: again
	p=$(free_port) || fail "no free port"
	cat >"$sd/sshd_config" <<EOF
ListenAddress 127.0.0.1:$p
HostKey $sd/host_key
PidFile $sd/sshd.pid
AuthorizedKeysFile $sd/authorized_keys
AllowUsers root
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
# the keys live under /tmp (world-writable), which StrictModes refuses
StrictModes no
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PrintMotd no
MaxStartups 50
LogLevel VERBOSE
# a remote docker run without --host (a path lost on the way) reaches no daemon
SetEnv DOCKER_HOST=unix:///nonexistent/c2s-tier-ssh.sock${C2S_SSH_REMOTE_PATH:+ PATH=$C2S_SSH_REMOTE_PATH}
EOF
	"$sshd" -t -f "$sd/sshd_config" 2>"$sd/sshd-t.err" || { cat "$sd/sshd-t.err" >&2; fail "sshd -t refuses the config"; }
	"$sshd" -D -e -f "$sd/sshd_config" >"$sd/sshd.log" 2>&1 &
	SSHD_PID=$!
	for i in $(seq 1 100); do
		grep -q "Server listening on 127.0.0.1 port $p" "$sd/sshd.log" && { port=$p; break 2; }
		kill -0 "$SSHD_PID" 2>/dev/null || break
		sleep 0.1
	done
	sshd_stop
done
[ -n "$port" ] || { cat "$sd/sshd.log" >&2; fail "sshd did not start"; }
# a watchdog in case this shell is killed without running its traps
(while kill -0 $$ 2>/dev/null; do sleep 2; done; kill -TERM "$SSHD_PID" 2>/dev/null) </dev/null >/dev/null 2>&1 &
SSHD_WATCHDOG=$!

printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$sd/host_key.pub")" >"$sd/known_hosts"
cat >"$sd/ssh_config" <<EOF
Host *
  IdentityFile $sd/client_key
  IdentitiesOnly yes
  UserKnownHostsFile $sd/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
EOF
cat >"$sd/bin/ssh" <<EOF
#!/bin/sh
exec /usr/bin/ssh -F $sd/ssh_config "\$@"
EOF
chmod +x "$sd/bin/ssh"
export PATH=$sd/bin:$PATH
url=ssh://root@127.0.0.1:$port$SWARM_SOCK
remote=$(bounded ssh -p "$port" root@127.0.0.1 'command -v docker' 2>"$sd/login.err") ||
	{ cat "$sd/login.err" "$sd/sshd.log" >&2; fail "ssh root@127.0.0.1 -p $port does not log in"; }
say "sshd $SSHD_PID on 127.0.0.1:$port; the remote docker is $remote; $url"

show() { sed 's/^/    /' "$@" >&2; }
no_ssh_left() { # no_ssh_left WHAT: no ssh through our wrapper is still running
	local left
	left=$(pgrep -f -- "-F $sd/ssh_config" | tr '\n' ' ')
	[ -z "$left" ] || { ps -o pid,ppid,args -p ${left// /,} >&2; fail "$1: ssh still running ($left)"; }
}
sessions() { grep -c 'Accepted publickey' "$sd/sshd.log"; }

# ---- 1. the docker CLI over ssh ----
# docker CLI 20.10 (Debian's docker.io, what CI has) refuses a path after the
# host (docker/cli v20.10 cli/connhelper/ssh: "extra path after the host"):
# then only compose2swarm goes over ssh, and the CLI's words for ssh's
# failures are compared from stderr= on, over the same URL without its path.
bounded "$cli" -H "$url" info --format '{{.Swarm.LocalNodeState}} {{.ServerVersion}}' >"$tmp/info.out" 2>"$tmp/info.err"
cli_rc=$?
cli_paths=1
if [ "$cli_rc" -ne 0 ] && grep -q 'extra path after the host' "$tmp/info.err"; then
	cli_paths=0
	say "$("$cli" --version) refuses ssh:// paths: no docker CLI over ssh here, only its words for ssh's failures"
else
	[ "$cli_rc" -eq 0 ] || { show "$tmp/info.out" "$tmp/info.err"; fail "$cli -H $url info"; }
	grep -q '^active ' "$tmp/info.out" || { show "$tmp/info.out"; fail "info over ssh: not an active swarm node"; }
	say "$("$cli" --version): info over ssh: $(cat "$tmp/info.out")"
fi

# ---- 2. plan an empty stack: every object created; the same bytes as over the socket ----
plan() { # plan NAME HOST [ARGS]: compose2swarm plan -H HOST; rc in rc_NAME, output in $tmp/NAME.*
	local name=$1 host=$2
	shift 2
	(cd "$fx" && bounded "$C2S" plan -H "$host" "$@" -c stack.yml "$stack") >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
	printf -v "rc_$name" '%s' $?
}
same_plans() { # same_plans SSHNAME UNIXNAME
	cmp -s "$tmp/$1.out" "$tmp/$2.out" && cmp -s "$tmp/$1.err" "$tmp/$2.err" ||
		{ diff "$tmp/$2.out" "$tmp/$1.out" >&2; diff "$tmp/$2.err" "$tmp/$1.err" >&2; fail "$1: the plan over ssh differs from the plan over the socket"; }
}
before=$(sessions)
plan p1 "$url"
# one login for all of plan's requests: the connection is kept, as docker's transport keeps it
[ "$(($(sessions) - before))" -eq 1 ] || fail "plan over ssh: $(($(sessions) - before)) ssh logins, not 1"
plan p1u "unix://$SWARM_SOCK"
[ "$rc_p1" -eq 1 ] || { show "$tmp/p1.out" "$tmp/p1.err"; fail "plan over ssh (empty stack): exit $rc_p1, not 1"; }
grep -q '^Plan: 4 to create, 0 to update (0 replace tasks), 0 to delete, 0 will fail' "$tmp/p1.out" ||
	{ show "$tmp/p1.out" "$tmp/p1.err"; fail "plan over ssh (empty stack): not 4 creates"; }
same_plans p1 p1u
for f in json; do
	plan p1j "$url" --format "$f"
	plan p1ju "unix://$SWARM_SOCK" --format "$f"
	same_plans p1j p1ju
done
no_ssh_left "plan"
say "plan over ssh, empty stack: exit 1, 4 creates, as over the socket (text and json; ssh logins: $(($(sessions) - before)))"

# ---- 3. deploy over ssh (DOCKER_HOST), then nothing to change ----
before=$(sessions)
(cd "$fx" && bounded env DOCKER_HOST="$url" "$C2S" deploy --yes --resolve-image never --wait=60s -c stack.yml "$stack") \
	>"$tmp/deploy.out" 2>"$tmp/deploy.err" </dev/null
rc=$?
[ "$rc" -eq 0 ] || { show "$tmp/deploy.out" "$tmp/deploy.err"; fail "deploy over ssh: exit $rc, not 0"; }
no_ssh_left "deploy"
got=$(docker service ls --filter "name=${stack}_web" --format '{{.Name}} {{.Replicas}}')
[ "$got" = "${stack}_web 1/1" ] || { show "$tmp/deploy.out" "$tmp/deploy.err"; fail "after deploy over ssh: '$got', not ${stack}_web 1/1"; }
for k in network config secret; do
	[ "$(docker $k ls -q --filter "label=com.docker.stack.namespace=$stack" | wc -l)" -eq 1 ] ||
		fail "after deploy over ssh: no $k of $stack on the swarm"
done
say "deploy --yes --wait over ssh: exit 0 (ssh logins: $(($(sessions) - before))), ${stack}_web 1/1 with its network, config and secret"
plan p2 "$url"
plan p2u "unix://$SWARM_SOCK"
[ "$rc_p2" -eq 0 ] || { show "$tmp/p2.out" "$tmp/p2.err"; fail "plan over ssh after deploy: exit $rc_p2, not 0"; }
same_plans p2 p2u
no_ssh_left "plan"
say "plan over ssh after deploy: exit 0 (no changes), as over the socket"
if [ "$cli_paths" = 1 ]; then
	bounded "$cli" -H "$url" stack services --format '{{.Name}} {{.Replicas}}' "$stack" >"$tmp/services.out" 2>&1 ||
		{ show "$tmp/services.out"; fail "$cli -H ssh://... stack services"; }
	grep -qx "${stack}_web 1/1" "$tmp/services.out" || { show "$tmp/services.out"; fail "docker stack services over ssh"; }
	say "docker stack services over ssh agrees: $(cat "$tmp/services.out")"
fi

# ---- 3b. the same URL as a docker context's endpoint, made the current one with `docker context use` ----
if [ "$cli_paths" = 1 ]; then
	ctx=$sd/cli # a config of its own: the runner's DOCKER_CONFIG is every tier's
	mkdir -p "$ctx"
	{ DOCKER_CONFIG=$ctx bounded "$cli" context create tssh-ctx --docker "host=$url" &&
		DOCKER_CONFIG=$ctx bounded "$cli" context use tssh-ctx; } >"$tmp/ctx.out" 2>&1 ||
		{ show "$tmp/ctx.out"; fail "docker context create/use"; }
	(cd "$fx" && bounded env -u DOCKER_HOST -u DOCKER_CONTEXT DOCKER_CONFIG="$ctx" "$C2S" plan -c stack.yml "$stack") \
		>"$tmp/p3.out" 2>"$tmp/p3.err" </dev/null
	rc=$?
	[ "$rc" -eq 0 ] || { show "$tmp/p3.out" "$tmp/p3.err"; fail "plan through the current context (ssh://): exit $rc, not 0"; }
	same_plans p3 p2u
	no_ssh_left "plan through the context"
	say "plan through the current docker context (endpoint $url): exit 0, as over the socket"
fi

# ---- 4. ssh fails: exit 2 with ssh's words, as the docker CLI says them ----
# the Go client words a helper's failure "error during connect: Get "URL":
# command [...] has exited with ...: stderr=..." (docker CLI 28.2; 20.10 says
# it differently before stderr=); the request named is not compared: the
# CLI's failed ping is silent and its next request is named, ours is the ping
refused() { # refused NAME URL STDERR: plan and docker version over URL fail with ssh's STDERR
	local name=$1 u=$2 want=$3 curl=$2 from='command \[' crc prc
	[ "$cli_paths" = 1 ] || { curl=${u%"$SWARM_SOCK"} from='stderr='; }
	# `docker version`: 20.10's `info --format` breaks on the Info it could not get
	bounded "$cli" -H "$curl" version --format '{{.Server.Version}}' >"$tmp/$name-cli.out" 2>"$tmp/$name-cli.err"
	crc=$?
	plan "$name" "$u"
	prc=$(eval echo "\$rc_$name")
	[ "$prc" -eq 2 ] || { show "$tmp/$name.out" "$tmp/$name.err"; fail "$name: plan exits $prc, not 2"; }
	[ "$crc" -ne 0 ] || { show "$tmp/$name-cli.out" "$tmp/$name-cli.err"; fail "$name: $cli version exits 0"; }
	grep -qF "stderr=$want" "$tmp/$name.err" || { show "$tmp/$name.err"; fail "$name: plan does not say stderr=$want"; }
	! grep -q $'\r' "$tmp/$name.err" || { show "$tmp/$name.err"; fail "$name: a carriage return in plan's message"; }
	# ssh ends its lines "\r\n" and the CLI prints them as they came, with the last
	sed -n "/$from/,\$p" "$tmp/$name.err" | sed "1s/.*$from/$from/" >"$tmp/$name.ours"
	sed -n "/$from/,\$p" "$tmp/$name-cli.err" | sed "1s/.*$from/$from/" | tr -d '\r' | sed '/^$/d' >"$tmp/$name.docker"
	[ -s "$tmp/$name.ours" ] && cmp -s "$tmp/$name.ours" "$tmp/$name.docker" ||
		{ diff "$tmp/$name.docker" "$tmp/$name.ours" >&2; fail "$name: plan's words differ from the docker CLI's"; }
	no_ssh_left "$name"
	say "$name: plan exit 2, $(grep -o 'stderr=.*' "$tmp/$name.err" | head -n 1), as $cli says it"
}
bad=$(free_port)
refused closed_port "ssh://root@127.0.0.1:$bad$SWARM_SOCK" "ssh: connect to host 127.0.0.1 port $bad: Connection refused"
# the command docker CLI 28.2 runs (cli/connhelper), which ours follows
cmd="command [ssh -o ConnectTimeout=30 -T -l root -p $bad -- 127.0.0.1 docker --host unix://$SWARM_SOCK system dial-stdio] has exited with exit status 255"
grep -qF "$cmd" "$tmp/closed_port.err" || { show "$tmp/closed_port.err"; fail "closed_port: not the command docker runs"; }
refused no_login "ssh://nobody@127.0.0.1:$port$SWARM_SOCK" "nobody@127.0.0.1: Permission denied (publickey)."
refused host_unknown "ssh://root@localhost:$port$SWARM_SOCK" "No ED25519 host key is known for [localhost]:$port and you have requested strict checking."

# ---- 5. logged in, but no daemon at the socket named: docker's connectionFailed ----
# dial-stdio says "dial unix", which the Go client (client/request.go) turns into
# its "Cannot connect" for the helper's dummy host; ours adds the helper's words
nosock=$tmp/no-daemon.sock
plan nodaemon "ssh://root@127.0.0.1:$port$nosock"
[ "$rc_nodaemon" -eq 2 ] || { show "$tmp/nodaemon.out" "$tmp/nodaemon.err"; fail "nodaemon: plan exits $rc_nodaemon, not 2"; }
connfail="Cannot connect to the Docker daemon at http://docker.example.com. Is the docker daemon running?"
[ "$(head -n 1 "$tmp/nodaemon.err")" = "compose2swarm: $connfail" ] && grep -qF "dial unix $nosock" "$tmp/nodaemon.err" ||
	{ show "$tmp/nodaemon.err"; fail "nodaemon: not docker's words and the helper's"; }
if [ "$cli_paths" = 1 ]; then
	bounded "$cli" -H "ssh://root@127.0.0.1:$port$nosock" version --format '{{.Server.Version}}' >"$tmp/nodaemon-cli.out" 2>"$tmp/nodaemon-cli.err"
	grep -qxF "$connfail" "$tmp/nodaemon-cli.err" || { show "$tmp/nodaemon-cli.err"; fail "nodaemon: $cli does not say '$connfail'"; }
fi
no_ssh_left "nodaemon"
say "nodaemon: plan exit 2, '$connfail' and $(grep -o 'stderr=.*' "$tmp/nodaemon.err")"

# ---- 6. while deploy --wait waits over ssh: ^C, SIGKILL, a lost session, sshd gone ----
# fixtures/deploy/pending.yml: a task no node takes, so the wait goes on (bounded by
# --wait=60s; no timeout(1) between: the signals go to compose2swarm itself)
pending() { # pending: deploy --wait=60s of pending.yml in the background, once it waits; pid in $pid
	rm -f "$tmp/w.out" "$tmp/w.err" # the last run's lines are not this one's
	(cd "$top_srcdir/fixtures/deploy" && TMPDIR=$sd exec "$C2S" deploy -H "$url" --yes --fail-on none \
		--resolve-image never --wait=60s -c pending.yml tsshw) >"$tmp/w.out" 2>"$tmp/w.err" </dev/null &
	pid=$!
	for _ in $(seq 1 150); do grep -q 'tsshw_stuck: ' "$tmp/w.out" 2>/dev/null && return 0; sleep 0.2; done
	show "$tmp/w.out" "$tmp/w.err"
	fail "deploy --wait over ssh: not waiting after 30 s"
}
pending
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 2 ] && grep -q 'interrupted while waiting' "$tmp/w.err" ||
	{ show "$tmp/w.out" "$tmp/w.err"; fail "SIGINT while waiting over ssh: exit $rc, not 2 with 'interrupted'"; }
no_ssh_left "SIGINT while waiting"
! ls -d "$sd"/c2s-ssh.* >/dev/null 2>&1 || fail "SIGINT while waiting: the private socket directory is left in $sd"
pending
kill -KILL "$pid"
wait "$pid" 2>/dev/null
sleep 0.5 # ssh gets its SIGKILL from the kernel (PR_SET_PDEATHSIG) as its parent dies
no_ssh_left "compose2swarm killed while waiting"
say "deploy --wait over ssh: ^C is exit 2 and ends ssh (its socket directory removed); a SIGKILL of compose2swarm ends ssh too"
# the session ends under a running wait: between two requests the next one
# dials again and the wait goes on (during one, that request fails: both are
# fine); then sshd goes: exit 2 with ssh's words, whichever it said
pending
before=$(sessions)
pkill -TERM -P "$SSHD_PID" # the per-connection sshd processes of our sshd, not the listener
for _ in $(seq 1 50); do [ "$(sessions)" -gt "$before" ] || ! kill -0 "$pid" 2>/dev/null && break; sleep 0.2; done
if [ "$(sessions)" -gt "$before" ]; then
	again="dialled again, the wait went on"
elif ! kill -0 "$pid" 2>/dev/null; then
	again="the request in flight failed"
else
	show "$tmp/w.out" "$tmp/w.err"
	fail "a lost ssh session while waiting: no new login within 10 s, and deploy still runs"
fi
kill -STOP "$SSHD_PID" # no new session while its sessions are ended
pkill -TERM -P "$SSHD_PID"
kill -TERM "$SSHD_PID"
kill -CONT "$SSHD_PID"
wait "$SSHD_PID"
SSHD_PID=
wait "$pid"
rc=$?
lost="lost the daemon while waiting for tsshw_stuck: error during connect: .*stderr=(ssh: connect to host 127.0.0.1 port $port: Connection refused|Connection to 127.0.0.1 closed by remote host\.)$"
[ "$rc" -eq 2 ] && grep -Eq "$lost" "$tmp/w.err" ||
	{ show "$tmp/w.out" "$tmp/w.err"; fail "sshd gone while waiting: exit $rc, not 2 with ssh's words"; }
no_ssh_left "sshd gone while waiting"
say "a lost ssh session while waiting: $again; sshd gone: exit 2, $(grep -o 'stderr=.*' "$tmp/w.err")"

swarm_rm_stack "$stack"
swarm_rm_stack tsshw
sshd_stop
say "PASS"
