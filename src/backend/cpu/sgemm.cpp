#include <dnnl.h>

#include <algorithm>

#include "backend/cpu/blas.h"
#include "backend/cpu/parallel.h"
#include "backend/cpu/sparse_gemm.h"

namespace keras::backend::blas {
namespace {

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
    const ScopedOmpThreads one(1);
    dnnl_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
#endif
  dnnl_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

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
  sgemm_then(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, {});
}

bool takes_row_wise(bool ta,
                    bool tb,
                    int64_t m,
                    int64_t n,
                    int64_t k,
                    const float* a,
                    int64_t lda,
                    const float* b,
                    int64_t ldb) {
  return !tb && n >= 16 && k >= 16 && sparse::mostly_zeros(a, ta ? k : m, ta ? m : k, lda) &&
         sparse::all_finite(b, k, n, ldb);
}

void sgemm_then(bool ta,
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
                int64_t ldc,
                BlockEpilogue epilogue) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // dnnl_sgemm leaves C as it was; BLAS scales it by beta
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    }
    if (epilogue.run != nullptr) epilogue.run(epilogue.context, 0, m, 0, n);
    return;
  }
  const char cta = ta ? 'T' : 'N', ctb = tb ? 'T' : 'N';
  const bool row_wise = takes_row_wise(ta, tb, m, n, k, a, lda, b, ldb);
  // Split the longer side of C: rows in multiples of 8, columns in multiples of 16 (one AVX-512
  // vector), so that each thread's block keeps the kernel's full width.
  const bool by_rows = m / 8 >= n / 16;
  const int64_t granule = by_rows ? 8 : 16, extent = by_rows ? m : n;
  int threads = 1;
#ifdef _OPENMP
  if (m * n * k >= kMinThreadedGemmWork && !omp_in_parallel()) {
    threads = static_cast<int>(std::min<int64_t>(num_threads(), (extent + granule - 1) / granule));
  }
#endif
  parallel_chunks_indexed(threads, extent, granule, [&](int, int64_t begin, int64_t end) {
    if (row_wise) {
      const sparse::Block blk =
          by_rows ? sparse::Block{begin, end, 0, n} : sparse::Block{0, m, begin, end};
      const sparse::Gemm g{k, alpha, a, lda, b, ldb, beta, c, ldc};
      if (ta) {
        sparse::gemm_at_rows(g, blk);
      } else {
        sparse::gemm_rows(g, blk);
      }
      if (epilogue.run != nullptr) epilogue.run(epilogue.context, blk.r0, blk.r1, blk.c0, blk.c1);
    } else if (by_rows) {  // rows [begin, end) of op(A) and of C
      const float* a_part = ta ? a + begin : a + begin * lda;
      sgemm_here(cta, ctb, end - begin, n, k, alpha, a_part, lda, b, ldb, beta, c + begin * ldc,
                 ldc);
      if (epilogue.run != nullptr) epilogue.run(epilogue.context, begin, end, 0, n);
    } else {  // columns [begin, end) of op(B) and of C
      const float* b_part = tb ? b + begin * ldb : b + begin;
      sgemm_here(cta, ctb, m, end - begin, k, alpha, a, lda, b_part, ldb, beta, c + begin, ldc);
      if (epilogue.run != nullptr) epilogue.run(epilogue.context, 0, m, begin, end);
    }
  });
}

}  // namespace keras::backend::blas
