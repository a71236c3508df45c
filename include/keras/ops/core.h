// keras.ops' core functions that write into tensors (scatter, scatter_update, slice_update),
// keras.ops.rearrange (einops' notation), and keras.ops.hard_swish and ctc_decode. All eager and
// differentiable in their tensor values as JAX differentiates them; their indices are integers read
// on the host. The KerasTensor forms are in keras/layers/op_layer.h (saved as Keras 3's Scatter,
// ScatterUpdate, SliceUpdate and Rearrange); the control flow (cond, scan, while_loop, ...) is in
// keras/ops/control_flow.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/core/tensor.h"

namespace keras::ops {

// keras.ops.scatter (JAX: zeros(shape).at[indices].add(values)): a tensor of `shape` and
// values' dtype, zero but at the `indices`, which hold the sum of their values. indices:
// integers (..., k), k <= rank, each row the coordinates of an entry (k == rank) or of a
// sub-tensor shape[k:]; values: indices.shape[:-1] + shape[k:] (or anything that broadcasts to
// it). A negative coordinate counts from the end; a row outside the shape is dropped, as JAX
// drops it. Differentiable in values (the gradient gathers dy at the rows). ValueError for
// indices of rank 0, k of 0 or above the rank, or values that do not broadcast; TypeError for
// non-integer indices.
Tensor scatter(const Tensor& indices, const Tensor& values, const Shape& shape);

// keras.ops.scatter_update (JAX's inputs.at[indices].set(updates), or .add, .max, .min,
// .multiply for reduction "add", "max", "min", "mul"): inputs with the entries (or sub-tensors)
// at the rows of `indices` (integers (n, k), k <= rank, as in scatter) replaced by (combined
// with) updates (n,) + inputs.shape[k:] (or what broadcasts to it), cast to inputs' dtype. Of a
// row given twice, "set" keeps the last update (the gradient reaches only that one, as JAX's);
// the reductions combine them all. Rows outside the shape are dropped. Differentiable in inputs
// and updates. ValueError "Invalid reduction: foo. Supported values are: None, 'add', 'max', 'min',
// 'mul'." for another reduction, and as scatter.
Tensor scatter_update(const Tensor& inputs,
                      const Tensor& indices,
                      const Tensor& updates,
                      const std::optional<std::string>& reduction = std::nullopt);

// keras.ops.slice_update (lax.dynamic_update_slice): inputs with the block `updates` (inputs'
// rank; cast to inputs' dtype) written at `start_indices`, one per axis, each clamped so that
// the block fits (as JAX clamps it). Differentiable in inputs (dy outside the block) and updates
// (dy's block). ValueError for a count of start indices or a rank that is not inputs', or a
// block larger than inputs.
Tensor slice_update(const Tensor& inputs,
                    std::vector<int64_t> start_indices,
                    const Tensor& updates);

// keras.ops.rearrange(tensor, pattern, **axes_lengths): einops' rearrange as Keras implements
// it: "b h w c -> b c h w" permutes, "(h1 h)" on the left splits an axis (every length but one
// given in axes_lengths, the other inferred), "(b h)" on the right merges axes. A pattern is
// "input -> output", each side axis names (letters, digits, '_') and groups in parentheses.
// Differentiable (a reshape, a transpose and a reshape). ValueError for a pattern without one
// "->", a side with another count of axes than the tensor's rank, an output axis the input does
// not name, a group with more than one unknown length or lengths that do not divide the axis.
Tensor rearrange(const Tensor& tensor,
                 const std::string& pattern,
                 const std::map<std::string, int64_t>& axes_lengths = {});

// keras.ops.hard_swish: Keras's other name of hard_silu (keras/ops/nn.h).
Tensor hard_swish(const Tensor& x);

// keras.ops.ctc_decode as Keras computes it with JAX: decodes the logits `inputs` (batch,
// max_length, num_classes) of the sequences of lengths `sequence_lengths` (batch,), class
// mask_index (nullopt: the last class) being the blank. Returns {decoded, log_probs}:
//  - strategy "greedy": decoded (1, batch, max_length) int32, each frame's best class with
//    repeats merged (merge_repeated) and blanks removed, the labels first and -1 after them;
//    log_probs (batch, 1), the negative of the sum of each sequence's best logits;
//  - strategy "beam_search": the top_paths best label sequences of a prefix beam search of
//    beam_width beams over log_softmax(inputs) (repeats always merged, as JAX's), decoded
//    (top_paths, batch, max_length) int32 padded with -1, log_probs (batch, top_paths) their
//    log-probabilities, best first.
// log_probs have inputs' floating dtype (float32 for integers). Not differentiable (a decode).
// ValueError "Invalid strategy beam. Supported values are 'greedy' and 'beam_search'." and for
// inputs that are not 3-D, lengths of another shape, a mask_index outside the classes, or
// beam_width or top_paths outside [1, 4096].
std::pair<Tensor, Tensor> ctc_decode(const Tensor& inputs,
                                     const Tensor& sequence_lengths,
                                     const std::string& strategy = "greedy",
                                     int64_t beam_width = 100,
                                     int64_t top_paths = 1,
                                     bool merge_repeated = true,
                                     std::optional<int64_t> mask_index = 0);

}  // namespace keras::ops
