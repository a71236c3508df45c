#include "keras/ops/random.h"

#include <cmath>

#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"

namespace keras::random {
namespace {

// A seeded generator for one call, or the global one.
struct GeneratorChoice {
  explicit GeneratorChoice(std::optional<uint64_t> seed)
      : local(seed.value_or(0)), use_local(seed) {}
  Generator& get() { return use_local ? local : global_generator(); }
  Generator local;
  bool use_local;
};

void check_float(DType dtype, const char* fn) {
  KERAS_CHECK(is_floating(dtype), TypeError, "keras.random.", fn,
              ": dtype must be float32 or float64, got ", dtype);
}

}  // namespace

Tensor uniform(
    const Shape& shape, double minval, double maxval, DType dtype, std::optional<uint64_t> seed) {
  check_float(dtype, "uniform");
  KERAS_CHECK(minval <= maxval, ValueError, "keras.random.uniform: minval ", minval, " > maxval ",
              maxval);
  Tensor y = Tensor::empty(shape, dtype);
  GeneratorChoice g(seed);
  backend::backend_for(y).random_uniform(y, minval, maxval, g.get());
  return y;
}

Tensor normal(
    const Shape& shape, double mean, double stddev, DType dtype, std::optional<uint64_t> seed) {
  check_float(dtype, "normal");
  Tensor y = Tensor::empty(shape, dtype);
  GeneratorChoice g(seed);
  backend::backend_for(y).random_normal(y, mean, stddev, g.get());
  return y;
}

Tensor truncated_normal(
    const Shape& shape, double mean, double stddev, DType dtype, std::optional<uint64_t> seed) {
  check_float(dtype, "truncated_normal");
  Tensor y = Tensor::empty(shape, dtype);
  GeneratorChoice g(seed);
  visit_dtype(dtype, [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      T* p = y.data<T>();
      for (int64_t i = 0; i < y.size(); ++i) {
        double z = g.get().next_normal();
        while (std::abs(z) > 2.0) z = g.get().next_normal();
        p[i] = static_cast<T>(mean + stddev * z);
      }
    }
  });
  return y;
}

Tensor randint(
    const Shape& shape, int64_t minval, int64_t maxval, DType dtype, std::optional<uint64_t> seed) {
  KERAS_CHECK(minval < maxval, ValueError, "keras.random.randint: minval ", minval,
              " must be less than maxval ", maxval);
  Tensor y = Tensor::empty(shape, dtype);
  GeneratorChoice g(seed);
  const uint64_t span = static_cast<uint64_t>(maxval - minval);
  visit_dtype(dtype, [&]<class T>() {
    T* p = y.data<T>();
    for (int64_t i = 0; i < y.size(); ++i) {
      p[i] = static_cast<T>(minval + static_cast<int64_t>(g.get().next_below(span)));
    }
  });
  return y;
}

Tensor dropout(const Tensor& x, double rate, Generator* generator) {
  KERAS_CHECK(rate >= 0.0 && rate < 1.0, ValueError, "dropout: rate must be in [0, 1), got ", rate);
  if (rate == 0.0) return x;
  Tensor mask = ops::empty_like(x);
  backend::Backend& be = backend::backend_for(x);
  Generator* gen = generator != nullptr ? generator : &global_generator();
  autodiff::launch([&be, mask, rate, gen] { be.random_bernoulli(mask, 1.0 - rate, *gen); });
  return ops::multiply(x, ops::multiply(mask, 1.0 / (1.0 - rate)));
}

Tensor dropout(const Tensor& x, double rate, const Shape& noise_shape, Generator* generator) {
  KERAS_CHECK(rate >= 0.0 && rate < 1.0, ValueError, "dropout: rate must be in [0, 1), got ", rate);
  bool broadcasts = static_cast<int>(noise_shape.size()) == x.rank();
  for (size_t d = 0; broadcasts && d < noise_shape.size(); ++d) {
    broadcasts = noise_shape[d] == 1 || noise_shape[d] == x.shape()[d];
  }
  KERAS_CHECK(broadcasts, ValueError, "dropout: noise_shape ", shape_str(noise_shape),
              " does not broadcast to the input shape ", shape_str(x.shape()));
  if (rate == 0.0) return x;
  Tensor mask = Tensor::empty(noise_shape, x.dtype(), x.device());
  backend::Backend& be = backend::backend_for(x);
  Generator* gen = generator != nullptr ? generator : &global_generator();
  autodiff::launch([&be, mask, rate, gen] { be.random_bernoulli(mask, 1.0 - rate, *gen); });
  // Expanded to x's shape by contiguous copies, so the product takes the elementwise fast path.
  Tensor full_mask = ops::multiply(mask, 1.0 / (1.0 - rate));
  for (int d = 0; d < x.rank(); ++d) {
    if (noise_shape[static_cast<size_t>(d)] != x.shape()[d]) {
      full_mask = ops::repeat(full_mask, x.shape()[d], d);
    }
  }
  return ops::multiply(x, full_mask);
}

Tensor permutation(int64_t n, std::optional<uint64_t> seed) {
  Tensor y = arange(n, int64);
  GeneratorChoice g(seed);
  int64_t* p = y.data<int64_t>();
  for (int64_t i = n - 1; i > 0; --i) {
    std::swap(p[i], p[static_cast<int64_t>(g.get().next_below(static_cast<uint64_t>(i + 1)))]);
  }
  return y;
}

}  // namespace keras::random
