#!/bin/bash
# installed.sh -- `make installcheck` (make distcheck runs it after `make install`): the
# installed tree has the binary, the man page, one page per rule of the rule table and
# the bash, zsh and fish completions, and the installed bash completion, sourced as
# bash-completion does, completes rule ids with the installed binary.
# Usage: installed.sh BINDIR MAN1DIR RULEDOCSDIR BASHDIR ZSHDIR FISHDIR
set -u
[ $# -eq 6 ] || { echo "usage: installed.sh BINDIR MAN1DIR RULEDOCSDIR BASHDIR ZSHDIR FISHDIR"; exit 99; }
bindir=$1 man1dir=$2 ruledocsdir=$3 bashdir=$4 zshdir=$5 fishdir=$6
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

bin=$bindir/compose2swarm
check "binary in bindir, runs" "$bin" --version
check "man page in man1dir" test -s "$man1dir/compose2swarm.1"
ids=$("$bin" rules | awk 'NR > 1 { print $1 }')
n=0 missing=
for id in $ids; do
	n=$((n + 1))
	[ -s "$ruledocsdir/$id.md" ] || missing="$missing $id"
done
check "a page in $ruledocsdir for each of the $n rules" test -z "$missing" -a "$n" -gt 0
check "bash completion" test -s "$bashdir/compose2swarm"
check "zsh completion" test -s "$zshdir/_compose2swarm"
check "fish completion" test -s "$fishdir/compose2swarm.fish"
got=$(PATH=$bindir:$PATH bash --norc --noprofile -c '. "$1"; COMP_WORDS=(compose2swarm explain CS510); COMP_CWORD=2
	_compose2swarm; printf "%s " "${COMPREPLY[@]}"' sh "$bashdir/compose2swarm")
want=$(printf '%s\n' $ids | grep '^CS510' | tr '\n' ' ')
check "the installed bash completion completes explain CS510 with the installed binary ($want)" test -n "$want" -a "$got" = "$want"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
