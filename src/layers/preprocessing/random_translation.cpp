#include "keras/layers/preprocessing/random_translation.h"

#include "keras/config/json.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {

namespace {

const char* const kMessage =
    "The `factor` argument should be a number (or a list of two numbers) in the range "
    "[-1.0, 1.0]. ";

}  // namespace

RandomTranslationImpl::RandomTranslationImpl(std::vector<double> height_factor,
                                             std::vector<double> width_factor,
                                             RandomTranslationOptions options)
    : AffineAugmentationImpl(std::move(options), "RandomTranslation", "random_translation"),
      height_factor_(std::move(height_factor)),
      width_factor_(std::move(width_factor)),
      height_(augmentation::signed_factor(height_factor_, false, kMessage, "height_factor")),
      width_(augmentation::signed_factor(width_factor_, false, kMessage, "width_factor")) {}

AffineAugmentationImpl::Transform RandomTranslationImpl::transform(int64_t height,
                                                                   int64_t width) const {
  const auto h = height_, w = width_;
  const double hh = static_cast<double>(height), ww = static_cast<double>(width);
  return [=](const double* u) {
    const double dy = (h.first + u[0] * (h.second - h.first)) * hh;
    const double dx = (w.first + u[1] * (w.second - w.first)) * ww;
    return std::array<double, 6>{1.0, 0.0, -dx, 0.0, 1.0, -dy};
  };
}

Json RandomTranslationImpl::get_config() const {
  Json config = AffineAugmentationImpl::get_config();
  config["height_factor"] = augmentation::factor_to_json(height_factor_);
  config["width_factor"] = augmentation::factor_to_json(width_factor_);
  return config;
}

std::shared_ptr<Layer> RandomTranslationImpl::from_config(const Json& c) {
  const char* w = "RandomTranslation";
  auto layer = std::make_shared<RandomTranslationImpl>(
      augmentation::numbers_from_json(c, "height_factor", w),
      augmentation::numbers_from_json(c, "width_factor", w), options_from_config(c, w));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
