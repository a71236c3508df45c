#include "keras/layers/preprocessing/random_elastic_transform.h"

#include <algorithm>
#include <cmath>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {
namespace {

constexpr const char* kWhat = "RandomElasticTransform";

}  // namespace

RandomElasticTransformImpl::RandomElasticTransformImpl(std::vector<double> factor,
                                                       RandomElasticTransformOptions options)
    : ImageLayerImpl(options.name,
                     "random_elastic_transform",
                     options.input_shape,
                     kWhat,
                     options.data_format,
                     options.seed),
      factor_(augmentation::factor_range(factor, 0.0, 1.0, kWhat)),
      scale_(augmentation::factor_range(options.scale, 0.0, 1.0, kWhat, "scale")),
      options_(std::move(options)) {
  const std::string& i = options_.interpolation;
  KERAS_CHECK(i == "nearest" || i == "bilinear", NotImplementedError, "Unknown `interpolation` ", i,
              ". Expected of one ('nearest', 'bilinear').");
  const std::string& f = options_.fill_mode;
  KERAS_CHECK(f == "constant" || f == "nearest" || f == "wrap" || f == "mirror" || f == "reflect",
              NotImplementedError, "Unknown `fill_mode` ", f,
              ". Expected of one {'constant', 'nearest', 'wrap', 'mirror', 'reflect'}.");
  (void)augmentation::value_range({options_.value_range.first, options_.value_range.second}, kWhat);
}

Tensors RandomElasticTransformImpl::call(const Tensors& inputs, bool training) {
  const Tensor x = images(inputs[0]);
  if (!training || scale_.second == 0 || factor_.second == 0) return {x};
  const bool first = data_format() == "channels_first";
  Tensor t = x.rank() == 3 ? ops::expand_dims(x, 0) : x;
  if (first) t = ops::transpose(t, {0, 2, 3, 1});
  const int64_t batch = t.dim(0), h = t.dim(1), w = t.dim(2);
  // Per image: [transformed (0 or 1), the batch's distortion, h*w normals for dy, h*w for dx].
  const std::pair<double, double> factor = factor_, scale = scale_;
  const Tensor draws = augmentation::host_draws(
      {batch, 2 + 2 * h * w}, Device::cpu(), generator(),
      [batch, h, w, factor, scale](Generator& g, double* d) {
        const int64_t row = 2 + 2 * h * w;
        for (int64_t b = 0; b < batch; ++b) {
          const double p = factor.first + (factor.second - factor.first) * g.next_double();
          d[b * row] = g.next_double() < p ? 1.0 : 0.0;
        }
        const double distortion = scale.first + (scale.second - scale.first) * g.next_double();
        for (int64_t b = 0; b < batch; ++b) {
          d[b * row + 1] = distortion;
          for (int64_t k = 2; k < row; ++k) d[b * row + k] = g.next_normal();
        }
      });
  augmentation::DisplacementFn fields = [](const double* d, int64_t fh, int64_t fw, double* dy,
                                           double* dx) {
    const size_t n = static_cast<size_t>(fh * fw);
    const double sigma = static_cast<double>(std::min(fh, fw)) * 0.05 * d[1];
    const double alpha = static_cast<double>(std::max(fh, fw)) * 0.1 * d[1];
    if (d[0] == 0.0 || !(sigma > 0)) {
      std::fill(dy, dy + n, 0.0);
      std::fill(dx, dx + n, 0.0);
      return;
    }
    for (int axis = 0; axis < 2; ++axis) {
      std::vector<double> field(d + 2 + axis * n, d + 2 + (axis + 1) * n);
      for (double& v : field) v *= sigma;
      augmentation::gaussian_field_blur(field, fh, fw, sigma);
      double* out = axis == 0 ? dy : dx;
      for (size_t p = 0; p < n; ++p) out[p] = alpha * field[p];
    }
  };
  t = augmentation::displacement_transform(t, draws, std::move(fields), options_.interpolation,
                                           options_.fill_mode, options_.fill_value);
  t = ops::clip(t, options_.value_range.first, options_.value_range.second);
  if (first) t = ops::transpose(t, {0, 3, 1, 2});
  return {x.rank() == 3 ? ops::squeeze(t, 0) : t};
}

Json RandomElasticTransformImpl::get_config() const {
  Json config = image_config();
  config["factor"] = Json::array({factor_.first, factor_.second});
  config["scale"] = Json::array({scale_.first, scale_.second});
  config["interpolation"] = options_.interpolation;
  config["fill_mode"] = options_.fill_mode;
  config["fill_value"] = options_.fill_value;
  config["value_range"] = Json::array({options_.value_range.first, options_.value_range.second});
  config["seed"] = seed_json();
  return config;
}

std::shared_ptr<Layer> RandomElasticTransformImpl::from_config(const Json& c) {
  RandomElasticTransformOptions o{
      .interpolation = config::get<std::string>(c, "interpolation", "bilinear", kWhat),
      .fill_mode = config::get<std::string>(c, "fill_mode", "reflect", kWhat),
      .fill_value = config::get<double>(c, "fill_value", 0.0, kWhat),
      .data_format = config::get<std::string>(c, "data_format", "channels_last", kWhat),
      .name = config::get<std::string>(c, "name", "", kWhat)};
  if (config::find(c, "seed")) o.seed = config::require<uint64_t>(c, "seed", kWhat);
  if (auto scale = augmentation::numbers_from_json(c, "scale", kWhat, true); !scale.empty())
    o.scale = scale;
  if (auto range = augmentation::numbers_from_json(c, "value_range", kWhat, true); !range.empty())
    o.value_range = augmentation::value_range(range, kWhat);
  std::vector<double> factor{1.0};
  if (config::find(c, "factor")) factor = augmentation::factor_from_json(c, kWhat);
  auto layer = std::make_shared<RandomElasticTransformImpl>(factor, std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
