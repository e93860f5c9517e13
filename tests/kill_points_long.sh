#!/bin/sh
# The long variant of the SIGKILL test (tests/reports/results_folder_test.cpp), not run in CI:
# a kill before every file change of `fleetsim run` plus KILL_TIMED (default 400) wall-clock kill
# points spread over the run. Prints the tally (kill points, previous / new results, refused,
# accepted invalid). Usage: tests/kill_points_long.sh [BUILD_DIR]
set -eu
build=${1:-build}
FLEETSIM_KILL_TIMED=${KILL_TIMED:-400} FLEETSIM_KILL_STRIDE=1 exec "$build/tests/fleetsim_tests" \
  "fleetsim run killed with SIGKILL before each of its file changes leaves results the readers accept whole or refuse" \
  --success --reporter compact
