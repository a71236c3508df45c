// Keras's encode_categorical_inputs for CategoryEncoding and Discretization: integer ids to
// one-hot, multi-hot or count vectors of `depth` entries (see category_encoding.h for the shapes).
#pragma once

#include <string>

#include "keras/core/tensor.h"

namespace keras::layers::categorical {

// Keras's old name "binary" is "multi_hot"; other modes unchanged.
std::string standard_mode(const std::string& mode);
// ValueError unless mode is one_hot, multi_hot or count. `layer` names the layer in messages.
void check_mode(const std::string& mode, const std::string& layer);
// The output shape for ids of `shape` (ValueError for multi_hot / count on rank > 2).
Shape output_shape(const Shape& shape,
                   const std::string& mode,
                   int64_t depth,
                   const std::string& layer);
// The encoding, in `dtype`; ids outside [0, depth) throw IndexError when the kernel runs.
Tensor encode(const Tensor& ids,
              const std::string& mode,
              int64_t depth,
              DType dtype,
              const std::string& layer);
// "count" with weights: per row, the sum of `weights` (ids' shape, already in the output dtype) at
// each id's positions.
Tensor weighted_count(const Tensor& ids,
                      const Tensor& weights,
                      int64_t depth,
                      const std::string& layer);

}  // namespace keras::layers::categorical
