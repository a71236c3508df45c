// Shared by keras.ops.sparse_categorical_crossentropy and the loss of that name (which masks the
// labels of an ignore_class before calling the op). Internal to src/.
#pragma once

#include "keras/core/tensor.h"

namespace keras::ops {

// The integer labels for an output whose classes lie along `class_axis` (normalized): the
// target without its trailing 1 on that axis, when it has one. ValueError (Keras's words) for
// an output of rank 0 or labels whose shape is not the output's without that axis.
Tensor sparse_labels(const Tensor& target, const Tensor& output, int class_axis);

}  // namespace keras::ops
