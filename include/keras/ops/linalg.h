// Matrix products (keras.ops.matmul).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/core/tensor.h"

namespace keras::ops {

// NumPy matmul for floating tensors:
//   [m,k] @ [k,n] -> [m,n];  [...,m,k] @ [k,n] -> [...,m,n] (leading dims flattened into rows);
//   [b,m,k] @ [b,k,n] -> [b,m,n];  1-D operands are promoted to a row / a column and squeezed.
// Gradients: da = dy @ bᵀ, db = aᵀ @ dy (summed over leading dims when b is shared).
Tensor matmul(const Tensor& a, const Tensor& b);

// y = op(a) @ op(b) for 2-D or batched 3-D operands, op = transpose when the flag is set.
// The building block of matmul and of its gradient (no transposed copies are made).
Tensor matmul_t(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b);
// c + a @ b for 2-D a (m, k), b (k, n), c (m, n) of one floating dtype, as one GEMM that
// accumulates into a copy of c (what a recurrent step does with its projected input).
Tensor addmm(const Tensor& c, const Tensor& a, const Tensor& b);

// keras.ops.einsum for one or two floating operands of one dtype: "ij,jk->ik", "bij,bjk->bik",
// "...ij,jk->...ik", "abc,cde->abde", "ij->ji", "ij->". Subscripts are letters a-z and A-Z; "..."
// stands for the axes an operand has beyond its letters (aligned from the right and broadcast
// between the operands, as NumPy); without "->" the output is the ellipsis' axes and then the
// letters used once, in alphabetical order. Letters missing from the output are summed over.
// Computed as sums, transposes, reshapes and one (batched) matmul, so it is differentiable as
// they are. ValueError for a malformed equation, a rank that does not match an operand's
// subscripts or a letter whose sizes differ; NotImplementedError for more than two operands or
// a letter repeated within one operand (a diagonal).
Tensor einsum(const std::string& equation, const Tensors& operands);

// keras.ops.tensordot: sums the products over a's last `axes` axes and b's first ones, or over
// the listed axes of each (pairwise); the result has a's other axes then b's. Computed as one
// matmul of the operands transposed and flattened (integers in float64, exact up to 2^53, then
// cast back), differentiable for floating operands. ValueError for contracted sizes that
// differ, axes out of range or repeated.
Tensor tensordot(const Tensor& a, const Tensor& b, int axes = 2);
Tensor tensordot(const Tensor& a,
                 const Tensor& b,
                 const std::vector<int>& axes_a,
                 const std::vector<int>& axes_b);
// keras.ops.norm (NumPy's linalg.norm): over one axis a vector norm (ord nullopt or 2: the
// Euclidean; inf / -inf: the largest / smallest |x|; 0: the nonzero count; 1: sum |x|; p:
// (sum |x|^p)^(1/p)); over two axes a matrix norm (nullopt or "fro": Frobenius; 1 / -1: the
// largest / smallest column sum of |x|; inf / -inf: the same over rows; "nuc": the sum of the
// singular values; 2 / -2: the largest / smallest one). No axes: a 1-D or 2-D x by its rank, or,
// with ord nullopt, the Euclidean norm of x flattened. Integers give float32. ValueError for an
// order the axes cannot take or more than two axes.
Tensor norm(const Tensor& x,
            std::optional<double> ord = std::nullopt,
            std::vector<int> axes = {},
            bool keepdims = false);
Tensor norm(const Tensor& x,
            const std::string& ord,
            std::vector<int> axes = {},
            bool keepdims = false);
// outer: a and b flattened, (a.size, b.size); inner: the sum over the last axes (a product
// when either is a scalar); vdot: the sum of the flattened products (a scalar).
Tensor outer(const Tensor& a, const Tensor& b);
// keras.ops.kron (NumPy's): the Kronecker product, the operand of lower rank padded with leading
// 1s; out[i * b.shape + j] = a[i] * b[j] along every axis, shape a.shape * b.shape.
// Differentiable (a broadcast product and a reshape).
Tensor kron(const Tensor& a, const Tensor& b);
// keras.ops.cross (NumPy's): cross products of the 3-vectors (or 2-vectors, read with z = 0) on
// axis `axisa` of a and `axisb` of b, the other axes broadcast, the result's vectors on `axisc`;
// two 2-vectors give the scalar z component. `axis`, when given, is all three. ValueError
// (NumPy's words) for vectors of another size. Differentiable.
Tensor cross(const Tensor& a,
             const Tensor& b,
             int axisa = -1,
             int axisb = -1,
             int axisc = -1,
             std::optional<int> axis = std::nullopt);
Tensor inner(const Tensor& a, const Tensor& b);
Tensor vdot(const Tensor& a, const Tensor& b);
// keras.ops.dot (NumPy's): a product when either is a scalar; the inner product of two vectors;
// otherwise the sum over a's last axis and b's second-to-last (b's only axis for a vector),
// of shape a.shape[:-1] + b.shape[:-2] + b.shape[-1:] (a matmul for two matrices).
Tensor dot(const Tensor& a, const Tensor& b);

// ---- factorizations and solves (keras.ops.linalg; src/ops/decompositions.cpp) ----
// Every function takes stacks of matrices (..., m, n) and works on each matrix; integer inputs
// are float32 (JAX's default float), float32 and float64 keep their dtype. The factorizations
// run on the host in float64 (src/ops/decomposition_kernels.h), whatever the device. Checks are
// Keras's ValueErrors, prefixed with the op's name: rank < 2
// ("Expected input to have rank >= 2. Received input with shape (3,)."), a square matrix where
// one is needed ("Expected a square matrix. Received non-square input with shape (2, 3)").
// Gradients are written with other ops; they are first order, as the tape is.

// The inverse, (..., n, n) -> (..., n, n), from a partial-pivot LU (a singular matrix gives inf
// or NaN, as JAX). a̅ = -a^-T y̅ a^-T.
Tensor inv(const Tensor& x);
// The determinant (...,) from the LU factors; a̅ = y̅ det(a) a^-T.
Tensor det(const Tensor& x);
// keras.ops.slogdet (NumPy's): {sign (...,) as +-1 or 0, log|det| (...,)}, -inf for a singular
// matrix. The sign has no gradient; log|det|'s is a^-T.
std::pair<Tensor, Tensor> slogdet(const Tensor& x);
// x with a x = b: a (..., n, n), b (n,) (one vector, for every matrix of a) or (..., n, k), the
// batch axes broadcast (NumPy's); x has b's shape after broadcasting. Keras's ValueErrors for a
// and b of the same rank whose a.shape[-2] and b.shape[-2] differ, and for b one axis longer
// whose last axes differ. Differentiable in a and b: b̅ = a^-T x̅, a̅ = -b̅ xᵀ.
Tensor solve(const Tensor& a, const Tensor& b);
// The same for triangular a (only its lower or upper triangle read), by substitution: b is a
// vector per matrix when its rank is a's minus one (JAX's scipy rule), else (..., n, k).
Tensor solve_triangular(const Tensor& a, const Tensor& b, bool lower = false);
// The Cholesky factor l of symmetric positive definite x, (..., n, n): x = l lᵀ, l lower (upper:
// lᵀ). x is read as (x + xᵀ) / 2, as JAX does; a matrix that is not positive definite gives NaN
// (JAX under jit; Keras's eager call raises instead). Differentiable (symmetric gradient).
Tensor cholesky(const Tensor& x, bool upper = false);
// (l lᵀ)^-1 from the Cholesky factor x = l (upper: from x = lᵀ, giving (lᵀ l)^-1), by triangular
// solves. Differentiable.
Tensor cholesky_inverse(const Tensor& x, bool upper = false);
// keras.ops.qr: {q, r} with x = q r, q with orthonormal columns, r upper triangular. mode
// "reduced": q (..., m, k), r (..., k, n), k = min(m, n); "complete": q (..., m, m), r (..., m, n).
// Householder reflections: r's diagonal has LAPACK's signs. ValueError for another mode or rank
// < 2. Differentiable for "reduced" with m >= n (JAX's cases); otherwise the backward is a
// NotImplementedError.
std::pair<Tensor, Tensor> qr(const Tensor& x, const std::string& mode = "reduced");
// keras.ops.svd: {u, s, vh} with x = u diag(s) vh, s (..., k) descending, k = min(m, n); u
// (..., m, m) and vh (..., n, n) with full_matrices, else (..., m, k) and (..., k, n). Only {s}
// when !compute_uv. The vectors' signs are the algorithm's (one-sided Jacobi), not LAPACK's.
// Gradients: of s always; of u and vh without full_matrices or for square x (JAX's cases; the
// backward is a NotImplementedError otherwise), needing distinct nonzero singular values.
Tensors svd(const Tensor& x, bool full_matrices = true, bool compute_uv = true);
// keras.ops.eigh: {w (..., n) ascending, v (..., n, n)} of symmetric x read as (x + xᵀ) / 2, the
// unit eigenvectors v's columns (signs the algorithm's: cyclic Jacobi). Differentiable for
// distinct eigenvalues: a̅ = v (diag(w̅) + F ∘ (vᵀ v̅)) vᵀ, F[i, j] = 1 / (w[j] - w[i]).
std::pair<Tensor, Tensor> eigh(const Tensor& x);
// keras.ops.lstsq: the minimum-norm least-squares x of a x = b for a (m, n) and b (m,) or (m, k),
// from the SVD (singular values below rcond times the largest are dropped; by default rcond is
// eps * max(m, n), a negative one is eps). ValueErrors (Keras's) for a not 2-D, b not 1-D or
// 2-D, or b.shape[0] != a.shape[0]. Differentiable as svd is.
Tensor lstsq(const Tensor& a, const Tensor& b, std::optional<double> rcond = std::nullopt);
// keras.ops.lu_factor (JAX's scipy): {lu (..., m, n), pivots int32 (..., min(m, n))}: row i was
// swapped with row pivots[i] at step i; l's unit diagonal is not stored. No gradient.
std::pair<Tensor, Tensor> lu_factor(const Tensor& x);
// keras.ops.pinv: the Moore-Penrose pseudo-inverse (..., n, m) from the SVD, singular values at
// or below rcond times the largest dropped (default 10 * max(m, n) * eps). Differentiable as svd.
Tensor pinv(const Tensor& x, std::optional<double> rcond = std::nullopt);
// keras.ops.matrix_rank: the number of singular values above tol (default: the largest times
// max(m, n) * eps), int32 (...,).
Tensor matrix_rank(const Tensor& x, std::optional<double> tol = std::nullopt);

}  // namespace keras::ops
