#!/bin/bash
# completions.sh -- the bash, zsh and fish completions (completions/) on the binary under
# test. Rule ids are checked against src/rules.def (the rule table), commands against
# --help, values against what lint and convert accept; the three shells must offer the
# same words. bash runs its completion function as readline would call it; fish runs
# its real completion machinery (complete -C); zsh runs the function with compadd,
# compset and _files standing in for its completion system (they record what is
# offered). A shell that is not installed is skipped (install-deps installs all three).
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${C2S:-$top/compose2swarm}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
ln -s "$bin" "$tmp/bin/compose2swarm"
export PATH=$tmp/bin:$PATH

# complete_bash WORD... (the last word is the one being completed): the candidates, one a line
complete_bash() {
	bash --norc --noprofile -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _compose2swarm
		printf "%s\n" "${COMPREPLY[@]}"' sh "$top/completions/bash/compose2swarm" "$@" | sort
}
complete_fish() {
	local line
	line=$(printf '%s ' "$@")
	line=${line% }
	fish -N -c 'source $argv[1]; complete -C$argv[2]' "$top/completions/fish/compose2swarm.fish" "$line" | cut -f1 | sort
}
complete_zsh() {
	zsh -f -c '
		compadd() { local suffix= w; local -a arr
			while (( $# )); do case $1 in -S) suffix=$2; shift 2;; -a) arr+=(${(P)2}); shift 2;; *) arr+=($1); shift;; esac; done
			for w in $arr; do [[ $w$suffix == ${PREFIX}* ]] && print -r -- "$IPREFIX$w$suffix"; done; }
		compset() { if [[ $1 == -P && $PREFIX == *=* ]]; then IPREFIX=${PREFIX%%=*}=; PREFIX=${PREFIX#*=}; fi; }
		_files() { print -r -- "<files>"; }
		src=$1; shift
		words=("$@"); CURRENT=$#; PREFIX=${words[CURRENT]}; IPREFIX=
		source $src' zsh "$top/completions/zsh/_compose2swarm" "$@" | sort
}

shells=bash
command -v fish >/dev/null && shells="$shells fish" || echo "SKIP fish: not installed"
command -v zsh >/dev/null && shells="$shells zsh" || echo "SKIP zsh: not installed"

# expect NAME WANT-FILE WORD...: every shell offers exactly WANT-FILE's lines
expect() {
	local name=$1 want=$2 sh
	shift 2
	for sh in $shells; do
		"complete_$sh" "$@" >"$tmp/got.$sh" 2>"$tmp/err.$sh"
		if cmp -s "$want" "$tmp/got.$sh"; then
			ok "$sh: $name"
		else
			fail "$sh: $name"
			diff "$want" "$tmp/got.$sh" | head -10
			head -5 "$tmp/err.$sh"
		fi
	done
}

# commands: the binary's --help usage lines
{ "$bin" --help | awk '/^(Usage:)? +compose2swarm [a-z]/ { for (i = 1; i < NF; i++) if ($i == "compose2swarm") { print $(i + 1); break } }'
	printf '%s\n' --help --version; } | sort >"$tmp/want"
grep -qx lint "$tmp/want" && grep -qx convert "$tmp/want" || fail "--help names no lint/convert"
expect "commands are --help's" "$tmp/want" compose2swarm ""

# rule ids and names: the rule table, src/rules.def
sed -n 's/^[A-Z_0-9]*(\(CS[0-9]*\), *"\([a-z0-9-]*\)".*/\1\n\2/p' "$top/src/rules.def" | sort >"$tmp/rules"
[ "$(wc -l <"$tmp/rules")" -gt 140 ] || fail "read only $(wc -l <"$tmp/rules") ids and names from src/rules.def"
expect "lint --disable: every rule id and name of src/rules.def" "$tmp/rules" compose2swarm lint --disable ""
grep '^CS51' "$tmp/rules" >"$tmp/want"
expect "lint --enable CS51: the CS51xx ids" "$tmp/want" compose2swarm lint --enable CS51
grep '^CS9' "$tmp/rules" >"$tmp/want"
expect "explain CS9: the CS9xxx ids" "$tmp/want" compose2swarm explain CS9
grep '^CS510' "$tmp/rules" | sed 's/$/=/' >"$tmp/want"
expect "--severity CS510: RULE=" "$tmp/want" compose2swarm lint --severity CS510
printf 'CS5101=error\nCS5101=info\nCS5101=warning\n' >"$tmp/want"
expect "--severity CS5101=: the levels" "$tmp/want" compose2swarm lint --severity CS5101=

# option values: each offered value is one the binary takes, and the known ones are there
for sh in $shells; do
	"complete_$sh" compose2swarm lint --format "" >"$tmp/formats"
	bad=
	while read -r f; do
		"$bin" lint --format "$f" "$top/fixtures/ok/clean-stack.yml" >/dev/null 2>&1 || bad="$bad $f"
	done <"$tmp/formats"
	if [ -z "$bad" ] && grep -qx sarif "$tmp/formats" && grep -qx codeclimate "$tmp/formats" && grep -qx text "$tmp/formats"; then
		ok "$sh: lint --format: $(wc -l <"$tmp/formats") formats, each one lint takes"
	else
		fail "$sh: lint --format offers$bad that lint refuses, or misses one: $(tr '\n' ' ' <"$tmp/formats")"
	fi
done
printf 'error\ninfo\nnone\nwarning\n' >"$tmp/want"
expect "lint --fail-on: the levels" "$tmp/want" compose2swarm lint --fail-on ""
printf 'api\nyaml\n' >"$tmp/want"
expect "convert --to: yaml and api" "$tmp/want" compose2swarm convert --to ""
printf 'json\ntext\n' >"$tmp/want"
expect "rules --format: text and json" "$tmp/want" compose2swarm rules --format ""

# options: those of CMD --help, each one the binary knows
"$bin" lint --help | awk '/^ +-/ { for (i = 1; i <= NF; i++) { w = $i; sub(/,$/, "", w); if (w ~ /^--[a-z]/) print w; else if (w !~ /^-[a-z]/) break } }' |
	{ cat; echo --help; } | sort >"$tmp/want"
grep -qx -- --fail-on "$tmp/want" && grep -qx -- --disable "$tmp/want" || fail "lint --help lists no --fail-on/--disable"
for sh in $shells; do
	"complete_$sh" compose2swarm lint --f >"$tmp/got"
	grep '^--f' "$tmp/want" | cmp -s - "$tmp/got" && ok "$sh: lint --f: $(tr '\n' ' ' <"$tmp/got")" ||
		fail "$sh: lint --f: $(tr '\n' ' ' <"$tmp/got")"
done

# files where files go
for sh in $shells; do
	(cd "$top" && "complete_$sh" compose2swarm lint fixtures/se) >"$tmp/got"
	grep -q -e 'fixtures/seed' -e '<files>' "$tmp/got" && ok "$sh: lint FILE completes paths" ||
		fail "$sh: lint FILE: $(cat "$tmp/got")"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
