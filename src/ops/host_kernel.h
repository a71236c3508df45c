// Host code and tensor values.
//
// Kernels that no backend has (bitwise integer ops, Fourier transforms, linalg factorizations)
// run as host loops: their tensors, on any device, pass through host buffers. The buffers are
// made when the op is called, outside autodiff::launch, so that a replayed trace allocates
// nothing; a tensor already on the host is used in place.
//
//   launch_on_host({a, b}, {out}, [op](const Tensors& in, const Tensors& out) {
//     run(op, in[0], in[1], out[0]);  // host tensors: raw_data() may be dereferenced
//   });
//
// An op whose output's shape or a constant it builds comes from its inputs' values (bincount's
// length, scatter's indices) reads them between kernels with values_on_host, which marks the
// active traces as not replayable (autodiff::depends_on_values).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "keras/autodiff/trace.h"
#include "keras/core/dtype.h"
#include "keras/core/tensor.h"
#include "keras/ops/elementwise.h"

namespace keras::ops::internal {

// Host copies of `inputs` and `outputs` (undefined tensors stay undefined).
class HostStaging {
 public:
  HostStaging(Tensors inputs, Tensors outputs)
      : inputs_(std::move(inputs)),
        outputs_(std::move(outputs)),
        host_inputs_(on_host(inputs_)),
        host_outputs_(on_host(outputs_)) {}

  // Copies the inputs in, runs kernel(host_inputs, host_outputs), copies the outputs back.
  template <class Kernel>
  void operator()(const Kernel& kernel) const {
    copy(inputs_, host_inputs_);
    kernel(std::as_const(host_inputs_), std::as_const(host_outputs_));
    copy(host_outputs_, outputs_);
  }

 private:
  static Tensors on_host(const Tensors& ts) {
    Tensors out;
    out.reserve(ts.size());
    for (const Tensor& t : ts)
      out.push_back(!t.defined() || t.device().is_host()
                        ? t
                        : Tensor::empty(t.shape(), t.dtype(), Device::cpu()));
    return out;
  }
  // A pair of which one is off the host is two tensors; a host pair is one tensor, not copied.
  static void copy(const Tensors& from, const Tensors& to) {
    for (size_t i = 0; i < from.size(); ++i) {
      if (from[i].defined() && !(from[i].device().is_host() && to[i].device().is_host()))
        to[i].copy_from(from[i]);
    }
  }

  Tensors inputs_, outputs_, host_inputs_, host_outputs_;
};

// Launches kernel(const Tensors& host_inputs, const Tensors& host_outputs) through HostStaging.
template <class Kernel>
void launch_on_host(Tensors inputs, Tensors outputs, Kernel kernel) {
  autodiff::launch([staging = HostStaging(std::move(inputs), std::move(outputs)),
                    kernel = std::move(kernel)] { staging(kernel); });
}

// t's values, converted to T, read on the host now (between kernels); marks the active traces
// not replayable.
template <class T>
std::vector<T> values_on_host(const Tensor& t) {
  autodiff::depends_on_values();
  const Tensor h = cast(t, dtype_of<T>()).cpu();
  return {h.data<T>(), h.data<T>() + h.size()};
}

}  // namespace keras::ops::internal
