#include "keras/layers/preprocessing/random_shear.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/random_noise.h"
#include "keras/ops/shape.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {
namespace {

// RandomShear's factors (Keras's _set_factor_with_name): one number f in [0, 1] gives (-f, f).
// Keras also wants each of two numbers in [0, 1], yet writes (-f, f) into its own configs, which
// it then cannot load; keras.cpp takes two numbers in [-1, 1].
std::pair<double, double> shear_factor(const std::vector<double>& f, const char* key) {
  const std::string message =
      "RandomShear: The `factor` argument should be a number (or a list of two numbers) in the "
      "range [0, 1.0]. ";
  KERAS_CHECK(f.size() == 1 || f.size() == 2, ValueError, message, "Received: ", key, " of ",
              f.size(), " numbers");
  const double lowest = f.size() == 1 ? 0.0 : -1.0;
  for (double v : f) {
    KERAS_CHECK(v >= lowest && v <= 1.0, ValueError, message, "Received: input_number=", v);
  }
  if (f.size() == 1) return {-f[0] + 0.0, f[0]};
  return {std::min(f[0], f[1]), std::max(f[0], f[1])};
}

// A factor as a config that Keras loads back: (-f, f) as the number f.
Json shear_json(std::pair<double, double> f) {
  if (f.first == -f.second) return f.second;
  return Json::array({f.first, f.second});
}

}  // namespace

// ---- RandomShear ----
RandomShearImpl::RandomShearImpl(std::vector<double> x_factor,
                                 std::vector<double> y_factor,
                                 RandomShearOptions options)
    : AffineAugmentationImpl(std::move(options), "RandomShear", "random_shear"),
      x_factor_(shear_factor(x_factor, "x_factor")),
      y_factor_(shear_factor(y_factor, "y_factor")) {}

AffineAugmentationImpl::Transform RandomShearImpl::transform(int64_t, int64_t) const {
  const auto [xl, xh] = x_factor_;
  const auto [yl, yh] = y_factor_;
  return [=](const double* u) {
    // Keras draws the sign, then the y shear, then the x shear.
    const double sign = u[0] > 0.5 ? -1.0 : 1.0;
    const double sy = (yl + u[1] * (yh - yl)) * sign, sx = (xl + u[2] * (xh - xl)) * sign;
    return std::array<double, 6>{1.0, sx, 0.0, sy, 1.0, 0.0};
  };
}

Json RandomShearImpl::get_config() const {
  Json config = AffineAugmentationImpl::get_config();
  config["x_factor"] = shear_json(x_factor_);
  config["y_factor"] = shear_json(y_factor_);
  return config;
}

std::shared_ptr<Layer> RandomShearImpl::from_config(const Json& c) {
  const char* w = "RandomShear";
  const auto factor = [&](const char* key) {
    std::vector<double> f = augmentation::numbers_from_json(c, key, w, true);
    return f.empty() ? std::vector<double>{0.0} : f;
  };
  auto layer = std::make_shared<RandomShearImpl>(factor("x_factor"), factor("y_factor"),
                                                 options_from_config(c, w));
  layer->apply_base_config(c);
  return layer;
}

// ---- RandomPerspective ----
RandomPerspectiveImpl::RandomPerspectiveImpl(std::vector<double> factor,
                                             RandomPerspectiveOptions options)
    : ImageLayerImpl(options.name,
                     "random_perspective",
                     options.input_shape,
                     "RandomPerspective",
                     options.data_format,
                     options.seed),
      factor_(augmentation::factor_range(factor, 0.0, 1.0, "RandomPerspective")),
      options_(std::move(options)) {
  KERAS_CHECK(options_.scale >= 0.0 && options_.scale <= 1.0, ValueError,
              "RandomPerspective: The `scale` argument should be a number in the range [0,1]. "
              "Received: scale=",
              options_.scale);
  const std::string& i = options_.interpolation;
  KERAS_CHECK(i == "nearest" || i == "bilinear", NotImplementedError, "Unknown `interpolation` ", i,
              ". Expected of one ('nearest', 'bilinear').");
}

Tensor RandomPerspectiveImpl::warp(const Tensor& x, const Tensor& draws) const {
  const bool first = data_format() == "channels_first";
  Tensor t = x.rank() == 3 ? ops::expand_dims(x, 0) : x;
  if (first) t = ops::transpose(t, {0, 2, 3, 1});
  const double h = static_cast<double>(t.shape()[1] - 1), w = static_cast<double>(t.shape()[2] - 1);
  const double scale = options_.scale;
  augmentation::ProjectiveFn fn = [h, w, scale](const double* u) {
    const std::array<double, 8> start{0, 0, w, 0, 0, h, w, h};
    std::array<double, 8> end{};
    for (size_t k = 0; k < 8; ++k) end[k] = start[k] + start[k] * ((u[k] - 0.5) * scale);
    return augmentation::homography(start, end);
  };
  t = augmentation::projective_transform(t, draws, std::move(fn), options_.interpolation,
                                         "constant", options_.fill_value);
  if (first) t = ops::transpose(t, {0, 3, 1, 2});
  return x.rank() == 3 ? ops::squeeze(t, 0) : t;
}

Tensors RandomPerspectiveImpl::call(const Tensors& inputs, bool training) {
  const Tensor x = images(inputs[0]);
  if (!training) return {x};
  Generator* g = generator();
  const Tensor probability = augmentation::per_image_uniform(x, factor_.first, factor_.second, g);
  const Tensor apply = ops::less(augmentation::per_image_uniform(x, 0.0, 1.0, g), probability);
  const int64_t batch = x.rank() == 4 ? x.shape()[0] : 1;
  const Tensor draws = random::uniform_noise({batch, 8}, float64, Device::cpu(), 0.0, 1.0, g);
  return {ops::where(apply, warp(x, draws), x)};
}

Tensor RandomPerspectiveImpl::apply(const Tensor& images, const std::vector<double>& draws) const {
  const Tensor x = ImageLayerImpl::images(images);
  const int64_t batch = x.rank() == 4 ? x.shape()[0] : 1;
  KERAS_CHECK(static_cast<int64_t>(draws.size()) == batch * 8, ValueError,
              "RandomPerspective: apply() needs ", batch * 8, " draws, got ", draws.size());
  return warp(x, Tensor::from_vector(draws, {batch, 8}, Device::cpu()));
}

Json RandomPerspectiveImpl::get_config() const {
  Json config = image_config();
  config["factor"] = Json::array({factor_.first, factor_.second});
  config["scale"] = options_.scale;
  config["interpolation"] = options_.interpolation;
  config["fill_value"] = options_.fill_value;
  config["seed"] = seed_json();
  return config;
}

std::shared_ptr<Layer> RandomPerspectiveImpl::from_config(const Json& c) {
  const char* w = "RandomPerspective";
  RandomPerspectiveOptions o{
      .scale = config::get<double>(c, "scale", 1.0, w),
      .interpolation = config::get<std::string>(c, "interpolation", "bilinear", w),
      .fill_value = config::get<double>(c, "fill_value", 0.0, w),
      .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
      .name = config::get<std::string>(c, "name", "", w)};
  if (config::find(c, "seed")) o.seed = config::require<uint64_t>(c, "seed", w);
  std::vector<double> factor{1.0};
  if (config::find(c, "factor")) factor = augmentation::factor_from_json(c, w);
  auto layer = std::make_shared<RandomPerspectiveImpl>(factor, std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
