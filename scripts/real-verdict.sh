#!/usr/bin/env bash
# real-verdict.sh -- a real Docker Engine's verdict on stack files, and lint's against it.
#
#   real-verdict.sh record OUT.tsv FILE...    deploy each FILE with the docker CLI
#                                             (`docker stack deploy --resolve-image never`)
#                                             on a private single-node swarm
#                                             (tests/swarm/lib.sh) and write its
#                                             verdict: exit code and last error line
#   real-verdict.sh compare VERDICTS.tsv FILE...
#                                             run `compose2swarm lint --fail-on error`
#                                             on each FILE (no dockerd needed) and
#                                             compare its verdict with the recorded one
#   real-verdict.sh live FILE...              both at once, without a file: deploy, lint,
#                                             compare (tests/swarm/tier-validate.sh); a
#                                             file's "# c2s-validate: refused RULE" or
#                                             "accepted [RULE]" line is checked too: the
#                                             engine's verdict, and that lint reports RULE
#   real-verdict.sh expect FILE...            no dockerd: lint against each FILE's
#                                             "# c2s-validate:" line alone (the verdict
#                                             the tier saw; make check runs it on
#                                             fixtures/validate/)
#
# Each FILE is deployed from its own directory, as `-c BASENAME`, as stack
# "s" (C2S_RV_PREFIX) + the file name's letters and digits (064.yml -> s064), with only PATH,
# HOME, DOCKER_HOST and an empty DOCKER_CONFIG in the CLI's environment (no
# ${VAR} of the caller leaks into the file). When the CLI stops because an
# external network, secret or config the file names does not exist (its own
# messages: `network "X" is declared as external, but could not be found`,
# `service S: secret not found: X`, `config not found: X`), that object is
# created (an overlay network; a secret or config holding one line) and the
# deploy is tried again; the objects created are listed in the verdict. The
# stack and those objects are removed before the next file.
#
# Verdicts (TSV, one line per file): name (the file name without .yml/.yaml),
# exit code, externals created ("network:X secret:Y"), the CLI's last stderr
# line. A header comment names the engine, API and CLI versions.
#
# lint runs from the file's directory with PATH and HOME only, with
# --engine-version set to the recording engine's major.minor, --stack the stack
# name the file is deployed as, and the rules of C2S_RV_NEVER_RUN (default CS8002)
# disabled: what they report the engine accepts at create, and the tasks then
# fail (their rule pages say so).
# Exit: 0 done (compare, live: every verdict equal), 1 a verdict differs or a
# file failed to deploy for a reason of the harness, 2 usage, 77 no dockerd.
#
# C2S_RV_KEEP=1 leaves each stack in place until all files are deployed, then
# removes them together (faster; the files must not share published ports or
# object names).
# Environment: C2S (the binary, default ./compose2swarm), DOCKER_BIN (the docker
# CLI, default /usr/local/bin/docker or the first docker on PATH), C2S_RV_TIMEOUT
# (seconds per docker command, default 60), C2S_RV_LOG (directory: keep each
# file's CLI stderr there), and tests/swarm/lib.sh's.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
SWARM_NAME=${SWARM_NAME:-real-verdict}
. "$top_srcdir/tests/swarm/lib.sh"
timeout_s=${C2S_RV_TIMEOUT:-60}
# the CLI whose verdict counts (lib.sh's `docker` may be the distribution's older client)
rv_cli=${DOCKER_BIN:-$(command -v /usr/local/bin/docker || command -v docker)}

usage() { echo "usage: $0 record OUT.tsv FILE... | compare VERDICTS.tsv FILE... | live FILE... | expect FILE..." >&2; exit 2; }
[ $# -ge 1 ] || usage
mode=$1; shift
case $mode in
record | compare) [ $# -ge 2 ] || usage; table=$1; shift ;;
live | expect) [ $# -ge 1 ] || usage; table= ;;
*) usage ;;
esac
for f in "$@"; do [ -f "$f" ] || { echo "$0: no file $f" >&2; exit 2; }; done

name_of() { local b=${1##*/}; b=${b%.yml}; echo "${b%.yaml}"; }
stack_of() { local s; s=$(name_of "$1" | tr 'A-Z' 'a-z' | tr -cd 'a-z0-9'); echo "${C2S_RV_PREFIX:-s}${s:0:30}"; }
# A file's "# c2s-validate: refused RULE" / "accepted [RULE]" line (fixtures/validate/)
expectation() { sed -n 's/^# c2s-validate: *//p' "$1" | head -n 1; }
abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$PWD" "$(basename "$1")"); }

# ---- lint's verdict: 0 accepted, 1 refused, anything else is trouble ----
# Rules whose findings the engine accepts at create (the tasks then never run):
# their errors are not a refusal.
never_run=${C2S_RV_NEVER_RUN-CS8002}
lint_rc() { # lint_rc FILE ENGINE_VERSION
	local f ev=$2 r dis=()
	f=$(abs "$1")
	for r in $never_run; do dis+=(--disable "$r"); done
	(cd "$(dirname "$f")" && env -i PATH="$PATH" HOME="${HOME:-/root}" \
		"$C2S" lint --fail-on error ${ev:+--engine-version "$ev"} --stack "$(stack_of "$f")" "${dis[@]}" \
		--format gnu "$(basename "$f")" >"$rv_tmp/lint.out" 2>&1)
	local rc=$?
	(cd "$(dirname "$f")" && env -i PATH="$PATH" HOME="${HOME:-/root}" \
		"$C2S" lint --fail-on none ${ev:+--engine-version "$ev"} --stack "$(stack_of "$f")" \
		--format gnu "$(basename "$f")" >"$rv_tmp/lint-all.out" 2>&1)
	return $rc
}

# judge FILE ENGINE_VERSION V ERR: lint's verdict on FILE against the engine's (V: 0
# accepted, 1 refused, with ERR its message) and against the file's "# c2s-validate:"
# line (the verdict, and the rule lint must report); sets why (empty: they agree)
judge() {
	local f=$1 ev=$2 v=$3 err=$4 l want w_verdict w_rule
	lint_rc "$f" "$ev"
	l=$?
	want=$(expectation "$f") why=
	if [ "$l" -ne "$v" ]; then
		why="engine $([ "$v" -eq 0 ] && echo accepts || echo "refuses ($err)"), lint exits $l"
	elif [ -n "$want" ]; then
		# the fixture says what the engine does and which rule reports it
		read -r w_verdict w_rule <<<"$want"
		case "$w_verdict:$v" in
		refused:1 | accepted:0) ;;
		*) why="the fixture says the engine ${w_verdict}, it $([ "$v" -eq 0 ] && echo accepts || echo "refuses ($err)")" ;;
		esac
		if [ -z "$why" ] && [ -n "${w_rule:-}" ] && ! grep -q "\[$w_rule\]" "$rv_tmp/lint-all.out"; then
			why="lint does not report $w_rule"
		fi
	fi
}

# ---- the engine's verdict ----
cli() { # cli DIR ARGS... : the docker CLI with a clean environment, from DIR
	local dir=$1; shift
	(cd "$dir" && env -i PATH="$PATH" HOME="${HOME:-/root}" DOCKER_HOST="$DOCKER_HOST" \
		DOCKER_CONFIG="$rv_tmp/cli" timeout "$timeout_s" "$rv_cli" "$@")
}

created=
create_external() { # create_external KIND NAME
	local kind=$1 name=$2
	case $kind in
	network) docker network create --driver overlay --attachable "$name" >/dev/null 2>&1 ;;
	secret | config) printf 'placeholder\n' | docker "$kind" create "$name" - >/dev/null 2>&1 ;;
	esac || return 1
	created="${created:+$created }$kind:$name"
}

remove_created() {
	local x
	for x in $created; do
		docker "${x%%:*}" rm "${x#*:}" >/dev/null 2>&1
	done
	created=
}

# deploy FILE -> sets rv_rc, rv_err (last stderr line), rv_ext (externals created)
deploy() {
	local f dir stack try kind name last
	f=$(abs "$1")
	dir=$(dirname "$f")
	stack=$(stack_of "$f")
	created=
	for try in $(seq 1 100); do
		cli "$dir" stack deploy --detach=true --resolve-image never -c "$(basename "$f")" "$stack" \
			>"$rv_tmp/deploy.out" 2>"$rv_tmp/deploy.err"
		rv_rc=$?
		last=$(grep -v '^[[:space:]]*$' "$rv_tmp/deploy.err" | tail -n 1)
		[ "$rv_rc" -ne 0 ] || break
		# the CLI's messages for an external object that does not exist
		kind= name=
		case $last in
		'network "'*'" is declared as external, but could not be found'*)
			kind=network name=${last#network \"}; name=${name%%\" is declared*} ;;
		'service '*': secret not found: '*) kind=secret name=${last##*: secret not found: } ;;
		'service '*': config not found: '*) kind=config name=${last##*: config not found: } ;;
		esac
		[ -n "$kind" ] || break
		case " $created " in *" $kind:$name "*) break ;; esac
		create_external "$kind" "$name" || break
	done
	rv_err=$last
	rv_ext=$(printf '%s\n' $created | sort | tr '\n' ' ' | sed 's/ $//')
	[ -n "${C2S_RV_LOG:-}" ] && mkdir -p "$C2S_RV_LOG" && cp "$rv_tmp/deploy.err" "$C2S_RV_LOG/$(name_of "$f").err"
	if [ -n "${C2S_RV_KEEP:-}" ]; then
		kept_stacks="$kept_stacks $stack" kept_objects="$kept_objects $created"
		return
	fi
	rm_stacks "$stack"
	remove_created
}

kept_stacks= kept_objects=
remove_kept() {
	local s=$kept_stacks
	kept_stacks=
	[ -z "$s" ] || rm_stacks $s
	created=$kept_objects kept_objects=
	remove_created
}
# rm_stacks STACK...: docker stack rm, then wait (polling often: most stacks are
# a network and a refused service) until nothing labelled with them is left
rm_stacks() {
	local i left kind ids lbl
	[ $# -gt 0 ] || return 0
	docker stack rm "$@" >"$rv_tmp/rm.out" 2>&1
	printf '%s\n' "$@" | sort -u >"$rv_tmp/rm.stacks"
	for i in $(seq 1 $((5 * SWARM_TIMEOUT))); do
		# one listing per kind, whatever the number of stacks
		left=$(for kind in service network secret config; do
			ids=$(docker "$kind" ls -q --filter label=com.docker.stack.namespace 2>/dev/null)
			[ -z "$ids" ] && continue
			lbl='{{index .Spec.Labels "com.docker.stack.namespace"}}'
			[ "$kind" = network ] && lbl='{{index .Labels "com.docker.stack.namespace"}}'
			docker "$kind" inspect --format "$lbl" $ids 2>/dev/null
		done | sort | comm -12 - "$rv_tmp/rm.stacks" | wc -l)
		[ "$left" -eq 0 ] && return 0
		# networks go once the tasks using them are gone: ask again now and then
		[ $((i % 25)) -eq 0 ] && docker stack rm "$@" >>"$rv_tmp/rm.out" 2>&1
		sleep 0.2
	done
	cat "$rv_tmp/rm.out" >&2
	fail "$*: objects left $SWARM_TIMEOUT s after docker stack rm"
}

rv_tmp=

case $mode in
record | live)
	[ "$mode" = record ] || [ -x "$C2S" ] || fail "no binary at $C2S"
	swarm_start
	rv_tmp=$SWARM_TMP/rv
	mkdir -p "$rv_tmp/cli"
	ver=$("$rv_cli" version --format '{{.Server.Version}} {{.Server.APIVersion}} {{.Client.Version}}') ||
		fail "docker version"
	read -r engine api client <<<"$ver"
	ev=$(echo "$engine" | cut -d. -f1,2)
	if [ "$mode" = record ]; then
		out=$table
		printf '# real-verdict.sh: dockerd %s (API %s), docker CLI %s\n' "$engine" "$api" "$client" >"$out.tmp"
		printf '# name\trc\texternals\tlast_error\n' >>"$out.tmp"
	fi
	bad=0 n=0
	# kept stacks go when this ends, before lib.sh's own EXIT trap runs (with the status kept)
	prev=$(trap -p EXIT | sed "s/^trap -- '\(.*\)' EXIT\$/\1/")
	trap 'rc=$?; remove_kept; (exit $rc); '"$prev" EXIT
	for f in "$@"; do
		deploy "$f"
		n=$((n + 1))
		v=$([ "$rv_rc" -eq 0 ] && echo 0 || echo 1)
		if [ "$mode" = record ]; then
			printf '%s\t%s\t%s\t%s\n' "$(name_of "$f")" "$rv_rc" "$rv_ext" "$rv_err" >>"$out.tmp"
			say "$(name_of "$f"): $rv_rc${rv_ext:+ (created $rv_ext)}${rv_err:+: $rv_err}"
			continue
		fi
		judge "$f" "$ev" "$v" "$rv_err"
		if [ -n "$why" ]; then
			bad=$((bad + 1))
			say "DIFFERS $(name_of "$f"): $why"
			sed 's/^/    /' "$rv_tmp/lint.out" >&2
		else
			say "same $(name_of "$f"): $([ "$v" -eq 0 ] && echo accepted || echo "refused: $rv_err")"
		fi
	done
	if [ "$mode" = record ]; then
		mv "$out.tmp" "$out"
		say "recorded $n verdicts in $out"
		exit 0
	fi
	say "lint's verdict equals the engine's on $((n - bad)) of $n files"
	[ "$bad" -eq 0 ] || exit 1
	;;
expect)
	# the verdicts the fixtures' "# c2s-validate:" lines recorded from a real engine
	# (dockerd C2S_RV_ENGINE, default 20.10), against lint, with no dockerd
	[ -x "$C2S" ] || { echo "$0: no binary at $C2S" >&2; exit 2; }
	rv_tmp=$(mktemp -d /tmp/c2s-rv.XXXXXX) || exit 2
	trap 'rm -rf "$rv_tmp"' EXIT
	ev=${C2S_RV_ENGINE:-20.10}
	bad=0 n=0
	for f in "$@"; do
		read -r w_verdict _ <<<"$(expectation "$f")"
		case ${w_verdict:-} in
		refused) v=1 ;;
		accepted) v=0 ;;
		*) echo "$0: $f has no \"# c2s-validate: refused|accepted [RULE]\" line" >&2; exit 2 ;;
		esac
		judge "$f" "$ev" "$v" "(recorded)"
		n=$((n + 1))
		if [ -n "$why" ]; then
			bad=$((bad + 1))
			echo "DIFFERS $(name_of "$f"): $why" >&2
			sed 's/^/    /' "$rv_tmp/lint.out" >&2
		fi
	done
	echo "lint agrees with the recorded engine verdict on $((n - bad)) of $n files"
	[ "$bad" -eq 0 ] || exit 1
	;;
compare)
	[ -x "$C2S" ] || { echo "$0: no binary at $C2S" >&2; exit 2; }
	[ -f "$table" ] || { echo "$0: no verdicts $table" >&2; exit 2; }
	rv_tmp=$(mktemp -d /tmp/c2s-rv.XXXXXX) || exit 2
	trap 'rm -rf "$rv_tmp"' EXIT
	engine=$(sed -n '1s/.*dockerd \([0-9.]*\).*/\1/p' "$table")
	ev=$(echo "$engine" | cut -d. -f1,2)
	bad=0 n=0
	for f in "$@"; do
		name=$(name_of "$f")
		row=$(awk -F'\t' -v n="$name" '$1 == n { print; exit }' "$table")
		[ -n "$row" ] || { echo "$0: no verdict for $name in $table" >&2; bad=$((bad + 1)); continue; }
		rc=$(printf '%s' "$row" | cut -f2)
		v=$([ "$rc" -eq 0 ] && echo 0 || echo 1)
		lint_rc "$f" "$ev"
		l=$?
		n=$((n + 1))
		if [ "$l" -ne "$v" ]; then
			bad=$((bad + 1))
			echo "DIFFERS $name: engine $([ "$v" -eq 0 ] && echo accepts || echo "refuses ($(printf '%s' "$row" | cut -f4))"), lint exits $l" >&2
			sed 's/^/    /' "$rv_tmp/lint.out" >&2
		fi
	done
	echo "lint's verdict equals dockerd $engine's on $((n - bad)) of $n files"
	[ "$bad" -eq 0 ] || exit 1
	;;
esac
