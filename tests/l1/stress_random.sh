#!/bin/bash
# Seeded random stress: kvmi-stress's "random" scenario on three fixed
# seeds, a round each, with every oracle.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
stress_job 600 -s 1 -R 3 -n 1000 random
