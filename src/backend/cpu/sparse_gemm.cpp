#include "backend/cpu/sparse_gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "backend/cpu/scratch.h"
#include "backend/cpu/vec16.h"

namespace keras::backend::sparse {
namespace {

// C's block scaled by beta (zeroed when beta is 0, without reading).
void scale_block(float* c, int64_t ldc, Block blk, float beta) {
  for (int64_t r = blk.r0; r < blk.r1; ++r) {
    float* row = c + r * ldc;
    if (beta == 0.0f) {
      std::fill(row + blk.c0, row + blk.c1, 0.0f);
    } else if (beta != 1.0f) {
      for (int64_t j = blk.c0; j < blk.c1; ++j) row[j] *= beta;
    }
  }
}

// dst[0, n) += v * src[0, n).
void axpy_default(float v, const float* src, float* dst, int64_t n) {
  for (int64_t j = 0; j < n; ++j) dst[j] += v * src[j];
}

[[gnu::target("avx512f")]] void axpy_avx512(float v, const float* src, float* dst, int64_t n) {
  const __m512 vv = _mm512_set1_ps(v);
  int64_t j = 0;
  for (; j + 16 <= n; j += 16) {
    _mm512_storeu_ps(dst + j,
                     _mm512_fmadd_ps(vv, _mm512_loadu_ps(src + j), _mm512_loadu_ps(dst + j)));
  }
  if (j < n) {
    const __mmask16 m = vec16::first_lanes16(n - j);
    _mm512_mask_storeu_ps(
        dst + j, m,
        _mm512_fmadd_ps(vv, _mm512_maskz_loadu_ps(m, src + j), _mm512_maskz_loadu_ps(m, dst + j)));
  }
}

// The nonzeros of x[0, n): their indices and values; returns their count.
int64_t nonzeros_default(const float* x, int64_t n, int32_t* idx, float* val) {
  int64_t count = 0;
  for (int64_t j = 0; j < n; ++j) {
    if (x[j] != 0.0f) {
      idx[count] = static_cast<int32_t>(j);
      val[count++] = x[j];
    }
  }
  return count;
}

[[gnu::target("avx512f")]] int64_t nonzeros_avx512(const float* x,
                                                   int64_t n,
                                                   int32_t* idx,
                                                   float* val) {
  int64_t count = 0;
  for (int64_t j = 0; j < n; j += 16) {
    const int64_t left = n - j;
    const __mmask16 in = vec16::first_lanes16(left);
    // Unordered: a NaN counts as nonzero, as it must.
    auto m = static_cast<uint32_t>(_mm512_mask_cmp_ps_mask(in, _mm512_maskz_loadu_ps(in, x + j),
                                                           _mm512_setzero_ps(), _CMP_NEQ_UQ));
    while (m != 0) {
      const int b = __builtin_ctz(m);
      idx[count] = static_cast<int32_t>(j + b);
      val[count++] = x[j + b];
      m &= m - 1;
    }
  }
  return count;
}

// c[0, n) = the sum of v[e] * (row idx[e] of B), stored over c (beta handled by the caller).
void rows_sum_default(const int32_t* idx,
                      const float* v,
                      int64_t count,
                      const float* b,
                      int64_t ldb,
                      float* c,
                      int64_t n) {
  std::fill(c, c + n, 0.0f);
  for (int64_t e = 0; e < count; ++e)
    axpy_default(v[e], b + static_cast<int64_t>(idx[e]) * ldb, c, n);
}

// The same, 64 columns at a time in four 16-float registers.
[[gnu::target("avx512f")]] void rows_sum_avx512(const int32_t* idx,
                                                const float* v,
                                                int64_t count,
                                                const float* b,
                                                int64_t ldb,
                                                float* c,
                                                int64_t n) {
  for (int64_t c0 = 0; c0 < n; c0 += 64) {
    __mmask16 mask[4];
    for (int q = 0; q < 4; ++q) {
      const int64_t left = n - c0 - 16 * q;
      mask[q] = vec16::first_lanes16(left);
    }
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (int64_t e = 0; e < count; ++e) {
      const __m512 x = _mm512_set1_ps(v[e]);
      const float* w = b + static_cast<int64_t>(idx[e]) * ldb + c0;
      a0 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(mask[0], w), a0);
      a1 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(mask[1], w + 16), a1);
      a2 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(mask[2], w + 32), a2);
      a3 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(mask[3], w + 48), a3);
    }
    _mm512_mask_storeu_ps(c + c0, mask[0], a0);
    _mm512_mask_storeu_ps(c + c0 + 16, mask[1], a1);
    _mm512_mask_storeu_ps(c + c0 + 32, mask[2], a2);
    _mm512_mask_storeu_ps(c + c0 + 48, mask[3], a3);
  }
}

// For each 8-bit mask, the lanes of its set bits in order, one byte each (AVX2 has no compress).
constexpr auto kCompact = [] {
  std::array<uint64_t, 256> table{};
  for (unsigned m = 0; m < 256; ++m) {
    int n = 0;
    for (unsigned lane = 0; lane < 8; ++lane) {
      if ((m >> lane & 1u) != 0) table[m] |= uint64_t{lane} << (8 * n++);
    }
  }
  return table;
}();

// AVX2 forms for CPUs without AVX-512: the generic loops compare one float at a time and load and
// store C once per nonzero (shared_lstm's predict spent 38% of its time in them on AMD Zen 3).
// Branch-free: each 8 floats' nonzeros are moved to the front by a permutation from kCompact and
// all 8 lanes stored, so idx and val need 7 spare entries past n.
KERAS_AVX2 int64_t nonzeros_avx2(const float* x, int64_t n, int32_t* idx, float* val) {
  int64_t count = 0;
  for (int64_t j = 0; j < n; j += 8) {
    const __m256i in = vec16::first_lanes8(n - j);
    const __m256 xv = _mm256_maskload_ps(x + j, in);
    // Unordered: a NaN counts as nonzero, as it must.
    const __m256 ne = _mm256_cmp_ps(xv, _mm256_setzero_ps(), _CMP_NEQ_UQ);
    const auto m =
        static_cast<unsigned>(_mm256_movemask_ps(_mm256_and_ps(ne, _mm256_castsi256_ps(in))));
    const __m256i lanes =
        _mm256_cvtepu8_epi32(_mm_cvtsi64_si128(static_cast<long long>(kCompact[m])));
    _mm256_storeu_ps(val + count, _mm256_permutevar8x32_ps(xv, lanes));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(idx + count),
                        _mm256_add_epi32(lanes, _mm256_set1_epi32(static_cast<int32_t>(j))));
    count += __builtin_popcount(m);
  }
  return count;
}

// rows_sum in 64-column blocks of eight 8-float registers: the AVX-512 form's fused
// multiply-adds in the same order, so its bits (and the generic form's where the build has FMA).
KERAS_AVX2 void rows_sum_avx2(const int32_t* idx,
                              const float* v,
                              int64_t count,
                              const float* b,
                              int64_t ldb,
                              float* c,
                              int64_t n) {
  int64_t c0 = 0;
  for (; c0 + 64 <= n; c0 += 64) {
    __m256 a[8];
    for (__m256& r : a) r = _mm256_setzero_ps();
    for (int64_t e = 0; e < count; ++e) {
      const __m256 x = _mm256_set1_ps(v[e]);
      const float* w = b + static_cast<int64_t>(idx[e]) * ldb + c0;
      for (int q = 0; q < 8; ++q) a[q] = _mm256_fmadd_ps(x, _mm256_loadu_ps(w + 8 * q), a[q]);
    }
    for (int q = 0; q < 8; ++q) _mm256_storeu_ps(c + c0 + 8 * q, a[q]);
  }
  for (; c0 < n; c0 += 8) {  // the last columns, 8 at a time
    const __m256i mask = vec16::first_lanes8(n - c0);
    __m256 a = _mm256_setzero_ps();
    for (int64_t e = 0; e < count; ++e) {
      const float* w = b + static_cast<int64_t>(idx[e]) * ldb + c0;
      a = _mm256_fmadd_ps(_mm256_set1_ps(v[e]), _mm256_maskload_ps(w, mask), a);
    }
    _mm256_maskstore_ps(c + c0, mask, a);
  }
}

struct Kernels {
  int64_t (*nonzeros)(const float*, int64_t, int32_t*, float*);
  void (*rows_sum)(const int32_t*, const float*, int64_t, const float*, int64_t, float*, int64_t);
  void (*axpy)(float, const float*, float*, int64_t);
};

Kernels pick() {
  // (AVX-512F or AVX2 + FMA is all these use; vec16's tests also honour KERAS_MAX_CPU_ISA.)
  if (vec16::cpu_has_avx512()) return {nonzeros_avx512, rows_sum_avx512, axpy_avx512};
  if (vec16::cpu_has_avx2_fma()) return {nonzeros_avx2, rows_sum_avx2, axpy_default};
  return {nonzeros_default, rows_sum_default, axpy_default};
}
const Kernels kernels = pick();

}  // namespace

bool mostly_zeros(const float* x, int64_t rows, int64_t cols, int64_t ld) {
  constexpr int64_t kRowStep = 32, kChunk = 64;
  const int64_t limit = (rows + kRowStep - 1) / kRowStep * cols / kShare;
  int64_t nonzero = 0;
  for (int64_t r = 0; r < rows && nonzero <= limit; r += kRowStep) {
    const float* xr = x + r * ld;
    for (int64_t j0 = 0; j0 < cols && nonzero <= limit; j0 += kChunk) {
      const int64_t j1 = std::min(cols, j0 + kChunk);
      for (int64_t j = j0; j < j1; ++j) nonzero += xr[j] != 0.0f ? 1 : 0;
    }
  }
  return nonzero <= limit;
}

bool all_finite(const float* w, int64_t rows, int64_t cols, int64_t ld) {
  int bad = 0;  // no early exit, so that the loop vectorizes
  for (int64_t r = 0; r < rows; ++r) {
    const float* wr = w + r * ld;
    for (int64_t j = 0; j < cols; ++j) {
      bad |= std::fabs(wr[j]) <= std::numeric_limits<float>::max() ? 0 : 1;
    }
  }
  return bad == 0;
}

void gemm_rows(const Gemm& g, Block blk) {
  const int64_t n = blk.c1 - blk.c0;
  if (n <= 0) return;
  // (+ 8: nonzeros_avx2 stores whole vectors past the last nonzero)
  auto* idx = scratch<int32_t, 0>(static_cast<size_t>(g.k + 8));
  float* val = scratch<float, 1>(static_cast<size_t>(g.k + 8));
  const bool plain = g.beta == 0.0f && g.alpha == 1.0f;
  float* sum = plain ? nullptr : scratch<float, 2>(static_cast<size_t>(n));
  for (int64_t r = blk.r0; r < blk.r1; ++r) {
    const int64_t count = kernels.nonzeros(g.a + r * g.lda, g.k, idx, val);
    float* cr = g.c + r * g.ldc + blk.c0;
    kernels.rows_sum(idx, val, count, g.b + blk.c0, g.ldb, plain ? cr : sum, n);
    if (plain) continue;
    for (int64_t j = 0; j < n; ++j) {
      cr[j] = g.beta == 0.0f ? g.alpha * sum[j] : g.alpha * sum[j] + g.beta * cr[j];
    }
  }
}

void gemm_at_rows(const Gemm& g, Block blk) {
  const int64_t n = blk.c1 - blk.c0, rows = blk.r1 - blk.r0;
  if (n <= 0 || rows <= 0) return;
  scale_block(g.c, g.ldc, blk, g.beta);
  auto* idx = scratch<int32_t, 0>(static_cast<size_t>(rows + 8));
  float* val = scratch<float, 1>(static_cast<size_t>(rows + 8));
  for (int64_t i = 0; i < g.k; ++i) {
    const int64_t count = kernels.nonzeros(g.a + i * g.lda + blk.r0, rows, idx, val);
    const float* bi = g.b + i * g.ldb + blk.c0;
    for (int64_t e = 0; e < count; ++e) {
      kernels.axpy(g.alpha * val[e], bi, g.c + (blk.r0 + idx[e]) * g.ldc + blk.c0, n);
    }
  }
}

}  // namespace keras::backend::sparse
