#include "keras/layers/preprocessing/random_erasing.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/image.h"
#include "keras/ops/random_noise.h"
#include "keras/ops/shape.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {
namespace {

FactorAugmentationOptions base_options(const std::vector<double>& value_range,
                                       std::optional<uint64_t> seed,
                                       const std::string& data_format,
                                       const std::string& name,
                                       const std::optional<std::vector<Dim>>& input_shape) {
  return {.value_range = value_range,
          .seed = seed,
          .data_format = data_format,
          .name = name,
          .input_shape = input_shape};
}

std::pair<int64_t, int64_t> odd_kernel_size(const std::vector<int64_t>& k) {
  const auto message = [&] {
    std::string values;
    for (int64_t v : k) values += (values.empty() ? "" : ", ") + str(v);
    return k.size() == 1 ? values : "(" + values + ")";
  };
  KERAS_CHECK(k.size() == 1 || k.size() == 2, ValueError,
              "RandomGaussianBlur: The `kernel_size` argument should be a number (or a list of two "
              "numbers) Received: kernel_size=",
              message());
  for (int64_t v : k) {
    KERAS_CHECK(
        v > 0 && v % 2 == 1 && v <= 4095, ValueError,
        "RandomGaussianBlur: kernel_size must be an odd number. Received: kernel_size=", message());
  }
  return {k[0], k.back()};
}

}  // namespace

// ---- RandomErasing ----
RandomErasingImpl::RandomErasingImpl(std::vector<double> factor, RandomErasingOptions o)
    : FactorAugmentationImpl(
          std::move(factor),
          base_options(o.value_range, o.seed, o.data_format, o.name, o.input_shape),
          "RandomErasing",
          "random_erasing",
          0.0,
          1.0),
      scale_(augmentation::factor_range(o.scale, 0.0, 1.0, "RandomErasing", "scale")),
      fill_value_(std::move(o.fill_value)) {
  KERAS_CHECK(fill_value_.size() <= 1 || fill_value_.size() == 3, ValueError,
              "RandomErasing: The `fill_value` argument should be a number (or a list of three "
              "numbers) ");
}

Tensors RandomErasingImpl::call(const Tensors& inputs, bool training) {
  std::pair<int, int> axes;
  const Tensor x = images(inputs[0], &axes);
  if (!training) return {x};
  const auto [ha, wa] = axes;
  const int64_t h = x.shape()[static_cast<size_t>(ha)], w = x.shape()[static_cast<size_t>(wa)];
  // Box sides sqrt(s) of the image's, placed uniformly (Keras's _compute_crop_bounds).
  const auto bounds = [&](int axis, int64_t length) {
    const Tensor side =
        ops::multiply(ops::sqrt(draw(x, scale_.first, scale_.second)), static_cast<double>(length));
    const Tensor start =
        ops::multiply(draw(x, 0.0, 1.0), ops::subtract(static_cast<double>(length), side));
    const Tensor g = augmentation::positions(x, axis, length);
    return ops::logical_and(ops::greater_equal(g, start), ops::less(g, ops::add(start, side)));
  };
  const Tensor in_x = bounds(wa, w), in_y = bounds(ha, h);
  const Tensor probability = draw(x, factor().first, factor().second);
  const Tensor apply = ops::less(draw(x, 0.0, 1.0), probability);
  Tensor fill;
  if (fill_value_.empty()) {
    fill = ops::multiply(random::normal_noise(x, 0.0, 1.0, generator()), value_range().second);
  } else {
    Shape shape(static_cast<size_t>(x.rank()), 1);
    shape[static_cast<size_t>(augmentation::channel_axis(x.rank(), data_format()))] =
        static_cast<int64_t>(fill_value_.size());
    fill = ops::broadcast_to(
        ops::cast(Tensor::from_vector(fill_value_, shape), x.dtype()).to(x.device()), x.shape());
  }
  fill = clip(fill);
  return {ops::where(ops::logical_and(ops::logical_and(in_x, in_y), apply), fill, x)};
}

Json RandomErasingImpl::get_config() const {
  Json config = FactorAugmentationImpl::get_config();
  config["scale"] = Json::array({scale_.first, scale_.second});
  config["fill_value"] = fill_value_.empty()       ? Json(nullptr)
                         : fill_value_.size() == 1 ? Json(fill_value_[0])
                                                   : Json(fill_value_);
  return config;
}

std::shared_ptr<Layer> RandomErasingImpl::from_config(const Json& c) {
  const char* w = "RandomErasing";
  const FactorAugmentationOptions o = options_from_config(c, w);
  RandomErasingOptions e{
      .value_range = o.value_range, .seed = o.seed, .data_format = o.data_format, .name = o.name};
  const std::vector<double> scale = augmentation::numbers_from_json(c, "scale", w, true);
  if (!scale.empty()) e.scale = scale;
  if (const Json* f = config::find(c, "fill_value")) {
    e.fill_value = f->is_array()
                       ? config::convert<std::vector<double>>(*f, "fill_value", w)
                       : std::vector<double>{config::convert<double>(*f, "fill_value", w)};
  }
  std::vector<double> factor{1.0};
  if (config::find(c, "factor")) factor = augmentation::factor_from_json(c, w);
  auto layer = std::make_shared<RandomErasingImpl>(factor, std::move(e));
  layer->apply_base_config(c);
  return layer;
}

// ---- RandomGaussianBlur ----
RandomGaussianBlurImpl::RandomGaussianBlurImpl(std::vector<double> factor,
                                               RandomGaussianBlurOptions o)
    : FactorAugmentationImpl(
          std::move(factor),
          base_options(o.value_range, o.seed, o.data_format, o.name, o.input_shape),
          "RandomGaussianBlur",
          "random_gaussian_blur",
          0.0,
          1.0),
      kernel_size_(odd_kernel_size(o.kernel_size)),
      sigma_(augmentation::factor_range(o.sigma, 0.0, 1.0, "RandomGaussianBlur", "sigma")) {}

Tensors RandomGaussianBlurImpl::call(const Tensors& inputs, bool training) {
  const Tensor x = images(inputs[0]);
  if (!training) return {x};
  const Tensor probability = draw(x, factor().first, factor().second);
  const Tensor apply = ops::less(draw(x, 0.0, 1.0), probability);
  const Tensor sigma = ops::add(
      random::uniform_noise({2}, x.dtype(), x.device(), sigma_.first, sigma_.second, generator()),
      1e-6);
  const Tensor blurred = ops::image::gaussian_blur(x, kernel_size_, sigma, data_format());
  return {clip(ops::where(apply, blurred, x))};
}

Json RandomGaussianBlurImpl::get_config() const {
  Json config = FactorAugmentationImpl::get_config();
  config["kernel_size"] = Json::array({kernel_size_.first, kernel_size_.second});
  config["sigma"] = Json::array({sigma_.first, sigma_.second});
  return config;
}

std::shared_ptr<Layer> RandomGaussianBlurImpl::from_config(const Json& c) {
  const char* w = "RandomGaussianBlur";
  const FactorAugmentationOptions o = options_from_config(c, w);
  RandomGaussianBlurOptions b{
      .value_range = o.value_range, .seed = o.seed, .data_format = o.data_format, .name = o.name};
  if (const Json* k = config::find(c, "kernel_size")) {
    b.kernel_size = k->is_array()
                        ? config::convert<std::vector<int64_t>>(*k, "kernel_size", w)
                        : std::vector<int64_t>{config::convert<int64_t>(*k, "kernel_size", w)};
  }
  const std::vector<double> sigma = augmentation::numbers_from_json(c, "sigma", w, true);
  if (!sigma.empty()) b.sigma = sigma;
  std::vector<double> factor{1.0};
  if (config::find(c, "factor")) factor = augmentation::factor_from_json(c, w);
  auto layer = std::make_shared<RandomGaussianBlurImpl>(factor, std::move(b));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
