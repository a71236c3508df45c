// The kernels of keras.ops.linalg's factorizations: host loops in float64 over stacks of
// matrices, reading and writing host tensors (launch them through ops/host_kernel.h's
// launch_on_host, which stages tensors of other devices).
#pragma once

#include <cstdint>
#include <span>

#include "keras/core/tensor.h"

namespace keras::ops::internal {

enum class Factorization : uint8_t { lu, cholesky, qr, eigh, svd };

// Factorizes each matrix of x (batch, m, n), float32 or float64, into `outs` (allocated by the
// caller in x's dtype unless stated):
//  lu:       {lu (batch, m, n), pivots int32 (batch, min(m, n)), permutation int32 (batch, m),
//             parity (batch)}: partial pivoting (the first largest |entry| of the column), the
//             unit-lower L below the diagonal and U on and above it (LAPACK's getrf layout);
//             row i of P x is row permutation[i] of x; parity is the permutation's sign, +-1.
//  cholesky: {l (batch, n, n)}: the lower factor of x's lower triangle, zeros above; a matrix
//            that is not positive definite gives NaN everywhere.
//  qr:       {q (batch, m, c), r (batch, c, n)}, c = min(m, n) or m: Householder reflections,
//            r[j, j] = -sign(x[j, j]) |column| unless the column is already reduced (LAPACK's).
//  eigh:     {w (batch, n), v (batch, n, n)} of symmetric x (cyclic Jacobi): eigenvalues in
//            ascending order, their unit eigenvectors as v's columns.
//  svd:      {s (batch, k), u (batch, m, cu), vt (batch, cv, n)}, k = min(m, n), cu and cv k or
//            (full) m and n; u and vt may be undefined (not wanted). One-sided Jacobi,
//            descending singular values, u's and vt's extra vectors an orthonormal completion.
void factorize(Factorization kind, const Tensor& x, std::span<const Tensor> outs);

struct TriangularSolveParams {
  bool lower = true;           // a's lower triangle is read, else its upper one
  bool transpose_a = false;    // op(a) = aᵀ
  bool unit_diagonal = false;  // a's diagonal is read as ones
};
// x (batch, n, k) = op(a)^-1 b for triangular a (batch, n, n) and b (batch, n, k) of one
// floating dtype, by substitution (a zero pivot gives inf or NaN, as IEEE).
void triangular_solve(const Tensor& a, const Tensor& b, const Tensor& x, TriangularSolveParams p);

}  // namespace keras::ops::internal
