// Primitives are created once per (kind, shapes, params) and cached per thread, with the forward
// primitive descriptor as the hint for the backward ones. Activations stay channels_last (nwc,
// nhwc, ndhwc), which the JIT kernels read directly; weights are reordered between the Keras
// layout (k..., C / groups, F) and the primitive's preferred blocked layout on every call (they
// change every step, and the reorder is small next to the convolution).
#include "backend/cpu/onednn/conv.h"

#include <omp.h>

#include <dnnl.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace keras::backend::onednn {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

enum class Kind { forward, backward_data, backward_weights };

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

struct Plan {
  dnnl::primitive primitive;
  memory::desc src, weights, dst;  // the primitive's (weights possibly blocked)
  memory::desc user_weights;
  dnnl::reorder weights_reorder;  // user <-> primitive layout, when they differ
  std::vector<float> weights_buffer;
  std::vector<uint8_t> scratchpad;
  memory::desc scratchpad_desc;
  bool reorder = false;
};

std::string key_of(
    Kind kind, const Shape& src, const Shape& weights, const Shape& dst, const ConvParams& p) {
  std::string k = std::to_string(static_cast<int>(kind));
  auto add = [&k](const std::vector<int64_t>& v) {
    k += '|';
    for (int64_t x : v) k += std::to_string(x) + ',';
  };
  add(src);
  add(weights);
  add(dst);
  add(p.strides);
  add(p.dilation_rate);
  add(p.padding);
  add({p.groups});
  return k;
}

// nullptr when oneDNN cannot run this convolution.
Plan* plan_for(
    Kind kind, const Shape& src, const Shape& weights, const Shape& dst, const ConvParams& p) {
  thread_local std::map<std::string, std::unique_ptr<Plan>> cache;
  const std::string key = key_of(kind, src, weights, dst, p);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second.get();
  std::unique_ptr<Plan> plan;
  try {
    const int r = static_cast<int>(src.size()) - 2;
    const bool grouped = p.groups > 1;
    memory::dims wdims;
    const int64_t ic = src.back(), oc = dst.back();
    if (grouped)
      wdims = {p.groups, oc / p.groups, ic / p.groups};
    else
      wdims = {oc, ic};
    wdims.insert(wdims.end(), weights.begin(), weights.end() - 2);
    memory::dims strides(p.strides.begin(), p.strides.end()), dilates, pad_l, pad_r;
    for (int i = 0; i < r; ++i) {
      const int64_t k = (weights[i] - 1) * p.dilation_rate[i] + 1;
      dilates.push_back(p.dilation_rate[i] - 1);
      pad_l.push_back(p.padding[i]);
      pad_r.push_back((dst[1 + i] - 1) * p.strides[i] + k - src[1 + i] - p.padding[i]);
    }
    const memory::desc src_md(activation_dims(src), memory::data_type::f32, activation_tag(r));
    const memory::desc dst_md(activation_dims(dst), memory::data_type::f32, activation_tag(r));
    const memory::desc any_w(wdims, memory::data_type::f32, Tag::any);
    plan = std::make_unique<Plan>();
    plan->user_weights = memory::desc(wdims, memory::data_type::f32, weights_tag(r, grouped));
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    const dnnl::convolution_forward::desc fwd_desc(dnnl::prop_kind::forward_training,
                                                   dnnl::algorithm::convolution_direct, src_md,
                                                   any_w, dst_md, strides, dilates, pad_l, pad_r);
    const dnnl::convolution_forward::primitive_desc fwd(fwd_desc, attr, engine());
    memory::desc prim_w;
    if (kind == Kind::forward) {
      plan->primitive = dnnl::convolution_forward(fwd);
      prim_w = fwd.weights_desc();
      plan->scratchpad_desc = fwd.scratchpad_desc();
    } else if (kind == Kind::backward_data) {
      const dnnl::convolution_backward_data::primitive_desc pd(
          dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, src_md, any_w,
                                                dst_md, strides, dilates, pad_l, pad_r),
          attr, engine(), fwd);
      plan->primitive = dnnl::convolution_backward_data(pd);
      prim_w = pd.weights_desc();
      plan->scratchpad_desc = pd.scratchpad_desc();
    } else {
      const dnnl::convolution_backward_weights::primitive_desc pd(
          dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, src_md,
                                                   any_w, dst_md, strides, dilates, pad_l, pad_r),
          attr, engine(), fwd);
      plan->primitive = dnnl::convolution_backward_weights(pd);
      prim_w = pd.diff_weights_desc();
      plan->scratchpad_desc = pd.scratchpad_desc();
    }
    plan->src = src_md;
    plan->dst = dst_md;
    plan->weights = prim_w;
    plan->scratchpad.resize(plan->scratchpad_desc.get_size());
    if (prim_w != plan->user_weights) {
      plan->reorder = true;
      plan->weights_buffer.resize(prim_w.get_size() / sizeof(float));
      plan->weights_reorder = kind == Kind::backward_weights
                                  ? dnnl::reorder(dnnl::reorder::primitive_desc(
                                        engine(), prim_w, engine(), plan->user_weights))
                                  : dnnl::reorder(dnnl::reorder::primitive_desc(
                                        engine(), plan->user_weights, engine(), prim_w));
    }
  } catch (const dnnl::error&) {
    plan.reset();
  }
  Plan* result = plan.get();
  cache.emplace(key, std::move(plan));
  return result;
}

bool run(
    Kind kind, const Tensor& src, const Tensor& weights, const Tensor& dst, const ConvParams& p) {
  if (src.dtype() != DType::float32) return false;
  Plan* plan = plan_for(kind, src.shape(), weights.shape(), dst.shape(), p);
  if (plan == nullptr) return false;
  thread_local dnnl::stream stream(engine());
  const dnnl::engine& e = engine();
  memory src_m(plan->src, e, src.raw_data()), dst_m(plan->dst, e, dst.raw_data());
  memory user_w(plan->user_weights, e, weights.raw_data());
  memory prim_w = plan->reorder ? memory(plan->weights, e, plan->weights_buffer.data()) : user_w;
  memory scratch(plan->scratchpad_desc, e, plan->scratchpad.data());
  if (plan->reorder && kind != Kind::backward_weights) {
    plan->weights_reorder.execute(stream, user_w, prim_w);
  }
  switch (kind) {
    case Kind::forward:
      plan->primitive.execute(stream, {{DNNL_ARG_SRC, src_m},
                                       {DNNL_ARG_WEIGHTS, prim_w},
                                       {DNNL_ARG_DST, dst_m},
                                       {DNNL_ARG_SCRATCHPAD, scratch}});
      break;
    case Kind::backward_data:
      plan->primitive.execute(stream, {{DNNL_ARG_DIFF_SRC, src_m},
                                       {DNNL_ARG_WEIGHTS, prim_w},
                                       {DNNL_ARG_DIFF_DST, dst_m},
                                       {DNNL_ARG_SCRATCHPAD, scratch}});
      break;
    case Kind::backward_weights:
      plan->primitive.execute(stream, {{DNNL_ARG_SRC, src_m},
                                       {DNNL_ARG_DIFF_WEIGHTS, prim_w},
                                       {DNNL_ARG_DIFF_DST, dst_m},
                                       {DNNL_ARG_SCRATCHPAD, scratch}});
      if (plan->reorder) plan->weights_reorder.execute(stream, prim_w, user_w);
      break;
  }
  stream.wait();
  return true;
}

}  // namespace

bool conv(const Tensor& src, const Tensor& weights, const Tensor& dst, const ConvParams& p) {
  return run(Kind::forward, src, weights, dst, p);
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

void set_num_threads(int n) {
  omp_set_num_threads(n);
}

}  // namespace keras::backend::onednn
