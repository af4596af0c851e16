#!/usr/bin/env bash
# tests/swarm/run.sh -- `make check-swarm`: one private single-node swarm
# (tests/swarm/lib.sh) and every tier on it, in order: tests/swarm/tier-*.sh.
#
# Each tier is a script that reuses this swarm (SWARM_SOCK), names its stacks
# after itself, removes them when done, and exits 0 pass, 1 fail, 77 skip.
# C2S_SWARM_TIERS="payloads plan" runs only those tiers. The swarm is stopped
# by its pid when the runner ends, on failure and on signals too.
# Exit 0 every tier passed (or skipped), 1 a tier failed, 77 no swarm here.
set -u
SWARM_NAME=run
. "$(dirname "$0")/lib.sh"
[ -x "$C2S" ] || fail "no binary at $C2S"
tiers=${C2S_SWARM_TIERS:-}
if [ -z "$tiers" ]; then
	for f in "$top_srcdir"/tests/swarm/tier-*.sh; do
		t=${f##*/tier-}; tiers="$tiers ${t%.sh}"
	done
fi
swarm_start
failed= results=
for t in $tiers; do
	f=$top_srcdir/tests/swarm/tier-$t.sh
	[ -f "$f" ] || fail "no tier $t ($f)"
	start=$(date +%s)
	# the tier's output goes on as it comes, and to a file: a failed tier's
	# last lines are shown again at the end, where a CI log's tail shows them
	SWARM_NAME=$t top_srcdir=$top_srcdir C2S=$C2S bash "$f" 2>&1 | tee "$SWARM_TMP/tier-$t.log" >&2
	rc=${PIPESTATUS[0]}
	secs=$(($(date +%s) - start))
	case $rc in
	0) r=PASS ;;
	77) r=SKIP ;;
	*) r=FAIL failed="$failed $t" ;;
	esac
	results="$results$(printf '  %-12s %s in %d s' "$t" "$r" "$secs")
"
done
say "tiers:"
printf '%s' "$results" >&2
if [ -n "$failed" ]; then
	swarm_show_log
	for t in $failed; do
		say "tier $t (last lines):"
		tail -n 40 "$SWARM_TMP/tier-$t.log" >&2
	done
	printf '%s' "$results" >&2
	fail "failed tiers:$failed"
fi
say "PASS"
