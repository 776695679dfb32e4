#!/bin/bash
# make stress's soak: kvmi-stress's "random" scenario for kvmi.duration
# seconds (default 600) on seed kvmi.seed (default 1), with every oracle.
# make stress SEED=... DURATION=... sets both on L1's command line.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
seed=${KVMI_SEED:-1} duration=${KVMI_DURATION:-600}
stress_job $((duration + 600)) -s "$seed" -d "$duration" random
