// Typed access to a tensor's memory inside kernels. Tensor::data<T>() is the host accessor and
// refuses memory that is not the host's; a kernel runs where its tensors' memory is, so it reads
// raw_data() through this instead (checking only the dtype).
#pragma once

#include "keras/core/tensor.h"

namespace keras::backend {

template <class T>
T* kernel_data(const Tensor& t) {
  KERAS_CHECK(t.dtype() == dtype_of<T>(), TypeError, "kernel: tensor of dtype ", t.dtype(),
              " accessed as ", dtype_of<T>());
  return static_cast<T*>(t.raw_data());
}

}  // namespace keras::backend
