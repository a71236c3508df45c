#include "keras/layers/preprocessing/normalization.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
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
  if (!options_.mean) {
    throw NotImplementedError(str("Layer ", name(),
                                  " (Normalization): a layer without `mean` and `variance` (one "
                                  "learned with adapt()) is not supported yet"));
  }
  std::vector<int> keep;
  for (int a : options_.axis) {
    KERAS_CHECK(a >= -ndim && a < ndim, ValueError,
                "All `axis` values must be in the range [-ndim, ndim). Received inputs with ndim=",
                ndim, ", while axis=", a);
    keep.push_back(a < 0 ? a + ndim : a);
  }
  std::sort(keep.begin(), keep.end());
  Shape broadcast(static_cast<size_t>(ndim), 1);
  for (int d : keep) {
    KERAS_CHECK(s[static_cast<size_t>(d)] != kNone, ValueError,
                "All `axis` values to be kept must have a known shape. Received inputs.shape=",
                shape_str(s), ", with unknown axis at index ", d);
    broadcast[static_cast<size_t>(d)] = s[static_cast<size_t>(d)];
  }
  // The values' dimensions go to the last kept axes.
  const Shape& vs = options_.mean->shape;
  Shape expanded(static_cast<size_t>(ndim), 1);
  for (size_t i = 1; i <= vs.size(); ++i) {
    expanded[static_cast<size_t>(keep[keep.size() - i])] = vs[vs.size() - i];
  }
  const auto place = [&](const std::vector<double>& values) {
    const Tensor t = Tensor::from_vector(values, vs.empty() ? Shape{} : expanded, Device::cpu());
    return ops::copy(ops::broadcast_to(t, broadcast));
  };
  mean_ = place(options_.mean->values);
  std::vector<double> scale = options_.variance->values;
  for (double& v : scale) v = std::max(std::sqrt(v), kEpsilon);
  scale_ = place(scale);
}

Tensors NormalizationImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  const Tensor mean = ops::cast(mean_.to(x.device()), x.dtype());
  const Tensor scale = ops::cast(scale_.to(x.device()), x.dtype());
  if (options_.invert) return {ops::add(mean, ops::multiply(x, scale))};
  return {ops::divide(ops::subtract(x, mean), scale)};
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
  if (!o.mean) {
    throw NotImplementedError(
        "Normalization: layers learned with adapt() (no `mean` and `variance` in their config) "
        "are not supported yet");
  }
  auto layer = std::make_shared<NormalizationImpl>(std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
