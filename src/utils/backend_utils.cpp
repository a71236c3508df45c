#include "keras/utils/backend_utils.h"

#include <algorithm>
#include <array>

#include "keras/core/error.h"
#include "keras/ops/nn.h"

namespace keras::utils {

Tensor normalize(const Tensor& x, int axis, int order) {
  return ops::normalize(x, axis, order);
}

std::string standardize_dtype(std::optional<std::string_view> dtype) {
  static constexpr std::array<std::string_view, 18> kAllowed = {
      "float16", "float32", "float64",       "uint8",       "uint16",    "uint32",
      "uint64",  "int8",    "int16",         "int32",       "int64",     "bfloat16",
      "bool",    "string",  "float8_e4m3fn", "float8_e5m2", "complex64", "complex128"};
  if (!dtype) return "float32";
  if (*dtype == "int") return "int32";
  KERAS_CHECK(std::find(kAllowed.begin(), kAllowed.end(), *dtype) != kAllowed.end(), ValueError,
              "Invalid dtype: ", *dtype);
  return std::string(*dtype);
}

}  // namespace keras::utils
