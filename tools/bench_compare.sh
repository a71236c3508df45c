#!/usr/bin/env bash
# Runs keras.cpp's benchmark and ../shared/bench's PyTorch references side by side, ROUNDS times
# (interleaved, so machine noise hits all alike), and prints each one's median and the ratio of
# keras.cpp to PyTorch's best (the better of the Python and C++ frontends).
# Needs Debian's python3-torch and libtorch-dev (apt-get install -y python3-torch libtorch-dev).
# Usage: tools/bench_compare.sh [ROUNDS] [MODEL...]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
shift || true
models=("${@:-mlp}")
shared=../shared/bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s build >/dev/null
if [ ! -x "$tmp/libtorch_ref" ]; then
  g++ -O2 -std=c++17 "$shared/libtorch_reference.cpp" -I/usr/include/torch/csrc/api/include \
    -ltorch -ltorch_cpu -lc10 -lz -o "$tmp/libtorch_ref" 2>/dev/null || echo "libtorch reference not built"
fi
for ((r = 0; r < rounds; r++)); do
  ./build/bench/keras_bench "${models[@]}" | sed 's/^/keras /'
  /usr/bin/python3 "$shared/torch_reference.py" "${models[@]}" | sed 's/^/torch_py /'
  [ -x "$tmp/libtorch_ref" ] && "$tmp/libtorch_ref" "${models[@]}" | sed 's/^/torch_cpp /'
done >"$tmp/runs.txt"
python3 - "$tmp/runs.txt" <<'PY'
import sys, statistics, collections
rates = collections.defaultdict(list)
for line in open(sys.argv[1]):
    who, name, rate = line.split()[:3]
    rates[(name, who)].append(float(rate))
for name in sorted({n for n, _ in rates}):
    med = {who: statistics.median(v) for (n, who), v in rates.items() if n == name}
    torch_best = max(med.get("torch_py", 0), med.get("torch_cpp", 0))
    parts = "  ".join(f"{w} {m:,.0f}" for w, m in sorted(med.items()))
    ratio = med.get("keras", 0) / torch_best if torch_best else float("nan")
    print(f"{name:14s} medians (samples/s): {parts}  ratio keras/torch_best {ratio:.2f}")
PY
