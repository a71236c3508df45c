// Element types. Names follow Keras/NumPy ("float32", "int32", "bool", "string").
//
// string: a tensor of UTF-8 byte strings (Keras's "string" inputs, for StringLookup, Hashing and
// the other text layers). String tensors live on the host; they are made with
// Tensor::from_strings and read with Tensor::strings(). Only the layers and functions that say so
// take them: the numeric ops, kernels and raw memory access throw TypeError for them.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>

namespace keras {

enum class DType : uint8_t { float32, float64, int32, int64, uint8, bool_, string };

inline constexpr DType float32 = DType::float32;
inline constexpr DType float64 = DType::float64;
inline constexpr DType int32 = DType::int32;
inline constexpr DType int64 = DType::int64;
inline constexpr DType uint8 = DType::uint8;
inline constexpr DType bool_ = DType::bool_;
inline constexpr DType string_ = DType::string;

// Bytes per element. Inline: hot loops call it per row (an out-of-line call per 64-byte prefetch
// was 0.6% of a data-parallel news_mimo step).
constexpr size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::float32:
    case DType::int32:
      return 4;
    case DType::float64:
    case DType::int64:
      return 8;
    case DType::uint8:
    case DType::bool_:
      return 1;
    case DType::string:  // the strings are not in the tensor's bytes (Storage::strings)
      return 0;
  }
  return 0;
}
std::string_view dtype_name(DType dtype);
// Parses "float32", "float64", "int32", "int64", "uint8", "bool", "string"; throws TypeError
// otherwise.
DType dtype_from_name(std::string_view name);
inline bool is_floating(DType d) {
  return d == DType::float32 || d == DType::float64;
}
inline bool is_integer(DType d) {
  return d == DType::int32 || d == DType::int64 || d == DType::uint8;
}
std::ostream& operator<<(std::ostream& out, DType dtype);
// TypeError "<what> does not take string tensors" (visit_dtype's answer for DType::string).
[[noreturn]] void throw_string_dtype(std::string_view what);

// C++ type -> DType.
template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return DType::float32;
}
template <>
constexpr DType dtype_of<double>() {
  return DType::float64;
}
template <>
constexpr DType dtype_of<int32_t>() {
  return DType::int32;
}
template <>
constexpr DType dtype_of<int64_t>() {
  return DType::int64;
}
template <>
constexpr DType dtype_of<uint8_t>() {
  return DType::uint8;
}
template <>
constexpr DType dtype_of<bool>() {
  return DType::bool_;
}

// static_cast<D>(v), defined for every value: a floating value converted to an integer type
// saturates at the type's limits and NaN becomes 0 (as XLA converts; C++ leaves out-of-range
// conversions undefined).
template <class D, class S>
constexpr D value_cast(S v) {
  if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D> && !std::is_same_v<D, bool>) {
    if (std::isnan(v)) return D(0);
    if (v <= static_cast<S>(std::numeric_limits<D>::min())) return std::numeric_limits<D>::min();
    if (v >= static_cast<S>(std::numeric_limits<D>::max())) return std::numeric_limits<D>::max();
  }
  return static_cast<D>(v);
}

// Calls f.template operator()<T>() with T the C++ type of `dtype`; TypeError for DType::string
// (numeric code does not take strings).
template <class F>
decltype(auto) visit_dtype(DType dtype, F&& f) {
  switch (dtype) {
    case DType::float32:
      return f.template operator()<float>();
    case DType::float64:
      return f.template operator()<double>();
    case DType::int32:
      return f.template operator()<int32_t>();
    case DType::int64:
      return f.template operator()<int64_t>();
    case DType::uint8:
      return f.template operator()<uint8_t>();
    case DType::bool_:
      return f.template operator()<bool>();
    case DType::string:
      throw_string_dtype("this operation");
  }
  return f.template operator()<float>();
}

}  // namespace keras
