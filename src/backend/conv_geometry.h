// Canonical 3-d geometry of a channels_last convolution or pooling: 1-d and 2-d problems are
// padded with leading spatial dimensions of size 1, so every kernel loops over (d, h, w).
#pragma once

#include <cstdint>
#include <span>

#include "keras/backend/backend.h"

namespace keras::backend {

struct ConvGeometry {
  int64_t batch = 1, c = 1, f = 1, groups = 1;  // c in, f out channels (equal for pooling)
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1}, dilation[3] = {1, 1, 1}, pad[3] = {0, 0, 0};

  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t taps() const { return k[0] * k[1] * k[2]; }
  int64_t c_per_group() const { return c / groups; }
  int64_t f_per_group() const { return f / groups; }
  // Input coordinate along axis a read by output coordinate o and tap t (may be out of range).
  int64_t input_at(int a, int64_t o, int64_t t) const {
    return o * stride[a] + t * dilation[a] - pad[a];
  }
  bool inside(int a, int64_t i) const { return i >= 0 && i < in[a]; }
};

// From (batch, spatial..., C) src, (batch, out_spatial..., F) dst and per-dimension vectors.
inline ConvGeometry make_geometry(const Shape& src,
                                  const Shape& dst,
                                  std::span<const int64_t> kernel,
                                  const std::vector<int64_t>& strides,
                                  const std::vector<int64_t>& dilation,
                                  const std::vector<int64_t>& padding,
                                  int64_t groups) {
  ConvGeometry g;
  const int r = static_cast<int>(src.size()) - 2;
  KERAS_CHECK(r >= 1 && r <= 3 && dst.size() == src.size() &&
                  static_cast<int>(kernel.size()) == r && static_cast<int>(strides.size()) == r &&
                  static_cast<int>(padding.size()) == r &&
                  (dilation.empty() || static_cast<int>(dilation.size()) == r),
              ValueError, "conv/pool kernel: inconsistent geometry for ", shape_str(src), " -> ",
              shape_str(dst));
  g.batch = src[0];
  g.c = src.back();
  g.f = dst.back();
  g.groups = groups;
  for (int i = 0; i < r; ++i) {
    const int a = 3 - r + i;
    g.in[a] = src[1 + i];
    g.out[a] = dst[1 + i];
    g.k[a] = kernel[i];
    g.stride[a] = strides[i];
    g.dilation[a] = dilation.empty() ? 1 : dilation[i];
    g.pad[a] = padding[i];
  }
  return g;
}

// weights (kernel..., C / groups, F): the spatial part of its shape.
inline ConvGeometry conv_geometry(const Shape& src,
                                  const Shape& weights,
                                  const Shape& dst,
                                  const ConvParams& p) {
  const std::span<const int64_t> kernel(weights.data(), weights.size() - 2);
  ConvGeometry g = make_geometry(src, dst, kernel, p.strides, p.dilation_rate, p.padding, p.groups);
  KERAS_CHECK(p.groups >= 1 && g.c % p.groups == 0 && g.f % p.groups == 0 &&
                  weights[weights.size() - 2] == g.c / p.groups && weights.back() == g.f,
              ValueError, "conv kernel: weights ", shape_str(weights), " do not match ",
              shape_str(src), " -> ", shape_str(dst), " with groups ", p.groups);
  return g;
}

inline ConvGeometry pool_geometry(const Shape& src, const Shape& dst, const PoolParams& p) {
  return make_geometry(src, dst, p.pool_size, p.strides, {}, p.padding, 1);
}

}  // namespace keras::backend
