// The guarded device: a test-only device whose memory host code cannot touch except through its
// backend. It proves the backend/memory seam (keras/backend/backend.h): everything above
// backend/ must reach tensor memory through Tensor's host accessors, and a backend added
// outside the library (as a CUDA backend would be) needs nothing else.
//
//   test::OnGuardedDevice scope;           // tensors created without a device land there
//   Tensor x = some_cpu_tensor.to(test::guarded_device());
//   Tensor y = ops::relu(x);               // runs the CPU backend's kernels on guarded memory
//   expect_same(y.cpu(), ...);             // read back through the backend
//
// Its memory is one arena of host pages that stay inaccessible (PROT_NONE) except while its
// backend runs a kernel or a copy: a stray read or write from host code (a raw_data()
// dereference, a memcpy) faults, and the process aborts with "guarded device: host code
// touched device memory at 0x... outside the backend". Host accessors (data<T>(), at<T>())
// throw RuntimeError for its tensors, as for any non-host device. Its kernels are the CPU
// backend's, so results are bit-identical to the CPU's for the same kernels on the same shapes;
// each kernel first checks that every tensor it is given is on the guarded device
// (RuntimeError "guarded device: kernel gemm was given a tensor on cpu:0"), so an op that
// builds a tensor on the wrong device is caught.
#pragma once

#include "keras/core/device.h"

namespace keras::test {

// guarded:0; registers its backend on first use (it stays registered for the process).
Device guarded_device();

// While alive, tensors created without an explicit device are on the guarded device.
class OnGuardedDevice {
 public:
  OnGuardedDevice();

 private:
  DeviceScope scope_;
};

}  // namespace keras::test
