// Max and average pooling on the CPU: channels_last, so each window tap is a contiguous run of
// channels and the channel loop vectorizes. Results equal the reference backend's exactly: ties
// go to the first maximum in (d, h, w) tap order, and averages sum in tap order.
#include <algorithm>
#include <limits>

#include "backend/conv_geometry.h"
#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/parallel.h"
#include "backend/cpu/scratch.h"
#include "backend/kernel_data.h"
#include "backend/unary_math.h"

namespace keras::backend {
namespace {

// The in-bounds tap range [lo, hi) of output coordinate o along axis a.
struct Range {
  int64_t lo, hi;
};
Range taps(const ConvGeometry& g, int a, int64_t o) {
  const int64_t first = g.input_at(a, o, 0);
  return {std::max<int64_t>(0, -first), std::min(g.k[a], g.in[a] - first)};
}

// for_each_window over the samples [n0, n1), on the calling thread.
template <class F>
void windows(const ConvGeometry& g, int64_t n0, int64_t n1, F& f) {
  int64_t* offsets = scratch<int64_t, 0>(g.taps());
  for (int64_t n = n0; n < n1; ++n) {
    for (int64_t od = 0; od < g.out[0]; ++od) {
      const Range rd = taps(g, 0, od);
      for (int64_t oh = 0; oh < g.out[1]; ++oh) {
        const Range rh = taps(g, 1, oh);
        for (int64_t ow = 0; ow < g.out[2]; ++ow) {
          const Range rw = taps(g, 2, ow);
          int64_t count = 0;
          for (int64_t kd = rd.lo; kd < rd.hi; ++kd) {
            for (int64_t kh = rh.lo; kh < rh.hi; ++kh) {
              for (int64_t kw = rw.lo; kw < rw.hi; ++kw) {
                offsets[count++] =
                    (g.input_at(0, od, kd) * g.in[1] + g.input_at(1, oh, kh)) * g.in[2] +
                    g.input_at(2, ow, kw);
              }
            }
          }
          f(n, (od * g.out[1] + oh) * g.out[2] + ow, offsets, count);
        }
      }
    }
  }
}

// Calls f(n, o, offsets, count) for every output position: offsets[0..count) are the flattened
// input positions of its in-bounds taps, in tap order. Samples are split across threads when
// there is enough work; f runs on the thread of its sample.
template <class F>
void for_each_window(const ConvGeometry& g, F&& f) {
  const int64_t per_sample = std::max<int64_t>(1, (g.in_size() + g.out_size() * g.taps()) * g.c);
  parallel_chunks(
      g.batch, 1, [&](int64_t n0, int64_t n1) { windows(g, n0, n1, f); },
      (kParallelMinWork + per_sample - 1) / per_sample);
}

template <class T>
void max_forward(const ConvGeometry& g, const T* x, T* y) {
  const int64_t c = g.c;
  for_each_window(g, [&](int64_t n, int64_t o, const int64_t* offsets, int64_t count) {
    T* out = y + (n * g.out_size() + o) * c;
    std::fill(out, out + c, -std::numeric_limits<T>::infinity());
    const T* base = x + n * g.in_size() * c;
    for (int64_t t = 0; t < count; ++t) {
      const T* in = base + offsets[t] * c;
      for (int64_t j = 0; j < c; ++j) out[j] = running_max(out[j], in[j]);
    }
  });
}

// Whether no two windows share an input position (no padding, strides at least the pool size,
// as in the default MaxPooling2D): then every position of dx is written once, by its window or as
// a zero, instead of being cleared first and added to.
bool disjoint_windows(const ConvGeometry& g) {
  for (int a = 0; a < 3; ++a) {
    if (g.pad[a] != 0 || g.dilation[a] != 1 || g.stride[a] < g.k[a]) return false;
  }
  return true;
}

// Zeros the positions of one sample's dx (`c` values each) that disjoint windows do not cover:
// past the last window, or between windows when strides exceed the pool size.
template <class T>
void clear_uncovered(const ConvGeometry& g, T* dx) {
  auto covered = [&](int a, int64_t i) {
    return i < g.out[a] * g.stride[a] && i % g.stride[a] < g.k[a];
  };
  const int64_t c = g.c;
  for (int64_t id = 0; id < g.in[0]; ++id) {
    for (int64_t ih = 0; ih < g.in[1]; ++ih) {
      T* row = dx + (id * g.in[1] + ih) * g.in[2] * c;
      const bool whole = !covered(0, id) || !covered(1, ih);
      for (int64_t iw = 0; iw < g.in[2]; ++iw) {
        if (whole || !covered(2, iw)) std::fill_n(row + iw * c, c, T(0));
      }
    }
  }
}

// Where the tap `in` holds a channel's maximum, it takes the channel's pending gradient:
// out = out (or 0, with First: dx not cleared, written here once) + what it takes.
template <bool First, class T>
void give_to_tap(T* out, const T* in, const T* best, T* pending, int64_t c) {
  for (int64_t j = 0; j < c; ++j) {
    const bool take = in[j] == best[j];
    out[j] = (First ? T(0) : out[j]) + (take ? pending[j] : T(0));
    pending[j] = take ? T(0) : pending[j];
  }
}

// Two passes per window, both vectorizable: the maximum of each channel, then the first tap
// that equals it takes the gradient.
template <class T>
void max_backward(const ConvGeometry& g, const T* x, const T* dy, T* dx) {
  const int64_t c = g.c;
  const bool disjoint = disjoint_windows(g) && g.out_size() > 0;  // (the windows clear dx)
  if (!disjoint) {
    parallel_chunks(g.batch * g.in_size() * c, 1,
                    [&](int64_t begin, int64_t end) { std::fill(dx + begin, dx + end, T(0)); });
  }
  for_each_window(g, [&](int64_t n, int64_t o, const int64_t* offsets, int64_t count) {
    if (disjoint && o == 0) clear_uncovered(g, dx + n * g.in_size() * c);  // the sample's thread
    if (count == 0) return;
    T* best = scratch<T, 1>(c);     // per thread
    T* pending = scratch<T, 2>(c);  // the gradient not yet given to a tap (0 once taken)
    const T* base = x + n * g.in_size() * c;
    // The reference's rule: the first tap, replaced only by a strictly greater one.
    std::copy(base + offsets[0] * c, base + offsets[0] * c + c, best);
    for (int64_t t = 1; t < count; ++t) {
      const T* in = base + offsets[t] * c;
      for (int64_t j = 0; j < c; ++j) best[j] = in[j] > best[j] ? in[j] : best[j];
    }
    const T* grad = dy + (n * g.out_size() + o) * c;
    std::copy(grad, grad + c, pending);
    T* target = dx + n * g.in_size() * c;
    for (int64_t t = 0; t < count; ++t) {
      const T* in = base + offsets[t] * c;
      T* out = target + offsets[t] * c;
      if (disjoint) {
        give_to_tap<true>(out, in, best, pending, c);
      } else {
        give_to_tap<false>(out, in, best, pending, c);
      }
    }
    // A NaN maximum equals no tap: like the reference, the first tap takes it.
    T* first = target + offsets[0] * c;
    for (int64_t j = 0; j < c; ++j) first[j] += pending[j];
  });
}

// Sums in tap order, then divides by the in-bounds count: the reference's arithmetic exactly.
template <class T>
void avg_forward(const ConvGeometry& g, const T* x, T* y) {
  const int64_t c = g.c;
  for_each_window(g, [&](int64_t n, int64_t o, const int64_t* offsets, int64_t count) {
    T* out = y + (n * g.out_size() + o) * c;
    std::fill(out, out + c, T(0));
    const T* base = x + n * g.in_size() * c;
    for (int64_t t = 0; t < count; ++t) {
      const T* in = base + offsets[t] * c;
      for (int64_t j = 0; j < c; ++j) out[j] += in[j];
    }
    const T divisor = static_cast<T>(std::max<int64_t>(1, count));
    for (int64_t j = 0; j < c; ++j) out[j] /= divisor;
  });
}

template <class T>
void avg_backward(const ConvGeometry& g, const T* dy, T* dx) {
  const int64_t c = g.c;
  parallel_chunks(g.batch * g.in_size() * c, 1,
                  [&](int64_t begin, int64_t end) { std::fill(dx + begin, dx + end, T(0)); });
  for_each_window(g, [&](int64_t n, int64_t o, const int64_t* offsets, int64_t count) {
    const T* grad = dy + (n * g.out_size() + o) * c;
    T* target = dx + n * g.in_size() * c;
    for (int64_t t = 0; t < count; ++t) {
      T* out = target + offsets[t] * c;
      for (int64_t j = 0; j < c; ++j) out[j] += grad[j] / static_cast<T>(count);
    }
  });
}

}  // namespace

void CpuBackend::max_pool(const Tensor& src, const Tensor& dst, const PoolParams& p) {
  const ConvGeometry g = pool_geometry(src.shape(), dst.shape(), p);
  visit_floating(src, "max_pool",
                 [&]<class T>() { max_forward(g, kernel_data<T>(src), kernel_data<T>(dst)); });
}

void CpuBackend::max_pool_backward(const Tensor& src,
                                   const Tensor& diff_dst,
                                   const Tensor& diff_src,
                                   const PoolParams& p) {
  const ConvGeometry g = pool_geometry(src.shape(), diff_dst.shape(), p);
  visit_floating(src, "max_pool_backward", [&]<class T>() {
    max_backward(g, kernel_data<T>(src), kernel_data<T>(diff_dst), kernel_data<T>(diff_src));
  });
}

void CpuBackend::avg_pool(const Tensor& src, const Tensor& dst, const PoolParams& p) {
  const ConvGeometry g = pool_geometry(src.shape(), dst.shape(), p);
  visit_floating(src, "avg_pool",
                 [&]<class T>() { avg_forward(g, kernel_data<T>(src), kernel_data<T>(dst)); });
}

void CpuBackend::avg_pool_backward(const Tensor& diff_dst,
                                   const Tensor& diff_src,
                                   const PoolParams& p) {
  const ConvGeometry g = pool_geometry(diff_src.shape(), diff_dst.shape(), p);
  visit_floating(diff_dst, "avg_pool_backward", [&]<class T>() {
    avg_backward(g, kernel_data<T>(diff_dst), kernel_data<T>(diff_src));
  });
}

}  // namespace keras::backend
