// Per-thread scratch buffers for the CPU kernels: grown when too small and kept, so that a
// steady-state training step does not allocate. Each (T, Slot) is one buffer per thread; a kernel
// that needs several at once takes different slots. Internal linkage: each .cpp file that
// includes this has its own buffers, so kernels in different files never share one.
#pragma once

#include <cstddef>
#include <vector>

namespace keras::backend {
namespace {  // NOLINT(google-build-namespaces, cert-dcl59-cpp): per-file buffers, see above

template <class T, int Slot = 0>
T* scratch(size_t n) {
  thread_local std::vector<T> buffer;
  if (buffer.size() < n) buffer.resize(n);
  return buffer.data();
}

// Per-thread rows of n floats for tiled kernels: zeros to read where a tile reaches into padding,
// and a sink to write results that fall outside the output.
struct EdgeRows {
  const float* zeros;
  float* sink;
};
inline EdgeRows edge_rows(size_t n) {
  thread_local std::vector<float> zeros, sink;
  if (zeros.size() < n) {
    zeros.assign(n, 0.0f);
    sink.resize(n);
  }
  return {zeros.data(), sink.data()};
}

}  // namespace
}  // namespace keras::backend
