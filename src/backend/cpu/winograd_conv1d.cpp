// Work is cut into chunks of consecutive tiles (flattened over batch and length) whose transformed
// tiles, V (8, rows, C) and M (8, rows, F), stay in the core's L2 between the transforms and the
// GEMMs; each thread runs whole chunks with single-threaded GEMMs (OpenMP OpenBLAS runs one
// thread inside a parallel region), which beats transforming the whole batch through memory and
// then threading each GEMM. The data gradient is gathered per input position rather than
// overlap-added, so that chunks write disjoint rows of dx: a chunk recomputes one tile of halo.
// With few tiles (one chunk per thread, as for one sample) the forward splits the output columns
// instead, so that no thread writes or reads all of the transformed kernel (forward_by_columns).
#include "backend/cpu/winograd_conv1d.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "backend/cpu/blas.h"
#include "backend/cpu/parallel.h"
#include "backend/cpu/scratch.h"
#include "backend/cpu/winograd_tiles.h"
#include "backend/unary_math.h"
#include "keras/backend/winograd.h"

namespace keras::backend::winograd {
namespace {

enum class Pass { forward, backward_data, backward_weights };

std::atomic<Policy> g_policy{Policy::automatic};

// -1: not yet read from KERAS_WINOGRAD.
std::atomic<int> g_enabled{-1};

using blas::gemm;

// The 8 matrices of a transformed stack, (rows, width) each, start `stride` floats apart: 16
// floats past a multiple of the row length, so that the 8 (and the 5 kernel taps') rows a
// transform reads or writes at once do not all fall in the same cache sets (strides such as
// 256 x 256 floats would).
constexpr int64_t stride(int64_t rows, int64_t width) {
  return rows * width + 16;
}

// Scratch slots: 0 and 1 hold a chunk's data (1 also a thread's U block in forward_by_columns),
// 2-4 what the team shares (taken by the calling thread before the parallel region).

struct Plan {
  int64_t batch, in_len, out_len, pad, c, f;
  int64_t tiles, total, chunk, count;
  int threads;

  Plan(const ConvGeometry& g, const Transform& t, Pass pass)
      : batch(g.batch),
        in_len(g.in[2]),
        out_len(g.out[2]),
        pad(g.pad[2]),
        c(g.c),
        f(g.f),
        tiles((out_len + t.m - 1) / t.m),
        total(batch * tiles),
        // Each thread runs its own GEMMs, so one thread unless OpenBLAS allows that.
        threads(blas::gemm_nests_in_openmp() ? std::max(1, num_threads()) : 1) {
    // About 512 KiB of transformed tiles per chunk (half the L2); the weight gradient's GEMMs
    // sum over a chunk's tiles, so it takes longer chunks.
    const int64_t bytes = pass == Pass::backward_weights ? (int64_t{1} << 21) : (int64_t{1} << 19);
    chunk = std::max<int64_t>(8, bytes / (kAlpha * (c + f) * 4));
    // Every thread gets the same number of chunks, of sizes differing by at most one tile
    // (one-sample latency: 3 chunks on 2 threads left one idle a third of the time).
    const int64_t per_thread = (total + int64_t{threads} * chunk - 1) / (int64_t{threads} * chunk);
    count = std::clamp<int64_t>(per_thread * threads, 1, total);
    chunk = (total + count - 1) / count;  // the longest
  }
  int64_t chunks() const { return count; }
  // The first tile of chunk ch (ch = chunks(): total).
  int64_t begin(int64_t ch) const { return ch * total / count; }
};

// v[ξ][gi - base] = sum_j B^T[ξ][j] x[n, m k + j - pad] for the tiles gi = (n, k) in [g0, g1),
// in a layout of `rows` tiles per ξ that starts at tile `base` (by default the chunk's own).
template <const Transform& T>
void input_transform(const Plan& p,
                     const float* x,
                     int64_t g0,
                     int64_t g1,
                     float* v,
                     int64_t base = -1,
                     int64_t rows = -1) {
  if (base < 0) base = g0, rows = g1 - g0;
  const EdgeRows edge = edge_rows(static_cast<size_t>(p.c));
  for (int64_t gi = g0; gi < g1; ++gi) {
    const int64_t n = gi / p.tiles, q0 = (gi % p.tiles) * T.m - p.pad;
    const float* in[kAlpha];
    float* out[kAlpha];
    for (int j = 0; j < kAlpha; ++j) {
      const int64_t i = q0 + j;
      in[j] = i >= 0 && i < p.in_len ? x + (n * p.in_len + i) * p.c : edge.zeros;
      out[j] = v + j * stride(rows, p.c) + (gi - base) * p.c;
    }
    apply<kAlpha, kAlpha, Bt>(in, out, p.c);
  }
}

// y[n, m k + i] = sum_ξ A^T[i][ξ] mm[ξ][gi - g0] (+ bias when not null, then relu when asked),
// outputs past out_len dropped; only the columns [f0, f1) (by default all F).
template <const Transform& T>
void output_transform(const Plan& p,
                      const float* mm,
                      int64_t g0,
                      int64_t g1,
                      const float* bias,
                      bool relu,
                      float* y,
                      int64_t f0 = 0,
                      int64_t f1 = -1) {
  if (f1 < 0) f1 = p.f;
  const int64_t rows = g1 - g0;
  const EdgeRows edge = edge_rows(static_cast<size_t>(p.f));
  for (int64_t gi = g0; gi < g1; ++gi) {
    const int64_t n = gi / p.tiles, o0 = (gi % p.tiles) * T.m;
    const float* in[kAlpha];
    float* out[T.m];
    for (int xi = 0; xi < kAlpha; ++xi) in[xi] = mm + xi * stride(rows, p.f) + (gi - g0) * p.f + f0;
    for (int i = 0; i < T.m; ++i) {
      out[i] = (o0 + i < p.out_len ? y + (n * p.out_len + o0 + i) * p.f : edge.sink) + f0;
    }
    apply<T.m, kAlpha, At<T>>(in, out, f1 - f0);
    if (bias != nullptr) {  // while the tile's outputs are in L1
      for (float* o : out) {
        for (int64_t j = 0; j < f1 - f0; ++j) o[j] += bias[f0 + j];
      }
    }
    if (relu) {
      for (float* o : out) {
        for (int64_t j = 0; j < f1 - f0; ++j) o[j] = unary_forward<UnaryOp::relu>(o[j], {});
      }
    }
  }
}

// The adjoint of output_transform: dm[ξ][gi - g0] = sum_i A^T[i][ξ] dy[n, m k + i].
template <const Transform& T>
void output_adjoint(const Plan& p, const float* dy, int64_t g0, int64_t g1, float* dm) {
  const int64_t rows = g1 - g0;
  const EdgeRows edge = edge_rows(static_cast<size_t>(p.f));
  for (int64_t gi = g0; gi < g1; ++gi) {
    const int64_t n = gi / p.tiles, o0 = (gi % p.tiles) * T.m;
    const float* in[T.m];
    float* out[kAlpha];
    for (int i = 0; i < T.m; ++i) {
      in[i] = o0 + i < p.out_len ? dy + (n * p.out_len + o0 + i) * p.f : edge.zeros;
    }
    for (int xi = 0; xi < kAlpha; ++xi) out[xi] = dm + xi * stride(rows, p.f) + (gi - g0) * p.f;
    apply<kAlpha, T.m, AtTransposed<T>>(in, out, p.f);
  }
}

// The adjoint of input_transform, written once per input: tile (n, k) owns the inputs
// q = m k .. m k + m - 1 (q = position + pad) and sums its taps there with the taps m .. 7 of
// tile k - 1, carried over in `carry` ((r - 1, C)); the last tile of a row also writes its own
// taps m .. 7 and zeros past them. dv holds tiles h0 .. g1 - 1; tile h0 < g0 only fills carry.
template <const Transform& T>
void input_adjoint(
    const Plan& p, const float* dv, int64_t h0, int64_t g0, int64_t g1, float* carry, float* dx) {
  constexpr int kCarry = T.r - 1;
  const int64_t rows = g1 - h0;
  const EdgeRows edge = edge_rows(static_cast<size_t>(kCarry * p.c));  // zeros for carry
  auto row = [&](int64_t n, int64_t q) {
    return q >= p.pad && q < p.in_len + p.pad ? dx + (n * p.in_len + q - p.pad) * p.c : edge.sink;
  };
  for (int64_t gi = h0; gi < g1; ++gi) {
    const int64_t n = gi / p.tiles, k = gi % p.tiles;
    const float* in[kAlpha];
    for (int xi = 0; xi < kAlpha; ++xi) in[xi] = dv + xi * stride(rows, p.c) + (gi - h0) * p.c;
    const float* carry_in = k == 0 || gi == h0 ? edge.zeros : carry;
    float* out[T.m];
    for (int j = 0; j < T.m; ++j) out[j] = gi >= g0 ? row(n, k * T.m + j) : edge.sink;
    for_lanes(p.c, [&]<bool Full>(int64_t i, int64_t lanes) {
      v8 x[kAlpha], t[kAlpha];
      for (int xi = 0; xi < kAlpha; ++xi) x[xi] = load<Full>(in[xi] + i, lanes);
      matvec<kAlpha, kAlpha, BtTransposed>(x, t);
      for (int j = 0; j < kCarry; ++j) t[j] += load<Full>(carry_in + j * p.c + i, lanes);
      for (int j = 0; j < T.m; ++j) store<Full>(out[j] + i, t[j], lanes);
      for (int j = 0; j < kCarry; ++j) store<Full>(carry + j * p.c + i, t[T.m + j], lanes);
    });
    if (gi >= g0 && k + 1 == p.tiles) {
      for (int j = 0; j < kCarry; ++j) {
        std::copy(carry + j * p.c, carry + (j + 1) * p.c, row(n, p.tiles * T.m + j));
      }
      for (int64_t q = p.tiles * T.m + kCarry; q < p.in_len + p.pad; ++q) {
        std::fill(row(n, q), row(n, q) + p.c, 0.0f);
      }
    }
  }
}

// u[ξ][i] = sum_j G[ξ][j] w[j][i] for i < n: the kernel's taps w[j] start w_stride floats apart,
// the transformed u[ξ] u_stride apart.
template <const Transform& T>
void kernel_rows(const float* w, int64_t w_stride, float* u, int64_t u_stride, int64_t n) {
  const float* in[T.r];
  float* out[kAlpha];
  for (int j = 0; j < T.r; ++j) in[j] = w + j * w_stride;
  for (int xi = 0; xi < kAlpha; ++xi) out[xi] = u + xi * u_stride;
  apply<kAlpha, T.r, G<T>>(in, out, n);
}

// u[ξ] = sum_j G[ξ][j] w[j] over (C, F) matrices, split over the team (memory-bound here: U goes
// through memory).
template <const Transform& T>
void kernel_transform(const Plan& p, const float* w, float* u) {
  const int64_t size = p.c * p.f, block = 4096;
  KERAS_OMP(omp for)
  for (int64_t item = 0; item < (size + block - 1) / block; ++item) {
    const int64_t i0 = item * block;
    kernel_rows<T>(w + i0, size, u + i0, stride(p.c, p.f), std::min(block, size - i0));
  }
}

// dw[j] = sum_ξ G[ξ][j] du[ξ]: the adjoint of kernel_transform.
template <const Transform& T>
void kernel_adjoint(const Plan& p, const float* du, float* dw) {
  const int64_t size = p.c * p.f, block = 4096;
  KERAS_OMP(omp for)
  for (int64_t item = 0; item < (size + block - 1) / block; ++item) {
    const int64_t i0 = item * block;
    const float* in[kAlpha];
    float* out[T.r];
    for (int xi = 0; xi < kAlpha; ++xi) in[xi] = du + xi * stride(p.c, p.f) + i0;
    for (int j = 0; j < T.r; ++j) out[j] = dw + j * size + i0;
    apply<T.r, kAlpha, GTransposed<T>>(in, out, std::min(block, size - i0));
  }
}

}  // namespace

void set_policy(Policy policy) {
  g_policy = policy;
}
Policy policy() {
  return g_policy;
}

bool supports(const ConvGeometry& g) {
  return g.groups == 1 && g.batch >= 1 && g.out[2] >= 1 && g.stride[2] == 1 && g.dilation[2] == 1 &&
         (g.k[2] == 5 || g.k[2] == 3) && g.pad[2] >= 0 && g.in[0] == 1 && g.in[1] == 1 &&
         g.out[0] == 1 && g.out[1] == 1 && g.k[0] == 1 && g.k[1] == 1 && g.pad[0] == 0 &&
         g.pad[1] == 0;
}

bool applies(const ConvGeometry& g) {
  switch (policy()) {
    case Policy::never:
      return false;
    case Policy::always:
      return supports(g);
    case Policy::automatic:
      break;
  }
  if (!backend::winograd_enabled()) return false;
  // Measured against oneDNN 2.6's direct kernels (one thread, CPU time): faster on every pass
  // from 32 channels in and out and 8 outputs up (1.2-1.7x on the posts model's shapes); even or
  // slower with 16 channels or 5 outputs.
  return supports(g) && g.c >= 32 && g.f >= 32 && g.out[2] >= 8;
}

namespace {

// The forward for few tiles (one short chunk per thread, as for one sample), where writing U
// (8 C F floats) to memory and reading it back would cost more than the GEMMs: the team splits
// the columns F, and each thread transforms its columns of the kernel a block of channels at a
// time into a cache-sized U block that its GEMMs use at once, accumulating M over the blocks; it
// then transforms its columns of the output. The input transform is shared, split over tiles.
template <const Transform& T>
void forward_by_columns(
    const Plan& p, const float* x, const float* w, const float* bias, bool relu, float* y) {
  float* v = scratch<float, 3>(kAlpha * stride(p.total, p.c));
  float* mm = scratch<float, 4>(kAlpha * stride(p.total, p.f));
  KERAS_OMP(omp parallel num_threads(p.threads)) {
    const int team = team_size(), t = thread_id();
    const int64_t blocks = (p.f + 15) / 16;  // of columns, split evenly
    const int64_t f0 = std::min(p.f, blocks * t / team * 16);
    const int64_t f1 = std::min(p.f, blocks * (t + 1) / team * 16), nf = f1 - f0;
    KERAS_OMP(omp for schedule(static))
    for (int64_t gi = 0; gi < p.total; ++gi) input_transform<T>(p, x, gi, gi + 1, v, 0, p.total);
    if (nf > 0) {
      // About 512 KiB of U per block (half an L2); smaller blocks measured slower (more GEMM
      // calls).
      const int64_t kc = std::min(p.c, std::max<int64_t>(16, (int64_t{1} << 14) / nf / 16 * 16));
      float* u = scratch<float, 1>(kAlpha * stride(kc, nf));
      const int64_t size = p.c * p.f;
      for (int64_t c0 = 0; c0 < p.c; c0 += kc) {
        const int64_t c1 = std::min(p.c, c0 + kc);
        for (int64_t ci = c0; ci < c1; ++ci) {
          kernel_rows<T>(w + ci * p.f + f0, size, u + (ci - c0) * nf, stride(kc, nf), nf);
        }
        for (int xi = 0; xi < kAlpha; ++xi) {
          gemm(false, false, p.total, nf, c1 - c0, v + xi * stride(p.total, p.c) + c0, p.c,
               u + xi * stride(kc, nf), nf, c0 == 0 ? 0 : 1, mm + xi * stride(p.total, p.f) + f0,
               p.f);
        }
      }
      output_transform<T>(p, mm, 0, p.total, bias, relu, y, f0, f1);
    }
  }
}

template <const Transform& T>
void forward(
    const ConvGeometry& g, const float* x, const float* w, const float* bias, bool relu, float* y) {
  const Plan p(g, T, Pass::forward);
  // Measured at one sample on 2 threads: 1.4-2.1x the chunked forward on the posts model's last
  // four convolutions (up to 4x in phases when other tenants load the memory bus), even on its
  // first (124 tiles in 4 chunks); slower on one thread. Only while every thread gets columns.
  if (p.threads > 1 && p.count == p.threads && (p.f + 15) / 16 >= p.threads) {
    forward_by_columns<T>(p, x, w, bias, relu, y);
    return;
  }
  float* u = scratch<float, 2>(kAlpha * stride(p.c, p.f));
  KERAS_OMP(omp parallel num_threads(p.threads)) {
    kernel_transform<T>(p, w, u);
    KERAS_OMP(omp for schedule(dynamic))
    for (int64_t ch = 0; ch < p.chunks(); ++ch) {
      const int64_t g0 = p.begin(ch), g1 = p.begin(ch + 1), rows = g1 - g0;
      float* v = scratch<float, 0>(kAlpha * stride(p.chunk, p.c));
      float* mm = scratch<float, 1>(kAlpha * stride(p.chunk, p.f));
      input_transform<T>(p, x, g0, g1, v);
      for (int xi = 0; xi < kAlpha; ++xi) {
        gemm(false, false, rows, p.f, p.c, v + xi * stride(rows, p.c), p.c,
             u + xi * stride(p.c, p.f), p.f, 0, mm + xi * stride(rows, p.f), p.f);
      }
      output_transform<T>(p, mm, g0, g1, bias, relu, y);
    }
  }
}

template <const Transform& T>
void backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  const Plan p(g, T, Pass::backward_data);
  float* ut = scratch<float, 2>(kAlpha * stride(p.f, p.c));
  float* wt = scratch<float, 3>(T.r * p.c * p.f);
  KERAS_OMP(omp parallel num_threads(p.threads)) {
    transpose_taps(T.r, p.c, p.f, w, wt);
    kernel_transform<T>(p, wt, ut);  // the same element-wise map: U^T, (F, C) per ξ
    KERAS_OMP(omp for schedule(dynamic))
    for (int64_t ch = 0; ch < p.chunks(); ++ch) {
      const int64_t g0 = p.begin(ch), g1 = p.begin(ch + 1);
      const int64_t h0 = std::max<int64_t>(0, g0 - 1), rows = g1 - h0;
      float* dm = scratch<float, 1>(kAlpha * stride(p.chunk + 1, p.f));
      float* dv = scratch<float, 0>(kAlpha * stride(p.chunk + 1, p.c) + (T.r - 1) * p.c);
      output_adjoint<T>(p, dy, h0, g1, dm);
      for (int xi = 0; xi < kAlpha; ++xi) {
        gemm(false, false, rows, p.c, p.f, dm + xi * stride(rows, p.f), p.f,
             ut + xi * stride(p.f, p.c), p.c, 0, dv + xi * stride(rows, p.c), p.c);
      }
      input_adjoint<T>(p, dv, h0, g0, g1, dv + kAlpha * stride(rows, p.c), dx);
    }
  }
}

template <const Transform& T>
void backward_weights(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const Plan p(g, T, Pass::backward_weights);
  const int64_t size = kAlpha * stride(p.c, p.f);
  float* parts = scratch<float, 2>(p.threads * size);
  KERAS_OMP(omp parallel num_threads(p.threads)) {
    // Static chunks: each thread's partial sum, and so the result, is the same from run to run.
    float* du = parts + thread_id() * size;
    bool first = true;
    KERAS_OMP(omp for schedule(static) nowait)
    for (int64_t ch = 0; ch < p.chunks(); ++ch) {
      const int64_t g0 = p.begin(ch), g1 = p.begin(ch + 1), rows = g1 - g0;
      float* v = scratch<float, 0>(kAlpha * stride(p.chunk, p.c));
      float* dm = scratch<float, 1>(kAlpha * stride(p.chunk, p.f));
      input_transform<T>(p, x, g0, g1, v);
      output_adjoint<T>(p, dy, g0, g1, dm);
      for (int xi = 0; xi < kAlpha; ++xi) {
        gemm(true, false, p.c, p.f, rows, v + xi * stride(rows, p.c), p.c,
             dm + xi * stride(rows, p.f), p.f, first ? 0 : 1, du + xi * stride(p.c, p.f), p.f);
      }
      first = false;
    }
    if (first) std::fill(du, du + size, 0.0f);
    KERAS_OMP(omp barrier)
    const int team = team_size();
    KERAS_OMP(omp for)
    for (int64_t i0 = 0; i0 < size; i0 += 4096) {
      const int64_t i1 = std::min(size, i0 + 4096);
      for (int t = 1; t < team; ++t) {
        const float* part = parts + t * size;
        for (int64_t i = i0; i < i1; ++i) parts[i] += part[i];
      }
    }
    kernel_adjoint<T>(p, parts, dw);
  }
}

}  // namespace

void transpose_taps(int64_t taps, int64_t c, int64_t f, const float* w, float* wt) {
  const int64_t block = 32, blocks = (c + block - 1) / block;
  KERAS_OMP(omp for)
  for (int64_t item = 0; item < taps * blocks; ++item) {
    const int64_t j = item / blocks, c0 = item % blocks * block, c1 = std::min(c, c0 + block);
    const float* src = w + j * c * f;
    float* dst = wt + j * c * f;
    for (int64_t o = 0; o < f; ++o) {
      for (int64_t i = c0; i < c1; ++i) dst[o * c + i] = src[i * f + o];
    }
  }
}

void conv1d(
    const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y, bool relu) {
  g.k[2] == 5 ? forward<kF4x5>(g, x, w, bias, relu, y) : forward<kF6x3>(g, x, w, bias, relu, y);
}

void conv1d_backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  g.k[2] == 5 ? backward_data<kF4x5>(g, dy, w, dx) : backward_data<kF6x3>(g, dy, w, dx);
}

void conv1d_backward_weights(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  g.k[2] == 5 ? backward_weights<kF4x5>(g, x, dy, dw) : backward_weights<kF6x3>(g, x, dy, dw);
}

}  // namespace keras::backend::winograd

namespace keras::backend {

void set_winograd_enabled(bool enabled) {
  winograd::g_enabled = enabled ? 1 : 0;
}

bool winograd_enabled() {
  int v = winograd::g_enabled.load();
  if (v < 0) {
    const char* env = std::getenv("KERAS_WINOGRAD");
    v = (env != nullptr && std::string_view(env) == "0") ? 0 : 1;
    int expected = -1;
    if (!winograd::g_enabled.compare_exchange_strong(expected, v)) v = expected;
  }
  return v != 0;
}

}  // namespace keras::backend
