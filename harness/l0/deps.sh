#!/bin/sh
# Install the Debian packages given as arguments that are not installed yet.
set -eu
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all $# packages installed"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "kvmi: missing Debian packages:$missing; run 'sudo make deps'" >&2
	exit 1
fi
echo "deps: installing$missing"
apt-get update -q
# shellcheck disable=SC2086 # $missing is a list of words
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing # one word per package
