// Kernel microbenchmarks (Google Benchmark): the hot kernels of the guide's models.
#include <benchmark/benchmark.h>
#include <keras/ops/rnn.h>

#include <keras/keras.hpp>

#ifdef KERAS_BENCH_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>
#endif

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

// The machine's float32 GEMM peak (docs/performance.md), on 1 and 2 threads: items_per_second is
// FLOP/s.
void BM_GemmPeak(benchmark::State& state) {
  const int before = keras::backend::num_threads();
  keras::backend::set_num_threads(static_cast<int>(state.range(1)));
  const int64_t n = state.range(0);
  Tensor a = keras::random::uniform({n, n}), b = keras::random::uniform({n, n});
  Tensor y = Tensor::empty({n, n});
  auto& be = keras::backend::cpu_backend();
  for (auto _ : state) be.gemm(a, b, y, {});
  state.SetItemsProcessed(state.iterations() * 2 * n * n * n);
  keras::backend::set_num_threads(before);
}
BENCHMARK(BM_GemmPeak)
    ->Args({2048, 1})
    ->Args({2048, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

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

// Batch normalization shapes: a conv feature map channels_last and channels_first, and a dense
// layer's activations.
void batch_norm_shapes(benchmark::internal::Benchmark* b) {
  b->Args({32, 28, 28, 64, -1})->Args({32, 64, 28, 28, 1})->Args({256, 1, 1, 512, -1});
}
keras::Shape batch_norm_shape(const benchmark::State& state) {
  return {state.range(0), state.range(1), state.range(2), state.range(3)};
}

// One training step of a BatchNormalization layer as fit runs it: forward in training mode
// (batch statistics, moving-statistics update) and the gradients of x, gamma and beta.
void BM_BatchNormTrainStep(benchmark::State& state) {
  const keras::Shape shape = batch_norm_shape(state);
  const int axis = static_cast<int>(state.range(4));
  keras::layers::BatchNormalization bn({.axis = axis});
  Tensor x = keras::random::normal(shape), w = keras::random::normal(shape);
  bn.impl().build({shape});
  const Tensor gamma = bn.impl().gamma().value(), beta = bn.impl().beta().value();
  for (auto _ : state) {
    keras::autodiff::GradientTape tape;
    tape.watch(x);
    const Tensor y = bn.impl().call({x}, /*training=*/true)[0];
    benchmark::DoNotOptimize(tape.gradient(keras::ops::multiply(y, w), {x, gamma, beta}));
  }
  state.SetItemsProcessed(state.iterations() * x.size());
}
BENCHMARK(BM_BatchNormTrainStep)->Apply(batch_norm_shapes)->Unit(benchmark::kMicrosecond);

// The CPU backend's batch normalization kernels alone, forward training and backward: the same
// work as BM_OneDnnBatchNorm.
void BM_BatchNormKernels(benchmark::State& state) {
  const keras::Shape s = batch_norm_shape(state);
  const keras::backend::BatchNormParams p{.axis = state.range(4) == -1 ? 3 : 1, .training = true};
  const int64_t c = s[static_cast<size_t>(p.axis)];
  Tensor x = keras::random::normal(s), dy = keras::random::normal(s);
  Tensor scale = keras::random::uniform({c}), offset = keras::random::uniform({c});
  Tensor y = Tensor::empty(s), dx = Tensor::empty(s), mean = Tensor::empty({c});
  Tensor var = Tensor::empty({c}), dscale = Tensor::empty({c}), doffset = Tensor::empty({c});
  auto& be = keras::backend::cpu_backend();
  for (auto _ : state) {
    be.batch_norm(x, scale, offset, mean, var, y, p);
    be.batch_norm_backward(x, dy, scale, mean, var, {}, {}, dx, dscale, doffset, p);
  }
  state.SetItemsProcessed(state.iterations() * x.size());
}
BENCHMARK(BM_BatchNormKernels)->Apply(batch_norm_shapes)->Unit(benchmark::kMicrosecond);

#ifdef KERAS_BENCH_ONEDNN
// oneDNN's batch normalization primitive, forward training and backward, for comparison.
void BM_OneDnnBatchNorm(benchmark::State& state) {
  using namespace dnnl;
  const keras::Shape s = batch_norm_shape(state);
  const bool last = state.range(4) == -1;
  const memory::dims dims =
      last ? memory::dims{s[0], s[3], s[1], s[2]} : memory::dims{s[0], s[1], s[2], s[3]};
  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  const memory::desc md(dims, memory::data_type::f32,
                        last ? memory::format_tag::nhwc : memory::format_tag::nchw);
  const auto flags = normalization_flags::use_scale | normalization_flags::use_shift;
  const batch_normalization_forward::primitive_desc fwd_pd(
      {prop_kind::forward_training, md, 1e-3f, flags}, eng);
  const batch_normalization_backward::primitive_desc bwd_pd(
      {prop_kind::backward, md, md, 1e-3f, flags}, eng, fwd_pd);
  Tensor x = keras::random::normal(s), dy = keras::random::normal(s);
  Tensor scale = keras::random::uniform({dims[1]}), shift = keras::random::uniform({dims[1]});
  Tensor y = Tensor::empty(s), dx = Tensor::empty(s), mean = Tensor::empty({dims[1]});
  Tensor var = Tensor::empty({dims[1]}), dscale = Tensor::empty({dims[1]});
  Tensor dshift = Tensor::empty({dims[1]});
  auto mem = [&](const memory::desc& d, const Tensor& t) { return memory(d, eng, t.raw_data()); };
  batch_normalization_forward fwd(fwd_pd);
  batch_normalization_backward bwd(bwd_pd);
  for (auto _ : state) {
    fwd.execute(strm, {{DNNL_ARG_SRC, mem(md, x)},
                       {DNNL_ARG_DST, mem(md, y)},
                       {DNNL_ARG_MEAN, mem(fwd_pd.mean_desc(), mean)},
                       {DNNL_ARG_VARIANCE, mem(fwd_pd.variance_desc(), var)},
                       {DNNL_ARG_SCALE, mem(fwd_pd.weights_desc(), scale)},
                       {DNNL_ARG_SHIFT, mem(fwd_pd.weights_desc(), shift)}});
    bwd.execute(strm, {{DNNL_ARG_SRC, mem(md, x)},
                       {DNNL_ARG_MEAN, mem(bwd_pd.mean_desc(), mean)},
                       {DNNL_ARG_VARIANCE, mem(bwd_pd.variance_desc(), var)},
                       {DNNL_ARG_DIFF_DST, mem(md, dy)},
                       {DNNL_ARG_SCALE, mem(bwd_pd.weights_desc(), scale)},
                       {DNNL_ARG_SHIFT, mem(bwd_pd.weights_desc(), shift)},  // 2.6 asks for it
                       {DNNL_ARG_DIFF_SRC, mem(md, dx)},
                       {DNNL_ARG_DIFF_SCALE, mem(bwd_pd.diff_weights_desc(), dscale)},
                       {DNNL_ARG_DIFF_SHIFT, mem(bwd_pd.diff_weights_desc(), dshift)}});
    strm.wait();
  }
  state.SetItemsProcessed(state.iterations() * x.size());
}
BENCHMARK(BM_OneDnnBatchNorm)->Apply(batch_norm_shapes)->Unit(benchmark::kMicrosecond);
#endif

}  // namespace

// One LSTM layer's inference (ops::lstm_inference) at shared_lstm's predict shape: the shared
// layer's two calls as one batch of 512 rows, 140 steps, 256 features, 64 units. Items: FLOPs.
void BM_LstmInference(benchmark::State& state) {
  const int64_t batch = state.range(0), steps = 140, features = 256, units = 64;
  Tensor x = keras::random::uniform({batch, steps, features});
  Tensor kernel = keras::random::uniform({features, 4 * units}, -0.1, 0.1);
  Tensor u_kernel = keras::random::uniform({units, 4 * units}, -0.1, 0.1);
  Tensor bias = keras::random::uniform({4 * units});
  Tensor h0 = keras::zeros({batch, units}), c0 = keras::zeros({batch, units});
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        keras::ops::lstm_inference(x, kernel, bias, u_kernel, h0, c0, false, false));
  }
  state.SetItemsProcessed(state.iterations() * 2 * batch * steps * (features + units) * 4 * units);
}
BENCHMARK(BM_LstmInference)->Arg(512)->Arg(1)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
