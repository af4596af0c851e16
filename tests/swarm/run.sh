#!/usr/bin/env bash
# tests/swarm/run.sh -- `make check-swarm`: deploy our `convert --to api`
# payloads on a real, private single-node swarm and check the result.
#
# Starts its own dockerd (Debian's docker.io) with its own socket, data root
# and exec root in a temp dir, initialises a swarm on 127.0.0.1, imports a
# tiny busybox image, then for each fixture stack posts our payloads with curl
# over the unix socket (networks, then secrets and configs, whose ids are
# filled into the service specs, then services), checks that every service
# reaches its replica count, that `docker service|network|secret|config
# inspect` shows what we sent, and that `docker stack rm` removes everything.
# Exit 0 pass, 1 fail, 77 skip (no dockerd/root here: it says why).
#
# Environment: C2S (the binary; default ./compose2swarm), top_srcdir,
# C2S_SWARM_TIMEOUT (seconds per wait, default 180),
# C2S_SWARM_PAYLOADS=reference to post docker's own payloads instead of ours
# (needs /work/shared/reference/reference.sh; proves the harness itself).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
C2S=${C2S:-$PWD/compose2swarm}
here=$top_srcdir/tests/swarm
fixtures=$top_srcdir/fixtures/swarm
timeout=${C2S_SWARM_TIMEOUT:-180}
sj() { python3 "$here/swarmjson.py" "$@"; }

say() { printf 'check-swarm: %s\n' "$*" >&2; }
skip() { say "SKIP: $*"; exit 77; }
fail() { say "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "dockerd needs root (uid is $(id -u))"
dockerd=$(command -v dockerd || echo /usr/sbin/dockerd)
[ -x "$dockerd" ] || skip "no dockerd (package docker.io; scripts/install-deps.sh installs it)"
docker=/usr/bin/docker
[ -x "$docker" ] || docker=$(command -v docker) || skip "no docker client"
busybox=/bin/busybox
"$busybox" --list >/dev/null 2>&1 || skip "no runnable $busybox (package busybox-static)"
command -v curl >/dev/null || skip "no curl"
command -v python3 >/dev/null || skip "no python3"
[ -x "$C2S" ] || fail "no binary at $C2S"

# short path: unix socket paths must stay under 108 bytes
tmp=$(mktemp -d /tmp/c2s-swarm.XXXXXX) || fail "mktemp"
sock=$tmp/d.sock
export DOCKER_HOST=unix://$sock DOCKER_CONFIG=$tmp/cli
unset DOCKER_CONTEXT DOCKER_API_VERSION DOCKER_TLS_VERIFY DOCKER_CERT_PATH
mkdir -p "$DOCKER_CONFIG"
dpid=

cleanup() {
	rc=$?
	trap - EXIT INT TERM
	if [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null; then
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
			say "dockerd log (last lines):"; tail -n 15 "$tmp/dockerd.log" >&2
		fi
		kill -TERM "$dpid" 2>/dev/null
		for _ in $(seq 1 150); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.2; done
		kill -0 "$dpid" 2>/dev/null && kill -KILL "$dpid" 2>/dev/null
		wait "$dpid" 2>/dev/null
	fi
	# dockerd leaves network namespaces and the like mounted under its roots
	awk -v t="$tmp/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

api() { # api METHOD PATH [BODYFILE] -> response body in $tmp/resp, prints HTTP status
	local data=()
	[ $# -ge 3 ] && data=(-H 'Content-Type: application/json' --data-binary "@$3")
	curl -sS --unix-socket "$sock" -o "$tmp/resp" -w '%{http_code}' -X "$1" "${data[@]}" "http://docker$2"
}

# ---- a private dockerd and swarm ----
setsid "$dockerd" --host "unix://$sock" --data-root "$tmp/data" --exec-root "$tmp/exec" \
	--pidfile "$tmp/dockerd.pid" --iptables=false --ip6tables=false --bridge=none \
	--storage-driver=vfs >"$tmp/dockerd.log" 2>&1 &
dpid=$!
for i in $(seq 1 120); do
	[ "$(curl -s --unix-socket "$sock" http://docker/_ping 2>/dev/null)" = OK ] && break
	kill -0 "$dpid" 2>/dev/null || { tail -n 20 "$tmp/dockerd.log" >&2; dpid=; skip "dockerd exited at start (log above)"; }
	[ "$i" -eq 120 ] && { tail -n 20 "$tmp/dockerd.log" >&2; skip "dockerd did not answer within 60 s"; }
	sleep 0.5
done
apiver=$(curl -s --unix-socket "$sock" http://docker/version | python3 -c 'import json,sys; print(json.load(sys.stdin)["ApiVersion"])') ||
	fail "GET /version"
say "dockerd $dpid up on $sock (API $apiver)"

# ports of our own, so that other swarms on this machine do not collide
read -r port dport < <(python3 -c '
import random, socket
def free(kind):
    while True:
        p = random.randint(20000, 40000)
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind(("127.0.0.1", p)); return p
        except OSError:
            pass
        finally:
            s.close()
print(free(socket.SOCK_STREAM), free(socket.SOCK_DGRAM))')
"$docker" swarm init --advertise-addr 127.0.0.1 --listen-addr "127.0.0.1:$port" \
	--data-path-port "$dport" >"$tmp/swarm-init.out" 2>&1 ||
	{ cat "$tmp/swarm-init.out" >&2; fail "docker swarm init"; }

mkdir -p "$tmp/rootfs/bin"
cp "$busybox" "$tmp/rootfs/bin/busybox"
for a in $("$busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$tmp/rootfs/bin/$a"
done
tar -C "$tmp/rootfs" -c . | "$docker" import - c2s-busybox:latest >/dev/null || fail "docker import"

# ---- deploy one fixture ----
payloads() { # payloads FILE STACK > json
	local f=$1 stack=$2
	if [ "${C2S_SWARM_PAYLOADS:-}" = reference ]; then
		FAKE_API_VERSION=$apiver REF_CLEAN_ENV=1 /work/shared/reference/reference.sh \
			"$f" "$tmp/ref-$stack" "$stack" >&2 || return 1
		cat "$tmp/ref-$stack/payloads.json"
	else
		(cd "$(dirname "$f")" && "$C2S" convert -c "$(basename "$f")" --to api \
			--stack "$stack" --api-version "$apiver")
	fi
}

deploy() { # deploy FILE STACK
	local f=$1 stack=$2 d=$tmp/$2 body name code
	mkdir -p "$d"
	payloads "$f" "$stack" >"$d/payload.json" || fail "$stack: convert --to api failed"
	sj split "$d/payload.json" "$d" || fail "$stack: payload is not what we expect"
	: >"$d/ids"
	while read -r body name; do
		code=$(api POST "/v$apiver/networks/create" "$body")
		[ "$code" = 201 ] || fail "$stack: POST /networks/create $name: $code $(cat "$tmp/resp")"
		echo "network $name $(sj id "$tmp/resp")" >>"$d/ids"
	done <"$d/networks.list"
	for kind in secret config; do
		while read -r body name; do
			code=$(api POST "/v$apiver/${kind}s/create" "$body")
			[ "$code" = 201 ] || fail "$stack: POST /${kind}s/create $name: $code $(cat "$tmp/resp")"
			echo "$kind $name $(sj id "$tmp/resp")" >>"$d/ids"
		done <"$d/${kind}s.list"
	done
	while read -r body name; do
		sj fill "$body" "$d/ids" >"$body.filled" && mv "$body.filled" "$body"
		code=$(api POST "/v$apiver/services/create" "$body")
		[ "$code" = 201 ] || fail "$stack: POST /services/create $name: $code $(cat "$tmp/resp")"
		echo "service $name $(sj id "$tmp/resp")" >>"$d/ids"
	done <"$d/services.list"
	say "$stack: posted $(wc -l <"$d/ids") objects from $(basename "$f")"
}

# ---- checks ----
wait_replicas() { # wait_replicas STACK
	local stack=$1 d=$tmp/$1 name want got ok i nodes
	nodes=$("$docker" node ls -q | wc -l)
	sj replicas "$d/payload.json" >"$d/want"
	for i in $(seq 1 "$timeout"); do
		ok=1
		: >"$d/state"
		while read -r name want; do
			[ "$want" = global ] && want=$nodes
			got=$("$docker" service ls --filter "name=$name" --format '{{.Name}} {{.Replicas}}' |
				awk -v n="$name" '$1 == n { print $2 }')
			echo "$name want $want/$want, has ${got:-nothing}" >>"$d/state"
			[ "$got" = "$want/$want" ] || ok=
		done <"$d/want"
		[ -n "$ok" ] && { say "$stack: all services at their replica count"; sed 's/^/  /' "$d/state" >&2; return 0; }
		sleep 1
	done
	sed 's/^/  /' "$d/state" >&2
	"$docker" service ps --no-trunc $(awk '{print $1}' "$d/want") >&2
	fail "$stack: replicas not reached within $timeout s"
}

inspect_all() { # inspect_all STACK: the daemon holds exactly what we sent
	local stack=$1 d=$tmp/$1 kind body name bad=0
	for kind in network secret config service; do
		while read -r body name; do
			"$docker" "$kind" inspect "$name" >"$d/inspect.json" 2>&1 ||
				{ cat "$d/inspect.json" >&2; fail "$stack: $kind inspect $name"; }
			if [ "$kind" = secret ]; then # the daemon never returns secret data
				python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); b.pop("Data",None); json.dump(b,open(sys.argv[1],"w"))' "$body"
			fi
			sj compare "$body" "$d/inspect.json" "$d/ids" >"$d/diff" || {
				say "$stack: $kind $name differs from what we sent:"; sed 's/^/  /' "$d/diff" >&2; bad=1; }
		done <"$d/${kind}s.list"
	done
	[ "$bad" = 0 ] || fail "$stack: inspected specs differ"
	say "$stack: inspected networks, secrets, configs and services match what we sent"
}

remove_stack() { # remove_stack STACK: docker stack rm leaves nothing behind
	local stack=$1 i left
	"$docker" stack rm "$stack" >"$tmp/rm.out" 2>&1
	for i in $(seq 1 "$timeout"); do
		left=$( { "$docker" service ls -q --filter "label=com.docker.stack.namespace=$stack"
			"$docker" network ls -q --filter "label=com.docker.stack.namespace=$stack"
			"$docker" secret ls -q --filter "label=com.docker.stack.namespace=$stack"
			"$docker" config ls -q --filter "label=com.docker.stack.namespace=$stack"; } | wc -l)
		[ "$left" -eq 0 ] && { say "$stack: docker stack rm removed everything"; return 0; }
		# networks can only go once the tasks using them are gone: ask again
		[ $((i % 10)) -eq 0 ] && "$docker" stack rm "$stack" >>"$tmp/rm.out" 2>&1
		sleep 1
	done
	cat "$tmp/rm.out" >&2
	fail "$stack: $left objects left $timeout s after docker stack rm"
}

deploy "$fixtures/seed.yml" swarm
deploy "$fixtures/full.yml" full
for s in swarm full; do wait_replicas "$s"; done
for s in swarm full; do inspect_all "$s"; done
for s in swarm full; do remove_stack "$s"; done
say "PASS"
