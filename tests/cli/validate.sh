#!/bin/sh
# validate.sh -- lint's verdict on each fixtures/validate/*.yml equals the real
# engine's, as the file's "# c2s-validate:" line records it (the check-swarm tier
# validate checks those lines against a live dockerd 20.10): refused files fail
# `lint --fail-on error` with the named rule, accepted ones pass. No dockerd here,
# so a rule change that breaks the table fails `make check`, not only check-swarm.
# The checker itself is checked: a wrong verdict and a wrong rule must be caught.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
C2S=${C2S:-$top/compose2swarm}
export C2S
rv="$top/scripts/real-verdict.sh"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
status=0

if bash "$rv" expect "$top"/fixtures/validate/*.yml; then
	echo "ok   every fixtures/validate file: lint's verdict and rule as recorded"
else
	echo "FAIL fixtures/validate: lint differs from the recorded engine verdicts (above)"
	status=1
fi

# a fixture recording the opposite verdict, or another rule, must be reported
src="$top/fixtures/validate/restart-always.yml"
sed 's/^# c2s-validate: .*/# c2s-validate: accepted/' "$src" >"$tmp/wrong-verdict.yml"
sed 's/^# c2s-validate: .*/# c2s-validate: refused CS2016/' "$src" >"$tmp/wrong-rule.yml"
for f in wrong-verdict wrong-rule; do
	if bash "$rv" expect "$tmp/$f.yml" >"$tmp/out" 2>&1; then
		echo "FAIL expect mode passes $f.yml"
		status=1
	elif grep -q "^DIFFERS $f:" "$tmp/out"; then
		echo "ok   expect mode reports $f.yml"
	else
		echo "FAIL expect mode: no DIFFERS line for $f.yml"
		cat "$tmp/out"
		status=1
	fi
done
exit $status
