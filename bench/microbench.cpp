// Kernel microbenchmarks (Google Benchmark): the hot kernels of the guide's models.
#include <benchmark/benchmark.h>

#include <keras/keras.hpp>

namespace {

using keras::Tensor;

void BM_Gemm(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  Tensor a = keras::random::uniform({m, k}), b = keras::random::uniform({k, n});
  Tensor y = Tensor::empty({m, n});
  auto& be = keras::backend::cpu_backend();
  for (auto _ : state) be.gemm(a, b, y, {});
  state.SetItemsProcessed(state.iterations() * 2 * m * k * n);
}
BENCHMARK(BM_Gemm)->Args({32, 784, 64})->Args({784, 32, 64})->Args({32, 64, 64});

void BM_Softmax(benchmark::State& state) {
  Tensor x = keras::random::uniform({32, state.range(0)}), y = Tensor::empty({32, state.range(0)});
  auto& be = keras::backend::cpu_backend();
  for (auto _ : state) be.softmax(x, y);
}
BENCHMARK(BM_Softmax)->Arg(10)->Arg(1000);

void BM_BiasRelu(benchmark::State& state) {
  Tensor x = keras::random::uniform({32, 64}), b = keras::random::uniform({64});
  Tensor y = Tensor::empty({32, 64});
  auto& be = keras::backend::cpu_backend();
  for (auto _ : state) {
    be.binary(keras::backend::BinaryOp::add, x, b, y);
    be.unary(keras::backend::UnaryOp::relu, y, y, {});
  }
}
BENCHMARK(BM_BiasRelu);

}  // namespace

BENCHMARK_MAIN();
