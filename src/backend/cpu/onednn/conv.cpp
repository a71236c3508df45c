// Primitives are created once per (kind, shapes, params) and cached per thread, with the forward
// primitive descriptor as the hint for the backward ones. Direct convolutions read and write
// channels_last activations (nwc, nhwc, ndhwc) as they are; weights are reordered between the
// Keras layout (k..., C / groups, F) and the primitive's blocked layout on every call (they change
// every step, and the reorder is small next to the convolution). Measured on the bench shapes
// (one AVX-512 core): direct oneDNN ~105-115 GFLOP/s vs ~85-95 for im2row + OpenBLAS sgemm;
// Winograd about 2x the direct speed on 3x3 convolutions with 64 channels.
#include "backend/cpu/onednn/conv.h"

#include <omp.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <dnnl.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "keras/backend/winograd.h"

namespace keras::backend::onednn {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

// forward_bias: the forward with a bias (F,) added in the primitive's output pass. (A
// forward_inference primitive made shared_vision's latency 3-5x slower: Winograd weights reorder.)
enum class Kind { forward, backward_data, backward_weights, forward_bias };

dnnl::engine& engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

Tag activation_tag(int r) {
  return r == 1 ? Tag::nwc : r == 2 ? Tag::nhwc : Tag::ndhwc;
}
Tag weights_tag(int r, bool grouped) {
  if (grouped) return r == 1 ? Tag::wigo : r == 2 ? Tag::hwigo : Tag::dhwigo;
  return r == 1 ? Tag::wio : r == 2 ? Tag::hwio : Tag::dhwio;
}

// (batch, spatial..., C) -> oneDNN's (batch, C, spatial...) dims.
memory::dims activation_dims(const Shape& s) {
  memory::dims d{s[0], s.back()};
  d.insert(d.end(), s.begin() + 1, s.end() - 1);
  return d;
}

// One primitive argument: the caller's memory (user) and the layout the primitive wants (prim);
// when they differ, a reorder into (inputs) or out of (outputs) a buffer owned by the plan.
struct Arg {
  int id = 0;  // DNNL_ARG_*
  bool input = true;
  memory::desc user, prim;
  std::optional<dnnl::reorder> reorder;
  memory buffer;  // allocated (aligned) by oneDNN, which the JIT kernels need

  void prepare() {
    if (prim == user) return;
    buffer = memory(prim, engine());
    reorder = input ? dnnl::reorder(dnnl::reorder::primitive_desc(engine(), user, engine(), prim))
                    : dnnl::reorder(dnnl::reorder::primitive_desc(engine(), prim, engine(), user));
  }
};

struct Plan {
  dnnl::primitive primitive;
  Arg args[3];  // src side, weights, dst side
  memory scratchpad;
  // Built once: each call only points user[] at the tensors (fewer host allocations per step).
  memory user[3];
  memory bias;  // forward_bias only: the caller's (F,) bias
  std::unordered_map<int, memory> exec;
  std::unordered_map<int, memory> reorder_args[3];
};

// The cache key; written into a reused per-thread string so that lookups do not allocate.
const std::string& key_of(
    Kind kind, const Shape& src, const Shape& weights, const Shape& dst, const ConvParams& p) {
  thread_local std::string k;
  k.clear();
  k += static_cast<char>('0' + static_cast<int>(kind));
  auto add = [](const std::vector<int64_t>& v) {
    k += '|';
    for (int64_t x : v) {
      char digits[24];
      const int n = std::snprintf(digits, sizeof(digits), "%lld,", static_cast<long long>(x));
      k.append(digits, n);
    }
  };
  add(src);
  add(weights);
  add(dst);
  add(p.strides);
  add(p.dilation_rate);
  add(p.padding);
  k += std::to_string(p.groups);
  // oneDNN sizes a primitive's work split and scratchpad for the thread count at creation.
  k += '|';
  k += std::to_string(omp_get_max_threads());
  k += winograd_enabled() ? "|w" : "|d";
  return k;
}

// Winograd (F(4x4, 3x3)) halves the time of 3x3 stride-1 convolutions where oneDNN has it
// (AVX-512, channels multiple of 16; it wants blocked activations, so those get reorders).
bool winograd_candidate(const Shape& weights, const ConvParams& p) {
  return winograd_enabled() && weights.size() == 4 && weights[0] == 3 && weights[1] == 3 &&
         p.groups == 1 && weights[2] >= 16 && p.strides == std::vector<int64_t>{1, 1} &&
         p.dilation_rate == std::vector<int64_t>{1, 1};
}

std::unique_ptr<Plan> make_plan(Kind kind,
                                const Shape& src,
                                const Shape& weights,
                                const Shape& dst,
                                const ConvParams& p,
                                dnnl::algorithm alg) {
  const int r = static_cast<int>(src.size()) - 2;
  const bool grouped = p.groups > 1;
  const int64_t ic = src.back(), oc = dst.back();
  memory::dims wdims =
      grouped ? memory::dims{p.groups, oc / p.groups, ic / p.groups} : memory::dims{oc, ic};
  wdims.insert(wdims.end(), weights.begin(), weights.end() - 2);
  memory::dims strides(p.strides.begin(), p.strides.end()), dilates, pad_l, pad_r;
  for (int i = 0; i < r; ++i) {
    const int64_t k = (weights[i] - 1) * p.dilation_rate[i] + 1;
    dilates.push_back(p.dilation_rate[i] - 1);
    pad_l.push_back(p.padding[i]);
    pad_r.push_back((dst[1 + i] - 1) * p.strides[i] + k - src[1 + i] - p.padding[i]);
  }
  const auto f32 = memory::data_type::f32;
  const bool direct = alg == dnnl::algorithm::convolution_direct;
  const Tag act = direct ? activation_tag(r) : Tag::any;
  const memory::desc src_md(activation_dims(src), f32, act), dst_md(activation_dims(dst), f32, act);
  const memory::desc any_w(wdims, f32, Tag::any);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const memory::desc bias_md({oc}, f32, Tag::x);
  const dnnl::convolution_forward::primitive_desc fwd(
      kind == Kind::forward_bias
          ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, alg, src_md, any_w,
                                            bias_md, dst_md, strides, dilates, pad_l, pad_r)
          : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, alg, src_md, any_w,
                                            dst_md, strides, dilates, pad_l, pad_r),
      attr, engine());
  auto plan = std::make_unique<Plan>();
  Arg* a = plan->args;
  auto bind = [](Arg& arg, int id, bool input, const memory::desc& prim) {
    arg.id = id;
    arg.input = input;
    arg.prim = prim;
  };
  a[0].user = memory::desc(activation_dims(src), f32, activation_tag(r));
  a[1].user = memory::desc(wdims, f32, weights_tag(r, grouped));
  a[2].user = memory::desc(activation_dims(dst), f32, activation_tag(r));
  if (kind == Kind::forward || kind == Kind::forward_bias) {
    plan->primitive = dnnl::convolution_forward(fwd);
    bind(a[0], DNNL_ARG_SRC, true, fwd.src_desc());
    bind(a[1], DNNL_ARG_WEIGHTS, true, fwd.weights_desc());
    bind(a[2], DNNL_ARG_DST, false, fwd.dst_desc());
    plan->scratchpad = memory(fwd.scratchpad_desc(), engine());
  } else if (kind == Kind::backward_data) {
    const dnnl::convolution_backward_data::primitive_desc pd(
        dnnl::convolution_backward_data::desc(alg, src_md, any_w, dst_md, strides, dilates, pad_l,
                                              pad_r),
        attr, engine(), fwd);
    plan->primitive = dnnl::convolution_backward_data(pd);
    bind(a[0], DNNL_ARG_DIFF_SRC, false, pd.diff_src_desc());
    bind(a[1], DNNL_ARG_WEIGHTS, true, pd.weights_desc());
    bind(a[2], DNNL_ARG_DIFF_DST, true, pd.diff_dst_desc());
    plan->scratchpad = memory(pd.scratchpad_desc(), engine());
  } else {
    const dnnl::convolution_backward_weights::primitive_desc pd(
        dnnl::convolution_backward_weights::desc(alg, src_md, any_w, dst_md, strides, dilates,
                                                 pad_l, pad_r),
        attr, engine(), fwd);
    plan->primitive = dnnl::convolution_backward_weights(pd);
    bind(a[0], DNNL_ARG_SRC, true, pd.src_desc());
    bind(a[1], DNNL_ARG_DIFF_WEIGHTS, false, pd.diff_weights_desc());
    bind(a[2], DNNL_ARG_DIFF_DST, true, pd.diff_dst_desc());
    plan->scratchpad = memory(pd.scratchpad_desc(), engine());
  }
  for (int i = 0; i < 3; ++i) {
    Arg& arg = plan->args[i];
    arg.prepare();
    plan->user[i] = memory(arg.user, engine(), DNNL_MEMORY_NONE);
    const memory& prim = arg.reorder ? arg.buffer : plan->user[i];
    plan->exec.emplace(arg.id, prim);
    if (arg.reorder) {
      plan->reorder_args[i] = {{DNNL_ARG_FROM, arg.input ? plan->user[i] : arg.buffer},
                               {DNNL_ARG_TO, arg.input ? arg.buffer : plan->user[i]}};
    }
  }
  plan->exec.emplace(DNNL_ARG_SCRATCHPAD, plan->scratchpad);
  if (kind == Kind::forward_bias) {
    plan->bias = memory(bias_md, engine(), DNNL_MEMORY_NONE);
    plan->exec.emplace(DNNL_ARG_BIAS, plan->bias);
  }
  return plan;
}

// oneDNN's JIT kernels address memory with 32-bit offsets: a convolution whose padded input,
// output or weights of one sample exceed 2 GiB, or whose dilated kernel or strides do (a dilation
// rate of 10^9 in a config), crashes oneDNN while it generates the kernel. Those run on the
// im2row + GEMM path.
bool within_jit_offsets(const Shape& src,
                        const Shape& weights,
                        const Shape& dst,
                        const ConvParams& p) {
  const double limit = static_cast<double>(INT32_MAX) / sizeof(float);
  const auto d = [](int64_t v) { return static_cast<double>(v); };
  double in = d(src.back()), out = d(dst.back()), w = 1;
  for (size_t i = 0; i + 2 < src.size(); ++i) {
    const double k = (d(weights[i]) - 1) * d(p.dilation_rate[i]) + 1;
    const double extent =
        std::max((d(dst[1 + i]) - 1) * d(p.strides[i]) + k, d(src[1 + i]) + d(p.padding[i]));
    if (k > limit || d(p.strides[i]) > limit || extent > limit) return false;
    in *= extent;
    out *= d(dst[1 + i]);
  }
  for (int64_t v : weights) w *= d(v);
  return in <= limit && out <= limit && w <= limit;
}

// A forward convolution's source and destination floats per chunk of samples (see conv()).
constexpr int64_t kChunkFloats = int64_t{1} << 19;

// nullptr when oneDNN cannot run this convolution.
Plan* plan_for(
    Kind kind, const Shape& src, const Shape& weights, const Shape& dst, const ConvParams& p) {
  if (!within_jit_offsets(src, weights, dst, p)) return nullptr;
  thread_local std::map<std::string, std::unique_ptr<Plan>> cache;
  const std::string& key = key_of(kind, src, weights, dst, p);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second.get();
  std::unique_ptr<Plan> plan;
  if (winograd_candidate(weights, p)) {
    try {
      plan = make_plan(kind, src, weights, dst, p, dnnl::algorithm::convolution_winograd);
    } catch (const dnnl::error&) {
    }
  }
  if (!plan) {
    try {
      plan = make_plan(kind, src, weights, dst, p, dnnl::algorithm::convolution_direct);
    } catch (const dnnl::error&) {
    }
  }
  Plan* result = plan.get();
  cache.emplace(key, std::move(plan));
  return result;
}

// The diff_dst reorder of the last backward-data call inside a SharedDiffDst scope.
struct LastDiffDst {
  const void* user = nullptr;
  memory::desc user_desc, prim_desc;
  void* reordered = nullptr;
};
thread_local bool sharing = false;
thread_local LastDiffDst last;

bool run(Kind kind,
         const Tensor& src,
         const Tensor& weights,
         const Tensor& dst,
         const ConvParams& p,
         const Tensor* bias = nullptr) {
  const LastDiffDst previous = last;
  last = {};
  if (src.dtype() != DType::float32) return false;
  Plan* plan = plan_for(kind, src.shape(), weights.shape(), dst.shape(), p);
  if (plan == nullptr) return false;
  thread_local dnnl::stream stream(engine());
  void* data[3] = {src.raw_data(), weights.raw_data(), dst.raw_data()};
  if (bias != nullptr) plan->bias.set_data_handle(bias->raw_data());
  Arg& diff_dst = plan->args[2];
  const bool reuse = sharing && kind == Kind::backward_weights && diff_dst.reorder &&
                     previous.user == data[2] && previous.user_desc == diff_dst.user &&
                     previous.prim_desc == diff_dst.prim;
  void* own = reuse ? diff_dst.buffer.get_data_handle() : nullptr;
  if (reuse) diff_dst.buffer.set_data_handle(previous.reordered);
  for (int i = 0; i < 3; ++i) {
    plan->user[i].set_data_handle(data[i]);
    if (plan->args[i].reorder && plan->args[i].input && !(reuse && i == 2)) {
      plan->args[i].reorder->execute(stream, plan->reorder_args[i]);
    }
  }
  plan->primitive.execute(stream, plan->exec);
  for (int i = 0; i < 3; ++i) {
    if (plan->args[i].reorder && !plan->args[i].input) {
      plan->args[i].reorder->execute(stream, plan->reorder_args[i]);
    }
  }
  stream.wait();
  if (reuse) diff_dst.buffer.set_data_handle(own);
  if (sharing && kind == Kind::backward_data && diff_dst.reorder) {
    last = {data[2], diff_dst.user, diff_dst.prim, diff_dst.buffer.get_data_handle()};
  }
  return true;
}

}  // namespace

bool conv(const Tensor& src,
          const Tensor& weights,
          const Tensor& dst,
          const ConvParams& p,
          const Tensor* bias) {
  const Kind kind = bias != nullptr ? Kind::forward_bias : Kind::forward;
  // Winograd reads and writes blocked layouts: on a large batch the two reorders around it each
  // took a pass through memory (28% of the convolution's time on shared_vision's 64->64 3x3).
  // Run such batches a few samples at a time, so that a chunk's reordered activations are still
  // in cache when the convolution reads them and when the output is reordered back. Samples are
  // independent, so the result is the same as one call on the whole batch.
  const int64_t batch = src.shape()[0];
  const int64_t sample = (src.size() + dst.size()) / std::max<int64_t>(1, batch);
  const int64_t chunk = std::max<int64_t>(1, kChunkFloats / std::max<int64_t>(1, sample));
  if (batch <= chunk || src.dtype() != DType::float32 || !winograd_candidate(weights.shape(), p)) {
    return run(kind, src, weights, dst, p, bias);
  }
  for (int64_t b = 0; b < batch; b += chunk) {
    const int64_t e = std::min(batch, b + chunk);
    // Without a primitive for a chunk, the caller's fallback computes the whole batch again.
    if (!run(kind, src.slice_rows(b, e), weights, dst.slice_rows(b, e), p, bias)) return false;
  }
  return true;
}

bool conv_backward_data(const Tensor& diff_dst,
                        const Tensor& weights,
                        const Tensor& diff_src,
                        const ConvParams& p) {
  return run(Kind::backward_data, diff_src, weights, diff_dst, p);
}

bool conv_backward_weights(const Tensor& src,
                           const Tensor& diff_dst,
                           const Tensor& diff_weights,
                           const ConvParams& p) {
  return run(Kind::backward_weights, src, diff_weights, diff_dst, p);
}

SharedDiffDst::SharedDiffDst() {
  sharing = true;
  last = {};
}
SharedDiffDst::~SharedDiffDst() {
  sharing = false;
  last = {};
}

void set_num_threads(int n) {
  omp_set_num_threads(n);
}

void limit_isa(vec16::Isa isa) {
  if (isa == vec16::Isa::avx512) return;
  dnnl_set_max_cpu_isa(isa == vec16::Isa::avx2 ? dnnl_cpu_isa_avx2 : dnnl_cpu_isa_sse41);
}

}  // namespace keras::backend::onednn
