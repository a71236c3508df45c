#!/bin/bash
# Data-parallel scaling on one machine: keras_bench's training rate of each model with 1 process
# x 1 thread and with N processes x 1 thread (mpirun, DataParallel, the same global batch), and
# the efficiency rate_N / (N * rate_1).
# Usage: [ROUNDS=R] [EPOCHS=E] [BALANCE=0|1|both] tools/bench_distributed.sh [N] [models...]
# (default 2 and the five seed models; ROUNDS default 1; each rate is the median over E epochs,
# default 5: the 3 of make bench left one slow phase of the machine in the median too often,
# seen as single rounds from 73% to 116%). With R rounds the models are measured
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
export KERAS_BENCH_EPOCHS=${EPOCHS:-5}
# BALANCE=1: the N processes with DataParallel::balance_shares() (KERAS_DISTRIBUTION_BALANCE_SHARES);
# BALANCE=both: with even shares, then balanced, in the same round (one more column). Default 0.
balance=${BALANCE:-0}
# "batch/N": one process training at the batch each of the N processes gets; rate_N / (N x it)
# is the efficiency left to communication and synchronization.
header() {
  printf "%-14s %12s %12s %12s %8s %9s" model "1 process" "batch/$n" "$n processes" \
    efficiency "(batch/$n)"
  [[ $balance == both ]] && printf " %12s %8s" "$n balanced" efficiency
  printf "   %s\n" "$1"
}
row() {  # model r1 rb r2 r2b note
  printf "%-14s %12.0f %12.0f %12.0f %7.0f%% %8.0f%%" "$1" "$2" "$3" "$4" \
    "$(echo "100 * $4 / ($n * $2)" | bc -l)" "$(echo "100 * $4 / ($n * $3)" | bc -l)"
  [[ $balance == both ]] && printf " %12.0f %7.0f%%" "$5" "$(echo "100 * $5 / ($n * $2)" | bc -l)"
  printf "   %s\n" "$6"
}
median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
# The job's rate with KERAS_DISTRIBUTION_BALANCE_SHARES=$1.
job() {
  KERAS_DISTRIBUTION_BALANCE_SHARES=$1 mpirun --allow-run-as-root --oversubscribe -np "$n" \
    -x KERAS_BENCH_THREADS -x KERAS_BENCH_INFERENCE -x KERAS_BENCH_EPOCHS -x OMP_NUM_THREADS \
    -x KERAS_DISTRIBUTION_BALANCE_SHARES "$bench" "$m" | awk '{print $2}'
}
declare -A all1 allb all2 all2b
header "load (1 min) before each"
for ((round = 1; round <= rounds; round++)); do
  for m in $models; do
    l1=$(cut -d' ' -f1 /proc/loadavg)
    r1=$("$bench" "$m" | awk '{print $2}')
    rb=$(KERAS_BENCH_BATCH_DIVISOR=$n "$bench" "$m" | awk '{print $2}')
    l2=$(cut -d' ' -f1 /proc/loadavg)
    if [[ $balance == both ]]; then
      r2=$(job 0)
      r2b=$(job 1)
    else
      r2=$(job "$balance")
      r2b=0
    fi
    row "$m" "$r1" "$rb" "$r2" "$r2b" "$l1, $l2"
    all1[$m]="${all1[$m]:-} $r1" allb[$m]="${allb[$m]:-} $rb" all2[$m]="${all2[$m]:-} $r2"
    all2b[$m]="${all2b[$m]:-} $r2b"
  done
done
if ((rounds > 1)); then
  echo
  header "medians of $rounds rounds"
  for m in $models; do
    row "$m" "$(echo "${all1[$m]}" | median)" "$(echo "${allb[$m]}" | median)" \
      "$(echo "${all2[$m]}" | median)" "$(echo "${all2b[$m]}" | median)" ""
  done
fi
