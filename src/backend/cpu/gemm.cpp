#include "backend/cpu/blas.h"
#include "backend/cpu/cpu_backend.h"

namespace keras::backend {

void CpuBackend::gemm(const Tensor& a, const Tensor& b, const Tensor& y, GemmParams p) {
  const bool batched = y.rank() == 3;
  const int64_t batch = batched ? y.shape()[0] : 1;
  const int ra = a.rank(), rb = b.rank();
  const int m = static_cast<int>(y.shape()[y.rank() - 2]);
  const int n = static_cast<int>(y.shape()[y.rank() - 1]);
  const int k = static_cast<int>(p.transpose_a ? a.shape()[ra - 2] : a.shape()[ra - 1]);
  const int lda = static_cast<int>(a.shape()[ra - 1]);
  const int ldb = static_cast<int>(b.shape()[rb - 1]);
  const int64_t a_step = ra == 3 ? a.shape()[1] * a.shape()[2] : 0;
  const int64_t b_step = rb == 3 ? b.shape()[1] * b.shape()[2] : 0;
  if (m == 0 || n == 0) return;
  for (int64_t i = 0; i < batch; ++i) {
    if (y.dtype() == DType::float32) {
      blas::gemm(p.transpose_a, p.transpose_b, m, n, k,
                 static_cast<const float*>(a.raw_data()) + i * a_step, lda,
                 static_cast<const float*>(b.raw_data()) + i * b_step, ldb,
                 static_cast<float>(p.beta), static_cast<float*>(y.raw_data()) + i * m * n, n,
                 static_cast<float>(p.alpha));
    } else if (y.dtype() == DType::float64) {
      blas::gemm(p.transpose_a, p.transpose_b, m, n, k,
                 static_cast<const double*>(a.raw_data()) + i * a_step, lda,
                 static_cast<const double*>(b.raw_data()) + i * b_step, ldb, p.beta,
                 static_cast<double*>(y.raw_data()) + i * m * n, n, p.alpha);
    } else {
      ReferenceBackend::gemm(a, b, y, p);
      return;
    }
  }
}

}  // namespace keras::backend
