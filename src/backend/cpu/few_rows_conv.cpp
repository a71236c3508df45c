// The team splits the output columns in 16-float blocks; each thread runs the register kernel on
// 32 columns (or 16, the last masked) of one block of rows at a time, so each weight row is read
// once per block of rows. Rows are blocked by at most 14: 14 rows x 2 vectors of accumulators,
// the 2 weight vectors and a broadcast fill the 32 AVX-512 registers.
#include "backend/cpu/few_rows_conv.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include "backend/cpu/parallel.h"
#include "backend/cpu/scratch.h"
#include "backend/cpu/vec16.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace keras::backend::few_rows {
namespace {

constexpr int kBlockRows = 14;

// The blocks of rows: `count` blocks of sizes differing by at most one.
struct RowBlocks {
  explicit RowBlocks(int64_t rows) : rows(rows), count((rows + kBlockRows - 1) / kBlockRows) {}
  int64_t rows, count;
  int64_t begin(int64_t b) const { return b * rows / count; }
};

#if defined(__x86_64__) || defined(__i386__)

// panel[(t * C + c) * R + i] = x at tap t, channel c for the block's output row i (R rows from
// o0), zero where the tap reads padding: im2row of the block, transposed. One tap per call.
void fill_panel(
    const ConvGeometry& g, const float* x, int64_t o0, int64_t rows, int64_t t, float* panel) {
  const int64_t kd = t / (g.k[1] * g.k[2]), kh = t / g.k[2] % g.k[1], kw = t % g.k[2];
  float* dst = panel + t * g.c * rows;
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t o = o0 + i, s = o % g.out_size(), n = o / g.out_size();
    const int64_t od = s / (g.out[1] * g.out[2]), oh = s / g.out[2] % g.out[1], ow = s % g.out[2];
    const int64_t id = g.input_at(0, od, kd), ih = g.input_at(1, oh, kh),
                  iw = g.input_at(2, ow, kw);
    if (g.inside(0, id) && g.inside(1, ih) && g.inside(2, iw)) {
      const float* src = x + (n * g.in_size() + (id * g.in[1] + ih) * g.in[2] + iw) * g.c;
      for (int64_t c = 0; c < g.c; ++c) dst[c * rows + i] = src[c];
    } else {
      for (int64_t c = 0; c < g.c; ++c) dst[c * rows + i] = 0.0f;
    }
  }
}

// y[i][j] = bias[j] + sum_kk panel[kk * R + i] w[kk][j] for R rows and V * 16 columns (the last
// vector masked by `mask`); w and y point at the first column, f floats per row.
template <int R, int V>
KERAS_AVX512 void kernel(const float* panel,
                         int64_t k,
                         const float* w,
                         int64_t f,
                         __mmask16 mask,
                         const float* bias,
                         float* y) {
  __m512 acc[R][V];
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) {
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) acc[i][v] = _mm512_setzero_ps();
  }
  for (int64_t kk = 0; kk < k; ++kk) {
    const float* row = w + kk * f;
    const float* a = panel + kk * R;
    // The weights come from L3 or memory, a row of f floats apart: fetch 16 rows ahead. Measured
    // with the caches flushed before each call (as other tenants do between one-sample calls):
    // 14 and 10 rows of 256 x 5 -> 256, 144-195 -> 60-70 us; no change when they are cached.
    // (An address, not a pointer: it may lie past the weights; prefetches never fault.)
    const auto ahead = reinterpret_cast<std::uintptr_t>(row) + 16 * f * sizeof(float);
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) {
      __builtin_prefetch(reinterpret_cast<const void*>(ahead + 64 * v));
    }
    __m512 wv[V];
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) {
      wv[v] = v + 1 < V ? _mm512_loadu_ps(row + 16 * v) : _mm512_maskz_loadu_ps(mask, row + 16 * v);
    }
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
      const __m512 b = _mm512_set1_ps(a[i]);
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) acc[i][v] = _mm512_fmadd_ps(b, wv[v], acc[i][v]);
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) {
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) {
      const __mmask16 m = v + 1 < V ? __mmask16(0xffff) : mask;
      __m512 out = acc[i][v];
      if (bias != nullptr) out = _mm512_add_ps(out, _mm512_maskz_loadu_ps(m, bias + 16 * v));
      _mm512_mask_storeu_ps(y + i * f + 16 * v, m, out);
    }
  }
}

using Kernel =
    void (*)(const float*, int64_t, const float*, int64_t, __mmask16, const float*, float*);

// kernels[R - 1][V - 1].
template <int... Rs>
constexpr auto make_table(std::integer_sequence<int, Rs...>) {
  return std::array<std::array<Kernel, 2>, sizeof...(Rs)>{
      {{{&kernel<Rs + 1, 1>, &kernel<Rs + 1, 2>}}...}};
}
constexpr auto kKernels = make_table(std::make_integer_sequence<int, kBlockRows>{});

#endif

}  // namespace

bool applies(const ConvGeometry& g) {
  return vec16::cpu_has_avx512() && g.groups == 1 && g.batch >= 1 && g.out_size() >= 1 &&
         g.batch * g.out_size() <= kMaxRows && g.f >= 16 && g.taps() * g.c >= 16;
}

void conv(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y) {
#if defined(__x86_64__) || defined(__i386__)
  const RowBlocks blocks(g.batch * g.out_size());
  const int64_t k = g.taps() * g.c, col_blocks = (g.f + 15) / 16;
  const __mmask16 tail = g.f % 16 == 0 ? __mmask16(0xffff) : __mmask16((1u << (g.f % 16)) - 1);
  float* panel = scratch<float>(k * blocks.rows);
  // One thread for less than ~64K multiply-adds (the fork and join would cost more).
  const int threads = k * g.f * blocks.rows < (int64_t{1} << 16)
                          ? 1
                          : static_cast<int>(std::min<int64_t>(num_threads(), col_blocks));
  KERAS_OMP(omp parallel num_threads(threads) if (threads > 1)) {
    KERAS_OMP(omp for schedule(static))
    for (int64_t t = 0; t < g.taps(); ++t) {
      for (int64_t b = 0; b < blocks.count; ++b) {
        const int64_t o0 = blocks.begin(b), rows = blocks.begin(b + 1) - o0;
        fill_panel(g, x, o0, rows, t, panel + o0 * k);
      }
    }
    const int team = team_size(), id = thread_id();
    const int64_t c0 = col_blocks * id / team, c1 = col_blocks * (id + 1) / team;
    for (int64_t b = 0; b < blocks.count; ++b) {
      const int64_t o0 = blocks.begin(b), rows = blocks.begin(b + 1) - o0;
      for (int64_t cb = c0; cb < c1; cb += 2) {
        const int vectors = cb + 1 < c1 ? 2 : 1;
        const int64_t j = cb * 16;
        const __mmask16 mask = cb + vectors == col_blocks ? tail : __mmask16(0xffff);
        kKernels[rows - 1][vectors - 1](panel + o0 * k, k, w + j, g.f, mask,
                                        bias == nullptr ? nullptr : bias + j, y + o0 * g.f + j);
      }
    }
  }
#else
  (void)g, (void)x, (void)w, (void)bias, (void)y;
#endif
}

}  // namespace keras::backend::few_rows
