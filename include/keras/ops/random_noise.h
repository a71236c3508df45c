// Random noise drawn inside launched kernels, for layers that are random in training
// (GaussianNoise, GaussianDropout, AlphaDropout, the augmentation layers): unlike
// keras::random::normal / uniform, which draw once when called, these draw anew every time the
// op runs, including every replay of a traced fit() step, as keras::random::dropout does. They
// draw from `generator` (which must outlive any plan the op is traced into) or, when null, the
// global generator, and are not differentiable (constants for the tape).
#pragma once

#include "keras/core/random.h"
#include "keras/core/tensor.h"

namespace keras::random {

// Normal values with x's shape, dtype (floating) and device.
Tensor normal_noise(const Tensor& like, double mean, double stddev, Generator* generator = nullptr);
// Uniform values in [minval, maxval) of `shape`, in `dtype` (floating), on `device`.
Tensor uniform_noise(const Shape& shape,
                     DType dtype,
                     Device device,
                     double minval,
                     double maxval,
                     Generator* generator = nullptr);

}  // namespace keras::random
