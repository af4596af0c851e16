#!/usr/bin/env bash
# tests/swarm/tier-validate.sh -- check-swarm tier: the engine's verdict is lint's.
#
# Each fixtures/validate/*.yml is one small stack with one setting a real Docker
# Engine refuses or accepts when `docker stack deploy` creates it. Each is
# deployed with the docker CLI on the private swarm (tests/swarm/lib.sh) and
# removed again (scripts/real-verdict.sh live, stacks named val*); the tier
# passes when, on every file, `compose2swarm lint --fail-on error` (with the
# engine's version, the stack's name, and the can-never-run rules aside) says
# what the engine did, the engine did what the file's "# c2s-validate:" line
# says, and lint reports the rule that line names. So the rule table cannot
# drift from the engine. About 150 stacks, 1 to 3 minutes (2 min 20 s on a loaded machine).
# Exit 0 pass, 1 fail, 77 skip (no dockerd/root here: it says why).
set -u
. "$(dirname "$0")/lib.sh"
[ -x "$C2S" ] || fail "no binary at $C2S"
swarm_start
C2S_RV_KEEP=1 C2S_RV_PREFIX=val SWARM_NAME=${SWARM_NAME:-validate} top_srcdir=$top_srcdir \
	bash "$top_srcdir/scripts/real-verdict.sh" live "$top_srcdir"/fixtures/validate/*.yml ||
	fail "lint's verdict differs from the engine's (above)"
say "PASS"
