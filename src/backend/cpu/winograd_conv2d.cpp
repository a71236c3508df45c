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

using vec16::matvec;

// The tile kernels (winograd_conv2d_tiles.inc) of one instruction set. output_tile's three forms:
// Y (bias, relu), Y and its 2x2 max pooling, the pooling only.
struct Kernels {
  void (*kernel_tiles)(
      const float* w, float* u, int64_t size, int64_t stride, int64_t i0, int64_t i1);
  void (*input_tile)(const float* const (*src)[kA], float* v, int64_t stride, int64_t c);
  void (*kernel_adjoint_tiles)(
      const float* du, int64_t stride, float* dw, int64_t size, int64_t i0, int64_t i1);
  void (*output_adjoint_tile)(const float* const (*src)[kM], float* dm, int64_t stride, int64_t f);
  void (*input_adjoint_tile)(const float* dv, int64_t stride, float* const (*dst)[kA], int64_t c);
  using OutputTile = void (*)(const float* m,
                              int64_t stride,
                              float* const (*dst)[kM],
                              float* const (*pooled)[2],
                              const float* bias,
                              bool relu,
                              int64_t f);
  OutputTile output_tile, output_pool_tile, pool_tile;
  void (*pooled_output_adjoint_tile)(const float* const (*ys)[kM],
                                     const float* const (*dp)[2],
                                     float* dm,
                                     int64_t stride,
                                     int64_t f);
};

// 16-float vectors where the CPU has AVX-512, 8-float ones where it has AVX2 and FMA (the same
// arithmetic lane by lane).
namespace avx512 {
using V = vec16::v16;
constexpr int64_t kWidth = 16;
#define KERAS_WINOGRAD_TARGET KERAS_AVX512
#include "backend/cpu/winograd_conv2d_tiles.inc"
#undef KERAS_WINOGRAD_TARGET
}  // namespace avx512

namespace avx2 {
using V = float __attribute__((vector_size(32)));
constexpr int64_t kWidth = 8;
#define KERAS_WINOGRAD_TARGET KERAS_AVX2
#include "backend/cpu/winograd_conv2d_tiles.inc"
#undef KERAS_WINOGRAD_TARGET
}  // namespace avx2

// The table for this CPU (supports2d() is false on one with neither).
const Kernels& kernels() {
  return vec16::cpu_has_avx512() ? avx512::kKernels : avx2::kKernels;
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
  const Kernels& k = kernels();
  const int64_t size = p.c * p.f, us = size + kPad;
  float* u = scratch<float, 2>(kXi * us);
  KERAS_OMP(omp parallel num_threads(p.threads)) {
    KERAS_OMP(omp for)
    for (int64_t i0 = 0; i0 < size; i0 += 1024) {
      k.kernel_tiles(w, u, size, us, i0, std::min(size, i0 + 1024));
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
        k.input_tile(src, v + (gi - g0) * p.c, vs, p.c);
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
          k.output_tile(mi, ms, dst, nullptr, bias, relu, p.f);
        } else if (y != nullptr) {
          k.output_pool_tile(mi, ms, dst, pdst, bias, relu, p.f);
        } else {
          k.pool_tile(mi, ms, dst, pdst, bias, relu, p.f);
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
  const Kernels& k = kernels();
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
        k.kernel_tiles(wt, ut, size, us, i0, std::min(size, i0 + 1024));
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
          k.input_tile(src, v + (gi - g0) * p.c, vs, p.c);
        }
        if (dpooled != nullptr) {
          const float* ys[kM][kM];
          const float* dp[2][2];
          p.outputs(gi, y, edge.zeros, ys);
          p.pooled(gi, dpooled, static_cast<const float*>(nullptr), dp);
          k.pooled_output_adjoint_tile(ys, dp, dm + (gi - g0) * p.f, ms, p.f);
          continue;
        }
        const float* grad[kM][kM];
        p.outputs(gi, dy, edge.zeros, grad);
        k.output_adjoint_tile(grad, dm + (gi - g0) * p.f, ms, p.f);
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
        k.input_adjoint_tile(v + (gi - g0) * p.c, vs, dst, p.c);
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
        k.kernel_adjoint_tiles(parts, us, dw, size, i0, std::min(size, i0 + 1024));
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
  return (vec16::cpu_has_avx512() || vec16::cpu_has_avx2_fma()) && g.groups == 1 && g.batch >= 1 &&
         g.in[0] == 1 && g.out[0] == 1 && g.k[0] == 1 && g.pad[0] == 0 && g.k[1] == 3 &&
         g.k[2] == 3 && g.stride[1] == 1 && g.stride[2] == 1 && g.dilation[1] == 1 &&
         g.dilation[2] == 1 && g.pad[1] >= 0 && g.pad[1] <= 2 && g.pad[2] >= 0 && g.pad[2] <= 2 &&
         g.out[1] >= 1 && g.out[2] >= 1 && g.in[1] >= 1 && g.in[2] >= 1 && g.c > 0 && g.f > 0 &&
         g.c % 16 == 0 && g.f % 16 == 0;
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
