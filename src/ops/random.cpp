#include "keras/ops/random.h"

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

// y of `shape` drawn by kernel(backend, y, state) from the chosen generator, which then moves
// past the draws.
template <class Kernel>
Tensor draw(const Shape& shape, DType dtype, std::optional<uint64_t> seed, Kernel&& kernel) {
  Tensor y = Tensor::empty(shape, dtype);
  GeneratorChoice g(seed);
  g.get().set_state(kernel(backend::backend_for(y), y, g.get().state()));
  return y;
}

// A dropout mask: 1 with probability 1 - rate, drawn anew from `generator` each time the
// launched kernel runs (also at every replay of a traced step).
void draw_mask(const Tensor& mask, double rate, Generator* generator) {
  backend::Backend& be = backend::backend_for(mask);
  Generator* gen = generator != nullptr ? generator : &global_generator();
  autodiff::launch([&be, mask, rate, gen] {
    gen->set_state(be.random_bernoulli(mask, 1.0 - rate, gen->state()));
  });
}

}  // namespace

Tensor uniform(
    const Shape& shape, double minval, double maxval, DType dtype, std::optional<uint64_t> seed) {
  check_float(dtype, "uniform");
  KERAS_CHECK(minval <= maxval, ValueError, "keras.random.uniform: minval ", minval, " > maxval ",
              maxval);
  return draw(shape, dtype, seed, [&](backend::Backend& be, const Tensor& y, auto state) {
    return be.random_uniform(y, minval, maxval, state);
  });
}

Tensor normal(
    const Shape& shape, double mean, double stddev, DType dtype, std::optional<uint64_t> seed) {
  check_float(dtype, "normal");
  return draw(shape, dtype, seed, [&](backend::Backend& be, const Tensor& y, auto state) {
    return be.random_normal(y, mean, stddev, state);
  });
}

Tensor truncated_normal(
    const Shape& shape, double mean, double stddev, DType dtype, std::optional<uint64_t> seed) {
  check_float(dtype, "truncated_normal");
  return draw(shape, dtype, seed, [&](backend::Backend& be, const Tensor& y, auto state) {
    return be.random_truncated_normal(y, mean, stddev, state);
  });
}

Tensor randint(
    const Shape& shape, int64_t minval, int64_t maxval, DType dtype, std::optional<uint64_t> seed) {
  KERAS_CHECK(minval < maxval, ValueError, "keras.random.randint: minval ", minval,
              " must be less than maxval ", maxval);
  return draw(shape, dtype, seed, [&](backend::Backend& be, const Tensor& y, auto state) {
    return be.random_randint(y, minval, maxval, state);
  });
}

Tensor dropout(const Tensor& x, double rate, Generator* generator) {
  KERAS_CHECK(rate >= 0.0 && rate < 1.0, ValueError, "dropout: rate must be in [0, 1), got ", rate);
  if (rate == 0.0) return x;
  Tensor mask = ops::empty_like(x);
  draw_mask(mask, rate, generator);
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
  draw_mask(mask, rate, generator);
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
  return draw({n}, int64, seed, [&](backend::Backend& be, const Tensor& y, auto state) {
    return be.random_permutation(y, state);
  });
}

}  // namespace keras::random
