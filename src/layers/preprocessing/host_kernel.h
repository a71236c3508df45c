// For preprocessing layers whose work is a host loop over values (lookups, hashes): the loop
// runs in a launched kernel (autodiff/trace.h), so a traced plan repeats it on each batch.
#pragma once

#include <functional>

#include "keras/autodiff/trace.h"
#include "keras/core/tensor.h"

namespace keras::layers {

// A tensor of `shape` and `dtype` on inputs[0]'s device, written by fill(host inputs, host
// output) in a launched kernel. Inputs already on the host are read where they are; others are
// copied to the host first, and the output copied back.
inline Tensor run_on_host(const Tensors& inputs,
                          const Shape& shape,
                          DType dtype,
                          std::function<void(const Tensors&, const Tensor&)> fill) {
  Tensors host;
  bool copy_in = false;
  for (const Tensor& x : inputs) {
    const bool here = x.device() == Device::cpu();
    host.push_back(here ? x : Tensor::empty(x.shape(), x.dtype(), Device::cpu()));
    copy_in = copy_in || !here;
  }
  const Device device = inputs[0].device();
  const Tensor host_out = Tensor::empty(shape, dtype, Device::cpu());
  const Tensor out = device == Device::cpu() ? host_out : Tensor::empty(shape, dtype, device);
  autodiff::launch([=] {
    for (size_t k = 0; copy_in && k < inputs.size(); ++k) {
      if (inputs[k].device() != Device::cpu()) host[k].copy_from(inputs[k]);
    }
    fill(host, host_out);
    if (device != Device::cpu()) out.copy_from(host_out);
  });
  return out;
}

}  // namespace keras::layers
