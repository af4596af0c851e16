#!/usr/bin/env bash
# corpus-variants.sh -- differential checks against the docker CLI on a corpus of real
# compose files, beyond the one clean-environment run that the fidelity score makes.
#
#   corpus-variants.sh CORPUS [BIN]
#
# CORPUS holds real/NNN.yml, optionally stubs/NNN/ (the env, secret and config files
# the file's repository had beside it) and real/SOURCES.tsv (id, repo, path, commit).
# Each file is staged in its own directory under $C2S_VARIANTS_ROOT (default
# /tmp/c2s-variants) with its stubs, and every check runs there twice, with only PATH,
# HOME and the variables named below in the environment:
#   docker stack config ...          (offline: DOCKER_HOST points at no socket)
#   BIN convert ... --to yaml
# and passes when both accept with byte-identical output, or both refuse. Checks:
#   skip    --skip-interpolation
#   stdin   -c - (the file on standard input)
#   env     every ${VAR}/$VAR the file names set to each value of C2S_VARIANTS_VALUES
#           (space-separated; "EMPTY" stands for the empty string)
#   pairs   -c BASE -c OTHER and -c OTHER -c BASE, for every other file of the same
#           repository directory as a docker-compose.yml/.yaml or compose.yaml
#           (needs SOURCES.tsv)
#   migrate BIN migrate; where it writes a stack file, docker must accept that file
#           and BIN convert must print what docker prints for it
# Prints each difference and one summary line per check; exit 0 when none differ,
# 1 when some do, 2 for usage. Needs the docker CLI (DOCKER_BIN, default
# /usr/local/bin/docker or the first docker on PATH); no daemon.
set -u
[ $# -ge 1 ] && [ -d "$1/real" ] || { echo "usage: $0 CORPUS [BIN]   (CORPUS/real/NNN.yml)" >&2; exit 2; }
corpus=$(cd "$1" && pwd)
bin=$(cd "$(dirname "${2:-./compose2swarm}")" && pwd)/$(basename "${2:-./compose2swarm}")
[ -x "$bin" ] || { echo "$0: no binary at $bin" >&2; exit 2; }
dk=${DOCKER_BIN:-$(command -v /usr/local/bin/docker || command -v docker)}
[ -n "$dk" ] || { echo "$0: no docker CLI" >&2; exit 2; }
root=${C2S_VARIANTS_ROOT:-/tmp/c2s-variants}
values=${C2S_VARIANTS_VALUES:-EMPTY 0 1 x 1.5 1g a:b true}
tmo=${C2S_VARIANTS_TIMEOUT:-20}
out=$(mktemp -d /tmp/c2s-variants-out.XXXXXX)
trap 'rm -rf "$out"' EXIT
bad=0

stage() { # id -> prints the staged directory
	local d=$root/$1
	rm -rf "$d" && mkdir -p "$d" && cp "$corpus/real/$1.yml" "$d/" &&
		{ [ ! -d "$corpus/stubs/$1" ] || cp -r "$corpus/stubs/$1/." "$d/"; } && echo "$d"
}

# same DIR STDIN ENV... -- ARGS...: docker stack config ARGS vs BIN convert ARGS --to yaml
same() {
	local dir=$1 in=$2; shift 2
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	(cd "$dir" && env -i PATH="$PATH" HOME="${HOME:-/root}" "${envs[@]}" DOCKER_HOST=unix:///nonexistent \
		timeout "$tmo" "$dk" stack config "$@" <"$in" >"$out/d.out" 2>"$out/d.err")
	local drc=$?
	(cd "$dir" && env -i PATH="$PATH" HOME="${HOME:-/root}" "${envs[@]}" \
		timeout "$tmo" "$bin" convert "$@" --to yaml <"$in" >"$out/o.out" 2>"$out/o.err")
	local orc=$?
	[ "$orc" -lt 124 ] || { echo "crash or timeout (exit $orc)"; return 1; }
	if [ "$drc" = 0 ]; then
		[ "$orc" = 0 ] || { echo "we refuse what docker accepts: $(head -n 1 "$out/o.err")"; return 1; }
		cmp -s "$out/d.out" "$out/o.out" || { echo "output differs:"; diff "$out/d.out" "$out/o.out" | head -n 6; return 1; }
	else
		[ "$orc" != 0 ] || { echo "we accept what docker refuses: $(tail -n 1 "$out/d.err")"; return 1; }
	fi
	return 0
}

report() { # check n differ
	echo "variants $1: $2 runs, $3 differ"
	[ "$3" = 0 ] || bad=1
}

ids=$(cd "$corpus/real" && ls -- *.yml | sed 's/\.yml$//')

n=0 nd=0
for i in $ids; do
	d=$(stage "$i") || exit 2
	n=$((n + 1))
	msg=$(same "$d" /dev/null -- --skip-interpolation -c "$i.yml") || { nd=$((nd + 1)); echo "skip $i: $msg"; }
done
report skip $n $nd

n=0 nd=0
for i in $ids; do
	d=$root/$i
	n=$((n + 1))
	msg=$(same "$d" "$d/$i.yml" -- -c -) || { nd=$((nd + 1)); echo "stdin $i: $msg"; }
done
report stdin $n $nd

n=0 nd=0
for i in $ids; do
	d=$root/$i
	vars=$(grep -oE '\$\{?[A-Za-z_][A-Za-z0-9_]*' "$d/$i.yml" | sed 's/^\$[{]\{0,1\}//' | sort -u | grep -vx 'PATH\|HOME')
	[ -n "$vars" ] || continue
	for v in $values; do
		[ "$v" = EMPTY ] && v=
		envs=()
		for x in $vars; do envs+=("$x=$v"); done
		n=$((n + 1))
		msg=$(same "$d" /dev/null "${envs[@]}" -- -c "$i.yml") || { nd=$((nd + 1)); echo "env $i (every variable='$v'): $msg"; }
	done
done
report env $n $nd

n=0 nd=0
if [ -f "$corpus/real/SOURCES.tsv" ]; then
	pairs=$(awk -F'\t' 'NR > 1 {
			n = split($3, p, "/"); dir = $2 ":" substr($3, 1, length($3) - length(p[n]))
			if (p[n] ~ /^(docker-compose\.ya?ml|compose\.ya?ml)$/) base[dir] = base[dir] " " $1
			all[dir] = all[dir] " " $1
		}
		END { for (dir in base) { nb = split(base[dir], b, " "); na = split(all[dir], a, " ")
			for (x = 1; x <= nb; x++) for (y = 1; y <= na; y++) if (a[y] != b[x]) print b[x], a[y] } }' \
		"$corpus/real/SOURCES.tsv")
	while read -r a b; do
		[ -n "$a" ] || continue
		d=$root/pair-$a-$b
		rm -rf "$d" && mkdir -p "$d" && cp "$corpus/real/$a.yml" "$corpus/real/$b.yml" "$d/"
		for s in "$a" "$b"; do [ ! -d "$corpus/stubs/$s" ] || cp -r "$corpus/stubs/$s/." "$d/"; done
		n=$((n + 2))
		msg=$(same "$d" /dev/null -- -c "$a.yml" -c "$b.yml") || { nd=$((nd + 1)); echo "pairs $a+$b: $msg"; }
		msg=$(same "$d" /dev/null -- -c "$b.yml" -c "$a.yml") || { nd=$((nd + 1)); echo "pairs $b+$a: $msg"; }
		rm -rf "$d"
	done <<EOF
$pairs
EOF
fi
report pairs $n $nd

n=0 nd=0 nw=0
for i in $ids; do
	d=$root/$i
	(cd "$d" && env -i PATH="$PATH" HOME="${HOME:-/root}" timeout "$tmo" "$bin" migrate -c "$i.yml" \
		-o "$d/migrated.yml" >/dev/null 2>"$out/m.err")
	mrc=$?
	if [ "$mrc" -ge 124 ]; then
		nd=$((nd + 1)); echo "migrate $i: crash or timeout (exit $mrc)"; continue
	fi
	[ "$mrc" = 0 ] || { nw=$((nw + 1)); continue; }
	n=$((n + 1))
	(cd "$d" && env -i PATH="$PATH" HOME="${HOME:-/root}" DOCKER_HOST=unix:///nonexistent \
		timeout "$tmo" "$dk" stack config -c migrated.yml >/dev/null 2>"$out/d.err") ||
		{ nd=$((nd + 1)); echo "migrate $i: docker refuses the migrated file: $(tail -n 1 "$out/d.err")"; continue; }
	msg=$(same "$d" /dev/null -- -c migrated.yml) || { nd=$((nd + 1)); echo "migrate $i: $msg"; }
done
report "migrate (files migrate wrote; $nw it did not)" $n $nd

rm -rf "$root"
exit $bad
