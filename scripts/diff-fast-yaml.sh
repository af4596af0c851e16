#!/bin/sh
# diff-fast-yaml.sh [N] [FILE-OR-DIR...] -- the fast YAML scanner end to end:
# builds compose2swarm a second time with -DC2S_NO_FAST_YAML (libyaml only)
# in a temporary clone of this checkout's HEAD, makes N random edits of each
# input (default: fixtures/ and tests/golden/ YAML files, 12 edits each), and
# requires `lint` and `convert` to print the same bytes and exit the same way
# with and without the fast scanner. tests/unit/test_yaml_fast.c checks the
# scanner's events against libyaml's; this checks what the user sees,
# including the loader's restart when the scanner gives up half way.
#
#   scripts/diff-fast-yaml.sh 12 DIR-OF-REAL-COMPOSE-FILES
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-12}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- "$top/fixtures" "$top/tests/golden"
fast=$top/compose2swarm
[ -x "$fast" ] || { echo "diff-fast-yaml.sh: build compose2swarm first" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git -C "$top" worktree add -q --detach "$work/src" HEAD
trap 'git -C "$top" worktree remove --force "$work/src"; rm -rf "$work"' EXIT
(cd "$work/src" && autoreconf -fi && ./configure CFLAGS="-O2 -DC2S_NO_FAST_YAML" && make -j2) >"$work/build.log" 2>&1 ||
	{ tail -20 "$work/build.log"; exit 2; }
slow=$work/src/compose2swarm
mkdir "$work/in"
python3 - "$work/in" "$n" "$@" <<'EOF'
import os, random, sys
out, n, roots = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
random.seed(7)
files = []
for r in roots:
    if os.path.isfile(r):
        files.append(r)
    for d, _, names in os.walk(r):
        files += [os.path.join(d, x) for x in sorted(names) if x.endswith((".yml", ".yaml"))]
alpha = " \n-:#'\"[]{},&*!|>\t\r?%@`\\.a0~<$+"
k = 0
for f in sorted(files):
    src = open(f, "rb").read()
    if len(src) > 40000:
        continue
    for _ in range(n):
        b = bytearray(src)
        for _ in range(random.randint(1, 3)):
            if not b:
                break
            i = random.randrange(len(b))
            op, c = random.randrange(5), ord(random.choice(alpha))
            ls = b.rfind(b"\n", 0, i) + 1
            if op == 0: b[i] = c
            elif op == 1: b.insert(i, c)
            elif op == 2: del b[i]
            elif op == 3: b.insert(ls, 32)
            elif b[ls:ls + 1] == b" ": del b[ls]
        open(os.path.join(out, "m%06d.yml" % k), "wb").write(b)
        k += 1
EOF
total=0 bad=0
for f in "$work"/in/*.yml; do
	for cmd in lint convert; do
		if [ "$cmd" = lint ]; then set -- lint "$f"; else set -- convert -c "$f"; fi
		a=$(cd "$work" && { NO_COLOR=1 "$fast" "$@" 2>&1 && r=0 || r=$?; echo "exit $r"; })
		b=$(cd "$work" && { NO_COLOR=1 "$slow" "$@" 2>&1 && r=0 || r=$?; echo "exit $r"; })
		total=$((total + 1))
		if [ "$a" != "$b" ]; then
			bad=$((bad + 1))
			echo "DIFFERS: $cmd $f"
			cp "$f" "$top/diff-fast-yaml-$bad.yml"
		fi
	done
done
echo "diff-fast-yaml.sh: $total runs, $bad differ"
[ "$bad" -eq 0 ]
