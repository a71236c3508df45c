#include "keras/layers/preprocessing/random_color_jitter.h"

#include "keras/config/json.h"
#include "keras/layers/preprocessing/color_augmentation.h"
#include "keras/layers/preprocessing/random_brightness.h"
#include "keras/layers/preprocessing/random_contrast.h"
#include "keras/ops/elementwise.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {

RandomColorJitterImpl::RandomColorJitterImpl(RandomColorJitterOptions options)
    : ImageLayerImpl(options.name,
                     "random_color_jitter",
                     options.input_shape,
                     "RandomColorJitter",
                     options.data_format,
                     std::nullopt),
      options_(std::move(options)) {
  (void)augmentation::value_range(options_.value_range, "RandomColorJitter");
  const FactorAugmentationOptions step{.value_range = options_.value_range,
                                       .seed = options_.seed,
                                       .data_format = options_.data_format};
  if (!options_.brightness_factor.empty())
    steps_.push_back(std::make_shared<RandomBrightnessImpl>(options_.brightness_factor, step));
  if (!options_.contrast_factor.empty())
    steps_.push_back(std::make_shared<RandomContrastImpl>(options_.contrast_factor, step));
  if (!options_.saturation_factor.empty())
    steps_.push_back(std::make_shared<RandomSaturationImpl>(options_.saturation_factor, step));
  if (!options_.hue_factor.empty())
    steps_.push_back(std::make_shared<RandomHueImpl>(options_.hue_factor, step));
}

Tensors RandomColorJitterImpl::call(const Tensors& inputs, bool training) {
  Tensor x = images(inputs[0]);
  if (!training) return {x};
  for (const auto& step : steps_) x = step->call({x}, true)[0];
  return {x};
}

std::vector<Generator*> RandomColorJitterImpl::seed_generators() {
  std::vector<Generator*> all;
  for (const auto& step : steps_) {
    for (Generator* g : step->seed_generators()) all.push_back(g);
  }
  return all;
}

Json RandomColorJitterImpl::get_config() const {
  Json config = image_config();
  config["value_range"] = Json(options_.value_range);
  const auto factor = [](const std::vector<double>& f) {
    return f.empty() ? Json(nullptr) : augmentation::factor_to_json(f);
  };
  config["brightness_factor"] = factor(options_.brightness_factor);
  config["contrast_factor"] = factor(options_.contrast_factor);
  config["saturation_factor"] = factor(options_.saturation_factor);
  config["hue_factor"] = factor(options_.hue_factor);
  config["seed"] = options_.seed ? Json(*options_.seed) : Json(nullptr);  // its steps' seed
  return config;
}

std::shared_ptr<Layer> RandomColorJitterImpl::from_config(const Json& c) {
  const char* w = "RandomColorJitter";
  RandomColorJitterOptions o{
      .brightness_factor = augmentation::numbers_from_json(c, "brightness_factor", w, true),
      .contrast_factor = augmentation::numbers_from_json(c, "contrast_factor", w, true),
      .saturation_factor = augmentation::numbers_from_json(c, "saturation_factor", w, true),
      .hue_factor = augmentation::numbers_from_json(c, "hue_factor", w, true),
      .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
      .name = config::get<std::string>(c, "name", "", w)};
  const std::vector<double> range = augmentation::numbers_from_json(c, "value_range", w, true);
  if (!range.empty()) o.value_range = range;
  if (config::find(c, "seed")) o.seed = config::require<uint64_t>(c, "seed", w);
  auto layer = std::make_shared<RandomColorJitterImpl>(std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
