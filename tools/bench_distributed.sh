#!/bin/bash
# Data-parallel scaling on one machine: keras_bench's training rate of each model with 1 process
# x 1 thread and with N processes x 1 thread (mpirun, DataParallel, the same global batch), and
# the efficiency rate_N / (N * rate_1).
# Usage: [ROUNDS=R] tools/bench_distributed.sh [N] [models...]
# (default 2 and the five seed models; ROUNDS default 1). With R rounds the models are measured
# in turn R times (so the machine's noise hits all alike), every round is printed, then the
# medians of each column and the efficiency of the medians. Reports the machine's load before
# each run: on a busy machine the numbers say little.
set -eu
n=${1:-2}
shift || true
models=${*:-mlp news_mimo shared_lstm posts_conv1d shared_vision}
rounds=${ROUNDS:-1}
bench=${BENCH:-build/bench/keras_bench}
export KERAS_BENCH_THREADS=1 KERAS_BENCH_INFERENCE=0 OMP_NUM_THREADS=1
# "batch/N": one process training at the batch each of the N processes gets; rate_N / (N x it)
# is the efficiency left to communication and synchronization.
header() {
  printf "%-14s %12s %12s %12s %8s %9s   %s\n" model "1 process" "batch/$n" "$n processes" \
    efficiency "(batch/$n)" "$1"
}
row() {  # model r1 rb r2 note
  printf "%-14s %12.0f %12.0f %12.0f %7.0f%% %8.0f%%   %s\n" "$1" "$2" "$3" "$4" \
    "$(echo "100 * $4 / ($n * $2)" | bc -l)" "$(echo "100 * $4 / ($n * $3)" | bc -l)" "$5"
}
median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
declare -A all1 allb all2
header "load (1 min) before each"
for ((round = 1; round <= rounds; round++)); do
  for m in $models; do
    l1=$(cut -d' ' -f1 /proc/loadavg)
    r1=$("$bench" "$m" | awk '{print $2}')
    rb=$(KERAS_BENCH_BATCH_DIVISOR=$n "$bench" "$m" | awk '{print $2}')
    l2=$(cut -d' ' -f1 /proc/loadavg)
    r2=$(mpirun --allow-run-as-root --oversubscribe -np "$n" -x KERAS_BENCH_THREADS \
         -x KERAS_BENCH_INFERENCE -x OMP_NUM_THREADS "$bench" "$m" | awk '{print $2}')
    row "$m" "$r1" "$rb" "$r2" "$l1, $l2"
    all1[$m]="${all1[$m]:-} $r1" allb[$m]="${allb[$m]:-} $rb" all2[$m]="${all2[$m]:-} $r2"
  done
done
if ((rounds > 1)); then
  echo
  header "medians of $rounds rounds"
  for m in $models; do
    row "$m" "$(echo "${all1[$m]}" | median)" "$(echo "${allb[$m]}" | median)" \
      "$(echo "${all2[$m]}" | median)" ""
  done
fi
