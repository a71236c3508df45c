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

// Y = A^T M A (+ bias) for one tile: M[ξ] rows of f channels, Y written through dst.
KERAS_AVX512 void output_tile(
    const float* m, int64_t stride, float* const (*dst)[kM], const float* bias, int64_t f) {
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
      for (int q = 0; q < kM; ++q) store16(dst[r][q] + i, y[r][q] + add);
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

void forward(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y) {
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
        p.outputs(gi, y, edge.sink, dst);
        output_tile(m + (gi - g0) * p.f, ms, dst, bias, p.f);
      }
    }
  }
}

// Each thread sums its chunks' V[ξ]^T dM[ξ] into its own dU (static chunks: the same sums from run
// to run), the team adds the parts, and dW is dU's kernel adjoint.
void backward_weights(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const Plan p(g);
  const int64_t size = p.c * p.f, us = size + kPad, part = kXi * us;
  float* parts = scratch<float, 2>(p.threads * part);
  KERAS_OMP(omp parallel num_threads(p.threads)) {
    float* du = parts + thread_id() * part;
    const EdgeRows edge = edge_rows(static_cast<size_t>(std::max(p.c, p.f)));
    bool first = true;
    KERAS_OMP(omp for schedule(static) nowait)
    for (int64_t ch = 0; ch < p.chunks(); ++ch) {
      const int64_t g0 = p.begin(ch), g1 = p.begin(ch + 1), rows = g1 - g0;
      const int64_t vs = rows * p.c + kPad, ms = rows * p.f + kPad;
      float* v = scratch<float, 0>(kXi * (p.chunk * p.c + kPad));
      float* dm = scratch<float, 1>(kXi * (p.chunk * p.f + kPad));
      for (int64_t gi = g0; gi < g1; ++gi) {
        const float* src[kA][kA];
        p.inputs(gi, x, edge.zeros, src);
        input_tile(src, v + (gi - g0) * p.c, vs, p.c);
        const float* grad[kM][kM];
        p.outputs(gi, dy, edge.zeros, grad);
        output_adjoint_tile(grad, dm + (gi - g0) * p.f, ms, p.f);
      }
      for (int xi = 0; xi < kXi; ++xi) {
        blas::gemm(true, false, p.c, p.f, rows, v + xi * vs, p.c, dm + xi * ms, p.f, first ? 0 : 1,
                   du + xi * us, p.f);
      }
      first = false;
    }
    if (first) std::fill(du, du + part, 0.0f);
    KERAS_OMP(omp barrier)
    const int team = team_size();
    KERAS_OMP(omp for)
    for (int64_t i0 = 0; i0 < part; i0 += 4096) {
      const int64_t i1 = std::min(part, i0 + 4096);
      for (int t = 1; t < team; ++t) {
        const float* other = parts + t * part;
        for (int64_t i = i0; i < i1; ++i) parts[i] += other[i];
      }
    }
    KERAS_OMP(omp for)
    for (int64_t i0 = 0; i0 < size; i0 += 1024) {
      kernel_adjoint_tiles(parts, us, dw, size, i0, std::min(size, i0 + 1024));
    }
  }
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

void conv2d(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y) {
  forward(g, x, w, bias, y);
}

void conv2d_backward_weights(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  backward_weights(g, x, dy, dw);
}

void conv2d_backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  ConvGeometry t = g;
  t.c = g.f;
  t.f = g.c;
  for (int a = 1; a < 3; ++a) {
    t.in[a] = g.out[a];
    t.out[a] = g.in[a];
    t.pad[a] = 2 - g.pad[a];
  }
  // wt[2 - j][2 - k] = w[j][k] transposed to (F, C).
  float* wt = scratch<float, 3>(9 * g.c * g.f);
  for (int tap = 0; tap < 9; ++tap) {
    const float* s = w + tap * g.c * g.f;
    float* d = wt + (8 - tap) * g.c * g.f;
    for (int64_t ci = 0; ci < g.c; ++ci) {
      for (int64_t fi = 0; fi < g.f; ++fi) d[fi * g.c + ci] = s[ci * g.f + fi];
    }
  }
  forward(t, dy, wt, nullptr, dx);
}

}  // namespace keras::backend::winograd
