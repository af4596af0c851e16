#!/bin/sh
# migrate.sh -- `compose2swarm migrate` from the command line: which files it finds, exit
# statuses, -o and --in-place, the report's formats, bad input and the limits. Expected
# outputs are written here by hand.
set -u
. "$(dirname "$0")/lib.sh"

proj=$tmp/proj
mkdir -p "$proj/sub"
cat >"$proj/compose.yaml" <<'EOF'
services:
  web:
    image: nginx:${TAG:-1.27}
    container_name: web
EOF

# ---- the project's files, as docker compose finds them ----
run_in "$proj" migrate
expect "no -c: compose.yaml of the current directory" 0 '^    image: nginx:1\.27$' '^compose\.yaml:4:5: dropped: container_name'
run_in "$proj/sub" migrate
expect "no -c: found in a parent directory" 0 '^    image: nginx:1\.27$' 'container_name'
printf 'services:\n  web:\n    environment: {X: "1"}\n' >"$proj/compose.override.yaml"
run_in "$proj" migrate
expect "the override file is merged" 0 '^    environment: \{X: "1"\}$' 'compose\.override\.yaml:1:1: translated: .* merged into compose\.yaml'
rm "$proj/compose.override.yaml"
printf 'TAG=1.25\n' >"$proj/.env"
run_in "$proj" migrate
expect "the project's .env" 0 '^    image: nginx:1\.25$' 'TAG\} \(from the env file\) substituted'
printf 'TAG=1.26\n' >"$proj/other.env"
run_in "$proj" migrate --env-file other.env
expect "--env-file instead of .env" 0 '^    image: nginx:1\.26$'
(cd "$proj" && TAG=9.9 NO_COLOR=1 "$bin" migrate >"$tmp/out" 2>"$tmp/err" </dev/null); rc=$?
expect "the environment wins over .env" 0 '^    image: nginx:9\.9$' 'from the environment'
(cd "$proj" && COMPOSE_ENV_FILES=other.env NO_COLOR=1 "$bin" migrate >"$tmp/out" 2>"$tmp/err" </dev/null); rc=$?
expect "COMPOSE_ENV_FILES instead of .env" 0 '^    image: nginx:1\.26$'
(cd "$proj" && COMPOSE_DISABLE_ENV_FILE=true NO_COLOR=1 "$bin" migrate >"$tmp/out" 2>"$tmp/err" </dev/null); rc=$?
expect "COMPOSE_DISABLE_ENV_FILE: no .env" 0 '^    image: nginx:1\.27$'
mkdir -p "$proj/elsewhere" && cp "$proj/compose.yaml" "$proj/elsewhere/"
run_in "$proj" migrate -c elsewhere/compose.yaml
expect "-c in another directory: its .env (none), not the current directory's" 0 '^    image: nginx:1\.27$'
printf 'TAG=1.24\n' >"$proj/elsewhere/.env"
run_in "$proj" migrate -c elsewhere/compose.yaml
expect "-c in another directory: its .env" 0 '^    image: nginx:1\.24$'
rm -r "$proj/elsewhere"
run_in "$proj" migrate --env-file missing.env
expect "a missing --env-file is trouble" 2 '' "couldn't find env file: missing\.env"
no_stdout "a missing --env-file: nothing on standard output"
if grep -q 'nothing to change' "$tmp/err"; then fail "trouble: no 'nothing to change' after it"; else ok "trouble: no 'nothing to change' after it"; fi
rm "$proj/.env" "$proj/other.env"
(cd "$proj" && COMPOSE_FILE=sub/x.yml NO_COLOR=1 "$bin" migrate >"$tmp/out" 2>"$tmp/err" </dev/null); rc=$?
expect "COMPOSE_FILE names the files" 2 '' 'sub/x\.yml: No such file'
run_in "$tmp" migrate
expect "no compose file anywhere" 2 '' 'no compose file found'

# ---- -o, --in-place ----
run_in "$proj" migrate -o stack.yml
expect "-o writes the stack file" 0 '' 'container_name'
if [ -f "$proj/stack.yml" ] && ! grep -q container_name "$proj/stack.yml"; then ok "-o: the file holds the stack"; else fail "-o: the file holds the stack"; fi
no_stdout "-o: nothing on standard output"
run_in "$proj" migrate -c compose.yaml -o compose.yaml
expect "-o naming the input is refused" 2 '' 'compose\.yaml'
if grep -q container_name "$proj/compose.yaml"; then ok "-o = input: input untouched"; else fail "-o = input: input untouched"; fi
cp "$proj/compose.yaml" "$proj/inplace.yml"
run_in "$proj" migrate -c inplace.yml --in-place
expect "--in-place" 0
if ! grep -q container_name "$proj/inplace.yml" && grep -q 'image: nginx:1.27' "$proj/inplace.yml"; then
	ok "--in-place: the file rewritten"; else fail "--in-place: the file rewritten"; fi
run_in "$proj" migrate --in-place
expect "--in-place wants one -c" 2 '' 'one -c'
run_in "$proj" migrate -o a.yml --in-place
expect "-o and --in-place" 2 '' 'not both'

# ---- needs you: nothing written, exit 1 ----
printf 'services:\n  app:\n    build: .\n' >"$proj/build.yml"
rm -f "$proj/out.yml"
run_in "$proj" migrate -c build.yml -o out.yml
expect "build without image needs you" 1 '' '^build\.yml:3:5: needs-you: service app has build: and no image:'
if [ -e "$proj/out.yml" ]; then fail "needs-you: nothing written"; else ok "needs-you: nothing written"; fi
run_in "$proj" migrate -c build.yml -p shop --image-prefix reg.example.com/
expect "--image-prefix names the image docker compose builds" 0 '^    image: reg\.example\.com/shop-app$' \
	'docker build -t reg\.example\.com/shop-app'
printf 'services:\n  app:\n    image: busybox:1.36\n    network_mode: none\n' >"$proj/none.yml"
run_in "$proj" migrate -c none.yml
expect "network_mode: none needs you (swarm has no none network)" 1 '' \
	'^none\.yml:4:19: needs-you: network_mode: none of service app has no swarm equivalent: swarm attaches every task to a network'

# ---- --keep-variables: ports holding a variable are docker stack deploy's to substitute ----
printf 'services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "${P:-8080}:80"\n      - target: 81\n        published: ${Q:-9000}\n' >"$proj/ports.yml"
run_in "$proj" migrate -c ports.yml --keep-variables
expect "--keep-variables: \"\${P:-8080}:80\" is no host IP" 0 '^      - "\$\{P:-8080\}:80"$'
if grep -q '^        published: \${Q:-9000}$' "$tmp/out" && grep -q '^version: "3.2"$' "$tmp/out"; then
	ok "--keep-variables: published: \${Q:-9000} kept, the version the long syntax needs (3.2)"; else
	fail "--keep-variables: published: \${Q:-9000} kept, the version the long syntax needs (3.2)"; fi
if grep -q 'needs-you\|host IP' "$tmp/err"; then fail "--keep-variables ports: nothing reported about them"; else
	ok "--keep-variables ports: nothing reported about them"; fi
(cd "$proj" && "$bin" migrate -c ports.yml --keep-variables -o ports-stack.yml 2>/dev/null &&
	if command -v docker >/dev/null 2>&1 && DOCKER_HOST=unix:///nonexistent.sock docker stack config -c ports-stack.yml >"$tmp/cfg" 2>&1; then
		grep -q 'published: 9000' "$tmp/cfg" && grep -q 'published: 8080' "$tmp/cfg"; fi) &&
	ok "--keep-variables ports: docker stack config reads 8080 and 9000 (where it has stack config)" ||
	fail "--keep-variables ports: docker stack config reads 8080 and 9000 (where it has stack config)"

# ---- --materialize: secrets and configs from environment: or content: as files ----
mkdir -p "$proj/mat/out"
cat >"$proj/mat/compose.yaml" <<'EOF2'
services:
  web:
    image: nginx:1.27
    secrets: [token]
    configs: [motd]
secrets:
  token:
    environment: TOKEN
configs:
  motd:
    content: "hi $$USER"
EOF2
run_in "$proj/mat" migrate
expect "environment: and content: need you without --materialize" 1 '' \
	'^compose\.yaml:8:5: needs-you: secrets token comes from environment:' '^compose\.yaml:11:5: needs-you: configs motd comes from content:'
run_in "$proj/mat" migrate --materialize
expect "--materialize without -o or --in-place" 2 '' 'give -o or --in-place'
run_in "$proj/mat" migrate --materialize -o out/stack.yml
expect "--materialize: a variable that is not set needs you" 1 '' \
	'^compose\.yaml:8:5: needs-you: environment variable "TOKEN" required by secret "token" is not set'
if [ -e "$proj/mat/out/token.secret" ] || [ -e "$proj/mat/out/motd.config" ] || [ -e "$proj/mat/out/stack.yml" ]; then
	fail "--materialize, needs you: nothing written"; else ok "--materialize, needs you: nothing written"; fi
(cd "$proj/mat" && TOKEN=t0k NO_COLOR=1 "$bin" migrate --materialize -o out/stack.yml >"$tmp/out" 2>"$tmp/err" </dev/null); rc=$?
expect "--materialize -o out/stack.yml" 0 '' 'secret token from environment: written to token\.secret' \
	'config motd from content: written to motd\.config'
if [ "$(cat "$proj/mat/out/token.secret")" = t0k ] && [ "$(cat "$proj/mat/out/motd.config")" = 'hi $USER' ]; then
	ok "--materialize: the values, \$\$ as \$"; else fail "--materialize: the values, \$\$ as \$"; fi
case $(ls -l "$proj/mat/out/token.secret") in -rw-------*) ok "--materialize: a new secret file is 0600" ;;
*) fail "--materialize: a new secret file is 0600" ;; esac
if grep -q '^    file: \./token\.secret$' "$proj/mat/out/stack.yml" && grep -q '^    file: \./motd\.config$' "$proj/mat/out/stack.yml"; then
	ok "--materialize: file: beside the stack file"; else fail "--materialize: file: beside the stack file"; fi
printf 'services:\n  web:\n    image: nginx:1.27\n    secrets: [both]\nsecrets:\n  both:\n    environment: TOKEN\n    file: ./token.txt\n' >"$proj/mat/both.yml"
(cd "$proj/mat" && TOKEN=from-env NO_COLOR=1 "$bin" migrate -c both.yml --materialize -o out/both.yml >"$tmp/out" 2>"$tmp/err" </dev/null); rc=$?
expect "--materialize: environment: and file: both, docker compose takes environment:" 0 '' \
	'^both\.yml:8:5: dropped: file of secret both dropped: docker compose takes its environment: first'
if [ "$(grep -c 'file:' "$proj/mat/out/both.yml")" = 1 ] && [ "$(cat "$proj/mat/out/both.secret")" = from-env ]; then
	ok "--materialize: one file: key, the variable's value"; else fail "--materialize: one file: key, the variable's value"; fi
printf 'secrets:\n  "../x":\n    environment: TOKEN\nservices: {}\n' >"$proj/mat/odd.yml"
(cd "$proj/mat" && TOKEN=t NO_COLOR=1 "$bin" migrate -c odd.yml --materialize -o out/odd.yml >"$tmp/out" 2>"$tmp/err" </dev/null); rc=$?
expect "--materialize: a name that is no file name needs you" 1 '' 'its name is no file name'

# ---- the report's formats ----
run_in "$proj" migrate -c compose.yaml --format json
expect "--format json: kind" 0 '' '"rule":"CS5101","name":"container-name","severity":"warning","kind":"dropped","file":"compose\.yaml","line":4,"column":5'
run_in "$proj" migrate -c compose.yaml -f gnu
expect "--format gnu" 0 '' '^compose\.yaml:4:5: dropped: container_name of service web dropped: .* \[CS5101\]$'
run_in "$proj" migrate -c compose.yaml
expect "text summary" 0 '' '^3 changes: 2 translated, 1 dropped, 0 kept with a note, 0 need you$'
run_in "$proj" migrate -c compose.yaml
expect "a default used" 0 '' 'TAG\} \(not set: its default\) substituted'
run_in "$proj" migrate -c compose.yaml --format yaml
expect "unknown format" 2 '' "unknown format 'yaml'"
run_in "$proj" migrate stray
expect "files go with -c" 2 '' "migrate takes files with -c, not 'stray'"
run migrate --help
expect "migrate --help" 0 '--image-prefix PREFIX'

# ---- bad input: a clear error at its position ----
printf 'services:\n  web:\n    image: [unclosed\n' >"$proj/broken.yml"
run_in "$proj" migrate -c broken.yml
expect "a YAML error needs you, at its place" 1 '' '^broken\.yml:[0-9]+:[0-9]+: needs-you: '
no_stdout "a YAML error: nothing on standard output"
printf -- '- a\n- b\n' >"$proj/list.yml"
run_in "$proj" migrate -c list.yml
expect "a top level that is not a mapping" 1 '' 'top-level object must be a mapping'
printf 'services:\n  web:\n    image: nginx:${TAG:?set TAG}\n' >"$proj/req.yml"
run_in "$proj" migrate -c req.yml
expect "a required variable" 1 '' '^req\.yml:3:12: needs-you: error while interpolating services\.web\.image: required variable TAG is missing a value: set TAG'
printf 'services:\n  web:\n    extends: web\n    image: nginx:1.27\n' >"$proj/cycle.yml"
run_in "$proj" migrate -c cycle.yml
expect "extends: a cycle" 1 '' 'cycle'

# an included project's .env that docker compose cannot read either: said, exit 2
mkdir -p "$tmp/incenv/sub"
printf 'include:\n  - sub/compose.yaml\nservices:\n  web:\n    image: busybox:1.36\n' >"$tmp/incenv/compose.yaml"
printf 'services:\n  db:\n    image: busybox:1.36\n' >"$tmp/incenv/sub/compose.yaml"
printf 'A B=1\n' >"$tmp/incenv/sub/.env"
run_in "$tmp/incenv" migrate
expect "include: its project's .env unreadable" 2 '' 'failed to read .*/sub/\.env: line 1: key cannot contain a space'
no_stdout "include: unreadable .env: nothing on standard output"

# ---- limits ----
# include nested deeper than C2S_MIGRATE_MAX_NESTING (32)
mkdir -p "$tmp/deep"
i=0
while [ $i -le 40 ]; do
	printf 'include:\n  - f%d.yml\nservices:\n  s%d:\n    image: busybox:1.36\n' $((i + 1)) $i >"$tmp/deep/f$i.yml"
	i=$((i + 1))
done
printf 'services:\n  last:\n    image: busybox:1.36\n' >"$tmp/deep/f41.yml"
run_in "$tmp/deep" migrate -c f0.yml
expect "include nested too deep (C2S_MIGRATE_MAX_NESTING)" 2 '' 'C2S_MIGRATE_MAX_NESTING'
# a text past C2S_MIGRATE_MAX_TEXT_BYTES (64 MiB): a 1 MiB variable used 70 times
mkdir -p "$tmp/big"
head -c 1000000 /dev/zero | tr '\0' 'x' | sed 's/^/BIG=/' >"$tmp/big/.env"
{
	printf 'services:\n  web:\n    image: busybox:1.36\n    environment:\n'
	i=0
	while [ $i -lt 70 ]; do printf '      V%d: ${BIG}\n' $i; i=$((i + 1)); done
} >"$tmp/big/compose.yaml"
run_in "$tmp/big" migrate
expect "a stack file past C2S_MIGRATE_MAX_TEXT_BYTES" 2 '' 'C2S_MIGRATE_MAX_TEXT_BYTES'
no_stdout "past the text limit: nothing on standard output"
# more files than C2S_MIGRATE_MAX_FILES (256): one service extending another file each
mkdir -p "$tmp/many"
{
	printf 'services:\n'
	i=0
	while [ $i -lt 260 ]; do
		printf '  s%d:\n    extends: {file: b%d.yml, service: b}\n' $i $i
		printf 'services:\n  b:\n    image: busybox:1.36\n' >"$tmp/many/b$i.yml"
		i=$((i + 1))
	done
} >"$tmp/many/compose.yaml"
run_in "$tmp/many" migrate
expect "more files than C2S_MIGRATE_MAX_FILES" 2 '' 'C2S_MIGRATE_MAX_FILES'

# values deeper than C2S_MAX_DEPTH (256) through an alias: an anchor 150 lists deep used 150 lists deep
mkdir -p "$tmp/alias"
open=$(printf '%150s' '' | tr ' ' '[') close=$(printf '%150s' '' | tr ' ' ']')
printf 'X=1\n' >"$tmp/alias/.env"
printf 'services:\n  web:\n    image: busybox:1.36\nx-a: &a %s"${X}"%s\nx-b: %s*a%s\n' "$open" "$close" "$open" \
	"$close" >"$tmp/alias/compose.yaml"
run_in "$tmp/alias" migrate
expect "values deeper than C2S_MAX_DEPTH through an alias" 2 '' 'nested deeper than 256 .*C2S_MAX_DEPTH'
no_stdout "values too deep: nothing on standard output"
# 200 lists deep without an alias: substituted as any value is
open=$(printf '%200s' '' | tr ' ' '[') close=$(printf '%200s' '' | tr ' ' ']')
printf 'services:\n  web:\n    image: busybox:1.36\nx-a: %s"${X}"%s\n' "$open" "$close" >"$tmp/alias/compose.yaml"
run_in "$tmp/alias" migrate
expect "a value 200 lists deep is interpolated" 0 '^x-a: \[{200}"1"\]{200}$'

finish
