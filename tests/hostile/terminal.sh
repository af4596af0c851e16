#!/bin/sh
# terminal.sh -- what lint prints to a terminal: control characters from the
# file (an OSC sequence, a NUL, CSI) are shown as \x1b, \x07, \x00, never sent
# raw, in the text, gnu and github formats, in the excerpt and in messages;
# a very long line is cut around the column. Expected bytes written by hand.
set -u
C2S=${C2S:-./compose2swarm}
NO_COLOR=1
export NO_COLOR
fails=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/c2s-terminal.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99

check() { # name expected actual
	if [ "$2" != "$3" ]; then
		printf 'FAIL %s\n--- expected\n%s\n--- got\n%s\n' "$1" "$2" "$3"
		fails=$((fails + 1))
	else
		printf 'ok   %s\n' "$1"
	fi
}
# no_raw NAME FILE: FILE holds no C0 control byte but tab and newline, and no DEL
no_raw() {
	if LC_ALL=C tr -d '\t\n\040-\176\200-\377' <"$2" | od -An -c | grep -q .; then
		printf 'FAIL %s: raw control bytes:\n' "$1"
		LC_ALL=C tr -d '\t\n\040-\176\200-\377' <"$2" | od -An -c
		fails=$((fails + 1))
	else
		printf 'ok   %s\n' "$1"
	fi
}

# -- raw bytes in the file: OSC 0 (retitle the window), BEL, a NUL
printf 'version: "3.8"\nservices:\n  a:\n    image: nginx\033]0;pwned\007\000\n' >raw.yml
"$C2S" lint raw.yml >out.txt 2>&1
check "raw OSC and NUL: text" \
'raw.yml:4:17: error: control characters are not allowed: #1B [CS1001]
 4 |     image: nginx\x1b]0;pwned\x07\x00
   |                 ^~~~
  hint: check the indentation and quoting around this point; docker stack refuses the file as it is
1 problem (1 error, 0 warnings, 0 infos) in 1 file' "$(cat out.txt)"
no_raw "raw OSC and NUL: text has no raw control byte" out.txt

# -- escapes in double quotes: the values hold ESC, BEL, NUL; messages quote them
printf 'version: "3.8"\nservices:\n  "a\\e]0;pwned\\a\\0":\n    image: nginx\n' >quoted.yml
for f in text gnu github; do
	"$C2S" lint -f "$f" quoted.yml >"out.$f" 2>&1
	no_raw "quoted escapes: $f has no raw control byte" "out.$f"
done
# (a NUL ends a value quoted in a message: the message is a C string)
check "quoted escapes: gnu" \
'quoted.yml:3:3: error: services Additional property a\x1b]0;pwned\x07 is not allowed [CS2002]
quoted.yml:3:3: warning: service a\x1b]0;pwned\x07 has no healthcheck: a rolling update cannot tell a bad task from a good one [CS7001]' \
	"$(cat out.gnu)"
check "quoted escapes: text excerpt is the source as written" \
' 3 |   "a\e]0;pwned\a\0":' "$(sed -n 2p out.text)"

# -- a C1 control (U+009B, CSI on some terminals); a byte that is no UTF-8
printf 'version: "3.8"\nservices:\n  "b\\u009b2J":\n    image: nginx\n' >c1.yml
"$C2S" lint -f gnu c1.yml >out.c1 2>&1
check "C1 control shown" \
'c1.yml:3:3: error: services Additional property b\u009b2J is not allowed [CS2002]' "$(grep CS2002 out.c1)"
printf 'version: "3.8"\nservices:\n  c:\n    image: nginx\n    x-\377\302\233: 1\n' >ff.yml
"$C2S" lint ff.yml >out.ff 2>&1
check "a stray byte and a raw C1 control in the excerpt" ' 5 |     x-\xff\u009b: 1' "$(sed -n 2p out.ff)"
no_raw "a stray byte: no raw control byte" out.ff

# -- a file name with an escape in it
name=$(printf 'x\033[2Jy.yml')
printf 'services:\n  a:\n    image: nginx\n    container_name: a\n' >"$name"
"$C2S" lint -f gnu "$name" >out.name 2>&1
no_raw "file name: no raw control byte" out.name
check "file name shown" 'x\x1b[2Jy.yml:' "$(head -1 out.name | cut -c1-14)"

# -- a 100,000-character line: cut to C2S_EXCERPT_MAX_CHARS (160) around the column
{ printf 'version: "3.8"\nservices:\n  a: {image: nginx, labels: ['; i=0
  while [ $i -lt 20000 ]; do printf '"xxx",'; i=$((i + 1)); done
  printf '"x": ]}\n'; } >long.yml
"$C2S" lint long.yml >out.all 2>&1; rc=$?
grep -A2 CS2004 out.all >out.long
line=$(sed -n 2p out.long)
caret=$(sed -n 3p out.long)
check "long line: status" 1 "$rc"
src=$(sed -n 3p long.yml)
check "long line: near its end, the last 160 characters after a marker" \
	" 3 | ...$(printf '%s' "$src" | tail -c 160)" "$line"
first=$(grep -A1 CS7001 out.all | sed -n 2p)
check "long line: near its start, the first 160 characters and a marker" \
	" 3 | $(printf '%s' "$src" | cut -c1-160)..." "$first"
# the caret is under the column: the character there is the one reported
col=$(head -1 out.long | sed 's/^long.yml:3:\([0-9]*\):.*/\1/')
at=$(printf '%s' "$caret" | awk '{ print index($0, "^") }')
check "long line: the caret is under the reported character" \
	"$(cut -c"$col" <long.yml | sed -n 3p)" "$(printf '%s' "$line" | cut -c"$at")"
check "long line: report size" 1 "$([ "$(wc -c <out.all)" -lt 2000 ] && echo 1)"

[ "$fails" -eq 0 ] || { echo "hostile/terminal: $fails failed"; exit 1; }
echo "hostile/terminal: all passed"
