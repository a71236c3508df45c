// The row-wise product for mostly-zero left operands (sparse_gemm.h), through blas::sgemm as every
// float32 GEMM of the CPU backend calls it, against a double-precision reference.
#include "backend/cpu/sparse_gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "backend/cpu/blas.h"

namespace keras::backend {
namespace {

struct Case {
  bool ta;
  int64_t m, n, k;
  double density;
  float alpha, beta;
  int64_t pad;  // extra columns in each leading dimension
};

// op(A) (m x k) with about `density` nonzeros (small integers and fractions), B (k x n), C.
void check(const Case& t) {
  std::mt19937 gen(static_cast<uint32_t>(t.m * 131 + t.n * 7 + t.k));
  std::uniform_real_distribution<float> u(-1.0f, 1.0f), p(0.0f, 1.0f);
  const int64_t a_rows = t.ta ? t.k : t.m, a_cols = t.ta ? t.m : t.k;
  const int64_t lda = a_cols + t.pad, ldb = t.n + t.pad, ldc = t.n + t.pad;
  std::vector<float> a(static_cast<size_t>(a_rows * lda), 7.0f), b(static_cast<size_t>(t.k * ldb));
  std::vector<float> c(static_cast<size_t>(t.m * ldc));
  for (int64_t i = 0; i < a_rows; ++i) {
    for (int64_t j = 0; j < a_cols; ++j) a[i * lda + j] = p(gen) < t.density ? u(gen) * 3 : 0.0f;
  }
  for (float& v : b) v = u(gen);
  for (float& v : c) v = u(gen);
  std::vector<float> before = c;
  blas::sgemm(t.ta, false, t.m, t.n, t.k, t.alpha, a.data(), lda, b.data(), ldb, t.beta, c.data(),
              ldc);
  for (int64_t r = 0; r < t.m; ++r) {
    for (int64_t j = 0; j < t.n; ++j) {
      double sum = 0, magnitude = 0;
      for (int64_t i = 0; i < t.k; ++i) {
        const double x = t.ta ? a[i * lda + r] : a[r * lda + i];
        sum += x * b[i * ldb + j];
        magnitude += std::fabs(x * b[i * ldb + j]);
      }
      double expected = t.alpha * sum;
      if (t.beta != 0.0f) expected += t.beta * static_cast<double>(before[r * ldc + j]);
      // float32 sums: a few ulps of the terms' magnitudes.
      const double tol = 1e-6 * (std::fabs(t.alpha) * magnitude + std::fabs(t.beta) + 1.0);
      ASSERT_NEAR(c[r * ldc + j], expected, tol) << "row " << r << " col " << j;
    }
    for (int64_t j = t.n; j < ldc; ++j) ASSERT_EQ(c[r * ldc + j], before[r * ldc + j]);
  }
}

TEST(SparseGemm, MatchesTheDenseProduct) {
  const Case cases[] = {
      {false, 300, 256, 256, 0.05, 1.0f, 0.0f, 0},  // one-hot steps into an LSTM kernel
      {false, 37, 70, 33, 0.05, 1.0f, 0.0f, 3},     // ragged columns, padded strides
      {false, 64, 20, 784, 0.05, 0.5f, 1.0f, 1},    // alpha and beta
      {false, 9, 1000, 40, 0.0, 1.0f, 0.5f, 0},     // all zeros: beta C
      {true, 256, 256, 300, 0.05, 1.0f, 0.0f, 0},   // a kernel's gradient x^T dz
      {true, 33, 70, 41, 0.05, 2.0f, 1.0f, 5},     {true, 20, 16, 500, 0.02, 1.0f, -1.0f, 0},
      {false, 300, 256, 256, 0.3, 1.0f, 0.0f, 0},  // denser: the GEMM path, same contract
  };
  for (const Case& t : cases) {
    SCOPED_TRACE(testing::Message() << "ta " << t.ta << " m " << t.m << " n " << t.n << " k " << t.k
                                    << " density " << t.density);
    check(t);
  }
}

TEST(SparseGemm, DecidesOnTheShareOfNonzeros) {
  std::vector<float> x(64 * 100, 0.0f);
  EXPECT_TRUE(sparse::mostly_zeros(x.data(), 64, 100, 100));
  for (int64_t r = 0; r < 64; ++r) {
    for (int64_t j = 0; j < 10; ++j) x[r * 100 + j] = 1.0f;  // 10%
  }
  EXPECT_TRUE(sparse::mostly_zeros(x.data(), 64, 100, 100));
  for (int64_t r = 0; r < 64; ++r) {
    for (int64_t j = 0; j < 20; ++j) x[r * 100 + j] = 1.0f;  // 20%
  }
  EXPECT_FALSE(sparse::mostly_zeros(x.data(), 64, 100, 100));
  std::vector<float> w(50, 1.0f);
  EXPECT_TRUE(sparse::all_finite(w.data(), 5, 10, 10));
  w[17] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(sparse::all_finite(w.data(), 5, 10, 10));
  w[17] = -std::numeric_limits<float>::infinity();
  EXPECT_FALSE(sparse::all_finite(w.data(), 5, 10, 10));
}

// A zero in A times an infinite or NaN weight is NaN, as in the dense product.
TEST(SparseGemm, NonFiniteWeightsStillGiveNaN) {
  const int64_t m = 8, n = 32, k = 64;
  std::vector<float> a(m * k, 0.0f), b(k * n, 0.5f), c(m * n);
  a[3] = 1.0f;
  b[5 * n + 2] = std::numeric_limits<float>::infinity();
  blas::sgemm(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c.data(), n);
  EXPECT_TRUE(std::isnan(c[2]));
  EXPECT_FLOAT_EQ(c[1], 0.5f);
}

// A NaN or infinity among A's nonzeros (here past the last full 8 or 16 floats of the row, where
// the vector forms mask their loads) reaches every column of its row, as in the dense product.
TEST(SparseGemm, NonFiniteInputsReachTheirRow) {
  const int64_t m = 40, n = 70, k = 45;
  std::vector<float> a(m * k, 0.0f), b(k * n, 0.25f), c(m * n);
  a[0 * k + 3] = 1.0f;
  a[1 * k + 44] = std::numeric_limits<float>::quiet_NaN();
  a[2 * k + 41] = std::numeric_limits<float>::infinity();
  ASSERT_TRUE(sparse::mostly_zeros(a.data(), m, k, k));
  blas::sgemm(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c.data(), n);
  for (int64_t j = 0; j < n; ++j) {
    EXPECT_FLOAT_EQ(c[j], 0.25f) << j;
    EXPECT_TRUE(std::isnan(c[n + j])) << j;
    EXPECT_EQ(c[2 * n + j], std::numeric_limits<float>::infinity()) << j;
    EXPECT_EQ(c[3 * n + j], 0.0f) << j;
  }
}

}  // namespace
}  // namespace keras::backend
