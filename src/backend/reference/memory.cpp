// Host memory: what both CPU backends allocate, so tensors pass freely between them.
#include <sys/sysinfo.h>

#include <cstdlib>
#include <cstring>
#include <limits>

#include "backend/reference/reference_backend.h"

namespace keras::backend {
namespace {

constexpr size_t kAlignment = 64;

// Physical memory plus swap.
size_t machine_memory_bytes() {
  static const size_t bytes = [] {
    struct sysinfo info {};
    if (sysinfo(&info) != 0) return std::numeric_limits<size_t>::max();
    return static_cast<size_t>(info.totalram + info.totalswap) * info.mem_unit;
  }();
  return bytes;
}

void check_host(Device device, const char* what) {
  KERAS_CHECK(device.is_host(), RuntimeError, what, ": the CPU backend has no memory on device ",
              device);
}

}  // namespace

void* ReferenceBackend::allocate(size_t nbytes, Device device) {
  check_host(device, "allocate");
  const size_t rounded = (std::max<size_t>(nbytes, 1) + kAlignment - 1) / kAlignment * kAlignment;
  // Tensors are written in full, so one larger than the machine's memory could never be filled.
  const bool fits = rounded >= nbytes && rounded <= machine_memory_bytes();
  void* data = fits ? std::aligned_alloc(kAlignment, rounded) : nullptr;
  if (data == nullptr) throw MemoryError(str("Unable to allocate ", byte_size_str(nbytes)));
  return data;
}

void ReferenceBackend::deallocate(void* data, size_t, Device) noexcept {
  std::free(data);
}

void ReferenceBackend::copy_bytes(
    const void* src, Device src_device, void* dst, Device dst_device, size_t nbytes) {
  check_host(src_device, "copy_bytes");
  check_host(dst_device, "copy_bytes");
  if (nbytes > 0 && src != dst) std::memmove(dst, src, nbytes);
}

void ReferenceBackend::synchronize(Device) {}

}  // namespace keras::backend
