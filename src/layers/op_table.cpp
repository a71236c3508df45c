#include "op_table.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <tuple>

#include "keras/config/json.h"
#include "keras/ops/activations.h"
#include "keras/ops/attention.h"
#include "keras/ops/conv.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/image.h"
#include "keras/ops/linalg.h"
#include "keras/ops/math.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "keras/ops/sort.h"
#include "op_args.h"

namespace keras::layers::op_table {

bool has_class(const Json& j, const char* cls) {
  if (!j.is_object()) return false;
  auto it = j.find("class_name");
  return it != j.end() && it->is_string() && it->get<std::string>() == cls;
}
bool is_tensor(const Json& j) {
  return has_class(j, "__keras_tensor__");
}

// A constant array: Keras writes NumPy arrays as __numpy__, backend tensors as __tensor__.
bool is_array_constant(const Json& j) {
  return has_class(j, "__numpy__") || has_class(j, "__tensor__");
}

// ---- arguments ----

void expect_arity(const Call& c, size_t n) {
  const char* cls = c.cls;
  KERAS_CHECK(c.args.is_array(), ValueError, c.what, ": the arguments of its call must be a list");
  KERAS_CHECK(c.args.size() == n, ValueError, c.what, ": ", cls, " takes ", n,
              " positional argument(s), its saved call passes ", c.args.size());
}

Operand operand(const Json& a, int& next, const Call& c, size_t i) {
  const char* cls = c.cls;
  if (is_tensor(a)) return {next++, {}, 0, false};
  if (a.is_boolean()) return {-1, {}, a.get<bool>() ? 1.0 : 0.0, true};
  if (a.is_number()) return {-1, {}, a.get<double>(), false};
  if (is_array_constant(a)) return {-1, numpy_from_json(a, c.what), 0, false};
  throw ValueError(str(c.what, ": argument ", i, " of ", cls,
                       " must be a tensor or a number, got a JSON ", a.type_name()));
}

// A Python scalar beside tensor x, as JAX promotes it: a non-integral number makes an integer or
// bool x float32, any other number makes a bool x int32.
Tensor constant_for(const Operand& c, Tensor& x) {
  if (!c.boolean && !is_floating(x.dtype())) {
    if (c.value != std::floor(c.value)) {
      x = ops::cast(x, float32);
    } else if (x.dtype() == bool_) {
      x = ops::cast(x, int32);
    }
  }
  return ops::scalar_like(c.value, x);
}

// The operands of an elementwise call, from the node's inputs; `first` is the first operand that
// takes part in promotion (Where's condition does not).
std::vector<Operand> operands(const Call& c, size_t n, size_t first) {
  const char* cls = c.cls;
  expect_arity(c, n);
  std::vector<Operand> out;
  int next = 0;
  for (size_t i = 0; i < n; ++i) out.push_back(operand(c.args[i], next, c, i));
  bool any = false;
  for (size_t i = first; i < n; ++i) any = any || out[i].input >= 0 || out[i].constant.defined();
  KERAS_CHECK(any && next > 0, ValueError, c.what, ": ", cls, " is called without a tensor");
  return out;
}

Tensors resolve(const std::vector<Operand>& ops_, size_t first, const Tensors& in) {
  Tensors t(ops_.size());
  for (size_t i = 0; i < ops_.size(); ++i) {
    if (ops_[i].input >= 0) t[i] = in[static_cast<size_t>(ops_[i].input)];
    if (ops_[i].constant.defined()) t[i] = ops_[i].constant;
  }
  size_t ref = first;
  while (!t[ref].defined()) ++ref;  // operands() checked there is one
  for (size_t i = 0; i < ops_.size(); ++i) {
    if (!t[i].defined()) t[i] = constant_for(ops_[i], t[ref]);
  }
  return t;
}

void expect_one_tensor(const Call& c) {
  const char* cls = c.cls;
  expect_arity(c, 1);
  KERAS_CHECK(is_tensor(c.args[0]), ValueError, c.what, ": argument 0 of ", cls,
              " must be a tensor, got a JSON ", c.args[0].type_name());
}

// A list of tensors as the only argument (Concatenate, Stack).
void expect_tensor_list(const Call& c) {
  const char* cls = c.cls;
  expect_arity(c, 1);
  KERAS_CHECK(c.args[0].is_array() && !c.args[0].empty() &&
                  std::all_of(c.args[0].begin(), c.args[0].end(), is_tensor),
              ValueError, c.what, ": ", cls, " takes a list of tensors");
}

// ---- config values ----

const char* w(const Call& c) {
  return c.what.c_str();
}

std::vector<int> axes_of(const Call& c, const char* key) {
  const Json* j = config::find(c.config, key);
  if (j == nullptr) return {};  // all axes
  if (!j->is_array()) return {config::convert<int>(*j, key, w(c))};
  KERAS_CHECK(!j->empty() && j->size() <= 64, ValueError, c.what, ": '", key,
              "' must be an int or a non-empty list of ints");
  return config::convert<std::vector<int>>(*j, key, w(c));
}

int int_of(const Call& c, const char* key, int fallback) {
  return config::get<int>(c.config, key, fallback, w(c));
}
double number_of(const Call& c, const char* key, double fallback) {
  return config::get<double>(c.config, key, fallback, w(c));
}
bool bool_of(const Call& c, const char* key, bool fallback) {
  return config::get<bool>(c.config, key, fallback, w(c));
}
void expect_null(const Call& c, const char* key, const char* cls) {
  KERAS_CHECK(config::find(c.config, key) == nullptr, ValueError, c.what, ": keras.cpp's ", cls,
              " supports only '", key, "': null, got ",
              config::json_excerpt(config::value(c.config, key, nullptr)));
}
std::optional<DType> dtype_of(const Call& c) {
  const Json* d = config::find(c.config, "dtype");
  if (d == nullptr) return std::nullopt;
  return config::dtype_from_json(*d);
}

// An op's data_format: null (Keras's default image_data_format) is channels_last.
std::string data_format_of(const Call& c) {
  const Json* j = config::find(c.config, "data_format");
  const std::string data_format = j == nullptr || j->is_null()
                                      ? "channels_last"
                                      : config::convert<std::string>(*j, "data_format", w(c));
  KERAS_CHECK(data_format == "channels_last" || data_format == "channels_first", ValueError, c.what,
              ": data_format must be 'channels_last' or 'channels_first', got '", data_format, "'");
  return data_format;
}

int normalize_axis(int axis, int rank, const char* what) {
  KERAS_CHECK(axis >= -rank && axis < rank, ValueError, what, ": axis ", axis,
              " is out of bounds for a tensor of rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

// keras.ops.take(x, indices, axis): indices' dimensions replace the axis (axis null: flattened x).
Tensor take_along(Tensor x, Tensor idx, std::optional<int> axis, const std::string& what) {
  if (!axis) {
    x = ops::reshape(x, {-1});
    axis = 0;
  }
  const int a = normalize_axis(*axis, x.rank(), what.c_str());
  if (is_floating(idx.dtype()) || idx.dtype() == bool_) idx = ops::cast(idx, int32);
  if (idx.dtype() != int32 && idx.dtype() != int64) idx = ops::cast(idx, int64);
  return ops::take(x, idx, a);
}

// Constant indices with NumPy's negative indices counted from the end of the axis.
Tensor wrapped_indices(const Tensor& idx, int64_t size) {
  if (!is_integer(idx.dtype())) return idx;
  const Tensor negative = ops::less(idx, ops::scalar_like(0, idx));
  return ops::where(negative, ops::add(idx, ops::scalar_like(static_cast<double>(size), idx)), idx);
}

namespace {

// ---- rows ----

Fn where_fn(const Call& c) {
  const auto o = operands(c, 3, 1);
  KERAS_CHECK(o[0].input >= 0 || o[0].constant.defined(), ValueError, c.what,
              ": Where's condition must be a tensor");
  return [o](const Tensors& in) {
    Tensors t = resolve(o, 1, in);
    if (t[0].dtype() != bool_) t[0] = ops::not_equal(t[0], ops::zeros_like(t[0]));
    return Tensors{ops::where(t[0], t[1], t[2])};
  };
}

template <Tensor (*F)(const Tensor&, std::vector<int>, bool)>
Fn reduction(const Call& c) {
  expect_one_tensor(c);
  if (c.config.contains("initial")) expect_null(c, "initial", "reduction");
  if (c.config.contains("dtype")) expect_null(c, "dtype", "reduction");
  const std::vector<int> axes = axes_of(c);
  const bool keepdims = bool_of(c, "keepdims", false);
  return [axes, keepdims](const Tensors& in) { return Tensors{F(in[0], axes, keepdims)}; };
}

template <Tensor (*F)(const Tensor&, int, bool)>
Fn arg_reduction(const Call& c) {
  expect_one_tensor(c);
  const bool flat = config::find(c.config, "axis") == nullptr;
  const int axis = int_of(c, "axis", 0);
  const bool keepdims = bool_of(c, "keepdims", false);
  KERAS_CHECK(!(flat && keepdims), ValueError, c.what,
              ": keras.cpp does not support 'axis': null with 'keepdims': true");
  return [=](const Tensors& in) {
    return Tensors{F(flat ? ops::reshape(in[0], {-1}) : in[0], axis, keepdims)};
  };
}

template <Tensor (*F)(const Tensor&, int)>
Fn axis_activation(const Call& c) {
  const Json* a = config::find(c.config, "axis");
  KERAS_CHECK(a == nullptr || !a->is_array() || a->size() == 1, ValueError, c.what,
              ": keras.cpp supports one int 'axis' here, got ", config::json_excerpt(*a));
  const int axis =
      a == nullptr ? -1 : config::convert<int>(a->is_array() ? (*a)[0] : *a, "axis", w(c));
  return unary_fn(c, [axis](const Tensor& x) { return F(x, axis); });
}

Fn reshape_fn(const Call& c) {
  const Json* s = config::find(c.config, "newshape");
  KERAS_CHECK(s != nullptr, ValueError, c.what, ": Reshape needs a 'newshape'");
  Shape shape;
  if (s->is_array()) {
    KERAS_CHECK(s->size() <= 64, ValueError, c.what, ": 'newshape' has too many entries");
    for (const Json& d : *s) {
      shape.push_back(d.is_null() ? -1 : config::convert<int64_t>(d, "newshape", w(c)));
      KERAS_CHECK(shape.back() >= -1, ValueError, c.what, ": 'newshape' entries must be >= -1");
    }
  } else {
    shape.push_back(config::convert<int64_t>(*s, "newshape", w(c)));
  }
  KERAS_CHECK(std::count(shape.begin(), shape.end(), -1) <= 1, ValueError, c.what,
              ": 'newshape' can have at most one -1 (unknown) entry");
  return unary_fn(c, [shape](const Tensor& x) { return ops::reshape(x, shape); });
}

Fn transpose_fn(const Call& c) {
  const Json* a = config::find(c.config, "axes");
  const std::vector<int> axes =
      a == nullptr ? std::vector<int>{} : config::convert<std::vector<int>>(*a, "axes", w(c));
  return unary_fn(c, [axes](const Tensor& x) { return ops::transpose(x, axes); });
}

}  // namespace

// An int or a list of ints under `key` (absent or null: empty).
std::vector<int64_t> ints_of(const Call& c, const char* key) {
  const Json* j = config::find(c.config, key);
  if (j == nullptr || j->is_null()) return {};
  if (!j->is_array()) return {config::convert<int64_t>(*j, key, w(c))};
  KERAS_CHECK(j->size() <= 64, ValueError, c.what, ": '", key, "' has more than 64 entries");
  return config::convert<std::vector<int64_t>>(*j, key, w(c));
}

// An op of x and the config's int k (tril, triu, diag).
namespace {

template <Tensor (*F)(const Tensor&, int)>
Fn k_fn(const Call& c) {
  const int k = int_of(c, "k", 0);
  return unary_fn(c, [k](const Tensor& x) { return F(x, k); });
}

Fn flip_fn(const Call& c) {
  const std::vector<int> axes = axes_of(c);
  return unary_fn(c, [axes](const Tensor& x) { return ops::flip(x, axes); });
}

Fn roll_fn(const Call& c) {
  const std::vector<int64_t> shifts = ints_of(c, "shift");
  KERAS_CHECK(!shifts.empty(), ValueError, c.what, ": Roll needs a 'shift'");
  const std::vector<int> axes = axes_of(c);
  return unary_fn(c, [shifts, axes](const Tensor& x) { return ops::roll(x, shifts, axes); });
}

Fn tile_fn(const Call& c) {
  const std::vector<int64_t> repeats = ints_of(c, "repeats");
  KERAS_CHECK(!repeats.empty(), ValueError, c.what, ": Tile needs 'repeats'");
  return unary_fn(c, [repeats](const Tensor& x) { return ops::tile(x, repeats); });
}

template <Tensor (*F)(const Tensor&, std::optional<int>)>
Fn scan_fn(const Call& c) {
  if (c.config.contains("dtype")) expect_null(c, "dtype", "cumulative op");
  const Json* a = config::find(c.config, "axis");
  const std::optional<int> axis =
      a == nullptr || a->is_null() ? std::nullopt : std::optional<int>(int_of(c, "axis", 0));
  return unary_fn(c, [axis](const Tensor& x) { return F(x, axis); });
}

template <Tensor (*F)(const Tensor&, int)>
Fn sort_fn(const Call& c) {
  const int axis = int_of(c, "axis", -1);
  return unary_fn(c, [axis](const Tensor& x) { return F(x, axis); });
}

Fn top_k_fn(const Call& c) {
  expect_one_tensor(c);
  const Json* k = config::find(c.config, "k");
  KERAS_CHECK(k != nullptr && k->is_number_integer(), ValueError, c.what,
              ": TopK needs an int 'k'");
  const int64_t count = k->get<int64_t>();
  const bool sorted = bool_of(c, "sorted", true);
  return [count, sorted](const Tensors& in) {
    auto [values, indices] = ops::top_k(in[0], count, sorted);
    return Tensors{values, indices};
  };
}

Fn take_along_axis_fn(const Call& c) {
  expect_arity(c, 2);
  KERAS_CHECK(is_tensor(c.args[0]) && is_tensor(c.args[1]), ValueError, c.what,
              ": keras.cpp's TakeAlongAxis takes two tensors");
  const Json* a = config::find(c.config, "axis");
  const std::optional<int> axis =
      a == nullptr || a->is_null() ? std::nullopt : std::optional<int>(int_of(c, "axis", 0));
  return [axis](const Tensors& in) { return Tensors{ops::take_along_axis(in[0], in[1], axis)}; };
}

template <Tensor (*F)(const Tensor&, int, int, int)>
Fn diagonal_fn(const Call& c) {
  const int offset = int_of(c, "offset", 0), a = int_of(c, "axis1", 0), b = int_of(c, "axis2", 1);
  return unary_fn(c, [=](const Tensor& x) { return F(x, offset, a, b); });
}

Fn diff_fn(const Call& c) {
  const int n = int_of(c, "n", 1), axis = int_of(c, "axis", -1);
  return unary_fn(c, [n, axis](const Tensor& x) { return ops::diff(x, n, axis); });
}

Fn nan_to_num_fn(const Call& c) {
  auto optional_number = [&c](const char* key) {
    const Json* j = config::find(c.config, key);
    return j == nullptr ? std::nullopt : std::optional<double>(number_of(c, key, 0.0));
  };
  const double nan = number_of(c, "nan", 0.0);
  const std::optional<double> posinf = optional_number("posinf"),
                              neginf = optional_number("neginf");
  return unary_fn(c, [=](const Tensor& x) { return ops::nan_to_num(x, nan, posinf, neginf); });
}

Fn count_nonzero_fn(const Call& c) {
  const std::vector<int> axes = axes_of(c);
  return unary_fn(c, [axes](const Tensor& x) { return ops::count_nonzero(x, axes); });
}

Fn moments_fn(const Call& c) {
  expect_one_tensor(c);
  KERAS_CHECK(config::find(c.config, "axes") != nullptr, ValueError, c.what,
              ": Moments needs 'axes'");
  const std::vector<int> axes = axes_of(c, "axes");
  const bool keepdims = bool_of(c, "keepdims", false);
  return [axes, keepdims](const Tensors& in) {
    const ops::Moments m = ops::moments(in[0], axes, keepdims);
    return Tensors{m.mean, m.variance};
  };
}

template <Tensor (*F)(const Tensors&)>
Fn stack_like_fn(const Call& c) {
  expect_tensor_list(c);
  return [](const Tensors& in) { return Tensors{F(in)}; };
}

Fn swapaxes_fn(const Call& c) {
  KERAS_CHECK(config::find(c.config, "axis1") && config::find(c.config, "axis2"), ValueError,
              c.what, ": Swapaxes needs 'axis1' and 'axis2'");
  const int a = int_of(c, "axis1", 0), b = int_of(c, "axis2", 0);
  return unary_fn(c, [a, b](const Tensor& x) { return ops::swapaxes(x, a, b); });
}

Fn moveaxis_fn(const Call& c) {
  KERAS_CHECK(config::find(c.config, "source") && config::find(c.config, "destination"), ValueError,
              c.what, ": Moveaxis needs 'source' and 'destination'");
  const std::vector<int> source = axes_of(c, "source");
  const std::vector<int> destination = axes_of(c, "destination");
  return unary_fn(
      c, [source, destination](const Tensor& x) { return ops::moveaxis(x, source, destination); });
}

Fn expand_dims_fn(const Call& c) {
  const Json* a = config::find(c.config, "axis");
  KERAS_CHECK(a != nullptr, ValueError, c.what, ": ExpandDims needs an 'axis'");
  const std::vector<int> axes = axes_of(c);
  return unary_fn(c, [axes, what = c.what](const Tensor& x) {
    const int rank = x.rank() + static_cast<int>(axes.size());
    std::vector<int> at;
    for (int a : axes) at.push_back(normalize_axis(a, rank, what.c_str()));
    std::sort(at.begin(), at.end());
    Tensor y = x;
    for (int a : at) y = ops::expand_dims(y, a);
    return y;
  });
}

Fn squeeze_fn(const Call& c) {
  const std::vector<int> axes = axes_of(c);
  return unary_fn(c, [axes, what = c.what](const Tensor& x) {
    if (axes.empty()) return ops::squeeze(x);
    std::vector<int> at;
    for (int a : axes) at.push_back(normalize_axis(a, x.rank(), what.c_str()));
    std::sort(at.rbegin(), at.rend());
    Tensor y = x;
    for (int a : at) y = ops::squeeze(y, a);
    return y;
  });
}

// keras.ops.einsum(subscripts, *operands): each operand a tensor or a NumPy constant.
Fn einsum_fn(const Call& c) {
  KERAS_CHECK(c.args.is_array() && !c.args.empty(), ValueError, c.what,
              ": Einsum takes its operands as positional arguments");
  const Json* s = config::find(c.config, "subscripts");
  KERAS_CHECK(s != nullptr && s->is_string(), ValueError, c.what,
              ": Einsum needs its 'subscripts' as a string");
  Tensors constants;  // undefined where the operand is the next input
  for (size_t i = 0; i < c.args.size(); ++i) {
    if (is_tensor(c.args[i])) {
      constants.emplace_back();
    } else {
      KERAS_CHECK(is_array_constant(c.args[i]), ValueError, c.what, ": operand ", i,
                  " of Einsum must be a tensor or an array, got a JSON ", c.args[i].type_name());
      constants.push_back(numpy_from_json(c.args[i], c.what));
    }
  }
  return [subscripts = s->get<std::string>(), constants](const Tensors& in) {
    Tensors operands;
    size_t next = 0;
    for (const Tensor& k : constants) operands.push_back(k.defined() ? k : in.at(next++));
    return Tensors{ops::einsum(subscripts, operands)};
  };
}

Fn concatenate_fn(const Call& c) {
  expect_tensor_list(c);
  const int axis = int_of(c, "axis", 0);
  return [axis](const Tensors& in) { return Tensors{ops::concatenate(in, axis)}; };
}

Fn stack_fn(const Call& c) {
  expect_tensor_list(c);
  const int axis = int_of(c, "axis", 0);
  return [axis, what = c.what](const Tensors& in) {
    const int a = normalize_axis(axis, in[0].rank() + 1, what.c_str());
    Tensors parts;
    for (const Tensor& t : in) parts.push_back(ops::expand_dims(t, a));
    return Tensors{ops::concatenate(parts, a)};
  };
}

Fn split_fn(const Call& c) {
  expect_one_tensor(c);
  const Json* s = config::find(c.config, "indices_or_sections");
  KERAS_CHECK(s != nullptr, ValueError, c.what, ": Split needs 'indices_or_sections'");
  const int axis = int_of(c, "axis", 0);
  if (s->is_array()) {  // the indices to split at
    KERAS_CHECK(s->size() <= 65535, ValueError, c.what, ": too many split indices");
    std::vector<int64_t> indices;
    for (const Json& i : *s)
      indices.push_back(config::convert<int64_t>(i, "indices_or_sections", w(c)));
    return [=](const Tensors& in) { return ops::split(in[0], indices, axis); };
  }
  const int64_t sections = config::convert<int64_t>(*s, "indices_or_sections", w(c));
  KERAS_CHECK(sections >= 1 && sections <= 65536, ValueError, c.what,
              ": 'indices_or_sections' must be in [1, 65536], got ", sections);
  return [=](const Tensors& in) { return ops::split(in[0], sections, axis); };
}

Fn unstack_fn(const Call& c) {
  expect_one_tensor(c);
  const int axis = int_of(c, "axis", 0);
  const Json* num = config::find(c.config, "num");
  const std::optional<int64_t> count =
      num == nullptr || num->is_null() ? std::nullopt
                                       : std::optional(config::convert<int64_t>(*num, "num", w(c)));
  return [axis, count, what = c.what](const Tensors& in) {
    Tensors parts = ops::unstack(in[0], axis);
    KERAS_CHECK(!count || static_cast<int64_t>(parts.size()) == *count, ValueError, what,
                ": Unstack's 'num' is ", *count, " but the axis has ", parts.size(), " entries");
    return parts;
  };
}

}  // namespace

// A constant list of ints in a call: a JSON list or a NumPy array (at most 64 of them).
std::vector<int64_t> constant_ints(const Json& j, const char* key, const Call& c) {
  if (is_array_constant(j)) {
    const Tensor t = numpy_from_json(j, c.what);
    KERAS_CHECK(t.rank() == 1 && t.size() <= 64 && is_integer(t.dtype()), ValueError, c.what, ": ",
                key, " must be a list of at most 64 ints");
    const Tensor v = ops::cast(t, int64);
    return {v.data<int64_t>(), v.data<int64_t>() + v.size()};
  }
  KERAS_CHECK(j.is_array() && j.size() <= 64, ValueError, c.what, ": ", key,
              " must be a list of at most 64 ints, got ", config::json_excerpt(j));
  return config::convert<std::vector<int64_t>>(j, key, w(c));
}

namespace {

// keras.ops.slice(inputs, start_indices) with the block's shape in the config: constant starts
// (a list of ints) only.
Fn slice_fn(const Call& c) {
  expect_arity(c, 2);
  KERAS_CHECK(is_tensor(c.args[0]), ValueError, c.what, ": argument 0 of Slice must be a tensor");
  KERAS_CHECK(!is_tensor(c.args[1]), NotImplementedError, c.what,
              ": keras.cpp's Slice takes constant start_indices, not a tensor");
  const std::vector<int64_t> start = constant_ints(c.args[1], "start_indices", c);
  const std::vector<int64_t> shape = ints_of(c, "shape");
  return [start, shape](const Tensors& in) { return Tensors{ops::slice(in[0], start, shape)}; };
}

template <Tensor (*F)(const Tensor&, int64_t, const std::string&)>
Fn pixel_shuffle_fn(const Call& c) {
  const int64_t block = config::require<int64_t>(c.config, "block_size", w(c));
  KERAS_CHECK(block >= 1 && block <= 4096, ValueError, c.what,
              ": 'block_size' must be in [1, 4096], got ", block);
  const std::string data_format = data_format_of(c);
  return unary_fn(c, [block, data_format](const Tensor& x) { return F(x, block, data_format); });
}

Fn multi_hot_fn(const Call& c) {
  const int64_t n = config::require<int64_t>(c.config, "num_classes", w(c));
  KERAS_CHECK(n >= 1 && n <= (int64_t{1} << 24), ValueError, c.what,
              ": 'num_classes' must be in [1, 2^24], got ", n);
  KERAS_CHECK(!bool_of(c, "sparse", false), ValueError, c.what,
              ": keras.cpp does not support sparse multi-hot tensors");
  const int axis = int_of(c, "axis", -1);
  const DType dtype = dtype_of(c).value_or(float32);
  return unary_fn(c, [=](const Tensor& x) { return ops::multi_hot(x, n, axis, dtype); });
}

Fn extract_sequences_fn(const Call& c) {
  const int64_t length = config::require<int64_t>(c.config, "sequence_length", w(c));
  const int64_t stride = config::require<int64_t>(c.config, "sequence_stride", w(c));
  KERAS_CHECK(length >= 1 && length <= (int64_t{1} << 24) && stride >= 1, ValueError, c.what,
              ": sequence_length must be in [1, 2^24] and sequence_stride >= 1");
  return unary_fn(
      c, [length, stride](const Tensor& x) { return ops::extract_sequences(x, length, stride); });
}

Fn in_top_k_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  const int64_t k = config::require<int64_t>(c.config, "k", w(c));
  return [o, k](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::in_top_k(t[0], t[1], k)};
  };
}

}  // namespace

// Constant indices as Keras writes them: an int, nested lists of ints, or a NumPy array.
Tensor constant_indices(const Json& j, const Call& c) {
  if (is_array_constant(j)) return numpy_from_json(j, c.what);
  if (j.is_number_integer()) return Tensor::scalar<int64_t>(j.get<int64_t>());
  Json wrapped{{"class_name", "__numpy__"}, {"config", {{"value", j}, {"dtype", "int64"}}}};
  KERAS_CHECK(j.is_array(), ValueError, c.what,
              ": Take's indices must be a tensor, an int or a list of ints, got ",
              config::json_excerpt(j));
  return numpy_from_json(wrapped, c.what);
}

namespace {

Fn take_fn(const Call& c) {
  expect_arity(c, 2);
  KERAS_CHECK(is_tensor(c.args[0]), ValueError, c.what, ": argument 0 of Take must be a tensor");
  const std::optional<int> axis =
      config::find(c.config, "axis") ? std::optional<int>(int_of(c, "axis", 0)) : std::nullopt;
  if (is_tensor(c.args[1])) {
    return [axis, what = c.what](const Tensors& in) {
      return Tensors{take_along(in[0], in[1], axis, what)};
    };
  }
  const Tensor idx = constant_indices(c.args[1], c);
  return [axis, idx, what = c.what](const Tensors& in) {
    const Tensor& x = in[0];
    const int64_t size =
        axis ? x.shape()[static_cast<size_t>(normalize_axis(*axis, x.rank(), what.c_str()))]
             : x.size();
    return Tensors{take_along(x, wrapped_indices(idx, size), axis, what)};
  };
}

// ---- GetItem: x[key] with ints, slices, None (a new axis) and one Ellipsis ----

struct KeyPart {
  enum Kind : uint8_t { index, range, new_axis, ellipsis };
  Kind kind = index;
  int64_t i = 0;  // index
  std::optional<int64_t> start, stop, step;
};
KeyPart part(KeyPart::Kind kind, int64_t i = 0) {
  KeyPart p;
  p.kind = kind;
  p.i = i;
  return p;
}

std::optional<int64_t> slice_bound(const Json& j, const char* key, const Call& c) {
  const Json* v = config::find(j, key);
  if (v == nullptr) return std::nullopt;
  return config::convert<int64_t>(*v, key, w(c));
}

KeyPart key_part(const Json& j, const Call& c) {
  if (j.is_null()) return part(KeyPart::new_axis);
  if (has_class(j, "__ellipsis__")) return part(KeyPart::ellipsis);
  if (has_class(j, "__slice__")) {
    const Json s = config::value(j, "config", Json::object());
    KERAS_CHECK(s.is_object(), ValueError, c.what, ": a slice's config must be an object");
    KeyPart p = part(KeyPart::range);
    p.start = slice_bound(s, "start", c);
    p.stop = slice_bound(s, "stop", c);
    p.step = slice_bound(s, "step", c);
    KERAS_CHECK(p.step.value_or(1) != 0, ValueError, c.what, ": slice step cannot be zero");
    return p;
  }
  if (j.is_number_integer()) return part(KeyPart::index, j.get<int64_t>());
  if (is_tensor(j)) {
    throw NotImplementedError(str(c.what,
                                  ": keras.cpp's GetItem does not support tensors in "
                                  "the key (x[indices]); use keras.ops.take"));
  }
  throw ValueError(str(c.what, ": unsupported GetItem key ", config::json_excerpt(j)));
}

// Python's slice.indices for a dimension of `size`: the positions selected.
std::vector<int64_t> slice_positions(const KeyPart& p, int64_t size) {
  const int64_t step = p.step.value_or(1);
  auto clamp = [&](std::optional<int64_t> v, int64_t fallback, int64_t lo, int64_t hi) {
    if (!v) return fallback;
    int64_t x = *v < 0 ? *v + size : *v;
    return std::clamp(x, lo, hi);
  };
  std::vector<int64_t> out;
  if (step > 0) {
    const int64_t start = clamp(p.start, 0, 0, size), stop = clamp(p.stop, size, 0, size);
    for (int64_t i = start; i < stop; i += step) out.push_back(i);
  } else {
    const int64_t start = clamp(p.start, size - 1, -1, size - 1);
    const int64_t stop = clamp(p.stop, -1, -1, size - 1);
    for (int64_t i = start; i > stop; i += step) out.push_back(i);
  }
  return out;
}

Fn get_item_fn(const Call& c) {
  expect_arity(c, 2);
  KERAS_CHECK(is_tensor(c.args[0]), ValueError, c.what, ": argument 0 of GetItem must be a tensor");
  std::vector<KeyPart> key;
  const Json& k = c.args[1];
  KERAS_CHECK(!k.is_array() || k.size() <= 64, ValueError, c.what, ": GetItem key too long");
  if (k.is_array()) {
    for (const Json& j : k) key.push_back(key_part(j, c));
  } else {
    key.push_back(key_part(k, c));
  }
  KERAS_CHECK(std::count_if(key.begin(), key.end(),
                            [](const KeyPart& p) { return p.kind == KeyPart::ellipsis; }) <= 1,
              ValueError, c.what, ": a GetItem key can have only one Ellipsis");
  return [key, what = c.what](const Tensors& in) {
    Tensor y = in[0];
    int consumed = 0;
    for (const KeyPart& p : key) consumed += p.kind == KeyPart::index || p.kind == KeyPart::range;
    KERAS_CHECK(consumed <= y.rank(), IndexError, what, ": too many indices for a tensor of rank ",
                y.rank());
    int d = 0;
    for (const KeyPart& p : key) {
      switch (p.kind) {
        case KeyPart::new_axis:
          y = ops::expand_dims(y, d++);
          break;
        case KeyPart::ellipsis:
          d = y.rank() - consumed;  // the dimensions the rest of the key does not index
          break;
        case KeyPart::index: {
          const int64_t size = y.shape()[static_cast<size_t>(d)];
          const int64_t i = p.i < 0 ? p.i + size : p.i;
          KERAS_CHECK(i >= 0 && i < size, IndexError, what, ": index ", p.i,
                      " is out of bounds for axis ", d, " with size ", size);
          y = ops::squeeze(ops::slice_axis(y, d, i, 1), d);
          --consumed;
          break;
        }
        case KeyPart::range: {
          const int64_t size = y.shape()[static_cast<size_t>(d)];
          const std::vector<int64_t> pos = slice_positions(p, size);
          const bool contiguous = p.step.value_or(1) == 1;
          if (contiguous) {
            if (pos.size() != static_cast<size_t>(size)) {
              y = ops::slice_axis(y, d, pos.empty() ? 0 : pos[0], static_cast<int64_t>(pos.size()));
            }
          } else {
            y = take_along(y, Tensor::from_vector(pos), d, what);
          }
          ++d;
          --consumed;
          break;
        }
      }
    }
    return Tensors{y};
  };
}

Fn one_hot_fn(const Call& c) {
  expect_one_tensor(c);
  const int64_t n = config::require<int64_t>(c.config, "num_classes", w(c));
  KERAS_CHECK(n >= 1 && n <= (int64_t{1} << 24), ValueError, c.what,
              ": 'num_classes' must be in [1, 2^24], got ", n);
  const int axis = int_of(c, "axis", -1);
  KERAS_CHECK(!bool_of(c, "sparse", false), ValueError, c.what,
              ": keras.cpp does not support sparse one-hot tensors");
  const DType dtype = dtype_of(c).value_or(float32);
  return [=, what = c.what](const Tensors& in) {
    const Tensor y = ops::one_hot(in[0], n, dtype);
    return Tensors{
        ops::moveaxis(y, {y.rank() - 1}, {normalize_axis(axis, y.rank(), what.c_str())})};
  };
}

Fn clip_fn(const Call& c) {
  const double lo = number_of(c, "x_min", -INFINITY), hi = number_of(c, "x_max", INFINITY);
  return unary_fn(c, [lo, hi](const Tensor& x) { return ops::clip(x, lo, hi); });
}

Fn cast_fn(const Call& c) {
  const std::optional<DType> dtype = dtype_of(c);
  KERAS_CHECK(dtype.has_value(), ValueError, c.what, ": Cast needs a 'dtype'");
  return unary_fn(c, [d = *dtype](const Tensor& x) { return ops::cast(x, d); });
}

// keras.ops.convert_to_tensor of a tensor (Keras writes one for a mask it passes on): the tensor
// itself, cast when the op names a dtype. keras.cpp has no sparse or ragged tensors.
Fn convert_to_tensor_fn(const Call& c) {
  for (const char* key : {"sparse", "ragged"}) {
    const Json* v = config::find(c.config, key);
    KERAS_CHECK(v == nullptr || (v->is_boolean() && !v->get<bool>()), ValueError, c.what,
                ": keras.cpp's ConvertToTensor supports only '", key, "': null or false, got ",
                config::json_excerpt(config::value(c.config, key, nullptr)));
  }
  const std::optional<DType> dtype = dtype_of(c);
  return unary_fn(c, [dtype](const Tensor& x) {
    return dtype && *dtype != x.dtype() ? ops::cast(x, *dtype) : x;
  });
}

template <int Fill>
Fn fill_like(const Call& c) {
  const std::optional<DType> dtype = dtype_of(c);
  return unary_fn(c, [dtype](const Tensor& x) {
    const DType d = dtype.value_or(x.dtype());
    const Tensor like = d == x.dtype() ? x : Tensor::empty(x.shape(), d, x.device());
    return ops::full_like(like, Fill);
  });
}

Fn repeat_fn(const Call& c) {
  const Json* r = config::find(c.config, "repeats");
  KERAS_CHECK(r != nullptr && !r->is_array(), ValueError, c.what,
              ": keras.cpp's Repeat takes one int 'repeats'");
  const int64_t repeats = config::convert<int64_t>(*r, "repeats", w(c));
  KERAS_CHECK(repeats >= 1 && repeats <= 65536, ValueError, c.what,
              ": 'repeats' must be in [1, 65536], got ", repeats);
  const bool flat = config::find(c.config, "axis") == nullptr;
  const int axis = int_of(c, "axis", 0);
  return unary_fn(c, [=](const Tensor& x) {
    return ops::repeat(flat ? ops::reshape(x, {-1}) : x, repeats, axis);
  });
}

Fn pad_fn(const Call& c) {
  const std::string mode = config::get<std::string>(c.config, "mode", "constant", w(c));
  KERAS_CHECK(mode == "constant", ValueError, c.what, ": keras.cpp's Pad supports only mode ",
              "'constant', got '", mode.substr(0, 50), "'");
  const Json width = config::value(c.config, "pad_width", nullptr);
  KERAS_CHECK(!width.is_null(), ValueError, c.what, ": Pad needs a 'pad_width'");
  const double value = config::get<double>(c.kwargs, "constant_values", 0.0, w(c));
  // An int, a pair, or one pair per axis, as NumPy broadcasts them.
  std::vector<std::pair<int64_t, int64_t>> pairs;
  auto pair_of = [&](const Json& j) {
    if (!j.is_array()) {
      const auto v = config::convert<int64_t>(j, "pad_width", w(c));
      return std::pair{v, v};
    }
    KERAS_CHECK(j.size() == 2 || j.size() == 1, ValueError, c.what,
                ": each 'pad_width' entry must be (before, after)");
    const auto a = config::convert<int64_t>(j[0], "pad_width", w(c));
    return std::pair{a, config::convert<int64_t>(j[j.size() - 1], "pad_width", w(c))};
  };
  const bool per_axis = width.is_array() && !width.empty() && width[0].is_array();
  KERAS_CHECK(!width.is_array() || width.size() <= 64, ValueError, c.what, ": bad 'pad_width'");
  if (per_axis) {
    for (const Json& j : width) pairs.push_back(pair_of(j));
  } else {
    pairs.push_back(pair_of(width));
  }
  for (const auto& [a, b] : pairs) {
    KERAS_CHECK(a >= 0 && b >= 0 && a <= (1 << 20) && b <= (1 << 20), ValueError, c.what,
                ": 'pad_width' amounts must be in [0, 2^20]");
  }
  return unary_fn(c, [=](const Tensor& x) {
    std::vector<std::pair<int64_t, int64_t>> p = pairs;
    if (p.size() == 1) p.assign(static_cast<size_t>(x.rank()), pairs[0]);
    return ops::pad(x, p, value);
  });
}

Fn round_fn(const Call& c) {
  KERAS_CHECK(int_of(c, "decimals", 0) == 0, ValueError, c.what,
              ": keras.cpp's Round supports only 'decimals': 0");
  return unary<ops::round>(c);
}

// Positional argument i when the call has it (a number), else keyword argument `key`.
double number_arg(const Call& c, size_t i, const char* key, double fallback) {
  if (c.args.size() > i) {
    const Json& a = c.args[i];
    KERAS_CHECK(a.is_number(), ValueError, c.what, ": argument ", i, " of ", c.cls,
                " must be a number, got ", config::json_excerpt(a));
    return a.get<double>();
  }
  return config::get<double>(c.kwargs, key, fallback, w(c));
}

Fn isclose_fn(const Call& c) {
  KERAS_CHECK(c.args.is_array() && c.args.size() >= 2 && c.args.size() <= 4, ValueError, c.what,
              ": Isclose takes 2 to 4 positional arguments (x1, x2, rtol, atol)");
  const Json pair = Json::array({c.args[0], c.args[1]});
  const auto o = operands({c.config, pair, c.kwargs, c.what, c.cls}, 2, 0);
  const double rtol = number_arg(c, 2, "rtol", 1e-5), atol = number_arg(c, 3, "atol", 1e-8);
  const bool equal_nan = bool_of(c, "equal_nan", false);
  return [=](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::isclose(t[0], t[1], rtol, atol, equal_nan)};
  };
}

Fn isin_fn(const Call& c) {
  expect_arity(c, 2);
  const bool list = c.args[1].is_array() && !is_array_constant(c.args[1]);
  if (list) {  // a Python list of numbers: int64 when all are integers, else float32 (as JAX)
    KERAS_CHECK(is_tensor(c.args[0]), ValueError, c.what, ": argument 0 of IsIn must be a tensor");
    std::vector<double> values;
    bool integral = true;
    for (const Json& e : c.args[1]) {
      KERAS_CHECK(e.is_number(), ValueError, c.what, ": IsIn's list holds ",
                  config::json_excerpt(e, 40), ", not a number");
      values.push_back(e.get<double>());
      integral = integral && e.is_number_integer();
    }
    const auto n = static_cast<int64_t>(values.size());
    const Tensor v = ops::cast(Tensor::from_vector(values, {n}), integral ? int64 : float32);
    const bool invert = bool_of(c, "invert", false);
    return [=](const Tensors& in) { return Tensors{ops::isin(in[0], v, false, invert)}; };
  }
  const auto o = operands(c, 2, 0);
  const bool invert = bool_of(c, "invert", false);
  return [=](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::isin(t[0], t[1], false, invert)};
  };
}

Fn tensordot_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  const Json axes = config::value(c.config, "axes", 2);
  // An int, or the axes of each operand (each an int or a list).
  std::vector<int> a, b;
  const bool pairs = axes.is_array();
  const int count = pairs ? 0 : config::convert<int>(axes, "axes", w(c));
  if (pairs) {
    KERAS_CHECK(axes.size() == 2, ValueError, c.what,
                ": Tensordot's 'axes' must be an int or the axes of each operand, got ",
                config::json_excerpt(axes));
    auto list = [&](const Json& j) {
      KERAS_CHECK(!j.is_array() || j.size() <= 64, ValueError, c.what, ": too many 'axes'");
      return j.is_array() ? config::convert<std::vector<int>>(j, "axes", w(c))
                          : std::vector<int>{config::convert<int>(j, "axes", w(c))};
    };
    a = list(axes[0]);
    b = list(axes[1]);
  }
  return [=](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{pairs ? ops::tensordot(t[0], t[1], a, b) : ops::tensordot(t[0], t[1], count)};
  };
}

// A call of (tensor, value): the value.
const Json& value_after_tensor(const Call& c) {
  const char* cls = c.cls;
  expect_arity(c, 2);
  KERAS_CHECK(is_tensor(c.args[0]), ValueError, c.what, ": argument 0 of ", cls,
              " must be a tensor");
  return c.args[1];
}

template <bool kPercent>
Fn quantile_fn(const Call& c) {
  const char* cls = c.cls;
  const Json& q = value_after_tensor(c);
  Tensor qs;
  if (q.is_number()) {
    qs = Tensor::from_vector(std::vector<double>{q.get<double>()}, {});
  } else if (is_array_constant(q)) {
    qs = numpy_from_json(q, c.what);
  } else {
    KERAS_CHECK(q.is_array() && q.size() <= 4096 &&
                    std::all_of(q.begin(), q.end(), [](const Json& v) { return v.is_number(); }),
                ValueError, c.what, ": ", cls, "'s q must be a number or a list of numbers, got ",
                config::json_excerpt(q));
    qs = Tensor::from_vector(q.get<std::vector<double>>(), {static_cast<int64_t>(q.size())});
  }
  const std::vector<int> axes = axes_of(c);
  const std::string method = config::get<std::string>(c.config, "method", "linear", w(c));
  const bool keepdims = bool_of(c, "keepdims", false);
  // Checks q and the method now: a scalar stands in for the input.
  (void)(kPercent ? ops::percentile(Tensor::from_vector(std::vector<double>{0}, {}), qs, {}, method)
                  : ops::quantile(Tensor::from_vector(std::vector<double>{0}, {}), qs, {}, method));
  return [=](const Tensors& in) {
    return Tensors{kPercent ? ops::percentile(in[0], qs, axes, method, keepdims)
                            : ops::quantile(in[0], qs, axes, method, keepdims)};
  };
}

Fn rot90_fn(const Call& c) {
  const int k = int_of(c, "k", 1);
  const std::vector<int> axes =
      config::get<std::vector<int>>(c.config, "axes", std::vector<int>{0, 1}, w(c));
  KERAS_CHECK(axes.size() == 2, ValueError, c.what, ": Rot90's 'axes' must be two axes");
  return unary_fn(c, [k, axes](const Tensor& x) { return ops::rot90(x, k, {axes[0], axes[1]}); });
}

Fn full_like_fn(const Call& c) {
  const Json& v = value_after_tensor(c);
  KERAS_CHECK(v.is_number() || v.is_boolean(), ValueError, c.what,
              ": FullLike's fill value must be a number, got ", config::json_excerpt(v));
  const double value = v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>();
  const std::optional<DType> dtype = dtype_of(c);
  return [dtype, value](const Tensors& in) {
    const Tensor& x = in[0];
    const DType d = dtype.value_or(x.dtype());
    return Tensors{
        ops::full_like(d == x.dtype() ? x : Tensor::empty(x.shape(), d, x.device()), value)};
  };
}

Fn broadcast_to_fn(const Call& c) {
  const std::vector<int64_t> shape = ints_of(c, "shape");
  KERAS_CHECK(config::find(c.config, "shape") != nullptr, ValueError, c.what,
              ": BroadcastTo needs a 'shape'");
  for (int64_t d : shape) {
    KERAS_CHECK(d >= 0 && d <= (int64_t{1} << 32), ValueError, c.what,
                ": BroadcastTo's 'shape' entries must be in [0, 2^32]");
  }
  return unary_fn(c, [shape](const Tensor& x) { return ops::broadcast_to(x, Shape(shape)); });
}

// An operand that may be missing: null or absent (none), a tensor (an input of the node), a
// NumPy constant or a number.
struct OptionalOperand {
  int input = -1;
  Tensor constant;
};

// Operands `names` from positional arguments first, first..., else keyword arguments. A node's
// inputs are its positional arguments' tensors, then its keyword arguments' by sorted key (as
// the functional loader collects them): tensors are numbered so, from `next`.
std::vector<OptionalOperand> optional_operands(const Call& c,
                                               size_t first,
                                               const std::vector<std::string>& names,
                                               int next) {
  std::vector<OptionalOperand> out(names.size());
  std::vector<std::pair<std::string, size_t>> keyword_tensors;
  for (size_t i = 0; i < names.size(); ++i) {
    const bool positional = c.args.size() > first + i;
    const Json* j = positional ? &c.args[first + i] : config::find(c.kwargs, names[i].c_str());
    if (j == nullptr || j->is_null()) continue;
    if (is_tensor(*j)) {
      if (positional) {
        out[i].input = next++;
      } else {
        keyword_tensors.emplace_back(names[i], i);
      }
    } else if (is_array_constant(*j)) {
      out[i].constant = numpy_from_json(*j, c.what);
    } else {
      KERAS_CHECK(j->is_number(), ValueError, c.what, ": ", c.cls, "'s ", names[i],
                  " must be a tensor, an array or a number, got ", config::json_excerpt(*j));
      out[i].constant = Tensor::from_vector(std::vector<double>{j->get<double>()}, {});
    }
  }
  std::sort(keyword_tensors.begin(), keyword_tensors.end());
  for (const auto& [name, i] : keyword_tensors) out[i].input = next++;
  return out;
}

Tensor resolve_optional(const OptionalOperand& o, const Tensors& in) {
  return o.input >= 0 ? in[static_cast<size_t>(o.input)] : o.constant;
}

double epsilon_of(const Call& c) {
  const Json* e = config::find(c.config, "epsilon");
  return e == nullptr || e->is_null() ? 1e-7 : config::convert<double>(*e, "epsilon", w(c));
}

// The normalizations: x first (a tensor), then the optional operands `names`.
std::vector<OptionalOperand> normalization_operands(const Call& c,
                                                    const std::vector<std::string>& names) {
  const char* cls = c.cls;
  KERAS_CHECK(c.args.is_array() && !c.args.empty() && c.args.size() <= names.size() + 1 &&
                  is_tensor(c.args[0]),
              ValueError, c.what, ": ", cls, " takes a tensor and at most ", names.size(),
              " more positional arguments");
  return optional_operands(c, 1, names, 1);
}

// A normalization's axes: the last when the config has none.
std::vector<int> normalized_axes_of(const Call& c) {
  std::vector<int> axes = axes_of(c);
  return axes.empty() ? std::vector<int>{-1} : axes;
}

Fn layer_norm_fn(const Call& c) {
  const auto o = normalization_operands(c, {"gamma", "beta"});
  const std::vector<int> axes = normalized_axes_of(c);
  const double epsilon = epsilon_of(c);
  const bool rms = bool_of(c, "rms_scaling", false);
  return [=](const Tensors& in) {
    return Tensors{ops::layer_normalization(in[0], resolve_optional(o[0], in),
                                            resolve_optional(o[1], in), axes, epsilon, rms)};
  };
}

Fn rms_norm_fn(const Call& c) {
  const auto o = normalization_operands(c, {"scale"});
  const std::vector<int> axes = normalized_axes_of(c);
  const double epsilon = epsilon_of(c);
  return [=](const Tensors& in) {
    return Tensors{ops::rms_normalization(in[0], resolve_optional(o[0], in), axes, epsilon)};
  };
}

Fn normalize_fn(const Call& c) {
  const int axis = int_of(c, "axis", -1), order = int_of(c, "order", 2);
  KERAS_CHECK(order >= 1, ValueError, c.what, ": Normalize's 'order' must be >= 1, got ", order);
  const double epsilon = epsilon_of(c);
  return unary_fn(c, [=](const Tensor& x) { return ops::normalize(x, axis, order, epsilon); });
}

Fn norm_fn(const Call& c) {
  const Json ord = config::value(c.config, "ord", nullptr);
  KERAS_CHECK(
      ord.is_null() || ord.is_number() || (ord.is_string() && (ord == "fro" || ord == "nuc")),
      ValueError, c.what, ": Norm's 'ord' must be null, a number, 'fro' or 'nuc', got ",
      config::json_excerpt(ord));
  const std::vector<int> axes = axes_of(c);
  KERAS_CHECK(axes.size() <= 2, ValueError, c.what, ": Norm takes at most two axes");
  const bool keepdims = bool_of(c, "keepdims", false);
  return unary_fn(c, [=](const Tensor& x) {
    if (ord.is_string()) return ops::norm(x, ord.get<std::string>(), axes, keepdims);
    return ops::norm(x, ord.is_null() ? std::nullopt : std::optional<double>(ord.get<double>()),
                     axes, keepdims);
  });
}

Fn dot_product_attention_fn(const Call& c) {
  const char* cls = c.cls;
  KERAS_CHECK(c.args.is_array() && c.args.size() >= 3 && c.args.size() <= 6 &&
                  is_tensor(c.args[0]) && is_tensor(c.args[1]) && is_tensor(c.args[2]),
              ValueError, c.what, ": ", cls,
              " takes the query, key and value tensors, then bias, mask and scale");
  const std::vector<OptionalOperand> o = optional_operands(c, 3, {"bias", "mask"}, 3);
  const OptionalOperand bias = o[0], mask = o[1];
  const Json* s = c.args.size() > 5 ? &c.args[5] : config::find(c.kwargs, "scale");
  KERAS_CHECK(s == nullptr || s->is_null() || s->is_number(), ValueError, c.what, ": ", cls,
              "'s scale must be a number or null, got ", config::json_excerpt(*s));
  const std::optional<double> scale =
      s == nullptr || s->is_null() ? std::nullopt : std::optional<double>(s->get<double>());
  const Json* cap = config::find(c.config, "attn_logits_soft_cap");
  KERAS_CHECK(cap == nullptr || cap->is_null(), NotImplementedError, c.what,
              ": keras.cpp's DotProductAttention has no attn_logits_soft_cap");
  const bool causal = bool_of(c, "is_causal", false);
  return [=](const Tensors& in) {
    return Tensors{ops::dot_product_attention(in[0], in[1], in[2], resolve_optional(bias, in),
                                              resolve_optional(mask, in), scale, causal)};
  };
}

Fn searchsorted_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  const std::string side = config::get<std::string>(c.config, "side", "left", w(c));
  KERAS_CHECK(side == "left" || side == "right", ValueError, c.what,
              ": SearchSorted's 'side' must be 'left' or 'right'");
  return [o, side](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::searchsorted(t[0], t[1], side)};
  };
}

template <Tensor (*F)(const Tensor&, const std::string&)>
Fn image_fn(const Call& c) {
  const std::string data_format = data_format_of(c);
  return unary_fn(c, [data_format](const Tensor& x) { return F(x, data_format); });
}

Fn average_fn(const Call& c) {
  const char* cls = c.cls;
  KERAS_CHECK(c.args.is_array() && !c.args.empty() && c.args.size() <= 2 && is_tensor(c.args[0]),
              ValueError, c.what, ": ", cls, " takes a tensor and maybe weights");
  const auto o = optional_operands(c, 1, {"weights"}, 1);
  const Json* a = config::find(c.config, "axis");
  const std::optional<int> axis =
      a == nullptr || a->is_null() ? std::nullopt : std::optional<int>(int_of(c, "axis", 0));
  return [=](const Tensors& in) {
    return Tensors{ops::average(in[0], axis, resolve_optional(o[0], in))};
  };
}

// ---- nn: convolutions, pooling, batch normalization ----

}  // namespace

// A padding name as the backends read it (lower-cased), one of `allowed`.
std::string padding_of(const Call& c, std::initializer_list<const char*> allowed) {
  std::string p = config::get<std::string>(c.config, "padding", "valid", w(c));
  std::transform(p.begin(), p.end(), p.begin(), [](unsigned char ch) { return std::tolower(ch); });
  KERAS_CHECK(std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return p == a; }),
              ValueError, c.what, ": ", c.cls, " has no padding '", p, "'");
  return p;
}

// strides or dilation_rate: an int or a list, 1 when absent or null.
std::vector<int64_t> spatial_of(const Call& c, const char* key) {
  std::vector<int64_t> v = ints_of(c, key);
  return v.empty() ? std::vector<int64_t>{1} : v;
}

namespace {

ops::ConvOptions conv_options_of(const Call& c) {
  return {spatial_of(c, "strides"), padding_of(c, {"valid", "same", "causal"}), data_format_of(c),
          spatial_of(c, "dilation_rate")};
}

// keras.ops.conv and depthwise_conv: (inputs, kernel), each a tensor or an array constant.
template <Tensor (*F)(const Tensor&, const Tensor&, const ops::ConvOptions&)>
Fn conv_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  const ops::ConvOptions options = conv_options_of(c);
  return [o, options](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{F(t[0], t[1], options)};
  };
}

Fn separable_conv_fn(const Call& c) {
  const auto o = operands(c, 3, 0);
  const ops::ConvOptions options = conv_options_of(c);
  return [o, options](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::separable_conv(t[0], t[1], t[2], options)};
  };
}

Fn conv_transpose_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  const Json* op = config::find(c.config, "output_padding");
  std::optional<std::vector<int64_t>> output_padding;
  if (op != nullptr && !op->is_null()) output_padding = ints_of(c, "output_padding");
  const ops::ConvTransposeOptions options{spatial_of(c, "strides"),
                                          padding_of(c, {"valid", "same"}), output_padding,
                                          data_format_of(c), spatial_of(c, "dilation_rate")};
  return [o, options](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::conv_transpose(t[0], t[1], options)};
  };
}

template <Tensor (*F)(const Tensor&, const std::vector<int64_t>&, const ops::PoolOptions&)>
Fn pool_fn(const Call& c) {
  const std::vector<int64_t> pool_size = ints_of(c, "pool_size");
  KERAS_CHECK(!pool_size.empty(), ValueError, c.what, ": ", c.cls, " needs a 'pool_size'");
  const ops::PoolOptions options{ints_of(c, "strides"), padding_of(c, {"valid", "same"}),
                                 data_format_of(c)};
  return unary_fn(c, [pool_size, options](const Tensor& x) { return F(x, pool_size, options); });
}

// keras.ops.batch_normalization(x, mean, variance, axis, offset, scale, epsilon): axis and
// epsilon in the config, the rest arguments (tensors, arrays or numbers).
Fn batch_norm_fn(const Call& c) {
  const char* cls = c.cls;
  KERAS_CHECK(c.args.is_array() && c.args.size() >= 1 && c.args.size() <= 5 && is_tensor(c.args[0]),
              ValueError, c.what, ": ", cls,
              " takes x (a tensor), mean and variance, then offset and scale");
  const auto o = optional_operands(c, 1, {"mean", "variance", "offset", "scale"}, 1);
  KERAS_CHECK(
      (o[0].input >= 0 || o[0].constant.defined()) && (o[1].input >= 0 || o[1].constant.defined()),
      ValueError, c.what, ": ", cls, " needs a mean and a variance");
  const Json* a = config::find(c.config, "axis");
  KERAS_CHECK(a != nullptr, ValueError, c.what, ": ", cls, " needs an 'axis'");
  const int axis = int_of(c, "axis", -1);
  const double epsilon = number_of(c, "epsilon", 1e-3);
  return [=](const Tensors& in) {
    return Tensors{ops::batch_normalization(
        in[0], resolve_optional(o[0], in), resolve_optional(o[1], in), axis,
        resolve_optional(o[2], in), resolve_optional(o[3], in), epsilon)};
  };
}

Fn gaussian_blur_fn(const Call& c) {
  const auto pair_of = [&](const char* key, double fallback) {
    const Json* j = config::find(c.config, key);
    if (j == nullptr) return std::pair(fallback, fallback);
    if (!j->is_array()) {
      const double v = config::convert<double>(*j, key, w(c));
      return std::pair(v, v);
    }
    KERAS_CHECK(j->size() == 2, ValueError, c.what, ": GaussianBlur's '", key,
                "' must be a number or two, got ", config::json_excerpt(*j));
    return std::pair(config::convert<double>((*j)[0], key, w(c)),
                     config::convert<double>((*j)[1], key, w(c)));
  };
  const auto k = pair_of("kernel_size", 3);
  const auto sigma = pair_of("sigma", 1.0);
  KERAS_CHECK(k.first == std::floor(k.first) && k.second == std::floor(k.second), ValueError,
              c.what, ": GaussianBlur's kernel_size must be integers");
  const std::pair<int64_t, int64_t> kernel{static_cast<int64_t>(k.first),
                                           static_cast<int64_t>(k.second)};
  const std::string data_format = data_format_of(c);
  (void)ops::image::gaussian_blur(zeros({1, 1, 1}), kernel, sigma, data_format);  // checks them
  return unary_fn(c, [kernel, sigma, data_format](const Tensor& x) {
    return ops::image::gaussian_blur(x, kernel, sigma, data_format);
  });
}

// An optional count of pixels from a file: null, or an integer in [0, 2^20] (a damaged file's
// size fails here, not in an allocation at predict).
std::optional<int64_t> pixels_of(const Call& c, const char* key) {
  const Json* j = config::find(c.config, key);
  if (j == nullptr) return std::nullopt;
  const auto v = config::convert<int64_t>(*j, key, w(c));
  KERAS_CHECK(v >= 0 && v <= (int64_t{1} << 20), ValueError, c.what, ": ", key,
              " must be in [0, 2^20], got ", v);
  return v;
}

Fn pad_images_fn(const Call& c) {
  const ops::image::PadImagesOptions o{.top_padding = pixels_of(c, "top_padding"),
                                       .left_padding = pixels_of(c, "left_padding"),
                                       .bottom_padding = pixels_of(c, "bottom_padding"),
                                       .right_padding = pixels_of(c, "right_padding"),
                                       .target_height = pixels_of(c, "target_height"),
                                       .target_width = pixels_of(c, "target_width"),
                                       .data_format = data_format_of(c)};
  return unary_fn(c, [o](const Tensor& x) { return ops::image::pad_images(x, o); });
}

Fn crop_images_fn(const Call& c) {
  const ops::image::CropImagesOptions o{.top_cropping = pixels_of(c, "top_cropping"),
                                        .left_cropping = pixels_of(c, "left_cropping"),
                                        .bottom_cropping = pixels_of(c, "bottom_cropping"),
                                        .right_cropping = pixels_of(c, "right_cropping"),
                                        .target_height = pixels_of(c, "target_height"),
                                        .target_width = pixels_of(c, "target_width"),
                                        .data_format = data_format_of(c)};
  return unary_fn(c, [o](const Tensor& x) { return ops::image::crop_images(x, o); });
}

Fn resize_fn(const Call& c) {
  const auto size = config::get<std::vector<int64_t>>(c.config, "size", {}, w(c));
  KERAS_CHECK(size.size() == 2, ValueError, c.what, ": Resize's 'size' must be two integers");
  const ops::image::ResizeOptions o{
      .interpolation = config::get<std::string>(c.config, "interpolation", "bilinear", w(c)),
      .antialias = bool_of(c, "antialias", false),
      .crop_to_aspect_ratio = bool_of(c, "crop_to_aspect_ratio", false),
      .pad_to_aspect_ratio = bool_of(c, "pad_to_aspect_ratio", false),
      .fill_mode = config::get<std::string>(c.config, "fill_mode", "constant", w(c)),
      .fill_value = config::get<double>(c.config, "fill_value", 0.0, w(c)),
      .data_format = data_format_of(c)};
  KERAS_CHECK(o.fill_mode == "constant", ValueError, c.what,
              ": Resize's fill_mode must be 'constant', got '", o.fill_mode, "'");
  // A file's size is bounded (a million pixels a side) so that a damaged one fails here, not in
  // an allocation at predict.
  KERAS_CHECK(size[0] >= 1 && size[1] >= 1 && size[0] <= (1 << 20) && size[1] <= (1 << 20),
              ValueError, c.what, ": Resize's 'size' must be in [1, 2^20], got (", size[0], ", ",
              size[1], ")");
  const std::pair<int64_t, int64_t> hw{size[0], size[1]};
  (void)ops::image::resize(zeros({1, 1, 1}), {1, 1}, o);  // checks the options now
  return unary_fn(c, [hw, o](const Tensor& x) { return ops::image::resize(x, hw, o); });
}

Tensor absolute(const Tensor& x) {
  return ops::abs(x);
}

// An activation with parameters: f(x, config values) (PARAMS reads them from the Call `c`).
#define KERAS_ACTIVATION_WITH(CALL, ...)                                    \
  [](const Call& c) -> Fn {                                                 \
    const auto params = std::make_tuple(__VA_ARGS__);                       \
    return unary_fn(c, [params](const Tensor& x) {                          \
      return std::apply([&x](auto... p) { return CALL(x, p...); }, params); \
    });                                                                     \
  }

std::vector<Spec> make_table() {
  const std::vector<std::string> none, reduce_keys{"axis", "keepdims"};
  std::vector<Spec> rows = {
      // Elementwise, with broadcasting; a Python number or a NumPy array may take a tensor's place.
      {"Add", kNumpy, none, none, binary<ops::add>},
      {"Subtract", kNumpy, none, none, binary<ops::subtract>},
      {"Multiply", kNumpy, none, none, binary<ops::multiply>},
      {"Divide", kNumpy, none, none, binary<ops::divide>},
      {"TrueDivide", kNumpy, none, none, binary<ops::divide>},
      {"Power", kNumpy, none, none, binary<ops::power>},
      {"Maximum", kNumpy, none, none, binary<ops::maximum>},
      {"Minimum", kNumpy, none, none, binary<ops::minimum>},
      {"Equal", kNumpy, none, none, binary<ops::equal>},
      {"NotEqual", kNumpy, none, none, binary<ops::not_equal>},
      {"Less", kNumpy, none, none, binary<ops::less>},
      {"LessEqual", kNumpy, none, none, binary<ops::less_equal>},
      {"Greater", kNumpy, none, none, binary<ops::greater>},
      {"GreaterEqual", kNumpy, none, none, binary<ops::greater_equal>},
      {"LogicalAnd", kNumpy, none, none, binary<ops::logical_and>},
      {"LogicalOr", kNumpy, none, none, binary<ops::logical_or>},
      {"Matmul", kNumpy, none, none, binary<ops::matmul>},
      {"Einsum", kNumpy, {"subscripts"}, none, einsum_fn},
      {"Where", kNumpy, none, none, where_fn},
      // Unary maths.
      {"Negative", kNumpy, none, none, unary<ops::negative>},
      {"Absolute", kNumpy, none, none, unary<absolute>},
      {"Abs", kNumpy, none, none, unary<absolute>},
      {"Fabs", kNumpy, none, none, unary<absolute>},
      {"Rsqrt", kMath, none, none, unary<ops::rsqrt>},
      {"Cbrt", kNumpy, none, none, unary<ops::cbrt>},
      {"Deg2rad", kNumpy, none, none, unary<ops::deg2rad>},
      {"Rad2deg", kNumpy, none, none, unary<ops::rad2deg>},
      {"Erfc", kMath, none, none, unary<ops::erfc>},
      {"Sinc", kNumpy, none, none, unary<ops::sinc>},
      {"Signbit", kNumpy, none, none, unary<ops::signbit>},
      {"Isneginf", kNumpy, none, none, unary<ops::isneginf>},
      {"Isposinf", kNumpy, none, none, unary<ops::isposinf>},
      {"LogicalXor", kNumpy, none, none, binary<ops::logical_xor>},
      {"Logaddexp", kNumpy, none, none, binary<ops::logaddexp>},
      {"Hypot", kNumpy, none, none, binary<ops::hypot>},
      {"Fmod", kNumpy, none, none, binary<ops::fmod>},
      {"Arctan2", kNumpy, none, none, binary<ops::arctan2>},
      {"Fmax", kNumpy, none, none, binary<ops::fmax>},
      {"Fmin", kNumpy, none, none, binary<ops::fmin>},
      {"Logaddexp2", kNumpy, none, none, binary<ops::logaddexp2>},
      {"Isclose", kNumpy, {"equal_nan"}, {"rtol", "atol"}, isclose_fn},
      {"Heaviside", kNumpy, none, none, binary<ops::heaviside>},
      {"DivideNoNan", kNumpy, none, none, binary<ops::divide_no_nan>},
      {"NanToNum", kNumpy, {"nan", "posinf", "neginf"}, none, nan_to_num_fn},
      {"StopGradient", kCore, none, none, unary<ops::stop_gradient>},
      {"Copy", kNumpy, none, none, unary<ops::copy>},
      {"Fliplr", kNumpy, none, none, KERAS_ACTIVATION_WITH(ops::flip, std::vector<int>{1})},
      {"Flipud", kNumpy, none, none, KERAS_ACTIVATION_WITH(ops::flip, std::vector<int>{0})},
      {"Square", kNumpy, none, none, unary<ops::square>},
      {"Sqrt", kNumpy, none, none, unary<ops::sqrt>},
      {"Exp", kNumpy, none, none, unary<ops::exp>},
      {"Log", kNumpy, none, none, unary<ops::log>},
      {"Log1p", kNumpy, none, none, unary<ops::log1p>},
      {"Tanh", kNumpy, none, none, unary<ops::tanh>},
      {"Sign", kNumpy, none, none, unary<ops::sign>},
      {"Floor", kNumpy, none, none, unary<ops::floor>},
      {"Round", kNumpy, {"decimals"}, none, round_fn},
      {"Reciprocal", kNumpy, none, none, unary<ops::reciprocal>},
      {"Sin", kNumpy, none, none, unary<ops::sin>},
      {"Cos", kNumpy, none, none, unary<ops::cos>},
      {"Tan", kNumpy, none, none, unary<ops::tan>},
      {"Arcsin", kNumpy, none, none, unary<ops::arcsin>},
      {"Arccos", kNumpy, none, none, unary<ops::arccos>},
      {"Arctan", kNumpy, none, none, unary<ops::arctan>},
      {"Sinh", kNumpy, none, none, unary<ops::sinh>},
      {"Cosh", kNumpy, none, none, unary<ops::cosh>},
      {"Arcsinh", kNumpy, none, none, unary<ops::arcsinh>},
      {"Arccosh", kNumpy, none, none, unary<ops::arccosh>},
      {"Arctanh", kNumpy, none, none, unary<ops::arctanh>},
      {"Ceil", kNumpy, none, none, unary<ops::ceil>},
      {"Trunc", kNumpy, none, none, unary<ops::trunc>},
      {"Expm1", kNumpy, none, none, unary<ops::expm1>},
      {"Log2", kNumpy, none, none, unary<ops::log2>},
      {"Log10", kNumpy, none, none, unary<ops::log10>},
      {"Exp2", kNumpy, none, none, unary<ops::exp2>},
      {"Erf", kMath, none, none, unary<ops::erf>},
      {"Isnan", kNumpy, none, none, unary<ops::isnan>},
      {"Isinf", kNumpy, none, none, unary<ops::isinf>},
      {"Isfinite", kNumpy, none, none, unary<ops::isfinite>},
      {"FloorDivide", kNumpy, none, none, binary<ops::floor_divide>},
      {"Mod", kNumpy, none, none, binary<ops::mod>},
      {"LogicalNot", kNumpy, none, none, unary<ops::logical_not>},
      {"Clip", kNumpy, {"x_min", "x_max"}, none, clip_fn},
      {"Cast", kCore, {"dtype"}, none, cast_fn},
      {"ConvertToTensor", kCore, {"dtype", "sparse", "ragged"}, none, convert_to_tensor_fn},
      {"ZerosLike", kNumpy, {"dtype"}, none, fill_like<0>},
      {"OnesLike", kNumpy, {"dtype"}, none, fill_like<1>},
      // Activations (keras.ops.nn).
      {"Relu", kNn, none, none, unary<ops::relu>},
      {"Relu6", kNn, none, none, unary<ops::relu6>},
      {"Sigmoid", kNn, none, none, unary<ops::sigmoid>},
      {"Softplus", kNn, none, none, unary<ops::softplus>},
      {"Softsign", kNn, none, none, unary<ops::softsign>},
      {"Selu", kNn, none, none, unary<ops::selu>},
      {"Silu", kNn, none, none, unary<ops::silu>},
      {"HardSigmoid", kNn, none, none, unary<ops::hard_sigmoid>},
      {"HardSilu", kNn, none, none, unary<ops::hard_silu>},
      {"LogSigmoid", kNn, none, none, unary<ops::log_sigmoid>},
      {"SparsePlus", kNn, none, none, unary<ops::sparse_plus>},
      {"SparseSigmoid", kNn, none, none, unary<ops::sparse_sigmoid>},
      {"TanhShrink", kNn, none, none, unary<ops::tanh_shrink>},
      {"HardTanh", kNn, none, none, unary<ops::hard_tanh>},
      {"Softmax", kNn, {"axis"}, none, axis_activation<ops::softmax>},
      {"LogSoftmax", kNn, {"axis"}, none, axis_activation<ops::log_softmax>},
      {"Glu", kNn, {"axis"}, none, axis_activation<ops::glu>},
      {"Sparsemax", kNn, {"axis"}, none, axis_activation<ops::sparsemax>},
      {"LeakyRelu",
       kNn,
       {"negative_slope"},
       none,
       KERAS_ACTIVATION_WITH(ops::leaky_relu, number_of(c, "negative_slope", 0.2))},
      {"Elu", kNn, {"alpha"}, none, KERAS_ACTIVATION_WITH(ops::elu, number_of(c, "alpha", 1.0))},
      {"Celu", kNn, {"alpha"}, none, KERAS_ACTIVATION_WITH(ops::celu, number_of(c, "alpha", 1.0))},
      {"Gelu",
       kNn,
       {"approximate"},
       none,
       KERAS_ACTIVATION_WITH(ops::gelu, bool_of(c, "approximate", true))},
      {"Squareplus",
       kNn,
       {"b"},
       none,
       KERAS_ACTIVATION_WITH(ops::squareplus, number_of(c, "b", 4.0))},
      {"SoftShrink",
       kNn,
       {"threshold"},
       none,
       KERAS_ACTIVATION_WITH(ops::soft_shrink, number_of(c, "threshold", 0.5))},
      {"HardShrink",
       kNn,
       {"threshold"},
       none,
       KERAS_ACTIVATION_WITH(ops::hard_shrink, number_of(c, "threshold", 0.5))},
      {"Threshold",
       kNn,
       {"threshold", "default_value"},
       none,
       KERAS_ACTIVATION_WITH(ops::threshold, number_of(c, "threshold", 0.0),
                             number_of(c, "default_value", 0.0))},
      {"Normalize", kNn, {"axis", "order", "epsilon"}, none, normalize_fn},
      {"LayerNorm", kNn, {"axis", "epsilon", "rms_scaling"}, {"gamma", "beta"}, layer_norm_fn},
      {"RMSNorm", kNn, {"axis", "epsilon"}, {"scale"}, rms_norm_fn},
      {"DotProductAttention",
       kNn,
       {"is_causal", "flash_attention", "attn_logits_soft_cap"},
       {"bias", "mask", "scale"},
       dot_product_attention_fn},
      {"OneHot", kNn, {"num_classes", "axis", "dtype", "sparse"}, none, one_hot_fn},
      {"Conv",
       kNn,
       {"strides", "padding", "data_format", "dilation_rate"},
       none,
       conv_fn<ops::conv>},
      {"DepthwiseConv",
       kNn,
       {"strides", "padding", "data_format", "dilation_rate"},
       none,
       conv_fn<ops::depthwise_conv>},
      {"SeparableConv",
       kNn,
       {"strides", "padding", "data_format", "dilation_rate"},
       none,
       separable_conv_fn},
      {"ConvTranspose",
       kNn,
       {"strides", "padding", "output_padding", "data_format", "dilation_rate"},
       none,
       conv_transpose_fn},
      {"MaxPool",
       kNn,
       {"pool_size", "strides", "padding", "data_format"},
       none,
       pool_fn<ops::max_pool>},
      {"AveragePool",
       kNn,
       {"pool_size", "strides", "padding", "data_format"},
       none,
       pool_fn<ops::average_pool>},
      {"BatchNorm",
       kNn,
       {"axis", "epsilon"},
       {"mean", "variance", "offset", "scale"},
       batch_norm_fn},
      {"DepthToSpace",
       kNn,
       {"block_size", "data_format"},
       none,
       pixel_shuffle_fn<ops::depth_to_space>},
      {"SpaceToDepth",
       kNn,
       {"block_size", "data_format"},
       none,
       pixel_shuffle_fn<ops::space_to_depth>},
      {"MultiHot", kNn, {"num_classes", "axis", "dtype", "sparse"}, none, multi_hot_fn},
      // Reductions.
      {"Sum", kNumpy, reduce_keys, none, reduction<ops::sum>},
      {"Mean", kNumpy, reduce_keys, none, reduction<ops::mean>},
      {"Max", kNumpy, {"axis", "keepdims", "initial"}, none, reduction<ops::max>},
      {"Min", kNumpy, {"axis", "keepdims", "initial"}, none, reduction<ops::min>},
      {"Prod", kNumpy, {"axis", "keepdims", "dtype"}, none, reduction<ops::prod>},
      {"Any", kNumpy, reduce_keys, none, reduction<ops::any>},
      {"All", kNumpy, reduce_keys, none, reduction<ops::all>},
      {"Std", kNumpy, reduce_keys, none, reduction<ops::std>},
      {"Var", kNumpy, reduce_keys, none, reduction<ops::var>},
      {"Amax", kNumpy, reduce_keys, none, reduction<ops::amax>},
      {"Amin", kNumpy, reduce_keys, none, reduction<ops::amin>},
      {"Logsumexp", kMath, reduce_keys, none, reduction<ops::logsumexp>},
      {"Argmax", kNumpy, reduce_keys, none, arg_reduction<ops::argmax>},
      {"Ptp", kNumpy, reduce_keys, none, reduction<ops::ptp>},
      {"CountNonzero", kNumpy, {"axis"}, none, count_nonzero_fn},
      {"Moments", kNn, {"axes", "keepdims", "synchronized"}, none, moments_fn},
      {"Argmin", kNumpy, reduce_keys, none, arg_reduction<ops::argmin>},
      // Shapes and indexing.
      {"Reshape", kNumpy, {"newshape"}, none, reshape_fn},
      {"Transpose", kNumpy, {"axes"}, none, transpose_fn},
      {"Swapaxes", kNumpy, {"axis1", "axis2"}, none, swapaxes_fn},
      {"Tril", kNumpy, {"k"}, none, k_fn<ops::tril>},
      {"Triu", kNumpy, {"k"}, none, k_fn<ops::triu>},
      {"Flip", kNumpy, {"axis"}, none, flip_fn},
      {"Roll", kNumpy, {"shift", "axis"}, none, roll_fn},
      {"Tile", kNumpy, {"repeats"}, none, tile_fn},
      {"Cumsum", kNumpy, {"axis", "dtype"}, none, scan_fn<ops::cumsum>},
      {"Cumprod", kNumpy, {"axis", "dtype"}, none, scan_fn<ops::cumprod>},
      {"Moveaxis", kNumpy, {"source", "destination"}, none, moveaxis_fn},
      {"ExpandDims", kNumpy, {"axis"}, none, expand_dims_fn},
      {"Squeeze", kNumpy, {"axis"}, none, squeeze_fn},
      {"Concatenate", kNumpy, {"axis"}, none, concatenate_fn},
      {"Stack", kNumpy, {"axis"}, none, stack_fn},
      {"Split", kNumpy, {"indices_or_sections", "axis"}, none, split_fn},
      {"Unstack", kCore, {"num", "axis"}, none, unstack_fn},
      {"Nanvar", kNumpy, reduce_keys, none, reduction<ops::nanvar>},
      {"Nanstd", kNumpy, reduce_keys, none, reduction<ops::nanstd>},
      {"Nancumsum", kNumpy, {"axis", "dtype"}, none, scan_fn<ops::nancumsum>},
      {"Nancumprod", kNumpy, {"axis", "dtype"}, none, scan_fn<ops::nancumprod>},
      {"Nanargmax", kNumpy, {"axis", "keepdims"}, none, arg_reduction<ops::nanargmax>},
      {"Nanargmin", kNumpy, {"axis", "keepdims"}, none, arg_reduction<ops::nanargmin>},
      {"Slice", kCore, {"shape"}, none, slice_fn},
      {"Dot", kNumpy, none, none, binary<ops::dot>},
      {"Diag", kNumpy, {"k"}, none, k_fn<ops::diag>},
      {"Average", kNumpy, {"axis"}, {"weights"}, average_fn},
      {"ExtractSequences",
       kMath,
       {"sequence_length", "sequence_stride"},
       none,
       extract_sequences_fn},
      {"InTopK", kMath, {"k"}, none, in_top_k_fn},
      {"Take", kNumpy, {"axis"}, none, take_fn},
      {"TakeAlongAxis", kNumpy, {"axis"}, none, take_along_axis_fn},
      {"Hstack", kNumpy, none, none, stack_like_fn<ops::hstack>},
      {"Vstack", kNumpy, none, none, stack_like_fn<ops::vstack>},
      {"Diff", kNumpy, {"n", "axis"}, none, diff_fn},
      {"Diagonal", kNumpy, {"offset", "axis1", "axis2"}, none, diagonal_fn<ops::diagonal>},
      {"Trace", kNumpy, {"offset", "axis1", "axis2"}, none, diagonal_fn<ops::trace>},
      {"Sort", kNumpy, {"axis"}, none, sort_fn<ops::sort>},
      {"Digitize", kNumpy, none, none, binary<ops::digitize>},
      {"IsIn", kNumpy, {"assume_unique", "invert"}, none, isin_fn},
      {"SearchSorted", kNumpy, {"side"}, none, searchsorted_fn},
      {"Argsort", kNumpy, {"axis"}, none, sort_fn<ops::argsort>},
      {"TopK", kMath, {"k", "sorted"}, none, top_k_fn},
      {"GetItem", kNumpy, none, none, get_item_fn},
      {"Repeat", kNumpy, {"repeats", "axis"}, none, repeat_fn},
      {"Pad", kNumpy, {"pad_width", "mode"}, {"constant_values"}, pad_fn},
      {"Ravel", kNumpy, none, none, unary<ops::ravel>},
      {"Rot90", kNumpy, {"k", "axes"}, none, rot90_fn},
      // Images.
      {"RGBToGrayscale", kImage, {"data_format"}, none, image_fn<ops::image::rgb_to_grayscale>},
      {"RGBToHSV", kImage, {"data_format"}, none, image_fn<ops::image::rgb_to_hsv>},
      {"HSVToRGB", kImage, {"data_format"}, none, image_fn<ops::image::hsv_to_rgb>},
      {"GaussianBlur", kImage, {"kernel_size", "sigma", "data_format"}, none, gaussian_blur_fn},
      {"PadImages",
       kImage,
       {"top_padding", "left_padding", "bottom_padding", "right_padding", "target_height",
        "target_width", "data_format"},
       none,
       pad_images_fn},
      {"CropImages",
       kImage,
       {"top_cropping", "left_cropping", "bottom_cropping", "right_cropping", "target_height",
        "target_width", "data_format"},
       none,
       crop_images_fn},
      {"Resize",
       kImage,
       {"size", "interpolation", "antialias", "crop_to_aspect_ratio", "pad_to_aspect_ratio",
        "fill_mode", "fill_value", "data_format"},
       none,
       resize_fn},
      {"BroadcastTo", kNumpy, {"shape"}, none, broadcast_to_fn},
      {"FullLike", kNumpy, {"dtype"}, none, full_like_fn},
      // Products.
      {"Tensordot", kNumpy, {"axes"}, none, tensordot_fn},
      {"Norm", kLinalg, {"ord", "axis", "keepdims"}, none, norm_fn},
      {"Outer", kNumpy, none, none, binary<ops::outer>},
      {"Inner", kNumpy, none, none, binary<ops::inner>},
      {"Vdot", kNumpy, none, none, binary<ops::vdot>},
      // NaN-ignoring reductions and order statistics.
      {"Nansum", kNumpy, reduce_keys, none, reduction<ops::nansum>},
      {"Nanprod", kNumpy, reduce_keys, none, reduction<ops::nanprod>},
      {"Nanmean", kNumpy, reduce_keys, none, reduction<ops::nanmean>},
      {"Nanmax", kNumpy, reduce_keys, none, reduction<ops::nanmax>},
      {"Nanmin", kNumpy, reduce_keys, none, reduction<ops::nanmin>},
      {"Median", kNumpy, reduce_keys, none, reduction<ops::median>},
      {"Quantile", kNumpy, {"axis", "method", "keepdims"}, none, quantile_fn<false>},
      {"Percentile", kNumpy, {"axis", "method", "keepdims"}, none, quantile_fn<true>},
  };
  std::vector<Spec> more = more_rows();
  rows.insert(rows.end(), std::make_move_iterator(more.begin()),
              std::make_move_iterator(more.end()));
  std::vector<Spec> core = core_rows();
  rows.insert(rows.end(), std::make_move_iterator(core.begin()),
              std::make_move_iterator(core.end()));
  for (Spec& s : image_rows()) rows.push_back(std::move(s));
  std::vector<Spec> numpy = numpy_rows();
  rows.insert(rows.end(), std::make_move_iterator(numpy.begin()),
              std::make_move_iterator(numpy.end()));
  return rows;
}
#undef KERAS_ACTIVATION_WITH

// ---- NumPy constants ----

constexpr size_t kMaxConstant = size_t{1} << 24;

void shape_of(const Json& v, Shape& shape, const std::string& what) {
  KERAS_CHECK(shape.size() < 32, ValueError, what, ": a NumPy constant nests too deeply");
  if (!v.is_array()) return;
  shape.push_back(static_cast<int64_t>(v.size()));
  if (!v.empty()) shape_of(v[0], shape, what);
}

void flatten(const Json& v,
             const Shape& shape,
             size_t d,
             std::vector<double>& out,
             const std::string& what) {
  if (d == shape.size()) {
    KERAS_CHECK(v.is_number() || v.is_boolean(), ValueError, what,
                ": a NumPy constant holds a non-number ", config::json_excerpt(v));
    out.push_back(v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>());
    return;
  }
  KERAS_CHECK(v.is_array() && static_cast<int64_t>(v.size()) == shape[d], ValueError, what,
              ": a NumPy constant is not rectangular");
  for (const Json& x : v) flatten(x, shape, d + 1, out, what);
}

Json nested(const double* data, const Shape& shape, size_t d, DType dtype) {
  if (d == shape.size()) {
    if (dtype == bool_) return *data != 0;
    if (is_integer(dtype)) return static_cast<int64_t>(*data);
    return *data;
  }
  int64_t stride = 1;
  for (size_t i = d + 1; i < shape.size(); ++i) stride *= shape[i];
  Json out = Json::array();
  for (int64_t i = 0; i < shape[d]; ++i)
    out.push_back(nested(data + i * stride, shape, d + 1, dtype));
  return out;
}

}  // namespace

const std::vector<Spec>& all() {
  static const std::vector<Spec> table = make_table();
  return table;
}

const Spec* find(const std::string& class_name) {
  static const std::map<std::string, const Spec*> by_name = [] {
    std::map<std::string, const Spec*> m;
    for (const Spec& s : all()) m.emplace(s.class_name, &s);
    return m;
  }();
  auto it = by_name.find(class_name);
  return it == by_name.end() ? nullptr : it->second;
}

Json numpy_to_json(const Tensor& t) {
  const Tensor host = ops::copy(ops::cast(t.cpu(), float64));
  const std::span<double> values = host.span<double>();
  return Json{{"class_name", "__numpy__"},
              {"config",
               {{"value", nested(values.data(), t.shape(), 0, t.dtype())},
                {"dtype", std::string(dtype_name(t.dtype()))}}}};
}

Tensor numpy_from_json(const Json& j, const std::string& what) {
  const Json* c = config::find(j, "config");
  KERAS_CHECK(c != nullptr && c->is_object() && c->contains("value"), ValueError, what,
              ": a NumPy constant needs a config with a 'value'");
  const DType dtype = config::dtype_from_json(config::value(*c, "dtype", "float32"));
  const Json& v = c->at("value");
  Shape shape;
  shape_of(v, shape, what);
  size_t n = 1;
  for (int64_t d : shape) {
    n *= static_cast<size_t>(d);
    KERAS_CHECK(n <= kMaxConstant, ValueError, what, ": a NumPy constant is too large");
  }
  std::vector<double> values;
  values.reserve(n);
  flatten(v, shape, 0, values, what);
  return ops::cast(Tensor::from_vector(values, shape), dtype);
}

}  // namespace keras::layers::op_table
