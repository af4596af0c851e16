#!/bin/sh
# dist-bin.sh -- `make dist-bin`: pack the static binary as NAME.tar.gz (NAME is
# compose2swarm-VERSION-linux-ARCH) with the man page, LICENSE, the licences of the
# libraries linked into it, and SHA256SUMS for the files inside; NAME.tar.gz.sha256
# beside it. Refuses a binary that needs any shared library: a tarball is for
# machines that do not have them.
#
# Usage: scripts/dist-bin.sh BINARY SRCDIR NAME [STRIP] [CJSON_SOURCE]
# Environment: SOURCE_DATE_EPOCH (file times in the tarball; default: the binary's).
# Exit 0 written, 2 trouble.
set -eu
die() { echo "dist-bin: $*" >&2; exit 2; }
[ $# -ge 3 ] || die "usage: dist-bin.sh BINARY SRCDIR NAME [STRIP] [CJSON_SOURCE]"
bin=$1 srcdir=$2 name=$3 strip=${4:-strip} cjson_source=${5:-}
[ -x "$bin" ] || die "no binary at $bin"
if readelf -lW "$bin" | grep -q 'Requesting program interpreter' || readelf -dW "$bin" | grep -q '(NEEDED)'; then
	die "$bin needs shared libraries: configure with --enable-static-binary (see README) and make again"
fi

stage=$name.stage
rm -rf "$stage" "$name.tar.gz" "$name.tar.gz.sha256"
mkdir -p "$stage/$name"
trap 'rm -rf "$stage"' EXIT
d=$stage/$name
cp "$bin" "$d/compose2swarm"
# the debug information is three quarters of the file; a release needs none of it
"$strip" "$d/compose2swarm" 2>/dev/null || die "$strip $d/compose2swarm failed"
cp "$srcdir/docs/compose2swarm.1" "$d/compose2swarm.1"
cp "$srcdir/LICENSE" "$d/LICENSE"

# the static binary carries libyaml, cJSON and the C library: their licences go with it
notice() { # notice TITLE FILE
	[ -f "$2" ] || die "no licence text at $2 (for $1)"
	printf '==== %s (from %s) ====\n\n' "$1" "$2"
	cat "$2"
	printf '\n'
}
{
	printf 'compose2swarm is linked statically with the libraries below; their licences follow.\n'
	printf 'The source of compose2swarm (MIT, see LICENSE) is what relinking with other versions needs.\n\n'
	notice "libyaml" /usr/share/doc/libyaml-0-2/copyright
	if [ -n "$cjson_source" ]; then
		notice "cJSON" "$cjson_source/LICENSE"
	else
		notice "cJSON" /usr/share/doc/libcjson1/copyright
	fi
	notice "GNU C Library" /usr/share/doc/libc6/copyright
} >"$d/THIRD-PARTY-NOTICES"

(cd "$d" && sha256sum compose2swarm compose2swarm.1 LICENSE THIRD-PARTY-NOTICES >SHA256SUMS)
epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$bin")}
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$name" |
	gzip -n -9 >"$name.tar.gz"
sha256sum "$name.tar.gz" >"$name.tar.gz.sha256"
echo "dist-bin: wrote $name.tar.gz ($(wc -c <"$name.tar.gz") bytes) and $name.tar.gz.sha256"
