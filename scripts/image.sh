#!/bin/sh
# image.sh -- the container image, built with no network and no base image: a root
# filesystem holding the binary, exactly the shared libraries `ldd` lists for it (none
# for a static binary) and libcurl's where the binary opens it, CA certificates for TLS engines and a non-root user, imported
# with `docker import`. The Dockerfile builds the same filesystem with `rootfs` and sets
# the same configuration (IMAGE_CHANGES below; tests/swarm/tier-image.sh compares them).
#
# Usage: scripts/image.sh rootfs BINARY DIR      fill DIR (empty or absent) with the filesystem
#        scripts/image.sh import BINARY TAG...   build it and `docker import` it as each TAG
#        scripts/image.sh changes                print the image configuration, one per line
#        scripts/image.sh libs BINARY            the shared libraries the image carries for BINARY
# Environment: DOCKER (the docker CLI, default docker; DOCKER_HOST as usual),
# SOURCE_DATE_EPOCH (file times in the layer; default: the binary's).
# Exit 0 done, 2 trouble.
set -eu
die() { echo "image.sh: $*" >&2; exit 2; }

# uid/gid of the user the tool runs as; mount files it must write with -u "$(id -u):$(id -g)"
C2S_UID=10001
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

changes() {
	cat <<EOF
ENV PATH=/usr/local/bin:/usr/bin:/bin
ENV SSL_CERT_FILE=$CA_BUNDLE
USER $C2S_UID:$C2S_UID
WORKDIR /work
ENTRYPOINT ["compose2swarm"]
LABEL org.opencontainers.image.title=compose2swarm
LABEL org.opencontainers.image.licenses=MIT
EOF
}

# libs BINARY: the shared libraries the image carries for it, one path a line:
# every library the dynamic loader maps, at the path it maps it from, and the
# loader itself (a static binary: "not a dynamic executable", none); for a build
# with the Engine API client, also libcurl, which it opens when plan or deploy
# needs it (src/engine.c), and what libcurl maps.
libs() {
	curl=
	if "$1" --version | grep -q '^Engine API client: libcurl'; then
		curl=$(/sbin/ldconfig -p | awk '$1 == "libcurl.so.4" && $NF ~ /^\// { print $NF; exit }')
		[ -n "$curl" ] || die "the binary opens libcurl.so.4, which ldconfig does not know"
	fi
	{
		ldd "$1" 2>/dev/null
		[ -z "$curl" ] || { echo "$curl => $curl"; ldd "$curl"; }
	} | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u
}

rootfs() { # rootfs BINARY DIR
	bin=$1 root=$2
	[ -x "$bin" ] || die "no binary at $bin"
	if "$bin" --version | grep -q 'plan and deploy need'; then
		die "$bin is a static build without the Engine API client; the image carries the full tool: build it from a dynamic build (./configure without --enable-static-binary)"
	fi
	[ -f "$CA_BUNDLE" ] || die "no $CA_BUNDLE: install the Debian package ca-certificates"
	if [ -e "$root" ] && [ -n "$(ls -A "$root")" ]; then die "$root is not empty"; fi
	mkdir -p "$root/usr/local/bin" "$root/etc/ssl/certs" "$root/tmp" "$root/work"
	chmod 1777 "$root/tmp"
	cp "$bin" "$root/usr/local/bin/compose2swarm"
	chmod 0755 "$root/usr/local/bin/compose2swarm"
	# in a variable first: a die in libs ends the script, not a pipeline's subshell
	list=$(libs "$bin") || exit 2
	for lib in $list; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
	cp -L "$CA_BUNDLE" "$root$CA_BUNDLE"
	printf 'root:x:0:0:root:/root:/nonexistent\ncompose2swarm:x:%s:%s:compose2swarm:/work:/nonexistent\n' \
		"$C2S_UID" "$C2S_UID" >"$root/etc/passwd"
	printf 'root:x:0:\ncompose2swarm:x:%s:\n' "$C2S_UID" >"$root/etc/group"
	# name lookups for tcp:// engines: files, then DNS (glibc 2.34+ has both built in)
	printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
}

cmd=${1:-}
case $cmd in
changes)
	changes
	;;
libs)
	[ $# -eq 2 ] || die "usage: image.sh libs BINARY"
	libs "$2"
	;;
rootfs)
	[ $# -eq 3 ] || die "usage: image.sh rootfs BINARY DIR"
	rootfs "$2" "$3"
	;;
import)
	[ $# -ge 3 ] || die "usage: image.sh import BINARY TAG..."
	bin=$2
	shift 2
	docker=${DOCKER:-docker}
	tmp=$(mktemp -d) || die "mktemp"
	trap 'rm -rf "$tmp"' EXIT
	rootfs "$bin" "$tmp/root"
	epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$bin")}
	tar -C "$tmp/root" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf "$tmp/rootfs.tar" .
	version=$("$bin" --version | sed -n '1s/^compose2swarm //p')
	tags=$* # names like compose2swarm:0.1.0, no spaces
	# docker import takes each configuration line with its own --change
	set --
	while IFS= read -r line; do
		set -- "$@" --change "$line"
	done <<EOF
$(changes)
LABEL org.opencontainers.image.version=$version
EOF
	first=${tags%% *}
	id=$("$docker" import "$@" --message "compose2swarm $version" "$tmp/rootfs.tar" "$first") ||
		die "docker import failed"
	for tag in $tags; do
		[ "$tag" = "$first" ] || "$docker" tag "$first" "$tag" || die "docker tag $first $tag failed"
	done
	echo "image.sh: imported $tags ($id, $(wc -c <"$tmp/rootfs.tar") bytes of root filesystem)"
	;;
*)
	die "usage: image.sh rootfs BINARY DIR | import BINARY TAG... | changes"
	;;
esac
