#include "keras/ops/random_noise.h"

#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"

namespace keras::random {

Tensor normal_noise(const Tensor& like, double mean, double stddev, Generator* generator) {
  KERAS_CHECK(is_floating(like.dtype()), TypeError, "normal_noise: dtype must be floating, got ",
              like.dtype());
  Tensor y = Tensor::empty(like.shape(), like.dtype(), like.device());
  backend::Backend& be = backend::backend_for(y);
  Generator* gen = generator != nullptr ? generator : &global_generator();
  autodiff::launch([&be, y, mean, stddev, gen] {
    gen->set_state(be.random_normal(y, mean, stddev, gen->state()));
  });
  return y;
}

Tensor uniform_noise(const Shape& shape,
                     DType dtype,
                     Device device,
                     double minval,
                     double maxval,
                     Generator* generator) {
  KERAS_CHECK(is_floating(dtype), TypeError, "uniform_noise: dtype must be floating, got ", dtype);
  Tensor y = Tensor::empty(shape, dtype, device);
  backend::Backend& be = backend::backend_for(y);
  Generator* gen = generator != nullptr ? generator : &global_generator();
  autodiff::launch([&be, y, minval, maxval, gen] {
    gen->set_state(be.random_uniform(y, minval, maxval, gen->state()));
  });
  return y;
}

}  // namespace keras::random
