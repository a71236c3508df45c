// GEMMs whose left operand is mostly zeros (one-hot or multi-hot inputs, as the guide's tweets,
// or categorical features): each nonzero a[r][j] adds a * (row j of B) to row r of C, which
// skips the zero terms a dense GEMM multiplies. Row-major, as blas.h; B is never transposed.
// The sums are the dense GEMM's but for the zero terms and the order of addition, so callers
// take this path only when B is finite (a zero times an infinite or NaN weight is NaN in the
// dense product). Internal to src/backend/cpu.
#pragma once

#include <cstdint>

namespace keras::backend::sparse {

// At most this share of nonzeros (1 / kShare) in A takes the row-wise product. Its cost grows
// with the nonzeros where the dense GEMM's does not: at half nonzeros (Fashion-MNIST's pixels) the
// mlp's predict ran at 0.61x the dense GEMM's speed, so the share is kept well below that.
inline constexpr int64_t kShare = 8;

// Whether the (rows x cols, row stride ld) floats at x look mostly zero (at most 1 / kShare
// nonzero), counted on every 32nd row and stopping early on dense data (a check on the mlp's
// predict cost 2% of its time when it read every 8th row): a guess that only picks the faster of
// two exact paths.
bool mostly_zeros(const float* x, int64_t rows, int64_t cols, int64_t ld);
// No infinity or NaN among the (rows x cols, row stride ld) floats at w.
bool all_finite(const float* w, int64_t rows, int64_t cols, int64_t ld);

// One product's operands, row-major as blas.h's: A (m x k, or k x m when transposed, lda), B (k x
// n, ldb), C (m x n, ldc; not read when beta is 0).
struct Gemm {
  int64_t k;
  float alpha;
  const float* a;
  int64_t lda;
  const float* b;
  int64_t ldb;
  float beta;
  float* c;
  int64_t ldc;
};
// The block of C rows [r0, r1), columns [c0, c1) that one call computes.
struct Block {
  int64_t r0, r1, c0, c1;
};

// C = alpha A B + beta C on the block. Nonzeros of a row of A are added in index order.
void gemm_rows(const Gemm& g, Block blk);
// C = alpha A^T B + beta C on the block, A stored (k x m): row i of A adds A[i][r] B[i, c0:c1] to
// each row r it has a nonzero in, in order of i.
void gemm_at_rows(const Gemm& g, Block blk);

}  // namespace keras::backend::sparse
