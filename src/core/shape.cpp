#include "keras/core/shape.h"

#include <algorithm>

#include "keras/core/error.h"

namespace keras {

int64_t num_elements(const Shape& shape) {
  for (int64_t d : shape) {
    KERAS_CHECK(d >= 0, ValueError, "shape ", shape_str(shape), " is not fully defined");
    if (d == 0) return 0;
  }
  int64_t n = 1;
  for (int64_t d : shape) {
    KERAS_CHECK(!__builtin_mul_overflow(n, d, &n), ValueError, "shape ", shape_str(shape),
                " has more elements than a tensor can hold");
  }
  return n;
}

int64_t checked_mul(int64_t a, int64_t b, std::string_view what) {
  int64_t out;
  KERAS_CHECK(!__builtin_mul_overflow(a, b, &out), ValueError, what, ": size ", a, " * ", b,
              " does not fit in 64 bits");
  return out;
}

int64_t checked_add(int64_t a, int64_t b, std::string_view what) {
  int64_t out;
  KERAS_CHECK(!__builtin_add_overflow(a, b, &out), ValueError, what, ": size ", a, " + ", b,
              " does not fit in 64 bits");
  return out;
}

std::string shape_str(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += shape[i] == kNone ? std::string("None") : std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

int normalize_axis(int axis, int rank) {
  KERAS_CHECK(axis >= -rank && axis < rank, ValueError, "axis ", axis,
              " is out of bounds for a tensor of rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

bool is_fully_defined(const Shape& shape) {
  return std::none_of(shape.begin(), shape.end(), [](int64_t d) { return d == kNone; });
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == db || db == 1) {
      out[i] = da;
    } else if (da == 1) {
      out[i] = db;
    } else if (da == kNone || db == kNone) {
      out[i] = da == kNone ? db : da;
    } else {
      throw ValueError(str("Cannot broadcast shapes ", shape_str(a), " and ", shape_str(b)));
    }
  }
  return out;
}

Shape to_shape(const std::vector<Dim>& dims) {
  Shape s;
  s.reserve(dims.size());
  for (const Dim& d : dims) {
    if (d && *d < 0) {
      std::string given = "(";
      for (size_t i = 0; i < dims.size(); ++i) {
        given += str(i ? ", " : "", dims[i] ? std::to_string(*dims[i]) : "None");
      }
      // kNone is what keras.cpp prints as None, so -1 is a likely slip for it: say how.
      throw ValueError(str("Cannot convert '", given, dims.size() == 1 ? ",)" : ")",
                           "' to a shape. Negative dimensions are not allowed.",
                           *d == kNone ? " (Keras's None is std::nullopt, or Dim{}, here)" : ""));
    }
    s.push_back(d.value_or(kNone));
  }
  return s;
}

}  // namespace keras
