#!/bin/sh
# deps-backports.sh PACKAGE... : install these packages, and only these (with
# what they need), from Debian's bookworm-backports suite. The suite is added
# with the mirror this machine's apt sources already use for bookworm, and
# pinned: the named packages follow backports (priority 990), every other
# package keeps backports' default (100), so nothing else is upgraded.
# Used for bpftool 7.5 (autoattach: bpf/README.md, tests/l1/trace_bpftool.sh);
# it links its own libbpf, so nothing else comes from backports.
set -eu
src=/etc/apt/sources.list.d/kvmi-harness-backports.list
pin=/etc/apt/preferences.d/kvmi-harness-backports
# Already there: every package installed from backports (its version has
# "bpo"), and the pin names them all.
missing=""
for p in "$@"; do
	v=$(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null || true)
	case $v in
	"install ok installed "*bpo*) ;;
	*) missing="$missing $p" ;;
	esac
done
if [ -z "$missing" ] && [ -f "$pin" ] && [ "$(sed -n 's/^Package: //p' "$pin")" = "$*" ]; then
	echo "deps: $* from bookworm-backports"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "kvmi: wanted from bookworm-backports:$missing; run 'sudo make deps'" >&2
	exit 1
fi
# shellcheck disable=SC2016 # apt expands $(REPO_URI), not the shell
mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' 2>/dev/null |
	awk '$2 == "bookworm" { print $1; exit }')
if [ -z "$mirror" ]; then
	echo "kvmi: no bookworm suite in this machine's apt sources to take the mirror from" >&2
	exit 1
fi
echo "deps: adding bookworm-backports ($mirror) for $* alone"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm-backports main" > "$src"
cat > "$pin" <<EOF
# kvmi-harness (harness/l0/deps-backports.sh): these packages from
# bookworm-backports; every other package keeps the suite's default, 100.
Package: $*
Pin: release n=bookworm-backports
Pin-Priority: 990
EOF
apt-get update -q
# With the pin, the candidates of these packages are backports'; what they
# depend on stays bookworm's (a dependency bookworm cannot satisfy makes the
# install fail, and the package must be added to the list).
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
