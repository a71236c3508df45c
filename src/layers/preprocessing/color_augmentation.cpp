#include "keras/layers/preprocessing/color_augmentation.h"

#include <cmath>

#include "keras/config/json.h"
#include "keras/ops/conv.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/image.h"
#include "keras/ops/shape.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {
namespace {

constexpr std::pair<double, double> k255{0.0, 255.0};

// `channel` of x (a plane with the channel axis kept) replaced by y.
Tensor with_channel(const Tensor& x, int axis, int64_t channel, const Tensor& y) {
  Tensors planes;
  for (int64_t c = 0; c < 3; ++c)
    planes.push_back(c == channel ? y : ops::slice_axis(x, axis, c, 1));
  return ops::concatenate(planes, axis);
}

template <class Impl>
std::shared_ptr<Layer> color_from_config(const Json& c, const char* what) {
  auto layer = std::make_shared<Impl>(augmentation::factor_from_json(c, what),
                                      FactorAugmentationImpl::options_from_config(c, what));
  layer->apply_base_config(c);
  return layer;
}

std::vector<double> grayscale_factor(const std::vector<double>& factor) {
  KERAS_CHECK(factor.size() == 1 && factor[0] >= 0 && factor[0] <= 1, ValueError,
              "RandomGrayscale: `factor` should be between 0 and 1. Received: factor=",
              factor.size() == 1 ? str(factor[0]) : str(factor.size(), " numbers"));
  return factor;
}

// Solarization's check of each factor (Keras's words), which is stricter than the base's.
std::vector<double> solarization_factor(const std::vector<double>& factor, const char* key) {
  const std::string message =
      "Solarization: The `addition_factor` and `threshold_factor` arguments should be a number "
      "(or a list of two numbers) in the range [0, 1]. ";
  KERAS_CHECK(factor.size() == 1 || factor.size() == 2, ValueError, message, "Received: ", key,
              " of ", factor.size(), " numbers");
  for (double f : factor) {
    KERAS_CHECK(f >= 0 && f <= 1, ValueError, message, "Received: input_number=", f);
  }
  return factor;
}

std::pair<double, double> solarization_range(const std::vector<double>& factor) {
  if (factor.size() == 1) return {0.0, factor[0]};
  return {std::min(factor[0], factor[1]), std::max(factor[0], factor[1])};
}

}  // namespace

// ---- RandomGrayscale ----
RandomGrayscaleImpl::RandomGrayscaleImpl(std::vector<double> factor,
                                         ColorAugmentationOptions options)
    : FactorAugmentationImpl(grayscale_factor(factor),
                             std::move(options),
                             "RandomGrayscale",
                             "random_grayscale",
                             0.0,
                             1.0) {}

Tensors RandomGrayscaleImpl::call(const Tensors& inputs, bool training) {
  const Tensor x = images(inputs[0]);
  if (!training) return {x};
  const Tensor apply = ops::less(draw(x, 0.0, 1.0), ops::scalar_like(factor().second, x));
  return {ops::where(apply, ops::image::rgb_to_grayscale(x, data_format()), x)};
}

Json RandomGrayscaleImpl::get_config() const {
  Json config = image_config();
  config["factor"] = factor().second;
  return config;
}

std::shared_ptr<Layer> RandomGrayscaleImpl::from_config(const Json& c) {
  const char* w = "RandomGrayscale";
  std::vector<double> factor{0.5};
  if (config::find(c, "factor")) factor = augmentation::factor_from_json(c, w);
  auto layer = std::make_shared<RandomGrayscaleImpl>(factor, options_from_config(c, w));
  layer->apply_base_config(c);
  return layer;
}

// ---- RandomInvert ----
RandomInvertImpl::RandomInvertImpl(std::vector<double> factor, ColorAugmentationOptions options)
    : FactorAugmentationImpl(
          std::move(factor), std::move(options), "RandomInvert", "random_invert", 0.0, 1.0) {}

Tensors RandomInvertImpl::call(const Tensors& inputs, bool training) {
  const Tensor x = images(inputs[0]);
  if (!training) return {x};
  const Tensor probability = draw(x, factor().first, factor().second);
  const Tensor apply = ops::less(draw(x, 0.0, 1.0), probability);
  return {ops::where(apply, ops::subtract(value_range().second, x), x)};
}

std::shared_ptr<Layer> RandomInvertImpl::from_config(const Json& c) {
  return color_from_config<RandomInvertImpl>(c, "RandomInvert");
}

// ---- RandomPosterization ----
RandomPosterizationImpl::RandomPosterizationImpl(std::vector<double> factor,
                                                 ColorAugmentationOptions options)
    : FactorAugmentationImpl(std::move(factor),
                             std::move(options),
                             "RandomPosterization",
                             "random_posterization",
                             1.0,
                             8.0) {}

Tensors RandomPosterizationImpl::call(const Tensors& inputs, bool training) {
  const Tensor x = images(inputs[0]);
  if (!training) return {x};
  const auto [lower, upper] = factor();
  // Bits kept: an integer in [lower, upper), as Keras's randint.
  const Tensor bits = lower == upper ? ops::full_like(draw(x, 0.0, 1.0), std::floor(lower))
                                     : ops::floor(draw(x, std::floor(lower), std::floor(upper)));
  const Tensor step = ops::power(ops::scalar_like(2.0, bits), ops::subtract(8.0, bits));
  const Tensor v =
      ops::trunc(ops::clip(augmentation::transform_value_range(x, value_range(), k255), 0, 255));
  const Tensor y = ops::multiply(ops::floor(ops::divide(v, step)), step);
  return {augmentation::transform_value_range(y, k255, value_range())};
}

Json RandomPosterizationImpl::get_config() const {
  Json config = FactorAugmentationImpl::get_config();
  // Keras draws the bits with randint, which wants integer bounds.
  config["factor"] = Json::array({static_cast<int64_t>(std::floor(factor().first)),
                                  static_cast<int64_t>(std::floor(factor().second))});
  return config;
}

std::shared_ptr<Layer> RandomPosterizationImpl::from_config(const Json& c) {
  return color_from_config<RandomPosterizationImpl>(c, "RandomPosterization");
}

// ---- RandomColorDegeneration ----
RandomColorDegenerationImpl::RandomColorDegenerationImpl(std::vector<double> factor,
                                                         ColorAugmentationOptions options)
    : FactorAugmentationImpl(std::move(factor),
                             std::move(options),
                             "RandomColorDegeneration",
                             "random_color_degeneration",
                             -1.0,
                             1.0) {}

Tensors RandomColorDegenerationImpl::call(const Tensors& inputs, bool training) {
  const Tensor x = images(inputs[0]);
  if (!training) return {x};
  const Tensor f = draw(x, factor().first, factor().second);
  const Tensor gray = ops::image::rgb_to_grayscale(x, data_format());
  return {clip(ops::add(x, ops::multiply(f, ops::subtract(gray, x))))};
}

std::shared_ptr<Layer> RandomColorDegenerationImpl::from_config(const Json& c) {
  return color_from_config<RandomColorDegenerationImpl>(c, "RandomColorDegeneration");
}

// ---- RandomSaturation ----
RandomSaturationImpl::RandomSaturationImpl(std::vector<double> factor,
                                           ColorAugmentationOptions options)
    : FactorAugmentationImpl(std::move(factor),
                             std::move(options),
                             "RandomSaturation",
                             "random_saturation",
                             -1.0,
                             1.0) {}

Tensors RandomSaturationImpl::call(const Tensors& inputs, bool training) {
  const Tensor x = images(inputs[0]);
  if (!training) return {x};
  Tensor f = draw(x, factor().first, factor().second);
  f = ops::divide(f, ops::add(ops::subtract(1.0, f), 1e-7));
  const int axis = augmentation::channel_axis(x.rank(), data_format());
  const Tensor hsv = ops::image::rgb_to_hsv(x, data_format());
  const Tensor s = clip(ops::multiply(ops::slice_axis(hsv, axis, 1, 1), f));
  return {ops::image::hsv_to_rgb(with_channel(hsv, axis, 1, s), data_format())};
}

std::shared_ptr<Layer> RandomSaturationImpl::from_config(const Json& c) {
  return color_from_config<RandomSaturationImpl>(c, "RandomSaturation");
}

// ---- RandomHue ----
RandomHueImpl::RandomHueImpl(std::vector<double> factor, ColorAugmentationOptions options)
    : FactorAugmentationImpl(
          std::move(factor), std::move(options), "RandomHue", "random_hue", 0.0, 1.0) {}

Tensors RandomHueImpl::call(const Tensors& inputs, bool training) {
  const Tensor x = images(inputs[0]);
  if (!training) return {x};
  const Tensor u = draw(x, 0.0, 1.0);
  const Tensor sign =
      ops::where(ops::greater(u, 0.5), ops::scalar_like(-1.0, u), ops::scalar_like(1.0, u));
  const Tensor delta =
      ops::multiply(ops::multiply(sign, draw(x, factor().first, factor().second)), 0.5);
  const int axis = augmentation::channel_axis(x.rank(), data_format());
  const std::pair<double, double> unit{0.0, 1.0};
  const Tensor hsv = ops::image::rgb_to_hsv(
      augmentation::transform_value_range(x, value_range(), unit), data_format());
  Tensor h = ops::add(ops::slice_axis(hsv, axis, 0, 1), delta);
  h = ops::where(ops::greater(h, 1.0), ops::subtract(h, 1.0), h);
  h = ops::where(ops::less(h, ops::scalar_like(0.0, h)), ops::add(h, 1.0), h);
  const Tensor rgb =
      ops::clip(ops::image::hsv_to_rgb(with_channel(hsv, axis, 0, h), data_format()), 0.0, 1.0);
  return {augmentation::transform_value_range(rgb, unit, value_range())};
}

std::shared_ptr<Layer> RandomHueImpl::from_config(const Json& c) {
  return color_from_config<RandomHueImpl>(c, "RandomHue");
}

// ---- RandomSharpness ----
RandomSharpnessImpl::RandomSharpnessImpl(std::vector<double> factor,
                                         ColorAugmentationOptions options)
    : FactorAugmentationImpl(
          std::move(factor), std::move(options), "RandomSharpness", "random_sharpness", 0.0, 1.0) {}

Tensors RandomSharpnessImpl::call(const Tensors& inputs, bool training) {
  const Tensor x = images(inputs[0]);
  if (!training) return {x};
  const Tensor f = ops::multiply(draw(x, factor().first, factor().second), 2.0);
  const bool batched = x.rank() == 4;
  const Tensor xb = batched ? x : ops::expand_dims(x, 0);
  const int64_t channels =
      xb.shape()[static_cast<size_t>(augmentation::channel_axis(xb.rank(), data_format()))];
  std::vector<double> k(static_cast<size_t>(9 * channels), 1.0 / 13.0);
  for (int64_t c = 0; c < channels; ++c) k[static_cast<size_t>(4 * channels + c)] = 5.0 / 13.0;
  const Tensor kernel =
      ops::cast(Tensor::from_vector(k, {3, 3, channels, 1}), x.dtype()).to(x.device());
  Tensor smooth =
      ops::depthwise_conv(xb, kernel, {.padding = "same", .data_format = data_format()});
  if (!batched) smooth = ops::squeeze(smooth, {0});
  return {clip(ops::add(x, ops::multiply(ops::subtract(1.0, f), ops::subtract(smooth, x))))};
}

std::shared_ptr<Layer> RandomSharpnessImpl::from_config(const Json& c) {
  return color_from_config<RandomSharpnessImpl>(c, "RandomSharpness");
}

// ---- Solarization ----
SolarizationImpl::SolarizationImpl(std::vector<double> addition_factor,
                                   std::vector<double> threshold_factor,
                                   SolarizationOptions o)
    : FactorAugmentationImpl(solarization_factor(addition_factor, "addition_factor"),
                             {.value_range = o.value_range,
                              .seed = o.seed,
                              .data_format = o.data_format,
                              .name = o.name,
                              .input_shape = o.input_shape},
                             "Solarization",
                             "solarization",
                             0.0,
                             1.0),
      threshold_(solarization_range(solarization_factor(threshold_factor, "threshold_factor"))) {}

Tensors SolarizationImpl::call(const Tensors& inputs, bool training) {
  const Tensor x = images(inputs[0]);
  if (!training) return {x};
  // Keras scales only the upper bounds to [0, 255].
  const Tensor addition = draw(x, factor().first, factor().second * 255);
  const Tensor threshold = draw(x, threshold_.first, threshold_.second * 255);
  Tensor v = ops::clip(
      ops::add(augmentation::transform_value_range(x, value_range(), k255), addition), 0, 255);
  v = ops::where(ops::less(v, threshold), v, ops::subtract(255.0, v));
  return {augmentation::transform_value_range(v, k255, value_range())};
}

Json SolarizationImpl::get_config() const {
  Json config = image_config();
  config["value_range"] = Json::array({value_range().first, value_range().second});
  config["addition_factor"] = Json::array({factor().first, factor().second});
  config["threshold_factor"] = Json::array({threshold_.first, threshold_.second});
  config["seed"] = seed_json();
  return config;
}

std::shared_ptr<Layer> SolarizationImpl::from_config(const Json& c) {
  const char* w = "Solarization";
  const FactorAugmentationOptions o = options_from_config(c, w);
  const auto factor = [&](const char* key) {
    std::vector<double> f = augmentation::numbers_from_json(c, key, w, true);
    return f.empty() ? std::vector<double>{0.0} : f;
  };
  auto layer =
      std::make_shared<SolarizationImpl>(factor("addition_factor"), factor("threshold_factor"),
                                         SolarizationOptions{.value_range = o.value_range,
                                                             .seed = o.seed,
                                                             .data_format = o.data_format,
                                                             .name = o.name});
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
