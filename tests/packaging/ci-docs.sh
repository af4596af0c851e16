#!/bin/sh
# ci-docs.sh -- docs/ci.md and action.yml as a user copies them:
#   - every yaml block of docs/ci.md, action.yml and .pre-commit-hooks.yaml parses, and the
#     Dockerfile installs every -dev package scripts/install-deps.sh installs; the image
#     is compose2swarm:VERSION (configure's) wherever action, hooks, Dockerfile, docs name it;
#   - action.yml is a composite action with the inputs files, format, fail-on, whose
#     step runs scripts/action.sh with every input; the GitHub jobs use only inputs it
#     has, with values lint accepts, and the SARIF job uploads the file it writes;
#   - the GitLab job's script, run line by line as GitLab does (stop at the first
#     failure), on a tarball laid out as `make dist-bin` lays it out (C2S_TARBALL: a real
#     one, as tests/packaging/dist-bin.sh passes; otherwise one made here around the
#     binary under test), writes the Code Quality report the artifact names (the binary's
#     codeclimate output) and fails exactly on errors;
#   - the shell gate, run in a scratch git repository, passes on a Compose file and the
#     `docker stack config` output docker printed for it (tests/golden/convert), fails on a
#     stale stack file and on a file with errors.
# (The action's step itself runs on the image in tests/swarm/tier-image.sh.)
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${C2S:-$top/compose2swarm}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
py=python3
/usr/bin/python3 -c 'import yaml' 2>/dev/null && py=/usr/bin/python3
"$py" -c 'import yaml' 2>/dev/null || { echo "SKIP: no PyYAML (Debian package python3-yaml)"; exit 77; }
version=$("$bin" --version | sed -n '1s/^compose2swarm //p')
export HOME=$tmp/home GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
mkdir -p "$HOME" "$tmp/bin"
ln -s "$bin" "$tmp/bin/compose2swarm"

# ---- the yaml: parses, the action's inputs, the GitHub jobs against them ----
# blocks.py writes each fenced block of docs/ci.md to $tmp/block.N.LANG and checks the yaml
"$py" - "$top" "$tmp" "$version" "$bin" >"$tmp/yaml.log" 2>&1 <<'EOF'
import re, subprocess, sys, yaml
top, tmp, version, binary = sys.argv[1:5]
bad = []
text = open(f"{top}/docs/ci.md").read()
blocks = re.findall(r"^```(\w+)\n(.*?)^```", text, re.S | re.M)
for i, (lang, body) in enumerate(blocks):
    open(f"{tmp}/block.{i}.{lang}", "w").write(body)
docs = []
for lang, body in blocks:
    if lang == "yaml":
        try:
            docs.append(yaml.safe_load(body))
        except yaml.YAMLError as e:
            bad.append(f"docs/ci.md yaml block does not parse: {e}")
for f in ("action.yml", ".pre-commit-hooks.yaml"):
    yaml.safe_load(open(f"{top}/{f}"))
action = yaml.safe_load(open(f"{top}/action.yml"))
inputs = action.get("inputs", {})
for need in ("files", "format", "fail-on"):
    if need not in inputs:
        bad.append(f"action.yml has no input {need}")
runs = action.get("runs", {})
if runs.get("using") != "composite":
    bad.append("action.yml is not a composite action")
step = runs["steps"][0]
if "scripts/action.sh" not in step.get("run", ""):
    bad.append("action.yml's step does not run scripts/action.sh")
used = " ".join(str(v) for v in step.get("env", {}).values())
for name in inputs:
    if "${{ inputs.%s }}" % name not in used:
        bad.append(f"action.yml's step does not pass input {name}")
def lint_accepts(opt, value):
    r = subprocess.run([binary, "lint", opt, str(value), f"{top}/fixtures/ok/clean-stack.yml"],
                       capture_output=True)
    return r.returncode != 2
jobs_seen = 0
for d in docs:
    if not isinstance(d, dict) or "jobs" not in d:
        continue
    for job in d["jobs"].values():
        steps = job.get("steps", [])
        ours = [s for s in steps if "compose2swarm@" in str(s.get("uses", ""))]
        for s in ours:
            jobs_seen += 1
            if s["uses"] != f"compose2swarm/compose2swarm@v{version}":
                bad.append(f"uses {s['uses']}, not @v{version}")
            w = s.get("with", {})
            for k in w:
                if k not in inputs:
                    bad.append(f"a GitHub job gives input {k}, which action.yml does not have")
            if "format" in w and not lint_accepts("--format", w["format"]):
                bad.append(f"format {w['format']} is not one lint takes")
            if "fail-on" in w and not lint_accepts("--fail-on", w["fail-on"]):
                bad.append(f"fail-on {w['fail-on']} is not one lint takes")
            if w.get("format") == "sarif":
                up = [x for x in steps if "upload-sarif" in str(x.get("uses", ""))]
                if not up or up[0].get("with", {}).get("sarif_file") != w.get("output"):
                    bad.append("the SARIF job does not upload the file the action writes")
                if d.get("permissions", {}).get("security-events") != "write":
                    bad.append("the SARIF job lacks permissions: security-events: write")
if jobs_seen < 2:
    bad.append(f"docs/ci.md has {jobs_seen} GitHub steps using the action, want 2")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
if [ $? -eq 0 ]; then ok "yaml parses; action.yml inputs; the GitHub jobs use them as lint takes them"; else fail "yaml: $(cat "$tmp/yaml.log")"; fi

# ---- one version everywhere an image is named: a release bumps them with configure.ac ----
stale=
grep -q "default: compose2swarm:$version\$" "$top/action.yml" || stale="$stale action.yml(image)"
grep -q "compose2swarm:$version" "$top/scripts/action.sh" || stale="$stale scripts/action.sh"
grep -q "^ARG VERSION=$version\$" "$top/Dockerfile" || stale="$stale Dockerfile(ARG VERSION)"
grep -q "entry: --network=none compose2swarm:$version lint\$" "$top/.pre-commit-hooks.yaml" || stale="$stale .pre-commit-hooks.yaml"
grep -q "compose2swarm@v$version\$" "$top/docs/ci.md" || stale="$stale docs/ci.md"
if [ -z "$stale" ]; then ok "the image is compose2swarm:$version everywhere it is named"; else fail "not $version in:$stale"; fi

# ---- the Dockerfile installs every -dev package install-deps.sh installs (the same build) ----
devs=$(sed -n '/^packages=/,/"$/p' "$top/scripts/install-deps.sh" | grep -o '[a-z0-9.+-]*-dev\b' | sort -u)
missing=
for p in $devs; do grep -q "[[:space:]]$p\([[:space:]]\|\$\)" "$top/Dockerfile" || missing="$missing $p"; done
if [ -n "$devs" ] && [ -z "$missing" ]; then ok "Dockerfile installs install-deps.sh's $(echo $devs | wc -w) -dev packages"; else fail "Dockerfile lacks$missing"; fi

# ---- GitLab: the job's script, line by line, as the runner runs it ----
gitlab_job() { # gitlab_job DIR: run the script of docs/ci.md's .gitlab-ci.yml block in DIR; sets rc
	"$py" - "$tmp" "$1" <<'EOF' >"$1/.job.sh"
import glob, shlex, sys, yaml
tmp, d = sys.argv[1:3]
for f in sorted(glob.glob(f"{tmp}/block.*.yaml")):
    y = yaml.safe_load(open(f))
    if isinstance(y, dict) and "compose2swarm" in y and "script" in y["compose2swarm"]:
        job = y["compose2swarm"]
        break
# GitLab: variables exported, then each script line, the job failing at the first that fails
print("set -e")
print(f"export CI_PROJECT_DIR={shlex.quote(d)}")
for k, v in job.get("variables", {}).items():
    print(f"export {k}={shlex.quote(str(v))}")
for line in job["script"]:
    print(line)
print(f"echo {shlex.quote(job['artifacts']['reports']['codequality'])} >.artifact")
EOF
	(cd "$1" && PATH=$tmp/gitlab-bin:$PATH sh .job.sh) >"$1/.job.out" 2>&1
	rc=$?
}
if [ -n "${C2S_TARBALL:-}" ]; then
	tarball=$C2S_TARBALL
else
	# the layout of make dist-bin around the binary under test (dist-bin.sh itself wants a static one)
	arch=$(uname -m)
	t=$tmp/tarball/compose2swarm-$version-linux-$arch
	mkdir -p "$t" && cp "$bin" "$t/compose2swarm" && (cd "$t" && sha256sum compose2swarm >SHA256SUMS)
	tarball=$tmp/compose2swarm-$version-linux-$arch.tar.gz
	tar -C "$tmp/tarball" -czf "$tarball" "compose2swarm-$version-linux-$arch"
fi
# the runner has no network here: wget -q -O FILE URL hands over the tarball
mkdir -p "$tmp/gitlab-bin"
printf '#!/bin/sh\n# wget -q -O FILE URL, offline: the tarball under test\ncp "%s" "$3"\n' "$tarball" >"$tmp/gitlab-bin/wget"
chmod +x "$tmp/gitlab-bin/wget"
gl=$tmp/gitlab
mkdir -p "$gl"
cp "$top/fixtures/seed/docker-compose.yml" "$gl/docker-compose.yml" # warnings only
gitlab_job "$gl"
(cd "$gl" && NO_COLOR=1 "$bin" lint --format codeclimate --fail-on none docker-compose.yml) >"$tmp/cc.want"
if [ "$rc" -eq 0 ] && [ -f "$gl/$(cat "$gl/.artifact")" ] && cmp -s "$gl/$(cat "$gl/.artifact")" "$tmp/cc.want" &&
	grep -q '"check_name":"CS5101"' "$tmp/cc.want"; then
	ok "GitLab job: warnings pass; the codequality artifact is lint's codeclimate report"
else
	fail "GitLab job on warnings: exit $rc: $(cat "$gl/.job.out")"
fi
cp "$top/fixtures/lint/CS8002.yml" "$gl/docker-compose.yml" # an error
gitlab_job "$gl"
if [ "$rc" -ne 0 ] && grep -q 'CS8002' "$gl/.job.out" && grep -q '"check_name":"CS8002"' "$gl/gl-code-quality-report.json"; then
	ok "GitLab job: an error fails the job, and is in the report"
else
	fail "GitLab job on an error: exit $rc: $(cat "$gl/.job.out")"
fi

# ---- the shell gate ----
gate=$(ls "$tmp"/block.*.sh | head -n 1)
g=$tmp/gate
golden=$top/tests/golden/convert
mkdir -p "$g" && cp "$golden/deploy/compose.yml" "$g/docker-compose.yml" && cp "$golden/deploy/stack-config.yml" "$g/docker-stack.yml"
(cd "$g" && git init -q && git add -A && git commit -qm p) || { echo "FAIL: git"; exit 1; }
(cd "$g" && PATH=$tmp/bin:$PATH sh "$gate") >"$tmp/gate.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then ok "shell gate: passes on a file and docker's stack config output for it"; else fail "shell gate on an up-to-date file: exit $rc: $(cat "$tmp/gate.out")"; fi
cp "$golden/durations/compose.yml" "$g/docker-compose.yml"
(cd "$g" && PATH=$tmp/bin:$PATH sh "$gate") >"$tmp/gate.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && cmp -s "$g/docker-stack.yml" "$golden/durations/stack-config.yml"; then
	ok "shell gate: a stale stack file fails (and is rewritten to docker's output)"
else
	fail "shell gate on a stale file: exit $rc: $(cat "$tmp/gate.out")"
fi
cp "$top/fixtures/lint/CS8002.yml" "$g/docker-compose.yml"
(cd "$g" && PATH=$tmp/bin:$PATH sh "$gate") >"$tmp/gate.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'CS8002' "$tmp/gate.out"; then ok "shell gate: an error fails"; else fail "shell gate on an error: exit $rc"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
