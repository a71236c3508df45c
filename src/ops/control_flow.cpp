#include "keras/ops/control_flow.h"

#include <algorithm>
#include <numeric>

#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"
#include "ops/host_kernel.h"

namespace keras::ops::control_flow_detail {

bool truth(const Tensor& pred, const char* what) {
  KERAS_CHECK(pred.defined() && pred.rank() == 0, TypeError, what, ": Pred must be a scalar, got ",
              pred.defined() ? "a tensor" : "nothing", " of shape ",
              pred.defined() ? shape_str(pred.shape()) : "()", ".");
  return internal::values_on_host<double>(pred)[0] != 0.0;
}

int64_t branch(const Tensor& index, size_t branches) {
  KERAS_CHECK(branches > 0, ValueError, "Empty branch sequence");
  KERAS_CHECK(index.defined() && index.rank() == 0, TypeError,
              "Branch index must be scalar, got shape ",
              index.defined() ? shape_str(index.shape()) : "()", ".");
  KERAS_CHECK(is_integer(index.dtype()), TypeError, "Index type must be an integer, got ",
              dtype_name(index.dtype()), ".");
  return std::clamp<int64_t>(internal::values_on_host<int64_t>(index)[0], 0,
                             static_cast<int64_t>(branches) - 1);
}

Tensor row(const Tensor& x, int64_t i) {
  KERAS_CHECK(x.rank() >= 1, ValueError, "cannot scan over a scalar");
  return squeeze(slice_axis(x, 0, i, 1), 0);
}

Tensor stack_rows(const Tensors& rows) {
  Tensors expanded;
  for (const Tensor& r : rows) expanded.push_back(expand_dims(r, 0));
  return concatenate(expanded, 0);
}

void expect_same_types(const Tensors& in, const Tensors& out, const char* what) {
  KERAS_CHECK(in.size() == out.size(), TypeError, what,
              " body function carry input and carry output must have the same pytree "
              "structure: ",
              in.size(), " tensors in, ", out.size(), " out");
  for (size_t i = 0; i < in.size(); ++i) {
    KERAS_CHECK(
        out[i].defined() && in[i].shape() == out[i].shape() && in[i].dtype() == out[i].dtype(),
        TypeError, what,
        " body function carry input and carry output must have equal types: the input "
        "carry component [",
        i, "] has shape ", shape_str(in[i].shape()), " and dtype ", dtype_name(in[i].dtype()),
        " but the output has ", out[i].defined() ? shape_str(out[i].shape()) : "none", " and ",
        out[i].defined() ? dtype_name(out[i].dtype()) : "none");
  }
}

int64_t leading_size(const Tensors& xs, const char* what) {
  int64_t n = -1;
  for (const Tensor& x : xs) {
    KERAS_CHECK(x.rank() >= 1, ValueError, what, ": cannot iterate over a scalar");
    KERAS_CHECK(n < 0 || x.shape()[0] == n, ValueError, what,
                " got values with different leading axis sizes: ", n, ", ", x.shape()[0], ".");
    n = x.shape()[0];
  }
  return n;
}

namespace {

// x[start:stop:stride] along axis.
Tensor strided(const Tensor& x, int axis, int64_t start, int64_t stop, int64_t stride) {
  std::vector<int64_t> at;
  for (int64_t i = start; i < stop; i += stride) at.push_back(i);
  return take(x, Tensor::from_vector(at, {static_cast<int64_t>(at.size())}, x.device()), axis);
}

// result[0::2] = a, result[1::2] = b along axis (a as long as b or one longer).
Tensor interleave(const Tensor& a, const Tensor& b, int axis) {
  const int64_t na = a.shape()[static_cast<size_t>(axis)];
  const int64_t nb = b.shape()[static_cast<size_t>(axis)];
  std::vector<int64_t> at;
  for (int64_t i = 0; i < na + nb; ++i) at.push_back(i % 2 == 0 ? i / 2 : na + i / 2);
  return take(concatenate({a, b}, axis),
              Tensor::from_vector(at, {static_cast<int64_t>(at.size())}, a.device()), axis);
}

Tensors scan_impl(const Combine& f, const Tensors& elems, int axis) {
  const int64_t n = elems[0].shape()[static_cast<size_t>(axis)];
  if (n < 2) return elems;
  Tensors evens, odds;
  for (const Tensor& e : elems) {
    evens.push_back(strided(e, axis, 0, n - 1, 2));
    odds.push_back(strided(e, axis, 1, n, 2));
  }
  const Tensors odd = scan_impl(f, f(evens, odds), axis);
  Tensors rest;
  for (const Tensor& e : elems) rest.push_back(strided(e, axis, 2, n, 2));
  Tensors left = odd;
  if (n % 2 == 0) {
    for (Tensor& o : left) o = slice_axis(o, axis, 0, o.shape()[static_cast<size_t>(axis)] - 1);
  }
  const Tensors combined = f(left, rest);
  Tensors out;
  for (size_t k = 0; k < elems.size(); ++k) {
    const Tensor even = concatenate({slice_axis(elems[k], axis, 0, 1), combined[k]}, axis);
    out.push_back(interleave(even, odd[k], axis));
  }
  return out;
}

}  // namespace

Tensors associative_scan(const Combine& f, const Tensors& elems_in, bool reverse, int axis_in) {
  if (elems_in.empty()) return {};
  const int axis = normalize_axis(axis_in, elems_in[0].rank());
  const int64_t n = elems_in[0].shape()[static_cast<size_t>(axis)];
  bool same = true;
  std::string shapes;
  for (const Tensor& e : elems_in) {
    KERAS_CHECK(e.rank() > axis, ValueError, "associative_scan: axis ", axis_in,
                " is out of bounds for an element of shape ", shape_str(e.shape()));
    same = same && e.shape()[static_cast<size_t>(axis)] == n;
    shapes += (shapes.empty() ? "" : ", ") + shape_str(e.shape());
  }
  KERAS_CHECK(same, ValueError,
              "Array inputs to associative_scan must have the same first dimension. (saw: [",
              shapes, "])");
  Tensors elems = elems_in;
  if (reverse) {
    for (Tensor& e : elems) e = flip(e, {axis});
  }
  Tensors out = scan_impl(f, elems, axis);
  if (reverse) {
    for (Tensor& o : out) o = flip(o, {axis});
  }
  return out;
}

}  // namespace keras::ops::control_flow_detail
