#!/bin/sh
# cjson-source.sh -- fetch Debian's own cJSON source package (the version of the installed
# libcjson-dev) for the static build, and print the directory that holds cJSON.c.
#
# Why: Debian's libcjson-dev ships only libcjson.so, and a static binary needs cJSON's
# object code. Rather than commit a copy of cJSON, or take one from outside Debian, this
# asks apt for the very source package Debian built libcjson1 from (its patches applied
# by dpkg-source), so the static binary runs the same cJSON code as the dynamic build.
# apt gets a private configuration: the deb-src twins of the machine's own enabled
# `deb` entries (same mirrors, same signing keys), its own lists and cache, so the
# machine's apt setup is neither read for state nor changed.
#
# Usage: scripts/cjson-source.sh [DIR]   (default ${XDG_CACHE_HOME:-$HOME/.cache}/compose2swarm)
# Prints DIR/cjson-UPSTREAM (holding cJSON.c, cJSON.h, LICENSE) on standard output; a
# second run with the same version prints it without asking apt again.
# Then: ./configure --enable-static-binary --with-cjson-source="$(scripts/cjson-source.sh)"
# Needs apt-get and dpkg-source (dpkg-dev, part of build-essential) and the network to
# the Debian mirror. Exit 0 done, 2 trouble.
set -eu
die() { echo "cjson-source.sh: $*" >&2; exit 2; }

dest=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/compose2swarm}
version=$(dpkg-query -W -f='${source:Version}' libcjson-dev 2>/dev/null) ||
	die "libcjson-dev is not installed (scripts/install-deps.sh installs it)"
[ -n "$version" ] || die "no version for libcjson-dev"
command -v dpkg-source >/dev/null || die "no dpkg-source: install the Debian package dpkg-dev"
upstream=${version#*:}
upstream=${upstream%-*}
work=$dest/cjson-$version
src=$work/cjson-$upstream
if [ -f "$src/cJSON.c" ] && [ -f "$work/.complete" ]; then
	echo "$src"
	exit 0
fi

rm -rf "$work"
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/apt/parts" ||
	die "cannot create $work"
# deb-src twins of the enabled deb entries, one-line (sources.list) and deb822 (.sources) alike
n=0
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$work/apt/parts/src.list"
done
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	# every stanza becomes a deb-src one (a stanza with "Enabled: no" stays disabled)
	sed 's/^Types:.*$/Types: deb-src/' "$f" >"$work/apt/parts/src$n.sources"
done
[ -s "$work/apt/parts/src.list" ] || rm -f "$work/apt/parts/src.list"
ls "$work/apt/parts" | grep -q . || die "no enabled deb entry in /etc/apt/sources.list*"

aptq() {
	apt-get -q -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$work/apt/parts" \
		-o Dir::State::Lists="$work/apt/lists" -o Dir::Cache="$work/apt/cache" \
		-o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)" "$@"
}
log=$work/apt.log
aptq update >"$log" 2>&1 || { cat "$log" >&2; die "apt-get update (deb-src) failed"; }
(cd "$work" && aptq source "cjson=$version") >>"$log" 2>&1 ||
	{ tail -n 20 "$log" >&2; die "apt-get source cjson=$version failed"; }
[ -f "$src/cJSON.c" ] || die "apt-get source gave no $src/cJSON.c"
# the index (some 20 MB) is not needed again
rm -rf "$work/apt"
: >"$work/.complete"
echo "$src"
