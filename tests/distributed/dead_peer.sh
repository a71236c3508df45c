#!/bin/bash
# dead_peer.sh KILL|STOP MPIRUN TEST_BINARY: 3 processes train; process 1 kills (KILL) or stops
# (STOP: a hang) itself after 5 batches. The job must fail within LIMIT seconds with a message
# naming a rank: mpirun's "process rank 1 ... exited on signal 9" for a death, keras's
# "process N of 3 waited ... s in all_reduce ...; process 1 did not answer (dead or hung)"
# (KERAS_DISTRIBUTION_TIMEOUT=5) for a hang.
set -u
sig=$1 mpirun=$2 binary=$3
LIMIT=90
out=$(mktemp)
start=$(date +%s)
KERAS_TEST_FAIL_RANK=1 KERAS_TEST_FAIL_SIGNAL=$sig KERAS_DISTRIBUTION_TIMEOUT=5 \
  timeout -s KILL 240 "$mpirun" --allow-run-as-root --oversubscribe --mca btl self,tcp -np 3 \
  -x KERAS_TEST_FAIL_RANK -x KERAS_TEST_FAIL_SIGNAL -x KERAS_DISTRIBUTION_TIMEOUT \
  "$binary" --gtest_also_run_disabled_tests --gtest_filter='DataParallel.DISABLED_PeerFails' \
  >"$out" 2>&1
rc=$?
elapsed=$(( $(date +%s) - start ))
cat "$out"
echo "dead_peer.sh: $sig: exit status $rc after $elapsed s"
if [ "$rc" -eq 0 ]; then echo "FAIL: the job succeeded"; exit 1; fi
if [ "$elapsed" -gt "$LIMIT" ]; then echo "FAIL: took more than $LIMIT s"; exit 1; fi
if [ "$sig" = KILL ]; then pattern='rank 1'; else pattern='process [02] of 3 waited .*process 1 did not answer'; fi
if ! grep -Eq "$pattern" "$out"; then echo "FAIL: no message matching '$pattern'"; exit 1; fi
rm -f "$out"
echo "PASS"
