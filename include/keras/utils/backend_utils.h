// keras.utils.normalize, is_keras_tensor and standardize_dtype.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "keras/core/dtype.h"
#include "keras/core/tensor.h"
#include "keras/layers/keras_tensor.h"

namespace keras::utils {

// x divided by its `order`-norm along `axis` (keras.utils.normalize on a backend tensor, which is
// keras::ops::normalize).
Tensor normalize(const Tensor& x, int axis = -1, int order = 2);

// True for a symbolic KerasTensor (a functional model's graph), false for a Tensor or anything
// else: C++ answers from the static type, where Keras checks isinstance.
template <class T>
constexpr bool is_keras_tensor(const T&) {
  return std::is_same_v<std::remove_cvref_t<T>, KerasTensor>;
}

// Keras's canonical dtype name: "float32" for none (Keras's floatx), "int32" for "int" (Keras's
// map for the JAX, torch and NumPy backends), any name of keras.backend's ALLOWED_DTYPES
// unchanged ("float16", "bfloat16", "complex64" ... even those keras.cpp's tensors do not hold).
// ValueError "Invalid dtype: <name>" otherwise.
std::string standardize_dtype(std::optional<std::string_view> dtype = std::nullopt);
inline std::string standardize_dtype(DType dtype) {
  return std::string(dtype_name(dtype));
}
// Disambiguates a string literal from DType.
inline std::string standardize_dtype(const char* dtype) {
  return standardize_dtype(std::optional<std::string_view>(dtype));
}

}  // namespace keras::utils
