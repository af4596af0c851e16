#!/bin/sh
# conventions.sh -- what users expect of a command-line linter: every message
# prefixed "compose2swarm:" (getopt's too), --color and the colour variables,
# "did you mean" for rule ids, the ignore-file pragma, JUnit passing cases.
# Expected outputs are written here by hand.
set -u
. "$(dirname "$0")/lib.sh"
seed=$top/fixtures/seed/docker-compose.yml
clean=$top/fixtures/ok/clean-stack.yml
esc=$(printf '\033')

# --- error messages: "compose2swarm:", never "lint:" or "convert:" (getopt's own included) ---
for args in "lint --no-such-option" "lint -f" "lint --format" "lint -x" "convert --to" "convert --nope" \
	"rules --nope" "lint --fail-on" "convert -c"; do
	# shellcheck disable=SC2086
	run $args
	if [ "$rc" = 2 ] && grep -q '^compose2swarm: ' "$tmp/err" && ! grep -Eq '^(lint|convert|rules|explain):' "$tmp/err"; then
		ok "'$args': exit 2, message prefixed compose2swarm:"
	else
		fail "'$args': exit 2, message prefixed compose2swarm:"
	fi
done
run lint --frobnicate "$seed"; expect "getopt's message names the option" 2 '' "^compose2swarm: unrecognized option '--frobnicate'"
# docker's own texts keep their words, after our prefix
printf 'version: "3.8"\nservices:\n  a:\n    image: nginx\n' >"$tmp/v38.yml"
printf 'version: "3.7"\nservices:\n  b:\n    image: nginx\n' >"$tmp/v37.yml"
run convert --to api --stack ' ' -c "$tmp/v38.yml"; expect "convert: docker's stack name error, prefixed" 1 '' '^compose2swarm: invalid stack name: " "$'
run convert -c "$tmp/v38.yml" -c "$tmp/v37.yml"; expect "convert: docker's version mismatch, prefixed" 1 '' '^compose2swarm: version mismatched between two composefiles : 3.8 and 3.7$'
run explain; expect "explain: usage error prefixed" 2 '' '^compose2swarm: explain takes one rule'
# every line on standard error of these is ours: "compose2swarm: ...", "Try ...", or a diagnostic FILE:LINE:COL
for args in "lint --severity CS5101" "lint --engine-version x" "convert -c $tmp/absent.yml" "lint $tmp/absent.yml" "rules --format xml" "nosuchcommand"; do
	# shellcheck disable=SC2086
	run $args
	if grep -Evq '^(compose2swarm: |Try |[^:]+:[0-9]+:[0-9]+: )' "$tmp/err"; then fail "'$args': every stderr line is prefixed"
	else ok "'$args': every stderr line is prefixed"; fi
done

# --- colour: --color=auto|always|never, NO_COLOR only when not empty, FORCE_COLOR, CLICOLOR_FORCE ---
# colour ENV... -- ARGS...: lint the seed into a pipe with exactly this colour environment; $coloured 1/0
colour() {
	envs=""
	while [ "$1" != "--" ]; do envs="$envs $1"; shift; done
	shift
	# shellcheck disable=SC2086
	env -u NO_COLOR -u FORCE_COLOR -u CLICOLOR_FORCE -u CLICOLOR $envs "$bin" lint "$@" "$seed" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if grep -q "$esc\[" "$tmp/out"; then coloured=1; else coloured=0; fi
}
expect_colour() { # NAME WANT
	if [ "$rc" = 1 ] && [ "$coloured" = "$2" ]; then ok "$1"; else fail "$1 (want colour=$2, got $coloured)"; fi
}
colour --;                              expect_colour "a pipe: no colour" 0
colour -- --color=always;               expect_colour "--color=always colours a pipe" 1
colour -- --color;                      expect_colour "--color alone is always" 1
colour -- --colour=always;              expect_colour "--colour is --color" 1
colour NO_COLOR=1 -- --color=always;    expect_colour "--color=always wins over NO_COLOR" 1
colour FORCE_COLOR=1 -- --color=never;  expect_colour "--color=never wins over FORCE_COLOR" 0
colour FORCE_COLOR=1 --;                expect_colour "FORCE_COLOR=1 colours a pipe" 1
colour FORCE_COLOR=0 --;                expect_colour "FORCE_COLOR=0 does not" 0
colour FORCE_COLOR= --;                 expect_colour "FORCE_COLOR empty does not" 0
colour CLICOLOR_FORCE=1 --;             expect_colour "CLICOLOR_FORCE=1 colours a pipe" 1
colour CLICOLOR_FORCE=0 --;             expect_colour "CLICOLOR_FORCE=0 does not" 0
colour NO_COLOR=1 FORCE_COLOR=1 --;     expect_colour "NO_COLOR wins over FORCE_COLOR" 0
colour NO_COLOR= FORCE_COLOR=1 --;      expect_colour "an empty NO_COLOR does not count" 1
colour FORCE_COLOR=1 -- --format gnu;   expect_colour "colour is for the text format only" 0
run lint --color=sometimes "$seed";     expect "--color=sometimes is a usage error" 2 '' "^compose2swarm: --color wants auto, always or never, not 'sometimes'"
if command -v script >/dev/null 2>&1; then
	script -qec "env -u FORCE_COLOR -u CLICOLOR_FORCE NO_COLOR= '$bin' lint '$seed'" /dev/null >"$tmp/tty" 2>&1
	if grep -q "$esc\[" "$tmp/tty"; then ok "an empty NO_COLOR on a terminal: colour"; else fail "an empty NO_COLOR on a terminal: colour"; fi
	script -qec "env NO_COLOR=1 '$bin' lint --color=auto '$seed'" /dev/null >"$tmp/tty" 2>&1
	if grep -q "$esc\[" "$tmp/tty"; then fail "NO_COLOR=1 on a terminal: no colour"; else ok "NO_COLOR=1 on a terminal: no colour"; fi
	script -qec "env -u NO_COLOR '$bin' lint --color=never '$seed'" /dev/null >"$tmp/tty" 2>&1
	if grep -q "$esc\[" "$tmp/tty"; then fail "--color=never on a terminal"; else ok "--color=never on a terminal: no colour"; fi
else
	echo "skip colour on a terminal: no script(1)"
fi

# --- did you mean: rule ids and names on the command line, in a config file, in a pragma, in explain ---
run lint --disable CS5110 "$seed";  expect "--disable CS5110: did you mean" 2 '' "^compose2swarm: unknown rule 'CS5110' \(did you mean CS5101, container-name\?\)$"
run lint --enable contaner-name "$seed"; expect "--enable by a misspelt name" 2 '' "unknown rule 'contaner-name' \(did you mean CS5101, container-name\?\)"
run lint --severity cs8010=error "$seed"; expect "--severity: ids are case-insensitive, two digits swapped" 2 '' "unknown rule 'cs8010' \(did you mean CS8001, sysctls-engine\?\)"
run lint --disable CS0000 "$seed";  expect "no near rule: no guess" 2 '' "^compose2swarm: unknown rule 'CS0000' \(see .compose2swarm rules.\)$"
run explain sysctl-engine;          expect "explain: did you mean" 2 '' "no rule 'sysctl-engine' \(did you mean CS8001, sysctls-engine\?\)"
printf 'rules:\n  disable: [CS7010]\n  severity: {privilged: error}\n' >"$tmp/conf.yml"
run lint --config "$tmp/conf.yml" "$seed"
expect "config file: did you mean, at the id's position" 2 '' "conf.yml:2:13: error: unknown rule 'CS7010' \(did you mean CS7001, no-healthcheck\?\)"
expect "config file: a misspelt name too" 2 '' "conf.yml:3:14: error: unknown rule 'privilged' \(did you mean CS5012, privileged\?\)"
printf 'services:\n  web:\n    image: nginx:1.27\n    healthcheck: {test: ["CMD", "true"]}\n    container_name: web # compose2swarm ignore=containr-name -- logs\n' >"$tmp/pragma.yml"
run lint "$tmp/pragma.yml"
expect "pragma: did you mean in the hint" 1 "pragma.yml:5:48: warning: the pragma names containr-name, which is not a rule id or name \[CS1202\]"
expect "pragma: the hint names the rule" 1 '^  hint: did you mean CS5101 \(container-name\)\?$'

# --- ignore-file: one pragma for every line of the file ---
cat >"$tmp/whole.yml" <<'YAML'
# compose2swarm ignore-file=CS5101,no-healthcheck -- legacy stack, names kept for the log shipper
services:
  web:
    image: nginx:1.27
    container_name: web
  db:
    image: postgres:16
    container_name: db
    privileged: true
YAML
run lint -f gnu "$tmp/whole.yml"
if [ "$rc" = 1 ] && [ "$(grep -c . "$tmp/out")" = 1 ] && grep -q 'whole.yml:9:5: warning: .*\[CS5012\]$' "$tmp/out"; then
	ok "ignore-file silences its rules on every line, and nothing else"
else
	fail "ignore-file silences its rules on every line, and nothing else"
fi
printf '# compose2swarm ignore-file=CS5101\nservices:\n  web:\n    image: nginx:1.27\n    healthcheck: {test: ["CMD", "true"]}\n    container_name: web\n' >"$tmp/noreason.yml"
run lint -f gnu "$tmp/noreason.yml"
expect "ignore-file without a reason is reported" 1 "noreason.yml:1:1: warning: the pragma gives no reason \[CS1201\]"
printf '# compose2swarm ignore-file=CS5101 -- old\nservices:\n  web:\n    image: nginx:1.27\n    healthcheck: {test: ["CMD", "true"]}\n' >"$tmp/unused.yml"
run lint -f gnu "$tmp/unused.yml"
expect "an ignore-file that suppresses nothing is reported" 1 "unused.yml:1:1: info: the pragma suppresses nothing in this file \[CS1203\]|unused.yml:1:1: [a-z]+: the pragma suppresses nothing in this file \[CS1203\]"
printf 'services:\n  web:\n    image: nginx:1.27\n    command: |\n      echo "# compose2swarm ignore-file=CS5101 -- not a pragma"\n    healthcheck: {test: ["CMD", "true"]}\n    container_name: web\n' >"$tmp/inscalar.yml"
run lint -f gnu "$tmp/inscalar.yml"
expect "ignore-file inside a block scalar is text, not a pragma" 1 ':7:5: .*\[CS5101\]'

# --- JUnit: a failing testcase per finding, one passing testcase per clean file ---
run lint -f junit "$seed" "$clean"
if [ "$rc" = 1 ] && python3 - "$tmp/out" "$seed" "$clean" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites" and root.get("tests") == "3" and root.get("failures") == "2", root.attrib
suites = root.findall("testsuite")
assert [s.get("name") for s in suites] == [sys.argv[2], sys.argv[3]], [s.get("name") for s in suites]
assert suites[0].get("failures") == "2" and len(suites[0].findall("testcase/failure")) == 2
cases = suites[1].findall("testcase")
assert suites[1].get("tests") == "1" and suites[1].get("failures") == "0" and len(cases) == 1
assert cases[0].find("failure") is None and cases[0].get("classname") == sys.argv[3]
PY
then ok "junit: the clean file is one passing testcase"; else fail "junit: the clean file is one passing testcase"; fi
run lint -f junit "$clean"
if [ "$rc" = 0 ] && grep -q '<testcase name="compose2swarm lint" classname="[^"]*clean-stack.yml"/>' "$tmp/out" &&
	grep -q '<testsuites name="compose2swarm" tests="1" failures="0">' "$tmp/out"; then
	ok "junit: a clean run still has a testcase"; else fail "junit: a clean run still has a testcase"; fi

finish
