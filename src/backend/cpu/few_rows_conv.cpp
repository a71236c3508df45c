// The team splits the output columns in blocks of one vector (16 floats with AVX-512, 8 with
// AVX2); each thread runs the register kernel on two vectors of columns (or one, the last masked)
// of one block of rows at a time, so each weight row is read once per block of rows. Rows are
// blocked by at most 14 with AVX-512 (14 rows x 2 vectors of accumulators, the 2 weight vectors
// and a broadcast fill its 32 registers) and 6 with AVX2 (its 16).
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

// The blocks of rows: `count` blocks of sizes differing by at most one, at most `most` rows each.
struct RowBlocks {
  RowBlocks(int64_t rows, int most) : rows(rows), count((rows + most - 1) / most) {}
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

// y[i][j] = bias[j] + sum_kk panel[kk * R + i] w[kk][j] for R rows and V vectors of columns, the
// last vector's first `lanes` only; w and y point at the first column, f floats per row.
using Kernel = void (*)(const float* panel,
                        int64_t k,
                        const float* w,
                        int64_t f,
                        int lanes,
                        const float* bias,
                        float* y);

// The weights come from L3 or memory, a row of f floats apart: fetch 16 rows ahead. Measured with
// the caches flushed before each call (as other tenants do between one-sample calls): 14 and 10
// rows of 256 x 5 -> 256, 144-195 -> 60-70 us; no change when they are cached. (An address, not a
// pointer: it may lie past the weights; prefetches never fault.)
[[gnu::always_inline]] inline void prefetch_ahead(const float* row, int64_t f, int lines) {
  const auto ahead = reinterpret_cast<std::uintptr_t>(row) + 16 * f * sizeof(float);
  for (int l = 0; l < lines; ++l) __builtin_prefetch(reinterpret_cast<const void*>(ahead + 64 * l));
}

template <int R, int V>
KERAS_AVX512 void kernel16(const float* panel,
                           int64_t k,
                           const float* w,
                           int64_t f,
                           int lanes,
                           const float* bias,
                           float* y) {
  const __mmask16 mask = vec16::first_lanes16(lanes);
  __m512 acc[R][V];
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) {
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) acc[i][v] = _mm512_setzero_ps();
  }
  for (int64_t kk = 0; kk < k; ++kk) {
    const float* row = w + kk * f;
    const float* a = panel + kk * R;
    prefetch_ahead(row, f, V);
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

// The same in 8-float vectors, with AVX2's masked loads and stores (masked lanes never fault).
template <int R, int V>
KERAS_AVX2 void kernel8(const float* panel,
                        int64_t k,
                        const float* w,
                        int64_t f,
                        int lanes,
                        const float* bias,
                        float* y) {
  const __m256i all = _mm256_set1_epi32(-1);
  const __m256i mask = vec16::first_lanes8(lanes);
  __m256 acc[R][V];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) {
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) acc[i][v] = _mm256_setzero_ps();
  }
  for (int64_t kk = 0; kk < k; ++kk) {
    const float* row = w + kk * f;
    const float* a = panel + kk * R;
    prefetch_ahead(row, f, 1);
    __m256 wv[V];
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) {
      wv[v] = v + 1 < V ? _mm256_loadu_ps(row + 8 * v) : _mm256_maskload_ps(row + 8 * v, mask);
    }
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      const __m256 b = _mm256_broadcast_ss(a + i);
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) acc[i][v] = _mm256_fmadd_ps(b, wv[v], acc[i][v]);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) {
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) {
      const __m256i m = v + 1 < V ? all : mask;
      __m256 out = acc[i][v];
      if (bias != nullptr) out = _mm256_add_ps(out, _mm256_maskload_ps(bias + 8 * v, m));
      _mm256_maskstore_ps(y + i * f + 8 * v, m, out);
    }
  }
}

// One instruction set's kernels: table[R - 1][V - 1], R up to block_rows, vectors of `width`.
struct Kernels {
  int width, block_rows;
  const std::array<Kernel, 2>* table;
};

template <int... Rs>
constexpr auto table16(std::integer_sequence<int, Rs...>) {
  return std::array<std::array<Kernel, 2>, sizeof...(Rs)>{
      {{{&kernel16<Rs + 1, 1>, &kernel16<Rs + 1, 2>}}...}};
}
template <int... Rs>
constexpr auto table8(std::integer_sequence<int, Rs...>) {
  return std::array<std::array<Kernel, 2>, sizeof...(Rs)>{
      {{{&kernel8<Rs + 1, 1>, &kernel8<Rs + 1, 2>}}...}};
}
constexpr auto kTable16 = table16(std::make_integer_sequence<int, 14>{});
constexpr auto kTable8 = table8(std::make_integer_sequence<int, 6>{});

Kernels kernels() {
  if (vec16::cpu_has_avx512()) return {16, 14, kTable16.data()};
  return {8, 6, kTable8.data()};
}

#endif

}  // namespace

bool applies(const ConvGeometry& g) {
  return (vec16::cpu_has_avx512() || vec16::cpu_has_avx2_fma()) && g.groups == 1 && g.batch >= 1 &&
         g.out_size() >= 1 && g.batch * g.out_size() <= kMaxRows && g.f >= 16 &&
         g.taps() * g.c >= 16;
}

void conv(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y) {
#if defined(__x86_64__) || defined(__i386__)
  const Kernels isa = kernels();
  const RowBlocks blocks(g.batch * g.out_size(), isa.block_rows);
  const int64_t k = g.taps() * g.c, col_blocks = (g.f + isa.width - 1) / isa.width;
  const int tail = g.f % isa.width == 0 ? isa.width : static_cast<int>(g.f % isa.width);
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
        const int64_t j = cb * isa.width;
        const int lanes = cb + vectors == col_blocks ? tail : isa.width;
        isa.table[rows - 1][vectors - 1](panel + o0 * k, k, w + j, g.f, lanes,
                                         bias == nullptr ? nullptr : bias + j, y + o0 * g.f + j);
      }
    }
  }
#else
  (void)g, (void)x, (void)w, (void)bias, (void)y;
#endif
}

}  // namespace keras::backend::few_rows
