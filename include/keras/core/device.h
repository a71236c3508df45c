// Where a tensor's memory lives.
//
// cpu is the host: its memory is ordinary memory that host code may read through Tensor's host
// accessors. Every other device's memory belongs to its backend (keras/backend/backend.h) and is
// reached only through it: cuda is reserved for the CUDA backend; guarded is the test-only
// device (tests/harness/guarded_device.h), host pages that stay unreadable except while its
// backend's kernels and copies run, which proves that nothing above backend/ reads device memory.
#pragma once

#include <ostream>

namespace keras {

enum class DeviceType : unsigned char { cpu, cuda, guarded };

struct Device {
  DeviceType type = DeviceType::cpu;
  int index = 0;
  static constexpr Device cpu() { return {}; }
  // Host memory: readable by host code.
  bool is_host() const { return type == DeviceType::cpu; }
  friend bool operator==(const Device&, const Device&) = default;
};

inline std::ostream& operator<<(std::ostream& out, const Device& d) {
  const char* names[] = {"cpu", "cuda", "guarded"};
  return out << names[static_cast<int>(d.type)] << ':' << d.index;
}

// The device tensors are created on when none is given: the innermost DeviceScope's on this
// thread, else cpu:0 (as TensorFlow's `with tf.device(...)`). Ops put their results on their
// inputs' device; only creation without inputs (Tensor::empty, zeros, keras::random, weights,
// the trainer's batch buffers) reads this.
Device default_device();

class DeviceScope {
 public:
  explicit DeviceScope(Device device);
  ~DeviceScope();
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  Device previous_;
};

}  // namespace keras
