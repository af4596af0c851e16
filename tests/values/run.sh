#!/bin/sh
# run.sh -- `make check`'s run of scripts/value-edges.py: for each value class,
# generated edge cases where lint, convert and docker must agree. Docker's
# answers are the recorded ones in tests/values/CLASS.json (written by
# `scripts/value-edges.py --regen` from docker CLI 28.2 and
# scripts/reference/reference.sh), so no docker is needed here; where the
# docker CLI is installed, `scripts/value-edges.py --live` asks it afresh.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
C2S=${C2S:-$top_srcdir/compose2swarm}
command -v python3 >/dev/null 2>&1 || { echo "value-edges: no python3; skipped"; exit 77; }
exec python3 "$top_srcdir/scripts/value-edges.py" --bin "$C2S"
