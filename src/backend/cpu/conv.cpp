// Convolutions on the CPU: a register-blocked direct kernel for a few output positions on AVX-512
// (backend/cpu/few_rows_conv.h, forward only), Winograd for the 1-D float32 geometries where it
// beats direct convolution (backend/cpu/winograd_conv1d.h) and for 3x3 stride-1 Conv2D with 16 to
// 128 channels on AVX-512 or AVX2 (backend/cpu/winograd_conv2d.h), then oneDNN when the build has
// it (backend/cpu/onednn/), otherwise, and for float64 or geometries oneDNN rejects, im2row (one
// row of taps x channels per output position; channels_last, so each tap copies a contiguous run of
// channels) times the weights, which are already a (taps * C / groups, F) matrix in the Keras
// layout, in OpenBLAS.
#include <algorithm>
#include <cstring>

#include "backend/conv_geometry.h"
#include "backend/cpu/blas.h"
#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/few_rows_conv.h"
#include "backend/cpu/scratch.h"
#include "backend/cpu/winograd_conv1d.h"
#include "backend/cpu/winograd_conv2d.h"
#include "backend/kernel_data.h"
#ifdef KERAS_HAVE_ONEDNN
#include "backend/cpu/onednn/conv.h"
#endif

namespace keras::backend {
namespace {

using blas::gemm;

// Rows of im2row are output positions; a row is (taps, C / groups) for one group.
struct Im2Row {
  // Spelled out: clang 14 has no parenthesized aggregate initialization.
  explicit Im2Row(const ConvGeometry& geometry) : g(geometry) {}
  const ConvGeometry& g;
  int64_t cg = g.c_per_group(), fg = g.f_per_group(), row = g.taps() * cg;
  // im2row is the identity (1x1 kernel, stride 1, no padding): GEMMs read src directly.
  bool identity = g.taps() == 1 && g.pad[0] == 0 && g.pad[1] == 0 && g.pad[2] == 0 &&
                  g.stride[0] == 1 && g.stride[1] == 1 && g.stride[2] == 1;
  // Samples per chunk: about 2M elements of im2row buffer, at least one sample.
  int64_t chunk =
      std::max<int64_t>(1, (int64_t{1} << 21) / std::max<int64_t>(1, g.out_size() * row));

  // Calls f(n, o, t, i) for every output position o of sample n and every tap t, with i the
  // flattened input position or -1 when the tap reads padding.
  template <class F>
  void walk(int64_t n, F&& f) const {
    for (int64_t od = 0; od < g.out[0]; ++od) {
      for (int64_t oh = 0; oh < g.out[1]; ++oh) {
        for (int64_t ow = 0; ow < g.out[2]; ++ow) {
          const int64_t o = (od * g.out[1] + oh) * g.out[2] + ow;
          int64_t t = 0;
          for (int64_t kd = 0; kd < g.k[0]; ++kd) {
            const int64_t id = g.input_at(0, od, kd);
            for (int64_t kh = 0; kh < g.k[1]; ++kh) {
              const int64_t ih = g.input_at(1, oh, kh);
              for (int64_t kw = 0; kw < g.k[2]; ++kw, ++t) {
                const int64_t iw = g.input_at(2, ow, kw);
                const bool in = g.inside(0, id) && g.inside(1, ih) && g.inside(2, iw);
                f(n, o, t, in ? (id * g.in[1] + ih) * g.in[2] + iw : -1);
              }
            }
          }
        }
      }
    }
  }

  template <class T>
  void gather(const T* x, int64_t n0, int64_t n1, int64_t group, T* col) const {
    for (int64_t n = n0; n < n1; ++n) {
      walk(n, [&](int64_t, int64_t o, int64_t t, int64_t i) {
        T* dst = col + ((n - n0) * g.out_size() + o) * row + t * cg;
        if (i < 0) {
          std::fill(dst, dst + cg, T(0));
        } else {
          std::memcpy(dst, x + (n * g.in_size() + i) * g.c + group * cg, cg * sizeof(T));
        }
      });
    }
  }

  template <class T>
  void scatter_add(const T* col, int64_t n0, int64_t n1, int64_t group, T* dx) const {
    for (int64_t n = n0; n < n1; ++n) {
      walk(n, [&](int64_t, int64_t o, int64_t t, int64_t i) {
        if (i < 0) return;
        const T* src = col + ((n - n0) * g.out_size() + o) * row + t * cg;
        T* dst = dx + (n * g.in_size() + i) * g.c + group * cg;
        for (int64_t c = 0; c < cg; ++c) dst[c] += src[c];
      });
    }
  }
};

// Before Winograd, except where tests force Winograd on every geometry it supports.
bool few_rows_applies(const Tensor& t, const ConvGeometry& g) {
  return t.dtype() == DType::float32 && winograd::policy() != winograd::Policy::always &&
         few_rows::applies(g);
}
bool winograd_applies(const Tensor& t, const ConvGeometry& g) {
  return t.dtype() == DType::float32 && winograd::applies(g);
}
bool winograd2d_applies(const Tensor& t, const ConvGeometry& g) {
  return t.dtype() == DType::float32 && winograd::applies2d(g);
}

template <class T>
void conv_forward(const ConvGeometry& g, const T* x, const T* w, T* y) {
  const Im2Row im(g);
  T* col = im.identity ? nullptr : scratch<T>(im.chunk * g.out_size() * im.row);
  for (int64_t n0 = 0; n0 < g.batch; n0 += im.chunk) {
    const int64_t n1 = std::min(g.batch, n0 + im.chunk), rows = (n1 - n0) * g.out_size();
    for (int64_t group = 0; group < g.groups; ++group) {
      const T* a = im.identity ? x + n0 * g.in_size() * g.c + group * im.cg : col;
      if (!im.identity) im.gather(x, n0, n1, group, col);
      gemm(false, false, rows, im.fg, im.row, a, im.identity ? g.c : im.row, w + group * im.fg, g.f,
           T(0), y + n0 * g.out_size() * g.f + group * im.fg, g.f);
    }
  }
}

template <class T>
void conv_data(const ConvGeometry& g, const T* dy, const T* w, T* dx) {
  const Im2Row im(g);
  if (!im.identity) std::fill(dx, dx + g.batch * g.in_size() * g.c, T(0));
  T* col = im.identity ? nullptr : scratch<T>(im.chunk * g.out_size() * im.row);
  for (int64_t n0 = 0; n0 < g.batch; n0 += im.chunk) {
    const int64_t n1 = std::min(g.batch, n0 + im.chunk), rows = (n1 - n0) * g.out_size();
    for (int64_t group = 0; group < g.groups; ++group) {
      const T* a = dy + n0 * g.out_size() * g.f + group * im.fg;
      if (im.identity) {
        gemm(false, true, rows, im.row, im.fg, a, g.f, w + group * im.fg, g.f, T(0),
             dx + n0 * g.in_size() * g.c + group * im.cg, g.c);
      } else {
        gemm(false, true, rows, im.row, im.fg, a, g.f, w + group * im.fg, g.f, T(0), col, im.row);
        im.scatter_add(col, n0, n1, group, dx);
      }
    }
  }
}

template <class T>
void conv_weights(const ConvGeometry& g, const T* x, const T* dy, T* dw) {
  const Im2Row im(g);
  T* col = im.identity ? nullptr : scratch<T>(im.chunk * g.out_size() * im.row);
  for (int64_t n0 = 0; n0 < g.batch; n0 += im.chunk) {
    const int64_t n1 = std::min(g.batch, n0 + im.chunk), rows = (n1 - n0) * g.out_size();
    for (int64_t group = 0; group < g.groups; ++group) {
      const T* a = im.identity ? x + n0 * g.in_size() * g.c + group * im.cg : col;
      if (!im.identity) im.gather(x, n0, n1, group, col);
      gemm(true, false, im.row, im.fg, rows, a, im.identity ? g.c : im.row,
           dy + n0 * g.out_size() * g.f + group * im.fg, g.f, n0 == 0 ? T(0) : T(1),
           dw + group * im.fg, g.f);
    }
  }
  if (g.batch == 0) std::fill(dw, dw + g.taps() * im.cg * g.f, T(0));
}

// dst = conv(src, weights) + bias through oneDNN's direct kernels, where it takes the geometry
// (Winograd's, where it applies, is faster): whether it ran.
bool onednn_conv_bias(const Tensor& src,
                      const Tensor& weights,
                      const Tensor& bias,
                      const Tensor& dst,
                      const ConvParams& p,
                      const ConvGeometry& g) {
#ifdef KERAS_HAVE_ONEDNN
  return dst.size() > 0 && !winograd_applies(src, g) && onednn::conv(src, weights, dst, p, &bias);
#else
  (void)src, (void)weights, (void)bias, (void)dst, (void)p, (void)g;
  return false;
#endif
}

}  // namespace

void CpuBackend::conv(const Tensor& src,
                      const Tensor& weights,
                      const Tensor& dst,
                      const ConvParams& p) {
  const ConvGeometry g = conv_geometry(src.shape(), weights.shape(), dst.shape(), p);
  if (dst.size() == 0) return;
  if (few_rows_applies(src, g)) {
    few_rows::conv(g, kernel_data<float>(src), kernel_data<float>(weights), nullptr,
                   kernel_data<float>(dst));
    return;
  }
  if (winograd_applies(src, g)) {
    winograd::conv1d(g, kernel_data<float>(src), kernel_data<float>(weights), nullptr,
                     kernel_data<float>(dst));
    return;
  }
  if (winograd2d_applies(src, g)) {
    winograd::conv2d(g, kernel_data<float>(src), kernel_data<float>(weights), nullptr,
                     kernel_data<float>(dst));
    return;
  }
#ifdef KERAS_HAVE_ONEDNN
  if (onednn::conv(src, weights, dst, p)) return;
#endif
  visit_floating(src, "conv", [&]<class T>() {
    conv_forward(g, kernel_data<T>(src), kernel_data<T>(weights), kernel_data<T>(dst));
  });
}

void CpuBackend::conv_bias(const Tensor& src,
                           const Tensor& weights,
                           const Tensor& bias,
                           const Tensor& dst,
                           const ConvParams& p,
                           bool relu) {
  const ConvGeometry g = conv_geometry(src.shape(), weights.shape(), dst.shape(), p);
  const bool float_bias = dst.size() > 0 && bias.dtype() == DType::float32 && bias.size() == g.f;
  const bool few_rows = float_bias && few_rows_applies(src, g);
  // The Winograd kernels apply relu in their output pass; the others in a pass after (oneDNN's
  // relu post-op maps NaN to 0).
  if (!few_rows && float_bias && winograd_applies(src, g)) {
    winograd::conv1d(g, kernel_data<float>(src), kernel_data<float>(weights),
                     kernel_data<float>(bias), kernel_data<float>(dst), relu);
    return;
  }
  if (!few_rows && float_bias && winograd2d_applies(src, g)) {
    winograd::conv2d(g, kernel_data<float>(src), kernel_data<float>(weights),
                     kernel_data<float>(bias), kernel_data<float>(dst), relu);
    return;
  }
  if (few_rows) {
    few_rows::conv(g, kernel_data<float>(src), kernel_data<float>(weights),
                   kernel_data<float>(bias), kernel_data<float>(dst));
  } else if (!onednn_conv_bias(src, weights, bias, dst, p, g)) {
    Backend::conv_bias(src, weights, bias, dst, p, false);
  }
  if (relu) unary(UnaryOp::relu, dst, dst, {});
}

void CpuBackend::conv_backward_data(const Tensor& diff_dst,
                                    const Tensor& weights,
                                    const Tensor& diff_src,
                                    const ConvParams& p) {
  const ConvGeometry g = conv_geometry(diff_src.shape(), weights.shape(), diff_dst.shape(), p);
  visit_floating(diff_dst, "conv_backward_data", [&]<class T>() {
    if (diff_dst.size() == 0) {
      std::fill_n(kernel_data<T>(diff_src), diff_src.size(), T(0));
      return;
    }
    if (winograd_applies(diff_dst, g)) {
      winograd::conv1d_backward_data(g, kernel_data<float>(diff_dst), kernel_data<float>(weights),
                                     kernel_data<float>(diff_src));
      return;
    }
    if (winograd2d_applies(diff_dst, g)) {
      winograd::conv2d_backward_data(g, kernel_data<float>(diff_dst), kernel_data<float>(weights),
                                     kernel_data<float>(diff_src));
      return;
    }
#ifdef KERAS_HAVE_ONEDNN
    if (onednn::conv_backward_data(diff_dst, weights, diff_src, p)) return;
#endif
    conv_data(g, kernel_data<T>(diff_dst), kernel_data<T>(weights), kernel_data<T>(diff_src));
  });
}

void CpuBackend::conv_backward_weights(const Tensor& src,
                                       const Tensor& diff_dst,
                                       const Tensor& diff_weights,
                                       const ConvParams& p) {
  const ConvGeometry g = conv_geometry(src.shape(), diff_weights.shape(), diff_dst.shape(), p);
  if (diff_dst.size() > 0 && winograd_applies(src, g)) {
    winograd::conv1d_backward_weights(g, kernel_data<float>(src), kernel_data<float>(diff_dst),
                                      kernel_data<float>(diff_weights));
    return;
  }
  if (diff_dst.size() > 0 && winograd2d_applies(src, g)) {
    winograd::conv2d_backward_weights(g, kernel_data<float>(src), kernel_data<float>(diff_dst),
                                      kernel_data<float>(diff_weights));
    return;
  }
#ifdef KERAS_HAVE_ONEDNN
  if (diff_dst.size() > 0 && onednn::conv_backward_weights(src, diff_dst, diff_weights, p)) return;
#endif
  visit_floating(src, "conv_backward_weights", [&]<class T>() {
    conv_weights(g, kernel_data<T>(src), kernel_data<T>(diff_dst), kernel_data<T>(diff_weights));
  });
}

void CpuBackend::conv_backward(const Tensor& src,
                               const Tensor& weights,
                               const Tensor& diff_dst,
                               const Tensor& diff_src,
                               const Tensor& diff_weights,
                               const ConvParams& p) {
  const ConvGeometry g = conv_geometry(src.shape(), weights.shape(), diff_dst.shape(), p);
  if (diff_src.defined() && diff_weights.defined() && diff_dst.size() > 0 &&
      winograd2d_applies(src, g)) {
    winograd::conv2d_backward(g, kernel_data<float>(src), kernel_data<float>(weights),
                              kernel_data<float>(diff_dst), kernel_data<float>(diff_src),
                              kernel_data<float>(diff_weights));
    return;
  }
#ifdef KERAS_HAVE_ONEDNN
  const onednn::SharedDiffDst shared;
#endif
  Backend::conv_backward(src, weights, diff_dst, diff_src, diff_weights, p);
}

namespace {

// 2x2 max pooling with strides 2 and no padding of a Winograd convolution's float32 output, which
// the convolution's tiles pool themselves (each tile's 4x4 outputs are 2x2 whole windows).
bool winograd_pool_applies(const Tensor& src,
                           const ConvGeometry& g,
                           const Tensor& pooled,
                           const PoolParams& pool) {
  const std::vector<int64_t> two{2, 2}, none{0, 0};
  return winograd2d_applies(src, g) && pool.pool_size == two && pool.strides == two &&
         pool.padding == none && pooled.dtype() == DType::float32 && pooled.rank() == 4 &&
         pooled.shape()[1] == g.out[1] / 2 && pooled.shape()[2] == g.out[2] / 2;
}

}  // namespace

void CpuBackend::conv_bias_max_pool(const Tensor& src,
                                    const Tensor& weights,
                                    const Tensor& bias,
                                    const Tensor& dst,
                                    const Tensor& pooled,
                                    const ConvParams& p,
                                    const PoolParams& pool,
                                    bool keep_dst) {
  const ConvGeometry g = conv_geometry(src.shape(), weights.shape(), dst.shape(), p);
  // (not where conv_bias would take the few-rows kernel: the same outputs as the two kernels)
  if (bias.dtype() == DType::float32 && pooled.size() > 0 && !few_rows_applies(src, g) &&
      winograd_pool_applies(src, g, pooled, pool)) {
    winograd::conv2d_max_pool(
        g, kernel_data<float>(src), kernel_data<float>(weights), kernel_data<float>(bias),
        keep_dst ? kernel_data<float>(dst) : nullptr, kernel_data<float>(pooled));
    return;
  }
  Backend::conv_bias_max_pool(src, weights, bias, dst, pooled, p, pool, keep_dst);
}

void CpuBackend::conv_max_pool_backward(const Tensor& src,
                                        const Tensor& weights,
                                        const Tensor& dst,
                                        const Tensor& diff_pooled,
                                        const Tensor& diff_src,
                                        const Tensor& diff_weights,
                                        const ConvParams& p,
                                        const PoolParams& pool) {
  const ConvGeometry g = conv_geometry(src.shape(), weights.shape(), dst.shape(), p);
  if (diff_pooled.size() > 0 && winograd_pool_applies(src, g, diff_pooled, pool) &&
      winograd::conv2d_max_pool_backward(
          g, kernel_data<float>(src), kernel_data<float>(weights), kernel_data<float>(dst),
          kernel_data<float>(diff_pooled),
          diff_src.defined() ? kernel_data<float>(diff_src) : nullptr,
          diff_weights.defined() ? kernel_data<float>(diff_weights) : nullptr)) {
    return;
  }
  Backend::conv_max_pool_backward(src, weights, dst, diff_pooled, diff_src, diff_weights, p, pool);
}

}  // namespace keras::backend
