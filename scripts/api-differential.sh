#!/usr/bin/env bash
# api-differential.sh [FIRST [LAST]] -- compare `convert --to api` with what the
# real docker CLI posts (reference.sh + fakedockerd) on seeded random files
# from scripts/api-gen.py. Needs docker; prints every difference, keeps the
# failing files in the work directory, exits 1 if any.
set -u
cd "$(dirname "$0")/.."
top=$PWD
C2S=${C2S:-$top/compose2swarm}
ref=${REFERENCE_SH:-$top/scripts/reference/reference.sh}
work=$(mktemp -d /tmp/c2s-apidiff.XXXXXX)
cd "$work" || exit 2
printf 'one' >s1.txt; printf 'two\n' >s2.txt; printf 'cfg' >c1.txt
bad=0 acc=0 rej=0
for seed in $(seq "${1:-1}" "${2:-50}"); do
	python3 "$top/scripts/api-gen.py" "$seed" >compose.yml
	REF_CLEAN_ENV=1 "$ref" compose.yml out st >/dev/null 2>&1
	drc=$(cat out/deploy.rc)
	env -i PATH="$PATH" HOME="${HOME:-/root}" "$C2S" convert -c compose.yml --to api --stack st >ours.json 2>ours.err
	orc=$?
	if [ "$drc" = 0 ]; then
		acc=$((acc + 1))
		if [ "$orc" != 0 ]; then
			echo "seed $seed: we refuse what docker accepts: $(head -n 1 ours.err)"; bad=1; cp compose.yml "fail-$seed.yml"
		elif ! python3 "$top/tests/golden/api_compare.py" out/payloads.json ours.json . >diff.txt; then
			echo "seed $seed: payloads differ"; head -n 5 diff.txt; bad=1; cp compose.yml "fail-$seed.yml"
		fi
	else
		rej=$((rej + 1))
		if [ "$orc" = 0 ]; then
			echo "seed $seed: we accept what docker refuses: $(grep -v '^$' out/deploy.err | tail -n 1)"; bad=1; cp compose.yml "fail-$seed.yml"
		fi
	fi
done
echo "api-differential: $acc accepted, $rej refused by docker; work dir $work"
[ "$bad" = 0 ] && rm -rf "$work"
exit "$bad"
