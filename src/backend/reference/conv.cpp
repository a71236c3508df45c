// Naive convolution and pooling loops over the canonical (d, h, w) geometry.
#include <algorithm>
#include <limits>

#include "backend/conv_geometry.h"
#include "backend/kernel_data.h"
#include "backend/reference/reference_backend.h"
#include "backend/unary_math.h"

namespace keras::backend {
namespace {

// Per-thread scratch reused across calls, so that a steady-state training step does not allocate.
std::vector<int64_t>& scratch_indices(size_t n) {
  thread_local std::vector<int64_t> buffer;
  if (buffer.size() < n) buffer.resize(n);
  return buffer;
}

// Calls f(n, o, i, t) for every batch n, output position o, tap t whose input position i (all
// flattened over d, h, w) is inside the input.
template <class F>
void for_each_tap(const ConvGeometry& g, F&& f) {
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t od = 0; od < g.out[0]; ++od) {
      for (int64_t oh = 0; oh < g.out[1]; ++oh) {
        for (int64_t ow = 0; ow < g.out[2]; ++ow) {
          const int64_t o = (od * g.out[1] + oh) * g.out[2] + ow;
          for (int64_t kd = 0; kd < g.k[0]; ++kd) {
            const int64_t id = g.input_at(0, od, kd);
            if (!g.inside(0, id)) continue;
            for (int64_t kh = 0; kh < g.k[1]; ++kh) {
              const int64_t ih = g.input_at(1, oh, kh);
              if (!g.inside(1, ih)) continue;
              for (int64_t kw = 0; kw < g.k[2]; ++kw) {
                const int64_t iw = g.input_at(2, ow, kw);
                if (!g.inside(2, iw)) continue;
                f(n, o, (id * g.in[1] + ih) * g.in[2] + iw, (kd * g.k[1] + kh) * g.k[2] + kw);
              }
            }
          }
        }
      }
    }
  }
}

// Calls f(x, w, y) with x = src[n, i, c], w = weights[t, ci, fo], y = dst[n, o, fo] element offsets
// for every channel pair of every tap.
template <class F>
void for_each_product(const ConvGeometry& g, F&& f) {
  const int64_t cg = g.c_per_group(), fg = g.f_per_group();
  for_each_tap(g, [&](int64_t n, int64_t o, int64_t i, int64_t t) {
    for (int64_t fo = 0; fo < g.f; ++fo) {
      const int64_t group = fo / fg;
      for (int64_t ci = 0; ci < cg; ++ci) {
        f((n * g.in_size() + i) * g.c + group * cg + ci, (t * cg + ci) * g.f + fo,
          (n * g.out_size() + o) * g.f + fo);
      }
    }
  });
}

}  // namespace

void ReferenceBackend::conv(const Tensor& src,
                            const Tensor& weights,
                            const Tensor& dst,
                            const ConvParams& p) {
  const ConvGeometry g = conv_geometry(src.shape(), weights.shape(), dst.shape(), p);
  visit_floating(src, "conv", [&]<class T>() {
    const T* x = kernel_data<T>(src);
    const T* w = kernel_data<T>(weights);
    T* y = kernel_data<T>(dst);
    std::fill(y, y + dst.size(), T(0));
    for_each_product(g, [&](int64_t xi, int64_t wi, int64_t yi) { y[yi] += x[xi] * w[wi]; });
  });
}

void ReferenceBackend::conv_backward_data(const Tensor& diff_dst,
                                          const Tensor& weights,
                                          const Tensor& diff_src,
                                          const ConvParams& p) {
  const ConvGeometry g = conv_geometry(diff_src.shape(), weights.shape(), diff_dst.shape(), p);
  visit_floating(diff_dst, "conv_backward_data", [&]<class T>() {
    const T* dy = kernel_data<T>(diff_dst);
    const T* w = kernel_data<T>(weights);
    T* dx = kernel_data<T>(diff_src);
    std::fill(dx, dx + diff_src.size(), T(0));
    for_each_product(g, [&](int64_t xi, int64_t wi, int64_t yi) { dx[xi] += dy[yi] * w[wi]; });
  });
}

void ReferenceBackend::conv_backward_weights(const Tensor& src,
                                             const Tensor& diff_dst,
                                             const Tensor& diff_weights,
                                             const ConvParams& p) {
  const ConvGeometry g = conv_geometry(src.shape(), diff_weights.shape(), diff_dst.shape(), p);
  visit_floating(src, "conv_backward_weights", [&]<class T>() {
    const T* x = kernel_data<T>(src);
    const T* dy = kernel_data<T>(diff_dst);
    T* dw = kernel_data<T>(diff_weights);
    std::fill(dw, dw + diff_weights.size(), T(0));
    for_each_product(g, [&](int64_t xi, int64_t wi, int64_t yi) { dw[wi] += x[xi] * dy[yi]; });
  });
}

void ReferenceBackend::max_pool(const Tensor& src, const Tensor& dst, const PoolParams& p) {
  const ConvGeometry g = pool_geometry(src.shape(), dst.shape(), p);
  visit_floating(src, "max_pool", [&]<class T>() {
    const T* x = kernel_data<T>(src);
    T* y = kernel_data<T>(dst);
    std::fill(y, y + dst.size(), -std::numeric_limits<T>::infinity());
    for_each_tap(g, [&](int64_t n, int64_t o, int64_t i, int64_t) {
      for (int64_t c = 0; c < g.c; ++c) {
        T& out = y[(n * g.out_size() + o) * g.c + c];
        out = running_max(out, x[(n * g.in_size() + i) * g.c + c]);
      }
    });
  });
}

void ReferenceBackend::max_pool_backward(const Tensor& src,
                                         const Tensor& diff_dst,
                                         const Tensor& diff_src,
                                         const PoolParams& p) {
  const ConvGeometry g = pool_geometry(src.shape(), diff_dst.shape(), p);
  visit_floating(src, "max_pool_backward", [&]<class T>() {
    const T* x = kernel_data<T>(src);
    const T* dy = kernel_data<T>(diff_dst);
    T* dx = kernel_data<T>(diff_src);
    std::fill(dx, dx + diff_src.size(), T(0));
    // Taps of one output position arrive consecutively: find the first maximum, then route.
    std::vector<int64_t>& best = scratch_indices(diff_dst.size());
    std::fill_n(best.begin(), diff_dst.size(), -1);
    for_each_tap(g, [&](int64_t n, int64_t o, int64_t i, int64_t) {
      for (int64_t c = 0; c < g.c; ++c) {
        const int64_t xi = (n * g.in_size() + i) * g.c + c;
        int64_t& b = best[(n * g.out_size() + o) * g.c + c];
        if (b < 0 || x[xi] > x[b]) b = xi;
      }
    });
    for (int64_t j = 0; j < diff_dst.size(); ++j) {
      if (best[j] >= 0) dx[best[j]] += dy[j];
    }
  });
}

void ReferenceBackend::avg_pool(const Tensor& src, const Tensor& dst, const PoolParams& p) {
  const ConvGeometry g = pool_geometry(src.shape(), dst.shape(), p);
  visit_floating(src, "avg_pool", [&]<class T>() {
    const T* x = kernel_data<T>(src);
    T* y = kernel_data<T>(dst);
    std::fill(y, y + dst.size(), T(0));
    std::vector<int64_t>& count = scratch_indices(g.batch * g.out_size());
    std::fill_n(count.begin(), g.batch * g.out_size(), 0);
    for_each_tap(g, [&](int64_t n, int64_t o, int64_t i, int64_t) {
      ++count[n * g.out_size() + o];
      for (int64_t c = 0; c < g.c; ++c) {
        y[(n * g.out_size() + o) * g.c + c] += x[(n * g.in_size() + i) * g.c + c];
      }
    });
    for (int64_t j = 0; j < dst.size(); ++j)
      y[j] /= static_cast<T>(std::max<int64_t>(1, count[j / g.c]));
  });
}

void ReferenceBackend::avg_pool_backward(const Tensor& diff_dst,
                                         const Tensor& diff_src,
                                         const PoolParams& p) {
  const ConvGeometry g = pool_geometry(diff_src.shape(), diff_dst.shape(), p);
  visit_floating(diff_dst, "avg_pool_backward", [&]<class T>() {
    const T* dy = kernel_data<T>(diff_dst);
    T* dx = kernel_data<T>(diff_src);
    std::fill(dx, dx + diff_src.size(), T(0));
    std::vector<int64_t>& count = scratch_indices(g.batch * g.out_size());
    std::fill_n(count.begin(), g.batch * g.out_size(), 0);
    for_each_tap(g, [&](int64_t n, int64_t o, int64_t, int64_t) { ++count[n * g.out_size() + o]; });
    for_each_tap(g, [&](int64_t n, int64_t o, int64_t i, int64_t) {
      const int64_t no = n * g.out_size() + o;
      for (int64_t c = 0; c < g.c; ++c) {
        dx[(n * g.in_size() + i) * g.c + c] += dy[no * g.c + c] / static_cast<T>(count[no]);
      }
    });
  });
}

}  // namespace keras::backend
