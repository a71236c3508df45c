#!/bin/bash
# Data-parallel scaling on one machine: keras_bench's training rate of each model with 1 process
# x 1 thread and with N processes x 1 thread (mpirun, DataParallel, the same global batch), and
# the efficiency rate_N / (N * rate_1). Usage: tools/bench_distributed.sh [N] [models...]
# (default 2 and the five seed models). Reports the machine's load before each run: on a busy
# machine the numbers say little.
set -eu
n=${1:-2}
shift || true
models=${*:-mlp news_mimo shared_lstm posts_conv1d shared_vision}
bench=${BENCH:-build/bench/keras_bench}
export KERAS_BENCH_THREADS=1 KERAS_BENCH_INFERENCE=0 OMP_NUM_THREADS=1
# "batch/N": one process training at the batch each of the N processes gets; rate_N / (N x it)
# is the efficiency left to communication and synchronization.
printf "%-14s %12s %12s %12s %8s %9s   %s\n" model "1 process" "batch/$n" "$n processes" \
  efficiency "(batch/$n)" "load (1 min) before each"
for m in $models; do
  l1=$(cut -d' ' -f1 /proc/loadavg)
  r1=$("$bench" "$m" | awk '{print $2}')
  rb=$(KERAS_BENCH_BATCH_DIVISOR=$n "$bench" "$m" | awk '{print $2}')
  l2=$(cut -d' ' -f1 /proc/loadavg)
  r2=$(mpirun --allow-run-as-root --oversubscribe -np "$n" -x KERAS_BENCH_THREADS \
       -x KERAS_BENCH_INFERENCE -x OMP_NUM_THREADS "$bench" "$m" | awk '{print $2}')
  printf "%-14s %12.0f %12.0f %12.0f %7.0f%% %8.0f%%   %s, %s\n" "$m" "$r1" "$rb" "$r2" \
    "$(echo "100 * $r2 / ($n * $r1)" | bc -l)" "$(echo "100 * $r2 / ($n * $rb)" | bc -l)" \
    "$l1" "$l2"
done
