#!/bin/sh
# stacks.sh -- .compose2swarm.yml's stacks: and exclude:. A file that is part
# of a named stack is linted as that stack (the files merged as `docker stack
# deploy -c a -c b` merges them), so an override file alone no longer gets a
# false "no image"; exclude: skips files even when they are named (pre-commit
# names every changed file). Expected outputs are written here by hand.
set -u
. "$(dirname "$0")/lib.sh"
p=$tmp/proj
mkdir -p "$p/legacy" "$p/sub"
cat >"$p/docker-compose.yml" <<'YAML'
services:
  web:
    image: nginx:1.27
    healthcheck: {test: ["CMD", "true"]}
YAML
cat >"$p/docker-compose.prod.yml" <<'YAML'
services:
  web:
    deploy:
      replicas: 3
    container_name: web
YAML
printf 'services:\n  web:\n    build: .\n' >"$p/docker-compose.override.yml"
printf 'services:\n  old:\n    image: busybox\n    restart: always\n' >"$p/legacy/v1.yml"
printf 'services:\n  api:\n    image: busybox:1.36\n    healthcheck: {test: ["CMD", "true"]}\n    links: [db]\n' >"$p/sub/api.yml"

# --- without a config file: the override file alone has no image ---
run_in "$p" lint -f gnu docker-compose.prod.yml
expect "no config: the override alone is refused (no image)" 1 '^docker-compose.prod.yml:2:3: error: invalid image reference for service web: no image specified \[CS2008\]$'

cat >"$p/.compose2swarm.yml" <<'YAML'
stacks:
  - name: production
    files: [docker-compose.yml, docker-compose.prod.yml]
exclude:
  - docker-compose.override.yml
  - "legacy/*.yml"
YAML

# --- a stack's file is linted as the stack ---
run_in "$p" lint -f gnu docker-compose.prod.yml
if [ "$rc" = 1 ] && [ "$out" = 'docker-compose.prod.yml:5:5: warning: container_name is ignored by docker stack deploy ("Setting the container name is not supported.") [CS5101]' ]; then
	ok "the override is linted merged with its base: no false 'no image', its own finding at its own line"
else
	fail "the override is linted merged with its base"
fi
run_in "$p" lint -f junit docker-compose.yml docker-compose.prod.yml docker-compose.override.yml legacy/v1.yml sub/api.yml
if [ "$rc" = 1 ] && python3 - "$tmp/out" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [(s.get("name"), s.get("tests"), s.get("failures")) for s in root.findall("testsuite")]
assert suites == [("docker-compose.yml", "1", "0"), ("docker-compose.prod.yml", "1", "1"), ("sub/api.yml", "1", "1")], suites
PY
then ok "both files of the stack linted once, excluded files skipped, other files alone"
else fail "both files of the stack linted once, excluded files skipped, other files alone"; fi
run_in "$p" lint -f gnu docker-compose.override.yml legacy/v1.yml
expect "only excluded files: nothing to report, exit 0" 0
no_stdout "only excluded files: no output"
run_in "$p" lint -f gnu
expect "no FILE: docker-compose.yml is found and linted as its stack" 1 '^docker-compose.prod.yml:5:5: warning: .*\[CS5101\]$'
run_in "$p/sub" lint -f gnu ../docker-compose.prod.yml
expect "from another directory: the same stack" 1 '/proj/docker-compose.prod.yml:5:5: warning: .*\[CS5101\]$'
run_in "$p" lint -f gnu -c docker-compose.prod.yml
expect "-c names the stack itself: the config's stacks do not apply" 1 '\[CS2008\]'

# --- exclude: patterns: a name with no '/' matches below too; '*' stops at '/' ---
printf 'exclude: ["api.yml"]\n' >"$p/.compose2swarm.yml"
run_in "$p" lint -f gnu sub/api.yml; expect "exclude: a bare name matches in a subdirectory" 0
printf 'exclude: ["*.yml"]\n' >"$p/.compose2swarm.yml"
run_in "$p" lint -f gnu sub/api.yml; expect "exclude: a bare glob matches file names below" 0
printf 'exclude: ["s*/x.yml", "legacy/*"]\n' >"$p/.compose2swarm.yml"
run_in "$p" lint -f gnu sub/api.yml legacy/v1.yml; expect "exclude: a pattern with '/' is a path from the config's directory" 1 '^sub/api.yml:5:5: .*\[CS5008\]$'

# --- the config file's mistakes: exit 2 with the position ---
printf 'stacks: {files: [a.yml]}\n' >"$p/.compose2swarm.yml"
run_in "$p" lint sub/api.yml; expect "stacks must be a list" 2 '' '\.compose2swarm\.yml:1:9: error: stacks is a list of \{files: \[FILE, \.\.\.\]\}'
printf 'stacks:\n  - files: []\n  - file: [a.yml]\n' >"$p/.compose2swarm.yml"
run_in "$p" lint sub/api.yml; expect "a stack without files" 2 '' '\.compose2swarm\.yml:2:5: error: a stack is \{files: \[FILE, \.\.\.\]\}'
printf 'stacks:\n  - files: [a.yml]\n    nmae: x\n' >"$p/.compose2swarm.yml"
run_in "$p" lint sub/api.yml; expect "an unknown key in a stack" 2 '' '\.compose2swarm\.yml:3:5: error: unknown key stacks\.nmae \(files, name\)'
printf 'exclude: [{a: 1}]\n' >"$p/.compose2swarm.yml"
run_in "$p" lint sub/api.yml; expect "exclude wants names" 2 '' '\.compose2swarm\.yml:1:11: error: exclude wants file names'
# limits (lintconf.h): 16 files a stack, 64 exclude patterns
{ printf 'stacks:\n  - files: ['; i=0; while [ $i -lt 17 ]; do printf 'f%d.yml, ' $i; i=$((i + 1)); done; printf 'last.yml]\n'; } >"$p/.compose2swarm.yml"
run_in "$p" lint sub/api.yml; expect "C2S_CONFIG_MAX_STACK_FILES" 2 '' 'a stack of more than 16 files \(C2S_CONFIG_MAX_STACK_FILES\)'
{ printf 'exclude: ['; i=0; while [ $i -lt 64 ]; do printf 'x%d.yml, ' $i; i=$((i + 1)); done; printf 'last.yml]\n'; } >"$p/.compose2swarm.yml"
run_in "$p" lint sub/api.yml; expect "C2S_CONFIG_MAX_EXCLUDE" 2 '' 'more than 64 exclude patterns \(C2S_CONFIG_MAX_EXCLUDE\)'
{ printf 'stacks:\n'; i=0; while [ $i -lt 65 ]; do printf '  - files: [s%d.yml]\n' $i; i=$((i + 1)); done; } >"$p/.compose2swarm.yml"
run_in "$p" lint sub/api.yml; expect "C2S_CONFIG_MAX_STACKS" 2 '' 'more than 64 stacks \(C2S_CONFIG_MAX_STACKS\)'
{ printf 'exclude:\n'; i=0; while [ $i -lt 60 ]; do printf '  - %0300d\n' $i; i=$((i + 1)); done; } >"$p/.compose2swarm.yml"
run_in "$p" lint sub/api.yml; expect "C2S_CONFIG_MAX_NAMES" 2 '' 'too many names in stacks and exclude \(16384 bytes at most, C2S_CONFIG_MAX_NAMES\)'

# --- a stack file that is missing: exit 2 naming it ---
printf 'stacks:\n  - files: [docker-compose.yml, docker-compose.gone.yml]\n' >"$p/.compose2swarm.yml"
run_in "$p" lint -f gnu docker-compose.yml; expect "a missing file of the stack exits 2" 2 '' 'docker-compose.gone.yml: No such file or directory'

finish
