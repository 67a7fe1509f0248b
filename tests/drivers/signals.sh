# SPDX-License-Identifier: Apache-2.0
# Sourced by the driver fault tests. terminate_after SECONDS EXPECTED CMD...: runs CMD in the
# background (stdout discarded), sends SIGTERM after SECONDS (what a batch scheduler sends
# before the wall-clock limit), and fails the test unless CMD exits with EXPECTED.
terminate_after() {
  local seconds=$1 expected=$2 pid status
  shift 2
  "$@" >/dev/null &
  pid=$!
  sleep "$seconds"
  kill -TERM "$pid"
  set +e
  wait "$pid"
  status=$?
  set -e
  [[ $status -eq $expected ]] || { echo "FAIL: SIGTERM gave exit $status, expected $expected"; exit 1; }
}
