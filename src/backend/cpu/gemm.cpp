#include "backend/cpu/blas.h"
#include "backend/cpu/cpu_backend.h"
#include "backend/unary_math.h"
#include "keras/backend/inference.h"
#ifdef KERAS_HAVE_ONEDNN
#include "backend/cpu/onednn/matmul.h"
#endif

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

namespace {

struct DenseEpilogue {
  const float* bias;  // or null
  float* y;
  int64_t ldy;
  bool relu;
};

// The add's and relu's scalar functions, so that y has the bits of the three separate kernels.
void dense_epilogue(void* context, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
  const auto& e = *static_cast<const DenseEpilogue*>(context);
  for (int64_t i = r0; i < r1; ++i) {
    float* row = e.y + i * e.ldy;
    if (e.bias != nullptr) {
      for (int64_t j = c0; j < c1; ++j)
        row[j] = binary_scalar<BinaryOp::add, float>(row[j], e.bias[j]);
    }
    if (e.relu) {
      for (int64_t j = c0; j < c1; ++j) row[j] = unary_forward<UnaryOp::relu, float>(row[j], {});
    }
  }
}

}  // namespace

void CpuBackend::dense(
    const Tensor& x, const Tensor& kernel, const Tensor& bias, const Tensor& y, bool relu) {
  const bool fits = x.dtype() == DType::float32 && kernel.dtype() == DType::float32 &&
                    y.dtype() == DType::float32 && x.rank() == 2 && kernel.rank() == 2 &&
                    y.rank() == 2 &&
                    (!bias.defined() || (bias.dtype() == DType::float32 && bias.rank() == 1));
  if (!fits) {
    Backend::dense(x, kernel, bias, y, relu);
    return;
  }
  const int64_t m = y.shape()[0], n = y.shape()[1], k = x.shape()[1];
  const auto* xd = static_cast<const float*>(x.raw_data());
  const auto* kd = static_cast<const float*>(kernel.raw_data());
#ifdef KERAS_HAVE_ONEDNN
  // From a few rows up (below, its 0.3 us more per call than dnnl_sgemm's is most of the time).
  constexpr int64_t kMinMatmulRows = 16;
  if (in_inference_scope() && m >= kMinMatmulRows &&
      !blas::takes_row_wise(false, false, m, n, k, xd, k, kd, n) &&
      onednn::dense(x, kernel, bias.defined() ? &bias : nullptr, y)) {
    if (relu) unary(UnaryOp::relu, y, y, {});  // oneDNN's relu post-op maps NaN to 0
    return;
  }
#endif
  DenseEpilogue e{bias.defined() ? static_cast<const float*>(bias.raw_data()) : nullptr,
                  static_cast<float*>(y.raw_data()), n, relu};
  blas::sgemm_then(false, false, m, n, k, 1.0f, xd, k, kd, n, 0.0f, e.y, n, {&dense_epilogue, &e});
}

}  // namespace keras::backend
