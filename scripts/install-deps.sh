#!/bin/sh
# install-deps.sh -- install the Debian packages the build and tests need, if any is missing.
set -eu
packages="build-essential autoconf automake libtool pkg-config libyaml-dev libcjson-dev
libcmocka-dev re2c python3 bsdutils docker.io busybox-static curl"
missing=""
# valgrind: `make bench-quick` counts instructions with callgrind (bench/run.py).
packages="$packages valgrind"
# packaging (issue 16): pre-commit and git test the hooks; the image carries CA certificates.
packages="$packages pre-commit git ca-certificates"
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "install-deps: installing$missing" >&2
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
