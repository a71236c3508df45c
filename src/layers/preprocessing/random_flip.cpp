#include "keras/layers/preprocessing/random_flip.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {

namespace {

// x reversed along `axis`: a gather of the reversed indices along that axis moved first.
Tensor flip(const Tensor& x, int axis) {
  const int64_t n = x.shape()[static_cast<size_t>(axis)];
  std::vector<int64_t> idx(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) idx[static_cast<size_t>(i)] = n - 1 - i;
  const Tensor indices = Tensor::from_vector(idx, {n}, Device::cpu()).to(x.device());
  std::vector<int> perm{axis};
  for (int d = 0; d < x.rank(); ++d) {
    if (d != axis) perm.push_back(d);
  }
  std::vector<int> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    inverse[static_cast<size_t>(perm[i])] = static_cast<int>(i);
  return ops::transpose(ops::take(ops::transpose(x, perm), indices), inverse);
}

}  // namespace

RandomFlipImpl::RandomFlipImpl(std::string mode, RandomFlipOptions options)
    : Layer(options.name,
            "random_flip",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      mode_(std::move(mode)),
      options_(std::move(options)) {
  KERAS_CHECK(mode_ == "horizontal" || mode_ == "vertical" || mode_ == "horizontal_and_vertical",
              ValueError, "RandomFlip layer ", name(), " received an unknown mode=", mode_);
  augmentation::check_data_format(options_.data_format);
  if (options_.seed) generator_.emplace(*options_.seed);
}

Tensors RandomFlipImpl::call(const Tensors& inputs, bool training) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  const auto [ha, wa] = augmentation::image_axes(x.rank(), options_.data_format, "RandomFlip");
  if (!training) return {x};
  const Tensor u =
      augmentation::per_image_uniform(x, 0.0, 1.0, generator_ ? &*generator_ : nullptr);
  const Tensor flips = ops::less_equal(u, ops::full_like(u, 0.5));
  Tensor y = x;
  if (mode_ != "vertical") y = ops::where(flips, flip(y, wa), y);
  if (mode_ != "horizontal") y = ops::where(flips, flip(y, ha), y);
  return {y};
}

std::vector<Shape> RandomFlipImpl::compute_output_shape(const std::vector<Shape>& in) const {
  (void)augmentation::image_axes(static_cast<int>(in[0].size()), options_.data_format,
                                 "RandomFlip");
  return {in[0]};
}

std::vector<DType> RandomFlipImpl::compute_output_dtype(const std::vector<DType>&, size_t) const {
  return {dtype()};
}

Json RandomFlipImpl::get_config() const {
  Json config = Layer::get_config();
  config["data_format"] = options_.data_format;
  config["seed"] = options_.seed ? Json(*options_.seed) : Json(nullptr);
  config["mode"] = mode_;
  return config;
}

std::shared_ptr<Layer> RandomFlipImpl::from_config(const Json& c) {
  const char* w = "RandomFlip";
  RandomFlipOptions o{.data_format = config::get<std::string>(c, "data_format", "channels_last", w),
                      .name = config::get<std::string>(c, "name", "", w)};
  if (config::find(c, "seed")) o.seed = config::require<uint64_t>(c, "seed", w);
  auto layer = std::make_shared<RandomFlipImpl>(
      config::get<std::string>(c, "mode", "horizontal_and_vertical", w), std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
