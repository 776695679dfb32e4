#!/bin/bash
# kvmi-stress's "owned" scenario (harness/l2/kvmi_stress.c), with every oracle.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
stress_job 600 -s 1 -n 3000 owned
