// Keras 3's rank standardization of a functional model's inputs (Functional._adjust_input_rank),
// shared by Model calls (models) and the trainer's data checks (trainers).
#pragma once

#include "keras/core/tensor.h"
#include "keras/ops/shape.h"

namespace keras::layers::internal {

// `x` for an Input of shape `want` (batch dim included): one rank short where the Input ends in
// 1 gets that axis ((n,) for (None, 1)), one rank over whose last dim is 1 loses it; anything
// else is returned as it is (the shape checks that follow name what is wrong).
inline Tensor adjust_input_rank(const Tensor& x, const Shape& want) {
  if (!x.defined() || want.empty()) return x;
  const size_t rank = static_cast<size_t>(x.rank());
  Shape shape = x.shape();
  if (rank + 1 == want.size() && want.back() == 1) {
    shape.push_back(1);
    return ops::reshape(x, shape);
  }
  if (rank == want.size() + 1 && shape.back() == 1) {
    shape.pop_back();
    return ops::reshape(x, shape);
  }
  return x;
}

}  // namespace keras::layers::internal
