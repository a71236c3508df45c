// Random tensors (keras.random.*). Without a seed they draw from the global generator, which
// keras::utils::set_random_seed reseeds; with a seed they use a generator of their own.
// uniform/normal/truncated_normal/randint/permutation draw when called: they make data and
// weights, and are not re-drawn when fit() replays a traced step. dropout() is: its mask is a
// launched kernel, drawn anew at every step. Every draw is a backend kernel given the
// generator's state by value (backend::RandomState); the generator then takes the state the
// kernel returns, so the numbers are the same on every device and restored states repeat them.
#pragma once

#include <cstdint>
#include <optional>

#include "keras/core/random.h"
#include "keras/core/tensor.h"

namespace keras::random {

Tensor uniform(const Shape& shape,
               double minval = 0.0,
               double maxval = 1.0,
               DType dtype = float32,
               std::optional<uint64_t> seed = std::nullopt);
Tensor normal(const Shape& shape,
              double mean = 0.0,
              double stddev = 1.0,
              DType dtype = float32,
              std::optional<uint64_t> seed = std::nullopt);
// Normal values, redrawn while more than two standard deviations from the mean.
Tensor truncated_normal(const Shape& shape,
                        double mean = 0.0,
                        double stddev = 1.0,
                        DType dtype = float32,
                        std::optional<uint64_t> seed = std::nullopt);
// Integers uniform in [minval, maxval).
Tensor randint(const Shape& shape,
               int64_t minval,
               int64_t maxval,
               DType dtype = int32,
               std::optional<uint64_t> seed = std::nullopt);
// Zeroes each element with probability `rate` and scales the rest by 1 / (1 - rate).
// Differentiable in x; a new mask is drawn every time the op (or a replayed plan) runs, from
// `generator` (which must outlive any plan the op is traced into) or the global one.
Tensor dropout(const Tensor& x, double rate, Generator* generator = nullptr);
// The same with one mask element per element of `noise_shape`, which must broadcast to x's shape
// (keras.random.dropout's noise_shape): (batch, 1, channels) drops whole channels of a sequence.
Tensor dropout(const Tensor& x,
               double rate,
               const Shape& noise_shape,
               Generator* generator = nullptr);
// A random permutation of 0..n-1 (int64).
Tensor permutation(int64_t n, std::optional<uint64_t> seed = std::nullopt);

}  // namespace keras::random
