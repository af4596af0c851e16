# lib.sh -- run one deploy case against scripts/reference/fakedockerd.py, with the docker CLI or with compose2swarm.
# A case is a directory with case.sh (variables below) and its compose files:
#   SETUP   steps before the deploy that is compared, ';'-separated: "deploy FILE [FILE...]"
#           (a deploy with --resolve-image never by the same tool) or "force SERVICE"
#           (the running spec's ForceUpdate raised, as `docker service update --force` does)
#           or "network NAME" (an attachable overlay network made outside the stack)
#   FILES   the compose files of the compared deploy (-c each, in order)
#   FLAGS   docker stack deploy flags of the compared deploy (--prune, --resolve-image X,
#           --with-registry-auth); compose2swarm gets the same plus --yes --detach --fail-on none
#   FAKE_ARGS  fakedockerd arguments (--fake-digests, --missing KIND:NAME)
#   AUTH    1: DOCKER_CONFIG is the case's dockerconfig/ and its bin/ is first on PATH
#           (AUTH_DIR: another directory holding those two)
#   STACK   the stack name (default s)
#   HEADERS DOCKER_CUSTOM_HEADERS of every deploy (default: unset)
#   SSH     an ssh:// DOCKER_HOST: tests/deploy/ssh-bin/ssh (first on PATH) relays to the fake
#           engine; the compared deploy's ssh arguments go to OUT.ssh
# run_case TOOL CASE OUT [CASE_FILE]: OUT.jsonl is the compared deploy's log, OUT.out/.err/.rc what it printed.
top=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

fake_quiet() { # wait until the log stops growing (fakedockerd logs just after answering)
	local last=-1 size quiet=0 i=0
	while [ $quiet -lt 3 ] && [ $i -lt 100 ]; do
		size=$(stat -c %s "$1" 2>/dev/null || echo 0)
		if [ "$size" = "$last" ]; then quiet=$((quiet + 1)); else quiet=0; fi
		last=$size
		sleep 0.03
		i=$((i + 1))
	done
}

# tool_deploy TOOL FLAGS FILES...: one deploy in the case directory, the environment cleaned
tool_deploy() {
	local tool=$1 flags=$2
	shift 2
	local cargs=() f
	for f in "$@"; do cargs+=(-c "$f"); done
	local path=$PATH cfg=$empty_config hdrs=()
	if [ "${AUTH:-0}" = 1 ]; then cfg=${AUTH_DIR:-$case_dir}/dockerconfig; path=${AUTH_DIR:-$case_dir}/bin:$PATH; fi
	[ -n "${HEADERS:-}" ] && hdrs=(DOCKER_CUSTOM_HEADERS="$HEADERS")
	local host=$DOCKER_HOST
	if [ -n "${SSH:-}" ]; then
		host=$SSH path=$top/tests/deploy/ssh-bin:$path
		hdrs+=(C2S_FAKE_SSH_SOCK="$fake_sock" C2S_FAKE_SSH_LOG="${ssh_log:-/dev/null}")
	fi
	# shellcheck disable=SC2086
	if [ "$tool" = docker ]; then
		(cd "$case_dir" && env -i PATH="$path" HOME="$HOME" DOCKER_HOST="$host" DOCKER_CONFIG="$cfg" "${hdrs[@]}" \
			timeout 60 "${DOCKER_BIN:-docker}" stack deploy $flags "${cargs[@]}" "${STACK:-s}" </dev/null)
	else
		(cd "$case_dir" && env -i PATH="$path" HOME="$HOME" DOCKER_HOST="$host" DOCKER_CONFIG="$cfg" "${hdrs[@]}" \
			timeout 60 "$C2S" deploy --yes --detach --fail-on none $flags "${cargs[@]}" "${STACK:-s}" </dev/null)
	fi
}

# fake_call: the Engine API of the fake, from python (setup steps the docker CLI is not needed for)
fake_call() {
	python3 - "$fake_sock" "$@" <<'PY'
import http.client, json, socket, sys, urllib.parse
class C(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(sys.argv[1])
def call(method, path, body=None):
    c = C("localhost")
    c.request(method, path, json.dumps(body) if body is not None else None,
              {"Content-Type": "application/json"} if body is not None else {})
    r = c.getresponse()
    data = r.read()
    return json.loads(data) if data else None
if sys.argv[2] == "force":  # what `docker service update --force` does to the running spec
    svc = call("GET", "/v1.50/services/" + urllib.parse.quote(sys.argv[3]))
    spec = svc["Spec"]
    spec["TaskTemplate"]["ForceUpdate"] = spec["TaskTemplate"].get("ForceUpdate", 0) + 1
    call("POST", "/v1.50/services/%s/update?version=%d" % (svc["ID"], svc["Version"]["Index"]), spec)
elif sys.argv[2] == "network":  # docker network create -d overlay --attachable NAME
    call("POST", "/v1.50/networks/create", {"Name": sys.argv[3], "Driver": "overlay", "Attachable": True})
PY
}

run_case() {
	local tool=$1 out=$3
	case_dir=$(cd "$2" && pwd)
	FLAGS="" FILES="" SETUP="" FAKE_ARGS="" AUTH=0 AUTH_DIR="" STACK=s HEADERS="" SSH=""
	# shellcheck disable=SC1090
	. "${4:-$case_dir/case.sh}"
	local tmp
	tmp=$(mktemp -d /tmp/c2s-deploy.XXXXXX)
	empty_config=$tmp/config
	mkdir -p "$empty_config"
	fake_sock=$tmp/d.sock
	local log=$tmp/log.jsonl
	# shellcheck disable=SC2086
	python3 "$top/scripts/reference/fakedockerd.py" --socket "$fake_sock" --log "$log" $FAKE_ARGS >"$tmp/ready" 2>"$tmp/fake.err" &
	local pid=$!
	local i=0
	while ! grep -q READY "$tmp/ready" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	export DOCKER_HOST=unix://$fake_sock
	local step rc=0
	IFS=';' read -ra steps <<<"$SETUP"
	for step in "${steps[@]}"; do
		# shellcheck disable=SC2086
		set -- $step
		[ $# -gt 0 ] || continue
		case $1 in
		deploy) shift; tool_deploy "$tool" "--resolve-image never" "$@" >/dev/null 2>"$tmp/setup.err" || rc=$? ;;
		force) fake_call force "${STACK:-s}_$2" || rc=$? ;;
		network) fake_call network "$2" || rc=$? ;;
		*) echo "lib.sh: unknown step '$step'" >&2; rc=2 ;;
		esac
		if [ $rc != 0 ]; then echo "lib.sh: setup step '$step' failed:" >&2; cat "$tmp/setup.err" >&2; break; fi
	done
	fake_quiet "$log"
	local before
	before=$(wc -l <"$log")
	if [ $rc = 0 ]; then
		# shellcheck disable=SC2086
		ssh_log=$out.ssh tool_deploy "$tool" "$FLAGS" $FILES >"$out.out" 2>"$out.err"
		echo $? >"$out.rc"
	fi
	fake_quiet "$log"
	tail -n +$((before + 1)) "$log" >"$out.jsonl"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset DOCKER_HOST
	rm -rf "$tmp"
	return $rc
}
