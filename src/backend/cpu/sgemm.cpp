#include <dnnl.h>

#include <algorithm>
#include <cstdlib>
#ifdef __AVX512F__
#include <immintrin.h>
#endif

#include "backend/cpu/blas.h"
#include "backend/cpu/parallel.h"

namespace keras::backend::blas {
namespace {

// Below this many multiply-adds (a few microseconds on one core) a fork and join costs more
// than the second thread saves.
constexpr int64_t kMinThreadedWork = int64_t{1} << 17;
const bool disable_narrow = std::getenv("KERAS_NO_NARROW") != nullptr;  // TEMP for A/B

// dnnl_sgemm on the calling thread only: inside a parallel region it is so already; outside,
// the OpenMP thread count is 1 while it runs.
void sgemm_here(char ta,
                char tb,
                int64_t m,
                int64_t n,
                int64_t k,
                float alpha,
                const float* a,
                int64_t lda,
                const float* b,
                int64_t ldb,
                float beta,
                float* c,
                int64_t ldc) {
#ifdef _OPENMP
  if (!omp_in_parallel()) {
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    dnnl_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    omp_set_num_threads(saved);
    return;
  }
#endif
  dnnl_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

#ifdef __AVX512F__
// C = alpha A B + beta C for narrow C (n <= 64; A and B not transposed), the Dense layers of
// small models (784x64, 64x10): a register-blocked AVX-512 kernel that reads A and B where they
// are. dnnl_sgemm packs both operands on every call, which at n <= 64 costs about as much as the
// multiplications (256x64x784 ran at ~30% of the GEMM peak). MR rows of C by NV vectors of 16
// columns stay in registers over the whole k loop; the last vector is masked when n % 16 != 0.
template <int MR, int NV>
void narrow_block(int64_t k,
                  const float* a,
                  int64_t lda,
                  const float* b,
                  int64_t ldb,
                  float beta,
                  float* c,
                  int64_t ldc,
                  float alpha,
                  __mmask16 last) {
  __m512 acc[MR][NV];
  for (int i = 0; i < MR; ++i) {
    for (int j = 0; j < NV; ++j) acc[i][j] = _mm512_setzero_ps();
  }
  for (int64_t p = 0; p < k; ++p) {
    __m512 bv[NV];
    for (int j = 0; j < NV; ++j) {
      bv[j] = j + 1 < NV ? _mm512_loadu_ps(b + p * ldb + 16 * j)
                         : _mm512_maskz_loadu_ps(last, b + p * ldb + 16 * j);
    }
    for (int i = 0; i < MR; ++i) {
      const __m512 av = _mm512_set1_ps(a[i * lda + p]);
      for (int j = 0; j < NV; ++j) acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
    }
  }
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
  for (int i = 0; i < MR; ++i) {
    for (int j = 0; j < NV; ++j) {
      const __mmask16 mask = j + 1 < NV ? __mmask16(0xffff) : last;
      float* cp = c + i * ldc + 16 * j;
      __m512 r = _mm512_mul_ps(va, acc[i][j]);
      if (beta != 0.0f) r = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(mask, cp), r);
      _mm512_mask_storeu_ps(cp, mask, r);
    }
  }
}

// Rows [0, m) of C, MR at a time (MR * NV accumulators + NV B vectors + 1 in the 32 registers).
template <int NV>
void narrow_rows(int64_t m,
                 int64_t n,
                 int64_t k,
                 float alpha,
                 const float* a,
                 int64_t lda,
                 const float* b,
                 int64_t ldb,
                 float beta,
                 float* c,
                 int64_t ldc) {
  constexpr int MR = NV == 4 ? 6 : NV == 3 ? 8 : NV == 2 ? 12 : 14;
  const int rem = static_cast<int>(n - 16 * (NV - 1));
  const __mmask16 last = static_cast<__mmask16>((1u << rem) - 1u);
  int64_t i = 0;
  for (; i + MR <= m; i += MR) {
    narrow_block<MR, NV>(k, a + i * lda, lda, b, ldb, beta, c + i * ldc, ldc, alpha, last);
  }
  for (; i < m; ++i) {
    narrow_block<1, NV>(k, a + i * lda, lda, b, ldb, beta, c + i * ldc, ldc, alpha, last);
  }
}

// Where the narrow kernel runs: n <= 64 and B small enough to stay in L2 while every block of
// rows streams it.
bool narrow_applies(bool ta, bool tb, int64_t n, int64_t k) {
  return !ta && !tb && n <= 64 && k * n <= (int64_t{1} << 17);
}

void narrow(int64_t m,
            int64_t n,
            int64_t k,
            float alpha,
            const float* a,
            int64_t lda,
            const float* b,
            int64_t ldb,
            float beta,
            float* c,
            int64_t ldc) {
  switch ((n + 15) / 16) {
    case 1:
      return narrow_rows<1>(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    case 2:
      return narrow_rows<2>(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    case 3:
      return narrow_rows<3>(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    default:
      return narrow_rows<4>(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
}
#endif

}  // namespace

void sgemm(bool ta,
           bool tb,
           int64_t m,
           int64_t n,
           int64_t k,
           float alpha,
           const float* a,
           int64_t lda,
           const float* b,
           int64_t ldb,
           float beta,
           float* c,
           int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // dnnl_sgemm leaves C as it was; BLAS scales it by beta
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    }
    return;
  }
#ifdef __AVX512F__
  if (!disable_narrow && narrow_applies(ta, tb, n, k)) {
    int threads = 1;
#ifdef _OPENMP
    if (m * n * k >= kMinThreadedWork && !omp_in_parallel()) {
      threads = static_cast<int>(std::min<int64_t>(num_threads(), (m + 7) / 8));
    }
#endif
    parallel_chunks_indexed(threads, m, 8, [&](int, int64_t begin, int64_t end) {
      narrow(end - begin, n, k, alpha, a + begin * lda, lda, b, ldb, beta, c + begin * ldc, ldc);
    });
    return;
  }
#endif
  const char cta = ta ? 'T' : 'N', ctb = tb ? 'T' : 'N';
  // Split the longer side of C: rows in multiples of 8, columns in multiples of 16 (one AVX-512
  // vector), so that each thread's block keeps the kernel's full width.
  const bool by_rows = m / 8 >= n / 16;
  const int64_t granule = by_rows ? 8 : 16, extent = by_rows ? m : n;
  int threads = 1;
#ifdef _OPENMP
  if (m * n * k >= kMinThreadedWork && !omp_in_parallel()) {
    threads = static_cast<int>(std::min<int64_t>(num_threads(), (extent + granule - 1) / granule));
  }
#endif
  parallel_chunks_indexed(threads, extent, granule, [&](int, int64_t begin, int64_t end) {
    if (by_rows) {  // rows [begin, end) of op(A) and of C
      const float* a_part = ta ? a + begin : a + begin * lda;
      sgemm_here(cta, ctb, end - begin, n, k, alpha, a_part, lda, b, ldb, beta, c + begin * ldc,
                 ldc);
    } else {  // columns [begin, end) of op(B) and of C
      const float* b_part = tb ? b + begin * ldb : b + begin;
      sgemm_here(cta, ctb, m, end - begin, k, alpha, a, lda, b_part, ldb, beta, c + begin, ldc);
    }
  });
}

}  // namespace keras::backend::blas
