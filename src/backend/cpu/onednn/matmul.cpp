// Primitives are created once per (shapes, bias, threads) and cached per thread, with a user
// scratchpad and the argument map built once; each call only points the memories at the tensors.
#include "backend/cpu/onednn/matmul.h"

#include <omp.h>

#include <climits>
#include <dnnl.hpp>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "backend/cpu/parallel.h"

namespace keras::backend::onednn {
namespace {

using dnnl::memory;

dnnl::engine& engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

struct Plan {
  dnnl::matmul primitive;
  memory src, weights, bias, dst, scratchpad;
  std::unordered_map<int, memory> args;
};

std::unique_ptr<Plan> make_plan(int64_t m, int64_t n, int64_t k, bool with_bias) {
  const auto f32 = memory::data_type::f32;
  const auto ab = memory::format_tag::ab;
  const memory::desc src_md({m, k}, f32, ab), weights_md({k, n}, f32, ab), dst_md({m, n}, f32, ab),
      bias_md({1, n}, f32, ab);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const dnnl::matmul::primitive_desc pd(
      with_bias ? dnnl::matmul::desc(src_md, weights_md, bias_md, dst_md)
                : dnnl::matmul::desc(src_md, weights_md, dst_md),
      attr, engine());
  auto plan = std::make_unique<Plan>();
  plan->primitive = dnnl::matmul(pd);
  plan->src = memory(src_md, engine(), DNNL_MEMORY_NONE);
  plan->weights = memory(weights_md, engine(), DNNL_MEMORY_NONE);
  plan->dst = memory(dst_md, engine(), DNNL_MEMORY_NONE);
  plan->scratchpad = memory(pd.scratchpad_desc(), engine());
  plan->args = {{DNNL_ARG_SRC, plan->src},
                {DNNL_ARG_WEIGHTS, plan->weights},
                {DNNL_ARG_DST, plan->dst},
                {DNNL_ARG_SCRATCHPAD, plan->scratchpad}};
  if (with_bias) {
    plan->bias = memory(bias_md, engine(), DNNL_MEMORY_NONE);
    plan->args.emplace(DNNL_ARG_BIAS, plan->bias);
  }
  return plan;
}

// nullptr when oneDNN has no primitive for the product (remembered, so asked once).
Plan* plan_for(int64_t m, int64_t n, int64_t k, bool with_bias, int threads) {
  thread_local std::map<std::tuple<int64_t, int64_t, int64_t, bool, int>, std::unique_ptr<Plan>>
      cache;
  const auto key = std::make_tuple(m, n, k, with_bias, threads);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second.get();
  std::unique_ptr<Plan> plan;
  try {
    plan = make_plan(m, n, k, with_bias);
  } catch (const dnnl::error&) {
  }
  Plan* result = plan.get();
  cache.emplace(key, std::move(plan));
  return result;
}

}  // namespace

bool dense(const Tensor& x, const Tensor& kernel, const Tensor* bias, const Tensor& y) {
  const int64_t m = y.shape()[0], n = y.shape()[1], k = x.shape()[1];
  // oneDNN's JIT kernels address memory with 32-bit offsets.
  const int64_t limit = INT32_MAX / static_cast<int64_t>(sizeof(float));
  if (m == 0 || n == 0 || k == 0 || m > limit / k || k > limit / n || m > limit / n) return false;
  const bool nested = omp_in_parallel() != 0;
  const int threads = nested || m * n * k < kMinThreadedGemmWork ? 1 : omp_get_max_threads();
  // A small product outside a parallel region: one thread, set before the primitive is made
  // (oneDNN sizes its work split at creation and runs it on that many threads).
  std::optional<ScopedOmpThreads> one_thread;
  if (!nested && threads == 1) one_thread.emplace(1);
  Plan* plan = plan_for(m, n, k, bias != nullptr, threads);
  if (plan == nullptr) return false;
  thread_local dnnl::stream stream(engine());
  plan->src.set_data_handle(x.raw_data());
  plan->weights.set_data_handle(kernel.raw_data());
  plan->dst.set_data_handle(y.raw_data());
  if (bias != nullptr) plan->bias.set_data_handle(bias->raw_data());
  plan->primitive.execute(stream, plan->args);
  stream.wait();
  return true;
}

}  // namespace keras::backend::onednn
