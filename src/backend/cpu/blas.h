// Row-major C = alpha op(A) op(B) + beta C on raw buffers, for the CPU kernels (as in BLAS, C is
// not read when beta is 0). float32 goes through oneDNN's dnnl_sgemm, which picks its kernel
// from the CPU it runs on (AVX-512 on Zen 4/5, where Debian's OpenBLAS 0.3.21 falls back to its
// Haswell kernels): 1.4-2.8x OpenBLAS's speed on the model shapes here, measured in
// docs/performance.md. float64 (gradient checks, float64 models) stays on OpenBLAS.
#pragma once

#include <cblas.h>

#include <cstdint>

extern "C" int openblas_get_parallel(void);

namespace keras::backend::blas {

// float32 GEMM through dnnl_sgemm (src/backend/cpu/sgemm.cpp). Threads: outside a parallel region
// it splits C's rows or columns across the backend's threads itself (dnnl_sgemm's own threading
// allocates on every call, which a training step must not); inside one it runs on the caller.
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
           int64_t ldc);

// Work to do on a block of C (rows [r0, r1), columns [c0, c1)) right after sgemm_then computed
// it, on the thread that did, while the block is in that core's cache.
struct BlockEpilogue {
  void (*run)(void* context, int64_t r0, int64_t r1, int64_t c0, int64_t c1) = nullptr;
  void* context = nullptr;
};

// sgemm, then `epilogue` on each thread's block of C (the same blocks and bits as sgemm's).
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
                BlockEpilogue epilogue);

// Whether sgemm_then takes the row-wise product (sparse_gemm.h) for these operands: A mostly
// zero (one-hot inputs, say) and B finite.
bool takes_row_wise(bool ta,
                    bool tb,
                    int64_t m,
                    int64_t n,
                    int64_t k,
                    const float* a,
                    int64_t lda,
                    const float* b,
                    int64_t ldb);

// True when OpenBLAS is its OpenMP build, whose GEMMs run single-threaded inside a parallel
// region: kernels may then call them from several OpenMP threads at once. (The pthread build
// would start its own threads from each of ours and oversubscribe the cores.)
inline bool gemm_nests_in_openmp() {
  return openblas_get_parallel() == 2;
}

inline void gemm(bool ta,
                 bool tb,
                 int64_t m,
                 int64_t n,
                 int64_t k,
                 const float* a,
                 int64_t lda,
                 const float* b,
                 int64_t ldb,
                 float beta,
                 float* c,
                 int64_t ldc,
                 float alpha = 1.0f) {
  sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

inline void gemm(bool ta,
                 bool tb,
                 int64_t m,
                 int64_t n,
                 int64_t k,
                 const double* a,
                 int64_t lda,
                 const double* b,
                 int64_t ldb,
                 double beta,
                 double* c,
                 int64_t ldc,
                 double alpha = 1.0) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a,
              static_cast<int>(lda), b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

}  // namespace keras::backend::blas
