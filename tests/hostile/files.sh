#!/bin/sh
# files.sh -- what convert -o and lint --fix do to the files they write: an
# output that is an input is refused, a symlink stays a link, mode and owner
# are kept, a full disk and a failing one are reported with the system's
# words, and no temporary file is ever left. Expected texts are strerror's.
set -u
C2S=${C2S:-./compose2swarm}
top_srcdir=${top_srcdir:-.}
NO_COLOR=1
export NO_COLOR
fails=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/c2s-files.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
seed="$top_srcdir/fixtures/seed/docker-compose.yml"

check() { # name expected actual
	if [ "$2" != "$3" ]; then
		printf 'FAIL %s\n--- expected\n%s\n--- got\n%s\n' "$1" "$2" "$3"
		fails=$((fails + 1))
	else
		printf 'ok   %s\n' "$1"
	fi
}
skip() { printf 'skip %s\n' "$1"; }
# files in a directory, hidden ones too (a temporary file left behind shows here)
listing() { (cd "$1" && ls -A | tr '\n' ' '); }

cd "$tmp" || exit 99
"$C2S" convert -c "$seed" >expected.yml || exit 99
cp "$seed" f.yml

# -- an output that is one of the inputs, by any name: refused, nothing touched
want="compose2swarm: f.yml: the output is also an input file; write it elsewhere"
out=$("$C2S" convert -c f.yml -o f.yml 2>&1); rc=$?
check "-o is the input" "2:$want" "$rc:$out"
ln f.yml hard.yml
ln -s f.yml soft.yml
out=$("$C2S" convert -c f.yml -o hard.yml 2>&1); rc=$?
check "-o is a hard link to the input" "2:compose2swarm: hard.yml: the output is the input file f.yml (the same file); write it elsewhere" "$rc:$out"
out=$("$C2S" convert -c soft.yml -o f.yml 2>&1); rc=$?
check "-o is the input through a symlink" "2:compose2swarm: f.yml: the output is the input file soft.yml (the same file); write it elsewhere" "$rc:$out"
out=$("$C2S" convert -c - --to api -o f.yml <f.yml 2>&1); rc=$?
check "-o is standard input's file" "2:compose2swarm: f.yml: the output is the input file - (the same file); write it elsewhere" "$rc:$out"
check "the input is untouched" "" "$(cmp f.yml "$seed" 2>&1)"
rm hard.yml soft.yml

# -- a symlink is followed: its target is replaced, the link stays, the mode too
mkdir real
echo old >real/out.yml
chmod 640 real/out.yml
ln -s real/out.yml link.yml
out=$("$C2S" convert -c f.yml -o link.yml 2>&1); rc=$?
check "-o through a symlink" "0:" "$rc:$out"
check "-o: the link is still a link" "real/out.yml" "$(readlink link.yml)"
check "-o: its target holds the output" "" "$(cmp real/out.yml expected.yml 2>&1)"
check "-o: the target's mode" "640" "$(stat -c %a real/out.yml)"
check "-o: nothing else left" "out.yml " "$(listing real)"

cp "$seed" real/stack.yml
chmod 604 real/stack.yml
ln -s real/stack.yml stack.yml
out=$("$C2S" lint -f gnu --fix stack.yml 2>&1); rc=$?
check "--fix through a symlink" "1" "$rc"
check "--fix: the link is still a link" "real/stack.yml" "$(readlink stack.yml)"
check "--fix: container_name removed from the target" "0" "$(grep -c container_name real/stack.yml)"
check "--fix: the target's mode" "604" "$(stat -c %a real/stack.yml)"
check "--fix: nothing else left" "out.yml stack.yml " "$(listing real)"

# -- a UTF-16 file is fixed in UTF-16 (docker reads UTF-16 with a byte order mark)
cp "$top_srcdir/fixtures/lint/utf16.yml" u16.yml
"$C2S" lint -f gnu --fix u16.yml >/dev/null 2>&1
check "--fix keeps UTF-16 (big-endian mark)" "feff" "$(od -An -tx1 -N2 u16.yml | tr -d ' ')"
check "--fix on UTF-16: container_name gone, the rest kept" "0 1" \
	"$(iconv -f UTF-16 -t UTF-8 u16.yml | grep -c container_name) $(iconv -f UTF-16 -t UTF-8 u16.yml | grep -c '日本語')"

# -- the owner and group (only root may give a file to another user)
if [ "$(id -u)" = 0 ]; then
	cp "$seed" owned.yml
	chown 65534:65534 owned.yml
	"$C2S" lint -f gnu --fix owned.yml >/dev/null 2>&1
	check "--fix keeps owner and group" "65534:65534 0" "$(stat -c %u:%g owned.yml) $(grep -c container_name owned.yml)"
	echo old >owned-out.yml
	chown 65534:65534 owned-out.yml
	"$C2S" convert -c f.yml -o owned-out.yml
	check "-o keeps owner and group" "65534:65534" "$(stat -c %u:%g owned-out.yml)"
	# device nodes made here: a regression must not replace the machine's /dev/null
	mknod null c 1 3 && mknod full c 1 7 || exit 99
	out=$("$C2S" convert -c f.yml -o null 2>&1); rc=$?
	check "-o a device is written, not replaced" "0: character special file" "$rc:$out $(stat -c %F null)"
	out=$("$C2S" convert -c f.yml -o full 2>&1); rc=$?
	check "-o a full device" "2:compose2swarm: full: No space left on device" "$rc:$out"
	out=$("$C2S" convert -c f.yml --to api -o full 2>&1); rc=$?
	check "-o a full device (api)" "2:compose2swarm: full: No space left on device" "$rc:$out"
	check "the devices are still devices" "character special file character special file " "$(stat -c %F null full | tr "\n" " ")"
	rm null full
else
	skip "owner and group (not root)"
fi

# -- standard output on a full device: the system's words, not "out of memory"
if [ -w /dev/full ]; then
	out=$("$C2S" convert -c f.yml 2>&1 >/dev/full); rc=$?
	check "standard output on /dev/full" "2:compose2swarm: cannot write the output: No space left on device" "$rc:$out"
fi

# -- a full file system: a 64 KiB tmpfs in a private mount namespace (root, or
# a user namespace where the kernel allows one)
{ printf 'version: "3.8"\nservices:\n'; i=0; while [ $i -lt 3000 ]; do printf '  s%d:\n    image: nginx\n' $i; i=$((i + 1)); done; } >big.yml
mkdir full
ns=""
if unshare -m true 2>/dev/null; then ns="unshare -m"; elif unshare -rm true 2>/dev/null; then ns="unshare -rm"; fi
if [ -n "$ns" ] && $ns sh -c "mount -t tmpfs -o size=64k tmpfs '$tmp/full'" 2>/dev/null; then
	# one shell in the namespace runs the cases and prints what they did
	got=$($ns sh -c '
		mount -t tmpfs -o size=64k tmpfs full || exit 1
		echo old >full/out.yml
		"$1" convert -c big.yml -o full/out.yml 2>&1; echo "rc=$?"
		echo "content=$(cat full/out.yml) files=$(cd full && ls -A | tr "\n" " ")"
		cp "$2" full/stack.yml
		dd if=/dev/zero of=full/filler bs=4k 2>/dev/null
		"$1" lint -f gnu --fix full/stack.yml 2>&1 | grep compose2swarm; echo "rc=$?"
		echo "same=$(cmp full/stack.yml "$2" >/dev/null && echo yes) files=$(cd full && ls -A | tr "\n" " ")"
	' sh "$C2S" "$seed")
	check "a full file system" "compose2swarm: full/out.yml: No space left on device
rc=2
content=old files=out.yml 
compose2swarm: full/stack.yml: No space left on device (the file is unchanged)
rc=0
same=yes files=filler out.yml stack.yml " "$got"
else
	skip "a full file system (no mount namespace here)"
fi

# -- a failing disk: fsync says EIO (an LD_PRELOAD shim, built here; a static
# binary loads no shared object, so the shim cannot reach it)
if ! ldd "$C2S" >/dev/null 2>&1; then
	skip "a failing disk (a static binary: LD_PRELOAD does not apply)"
elif ${CC:-cc} -shared -fPIC -o failio.so "$top_srcdir/tests/hostile/failio.c" 2>/dev/null; then
	mkdir eio
	echo old >eio/out.yml
	cp "$seed" eio/stack.yml
	out=$(C2S_FAIL_FSYNC=1 LD_PRELOAD="$tmp/failio.so" ASAN_OPTIONS=verify_asan_link_order=0 \
		"$C2S" convert -c f.yml -o eio/out.yml 2>&1); rc=$?
	check "-o on a failing disk" "2:compose2swarm: eio/out.yml: Input/output error" "$rc:$out"
	out=$(C2S_FAIL_FSYNC=1 LD_PRELOAD="$tmp/failio.so" ASAN_OPTIONS=verify_asan_link_order=0 \
		"$C2S" lint -f gnu --fix eio/stack.yml 2>&1 | grep compose2swarm)
	check "--fix on a failing disk" "compose2swarm: eio/stack.yml: Input/output error (the file is unchanged)" "$out"
	check "failing disk: files as they were" "old 1 out.yml stack.yml " \
		"$(cat eio/out.yml) $(grep -c container_name eio/stack.yml) $(listing eio)"
else
	skip "a failing disk (no C compiler)"
fi

[ "$fails" -eq 0 ] || { echo "hostile/files: $fails failed"; exit 1; }
echo "hostile/files: all passed"
