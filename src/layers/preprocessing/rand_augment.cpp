#include "keras/layers/preprocessing/rand_augment.h"

#include <algorithm>
#include <cmath>

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
namespace {

// The options RandAugment and AugMix read alike from a config: value_range, factor and seed,
// each optional.
template <class Options>
void read_shared_options(const Json& c, const char* what, Options& o) {
  const std::vector<double> range = augmentation::numbers_from_json(c, "value_range", what, true);
  if (!range.empty()) o.value_range = range;
  const std::vector<double> factor = augmentation::numbers_from_json(c, "factor", what, true);
  if (!factor.empty()) o.factor = factor;
  if (config::find(c, "seed")) o.seed = config::require<uint64_t>(c, "seed", what);
}

// The augmentations RandAugment and AugMix pick from, configured from factor as Keras 3
// configures them; without `all`, AugMix's seven (no brightness, colour, contrast, sharpness).
std::vector<std::shared_ptr<Layer>> policy_augmentations(std::pair<double, double> factor,
                                                         const std::vector<double>& value_range,
                                                         const std::string& interpolation,
                                                         std::optional<uint64_t> seed,
                                                         const std::string& data_format,
                                                         bool all) {
  const std::vector<double> f{factor.first, factor.second};
  const AffineAugmentationOptions geometric{
      .interpolation = interpolation, .seed = seed, .data_format = data_format};
  const FactorAugmentationOptions color{
      .value_range = value_range, .seed = seed, .data_format = data_format};
  const auto bits = static_cast<double>(std::max(1, static_cast<int>(8 * factor.second)));
  std::vector<std::shared_ptr<Layer>> layers{
      std::make_shared<RandomShearImpl>(f, f, geometric),
      std::make_shared<RandomTranslationImpl>(f, f, geometric),
      std::make_shared<RandomRotationImpl>(f, geometric),
      std::make_shared<RandomPosterizationImpl>(std::vector<double>{bits}, color),
      std::make_shared<SolarizationImpl>(
          f, f,
          SolarizationOptions{
              .value_range = value_range, .seed = seed, .data_format = data_format}),
      std::make_shared<AutoContrastImpl>(
          AutoContrastOptions{.value_range = value_range, .data_format = data_format}),
      std::make_shared<EqualizationImpl>(
          EqualizationOptions{.value_range = value_range, .data_format = data_format}),
  };
  if (all) {
    layers.push_back(std::make_shared<RandomBrightnessImpl>(f, color));
    layers.push_back(std::make_shared<RandomColorDegenerationImpl>(f, color));
    layers.push_back(std::make_shared<RandomContrastImpl>(f, color));
    layers.push_back(std::make_shared<RandomSharpnessImpl>(f, color));
  }
  return layers;
}

// x with the augmentation number `pick` (a one-value tensor; out of range: none) applied.
Tensor apply_pick(const std::vector<std::shared_ptr<Layer>>& augmentations,
                  const Tensor& x,
                  const Tensor& pick) {
  Tensor y = x;
  for (size_t k = 0; k < augmentations.size(); ++k) {
    const Tensor chosen = ops::equal(pick, ops::scalar_like(static_cast<double>(k), pick));
    y = ops::where(chosen, augmentations[k]->call({x}, true)[0], y);
  }
  return y;
}

std::vector<Generator*> generators_of(Generator* own,
                                      const std::vector<std::shared_ptr<Layer>>& augmentations) {
  std::vector<Generator*> all;
  if (own != nullptr) all.push_back(own);
  for (const auto& a : augmentations) {
    for (Generator* g : a->seed_generators()) all.push_back(g);
  }
  return all;
}

}  // namespace

RandAugmentImpl::RandAugmentImpl(RandAugmentOptions options)
    : ImageLayerImpl(options.name,
                     "rand_augment",
                     options.input_shape,
                     "RandAugment",
                     options.data_format,
                     options.seed),
      options_(std::move(options)),
      factor_(augmentation::factor_range(options_.factor, 0.0, 1.0, "RandAugment")) {
  KERAS_CHECK(options_.num_ops >= 0 && options_.num_ops <= 1000, ValueError,
              "RandAugment: num_ops must be in [0, 1000], got ", options_.num_ops);
  (void)augmentation::value_range(options_.value_range, "RandAugment");
  augmentations_ = policy_augmentations(factor_, options_.value_range, options_.interpolation,
                                        options_.seed, data_format(), true);
}

Tensors RandAugmentImpl::call(const Tensors& inputs, bool training) {
  Tensor x = images(inputs[0]);
  if (!training || options_.num_ops == 0) return {x};
  const int64_t n = options_.num_ops, count = static_cast<int64_t>(augmentations_.size());
  const Tensor picks =
      augmentation::host_draws({n}, x.device(), generator(), [n, count](Generator& g, double* d) {
        for (int64_t i = 0; i < n; ++i)
          d[i] = static_cast<double>(g.next_below(static_cast<uint64_t>(count)));
      });
  for (int64_t i = 0; i < n; ++i)
    x = apply_pick(augmentations_, x, ops::slice_axis(picks, 0, i, 1));
  return {x};
}

std::vector<Generator*> RandAugmentImpl::seed_generators() {
  return generators_of(generator(), augmentations_);
}

Json RandAugmentImpl::get_config() const {
  Json config = image_config();
  config["value_range"] = Json(options_.value_range);
  config["num_ops"] = options_.num_ops;
  config["factor"] = Json::array({factor_.first, factor_.second});
  config["interpolation"] = options_.interpolation;
  config["seed"] = seed_json();
  return config;
}

std::shared_ptr<Layer> RandAugmentImpl::from_config(const Json& c) {
  const char* w = "RandAugment";
  RandAugmentOptions o{
      .num_ops = config::get<int64_t>(c, "num_ops", 2, w),
      .interpolation = config::get<std::string>(c, "interpolation", "bilinear", w),
      .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
      .name = config::get<std::string>(c, "name", "", w)};
  read_shared_options(c, w, o);
  auto layer = std::make_shared<RandAugmentImpl>(std::move(o));
  layer->apply_base_config(c);
  return layer;
}

// ---- AugMix ----
AugMixImpl::AugMixImpl(AugMixOptions options)
    : ImageLayerImpl(options.name,
                     "aug_mix",
                     options.input_shape,
                     "AugMix",
                     options.data_format,
                     options.seed),
      options_(std::move(options)),
      factor_(augmentation::factor_range(options_.factor, 0.0, 1.0, "AugMix")) {
  KERAS_CHECK(options_.num_chains >= 1 && options_.num_chains <= 100 && options_.chain_depth >= 1 &&
                  options_.chain_depth <= 100,
              ValueError, "AugMix: num_chains and chain_depth must be in [1, 100], got ",
              options_.num_chains, " and ", options_.chain_depth);
  KERAS_CHECK(options_.alpha > 0.0 && std::isfinite(options_.alpha), ValueError,
              "AugMix: alpha must be positive, got ", options_.alpha);
  (void)augmentation::value_range(options_.value_range, "AugMix");
  augmentations_ = policy_augmentations(factor_, options_.value_range, options_.interpolation,
                                        options_.seed, data_format(), options_.all_ops);
}

Tensors AugMixImpl::call(const Tensors& inputs, bool training) {
  Tensor x = images(inputs[0]);
  if (!training) return {x};
  const int64_t chains = options_.num_chains, depth = options_.chain_depth;
  const auto choices = static_cast<uint64_t>(augmentations_.size() + 1);  // the last: none
  const double alpha = options_.alpha;
  // The chains' weights, the blend's weight, then each chain's picks.
  const Tensor draws = augmentation::host_draws(
      {chains + 1 + chains * depth}, x.device(), generator(), [=](Generator& g, double* d) {
        augmentation::dirichlet_sample(g, alpha, chains, d);
        d[chains] = augmentation::beta_sample(g, alpha, alpha);
        for (int64_t i = 0; i < chains * depth; ++i)
          d[chains + 1 + i] = static_cast<double>(g.next_below(choices));
      });
  const auto value = [&](int64_t i) {
    return ops::cast(ops::slice_axis(draws, 0, i, 1), x.dtype());
  };
  Tensor mixed = ops::zeros_like(x);
  for (int64_t c = 0; c < chains; ++c) {
    Tensor chain = x;
    for (int64_t d = 0; d < depth; ++d) {
      chain = apply_pick(augmentations_, chain,
                         ops::slice_axis(draws, 0, chains + 1 + c * depth + d, 1));
    }
    mixed = ops::add(mixed, ops::multiply(chain, value(c)));
  }
  const Tensor w = value(chains);
  const Tensor y = ops::add(ops::multiply(w, x), ops::multiply(ops::subtract(1.0, w), mixed));
  return {ops::clip(y, std::min(options_.value_range[0], options_.value_range[1]),
                    std::max(options_.value_range[0], options_.value_range[1]))};
}

std::vector<Generator*> AugMixImpl::seed_generators() {
  return generators_of(generator(), augmentations_);
}

Json AugMixImpl::get_config() const {
  Json config = image_config();
  config["value_range"] = Json(options_.value_range);
  config["num_chains"] = options_.num_chains;
  config["chain_depth"] = options_.chain_depth;
  config["factor"] = Json::array({factor_.first, factor_.second});
  config["alpha"] = options_.alpha;
  config["all_ops"] = options_.all_ops;
  config["interpolation"] = options_.interpolation;
  config["seed"] = seed_json();
  return config;
}

std::shared_ptr<Layer> AugMixImpl::from_config(const Json& c) {
  const char* w = "AugMix";
  AugMixOptions o{.num_chains = config::get<int64_t>(c, "num_chains", 3, w),
                  .chain_depth = config::get<int64_t>(c, "chain_depth", 3, w),
                  .alpha = config::get<double>(c, "alpha", 1.0, w),
                  .all_ops = config::get<bool>(c, "all_ops", true, w),
                  .interpolation = config::get<std::string>(c, "interpolation", "bilinear", w),
                  .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
                  .name = config::get<std::string>(c, "name", "", w)};
  read_shared_options(c, w, o);
  auto layer = std::make_shared<AugMixImpl>(std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
