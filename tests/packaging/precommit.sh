#!/bin/sh
# precommit.sh -- the pre-commit hooks as a user gets them, with Debian's pre-commit:
# a scratch hook repository holding .pre-commit-hooks.yaml, tagged v$VERSION, and a
# scratch project whose .pre-commit-config.yaml is README's four lines (the repo URL
# pointed at the scratch repository). Checks:
#   - the files pattern (Python re.search, as pre-commit applies it) on a table of names;
#   - compose2swarm-lint-system: `pre-commit run --all-files` passes exactly the matching
#     files and prints what the binary prints for them, exit 1; clean files pass;
#   - compose2swarm-config: a committed `docker stack config` output (docker's own bytes
#     from tests/golden/convert) passes; a stale one is rewritten to docker's bytes and
#     the hook fails.
# The docker_image hook runs in tests/swarm/tier-image.sh, where a dockerd is up.
# Exit 0 pass, 1 fail, 77 skip (no pre-commit or git).
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${C2S:-$top/compose2swarm}
command -v pre-commit >/dev/null || { echo "SKIP: no pre-commit (Debian package pre-commit)"; exit 77; }
command -v git >/dev/null || { echo "SKIP: no git"; exit 77; }
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
# a private home: no user git or pre-commit configuration, pre-commit's cache in $tmp
export HOME=$tmp/home PRE_COMMIT_HOME=$tmp/cache GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.invalid GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.invalid
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
mkdir -p "$HOME" "$tmp/bin"
ln -s "$bin" "$tmp/bin/compose2swarm"
PATH=$tmp/bin:$PATH
version=$("$bin" --version | sed -n '1s/^compose2swarm //p')
# a Python with PyYAML: Debian's, which pre-commit itself runs on, else the first on PATH
py=python3
/usr/bin/python3 -c 'import yaml' 2>/dev/null && py=/usr/bin/python3

# ---- the files pattern ----
if "$py" - "$top/.pre-commit-hooks.yaml" <<'EOF'; then ok "files pattern: every hook, 14 names that match, 9 that do not"; else fail "files pattern"; fi
import re, sys, yaml
hooks = yaml.safe_load(open(sys.argv[1]))
match = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml",
         "docker-compose.override.yml", "docker-compose.prod.yaml", "docker-stack.yml",
         "docker-stack.prod.yml", "stack.yml", "stack-prod.yml", "app.stack.yml",
         "deploy/prod.stack.yml", "a/b/docker-compose.yml", "sub/compose.yaml"]
nomatch = ["notes.yml", "compose.json", "mycompose.yml", "docker-compose.yml.bak",
           "README.md", "compose.yaml/x.txt", "prod.stack.json", ".stack.yml.orig", "docker-compose.yml/"]
bad = 0
for h in hooks:
    pat = re.compile(h["files"])
    for n in match:
        if not pat.search(n):
            print(f"{h['id']}: {n} should match"); bad += 1
    for n in nomatch:
        if pat.search(n):
            print(f"{h['id']}: {n} should not match"); bad += 1
sys.exit(1 if bad else 0)
EOF

# ---- the hook repository, at tag v$VERSION ----
hooks=$tmp/hooks
git init -q "$hooks" && cp "$top/.pre-commit-hooks.yaml" "$hooks/" &&
	git -C "$hooks" add .pre-commit-hooks.yaml && git -C "$hooks" commit -qm hooks && git -C "$hooks" tag "v$version" ||
	{ echo "FAIL: cannot make the hook repository"; exit 1; }

# README's .pre-commit-config.yaml: the yaml block under "### pre-commit", repo -> $hooks
readme_config() { # readme_config HOOK_ID > file
	awk '/^### pre-commit/ { s = 1 } s && /^```yaml/ { b = 1; next } b && /^```/ { exit } b' "$top/README.md" |
		sed "s|^\( *- repo:\).*|\1 $hooks|; s|{id: compose2swarm-lint}|{id: $1}|"
}
readme_config compose2swarm-lint >"$tmp/readme.cfg"
if [ "$(wc -l <"$tmp/readme.cfg")" -eq 4 ] && grep -q "rev: v$version\$" "$tmp/readme.cfg" &&
	grep -q '{id: compose2swarm-lint}' "$tmp/readme.cfg"; then
	ok "README's .pre-commit-config.yaml: four lines, rev v$version, hook compose2swarm-lint"
else
	fail "README's .pre-commit-config.yaml is not four lines with rev v$version: $(cat "$tmp/readme.cfg")"
fi

# ---- a project: matching files (one with findings), others that must not be passed ----
proj=$tmp/proj
mkdir -p "$proj/sub" "$proj/deploy"
for f in compose.yaml docker-compose.override.yml docker-stack.yml stack-prod.yml deploy/app.stack.yml sub/compose.yml; do
	cp "$top/fixtures/ok/clean-stack.yml" "$proj/$f"
done
cp "$top/fixtures/seed/docker-compose.yml" "$proj/docker-compose.yml"
cp "$top/fixtures/seed/docker-compose.yml" "$proj/notes.yml"          # not a compose file name
cp "$top/fixtures/seed/docker-compose.yml" "$proj/mycompose.yml"      # nor this
readme_config compose2swarm-lint-system >"$proj/.pre-commit-config.yaml"
git init -q "$proj" && (cd "$proj" && git add -A && git commit -qm project) || { echo "FAIL: git"; exit 1; }

(cd "$proj" && pre-commit run --all-files) >"$tmp/pc.out" 2>&1
rc=$?
# what the binary itself says on exactly the matching files, in git's order
(cd "$proj" && NO_COLOR=1 compose2swarm lint compose.yaml deploy/app.stack.yml docker-compose.override.yml \
	docker-compose.yml docker-stack.yml stack-prod.yml sub/compose.yml) >"$tmp/bin.out" 2>&1
if [ "$rc" -eq 1 ] && grep -q '^- exit code: 1' "$tmp/pc.out"; then
	ok "compose2swarm-lint-system: findings fail the commit (exit 1)"
else
	fail "compose2swarm-lint-system: exit $rc, want 1: $(cat "$tmp/pc.out")"
fi
# the hook's output holds the binary's, line for line, and names no other file
if grep -q '2 problems (0 errors, 2 warnings, 0 infos) in 7 files' "$tmp/pc.out" &&
	python3 -c 'import sys; a, b = open(sys.argv[1]).read(), open(sys.argv[2]).read(); sys.exit(0 if b and b in a else 1)' \
		"$tmp/pc.out" "$tmp/bin.out" &&
	! grep -q -e 'notes.yml' -e 'mycompose.yml' "$tmp/pc.out"; then
	ok "compose2swarm-lint-system: the 7 matching files, the binary's own report"
else
	fail "compose2swarm-lint-system output is not the binary's on the 7 files"
	cat "$tmp/pc.out"
	echo "--- the binary:"
	cat "$tmp/bin.out"
fi
# fix the findings: the commit goes through
cp "$top/fixtures/ok/clean-stack.yml" "$proj/docker-compose.yml"
(cd "$proj" && git add -A && pre-commit run --all-files) >"$tmp/pc.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q 'compose2swarm lint\.*Passed' "$tmp/pc.out"; then
	ok "compose2swarm-lint-system: clean files pass"
else
	fail "compose2swarm-lint-system on clean files: exit $rc: $(cat "$tmp/pc.out")"
fi

# ---- compose2swarm-config: a committed docker stack config output kept up to date ----
cfgp=$tmp/cfgproj
mkdir -p "$cfgp"
golden=$top/tests/golden/convert
cp "$golden/deploy/compose.yml" "$cfgp/docker-compose.yml"
cp "$golden/deploy/stack-config.yml" "$cfgp/docker-stack.yml" # docker's own output
cat >"$cfgp/.pre-commit-config.yaml" <<EOF
repos:
  - repo: $hooks
    rev: v$version
    hooks:
      - id: compose2swarm-config
        args: [-c, docker-compose.yml, -o, docker-stack.yml]
EOF
git init -q "$cfgp" && (cd "$cfgp" && git add -A && git commit -qm project) || { echo "FAIL: git"; exit 1; }
(cd "$cfgp" && pre-commit run --all-files) >"$tmp/pc.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && (cd "$cfgp" && git diff --quiet); then
	ok "compose2swarm-config: an up-to-date stack file passes, untouched"
else
	fail "compose2swarm-config on an up-to-date file: exit $rc: $(cat "$tmp/pc.out")"
fi
# the Compose file changes and the stack file is not regenerated: stale
cp "$golden/durations/compose.yml" "$cfgp/docker-compose.yml"
(cd "$cfgp" && git add -A && pre-commit run --all-files) >"$tmp/pc.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'files were modified by this hook' "$tmp/pc.out" &&
	cmp -s "$cfgp/docker-stack.yml" "$golden/durations/stack-config.yml"; then
	ok "compose2swarm-config: a stale stack file fails and is rewritten to docker stack config's bytes"
else
	fail "compose2swarm-config on a stale file: exit $rc: $(cat "$tmp/pc.out")"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
