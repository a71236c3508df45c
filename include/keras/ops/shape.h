// Shape manipulation (keras.ops.reshape, transpose, concatenate, ...). All differentiable.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/core/tensor.h"

namespace keras::ops {

// One dimension may be -1. Shares memory (a view).
Tensor reshape(const Tensor& x, Shape shape);
// Permutes axes; empty `axes` reverses them.
Tensor transpose(const Tensor& x, std::vector<int> axes = {});
// keras.ops.swapaxes: x with axes axis1 and axis2 exchanged. keras.ops.moveaxis: each axis of
// `source` moved to the same place in `destination` (NumPy's order for the others).
// ValueError for an axis out of range, repeated axes, or source and destination of different
// lengths.
Tensor swapaxes(const Tensor& x, int axis1, int axis2);
Tensor moveaxis(const Tensor& x, std::vector<int> source, std::vector<int> destination);
// keras.ops.tril / triu: x with the elements above (tril) or below (triu) the k-th diagonal of
// its last two axes set to zero (k > 0 above the main one). ValueError below rank 2.
Tensor tril(const Tensor& x, int k = 0);
Tensor triu(const Tensor& x, int k = 0);
// keras.ops.flip: x reversed along `axes` (empty: every axis).
Tensor flip(const Tensor& x, std::vector<int> axes = {});
// keras.ops.fliplr / flipud: x reversed along axis 1 / axis 0. ValueError (Keras's words) for a
// rank under 2 / under 1.
Tensor fliplr(const Tensor& x);
Tensor flipud(const Tensor& x);
// keras.ops.roll: elements shifted by shifts[i] along axes[i], those past the end coming back
// at the start (NumPy's roll); no axes: x flattened, rolled by shifts[0] and shaped back.
Tensor roll(const Tensor& x, std::vector<int64_t> shifts, std::vector<int> axes = {});
// keras.ops.tile: x repeated repeats[i] times along each axis (NumPy's rules: fewer repeats
// than axes apply to the last axes; more add leading axes). ValueError for a negative count.
Tensor tile(const Tensor& x, std::vector<int64_t> repeats);
Tensor expand_dims(const Tensor& x, int axis);
// Removes `axis` (must have size 1), or every size-1 axis when axis is not given.
Tensor squeeze(const Tensor& x, std::optional<int> axis = std::nullopt);
Tensor broadcast_to(const Tensor& x, const Shape& shape);
// Joins tensors along `axis`; the other dimensions must match.
Tensor concatenate(const Tensors& xs, int axis = 0);
// keras.ops.diff: the n-th discrete difference along `axis` (x[1:] - x[:-1], n times).
Tensor diff(const Tensor& x, int n = 1, int axis = -1);
// keras.ops.diagonal (NumPy's): the diagonal `offset` above the main one of the planes spanned
// by axis1 and axis2, as the last axis after x's other axes. trace: its sum.
Tensor diagonal(const Tensor& x, int offset = 0, int axis1 = 0, int axis2 = 1);
Tensor trace(const Tensor& x, int offset = 0, int axis1 = 0, int axis2 = 1);
// keras.ops.ravel: x as one dimension. rot90: x turned k quarter turns (negative: clockwise) in
// the plane of `axes` (from the first axis towards the second), as NumPy; ValueError for rank
// < 2 or axes that are not two different axes.
Tensor ravel(const Tensor& x);
Tensor rot90(const Tensor& x, int k = 1, std::pair<int, int> axes = {0, 1});
// keras.ops.hstack / vstack: joined along axis 1 (1-D inputs: axis 0) / axis 0 (1-D inputs
// made rows first).
Tensor hstack(const Tensors& xs);
Tensor vstack(const Tensors& xs);
// keras.ops.dstack: joined along axis 2, each input first made 3-D as NumPy's atleast_3d (a
// scalar (1, 1, 1), a vector (n,) as (1, n, 1), a matrix (m, n) as (m, n, 1)); the dtypes
// promote (result_type). ValueError for no inputs or dimensions that differ off axis 2.
Tensor dstack(const Tensors& xs);
// x[..., start:start + size, ...] along `axis` (a copy).
Tensor slice_axis(const Tensor& x, int axis, int64_t start, int64_t size);
// Splits x into `sections` equal parts along `axis` (keras.ops.split with a section count).
// One op for all parts: its gradient concatenates the parts' gradients (zeros for unused ones),
// so splitting a sequence into timesteps costs O(T), not O(T²), in the backward pass.
Tensors split(const Tensor& x, int64_t sections, int axis = 0);
// keras.ops.split with indices (NumPy's array_split at them): x[:i0], x[i0:i1], ..., x[ik:] along
// `axis`, each index clamped to [0, size] (a part between decreasing indices is empty).
Tensors split(const Tensor& x, const std::vector<int64_t>& indices, int axis = 0);
// keras.ops.hsplit / vsplit / dsplit: split along axis 1 (a vector: axis 0) / axis 0 / axis 2
// into `sections` equal parts (ValueError "array split does not result in an equal division"
// otherwise) or at `indices` (as split). ValueError for a rank under 1 / 1 / 3 (vsplit splits a
// vector, as JAX's).
Tensors hsplit(const Tensor& x, int64_t sections);
Tensors hsplit(const Tensor& x, const std::vector<int64_t>& indices);
Tensors vsplit(const Tensor& x, int64_t sections);
Tensors vsplit(const Tensor& x, const std::vector<int64_t>& indices);
Tensors dsplit(const Tensor& x, int64_t sections);
Tensors dsplit(const Tensor& x, const std::vector<int64_t>& indices);
// keras.ops.unstack: the x.shape[axis] slices of x along `axis`, that axis removed (one split).
Tensors unstack(const Tensor& x, int axis = 0);
// keras.ops.slice (lax.dynamic_slice): the block of x of shape `shape` (a -1 takes the rest of
// that axis from its start) at `start_indices`, one per axis; a start is clamped so that the
// block fits, as JAX clamps it. ValueError for a count that is not x's rank or a size outside
// [0, the axis's size].
Tensor slice(const Tensor& x, std::vector<int64_t> start_indices, std::vector<int64_t> shape);
// keras.ops.diag (NumPy's): a vector v as the square matrix with v on the k-th diagonal (k > 0
// above the main one), zeros elsewhere; a matrix's k-th diagonal. ValueError for other ranks.
Tensor diag(const Tensor& x, int k = 0);
// Gathers slices of x along axis 0 at `indices` (int32/int64 of any shape): shape
// indices.shape + x.shape[1:]. Out-of-range indices throw IndexError. (keras.ops.take, axis 0.)
Tensor take(const Tensor& x, const Tensor& indices);
// keras.ops.take with an axis: the slices of x along `axis` at `indices`, whose dimensions
// replace the axis (x (2, 5, 3) with indices (4, 6) along axis 1: (2, 4, 6, 3)).
Tensor take(const Tensor& x, const Tensor& indices, int axis);
// keras.ops.take_along_axis (NumPy's): y[..., j, ...] = x[..., indices[..., j, ...], ...] along
// `axis`; x and indices have the same rank, their other dimensions broadcast; negative indices
// count from the end; out of range throws IndexError. Without an axis, x is flattened and
// indices must be 1-D. Differentiable in x.
Tensor take_along_axis(const Tensor& x, const Tensor& indices, std::optional<int> axis);
// take(table, ids) as Keras's Embedding looks ids up: ids of any dtype, floating ones truncated
// toward zero and bool ones read as 0 and 1 (Keras casts them to int32). An id outside
// [0, table rows), NaN included, throws IndexError "<context>indices[1,0] = 10 is not in
// [0, 10)", naming its position and its value as given (bool ids: take's message); the gather
// kernel checks, so every replay of a traced step checks too. Differentiable in table.
Tensor embedding_lookup(const Tensor& table, const Tensor& ids, const std::string& context);
// keras.ops.meshgrid: for N vectors of lengths S0, ..., SN-1, N grids each of shape (S0, ..., SN-1)
// ("ij") or (S1, S0, S2, ...) ("xy", the default: the first two axes swapped), grid i holding
// xs[i] along its axis; each keeps its input's dtype. Differentiable. ValueError for another
// indexing or an input that is not 1-D (JAX's rule; NumPy flattens).
Tensors meshgrid(const Tensors& xs, const std::string& indexing = "xy");
// keras.ops.unravel_index: the coordinates, one tensor per dimension of `shape`, of the flat
// (row-major) `indices` (integers, any shape), each of indices' shape and dtype. A negative index
// counts from the end and indices outside [-size, size) are clipped into range, as JAX does.
// TypeError for floating indices; ValueError for a negative dimension.
Tensors unravel_index(const Tensor& indices, const std::vector<int64_t>& shape);
// One-hot encoding of int indices: shape indices.shape + [num_classes], dtype float32.
Tensor one_hot(const Tensor& indices, int64_t num_classes, DType dtype = float32);
// A copy with its own memory.
Tensor copy(const Tensor& x);

// Pads x with `constant_value` (keras.ops.pad, mode "constant"). pad_width holds one
// (before, after) pair of non-negative amounts per axis of x: the output's axis d has size
// before + x.shape[d] + after. ValueError on a wrong count or a negative amount. The gradient is
// the slice of dy where x sits.
Tensor pad(const Tensor& x,
           const std::vector<std::pair<int64_t, int64_t>>& pad_width,
           double constant_value = 0.0);
// Repeats each element `repeats` (>= 1) times along `axis` (keras.ops.repeat with an int):
// (2, 3) repeated 2 times along axis 0 is rows 0, 0, 1, 1, of shape (4, 3).
Tensor repeat(const Tensor& x, int64_t repeats, int axis);

}  // namespace keras::ops
