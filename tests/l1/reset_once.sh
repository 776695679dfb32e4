#!/bin/bash
# Resets L1 with no kernel message on its first boot (as TCG's nested SVM
# rarely does), then passes: the runner must retry exactly that once.
# The first attempt's directory is visible here through L1's read-only root.
# shellcheck source=harness/l1/lib.sh
. "$KVMI_TOP/harness/l1/lib.sh"
if [ ! -d "$KVMI_RUN.attempt1" ]; then
	sync
	echo b > /proc/sysrq-trigger
	sleep 60
fi
check "second boot, after the runner's retry" test -d "$KVMI_RUN.attempt1"
ktap_done
