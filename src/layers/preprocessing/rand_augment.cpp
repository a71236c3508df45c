#include "keras/layers/preprocessing/rand_augment.h"

#include <algorithm>

#include "keras/config/json.h"
#include "keras/layers/preprocessing/auto_contrast.h"
#include "keras/layers/preprocessing/color_augmentation.h"
#include "keras/layers/preprocessing/random_brightness.h"
#include "keras/layers/preprocessing/random_contrast.h"
#include "keras/layers/preprocessing/random_rotation.h"
#include "keras/layers/preprocessing/random_shear.h"
#include "keras/layers/preprocessing/random_translation.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {

RandAugmentImpl::RandAugmentImpl(RandAugmentOptions options)
    : Layer(options.name,
            "rand_augment",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      options_(std::move(options)),
      factor_(augmentation::factor_range(options_.factor, 0.0, 1.0, "RandAugment")) {
  KERAS_CHECK(options_.num_ops >= 0 && options_.num_ops <= 1000, ValueError,
              "RandAugment: num_ops must be in [0, 1000], got ", options_.num_ops);
  augmentation::check_data_format(options_.data_format);
  (void)augmentation::value_range(options_.value_range, "RandAugment");
  if (options_.seed) generator_.emplace(*options_.seed);
  // The eleven augmentations, configured as Keras 3's RandAugment configures them.
  const std::vector<double> f{factor_.first, factor_.second};
  const AffineAugmentationOptions geometric{.interpolation = options_.interpolation,
                                            .seed = options_.seed,
                                            .data_format = options_.data_format};
  const FactorAugmentationOptions color{.value_range = options_.value_range,
                                        .seed = options_.seed,
                                        .data_format = options_.data_format};
  const auto bits = static_cast<double>(std::max(1, static_cast<int>(8 * factor_.second)));
  augmentations_ = {
      std::make_shared<RandomShearImpl>(f, f, geometric),
      std::make_shared<RandomTranslationImpl>(f, f, geometric),
      std::make_shared<RandomRotationImpl>(f, geometric),
      std::make_shared<RandomBrightnessImpl>(f, color),
      std::make_shared<RandomColorDegenerationImpl>(f, color),
      std::make_shared<RandomContrastImpl>(f, color),
      std::make_shared<RandomSharpnessImpl>(f, color),
      std::make_shared<RandomPosterizationImpl>(std::vector<double>{bits}, color),
      std::make_shared<SolarizationImpl>(f, f,
                                         SolarizationOptions{.value_range = options_.value_range,
                                                             .seed = options_.seed,
                                                             .data_format = options_.data_format}),
      std::make_shared<AutoContrastImpl>(AutoContrastOptions{.value_range = options_.value_range,
                                                             .data_format = options_.data_format}),
      std::make_shared<EqualizationImpl>(EqualizationOptions{.value_range = options_.value_range,
                                                             .data_format = options_.data_format}),
  };
}

Tensors RandAugmentImpl::call(const Tensors& inputs, bool training) {
  (void)augmentation::image_axes(inputs[0].rank(), options_.data_format, "RandAugment");
  Tensor x = inputs[0].dtype() == dtype() ? inputs[0] : ops::cast(inputs[0], dtype());
  if (!training || options_.num_ops == 0) return {x};
  const int64_t n = options_.num_ops, count = static_cast<int64_t>(augmentations_.size());
  const Tensor picks = augmentation::host_draws(
      {n}, x.device(), generator_ ? &*generator_ : nullptr, [n, count](Generator& g, double* d) {
        for (int64_t i = 0; i < n; ++i)
          d[i] = static_cast<double>(g.next_below(static_cast<uint64_t>(count)));
      });
  for (int64_t i = 0; i < n; ++i) {
    const Tensor pick = ops::slice_axis(picks, 0, i, 1);
    Tensor y = x;
    for (int64_t k = 0; k < count; ++k) {
      const Tensor chosen = ops::equal(pick, ops::scalar_like(static_cast<double>(k), pick));
      y = ops::where(chosen, augmentations_[static_cast<size_t>(k)]->call({x}, true)[0], y);
    }
    x = y;
  }
  return {x};
}

std::vector<Shape> RandAugmentImpl::compute_output_shape(const std::vector<Shape>& in) const {
  (void)augmentation::image_axes(static_cast<int>(in[0].size()), options_.data_format,
                                 "RandAugment");
  return {in[0]};
}

std::vector<DType> RandAugmentImpl::compute_output_dtype(const std::vector<DType>&, size_t) const {
  return {dtype()};
}

std::vector<Generator*> RandAugmentImpl::seed_generators() {
  std::vector<Generator*> all;
  if (generator_) all.push_back(&*generator_);
  for (const auto& a : augmentations_) {
    for (Generator* g : a->seed_generators()) all.push_back(g);
  }
  return all;
}

Json RandAugmentImpl::get_config() const {
  Json config = Layer::get_config();
  config["data_format"] = options_.data_format;
  config["value_range"] = Json(options_.value_range);
  config["num_ops"] = options_.num_ops;
  config["factor"] = Json::array({factor_.first, factor_.second});
  config["interpolation"] = options_.interpolation;
  config["seed"] = options_.seed ? Json(*options_.seed) : Json(nullptr);
  return config;
}

std::shared_ptr<Layer> RandAugmentImpl::from_config(const Json& c) {
  const char* w = "RandAugment";
  RandAugmentOptions o{
      .num_ops = config::get<int64_t>(c, "num_ops", 2, w),
      .interpolation = config::get<std::string>(c, "interpolation", "bilinear", w),
      .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
      .name = config::get<std::string>(c, "name", "", w)};
  const std::vector<double> range = augmentation::numbers_from_json(c, "value_range", w, true);
  if (!range.empty()) o.value_range = range;
  const std::vector<double> factor = augmentation::numbers_from_json(c, "factor", w, true);
  if (!factor.empty()) o.factor = factor;
  if (config::find(c, "seed")) o.seed = config::require<uint64_t>(c, "seed", w);
  auto layer = std::make_shared<RandAugmentImpl>(std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
