// Matrix products (keras.ops.matmul).
#pragma once

#include <optional>
#include <string>
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
// largest / smallest column sum of |x|; inf / -inf: the same over rows). No axes: a 1-D or 2-D x
// by its rank, or, with ord nullopt, the Euclidean norm of x flattened. Integers give float32.
// ValueError for an order the axes cannot take or more than two axes; NotImplementedError for
// the orders that need singular values ("nuc", 2 and -2 over two axes).
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

}  // namespace keras::ops
