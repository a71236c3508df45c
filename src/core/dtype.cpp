#include "keras/core/dtype.h"

#include "keras/core/error.h"

namespace keras {

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::float32:
      return "float32";
    case DType::float64:
      return "float64";
    case DType::int32:
      return "int32";
    case DType::int64:
      return "int64";
    case DType::uint8:
      return "uint8";
    case DType::bool_:
      return "bool";
    case DType::string:
      return "string";
  }
  return "?";
}

DType dtype_from_name(std::string_view name) {
  for (DType d : {float32, float64, int32, int64, uint8, bool_, string_}) {
    if (dtype_name(d) == name) return d;
  }
  throw TypeError(str("Invalid dtype: '", name,
                      "'. Expected one of float32, float64, int32, int64, uint8, bool, string."));
}

void throw_string_dtype(std::string_view what) {
  throw TypeError(str(what,
                      " does not take string tensors (dtype string): strings go to the text "
                      "layers (StringLookup, Hashing) that turn them into numbers"));
}

std::ostream& operator<<(std::ostream& out, DType dtype) {
  return out << dtype_name(dtype);
}

}  // namespace keras
