#include "keras/layers/core_layers.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/random.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

std::optional<Shape> optional_shape(const std::optional<std::vector<Dim>>& s) {
  return s ? std::optional(to_shape(*s)) : std::nullopt;
}

}  // namespace

DropoutImpl::DropoutImpl(double rate, DropoutOptions options)
    : Layer(std::move(options.name), "dropout", optional_shape(options.input_shape)), rate_(rate) {
  KERAS_CHECK(rate >= 0.0 && rate <= 1.0, ValueError,
              "Invalid value received for argument `rate`. "
              "Expected a float value between 0 and 1. Received: rate=",
              rate);
  seed_ = options.seed;
  if (options.noise_shape) {
    for (size_t i = 0; i < options.noise_shape->size(); ++i) {
      const auto& d = (*options.noise_shape)[i];
      KERAS_CHECK(!d || *d > 0, ValueError,
                  "Invalid value received for argument `noise_shape`. Expected all dimensions to "
                  "be positive integers or None. Received negative or zero value at index ",
                  i, ": ", *d);
    }
  }
  noise_shape_ = std::move(options.noise_shape);
  if (options.seed) generator_.emplace(*options.seed);
}

Tensors DropoutImpl::call(const Tensors& inputs, bool training) {
  if (!training || rate_ == 0.0) return {inputs[0]};
  if (rate_ == 1.0) return {ops::zeros_like(inputs[0])};  // Keras 3: every unit dropped
  Generator* gen = generator_ ? &*generator_ : nullptr;
  if (!noise_shape_) return {random::dropout(inputs[0], rate_, gen)};
  Shape noise = inputs[0].shape();
  KERAS_CHECK(noise_shape_->size() == noise.size(), ValueError, "Layer \"", name(),
              "\" (Dropout): noise_shape has ", noise_shape_->size(),
              " entries for inputs of shape ", shape_str(noise));
  for (size_t d = 0; d < noise.size(); ++d) {
    if ((*noise_shape_)[d]) noise[d] = *(*noise_shape_)[d];
  }
  return {random::dropout(inputs[0], rate_, noise, gen)};  // checks that noise broadcasts
}

std::vector<Shape> DropoutImpl::compute_output_shape(const std::vector<Shape>& in) const {
  return {in[0]};
}

FlattenImpl::FlattenImpl(FlattenOptions options)
    : Layer(std::move(options.name), "flatten", optional_shape(options.input_shape)),
      data_format_(std::move(options.data_format)) {
  KERAS_CHECK(data_format_ == "channels_last" || data_format_ == "channels_first", ValueError,
              "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
              "Received: data_format=",
              data_format_);
  input_spec_ = {InputSpec{.min_ndim = 1}};
}

std::vector<Shape> FlattenImpl::compute_output_shape(const std::vector<Shape>& in) const {
  const Shape& s = in[0];
  int64_t n = 1;
  for (size_t i = 1; i < s.size(); ++i) {
    KERAS_CHECK(s[i] != kNone, ValueError,
                "The shape of the input to \"Flatten\" is not fully "
                "defined (got ",
                shape_str(Shape(s.begin() + 1, s.end())),
                "). Make sure to pass "
                "a complete \"input_shape\" or \"batch_input_shape\" argument to the first layer "
                "in your model.");
    n = checked_mul(n, s[i], "Flatten");
  }
  return {s.size() <= 1 ? Shape{s.empty() ? kNone : s[0], 1} : Shape{s[0], n}};
}

Tensors FlattenImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (data_format_ == "channels_first" && x.rank() >= 3) {
    std::vector<int> perm{0};
    for (int i = 2; i < x.rank(); ++i) perm.push_back(i);
    perm.push_back(1);
    x = ops::transpose(x, perm);
  }
  const int64_t batch = x.rank() == 0 ? 1 : x.shape()[0];
  return {ops::reshape(x, {batch, batch == 0 ? 0 : x.size() / std::max<int64_t>(batch, 1)})};
}

ReshapeImpl::ReshapeImpl(Shape target_shape, ReshapeOptions options)
    : Layer(std::move(options.name), "reshape", optional_shape(options.input_shape)),
      target_shape_(std::move(target_shape)) {
  // Python's tuple, with -1 as given: "(-1, 5)".
  std::string tuple = "(";
  for (size_t i = 0; i < target_shape_.size(); ++i) {
    tuple += (i ? ", " : "") + std::to_string(target_shape_[i]);
  }
  tuple += target_shape_.size() == 1 ? ",)" : ")";
  int unknown = 0;
  for (int64_t d : target_shape_) {
    KERAS_CHECK(d == -1 || d > 0, ValueError,
                "Reshape: every entry of `target_shape` must be a positive (non-negative) integer "
                "or -1 for one unknown dimension. Received: target_shape=",
                tuple);
    unknown += d == -1;
  }
  KERAS_CHECK(unknown <= 1, ValueError,
              "Reshape: `target_shape` may have at most one unknown dimension (-1). Received: "
              "target_shape=",
              tuple);
}

std::vector<Shape> ReshapeImpl::compute_output_shape(const std::vector<Shape>& in) const {
  const Shape& s = in[0];
  Shape out{s.empty() ? kNone : s[0]};
  int64_t known_in = 1;
  bool in_defined = true;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] == kNone)
      in_defined = false;
    else
      known_in = checked_mul(known_in, s[i], "Reshape");
  }
  int64_t known_out = 1;
  int unknown_at = -1;
  for (size_t i = 0; i < target_shape_.size(); ++i) {
    if (target_shape_[i] == -1)
      unknown_at = static_cast<int>(i);
    else
      known_out = checked_mul(known_out, target_shape_[i], "Reshape");
  }
  Shape target = target_shape_;
  if (in_defined) {
    if (unknown_at >= 0) {
      KERAS_CHECK(known_in % known_out == 0, ValueError,
                  "total size of new array must be "
                  "unchanged, input_shape = ",
                  shape_str(Shape(s.begin() + 1, s.end())),
                  ", output_shape = ", shape_str(target_shape_));
      target[unknown_at] = known_in / known_out;
    } else {
      KERAS_CHECK(known_in == known_out, ValueError,
                  "total size of new array must be "
                  "unchanged, input_shape = ",
                  shape_str(Shape(s.begin() + 1, s.end())),
                  ", output_shape = ", shape_str(target_shape_));
    }
  } else if (unknown_at >= 0) {
    target[unknown_at] = kNone;
  }
  out.insert(out.end(), target.begin(), target.end());
  return {out};
}

Tensors ReshapeImpl::call(const Tensors& inputs, bool) {
  const Tensor& x = inputs[0];
  return {ops::reshape(x, compute_output_shape({x.shape()})[0])};  // checks the total size
}

// ---- Masking ----

MaskingImpl::MaskingImpl(double mask_value, MaskingOptions options)
    : Layer(options.name,
            "masking",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      mask_value_(mask_value) {
  input_spec_ = {InputSpec{.min_ndim = 2}};
}

Tensors MaskingImpl::call(const Tensors& inputs, bool) {
  const Tensor x = inputs[0];
  const Tensor differs = ops::cast(ops::not_equal(x, ops::full_like(x, mask_value_)), x.dtype());
  const Tensor keep = ops::max(differs, -1, true);  // 1 where any feature differs
  Tensor y = ops::multiply(x, keep);
  y.set_keras_mask(ops::greater(ops::squeeze(keep, -1), 0.5));
  return {y};
}

std::vector<Shape> MaskingImpl::compute_output_shape(const std::vector<Shape>& input_shapes) const {
  return {input_shapes[0]};
}

Json MaskingImpl::get_config() const {
  Json config = Layer::get_config();
  config["mask_value"] = mask_value_;
  return config;
}

std::shared_ptr<Layer> MaskingImpl::from_config(const Json& config) {
  auto layer = std::make_shared<MaskingImpl>(
      config::get<double>(config, "mask_value", 0.0, "Masking"),
      MaskingOptions{.name = config::get<std::string>(config, "name", "", "Masking")});
  layer->apply_base_config(config);
  return layer;
}

// ---- Identity ----

IdentityImpl::IdentityImpl(IdentityOptions options)
    : Layer(options.name,
            "identity",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt) {}

Tensors IdentityImpl::call(const Tensors& inputs, bool) {
  return inputs;
}

Tensors IdentityImpl::compute_mask(const Tensors&, const Tensors& masks, const Tensors&) const {
  return masks;  // each output keeps its own input's mask
}

std::vector<Shape> IdentityImpl::compute_output_shape(
    const std::vector<Shape>& input_shapes) const {
  return input_shapes;
}

std::vector<DType> IdentityImpl::compute_output_dtype(const std::vector<DType>& input_dtypes,
                                                      size_t) const {
  return input_dtypes;
}

std::shared_ptr<Layer> IdentityImpl::from_config(const Json& config) {
  auto layer = std::make_shared<IdentityImpl>(
      IdentityOptions{.name = config::get<std::string>(config, "name", "", "Identity")});
  layer->apply_base_config(config);
  return layer;
}

Json DropoutImpl::get_config() const {
  Json config = Layer::get_config();
  config["rate"] = rate_;
  config["seed"] = seed_ ? Json(*seed_) : Json(nullptr);
  if (noise_shape_) {
    Json shape = Json::array();
    for (const Dim& d : *noise_shape_) shape.push_back(d ? Json(*d) : Json(nullptr));
    config["noise_shape"] = shape;
  } else {
    config["noise_shape"] = nullptr;
  }
  return config;
}

std::shared_ptr<Layer> DropoutImpl::from_config(const Json& config) {
  DropoutOptions o;
  if (config::find(config, "seed")) o.seed = config::require<uint64_t>(config, "seed", "Dropout");
  if (const Json* n = config::find(config, "noise_shape"); n && !n->is_null()) {
    KERAS_CHECK(n->is_array() && n->size() <= 8, ValueError,
                "Dropout: config key 'noise_shape' must be a list, got ", config::json_excerpt(*n));
    std::vector<Dim> shape;
    for (const Json& d : *n) {
      shape.push_back(d.is_null() ? Dim{}
                                  : Dim{config::convert<int64_t>(d, "noise_shape", "Dropout")});
    }
    o.noise_shape = std::move(shape);
  }
  o.name = config::get<std::string>(config, "name", "", "Dropout");
  auto layer = std::make_shared<DropoutImpl>(config::require<double>(config, "rate", "Dropout"), o);
  layer->apply_base_config(config);
  return layer;
}

Json FlattenImpl::get_config() const {
  Json config = Layer::get_config();
  config["data_format"] = data_format_;
  return config;
}

std::shared_ptr<Layer> FlattenImpl::from_config(const Json& config) {
  auto layer = std::make_shared<FlattenImpl>(FlattenOptions{
      .data_format = config::get<std::string>(config, "data_format", "channels_last", "Flatten"),
      .name = config::get<std::string>(config, "name", "", "Flatten")});
  layer->apply_base_config(config);
  return layer;
}

Json ReshapeImpl::get_config() const {
  Json config = Layer::get_config();
  config["target_shape"] = Json(std::vector<int64_t>(target_shape_.begin(), target_shape_.end()));
  return config;
}

std::shared_ptr<Layer> ReshapeImpl::from_config(const Json& config) {
  const auto dims = config::require<std::vector<int64_t>>(config, "target_shape", "Reshape");
  KERAS_CHECK(dims.size() <= 64, ValueError, "Reshape: target_shape has too many dimensions");
  auto layer = std::make_shared<ReshapeImpl>(
      Shape(dims.begin(), dims.end()),
      ReshapeOptions{.name = config::get<std::string>(config, "name", "", "Reshape")});
  layer->apply_base_config(config);
  return layer;
}

}  // namespace keras::layers
