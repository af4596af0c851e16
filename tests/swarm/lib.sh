# tests/swarm/lib.sh -- a private single-node swarm for `make check-swarm`'s tiers.
# Sourced by tests/swarm/run.sh (which starts one swarm for every tier) and by
# each tests/swarm/tier-*.sh (which reuses the runner's swarm, or starts its
# own when run alone: `bash tests/swarm/tier-payloads.sh`).
#
# swarm_start     start dockerd (Debian's docker.io) as root with its own
#                 socket, data and exec roots in a temp dir, in a network
#                 namespace of its own when `unshare --net` works (so that
#                 several swarms on one machine never share docker_gwbridge,
#                 ingress or ports), init a swarm on 127.0.0.1 and import a
#                 busybox rootfs as c2s-busybox:latest. Exports DOCKER_HOST,
#                 DOCKER_CONFIG, SWARM_SOCK, SWARM_API (the daemon's API
#                 version), SWARM_TMP (scratch space, removed at stop).
#                 With SWARM_SOCK already set (by the runner) it only checks
#                 that the daemon answers and reuses it.
# swarm_stop      stop the dockerd this shell started, by its pid (TERM, then
#                 KILL after 30 s), with its containerd shims; unmount and
#                 remove the temp dir. Installed as the EXIT trap by
#                 swarm_start, so it runs on failure and on signals too.
# swarm_rm_stack STACK   docker stack rm, then wait until nothing labelled
#                 with the stack is left (networks go after their tasks).
# swarm_wait_updates STACK   wait until no service of STACK is mid-update.
# swarm_show_log  the dockerd log's last lines, once (a failure shows them).
# swarm_wait_replicas SERVICE WANT [TIMEOUT]   wait for "WANT/WANT" replicas.
# say / skip / fail      messages prefixed with the tier's name; skip is exit 77.
#
# Environment: C2S (the binary; default ./compose2swarm), top_srcdir,
# C2S_SWARM_TIMEOUT (seconds per wait, default 180), C2S_SWARM_NONS=1 to keep
# dockerd in the host's network namespace (random swarm ports then).

top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
C2S=${C2S:-$PWD/compose2swarm}
SWARM_TIMEOUT=${C2S_SWARM_TIMEOUT:-180}
SWARM_NAME=${SWARM_NAME:-$(basename "$0" .sh)}
SWARM_OWNED=
SWARM_DPID=
SWARM_WRAPPER=

say() { printf 'check-swarm %s: %s\n' "$SWARM_NAME" "$*" >&2; }
skip() { say "SKIP: $*"; exit 77; }
fail() { say "FAIL: $*"; exit 1; }

swarm_docker=/usr/bin/docker
[ -x "$swarm_docker" ] || swarm_docker=$(command -v docker 2>/dev/null || echo docker)
docker() { "$swarm_docker" "$@"; }

swarm_ping() { [ "$(curl -s --max-time 5 --unix-socket "$1" http://docker/_ping 2>/dev/null)" = OK ]; }

swarm_start() {
	command -v curl >/dev/null || skip "no curl"
	command -v python3 >/dev/null || skip "no python3"
	if [ -n "${SWARM_SOCK:-}" ]; then
		swarm_ping "$SWARM_SOCK" || fail "the runner's dockerd at $SWARM_SOCK does not answer"
		export DOCKER_HOST=unix://$SWARM_SOCK
		SWARM_TMP=$(mktemp -d /tmp/c2s-tier.XXXXXX) || fail "mktemp"
		trap 'rc=$?; trap - EXIT; rm -rf "$SWARM_TMP"; exit $rc' EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
		return 0
	fi
	[ "$(id -u)" -eq 0 ] || skip "dockerd needs root (uid is $(id -u))"
	local dockerd busybox i a port dport
	dockerd=$(command -v dockerd || echo /usr/sbin/dockerd)
	[ -x "$dockerd" ] || skip "no dockerd (package docker.io; scripts/install-deps.sh installs it)"
	[ -x "$swarm_docker" ] || skip "no docker client"
	busybox=/bin/busybox
	"$busybox" --list >/dev/null 2>&1 || skip "no runnable $busybox (package busybox-static)"

	# short path: unix socket paths must stay under 108 bytes
	SWARM_TMP=$(mktemp -d /tmp/c2s-swarm.XXXXXX) || fail "mktemp"
	SWARM_SOCK=$SWARM_TMP/d.sock
	SWARM_OWNED=1
	export SWARM_SOCK SWARM_TMP DOCKER_HOST=unix://$SWARM_TMP/d.sock DOCKER_CONFIG=$SWARM_TMP/cli
	unset DOCKER_CONTEXT DOCKER_API_VERSION DOCKER_TLS_VERIFY DOCKER_CERT_PATH
	mkdir -p "$DOCKER_CONFIG"
	trap 'swarm_stop' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	local args=(--host "unix://$SWARM_SOCK" --data-root "$SWARM_TMP/data" --exec-root "$SWARM_TMP/exec"
		--pidfile "$SWARM_TMP/dockerd.pid" --iptables=false --ip6tables=false --bridge=none
		--storage-driver=vfs)
	if [ -z "${C2S_SWARM_NONS:-}" ] && unshare --net true 2>/dev/null; then
		# the wrapper execs dockerd, so dockerd's pid is in the pidfile and the
		# wrapper (unshare --fork) ends with it
		setsid unshare --net --fork sh -c 'ip link set lo up 2>/dev/null || ifconfig lo up 2>/dev/null; exec "$@"' \
			sh "$dockerd" "${args[@]}" >"$SWARM_TMP/dockerd.log" 2>&1 &
		SWARM_WRAPPER=$!
		SWARM_NETNS=private
	else
		setsid "$dockerd" "${args[@]}" >"$SWARM_TMP/dockerd.log" 2>&1 &
		SWARM_DPID=$!
		SWARM_NETNS=host
	fi
	for i in $(seq 1 120); do
		swarm_ping "$SWARM_SOCK" && break
		kill -0 "${SWARM_WRAPPER:-$SWARM_DPID}" 2>/dev/null ||
			{ tail -n 20 "$SWARM_TMP/dockerd.log" >&2; skip "dockerd exited at start (log above)"; }
		[ "$i" -eq 120 ] && { tail -n 20 "$SWARM_TMP/dockerd.log" >&2; skip "dockerd did not answer within 60 s"; }
		sleep 0.5
	done
	[ -n "$SWARM_DPID" ] || SWARM_DPID=$(cat "$SWARM_TMP/dockerd.pid" 2>/dev/null)
	swarm_watchdog
	SWARM_API=$(curl -s --unix-socket "$SWARM_SOCK" http://docker/version |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["ApiVersion"])') || fail "GET /version"
	export SWARM_API
	say "dockerd $SWARM_DPID up on $SWARM_SOCK (API $SWARM_API, $SWARM_NETNS network namespace)"

	port=2377 dport=4789
	if [ "$SWARM_NETNS" = host ]; then
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
	fi
	docker swarm init --advertise-addr 127.0.0.1 --listen-addr "127.0.0.1:$port" \
		--data-path-port "$dport" >"$SWARM_TMP/swarm-init.out" 2>&1 ||
		{ cat "$SWARM_TMP/swarm-init.out" >&2; fail "docker swarm init"; }

	mkdir -p "$SWARM_TMP/rootfs/bin" "$SWARM_TMP/rootfs/tmp" "$SWARM_TMP/rootfs/etc"
	cp "$busybox" "$SWARM_TMP/rootfs/bin/busybox"
	for a in $("$busybox" --list); do
		[ "$a" = busybox ] || ln -s busybox "$SWARM_TMP/rootfs/bin/$a"
	done
	tar -C "$SWARM_TMP/rootfs" -c . | docker import - c2s-busybox:latest >/dev/null || fail "docker import"
	rm -rf "$SWARM_TMP/rootfs"
}

# swarm_watchdog: a process in a session of its own that stops this dockerd
# when the shell that started it is gone without running swarm_stop (killed
# with SIGKILL, or its process group killed by a timeout: dockerd runs under
# setsid and would outlive it, as two did on a shared machine).
swarm_watchdog() {
	setsid sh -c '
		owner=$1 dpid=$2 tmp=$3
		while kill -0 "$owner" 2>/dev/null && [ -d "$tmp" ]; do sleep 2; done
		[ -d "$tmp" ] || exit 0
		kill -TERM "$dpid" 2>/dev/null
		i=0
		while kill -0 "$dpid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
		kill -KILL "$dpid" 2>/dev/null
		for p in $(pgrep -f -- "$tmp/exec"); do kill -KILL "$p" 2>/dev/null; done
		awk -v t="$tmp/" "index(\$2, t) == 1 { print \$2 }" /proc/mounts | sort -r |
			while read -r m; do umount -l "$m" 2>/dev/null; done
		rm -rf "$tmp"
	' sh "$$" "$SWARM_DPID" "$SWARM_TMP" </dev/null >/dev/null 2>&1 &
	SWARM_WATCHDOG=$!
}

swarm_show_log() { # swarm_show_log: the dockerd log's last lines (cut short), once
	[ -n "${SWARM_LOG_SHOWN:-}" ] && return 0
	SWARM_LOG_SHOWN=1
	say "dockerd log (last lines):"
	tail -n 15 "$SWARM_TMP/dockerd.log" | cut -c1-240 >&2
}

swarm_stop() {
	local rc=$? i
	trap - EXIT INT TERM
	[ -n "${SWARM_WATCHDOG:-}" ] && kill "$SWARM_WATCHDOG" 2>/dev/null
	if [ -n "$SWARM_OWNED" ]; then
		if [ -n "$SWARM_DPID" ] && kill -0 "$SWARM_DPID" 2>/dev/null; then
			[ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && swarm_show_log
			kill -TERM "$SWARM_DPID" 2>/dev/null
			for i in $(seq 1 150); do kill -0 "$SWARM_DPID" 2>/dev/null || break; sleep 0.2; done
			kill -0 "$SWARM_DPID" 2>/dev/null && kill -KILL "$SWARM_DPID" 2>/dev/null
		fi
		[ -n "$SWARM_WRAPPER" ] && { kill -KILL "$SWARM_WRAPPER" 2>/dev/null; wait "$SWARM_WRAPPER" 2>/dev/null; }
		# containerd and its shims outlive a killed dockerd: end those of our exec root
		for i in $(pgrep -f -- "$SWARM_TMP/exec" 2>/dev/null); do kill -KILL "$i" 2>/dev/null; done
		# dockerd leaves network namespaces and the like mounted under its roots
		awk -v t="$SWARM_TMP/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r |
			while read -r m; do umount -l "$m" 2>/dev/null; done
	fi
	[ -n "${SWARM_TMP:-}" ] && rm -rf "$SWARM_TMP"
	exit "$rc"
}

swarm_rm_stack() { # swarm_rm_stack STACK
	local stack=$1 i left
	docker stack rm "$stack" >"$SWARM_TMP/rm.out" 2>&1
	for i in $(seq 1 "$SWARM_TIMEOUT"); do
		left=$( { docker service ls -q --filter "label=com.docker.stack.namespace=$stack"
			docker network ls -q --filter "label=com.docker.stack.namespace=$stack"
			docker secret ls -q --filter "label=com.docker.stack.namespace=$stack"
			docker config ls -q --filter "label=com.docker.stack.namespace=$stack"; } | wc -l)
		[ "$left" -eq 0 ] && return 0
		if [ $((i % 10)) -eq 0 ]; then
			# networks can only go once the tasks using them are gone: ask again
			docker stack rm "$stack" >>"$SWARM_TMP/rm.out" 2>&1
			# What is left may be only networks the daemon lists but cannot find
			# when asked to remove them (seen under load on dockerd 20.10: a stack's
			# network listed twice, the second "not found" on every rm). Nothing of
			# ours is attached to them and other tiers' stacks have other names.
			if [ "$i" -ge 30 ] && [ "$left" -eq "$(rm_ghost_networks "$stack")" ]; then
				say "$stack: $left network(s) listed but not found on rm after $i s: left to the daemon"
				return 0
			fi
		fi
		sleep 1
	done
	cat "$SWARM_TMP/rm.out" >&2
	fail "$stack: $left objects left $SWARM_TIMEOUT s after docker stack rm"
}

rm_ghost_networks() { # rm_ghost_networks STACK: remove its networks; print how many were "not found"
	local n ghosts=0
	for n in $(docker network ls -q --filter "label=com.docker.stack.namespace=$1"); do
		docker network rm "$n" 2>&1 | grep -q 'not found' && ghosts=$((ghosts + 1))
	done
	echo "$ghosts"
}

swarm_wait_updates() { # swarm_wait_updates STACK: wait until no service of the stack is mid-update
	# swarm's updater writes the service again when an update ends (after its
	# monitor period); a `docker stack deploy` that inspected the service
	# before that write is refused with "update out of sequence" -- the docker
	# CLI's own race, seen on a loaded machine, so the tests wait it out. An
	# update whose new task is Pending (a placement no node meets) does not end
	# and writes nothing: it is not waited for.
	local i s busy
	for i in $(seq 1 "$SWARM_TIMEOUT"); do
		busy=
		for s in $(docker service ls --filter "label=com.docker.stack.namespace=$1" --format '{{.Name}}'); do
			case $(docker service inspect --format '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' "$s" 2>/dev/null) in
			updating | rollback_started) ;;
			*) continue ;;
			esac
			docker service ps --filter desired-state=running --format '{{.CurrentState}}' "$s" 2>/dev/null |
				grep -q '^Pending' && continue
			busy="$busy $s"
		done
		[ -z "$busy" ] && return 0
		sleep 1
	done
	say "$1: still updating after $SWARM_TIMEOUT s:$busy"
	return 1
}

swarm_wait_replicas() { # swarm_wait_replicas SERVICE WANT [TIMEOUT]
	local name=$1 want=$2 t=${3:-$SWARM_TIMEOUT} i got
	for i in $(seq 1 "$t"); do
		got=$(docker service ls --filter "name=$name" --format '{{.Name}} {{.Replicas}}' |
			awk -v n="$name" '$1 == n { print $2 }')
		[ "$got" = "$want/$want" ] && return 0
		sleep 1
	done
	docker service ps --no-trunc "$name" >&2
	say "$name: has ${got:-nothing}, wants $want/$want after $t s"
	return 1
}
