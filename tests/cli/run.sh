#!/bin/sh
# run.sh -- the command-line contract (docs/compose2swarm.1, EXIT STATUS): exit
# codes, usage errors, standard input, missing files, directories, default
# file discovery, --help, --version, NO_COLOR and colour on a terminal.
set -u
. "$(dirname "$0")/lib.sh"
seed=$top/fixtures/seed/docker-compose.yml
clean=$top/fixtures/ok/clean-stack.yml

# --- help, version, usage errors: 0 for help/version, 2 for bad usage ---
run --help;                expect "--help prints usage, exit 0" 0 '^Usage: compose2swarm lint'
run -h;                    expect "-h is --help" 0 '^Usage:'
run --version;             expect "--version prints the version" 0 '^compose2swarm [0-9]+\.[0-9]+\.[0-9]+$'
run;                       expect "no command is a usage error" 2 '' 'missing command'
run frobnicate;            expect "unknown command is a usage error" 2 '' "unknown command 'frobnicate'"
run lint --no-such-option "$seed"; expect "unknown option is a usage error" 2 '' 'Try .compose2swarm --help.'
run lint --format xml "$seed";     expect "unknown format is a usage error" 2 '' "unknown format 'xml'"
run lint --fail-on loud "$seed";   expect "unknown --fail-on level is a usage error" 2
run lint --disable CS0000 "$seed"; expect "unknown rule in --disable is a usage error" 2 '' "unknown rule 'CS0000'"
run lint --severity CS5101=loud "$seed"; expect "unknown severity is a usage error" 2
run lint --engine-version twenty "$seed"; expect "bad --engine-version is a usage error" 2 '' 'MAJOR.MINOR'

# --- lint exit status ---
run lint "$clean";         expect "a clean file exits 0" 0
no_stdout "a clean file prints nothing"
run lint "$seed";          expect "the seed has findings: exit 1" 1 'docker-compose.yml:4:4: warning: .*\[CS5101\]'
run lint --fail-on error "$seed";  expect "--fail-on error: warnings do not fail" 0 '\[CS5101\]'
run lint --fail-on none "$seed";   expect "--fail-on none never fails" 0
run lint --fail-on warning "$top/fixtures/lint/CS8002.yml"; expect "--fail-on warning: an error fails" 1
run lint --disable CS5101 --disable sysctls-engine "$seed"; expect "--disable by id and by name" 0
no_stdout "--disable leaves nothing to report"
run lint --severity CS5101=error --disable CS8001 "$seed"; expect "--severity raises a rule" 1 ':4:4: error: .*\[CS5101\]'
run lint --engine-version 20.10 "$seed"; expect "--engine-version 20.10 drops the engine warning" 1
case $out in *CS8001*) fail "--engine-version 20.10 still reports CS8001";; *) ok "no CS8001 with --engine-version 20.10";; esac
run lint "$seed" "$clean" "$top/fixtures/lint/CS5101.yml"; expect "several files in one run" 1 '4 problems .* in 3 files'
# -c a -c b where a names a missing env_file: docker stack config -c a -c b stops
# ("open DIR/missing.env: no such file or directory"), so lint fails too
printf 'services:\n  web:\n    image: nginx\n    env_file: missing.env\n' >"$tmp/stack-a.yml"
printf 'services:\n  web:\n    user: "1"\n' >"$tmp/stack-b.yml"
run lint --fail-on error -c "$tmp/stack-a.yml" -c "$tmp/stack-b.yml"; expect "-c a -c b: a missing env_file fails the stack" 1 'stack-a.yml:4:15: error: .*\[CS9005\]'

# --- input errors: exit 2 with a message naming the file ---
run lint "$tmp/absent.yml";  expect "a missing file exits 2" 2 '' 'absent.yml: No such file or directory'
no_stdout "a missing file prints no report"
run lint "$top/fixtures";    expect "a directory exits 2" 2 '' 'fixtures: is a directory'
run lint "$top/fixtures/lint/CS1092.yml"; expect "a billion-laughs file hits the alias limit: exit 2" 2 ':7:36: error: aliases expand to too many nodes'
run lint "$top/fixtures/lint/CS1091.yml"; expect "nesting too deep: exit 2" 2 'nesting too deep \(limit 256\)'
run lint "$seed" "$tmp/absent.yml"; expect "one unreadable file among good ones: exit 2, others still linted" 2 '\[CS5101\]' 'absent.yml'
if [ "$(id -u)" -ne 0 ]; then
	cp "$seed" "$tmp/locked.yml"; chmod 000 "$tmp/locked.yml"
	run lint "$tmp/locked.yml"; expect "an unreadable file exits 2" 2 '' 'Permission denied'
fi

# --- malformed input never crashes: a finding (1) or trouble (2), never a signal ---
printf '\000\001\002binary\377\376' >"$tmp/binary.yml"
run lint "$tmp/binary.yml"; case $rc in 1|2) ok "binary input: exit $rc";; *) fail "binary input";; esac
printf 'services:\n  web:\n    image: "caf\351"\n' >"$tmp/latin1.yml"
run lint "$tmp/latin1.yml"; expect "invalid UTF-8 is a finding with a position" 1 'latin1.yml:3:[0-9]+: error: .*\[CS1001\]'
: >"$tmp/empty.yml"
run lint "$tmp/empty.yml"; expect "an empty file is a finding" 1 'empty.yml:1:1: error: .*\[CS1002\]'

# --- standard input ---
stdin_file=$seed run_in "$tmp" lint -;  expect "'-' reads standard input, reported as -" 1 '^-:4:4: warning'
stdin_file=$seed run_in "$tmp" lint --stdin-filename stack.yml -; expect "--stdin-filename names standard input" 1 '^stack.yml:4:4: warning'
stdin_file=$seed run_in "$tmp" lint --format gnu -; expect "gnu format on standard input" 1 '^-:6:4: warning: .* \[CS8001\]$'

# --- default file discovery: compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml ---
mkdir "$tmp/proj" "$tmp/none"
cp "$clean" "$tmp/proj/docker-compose.yml"
cp "$seed" "$tmp/proj/compose.yml"
run_in "$tmp/proj" lint; expect "no FILE: compose.yml wins over docker-compose.yml" 1 '^compose.yml:4:4'
rm "$tmp/proj/compose.yml"
run_in "$tmp/proj" lint; expect "no FILE: docker-compose.yml" 0
run_in "$tmp/none" lint; expect "no FILE and none found: exit 2" 2 '' 'compose.yaml'

# --- formats ---
run lint --format json "$seed"
if [ "$rc" = 1 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
keys = {"rule","name","severity","file","line","column","end_line","end_column","message","hint","fixable"}
assert all(set(x) == keys for x in d["diagnostics"]), "keys"
assert [(x["line"], x["column"], x["end_column"]) for x in d["diagnostics"]] == [(4, 4, 18), (6, 4, 11)]
assert d["summary"] == {"files": 1, "errors": 0, "warnings": 2, "infos": 0}, d["summary"]
' "$tmp/out"; then ok "json format: CLI.md keys, positions, summary"; else fail "json format"; fi
run lint --format json "$clean"
if [ "$rc" = 0 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["diagnostics"] == []' "$tmp/out"; then
	ok "json format on a clean file: empty list"; else fail "json format on a clean file"; fi

# --- colour: only on a terminal, never with NO_COLOR ---
esc=$(printf '\033')
run lint "$seed"
case $out in *"$esc"*) fail "no colour when standard output is not a terminal";; *) ok "no colour into a pipe";; esac
if command -v script >/dev/null 2>&1; then
	script -qec "env -u NO_COLOR '$bin' lint '$seed'" /dev/null >"$tmp/tty" 2>&1
	if grep -q "$esc\[" "$tmp/tty"; then ok "colour on a terminal"; else rc=?; fail "colour on a terminal"; fi
	script -qec "env NO_COLOR=1 '$bin' lint '$seed'" /dev/null >"$tmp/tty" 2>&1
	if grep -q "$esc\[" "$tmp/tty"; then rc=?; fail "NO_COLOR on a terminal"; else ok "NO_COLOR turns colour off on a terminal"; fi
else
	echo "skip colour on a terminal: no script(1)"
fi

# --- interpolation: the process environment, --env-file, --no-interpolate ---
req=$top/fixtures/lint/CS3002.yml
run lint "$req";            expect "an unset \${VAR:?} variable is an error" 1 ':7:26: error: .*\[CS3002\]'
printf '# comment\nC2S_FIXTURE_DB_PASSWORD=s3cret\n' >"$tmp/vars.env"
run lint --env-file "$tmp/vars.env" "$req"; expect "--env-file sets the variable" 0
no_stdout "--env-file: nothing left to report"
export C2S_FIXTURE_DB_PASSWORD=fromenv
run lint "$req";            expect "the process environment sets the variable" 0
unset C2S_FIXTURE_DB_PASSWORD
run lint --no-interpolate "$req"; expect "--no-interpolate leaves \${VAR} alone" 0
run lint --env-file "$tmp/absent.env" "$req"; expect "a missing --env-file exits 2" 2 '' 'absent.env'
printf 'export A=1\n' >"$tmp/bad.env"
run lint --env-file "$tmp/bad.env" "$req"; expect "an invalid --env-file exits 2" 2 '' "variable 'export A' contains whitespaces"
run lint "$top/fixtures/lint/CS3004.yml"; expect "a variable only in .env is a warning" 1 ':3:18: warning: C2S_FIXTURE_TAG .*\[CS3004\]'
run lint --env-file "$top/fixtures/lint/.env" "$top/fixtures/lint/CS3004.yml"; expect "--env-file .env silences the .env trap" 0

# --- --stack: the names swarm checks in full (a 50-character service name) ---
long=$(printf 'a%.0s' $(seq 50))
printf 'services:\n  %s:\n    image: nginx:1.27\n    healthcheck: {test: [CMD, "true"]}\n' "$long" >"$tmp/long.yml"
run lint --fail-on error "$tmp/long.yml"; expect "a 50-character service name fits some stack name" 0
run lint --fail-on error --stack s "$tmp/long.yml"; expect "--stack s: s_ + 50 fits in 63" 0
run lint --fail-on error --stack production-frontend "$tmp/long.yml"
expect "--stack production-frontend: 70 characters do not" 1 ':2:3: error: name must be 63 characters or fewer .*\[CS2012\]'

# --- --engine-version: refusals that changed with the engine ---
printf 'services:\n  web:\n    image: nginx:1.27\n    healthcheck: {test: [CMD, "true"], start_interval: 1ns}\n    volumes: [{type: cluster, source: g, target: /d}]\nvolumes:\n  g: {}\n' >"$tmp/versions.yml"
run lint --fail-on error --format gnu "$tmp/versions.yml"
expect "no --engine-version: what any engine refuses" 1 'invalid MountType: "cluster".*\[CS2010\]'
echo "$out" | grep -q 'StartInterval in HealthConfig.*\[CS2011\]' || fail "no --engine-version: start_interval unreported"
run lint --fail-on error --format gnu --engine-version 20.10 "$tmp/versions.yml"
expect "20.10: cluster mounts refused" 1 'invalid MountType: "cluster"'
echo "$out" | grep -q 'StartInterval' && fail "20.10 drops start_interval, does not refuse it"
run lint --fail-on error --format gnu --engine-version 25.0 "$tmp/versions.yml"
expect "25.0: cluster mounts fine, start_interval below 1ms refused" 1 'StartInterval in HealthConfig'
echo "$out" | grep -q 'MountType' && fail "25.0 takes cluster mounts"
# an image from a registry at an IPv6 address: dockerd 20.10.24 refused it (swarmkit's
# docker/distribution reference); 25.0 validates with distribution/reference, which takes it
printf 'services:\n  web:\n    image: "[::1]:5000/app"\n    healthcheck: {test: [CMD, "true"]}\n' >"$tmp/ipv6.yml"
run lint --fail-on error --format gnu --engine-version 24.0 "$tmp/ipv6.yml"
expect "24.0: an IPv6 registry is refused" 1 'ContainerSpec: "\[::1\]:5000/app:latest" is not a valid repository/tag.*\[CS2010\]'
run lint --fail-on error --format gnu --engine-version 25.0 "$tmp/ipv6.yml"
expect "25.0: an IPv6 registry is fine" 0

# --- a Go template in an env value (CS2014), with and without interpolation ---
printf 'services:\n  web:\n    image: nginx:1.27\n    healthcheck: {test: [CMD, "true"]}\n    environment:\n      - A={{ $$labels.x }}\n' >"$tmp/gotemplate.yml"
run lint --fail-on error --format gnu "$tmp/gotemplate.yml"
expect "\$\$ is \$ once interpolated: an undefined template variable" 1 'undefined variable "\$labels".*\[CS2014\]'
run lint --fail-on error --no-interpolate "$tmp/gotemplate.yml"
expect "--no-interpolate: a value holding \$ is not judged" 0

# --- rules and explain ---
run rules;                 expect "rules lists the table" 0 '^CS5101 +container-name'
run rules --format json
if [ "$rc" = 0 ] && python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert any(x["id"]=="CS5101" for x in (r["rules"] if isinstance(r, dict) else r))' "$tmp/out"; then
	ok "rules --format json is JSON with CS5101"; else fail "rules --format json"; fi
run explain CS5101;        expect "explain prints the rule's page" 0 '^# CS5101 container-name'
run explain container-name; expect "explain takes a rule name too" 0 '^# CS5101'
run explain cs5101;        expect "explain ids are case-insensitive" 0 '^# CS5101'
run explain CS0000;        expect "explain of an unknown rule exits 2" 2 '' "no rule 'CS0000'"
run explain;               expect "explain without a rule exits 2" 2
# every page, byte for byte: backslashes, quotes and tabs survive the build's C table
# (embed-docs.sh); CS1094's page holds a backslash
bad=
for page in "$top"/docs/rules/CS*.md; do
	id=$(basename "$page" .md)
	"$bin" explain "$id" >"$tmp/page" 2>/dev/null && cmp -s "$tmp/page" "$page" || bad="$bad $id"
done
if [ -z "$bad" ] && grep -q '\\' "$top/docs/rules/CS1094.md"; then ok "explain prints every rule page as written"
else fail "explain differs from the page:$bad"; fi

# --- convert: -o is atomic, rejected input leaves stdout and the old file alone ---
printf 'version: "3.8"\nservices:\n  web:\n    image: nginx\n' >"$tmp/good.yml"
printf 'version: "3.8"\nservices:\n  web:\n    image: nginx\n    deploy:\n      resources:\n        limits:\n          memory: 1x\n' >"$tmp/bad.yml"
run convert -c "$tmp/good.yml";    expect "convert prints docker's yaml" 0 '^    image: nginx$'
run convert -c "$tmp/bad.yml";     expect "convert of a refused file exits 1" 1 '' "invalid suffix: 'x'"
no_stdout "a refused file prints nothing on stdout"
printf 'old\n' >"$tmp/out.yml"
run convert -c "$tmp/bad.yml" -o "$tmp/out.yml"; expect "convert -o of a refused file exits 1" 1
if [ "$(cat "$tmp/out.yml")" = old ]; then ok "the old -o file is untouched on error"; else fail "the old -o file is untouched on error"; fi
run convert -c "$tmp/good.yml" -o "$tmp/out.yml"; expect "convert -o writes the file" 0
no_stdout "convert -o prints nothing on stdout"
if grep -q '^version: "3.8"$' "$tmp/out.yml" && [ -z "$(ls "$tmp" | grep tmp)" ]; then ok "-o replaced the file, no temporary left"; else fail "-o replaced the file, no temporary left"; fi
chmod 640 "$tmp/out.yml"
run convert -c "$tmp/good.yml" -o "$tmp/out.yml"
if [ "$(stat -c %a "$tmp/out.yml")" = 640 ]; then ok "-o keeps the old file's mode"; else fail "-o keeps the old file's mode"; fi
(umask 022 && NO_COLOR=1 "$bin" convert -c "$tmp/good.yml" -o "$tmp/new.yml")
if [ "$(stat -c %a "$tmp/new.yml")" = 644 ]; then ok "-o makes a new file as umask allows"; else fail "-o makes a new file as umask allows"; fi
run convert -c "$tmp/good.yml" -o "$tmp/no/such/dir/out.yml"; expect "-o into a missing directory exits 2" 2 '' 'No such file or directory'
run convert -c "$tmp/absent.yml"; expect "convert of a missing file exits 2" 2 '' 'absent.yml'
run convert;                       expect "convert without -c exits 2" 2 '' 'Specify a Compose file'
run convert -c "$tmp/good.yml" --to xml; expect "convert --to xml is a usage error" 2
if [ -w /dev/full ]; then
	NO_COLOR=1 "$bin" convert -c "$tmp/good.yml" >/dev/full 2>"$tmp/err"; rc=$?
	if [ "$rc" = 2 ]; then ok "convert to a full disk exits 2"; else fail "convert to a full disk exits 2"; fi
fi

# --- output errors: a closed or full standard output is trouble, not success ---
if [ -w /dev/full ]; then
	NO_COLOR=1 "$bin" lint "$seed" >/dev/full 2>"$tmp/err"; rc=$?
	if [ "$rc" = 2 ]; then ok "writing to a full disk exits 2"; else fail "writing to a full disk exits 2"; fi
fi

finish
