# lib.sh -- helpers for the CLI tests: run the binary, check status and output.
# Sourced by tests/cli/run.sh; each check prints "ok" or "FAIL" and counts.
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${C2S:-$top/compose2swarm}
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# run CMD...: run the binary with NO_COLOR set; sets $rc, $out, $err.
run() {
	NO_COLOR=1 "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# run_in DIR CMD...: the same from directory DIR, with standard input from $stdin_file if set.
run_in() {
	d=$1; shift
	(cd "$d" && NO_COLOR=1 "$bin" "$@" >"$tmp/out" 2>"$tmp/err" <"${stdin_file:-/dev/null}")
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() {
	failed=$((failed + 1))
	echo "FAIL $1"
	echo "  exit: $rc"
	echo "  stdout: $(head -c 600 "$tmp/out")"
	echo "  stderr: $(head -c 600 "$tmp/err")"
}

# expect NAME STATUS [GREP-ON-STDOUT] [GREP-ON-STDERR]: check the last run.
expect() {
	name=$1 want=$2 pat_out=${3:-} pat_err=${4:-}
	if [ "$rc" != "$want" ]; then fail "$name (want exit $want)"; return; fi
	if [ -n "$pat_out" ] && ! grep -Eq -- "$pat_out" "$tmp/out"; then fail "$name (stdout lacks /$pat_out/)"; return; fi
	if [ -n "$pat_err" ] && ! grep -Eq -- "$pat_err" "$tmp/err"; then fail "$name (stderr lacks /$pat_err/)"; return; fi
	ok "$name"
}

# no_stdout NAME: the last run printed nothing on standard output.
no_stdout() { if [ -s "$tmp/out" ]; then fail "$1 (stdout not empty)"; else ok "$1"; fi; }

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# schema_python: a python3 with the jsonschema module (python3, else Debian's
# /usr/bin/python3, where scripts/install-deps.sh puts python3-jsonschema), or "".
schema_python() {
	for p in python3 /usr/bin/python3; do
		if "$p" -c 'import jsonschema' >/dev/null 2>&1; then echo "$p"; return; fi
	done
}

# missing_tool WHAT: a checker is not installed: a failure in CI (CI=true), else a skip.
missing_tool() {
	if [ "${CI:-}" = true ]; then
		rc=- fail "$1 is not installed (scripts/install-deps.sh installs it)"
	else
		echo "skip $1 is not installed (scripts/install-deps.sh installs it)"
	fi
}
