#include "keras/layers/merging.h"

#include <algorithm>
#include <set>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "layers/keras2_layout.h"

namespace keras::layers {
namespace {

// Python's str() of a list of shape tuples: "[(None, 3), (None, 4, 5)]".
std::string shapes_list_str(const std::vector<Shape>& shapes) {
  std::string s = "[";
  for (size_t i = 0; i < shapes.size(); ++i) s += (i ? ", " : "") + shape_str(shapes[i]);
  return s + "]";
}

std::vector<Shape> shapes_of(const Tensors& xs) {
  std::vector<Shape> out;
  for (const Tensor& x : xs) out.push_back(x.shape());
  return out;
}

// Keras 2's _Merge._compute_elemwise_op_output_shape, on shapes without the batch axis.
Shape elemwise_output_shape(const Shape& a, const Shape& b) {
  if (a.size() < b.size()) return elemwise_output_shape(b, a);
  if (b.empty()) return a;
  const size_t lead = a.size() - b.size();
  Shape out(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(lead));
  for (size_t k = 0; k < b.size(); ++k) {
    const int64_t i = a[lead + k], j = b[k];
    if (i == kNone || j == kNone) {
      out.push_back(kNone);
    } else if (i == 1) {
      out.push_back(j);
    } else if (j == 1) {
      out.push_back(i);
    } else {
      KERAS_CHECK(i == j, ValueError, "Operands could not be broadcast together with shapes ",
                  shape_str(a), " ", shape_str(b));
      out.push_back(i);
    }
  }
  return out;
}

// Floating dtypes become the layer's dtype (Keras's autocast); others are kept.
DType autocast(DType input, DType layer) {
  return is_floating(input) ? layer : input;
}

DType promoted(const std::vector<DType>& dtypes) {
  DType d = dtypes.at(0);
  for (DType t : dtypes) d = ops::result_type(d, t);
  return d;
}

// Casts every input to `dtype`.
Tensors cast_all(const Tensors& xs, DType dtype) {
  Tensors out;
  for (const Tensor& x : xs) out.push_back(ops::cast(x, dtype));
  return out;
}

// Python's `a % rank` for an axis in [-rank, rank), else a ValueError.
int normalize_dot_axis(int axis, int rank, const Shape& shape) {
  const int a = axis < 0 ? axis + rank : axis;
  KERAS_CHECK(a >= 0 && a < rank, ValueError, "Dot: axis ", axis,
              " is out of bounds for an input of shape ", shape_str(shape));
  return a;
}

// x / sqrt(max(sum(x², axis), 1e-12)) (keras.backend.l2_normalize).
Tensor l2_normalize(const Tensor& x, int axis) {
  const Tensor sq = ops::sum(ops::square(x), axis, /*keepdims=*/true);
  return ops::divide(x, ops::sqrt(ops::maximum(sq, 1e-12)));
}

}  // namespace

// ---- elementwise merges ----

MergeImpl::MergeImpl(std::string name, std::string_view prefix) : Layer(std::move(name), prefix) {}

void MergeImpl::check_num_inputs(size_t n) const {
  KERAS_CHECK(n >= 2, ValueError,
              "A merge layer should be called on a list of at least 2 inputs. Got ", n, " inputs.");
}

void MergeImpl::build(const std::vector<Shape>& input_shapes) {
  compute_output_shape(input_shapes);  // validates: the count, batch sizes and broadcasting
}

std::vector<Shape> MergeImpl::compute_output_shape(const std::vector<Shape>& input_shapes) const {
  check_num_inputs(input_shapes.size());
  std::set<int64_t> batch_sizes;
  for (const Shape& s : input_shapes) {
    KERAS_CHECK(!s.empty(), ValueError, "A merge layer needs inputs with a batch axis. Got ",
                "inputs with shapes: ", shapes_list_str(input_shapes));
    if (s[0] != kNone) batch_sizes.insert(s[0]);
  }
  KERAS_CHECK(batch_sizes.size() <= 1, ValueError,
              "Can not merge tensors with different batch sizes. Got tensors with shapes : ",
              shapes_list_str(input_shapes));
  Shape out(input_shapes[0].begin() + 1, input_shapes[0].end());
  for (size_t i = 1; i < input_shapes.size(); ++i) {
    out = elemwise_output_shape(out, Shape(input_shapes[i].begin() + 1, input_shapes[i].end()));
  }
  out.insert(out.begin(), batch_sizes.size() == 1 ? *batch_sizes.begin() : kNone);
  return {out};
}

Tensors MergeImpl::compute_mask(const Tensors&, const Tensors& masks, const Tensors&) const {
  Tensor out;
  for (const Tensor& m : masks) {
    if (!m.defined()) {
      if (keras2_masks_) continue;
      return {};
    }
    out = !out.defined() ? m : keras2_masks_ ? ops::logical_and(out, m) : ops::logical_or(out, m);
  }
  return {out};
}

Tensors ConcatenateImpl::compute_mask(const Tensors& inputs,
                                      const Tensors& masks,
                                      const Tensors&) const {
  // No input mask: no output mask (Keras 2 and 3).
  if (std::none_of(masks.begin(), masks.end(), [](const Tensor& m) { return m.defined(); })) {
    return {};
  }
  Tensors parts;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Shape& s = inputs[i].shape();
    const Tensor m = i < masks.size() ? masks[i] : Tensor();
    if (!m.defined()) {
      parts.push_back(ops::ones_like(Tensor::empty(s, bool_, inputs[i].device())));
    } else if (m.rank() < inputs[i].rank()) {
      parts.push_back(ops::broadcast_to(ops::expand_dims(m, -1), s));
    } else {
      parts.push_back(m);
    }
  }
  const Tensor joined = ops::concatenate(parts, axis_);
  return {keras2_masks_ ? ops::all(joined, {-1}) : ops::any(joined, {-1})};
}

std::vector<DType> MergeImpl::compute_output_dtype(const std::vector<DType>& input_dtypes,
                                                   size_t num_outputs) const {
  std::vector<DType> cast;
  for (DType d : input_dtypes) cast.push_back(floating_output() ? dtype() : autocast(d, dtype()));
  return std::vector<DType>(num_outputs, promoted(cast));
}

Tensors MergeImpl::call(const Tensors& inputs, bool) {
  compute_output_shape(shapes_of(inputs));  // the same errors as the symbolic call
  std::vector<DType> dtypes;
  for (const Tensor& x : inputs) dtypes.push_back(x.dtype());
  const DType out_dtype = compute_output_dtype(dtypes, 1)[0];
  int rank = 0;
  for (const Tensor& x : inputs) rank = std::max(rank, x.rank());
  Tensors xs;
  for (const Tensor& x : inputs) {
    Tensor t = ops::cast(x, out_dtype);
    if (t.rank() < rank) {  // Keras 2: expand at axis 1 until the ranks agree
      Shape s = t.shape();
      s.insert(s.begin() + 1, static_cast<size_t>(rank - t.rank()), 1);
      t = ops::reshape(t, s);
    } else if (x.keras_mask().defined()) {
      // Maximum, Minimum and Multiply leave masked values out (Keras 3); a view of its own
      // carries the mask to merge_function.
      t = ops::reshape(t, t.shape());
      t.set_keras_mask(x.keras_mask());
    }
    xs.push_back(t);
  }
  return {merge_function(xs)};
}

Tensor AddImpl::merge_function(const Tensors& xs) const {
  Tensor y = xs[0];
  for (size_t i = 1; i < xs.size(); ++i) y = ops::add(y, xs[i]);
  return y;
}

void SubtractImpl::check_num_inputs(size_t n) const {
  KERAS_CHECK(n == 2, ValueError, "A `Subtract` layer should be called on exactly 2 inputs");
}

Tensor SubtractImpl::merge_function(const Tensors& xs) const {
  return ops::subtract(xs[0], xs[1]);
}

namespace {

// A (batch, ...) Keras mask broadcast over x's last axis, as Keras 3's merges use it.
Tensor element_mask(const Tensor& x) {
  const Tensor& m = x.keras_mask();
  return m.defined() ? ops::broadcast_to(ops::expand_dims(m, -1), x.shape()) : Tensor();
}

// Keras 3's _apply_merge_op_and_or_mask (Maximum, Minimum): a masked value is replaced by the
// other operand's, so only unmasked values compete.
template <class Op>
Tensor merge_or_masks(const Tensors& xs, Op op) {
  Tensor y = xs[0];
  Tensor y_mask = element_mask(xs[0]);
  for (size_t i = 1; i < xs.size(); ++i) {
    Tensor x = xs[i];
    const Tensor mask = element_mask(x);
    if (mask.defined()) x = ops::where(mask, x, y);
    if (y_mask.defined()) y = ops::where(y_mask, y, x);
    y_mask = mask.defined() && y_mask.defined() ? ops::logical_or(y_mask, mask) : Tensor();
    y = op(y, x);
  }
  return y;
}

}  // namespace

// Keras 3: masked values count as 1, and where every input is masked the product is 0.
Tensor MultiplyImpl::merge_function(const Tensors& xs) const {
  bool all_masked = true;
  Tensor y, y_mask;
  for (const Tensor& input : xs) {
    Tensor x = input;
    const Tensor mask = element_mask(x);
    if (mask.defined()) {
      x = ops::where(mask, x, ops::ones_like(x));
      y_mask = y_mask.defined() ? ops::logical_or(y_mask, mask) : mask;
    } else {
      all_masked = false;
    }
    y = y.defined() ? ops::multiply(y, x) : x;
  }
  if (all_masked && y_mask.defined()) y = ops::where(y_mask, y, ops::zeros_like(y));
  return y;
}

Tensor AverageImpl::merge_function(const Tensors& xs) const {
  Tensor y = xs[0];
  for (size_t i = 1; i < xs.size(); ++i) y = ops::add(y, xs[i]);
  return ops::divide(y, static_cast<double>(xs.size()));
}

Tensor MaximumImpl::merge_function(const Tensors& xs) const {
  return merge_or_masks(xs, [](const Tensor& a, const Tensor& b) { return ops::maximum(a, b); });
}

Tensor MinimumImpl::merge_function(const Tensors& xs) const {
  return merge_or_masks(xs, [](const Tensor& a, const Tensor& b) { return ops::minimum(a, b); });
}

// ---- Concatenate ----

ConcatenateImpl::ConcatenateImpl(ConcatenateOptions options)
    : Layer(std::move(options.name), "concatenate"), axis_(options.axis) {}

void ConcatenateImpl::build(const std::vector<Shape>& input_shapes) {
  compute_output_shape(input_shapes);  // validates
}

std::vector<Shape> ConcatenateImpl::compute_output_shape(
    const std::vector<Shape>& input_shapes) const {
  KERAS_CHECK(input_shapes.size() >= 2, ValueError,
              "A `Concatenate` layer should be called on a list of at least 2 inputs");
  const std::string mismatch =
      str("A `Concatenate` layer requires inputs with matching shapes except for the concatenation "
          "axis. "
          "Got inputs shapes: ",
          shapes_list_str(input_shapes));
  const size_t rank = input_shapes[0].size();
  for (const Shape& s : input_shapes) KERAS_CHECK(s.size() == rank, ValueError, mismatch);
  const int r = static_cast<int>(rank);
  const int axis = axis_ < 0 ? axis_ + r : axis_;
  KERAS_CHECK(axis >= 0 && axis < r, ValueError, "A `Concatenate` layer got axis=", axis_,
              ", out of bounds for inputs of rank ", r,
              ". Got inputs shapes: ", shapes_list_str(input_shapes));
  Shape out(rank, kNone);
  for (size_t d = 0; d < rank; ++d) {
    if (static_cast<int>(d) == axis) {
      int64_t total = 0;
      for (const Shape& s : input_shapes) {
        if (s[d] == kNone) {
          total = kNone;
          break;
        }
        total = checked_add(total, s[d], "Concatenate");
      }
      out[d] = total;
      continue;
    }
    for (const Shape& s : input_shapes) {
      if (s[d] == kNone) continue;
      KERAS_CHECK(out[d] == kNone || out[d] == s[d], ValueError, mismatch);
      out[d] = s[d];
    }
  }
  return {out};
}

std::vector<DType> ConcatenateImpl::compute_output_dtype(const std::vector<DType>& input_dtypes,
                                                         size_t num_outputs) const {
  std::vector<DType> cast;
  for (DType d : input_dtypes) cast.push_back(autocast(d, dtype()));
  return std::vector<DType>(num_outputs, promoted(cast));
}

Tensors ConcatenateImpl::call(const Tensors& inputs, bool) {
  compute_output_shape(shapes_of(inputs));
  std::vector<DType> dtypes;
  for (const Tensor& x : inputs) dtypes.push_back(x.dtype());
  return {ops::concatenate(cast_all(inputs, compute_output_dtype(dtypes, 1)[0]), axis_)};
}

// ---- Dot ----

DotImpl::DotImpl(std::pair<int, int> axes, bool axes_given_as_int, DotOptions options)
    : Layer(options.name, "dot"),
      axes_(axes),
      int_axes_(axes_given_as_int),
      options_(std::move(options)) {}

std::pair<int, int> DotImpl::resolve_axes(const std::vector<Shape>& shapes) const {
  KERAS_CHECK(shapes.size() == 2, ValueError,
              "A `Dot` layer should be called on a list of 2 inputs.");
  const Shape &s1 = shapes[0], &s2 = shapes[1];
  const int r1 = static_cast<int>(s1.size()), r2 = static_cast<int>(s2.size());
  KERAS_CHECK(r1 >= 2 && r2 >= 2, ValueError,
              "Cannot do batch_dot on inputs with rank < 2. Received inputs with shapes ",
              shape_str(s1), " and ", shape_str(s2), ".");
  std::pair<int, int> a;
  if (int_axes_ && axes_.first >= 0) {
    a = axes_;  // Keras 2: a non-negative int axis is used as is for both inputs
    KERAS_CHECK(a.first < r1 && a.second < r2, ValueError, "Dot: axis ", axes_.first,
                " is out of bounds for inputs of shapes ", shape_str(s1), " and ", shape_str(s2));
  } else {
    a = {normalize_dot_axis(axes_.first, r1, s1), normalize_dot_axis(axes_.second, r2, s2)};
  }
  KERAS_CHECK(a.first != 0 && a.second != 0, ValueError,
              "Cannot perform batch_dot over axis 0. If your inputs are not batched, add a dummy "
              "batch dimension to your inputs using K.expand_dims(x, 0)");
  const int64_t d1 = s1[a.first], d2 = s2[a.second];
  KERAS_CHECK(d1 == kNone || d2 == kNone || d1 == d2, ValueError, "Dimension incompatibility ", d1,
              " != ", d2, ". Layer shapes: ", shape_str(s1), ", ", shape_str(s2),
              ". Chosen axes: ", a.first, ", ", a.second);
  KERAS_CHECK(s1[0] == kNone || s2[0] == kNone || s1[0] == s2[0], ValueError,
              "Cannot do batch_dot on inputs with different batch sizes. Received inputs with "
              "shapes ",
              shape_str(s1), " and ", shape_str(s2), ".");
  return a;
}

void DotImpl::build(const std::vector<Shape>& input_shapes) {
  resolve_axes(input_shapes);  // validates
}

std::vector<Shape> DotImpl::compute_output_shape(const std::vector<Shape>& input_shapes) const {
  const auto [a1, a2] = resolve_axes(input_shapes);
  Shape s1 = input_shapes[0], s2 = input_shapes[1];
  s1.erase(s1.begin() + a1);
  s2.erase(s2.begin() + a2);
  s2.erase(s2.begin());
  if (s1[0] == kNone) s1[0] = input_shapes[1][0];
  s1.insert(s1.end(), s2.begin(), s2.end());
  if (s1.size() == 1) s1.push_back(1);
  return {s1};
}

Tensors DotImpl::call(const Tensors& inputs, bool) {
  const auto [a1, a2] = resolve_axes(shapes_of(inputs));
  Tensor x = ops::cast(inputs[0], dtype()), y = ops::cast(inputs[1], dtype());
  if (options_.normalize) {
    x = l2_normalize(x, a1);
    y = l2_normalize(y, a2);
  }
  // batch_dot as one batched matmul: x -> (b, M, K) with the axis last, y -> (b, K, N).
  const Shape& s1 = x.shape();
  const Shape& s2 = y.shape();
  const int64_t batch = s1[0], k = s1[a1];
  std::vector<int> p1{0}, p2{0, a2};
  Shape out{batch};
  int64_t m = 1, n = 1;
  for (int d = 1; d < x.rank(); ++d) {
    if (d == a1) continue;
    p1.push_back(d);
    out.push_back(s1[d]);
    m *= s1[d];
  }
  p1.push_back(a1);
  for (int d = 1; d < y.rank(); ++d) {
    if (d == a2) continue;
    p2.push_back(d);
    out.push_back(s2[d]);
    n *= s2[d];
  }
  if (out.size() == 1) out.push_back(1);
  const Tensor xm = ops::reshape(ops::transpose(x, p1), {batch, m, k});
  const Tensor ym = ops::reshape(ops::transpose(y, p2), {batch, k, n});
  return {ops::reshape(ops::matmul(xm, ym), out)};
}

// ---- functional forms ----

KerasTensor concatenate(const KerasTensors& inputs, ConcatenateOptions options) {
  return Concatenate(std::move(options))(inputs);
}
KerasTensor add(const KerasTensors& inputs, MergeOptions options) {
  return Add(std::move(options))(inputs);
}
KerasTensor subtract(const KerasTensors& inputs, MergeOptions options) {
  return Subtract(std::move(options))(inputs);
}
KerasTensor multiply(const KerasTensors& inputs, MergeOptions options) {
  return Multiply(std::move(options))(inputs);
}
KerasTensor average(const KerasTensors& inputs, MergeOptions options) {
  return Average(std::move(options))(inputs);
}
KerasTensor maximum(const KerasTensors& inputs, MergeOptions options) {
  return Maximum(std::move(options))(inputs);
}
KerasTensor minimum(const KerasTensors& inputs, MergeOptions options) {
  return Minimum(std::move(options))(inputs);
}
KerasTensor dot(const KerasTensors& inputs, int axes, DotOptions options) {
  return Dot(axes, std::move(options))(inputs);
}
KerasTensor dot(const KerasTensors& inputs, std::pair<int, int> axes, DotOptions options) {
  return Dot(axes, std::move(options))(inputs);
}

KerasTensor merge(const KerasTensors& inputs, LegacyMergeOptions o) {
  const std::string& mode = o.mode;
  if (mode == "sum") return add(inputs, {.name = o.name});
  if (mode == "mul") return multiply(inputs, {.name = o.name});
  if (mode == "ave") return average(inputs, {.name = o.name});
  if (mode == "max") return maximum(inputs, {.name = o.name});
  if (mode == "concat") return concatenate(inputs, {.axis = o.concat_axis, .name = o.name});
  if (mode == "dot" || mode == "cos") {
    KERAS_CHECK(o.dot_axes.size() == 1 || o.dot_axes.size() == 2, ValueError,
                "Invalid format for dot_axes - should be an int or a list of 2 ints, got ",
                o.dot_axes.size(), " values");
    const DotOptions dot_options{.normalize = mode == "cos", .name = o.name};
    if (o.dot_axes.size() == 1) return dot(inputs, o.dot_axes[0], dot_options);
    return dot(inputs, std::pair{o.dot_axes[0], o.dot_axes[1]}, dot_options);
  }
  throw ValueError(str("Invalid merge mode: ", mode));
}

Json MergeImpl::get_config() const {
  Json config = Layer::get_config();
  if (keras2_masks_ && internal::Keras2Layout::active()) config["keras2_masks"] = true;
  return config;
}

namespace {
template <class Impl>
std::shared_ptr<Layer> merge_from_config(const Json& config) {
  auto layer = std::make_shared<Impl>(
      MergeOptions{.name = config::get<std::string>(config, "name", "", "merge layer")});
  layer->apply_base_config(config);
  // Set by the loader for a Keras 2 file (saving's keras2_config); never written.
  layer->set_keras2_masks(config::get<bool>(config, "keras2_masks", false, "merge layer"));
  return layer;
}
}  // namespace

std::shared_ptr<Layer> AddImpl::from_config(const Json& c) {
  return merge_from_config<AddImpl>(c);
}
std::shared_ptr<Layer> SubtractImpl::from_config(const Json& c) {
  return merge_from_config<SubtractImpl>(c);
}
std::shared_ptr<Layer> MultiplyImpl::from_config(const Json& c) {
  return merge_from_config<MultiplyImpl>(c);
}
std::shared_ptr<Layer> AverageImpl::from_config(const Json& c) {
  return merge_from_config<AverageImpl>(c);
}
std::shared_ptr<Layer> MaximumImpl::from_config(const Json& c) {
  return merge_from_config<MaximumImpl>(c);
}
std::shared_ptr<Layer> MinimumImpl::from_config(const Json& c) {
  return merge_from_config<MinimumImpl>(c);
}

Json ConcatenateImpl::get_config() const {
  Json config = Layer::get_config();
  config["axis"] = axis_;
  if (keras2_masks_ && internal::Keras2Layout::active()) config["keras2_masks"] = true;
  return config;
}

std::shared_ptr<Layer> ConcatenateImpl::from_config(const Json& config) {
  auto layer = std::make_shared<ConcatenateImpl>(
      ConcatenateOptions{.axis = config::get<int>(config, "axis", -1, "Concatenate"),
                         .name = config::get<std::string>(config, "name", "", "Concatenate")});
  layer->apply_base_config(config);
  layer->set_keras2_masks(config::get<bool>(config, "keras2_masks", false, "Concatenate"));
  return layer;
}

Json DotImpl::get_config() const {
  Json config = Layer::get_config();
  config["axes"] = int_axes_ ? Json(axes_.first) : Json::array({axes_.first, axes_.second});
  config["normalize"] = options_.normalize;
  return config;
}

std::shared_ptr<Layer> DotImpl::from_config(const Json& config) {
  const char* w = "Dot";
  const Json axes = config::value(config, "axes", nullptr);
  DotOptions o{.normalize = config::get<bool>(config, "normalize", false, w),
               .name = config::get<std::string>(config, "name", "", w)};
  std::shared_ptr<DotImpl> layer;
  if (axes.is_array()) {
    const auto a = config::convert<std::vector<int>>(axes, "axes", w);
    KERAS_CHECK(a.size() == 2, ValueError, "Dot: axes must be an int or a pair of ints");
    layer = std::make_shared<DotImpl>(std::pair{a[0], a[1]}, false, o);
  } else {
    const int a = config::convert<int>(axes, "axes", w);
    layer = std::make_shared<DotImpl>(std::pair{a, a}, true, o);
  }
  layer->apply_base_config(config);
  return layer;
}

}  // namespace keras::layers
