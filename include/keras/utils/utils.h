// Utilities (keras.utils).
#pragma once

#include <cstdint>
#include <optional>

#include "keras/core/tensor.h"

namespace keras::utils {

// One-hot encodes integer class labels (any integer dtype, or integral floats) of shape (n,) or
// (n, 1) into float32 of shape (n, num_classes). num_classes defaults to max(y) + 1. Labels out of
// [0, num_classes) throw ValueError.
Tensor to_categorical(const Tensor& y, std::optional<int64_t> num_classes = std::nullopt);

// Seeds the global generator used by initializers, shuffling and dropout.
void set_random_seed(uint64_t seed);

// Resets default layer and metric names (dense_1, auc_1, ...) like keras.backend.clear_session().
void clear_session();

}  // namespace keras::utils
