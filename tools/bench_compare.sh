#!/usr/bin/env bash
# keras.cpp's `make bench` beside every peer a Keras user would pick instead, ROUNDS times
# interleaved (so machine noise hits all alike); prints one table of medians and the ratio of
# keras.cpp to the best peer, for training (NAME), predict at batch 256 (NAME_predict) and
# one-sample latency (NAME_latency, as 1e6 / p50 microseconds: higher is better everywhere).
#
# Peers (each picks its best thread count itself):
#   keras3_jax, keras3_jax_jit   Keras 3 on JAX (../shared/bench/keras_reference.py for training,
#                                tools/bench_inference_peers.py keras / keras_jit for inference)
#   torch2, torch2_compile       a current PyTorch from PyPI, eager and TORCH_COMPILE=1
#   torch1.13_py, torch1.13_cpp  Debian's python3-torch and libtorch-dev, where installed
# The `mha` row (MultiHeadAttention forward+backward, not a guide model) has its own peers in
# tools/bench_mha_peers.py: keras3_jax_jit, torch2 and torch2_compile.
# Keras 3, JAX and PyTorch 2 come from a virtual environment this script creates with pip in
# .venv-bench (PyPI must be reachable the first time; BENCH_VENV picks another folder). None of
# this is needed by `make test`.
# Every round's raw lines are kept in build/bench_compare_runs.txt (BENCH_RUNS picks another file).
# Usage: tools/bench_compare.sh [ROUNDS] [MODEL...]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift || true
models=("${@:-mlp news_mimo shared_lstm posts_conv1d shared_vision mha}")
read -r -a models <<<"${models[*]}"
guide=()  # the models ../shared/bench's references know
mha=0
for m in "${models[@]}"; do if [ "$m" = mha ]; then mha=1; else guide+=("$m"); fi; done
shared=../shared/bench
venv=${BENCH_VENV:-.venv-bench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s build >/dev/null

if [ ! -x "$venv/bin/python" ]; then
  echo "creating $venv (keras, jax, torch from PyPI)..." >&2
  python3 -m venv "$venv" &&
    "$venv/bin/pip" -q install keras "jax[cpu]" numpy &&
    { "$venv/bin/pip" -q install torch --index-url https://download.pytorch.org/whl/cpu ||
      "$venv/bin/pip" -q install torch; } ||
    echo "could not set up $venv: the PyPI peers are skipped" >&2
fi
py=$venv/bin/python
export KERAS_BACKEND=${KERAS_BACKEND:-jax}  # the venv has JAX, not TensorFlow
has() { [ -x "$1" ] && "$1" -c "import $2" 2>/dev/null; }
if has /usr/bin/python3 torch && [ ! -x "$tmp/libtorch_ref" ]; then
  g++ -O2 -std=c++17 "$shared/libtorch_reference.cpp" -I/usr/include/torch/csrc/api/include \
    -ltorch -ltorch_cpu -lc10 -lz -o "$tmp/libtorch_ref" 2>/dev/null || true
fi

tag() { sed "s/^/$1 /"; }
for ((r = 0; r < rounds; r++)); do
  ./build/bench/keras_bench "${models[@]}" | tag keras.cpp
  if [ "$mha" = 1 ] && has "$py" torch; then
    "$py" tools/bench_mha_peers.py torch | tag torch2
    "$py" tools/bench_mha_peers.py torch_compile | tag torch2_compile
  fi
  if [ "$mha" = 1 ] && has "$py" keras; then
    KERAS_BACKEND=jax "$py" tools/bench_mha_peers.py keras | tag keras3_jax_jit
  fi
  if [ ${#guide[@]} = 0 ]; then continue; fi
  if has "$py" keras; then
    KERAS_BACKEND=jax "$py" "$shared/keras_reference.py" "${guide[@]}" | tag keras3_jax
    KERAS_BACKEND=jax "$py" tools/bench_inference_peers.py keras "${guide[@]}" | tag keras3_jax
    KERAS_BACKEND=jax "$py" tools/bench_inference_peers.py keras_jit "${guide[@]}" |
      tag keras3_jax_jit
  fi
  if has "$py" torch; then
    "$py" "$shared/torch_reference.py" "${guide[@]}" | tag torch2
    "$py" tools/bench_inference_peers.py torch "${guide[@]}" | tag torch2
    TORCH_COMPILE=1 "$py" "$shared/torch_reference.py" "${guide[@]}" | tag torch2_compile
    TORCH_COMPILE=1 "$py" tools/bench_inference_peers.py torch "${guide[@]}" | tag torch2_compile
  fi
  if has /usr/bin/python3 torch; then
    /usr/bin/python3 "$shared/torch_reference.py" "${guide[@]}" | tag torch1.13_py
    /usr/bin/python3 tools/bench_inference_peers.py torch "${guide[@]}" | tag torch1.13_py
  fi
  if [ -x "$tmp/libtorch_ref" ]; then "$tmp/libtorch_ref" "${guide[@]}" | tag torch1.13_cpp; fi
done >"$tmp/runs.txt"

python3 - "$tmp/runs.txt" <<'PY'
import collections, statistics, sys
rates = collections.defaultdict(list)
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) >= 4 and parts[3] == "samples/s":
        rates[(parts[1], parts[0])].append(float(parts[2]))
peers = sorted({who for _, who in rates if who != "keras.cpp"})
print("| benchmark | keras.cpp | " + " | ".join(peers) + " | keras.cpp / best peer |")
print("|---" * (len(peers) + 3) + "|")
for name in sorted({n for n, _ in rates}):
    med = {who: statistics.median(v) for (n, who), v in rates.items() if n == name}
    best = max((m for who, m in med.items() if who != "keras.cpp"), default=0)
    cells = [f"{med[p]:,.0f}" if p in med else "-" for p in ["keras.cpp"] + peers]
    ratio = f"{med.get('keras.cpp', 0) / best:.2f}x" if best else "-"
    print(f"| {name} | " + " | ".join(cells) + f" | {ratio} |")
# Stability: each program's spread over the rounds, max / min of its rates (1.00 = the same every
# round), so a swing in keras.cpp shows beside the peers' own.
if max((len(v) for v in rates.values()), default=0) > 1:
    print()
    print("| spread (max / min over rounds) | keras.cpp | " + " | ".join(peers) + " |")
    print("|---" * (len(peers) + 2) + "|")
    for name in sorted({n for n, _ in rates}):
        cells = []
        for who in ["keras.cpp"] + peers:
            v = rates.get((name, who))
            cells.append(f"{max(v) / min(v):.2f}" if v and min(v) > 0 else "-")
        print(f"| {name} | " + " | ".join(cells) + " |")
PY
cp "$tmp/runs.txt" "${BENCH_RUNS:-build/bench_compare_runs.txt}"  # every round's raw lines
