// keras.ops' last NumPy functions, elementwise and on shapes: NumPy's names for existing ops
// (absolute, true_divide), fabs, allclose, the parts of complex numbers for real tensors (real,
// imag, angle), ldexp, nextafter, select, view (a bitcast); append, array_split, diagflat,
// vander, eye, tri, ndim, nonzero and unique. (Kept out of elementwise.h and shape.h, which
// nearly every file includes.) keras/ops/bitwise.h has lcm; keras/ops/math.h the windows
// (bartlett, blackman, hamming, hanning), corrcoef, histogram and trapezoid.
#pragma once

#include <cstdint>
#include <optional>

#include "keras/core/tensor.h"

namespace keras::ops {

// keras.ops' NumPy names of elementwise.h's ops: absolute is abs (integers and bool keep their
// dtype), true_divide is divide. fabs: |x| as a float (integers and bool as float32, as JAX's).
Tensor absolute(const Tensor& x);
Tensor true_divide(const Tensor& a, const Tensor& b);
Tensor fabs(const Tensor& x);
// keras.ops.allclose: whether every element of isclose(a, b, ...) is true (a and b broadcast), a
// bool scalar. Not differentiable.
Tensor allclose(const Tensor& a,
                const Tensor& b,
                double rtol = 1e-5,
                double atol = 1e-8,
                bool equal_nan = false);
// keras.ops.real / imag / angle for keras.cpp's real tensors (it has no complex dtype), as JAX
// computes them for real inputs: real(x) is x itself; imag(x) zeros of x's shape and dtype;
// angle(x) the argument of x as a complex number, pi where x is negative (-0 included), 0
// elsewhere and NaN for NaN, in x's floating dtype (integers and bool: float32). real's gradient
// is dy; imag's and angle's are zero.
Tensor real(const Tensor& x);
Tensor imag(const Tensor& x);
Tensor angle(const Tensor& x);
// keras.ops.ldexp: x1 * 2^x2 elementwise (broadcast), x2 of an integer dtype (TypeError "ldexp
// exponent must be an integer type. Received: x2 dtype=float32" otherwise); x1's floating dtype
// (integers and bool: float32). Differentiable in x1.
Tensor ldexp(const Tensor& x1, const Tensor& x2);
// keras.ops.nextafter: the next representable value after x1 towards x2 (x2 itself where they
// are equal, NaN if either is), in the operands' floating result_type (integers and bool:
// float32; keras.cpp keeps float64 where Keras on JAX without x64 computes in float32). Not
// differentiable (JAX defines no gradient).
Tensor nextafter(const Tensor& x1, const Tensor& x2);
// keras.ops.select (jnp.select): choicelist[i] where condlist[i] is the first true condition,
// else `default_value` (undefined: 0 as a Python int, which takes the choices' dtype). Conditions
// are bool (other dtypes: nonzero is true); all broadcast together; the dtype is the choices'
// and default's result_type. Differentiable in the choices and the default. ValueError "condlist
// must have length equal to choicelist (1 vs 2)" and Keras's "condlist and choicelist must
// not be empty. ...".
Tensor select(const Tensors& condlist, const Tensors& choicelist, const Tensor& default_value = {});
// keras.ops.view: x's bytes reinterpreted as `dtype` (x.view(dtype); no dtype: x's own). With a
// different item size the last axis scales by old / new item size (float32 (2,) as uint8 is (8,)).
// A view as bool reads nonzero bytes as true. Not differentiable. ValueError "Cannot view a
// scalar as a different dtype if item sizes are different." for a scalar, and Keras's "Cannot
// view array of shape (3,) and dtype float32 as dtype float64 because the total number of bytes
// is not divisible by the new itemsize." for a last axis that does not divide; TypeError for
// string tensors.
Tensor view(const Tensor& x, std::optional<DType> dtype = std::nullopt);

// keras.ops.append: x2 joined after x1 along `axis` (no axis: both flattened first), the dtypes
// promoted (result_type). Differentiable. ValueError when the ranks or the other dimensions
// differ.
Tensor append(const Tensor& x1, const Tensor& x2, std::optional<int> axis = std::nullopt);
// keras.ops.array_split: x split along `axis` into `sections` parts, the first size % sections
// of them one longer (parts past the size are empty). Differentiable. ValueError "Argument
// `indices_or_sections` must be a positive integer. Received: indices_or_sections=0".
Tensors array_split(const Tensor& x, int64_t sections, int axis = 0);
// keras.ops.diagflat: x flattened onto the k-th diagonal of a square matrix of side
// x.size() + |k| (k > 0 above the main one), x's dtype. Differentiable.
Tensor diagflat(const Tensor& x, int k = 0);
// keras.ops.vander: the Vandermonde matrix (len(x), N) of 1-D x, columns x^(N-1), ..., x^0
// (increasing: x^0, ..., x^(N-1)); N defaults to len(x); x's dtype. Differentiable. ValueError
// "Input tensor must be 1-dimensional. Received: input.shape=(1, 2)" and "Argument 'N' must be
// nonnegative. Received: N=-1".
Tensor vander(const Tensor& x, std::optional<int64_t> N = std::nullopt, bool increasing = false);
// keras.ops.eye: the (N, M) matrix (M defaults to N) with ones on the k-th diagonal (k > 0 above
// the main one), zeros elsewhere. keras.ops.tri: ones at and below the k-th diagonal. Dtype
// float32 (Keras's floatx) unless given. ValueError for a negative N or M.
Tensor eye(int64_t N, std::optional<int64_t> M = std::nullopt, int k = 0, DType dtype = float32);
Tensor tri(int64_t N, std::optional<int64_t> M = std::nullopt, int k = 0, DType dtype = float32);
// keras.ops.ndim: x's rank, an int32 scalar.
Tensor ndim(const Tensor& x);
// keras.ops.nonzero: the coordinates of x's nonzero (true) elements in row-major order, one
// int32 tensor per axis of x, each of length the count. The shapes depend on x's values, which
// are read on the host (not traceable). ValueError "Calling nonzero on 0d arrays is not allowed.
// Use jnp.atleast_1d(scalar).nonzero() instead." for a scalar.
Tensors nonzero(const Tensor& x);
// keras.ops.unique (jnp.unique): x's distinct values, sorted (NaNs never equal one another and
// sort last; `sorted` = false gives the same order, which JAX leaves unspecified), and after
// them, as asked: the index of each one's first occurrence, the inverse (for each element of x,
// its value's position among the unique ones; x's shape, or (x.shape[axis],) along an axis) and
// the counts, all int32. With an axis, the distinct slices along it (compared element by
// element, ordered lexicographically). With `size`, the values (and index, counts) are cut or
// padded to `size`: values with fill_value (default: the smallest unique value), index with the
// first one's index, counts with 0. The shapes depend on x's values, read on the host (not
// traceable). Not differentiable. ValueError for an axis out of range, a scalar x with an axis,
// or a negative size.
Tensors unique(const Tensor& x,
               bool sorted = true,
               bool return_index = false,
               bool return_inverse = false,
               bool return_counts = false,
               std::optional<int> axis = std::nullopt,
               std::optional<int64_t> size = std::nullopt,
               std::optional<double> fill_value = std::nullopt);

}  // namespace keras::ops
