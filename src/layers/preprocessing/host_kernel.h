// For preprocessing layers whose work is a host loop over values (lookups, hashes): the loop
// runs in a launched kernel (autodiff/trace.h), so a traced plan repeats it on each batch.
#pragma once

#include <functional>

#include "keras/core/tensor.h"
#include "ops/host_kernel.h"

namespace keras::layers {

// A tensor of `shape` and `dtype` on inputs[0]'s device, written by fill(host inputs, host
// output) in a launched kernel, through ops/host_kernel.h's launch_on_host (inputs already on the
// host are read where they are; others are copied to the host first, and the output back).
inline Tensor run_on_host(const Tensors& inputs,
                          const Shape& shape,
                          DType dtype,
                          std::function<void(const Tensors&, const Tensor&)> fill) {
  const Tensor out = Tensor::empty(shape, dtype, inputs[0].device());
  ops::internal::launch_on_host(
      inputs, {out}, [fill](const Tensors& in, const Tensors& host) { fill(in, host[0]); });
  return out;
}

}  // namespace keras::layers
