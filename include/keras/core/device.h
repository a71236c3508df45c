// Where a tensor's memory lives. Only the CPU exists today; the CUDA backend will add cuda.
#pragma once

#include <ostream>

namespace keras {

enum class DeviceType : unsigned char { cpu, cuda };

struct Device {
  DeviceType type = DeviceType::cpu;
  int index = 0;
  friend bool operator==(const Device&, const Device&) = default;
};

inline std::ostream& operator<<(std::ostream& out, const Device& d) {
  return out << (d.type == DeviceType::cpu ? "cpu" : "cuda") << ':' << d.index;
}

}  // namespace keras
