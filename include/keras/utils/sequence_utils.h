// keras::utils::pad_sequences (keras.utils.pad_sequences): sequences of different lengths as one
// tensor, each padded or truncated to the same length.
//
//   std::vector<std::vector<int64_t>> ids = {{1}, {2, 3}, {4, 5, 6}};
//   keras::Tensor x = keras::utils::pad_sequences(ids);   // int32 [[0, 0, 1], [0, 2, 3], [4, 5,
//   6]] keras::utils::pad_sequences(ids, {.maxlen = 2, .padding = "post", .truncating = "post"});
//                                                        // [[1, 0], [2, 3], [4, 5]]
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/core/tensor.h"

namespace keras::utils {

struct PadSequencesOptions {
  // The length of every row; default: the longest sequence's.
  std::optional<int64_t> maxlen = std::nullopt;
  DType dtype = int32;  // of the result (values are cast to it, as NumPy's asarray does)
  // "pre" pads (or "post": after) each sequence shorter than maxlen; "pre" drops the values at
  // the start of each longer one ("post": at the end).
  std::string padding = "pre";
  std::string truncating = "pre";
  double value = 0.0;  // the padding value
};

// `sequences`: each a tensor of shape (length, *sample_shape), any numeric dtype; all non-empty
// ones with the same sample_shape. Returns (len(sequences), maxlen, *sample_shape) of
// options.dtype: empty sequences give rows of `value`. ValueError in Keras's wording for a
// padding or truncating other than "pre"/"post", a sample shape that differs ("Shape of sample
// ... of sequence at position i is different from expected shape ..."), a negative maxlen, or
// a rank-0 tensor among the sequences ("`sequences` must be a list of iterables").
Tensor pad_sequences(const std::vector<Tensor>& sequences, const PadSequencesOptions& options = {});

// The same for sequences of numbers (token ids, usually).
template <class T>
requires std::integral<T> || std::floating_point<T> Tensor pad_sequences(
    const std::vector<std::vector<T>>& sequences, const PadSequencesOptions& options = {}) {
  using Stored = std::conditional_t<std::floating_point<T>, double, int64_t>;
  std::vector<Tensor> tensors;
  tensors.reserve(sequences.size());
  for (const auto& s : sequences) {
    tensors.push_back(Tensor::from_vector(std::vector<Stored>(s.begin(), s.end())));
  }
  return pad_sequences(tensors, options);
}

}  // namespace keras::utils
