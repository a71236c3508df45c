// Work is cut into chunks of consecutive tiles (flattened over batch, tile rows and tile columns)
// whose transformed tiles V (36, rows, C) and M (36, rows, F) stay in cache between the transforms
// and the GEMMs; each thread runs whole chunks with single-threaded GEMMs. The 36 matrices of a
// chunk are one cache line apart beyond their size: at a power-of-two distance the per-tile
// stores to all 36 would fall into the same cache sets (measured 1.4x slower).
#include "backend/cpu/winograd_conv2d.h"

#include <algorithm>
#include <vector>

#include "backend/cpu/blas.h"
#include "backend/cpu/parallel.h"
#include "backend/cpu/scratch.h"
#include "backend/cpu/vec16.h"
#include "backend/cpu/winograd_conv1d.h"
#include "keras/backend/winograd.h"

namespace keras::backend::winograd {
namespace {

constexpr int kA = 6;         // tile size
constexpr int kM = 4;         // outputs per tile and dimension
constexpr int kXi = kA * kA;  // point pairs: GEMMs per chunk
constexpr int64_t kPad = 16;  // floats between consecutive V[ξ] (and M[ξ])

// The F(4, 3) transforms at the points 0, 5/8, -5/8, 3/2, -3/2 and infinity: A^T (4, 6)
// evaluates the output polynomial there, G (6, 3) the kernel's (scaled by the Lagrange
// denominators), and B^T (6, 6) is what makes A^T [(G w) ⊙ (B^T x)] the correlation of x and w.
// A^T and B^T are dyadic, so exact in float32.
constexpr float kBt[kA][kA] = {
    {225.f / 256, 0, -169.f / 64, 0, 1, 0},      {0, -45.f / 32, -9.f / 4, 5.f / 8, 1, 0},
    {0, 45.f / 32, -9.f / 4, -5.f / 8, 1, 0},    {0, -75.f / 128, -25.f / 64, 3.f / 2, 1, 0},
    {0, 75.f / 128, -25.f / 64, -3.f / 2, 1, 0}, {0, 225.f / 256, 0, -169.f / 64, 0, 1},
};
constexpr float kG[kA][3] = {
    {256.f / 225, 0, 0},
    {-2048.f / 2975, -256.f / 595, -32.f / 119},
    {-2048.f / 2975, 256.f / 595, -32.f / 119},
    {128.f / 1071, 64.f / 357, 32.f / 119},
    {128.f / 1071, -64.f / 357, 32.f / 119},
    {0, 0, 1},
};
constexpr float kAt[kM][kA] = {
    {1, 1, 1, 1, 1, 0},
    {0, 5.f / 8, -5.f / 8, 3.f / 2, -3.f / 2, 0},
    {0, 25.f / 64, 25.f / 64, 9.f / 4, 9.f / 4, 0},
    {0, 125.f / 512, -125.f / 512, 27.f / 8, -27.f / 8, 1},
};
struct Bt {
  constexpr float operator()(int r, int c) const { return kBt[r][c]; }
};
struct G {
  constexpr float operator()(int r, int c) const { return kG[r][c]; }
};
struct At {
  constexpr float operator()(int r, int c) const { return kAt[r][c]; }
};
// The transposes, for the adjoints.
struct BtTransposed {
  constexpr float operator()(int r, int c) const { return kBt[c][r]; }
};
struct GTransposed {
  constexpr float operator()(int r, int c) const { return kG[c][r]; }
};
struct AtTransposed {
  constexpr float operator()(int r, int c) const { return kAt[c][r]; }
};

using vec16::load16;
using vec16::matvec;
using vec16::store16;
using vec16::v16;

// y = C x C^T for an In x In tile of vectors x and an Out x In matrix C: first along x's second
// index (t[r] = C x[r]), then along its first. Every transform below is one of these.
template <int Out, int In, class Coef>
KERAS_AVX512 [[gnu::always_inline]] inline void sandwich(const v16 (&x)[In][In],
                                                         v16 (&y)[Out][Out]) {
  v16 t[In][Out];
#pragma GCC unroll 6
  for (int r = 0; r < In; ++r) matvec<Out, In, Coef>(x[r], t[r]);
#pragma GCC unroll 6
  for (int q = 0; q < Out; ++q) {
    v16 col[In], out[Out];
#pragma GCC unroll 6
    for (int r = 0; r < In; ++r) col[r] = t[r][q];
    matvec<Out, In, Coef>(col, out);
#pragma GCC unroll 6
    for (int a = 0; a < Out; ++a) y[a][q] = out[a];
  }
}

// u[a][b] = sum_jk G[a][j] G[b][k] w[j][k] over (C, F) matrices (`size` elements, `stride` apart
// in u), for elements [i0, i1). (Along j first: the tile goes in transposed.)
KERAS_AVX512 void kernel_tiles(
    const float* w, float* u, int64_t size, int64_t stride, int64_t i0, int64_t i1) {
  for (int64_t i = i0; i < i1; i += 16) {
    v16 x[3][3], y[kA][kA];
#pragma GCC unroll 3
    for (int k = 0; k < 3; ++k) {
#pragma GCC unroll 3
      for (int j = 0; j < 3; ++j) x[k][j] = load16(w + (j * 3 + k) * size + i);
    }
    sandwich<kA, 3, G>(x, y);
#pragma GCC unroll 6
    for (int a = 0; a < kA; ++a) {
#pragma GCC unroll 6
      for (int b = 0; b < kA; ++b) store16(u + (a * kA + b) * stride + i, y[b][a]);
    }
  }
}

// V[ξ = a 6 + b] (one row, c channels) = (B^T X B)[a][b] for the tile whose inputs src gives.
KERAS_AVX512 void input_tile(const float* const (*src)[kA], float* v, int64_t stride, int64_t c) {
  for (int64_t i = 0; i < c; i += 16) {
    v16 x[kA][kA], y[kA][kA];
#pragma GCC unroll 6
    for (int r = 0; r < kA; ++r) {
#pragma GCC unroll 6
      for (int q = 0; q < kA; ++q) x[r][q] = load16(src[r][q] + i);
    }
    sandwich<kA, kA, Bt>(x, y);
#pragma GCC unroll 6
    for (int a = 0; a < kA; ++a) {
#pragma GCC unroll 6
      for (int b = 0; b < kA; ++b) store16(v + (a * kA + b) * stride + i, y[a][b]);
    }
  }
}

// The adjoint of kernel_tiles: dw[j][k] = sum_ab G[a][j] G[b][k] du[a][b], for elements [i0, i1).
// (Along a first: the tile goes in transposed.)
KERAS_AVX512 void kernel_adjoint_tiles(
    const float* du, int64_t stride, float* dw, int64_t size, int64_t i0, int64_t i1) {
  for (int64_t i = i0; i < i1; i += 16) {
    v16 x[kA][kA], y[3][3];
#pragma GCC unroll 6
    for (int b = 0; b < kA; ++b) {
#pragma GCC unroll 6
      for (int a = 0; a < kA; ++a) x[b][a] = load16(du + (a * kA + b) * stride + i);
    }
    sandwich<3, kA, GTransposed>(x, y);
#pragma GCC unroll 3
    for (int j = 0; j < 3; ++j) {
#pragma GCC unroll 3
      for (int k = 0; k < 3; ++k) store16(dw + (j * 3 + k) * size + i, y[k][j]);
    }
  }
}

// The adjoint of output_tile: dM = A dY A^T for one tile (dY read through src, f channels).
KERAS_AVX512 void output_adjoint_tile(const float* const (*src)[kM],
                                      float* dm,
                                      int64_t stride,
                                      int64_t f) {
  for (int64_t i = 0; i < f; i += 16) {
    v16 x[kM][kM], y[kA][kA];
#pragma GCC unroll 4
    for (int r = 0; r < kM; ++r) {
#pragma GCC unroll 4
      for (int q = 0; q < kM; ++q) x[r][q] = load16(src[r][q] + i);
    }
    sandwich<kA, kM, AtTransposed>(x, y);
#pragma GCC unroll 6
    for (int a = 0; a < kA; ++a) {
#pragma GCC unroll 6
      for (int b = 0; b < kA; ++b) store16(dm + (a * kA + b) * stride + i, y[a][b]);
    }
  }
}

// The adjoint of input_tile: dX += B dV B^T for one tile, its 6x6 rows of c channels added through
// dst (neighbouring tiles overlap, so each adds its part).
KERAS_AVX512 void input_adjoint_tile(const float* dv,
                                     int64_t stride,
                                     float* const (*dst)[kA],
                                     int64_t c) {
  for (int64_t i = 0; i < c; i += 16) {
    v16 x[kA][kA], y[kA][kA];
#pragma GCC unroll 6
    for (int a = 0; a < kA; ++a) {
#pragma GCC unroll 6
      for (int b = 0; b < kA; ++b) x[a][b] = load16(dv + (a * kA + b) * stride + i);
    }
    sandwich<kA, kA, BtTransposed>(x, y);
#pragma GCC unroll 6
    for (int r = 0; r < kA; ++r) {
#pragma GCC unroll 6
      for (int q = 0; q < kA; ++q) store16(dst[r][q] + i, load16(dst[r][q] + i) + y[r][q]);
    }
  }
}

// Y = A^T M A (+ bias, then relu when asked: UnaryOp::relu's bits, NaN stays NaN) for one tile:
// M[ξ] rows of f channels, Y written through dst (when StoreY).
// With Pool, also Y's 2x2 max pooling with strides 2, written through pooled: window (a, b) reads
// rows 2a, 2a + 1 and columns 2b, 2b + 1, in that tap order, with the CPU max_pool's arithmetic
// (from -inf, out = out < v or v is NaN ? v : out).
template <bool StoreY = true, bool Pool = false>
KERAS_AVX512 void output_tile(const float* m,
                              int64_t stride,
                              float* const (*dst)[kM],
                              float* const (*pooled)[2],
                              const float* bias,
                              bool relu,
                              int64_t f) {
  for (int64_t i = 0; i < f; i += 16) {
    v16 x[kA][kA], y[kM][kM];
#pragma GCC unroll 6
    for (int a = 0; a < kA; ++a) {
#pragma GCC unroll 6
      for (int b = 0; b < kA; ++b) x[a][b] = load16(m + (a * kA + b) * stride + i);
    }
    sandwich<kM, kA, At>(x, y);
    const v16 add = bias != nullptr ? load16(bias + i) : v16{};
#pragma GCC unroll 4
    for (int r = 0; r < kM; ++r) {
#pragma GCC unroll 4
      for (int q = 0; q < kM; ++q) {
        y[r][q] += add;
        if (relu) y[r][q] = (y[r][q] > 0) | (y[r][q] != y[r][q]) ? y[r][q] : v16{};
        if constexpr (StoreY) store16(dst[r][q] + i, y[r][q]);
      }
    }
    if constexpr (Pool) {
#pragma GCC unroll 2
      for (int a = 0; a < 2; ++a) {
#pragma GCC unroll 2
        for (int b = 0; b < 2; ++b) {
          v16 out = v16{} - __builtin_inff();
          for (const v16& v : {y[2 * a][2 * b], y[2 * a][2 * b + 1], y[2 * a + 1][2 * b],
                               y[2 * a + 1][2 * b + 1]}) {
            out = (out < v) | (v != v) ? v : out;  // running_max (unary_math.h), 16 wide
          }
          store16(pooled[a][b] + i, out);
        }
      }
    }
  }
}

// output_adjoint_tile of the pooling's input gradient: dY is built in registers from the tile's
// forward outputs Y (read through ys) and the windows' gradients (read through dp, null for a
// window outside the pooled output, whose taps get 0), with the CPU max_pool_backward's rule and
// arithmetic: the first tap equal to the window's maximum (from the first tap, replaced by a
// strictly greater one) takes the gradient, the first tap too when none does (a NaN).
KERAS_AVX512 void pooled_output_adjoint_tile(const float* const (*ys)[kM],
                                             const float* const (*dp)[2],
                                             float* dm,
                                             int64_t stride,
                                             int64_t f) {
  for (int64_t i = 0; i < f; i += 16) {
    v16 x[kM][kM], y[kA][kA];
#pragma GCC unroll 2
    for (int a = 0; a < 2; ++a) {
#pragma GCC unroll 2
      for (int b = 0; b < 2; ++b) {
        const int r0 = 2 * a, q0 = 2 * b;
        if (dp[a][b] == nullptr) {
          x[r0][q0] = x[r0][q0 + 1] = x[r0 + 1][q0] = x[r0 + 1][q0 + 1] = v16{};
          continue;
        }
        const v16 t0 = load16(ys[r0][q0] + i), t1 = load16(ys[r0][q0 + 1] + i),
                  t2 = load16(ys[r0 + 1][q0] + i), t3 = load16(ys[r0 + 1][q0 + 1] + i);
        v16 best = t0;
        best = t1 > best ? t1 : best;
        best = t2 > best ? t2 : best;
        best = t3 > best ? t3 : best;
        v16 pending = load16(dp[a][b] + i);
        const v16 zero{};
        v16 out[4];
        int k = 0;
        for (const v16& t : {t0, t1, t2, t3}) {
          const auto take = t == best;
          out[k++] = zero + (take ? pending : zero);
          pending = take ? zero : pending;
        }
        x[r0][q0] = out[0] + pending;
        x[r0][q0 + 1] = out[1];
        x[r0 + 1][q0] = out[2];
        x[r0 + 1][q0 + 1] = out[3];
      }
    }
    sandwich<kA, kM, AtTransposed>(x, y);
#pragma GCC unroll 6
    for (int a = 0; a < kA; ++a) {
#pragma GCC unroll 6
      for (int b = 0; b < kA; ++b) store16(dm + (a * kA + b) * stride + i, y[a][b]);
    }
  }
}

struct Plan {
  int64_t batch, h, w, oh, ow, pad_h, pad_w, c, f;
  int64_t tiles_w, per_image, total, chunk, count;
  int threads;

  explicit Plan(const ConvGeometry& g)
      : batch(g.batch),
        h(g.in[1]),
        w(g.in[2]),
        oh(g.out[1]),
        ow(g.out[2]),
        pad_h(g.pad[1]),
        pad_w(g.pad[2]),
        c(g.c),
        f(g.f),
        tiles_w((ow + kM - 1) / kM),
        per_image(((oh + kM - 1) / kM) * tiles_w),
        total(batch * per_image),
        // Each thread runs its own GEMMs, so one thread unless they nest in OpenMP.
        threads(blas::gemm_nests_in_openmp() ? std::max(1, num_threads()) : 1) {
    // About 2 MiB of transformed tiles per chunk: longer chunks make longer GEMMs, which paid
    // more than keeping V and M in L2 (64 channels: 128 tiles 1.25x faster than 32).
    chunk = std::max<int64_t>(8, (int64_t{1} << 21) / (kXi * (c + f) * 4));
    // Every thread gets the same number of chunks, of sizes differing by at most one tile.
    const int64_t per_thread = (total + int64_t{threads} * chunk - 1) / (int64_t{threads} * chunk);
    count = std::clamp<int64_t>(per_thread * threads, 1, total);
    chunk = (total + count - 1) / count;  // the longest
  }
  int64_t chunks() const { return count; }
  // The first tile of chunk ch (ch = chunks(): total).
  int64_t begin(int64_t ch) const { return ch * total / count; }

  // The input rows (C floats) of tile gi, `outside` where it reads padding.
  template <class T>
  void inputs(int64_t gi, T* x, T* outside, T* (&src)[kA][kA]) const {
    const int64_t n = gi / per_image, ti = gi % per_image / tiles_w, tj = gi % tiles_w;
    for (int r = 0; r < kA; ++r) {
      const int64_t iy = ti * kM - pad_h + r;
      for (int q = 0; q < kA; ++q) {
        const int64_t ix = tj * kM - pad_w + q;
        const bool in = iy >= 0 && iy < h && ix >= 0 && ix < w;
        src[r][q] = in ? x + ((n * h + iy) * w + ix) * c : outside;
      }
    }
  }
  // The 2x2 pooled output rows (F floats) of tile gi, `outside` (which may be null) for windows
  // past the pooled output's (OH / 2, OW / 2).
  template <class T>
  void pooled(int64_t gi, T* y, T* outside, T* (&dst)[2][2]) const {
    const int64_t n = gi / per_image, ti = gi % per_image / tiles_w, tj = gi % tiles_w;
    const int64_t ph = oh / 2, pw = ow / 2;
    for (int a = 0; a < 2; ++a) {
      const int64_t py = 2 * ti + a;
      for (int b = 0; b < 2; ++b) {
        const int64_t px = 2 * tj + b;
        dst[a][b] = py < ph && px < pw ? y + ((n * ph + py) * pw + px) * f : outside;
      }
    }
  }
  // The output rows (F floats) of tile gi, `outside` past the edge.
  template <class T>
  void outputs(int64_t gi, T* y, T* outside, T* (&dst)[kM][kM]) const {
    const int64_t n = gi / per_image, ti = gi % per_image / tiles_w, tj = gi % tiles_w;
    for (int r = 0; r < kM; ++r) {
      const int64_t oy = ti * kM + r;
      for (int q = 0; q < kM; ++q) {
        const int64_t ox = tj * kM + q;
        dst[r][q] = oy < oh && ox < ow ? y + ((n * oh + oy) * ow + ox) * f : outside;
      }
    }
  }
};

// y = conv(x, w) + bias (then relu when asked); with `pooled`, also its 2x2 max pooling with
// strides 2 (then y may be null: not stored).
void forward(const ConvGeometry& g,
             const float* x,
             const float* w,
             const float* bias,
             bool relu,
             float* y,
             float* pooled = nullptr) {
  const Plan p(g);
  const int64_t size = p.c * p.f, us = size + kPad;
  float* u = scratch<float, 2>(kXi * us);
  KERAS_OMP(omp parallel num_threads(p.threads)) {
    KERAS_OMP(omp for)
    for (int64_t i0 = 0; i0 < size; i0 += 1024) {
      kernel_tiles(w, u, size, us, i0, std::min(size, i0 + 1024));
    }
    const EdgeRows edge = edge_rows(static_cast<size_t>(std::max(p.c, p.f)));
    KERAS_OMP(omp for schedule(dynamic))
    for (int64_t ch = 0; ch < p.chunks(); ++ch) {
      const int64_t g0 = p.begin(ch), g1 = p.begin(ch + 1), rows = g1 - g0;
      const int64_t vs = rows * p.c + kPad, ms = rows * p.f + kPad;
      float* v = scratch<float, 0>(kXi * (p.chunk * p.c + kPad));
      float* m = scratch<float, 1>(kXi * (p.chunk * p.f + kPad));
      for (int64_t gi = g0; gi < g1; ++gi) {
        const float* src[kA][kA];
        p.inputs(gi, x, edge.zeros, src);
        input_tile(src, v + (gi - g0) * p.c, vs, p.c);
      }
      for (int xi = 0; xi < kXi; ++xi) {
        blas::gemm(false, false, rows, p.f, p.c, v + xi * vs, p.c, u + xi * us, p.f, 0, m + xi * ms,
                   p.f);
      }
      for (int64_t gi = g0; gi < g1; ++gi) {
        float* dst[kM][kM];
        float* pdst[2][2];
        if (y != nullptr) p.outputs(gi, y, edge.sink, dst);
        if (pooled != nullptr) p.pooled(gi, pooled, edge.sink, pdst);
        const float* mi = m + (gi - g0) * p.f;
        if (pooled == nullptr) {
          output_tile(mi, ms, dst, nullptr, bias, relu, p.f);
        } else if (y != nullptr) {
          output_tile<true, true>(mi, ms, dst, pdst, bias, relu, p.f);
        } else {
          output_tile<false, true>(mi, ms, dst, pdst, bias, relu, p.f);
        }
      }
    }
  }
}

// Both gradients from the forward's tiles: per tile dM = A dY A^T, then dU[ξ] += V[ξ]^T dM[ξ]
// (each thread into its own dU; the team adds them and dW is dU's kernel adjoint) and
// dV[ξ] = dM[ξ] U[ξ]^T, whose adjoint input transform B dV B^T adds into dx (neighbouring tiles
// overlap there). x is only read for dw, w only for dx; a null dx or dw is not computed. Each
// thread takes a contiguous range of tiles, whole images when the batch has one per thread (then
// no two threads add into one dx row, and each image's dx is the same sum whatever the team); dx
// needs that. The ranges depend only on the batch and the team, not on whether dx is computed, so
// dw has the same bits either way.
// With `dpooled`, dy is instead the gradient of y's 2x2 max pooling with strides 2 (from y's
// values in `y` and the pooled gradient dpooled), built per tile in registers.
void backward(const ConvGeometry& g,
              const float* x,
              const float* w,
              const float* dy,
              float* dx,
              float* dw,
              const float* y = nullptr,
              const float* dpooled = nullptr) {
  const Plan p(g);
  const int64_t size = p.c * p.f, us = size + kPad, part = kXi * us;
  const int64_t image = p.h * p.w * p.c;
  const int threads = p.threads;
  // U^T (F, C per ξ), from the transposed taps: dV's GEMMs then take no transposed operand.
  float* ut = dx != nullptr ? scratch<float, 2>(part) : nullptr;
  float* wt = dx != nullptr ? scratch<float, 3>(9 * size) : nullptr;
  float* parts = dw != nullptr ? scratch<float, 4>(threads * part) : nullptr;
  KERAS_OMP(omp parallel num_threads(threads)) {
    if (ut != nullptr) {
      transpose_taps(9, p.c, p.f, w, wt);
      KERAS_OMP(omp for)
      for (int64_t i0 = 0; i0 < size; i0 += 1024) {
        kernel_tiles(wt, ut, size, us, i0, std::min(size, i0 + 1024));
      }
    }
    const int t = thread_id(), team = team_size();
    float* du = parts != nullptr ? parts + t * part : nullptr;
    const EdgeRows edge = edge_rows(static_cast<size_t>(std::max(p.c, p.f)));
    const bool images = p.batch >= team;
    const int64_t t0 = images ? p.batch * t / team * p.per_image : p.total * t / team;
    const int64_t t1 = images ? p.batch * (t + 1) / team * p.per_image : p.total * (t + 1) / team;
    const int64_t chunks = (t1 - t0 + p.chunk - 1) / p.chunk;
    for (int64_t ch = 0; ch < chunks; ++ch) {
      const int64_t g0 = t0 + ch * (t1 - t0) / chunks, g1 = t0 + (ch + 1) * (t1 - t0) / chunks;
      const int64_t rows = g1 - g0, vs = rows * p.c + kPad, ms = rows * p.f + kPad;
      float* v = scratch<float, 0>(kXi * (p.chunk * p.c + kPad));
      float* dm = scratch<float, 1>(kXi * (p.chunk * p.f + kPad));
      for (int64_t gi = g0; gi < g1; ++gi) {
        if (du != nullptr) {
          const float* src[kA][kA];
          p.inputs(gi, x, edge.zeros, src);
          input_tile(src, v + (gi - g0) * p.c, vs, p.c);
        }
        if (dpooled != nullptr) {
          const float* ys[kM][kM];
          const float* dp[2][2];
          p.outputs(gi, y, edge.zeros, ys);
          p.pooled(gi, dpooled, static_cast<const float*>(nullptr), dp);
          pooled_output_adjoint_tile(ys, dp, dm + (gi - g0) * p.f, ms, p.f);
          continue;
        }
        const float* grad[kM][kM];
        p.outputs(gi, dy, edge.zeros, grad);
        output_adjoint_tile(grad, dm + (gi - g0) * p.f, ms, p.f);
      }
      if (du != nullptr) {
        for (int xi = 0; xi < kXi; ++xi) {
          blas::gemm(true, false, p.c, p.f, rows, v + xi * vs, p.c, dm + xi * ms, p.f,
                     ch == 0 ? 0 : 1, du + xi * us, p.f);
        }
      }
      if (dx == nullptr) continue;
      for (int xi = 0; xi < kXi; ++xi) {  // dV overwrites V, which dw is done with
        blas::gemm(false, false, rows, p.c, p.f, dm + xi * ms, p.f, ut + xi * us, p.c, 0,
                   v + xi * vs, p.c);
      }
      for (int64_t gi = g0; gi < g1; ++gi) {
        // Cleared an image at a time, as its first tile comes: the clearing also brings the
        // image's dx into cache for the adds (storing the first value of each position instead
        // measured slower: each first store then waits for its line).
        if (gi % p.per_image == 0) std::fill_n(dx + gi / p.per_image * image, image, 0.0f);
        float* dst[kA][kA];
        p.inputs(gi, dx, edge.sink, dst);
        input_adjoint_tile(v + (gi - g0) * p.c, vs, dst, p.c);
      }
    }
    if (du != nullptr) {  // the same branch in every thread of the team
      if (chunks == 0) std::fill(du, du + part, 0.0f);
      KERAS_OMP(omp barrier)
      KERAS_OMP(omp for)
      for (int64_t i0 = 0; i0 < part; i0 += 4096) {
        const int64_t i1 = std::min(part, i0 + 4096);
        for (int o = 1; o < team; ++o) {
          const float* other = parts + o * part;
          for (int64_t i = i0; i < i1; ++i) parts[i] += other[i];
        }
      }
      KERAS_OMP(omp for)
      for (int64_t i0 = 0; i0 < size; i0 += 1024) {
        kernel_adjoint_tiles(parts, us, dw, size, i0, std::min(size, i0 + 1024));
      }
    }
  }
}

// dx as the forward of dy with the kernel turned by 180 degrees and C and F swapped, padded by
// 2 - padding.
ConvGeometry data_geometry(const ConvGeometry& g) {
  ConvGeometry t = g;
  t.c = g.f;
  t.f = g.c;
  for (int a = 1; a < 3; ++a) {
    t.in[a] = g.out[a];
    t.out[a] = g.in[a];
    t.pad[a] = 2 - g.pad[a];
  }
  return t;
}

}  // namespace

bool supports2d(const ConvGeometry& g) {
  return vec16::cpu_has_avx512() && g.groups == 1 && g.batch >= 1 && g.in[0] == 1 &&
         g.out[0] == 1 && g.k[0] == 1 && g.pad[0] == 0 && g.k[1] == 3 && g.k[2] == 3 &&
         g.stride[1] == 1 && g.stride[2] == 1 && g.dilation[1] == 1 && g.dilation[2] == 1 &&
         g.pad[1] >= 0 && g.pad[1] <= 2 && g.pad[2] >= 0 && g.pad[2] <= 2 && g.out[1] >= 1 &&
         g.out[2] >= 1 && g.in[1] >= 1 && g.in[2] >= 1 && g.c > 0 && g.f > 0 && g.c % 16 == 0 &&
         g.f % 16 == 0;
}

bool applies2d(const ConvGeometry& g) {
  switch (policy()) {
    case Policy::never:
      return false;
    case Policy::always:
      return supports2d(g);
    case Policy::automatic:
      break;
  }
  // Up to 128 channels its float32 error measured at or below oneDNN's Winograd (ReLU inputs,
  // He-scaled weights: rms 6.3e-7 against 6.4e-7 at 64 channels, 8.4e-7 against 8.5e-7 at 128);
  // at 256 and 512, 1.3-1.4x oneDNN's, so those stay with oneDNN although 1.3-3x slower there.
  return backend::winograd_enabled() && supports2d(g) && g.c <= 128 && g.f <= 128;
}

void conv2d(
    const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y, bool relu) {
  forward(g, x, w, bias, relu, y);
}

void conv2d_backward_weights(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  backward(g, x, nullptr, dy, nullptr, dw);
}

void conv2d_backward(
    const ConvGeometry& g, const float* x, const float* w, const float* dy, float* dx, float* dw) {
  // The adjoint's dx adds its overlapping tiles (36 read-modify-writes per tile) where the
  // forward of dy writes 16 outputs: worth it where it has fewer tiles ("valid": 36 instead of 49
  // per 23x23 output), and then shares dM with dw (64 channels, 64 images of 25x25, interleaved
  // medians: 11.1-14.9 ms separately, 8.9-10.1 ms together). With "same" padding the tile counts
  // are equal and the two measured alike (docs/performance.md), so the separate passes stay.
  const Plan p(g), data(data_geometry(g));
  if (dx != nullptr && dw != nullptr && g.batch >= p.threads && data.total > p.total) {
    backward(g, x, w, dy, dx, dw);
    return;
  }
  if (dw != nullptr) backward(g, x, nullptr, dy, nullptr, dw);
  if (dx != nullptr) conv2d_backward_data(g, dy, w, dx);
}

void conv2d_max_pool(const ConvGeometry& g,
                     const float* x,
                     const float* w,
                     const float* bias,
                     float* y,
                     float* pooled) {
  forward(g, x, w, bias, false, y, pooled);
}

bool conv2d_max_pool_backward(const ConvGeometry& g,
                              const float* x,
                              const float* w,
                              const float* y,
                              const float* dpooled,
                              float* dx,
                              float* dw) {
  if (dx != nullptr && g.batch < Plan(g).threads) return false;
  backward(g, x, w, nullptr, dx, dw, y, dpooled);
  return true;
}

void conv2d_backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  // wt[2 - j][2 - k] = w[j][k] transposed to (F, C).
  float* wt = scratch<float, 3>(9 * g.c * g.f);
  for (int tap = 0; tap < 9; ++tap) {
    transpose_taps(1, g.c, g.f, w + tap * g.c * g.f, wt + (8 - tap) * g.c * g.f);
  }
  forward(data_geometry(g), dy, wt, nullptr, false, dx);
}

}  // namespace keras::backend::winograd
