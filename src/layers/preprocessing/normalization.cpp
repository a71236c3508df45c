#include "keras/layers/preprocessing/normalization.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "layers/config_util.h"

namespace keras::layers {

namespace {

constexpr double kEpsilon = 1e-7;  // Keras's backend.epsilon()

Json values_to_json(const std::optional<NormalizationValues>& v) {
  if (!v) return nullptr;
  if (v->shape.empty()) return v->values.at(0);
  // Nested lists, row-major.
  std::function<Json(size_t, size_t)> nest = [&](size_t dim, size_t offset) -> Json {
    Json out = Json::array();
    size_t stride = 1;
    for (size_t d = dim + 1; d < v->shape.size(); ++d) stride *= static_cast<size_t>(v->shape[d]);
    for (int64_t i = 0; i < v->shape[dim]; ++i) {
      const size_t at = offset + static_cast<size_t>(i) * stride;
      out.push_back(dim + 1 == v->shape.size() ? Json(v->values[at]) : nest(dim + 1, at));
    }
    return out;
  };
  return nest(0, 0);
}

void flatten(const Json& j, size_t depth, NormalizationValues& out, const char* key) {
  KERAS_CHECK(depth <= 8, ValueError, "Normalization: config key '", key, "' is nested too deeply");
  if (!j.is_array()) {
    KERAS_CHECK(depth == out.shape.size(), ValueError, "Normalization: config key '", key,
                "' is not a rectangular array");
    out.values.push_back(config::convert<double>(j, key, "Normalization"));
    return;
  }
  if (depth == out.shape.size()) out.shape.push_back(static_cast<int64_t>(j.size()));
  KERAS_CHECK(depth < out.shape.size() && out.shape[depth] == static_cast<int64_t>(j.size()) &&
                  out.values.size() <= (size_t{1} << 24),
              ValueError, "Normalization: config key '", key, "' is not a rectangular array");
  for (const Json& e : j) flatten(e, depth + 1, out, key);
}

std::optional<NormalizationValues> values_from_json(const Json& c, const char* key) {
  const Json* j = config::find(c, key);
  if (j == nullptr) return std::nullopt;
  NormalizationValues v;
  flatten(*j, 0, v, key);
  return v;
}

}  // namespace

NormalizationImpl::NormalizationImpl(NormalizationOptions options)
    : Layer(options.name,
            "normalization",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      options_(std::move(options)) {
  const auto& m = options_.mean;
  const auto& v = options_.variance;
  KERAS_CHECK(m.has_value() == v.has_value(), ValueError,
              "When setting values directly, both `mean` and `variance` must be set.");
  if (m) {
    KERAS_CHECK(m->shape == v->shape, ValueError,
                "When setting values directly, `mean` and `variance` must have the same shape. "
                "Received: mean shape ",
                shape_str(m->shape), " and variance shape ", shape_str(v->shape));
    KERAS_CHECK(m->shape.size() <= options_.axis.size(), ValueError,
                "The rank of `mean` must be less than or equal to the number of axes (",
                options_.axis.size(), "). Received: mean shape ", shape_str(m->shape));
  }
}

void NormalizationImpl::build(const std::vector<Shape>& input_shapes) {
  const Shape& s = input_shapes[0];
  const int ndim = static_cast<int>(s.size());
  keep_.clear();
  for (int a : options_.axis) {
    KERAS_CHECK(a >= -ndim && a < ndim, ValueError,
                "All `axis` values must be in the range [-ndim, ndim). Received inputs with ndim=",
                ndim, ", while axis=", a);
    keep_.push_back(a < 0 ? a + ndim : a);
  }
  std::sort(keep_.begin(), keep_.end());
  reduce_.clear();
  for (int d = 0; d < ndim; ++d) {
    if (!std::binary_search(keep_.begin(), keep_.end(), d)) reduce_.push_back(d);
  }
  broadcast_.assign(static_cast<size_t>(ndim), 1);
  Shape kept;
  for (int d : keep_) {
    KERAS_CHECK(s[static_cast<size_t>(d)] != kNone, ValueError,
                "All `axis` values to be kept must have a known shape. Received inputs.shape=",
                shape_str(s), ", with unknown axis at index ", d);
    broadcast_[static_cast<size_t>(d)] = s[static_cast<size_t>(d)];
    kept.push_back(s[static_cast<size_t>(d)]);
  }
  if (!options_.mean) {
    adapt_mean_ = add_weight("mean", kept, "zeros", /*trainable=*/false);
    adapt_variance_ = add_weight("variance", kept, "ones", /*trainable=*/false);
    // Keras's count is an int32 whatever the layer's dtype.
    const initializers::Initializer int_zeros(
        "Zeros", [](const Shape& shape, DType) { return full(shape, 0, int32); });
    count_ = add_weight("count", {}, int_zeros, /*trainable=*/false);
    return;
  }
  // The values' dimensions go to the last kept axes.
  const Shape& vs = options_.mean->shape;
  Shape expanded(static_cast<size_t>(ndim), 1);
  for (size_t i = 1; i <= vs.size(); ++i) {
    expanded[static_cast<size_t>(keep_[keep_.size() - i])] = vs[vs.size() - i];
  }
  const auto place = [&](const std::vector<double>& values) {
    const Tensor t = Tensor::from_vector(values, vs.empty() ? Shape{} : expanded, Device::cpu());
    return ops::copy(ops::broadcast_to(t, broadcast_));
  };
  mean_ = place(options_.mean->values);
  std::vector<double> scale = options_.variance->values;
  for (double& v : scale) v = std::max(std::sqrt(v), kEpsilon);
  scale_ = place(scale);
}

Tensors NormalizationImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  Tensor mean, scale;
  if (options_.mean) {
    mean = ops::cast(mean_.to(x.device()), x.dtype());
    scale = ops::cast(scale_.to(x.device()), x.dtype());
  } else {
    // Read at every call: loading or adapt() may have changed the weights.
    mean = ops::cast(ops::reshape(adapt_mean_.value(), broadcast_), x.dtype());
    scale = ops::maximum(
        ops::sqrt(ops::cast(ops::reshape(adapt_variance_.value(), broadcast_), x.dtype())),
        kEpsilon);
  }
  if (options_.invert) return {ops::add(mean, ops::multiply(x, scale))};
  return {ops::divide(ops::subtract(x, mean), scale)};
}

void NormalizationImpl::check_adaptable(const Shape& shape) {
  KERAS_CHECK(!options_.mean, ValueError, "Layer ", name(),
              " (Normalization) was given `mean` and `variance`; adapt() cannot be called on it");
  if (!built()) {
    Shape s = shape;
    maybe_build({s});
    return;
  }
  const Shape& built_shape = build_input_shapes().at(0);
  bool same = built_shape.size() == shape.size();
  for (int d : keep_)
    same = same && built_shape[static_cast<size_t>(d)] == shape[static_cast<size_t>(d)];
  KERAS_CHECK(same, ValueError, "The layer was built with input_shape=", shape_str(built_shape),
              ", but adapt() is being called with data with an incompatible shape, data.shape=",
              shape_str(shape));
}

void NormalizationImpl::adapt(const Tensor& data) {
  adapt(std::vector<Tensor>{data});
}

void NormalizationImpl::adapt(const std::vector<Tensor>& batches) {
  KERAS_CHECK(!batches.empty(), ValueError,
              "adapt() received an empty iterable (no batches). Expected at least one batch.");
  for (const Tensor& batch : batches) {
    KERAS_CHECK(batch.defined(), ValueError, "Layer ", name(),
                " (Normalization): adapt() received an undefined Tensor");
  }
  check_adaptable(batches[0].shape());
  const Shape kept = adapt_mean_.shape();
  Tensor total_mean = full(kept, 0.0, float64), total_var = full(kept, 0.0, float64);
  int64_t total_count = 0;
  for (const Tensor& batch : batches) {
    check_adaptable(batch.shape());
    const Tensor x = ops::cast(batch.to(Device::cpu()), float64);
    int64_t count = 1;
    for (int d : reduce_) count *= x.shape()[static_cast<size_t>(d)];
    Tensor mean = x, var = ops::zeros_like(x);
    if (!reduce_.empty()) {
      mean = ops::mean(x, reduce_);
      var = ops::mean(ops::square(ops::subtract(x, ops::mean(x, reduce_, true))), reduce_);
    }
    mean = ops::reshape(mean, kept);
    var = ops::reshape(var, kept);
    if (batches.size() == 1) {  // Keras's single array: its statistics directly
      total_mean = mean;
      total_var = var;
      break;
    }
    // Keras's running combination, weighted by element counts.
    total_count += count;
    const double w = static_cast<double>(count) / static_cast<double>(total_count);
    const Tensor new_mean = ops::add(ops::multiply(total_mean, 1.0 - w), ops::multiply(mean, w));
    total_var = ops::add(
        ops::multiply(ops::add(total_var, ops::square(ops::subtract(total_mean, new_mean))),
                      1.0 - w),
        ops::multiply(ops::add(var, ops::square(ops::subtract(mean, new_mean))), w));
    total_mean = new_mean;
  }
  adapt_mean_.assign(total_mean);
  adapt_variance_.assign(total_var);
}

std::vector<Shape> NormalizationImpl::compute_output_shape(const std::vector<Shape>& in) const {
  return {in[0]};
}

std::vector<DType> NormalizationImpl::compute_output_dtype(const std::vector<DType>&,
                                                           size_t) const {
  return {dtype()};
}

Json NormalizationImpl::get_config() const {
  Json config = Layer::get_config();
  config["axis"] = options_.axis;
  config["invert"] = options_.invert;
  config["mean"] = values_to_json(options_.mean);
  config["variance"] = values_to_json(options_.variance);
  return config;
}

std::shared_ptr<Layer> NormalizationImpl::from_config(const Json& c) {
  const char* w = "Normalization";
  NormalizationOptions o{.mean = values_from_json(c, "mean"),
                         .variance = values_from_json(c, "variance"),
                         .invert = config::get<bool>(c, "invert", false, w),
                         .name = config::get<std::string>(c, "name", "", w)};
  o.axis.clear();
  // Keras writes the axis as a list ([] for axis=None); an int is accepted too.
  if (const Json* a = config::find(c, "axis")) {
    for (int64_t v : config_util::int_list(*a, "axis", w)) {
      KERAS_CHECK(v >= -64 && v < 64, ValueError, w, ": axis ", v, " is out of range");
      o.axis.push_back(static_cast<int>(v));
    }
  }
  auto layer = std::make_shared<NormalizationImpl>(std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
