// The op table's rows for the last of keras.ops' NumPy classes that a functional model can hold:
// Lcm, Nextafter, Real, Imag, Angle, View, AllClose, Histogram, Full, EmptyLike, Array, Ndim and
// Size. (Arange takes no symbolic tensor in Keras 3; Nonzero's and Unique's shapes depend on the
// values, which a graph's shape inference cannot follow.)
#include "keras/config/json.h"
#include "keras/ops/bitwise.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/math.h"
#include "keras/ops/numpy.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "op_args.h"

namespace keras::layers::op_table {
namespace {

Fn view_fn(const Call& c) {
  const std::optional<DType> dtype = dtype_of(c);
  return unary_fn(c, [dtype](const Tensor& x) { return ops::view(x, dtype); });
}

Fn allclose_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  const double rtol = number_of(c, "rtol", 1e-5), atol = number_of(c, "atol", 1e-8);
  const bool equal_nan = bool_of(c, "equal_nan", false);
  return [=](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::allclose(t[0], t[1], rtol, atol, equal_nan)};
  };
}

Fn histogram_fn(const Call& c) {
  const Json* b = config::find(c.config, "bins");
  const int64_t bins = b == nullptr ? 10 : config::convert<int64_t>(*b, "bins", w(c));
  KERAS_CHECK(bins >= 0 && bins <= (int64_t{1} << 20), ValueError, c.what,
              ": Histogram's 'bins' must be in [0, 2^20], got ", bins);
  const Json* r = config::find(c.config, "range");
  std::optional<std::pair<double, double>> range;
  if (r != nullptr && !r->is_null()) {
    const auto v = config::convert<std::vector<double>>(*r, "range", w(c));
    KERAS_CHECK(v.size() == 2, ValueError, c.what,
                ": Argument `range` must be a tuple of two elements.");
    range = std::make_pair(v[0], v[1]);
  }
  expect_one_tensor(c);
  return [bins, range](const Tensors& in) {
    auto [counts, edges] = ops::histogram(in[0], bins, range);
    return Tensors{counts, edges};
  };
}

// keras.ops.full(shape, fill_value) with a tensor fill_value: broadcast to the config's shape,
// in its dtype (default float32, Keras's floatx).
Fn full_fn(const Call& c) {
  const std::vector<int64_t> dims = ints_of(c, "shape");
  KERAS_CHECK(dims.size() <= 32, ValueError, c.what, ": Full's shape has too many axes");
  const Shape shape(dims.begin(), dims.end());
  const DType dtype = dtype_of(c).value_or(float32);
  const auto o = operands(c, 1, 0);
  return [=](const Tensors& in) {
    return Tensors{ops::broadcast_to(ops::cast(resolve(o, 0, in)[0], dtype), shape)};
  };
}

// EmptyLike (zeros, as JAX's) and Array (a copy) in the config's dtype, else x's.
template <bool kZeros>
Fn like_fn(const Call& c) {
  const std::optional<DType> dtype = dtype_of(c);
  return unary_fn(c, [dtype](const Tensor& x) {
    const Tensor y = ops::cast(x, dtype.value_or(x.dtype()));
    return kZeros ? ops::zeros_like(y) : ops::copy(y);
  });
}

Tensor size_of(const Tensor& x) {
  return Tensor::scalar<int32_t>(static_cast<int32_t>(x.size()), x.device());
}

}  // namespace

std::vector<Spec> numpy_rows() {
  const std::vector<std::string> none;
  return {
      {"Lcm", kNumpy, none, none, binary<ops::lcm>},
      {"Nextafter", kNumpy, none, none, binary<ops::nextafter>},
      {"Real", kNumpy, none, none, unary<ops::real>},
      {"Imag", kNumpy, none, none, unary<ops::imag>},
      {"Angle", kNumpy, none, none, unary<ops::angle>},
      {"View", kNumpy, {"dtype"}, none, view_fn},
      {"AllClose", kNumpy, {"rtol", "atol", "equal_nan"}, none, allclose_fn},
      {"Histogram", kNumpy, {"bins", "range"}, none, histogram_fn},
      {"Full", kNumpy, {"shape", "dtype"}, none, full_fn},
      {"EmptyLike", kNumpy, {"dtype"}, none, like_fn<true>},
      {"Array", kNumpy, {"dtype"}, none, like_fn<false>},
      {"Ndim", kNumpy, none, none, unary<ops::ndim>},
      {"Size", kNumpy, none, none, unary<size_of>},
  };
}

}  // namespace keras::layers::op_table
