#!/usr/bin/env bash
# tier-image.sh -- check-swarm tier: the container image (`make image`, scripts/image.sh)
# built on the runner's dockerd with no network and no base image, then used as a user
# uses it. Checks:
#   - its configuration (non-root user, ENTRYPOINT, WORKDIR /work, CA bundle) is the one
#     the Dockerfile's final stage declares, and both tags name it;
#   - its files are the binary, exactly the libraries `ldd` lists, CA certificates and
#     the user's /etc entries, nothing else;
#   - README's command, `docker run --rm -v "$PWD:/work" compose2swarm lint FILE`, gives
#     the binary's output and exit status on every golden lint case;
#   - the golden convert and api suites pass with C2S set to a
#     wrapper that runs each command in the image (same paths mounted, same environment);
#   - the pre-commit hook `compose2swarm-lint` (language: docker_image) through
#     README's .pre-commit-config.yaml, and action.yml's step, run on this image.
#   - plan in the image reads this dockerd through libcurl as the binary does;
# Takes about a minute and a half on a quiet 2-core machine (some 190 short containers on
# vfs), four minutes on a busy one.
# Exit 0 pass, 1 fail, 77 skip.
set -u
SWARM_NAME=${SWARM_NAME:-image}
. "$(dirname "$0")/lib.sh"
[ -x "$C2S" ] || fail "no binary at $C2S"
swarm_start

version=$("$C2S" --version | sed -n '1s/^compose2swarm //p')
[ -n "$version" ] || fail "no version from $C2S --version"
if "$C2S" --version | grep -q 'plan and deploy need'; then
	skip "$C2S is the static build without the Engine API client; the image is made from a dynamic build"
fi
image=compose2swarm:$version
failed=0
bad() { say "FAIL: $*"; failed=$((failed + 1)); }
good() { say "ok: $*"; }

# ---- build it as `make image` does ----
DOCKER=$swarm_docker sh "$top_srcdir/scripts/image.sh" import "$C2S" "$image" compose2swarm:latest >&2 ||
	fail "scripts/image.sh import"
id_v=$(docker image inspect --format '{{.Id}}' "$image") || fail "no $image"
id_l=$(docker image inspect --format '{{.Id}}' compose2swarm:latest) || fail "no compose2swarm:latest"
[ "$id_v" = "$id_l" ] && good "$image and compose2swarm:latest are one image" || bad "the two tags differ"

# ---- its configuration, and the Dockerfile's final stage declares the same ----
python3 - "$top_srcdir/Dockerfile" "$version" <<'EOF' >"$SWARM_TMP/config.check" 2>&1 || bad "image configuration: $(cat "$SWARM_TMP/config.check")"
import json, re, shlex, subprocess, sys
dockerfile, version = sys.argv[1], sys.argv[2]
cfg = json.loads(subprocess.check_output(["docker", "image", "inspect", "--format", "{{json .Config}}",
                                          "compose2swarm:" + version]))
errors = []
def want(what, got, exp):
    if got != exp:
        errors.append(f"{what}: image has {got!r}, want {exp!r}")
user = cfg.get("User") or ""
if user in ("", "0", "root") or user.startswith("0:") or user.startswith("root"):
    errors.append(f"runs as root ({user!r})")
want("Entrypoint", cfg.get("Entrypoint"), ["compose2swarm"])
want("WorkingDir", cfg.get("WorkingDir"), "/work")
env = dict(e.split("=", 1) for e in cfg.get("Env") or [])
want("SSL_CERT_FILE", env.get("SSL_CERT_FILE"), "/etc/ssl/certs/ca-certificates.crt")
want("version label", (cfg.get("Labels") or {}).get("org.opencontainers.image.version"), version)
# the Dockerfile's last stage: its USER, WORKDIR, ENTRYPOINT, ENV and LABELs must be these
lines = open(dockerfile).read().replace("\\\n", " ").splitlines()
last = max(i for i, l in enumerate(lines) if re.match(r"\s*FROM\s", l, re.I))
df = {"ENV": {}, "LABEL": {}}
for l in lines[last + 1:]:
    m = re.match(r"\s*(USER|WORKDIR|ENTRYPOINT|ENV|LABEL)\s+(.*)", l)
    if not m:
        continue
    k, v = m.group(1), m.group(2).strip()
    if k in ("ENV", "LABEL"):
        for kv in shlex.split(v):
            a, b = kv.split("=", 1)
            df[k][a] = b
    else:
        df[k] = v
want("Dockerfile USER", df.get("USER"), user)
want("Dockerfile WORKDIR", df.get("WORKDIR"), cfg.get("WorkingDir"))
want("Dockerfile ENTRYPOINT", json.loads(df.get("ENTRYPOINT", "null")), cfg.get("Entrypoint"))
want("Dockerfile ENV", df["ENV"], env)
labels = dict(cfg.get("Labels") or {})
labels.pop("org.opencontainers.image.version", None)  # the Dockerfile takes it as a build argument
df["LABEL"].pop("org.opencontainers.image.version", None)
want("Dockerfile LABEL", df["LABEL"], labels)
if errors:
    print("; ".join(errors))
    sys.exit(1)
EOF
[ -s "$SWARM_TMP/config.check" ] || good "non-root, ENTRYPOINT [compose2swarm], WORKDIR /work, CA bundle; the Dockerfile declares the same"

# ---- its files: the binary, what ldd lists, CA certificates, /etc entries; nothing else ----
cid=$(docker create "$image" --version) || fail "docker create"
docker export "$cid" | tar -tvf - 2>/dev/null | awk '$1 ~ /^-/ { print $NF }' | sed 's|^\./||; s|^/||' |
	grep -vx -e '.dockerenv' -e 'etc/hostname' -e 'etc/hosts' -e 'etc/resolv.conf' -e 'dev/.*' | sort >"$SWARM_TMP/files.got"
docker rm "$cid" >/dev/null
{
	echo usr/local/bin/compose2swarm
	echo etc/ssl/certs/ca-certificates.crt
	printf 'etc/passwd\netc/group\netc/nsswitch.conf\n'
	"$top_srcdir/scripts/image.sh" libs "$C2S" | sed 's|^/||'
} | sort >"$SWARM_TMP/files.want"
if diff -u "$SWARM_TMP/files.want" "$SWARM_TMP/files.got" >"$SWARM_TMP/files.diff"; then
	good "files: the binary, $("$top_srcdir/scripts/image.sh" libs "$C2S" | wc -l) libraries (ldd's, and libcurl's it opens), CA bundle, passwd/group/nsswitch"
else
	cat "$SWARM_TMP/files.diff" >&2
	bad "the image's files are not the expected set"
fi

# ---- README's command on every golden lint case: same stdout, stderr and exit status ----
n=0 same=0
for out in "$top_srcdir"/tests/golden/lint/*.out; do
	name=$(basename "$out" .out)
	if [ -f "${out%.out}.args" ]; then args=$(cat "${out%.out}.args"); else args="lint fixtures/lint/$name.yml"; fi
	n=$((n + 1))
	# shellcheck disable=SC2086
	(cd "$top_srcdir" && NO_COLOR=1 "$C2S" $args >"$SWARM_TMP/b.out" 2>"$SWARM_TMP/b.err" </dev/null)
	brc=$?
	# shellcheck disable=SC2086
	(cd "$top_srcdir" && docker run --rm -e NO_COLOR=1 -v "$PWD:/work" compose2swarm $args \
		>"$SWARM_TMP/i.out" 2>"$SWARM_TMP/i.err" </dev/null)
	irc=$?
	if [ "$brc" = "$irc" ] && cmp -s "$SWARM_TMP/b.out" "$SWARM_TMP/i.out" && cmp -s "$SWARM_TMP/b.err" "$SWARM_TMP/i.err"; then
		same=$((same + 1))
	else
		bad "golden lint $name: the image gives exit $irc, the binary $brc"
		diff -u "$SWARM_TMP/b.out" "$SWARM_TMP/i.out" | head -10 >&2
		diff -u "$SWARM_TMP/b.err" "$SWARM_TMP/i.err" | head -10 >&2
	fi
done
[ "$n" -gt 0 ] && [ "$same" -eq "$n" ] && good "docker run --rm -v \"\$PWD:/work\" compose2swarm ARGS = the binary on $same/$n golden lint cases"

# ---- the whole golden suite and the CLI tests with every command run in the image ----
# The wrapper mounts the source tree, /tmp and the working directory at their own paths
# (docker's expected output holds absolute paths), runs as the caller (the tests write
# files), and hands the container the caller's environment (interpolation reads it).
wrapper=$SWARM_TMP/c2s-in-image
cat >"$wrapper" <<EOF
#!/bin/sh
mounts="-v $top_srcdir:$top_srcdir -v /tmp:/tmp"
case "\$PWD" in $top_srcdir|$top_srcdir/*|/tmp|/tmp/*) ;; *) mounts="\$mounts -v \$PWD:\$PWD" ;; esac
envs=\$(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' | grep -vx -e PATH -e HOSTNAME -e PWD -e SHLVL -e OLDPWD -e _ |
	sed 's/^/-e /' | tr '\n' ' ')
# shellcheck disable=SC2086
exec env DOCKER_HOST='$DOCKER_HOST' DOCKER_CONFIG='$DOCKER_CONFIG' $swarm_docker run --rm -i \
	-u "\$(id -u):\$(id -g)" \$mounts -w "\$PWD" \$envs $image "\$@"
EOF
chmod +x "$wrapper"
# (not the CLI tests: a terminal, /dev/full or a closed pipe are then the docker client's, not ours)
# (run-lint.sh too is covered by README's command above, case by case)
for t in tests/golden/run-convert.sh tests/golden/run-api.sh; do
	if top_srcdir=$top_srcdir C2S=$wrapper "$top_srcdir/$t" >"$SWARM_TMP/suite.log" 2>&1; then
		good "$t in the image: $(tail -n 1 "$SWARM_TMP/suite.log")"
	else
		grep -E '^(FAIL|---|\+\+\+|[-+])' "$SWARM_TMP/suite.log" | head -30 >&2
		bad "$t in the image: $(tail -n 1 "$SWARM_TMP/suite.log")"
	fi
done

# ---- the Engine API client in the image: plan against this dockerd, as the binary plans ----
if "$C2S" --help | grep -q 'compose2swarm plan '; then
	(cd "$top_srcdir" && "$C2S" plan --resolve-image never -c fixtures/seed/docker-compose.yml c2simg >"$SWARM_TMP/p.b" 2>&1)
	brc=$?
	# the socket is root's: this one run is root in the container
	(cd "$top_srcdir" && docker run --rm -u 0 -v "$SWARM_SOCK:/run/docker.sock" -e DOCKER_HOST=unix:///run/docker.sock \
		-v "$PWD:/work" "$image" plan --resolve-image never -c fixtures/seed/docker-compose.yml c2simg >"$SWARM_TMP/p.i" 2>&1)
	irc=$?
	if [ "$brc" = 2 ]; then
		say "the binary's own plan against this dockerd exits 2 ($(head -c 200 "$SWARM_TMP/p.b")): not compared"
	elif [ "$brc" = "$irc" ] && cmp -s "$SWARM_TMP/p.b" "$SWARM_TMP/p.i"; then
		good "plan in the image talks to the engine through libcurl: the binary's plan, exit $irc"
	else
		diff "$SWARM_TMP/p.b" "$SWARM_TMP/p.i" | head -10 >&2
		bad "plan in the image: exit $irc, the binary $brc"
	fi
fi

# ---- action.yml's step, as GitHub runs a composite action, on this image ----
# The step's env is action.yml's, with ${{ inputs.NAME }} replaced by the inputs given
# here or the input's default; then its run line with bash, in the workspace.
action_run() { # action_run WORKSPACE NAME=VALUE...: sets arc; stdout in $SWARM_TMP/a.out
	local ws=$1
	shift
	python3 - "$top_srcdir/action.yml" "$@" >"$SWARM_TMP/a.env" <<'EOF' || return 3
import re, shlex, sys, yaml
action = yaml.safe_load(open(sys.argv[1]))
given = dict(a.split("=", 1) for a in sys.argv[2:])
inputs = {k: given.get(k, v.get("default", "")) for k, v in action["inputs"].items()}
step = action["runs"]["steps"][0]
for k, v in step["env"].items():
    v = re.sub(r"\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}", lambda m: inputs[m.group(1)], str(v))
    print(f"export {k}={shlex.quote(v)}")
print(step["run"])
EOF
	(cd "$ws" && GITHUB_ACTION_PATH=$top_srcdir GITHUB_WORKSPACE=$ws GITHUB_OUTPUT=$ws/.gh-output \
		PATH=$SWARM_TMP/abin:$PATH bash "$SWARM_TMP/a.env") >"$SWARM_TMP/a.out" 2>"$SWARM_TMP/a.err"
	arc=$?
}
mkdir -p "$SWARM_TMP/abin" "$SWARM_TMP/ws/sub" && ln -sf "$swarm_docker" "$SWARM_TMP/abin/docker"
ws=$SWARM_TMP/ws
cp "$top_srcdir/fixtures/seed/docker-compose.yml" "$ws/docker-compose.yml"
cp "$top_srcdir/fixtures/ok/clean-stack.yml" "$ws/sub/compose.yaml"
action_run "$ws" files="docker-compose.yml
sub/compose.yaml" image="$image"
(cd "$ws" && "$C2S" lint --format github docker-compose.yml sub/compose.yaml >"$SWARM_TMP/a.want" 2>/dev/null)
wrc=$?
if [ "$arc" = "$wrc" ] && [ "$arc" = 1 ] && cmp -s "$SWARM_TMP/a.out" "$SWARM_TMP/a.want" &&
	grep -qx 'exit-code=1' "$ws/.gh-output" && grep -q '^::warning file=docker-compose.yml,line=4' "$SWARM_TMP/a.out"; then
	good "action.yml (defaults: format github, fail-on warning): the binary's annotations, exit 1, output exit-code=1"
else
	cat "$SWARM_TMP/a.err" >&2
	bad "action.yml with defaults: exit $arc (binary $wrc)"
fi
rm -f "$ws/.gh-output"
action_run "$ws" files="docker-compose.yml" format=sarif output=compose2swarm.sarif fail-on=none image="$image"
(cd "$ws" && "$C2S" lint --format sarif --fail-on none docker-compose.yml >"$SWARM_TMP/a.want" 2>/dev/null)
if [ "$arc" = 0 ] && cmp -s "$ws/compose2swarm.sarif" "$SWARM_TMP/a.want" && cmp -s "$SWARM_TMP/a.out" "$SWARM_TMP/a.want" &&
	grep -qx 'exit-code=0' "$ws/.gh-output"; then
	good "action.yml with format sarif, output, fail-on none: the binary's SARIF in the file, exit 0"
else
	cat "$SWARM_TMP/a.err" >&2
	bad "action.yml with sarif: exit $arc"
fi
rm -f "$ws/compose2swarm.sarif" "$ws/.gh-output" "$ws/sub/compose.yaml"
action_run "$ws" format=text image="$image"
(cd "$ws" && NO_COLOR=1 "$C2S" lint >"$SWARM_TMP/a.want" 2>/dev/null)
if [ "$arc" = 1 ] && cmp -s "$SWARM_TMP/a.out" "$SWARM_TMP/a.want"; then
	good "action.yml with no files: lint's default file, as the binary finds it"
else
	cat "$SWARM_TMP/a.err" >&2
	bad "action.yml with no files: exit $arc"
fi

# ---- the pre-commit hook compose2swarm-lint (language: docker_image) on this image ----
if command -v pre-commit >/dev/null && command -v git >/dev/null; then
	pc=$SWARM_TMP/pc
	mkdir -p "$pc/home" "$pc/hooks" "$pc/proj/sub"
	(
		export HOME=$pc/home PRE_COMMIT_HOME=$pc/cache GIT_CONFIG_NOSYSTEM=1
		export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
		# pre-commit runs `docker` from PATH: the runner's client, on the runner's dockerd
		mkdir -p "$pc/bin" && ln -s "$swarm_docker" "$pc/bin/docker" && PATH=$pc/bin:$PATH
		git init -q "$pc/hooks" && cp "$top_srcdir/.pre-commit-hooks.yaml" "$pc/hooks/" &&
			git -C "$pc/hooks" add -A && git -C "$pc/hooks" commit -qm hooks && git -C "$pc/hooks" tag "v$version" || exit 3
		# README's four lines, the repo URL pointed at the scratch hook repository
		awk '/^### pre-commit/ { s = 1 } s && /^```yaml/ { b = 1; next } b && /^```/ { exit } b' "$top_srcdir/README.md" |
			sed "s|^\( *- repo:\).*|\1 $pc/hooks|" >"$pc/proj/.pre-commit-config.yaml"
		cp "$top_srcdir/fixtures/seed/docker-compose.yml" "$pc/proj/docker-compose.yml"
		cp "$top_srcdir/fixtures/ok/clean-stack.yml" "$pc/proj/sub/compose.yaml"
		cp "$top_srcdir/fixtures/seed/docker-compose.yml" "$pc/proj/notes.yml"
		cd "$pc/proj" && git init -q && git add -A && git commit -qm p || exit 3
		pre-commit run --all-files >"$pc/out" 2>&1
		echo $? >"$pc/rc"
		NO_COLOR=1 "$C2S" lint docker-compose.yml sub/compose.yaml >"$pc/bin.out" 2>&1
	)
	rc=$(cat "$pc/rc" 2>/dev/null || echo none)
	if [ "$rc" = 1 ] && grep -q 'compose2swarm lint (container image)' "$pc/out" &&
		python3 -c 'import sys; a, b = open(sys.argv[1]).read(), open(sys.argv[2]).read(); sys.exit(0 if b and b in a else 1)' \
			"$pc/out" "$pc/bin.out" && ! grep -q notes.yml "$pc/out"; then
		good "pre-commit hook compose2swarm-lint (docker_image), README's config: the binary's report, exit 1"
	else
		cat "$pc/out" >&2
		bad "pre-commit hook compose2swarm-lint (docker_image): exit $rc"
	fi
else
	say "no pre-commit or git: the docker_image hook is not tried (scripts/install-deps.sh installs them)"
fi

[ "$failed" -eq 0 ] || fail "$failed checks failed"
say "PASS"
