#!/bin/bash
# Seeded random stress: kvmi-stress's "random" scenario, three rounds
# (each its own seed, drawn from -s), with every oracle; then round 1 is
# replayed alone and must draw the same operations.
# shellcheck source=harness/l1/stress_lib.sh
. "$KVMI_TOP/harness/l1/stress_lib.sh"
STRESS_REPLAY=1 stress_job 600 -s 1 -R 3 -n 1000 random
