#include "keras/layers/preprocessing/random_zoom.h"

#include "keras/config/json.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {

namespace {

const char* const kMessage =
    "The `height_factor` and `width_factor` arguments should be a number (or a list of two "
    "numbers) in the range (-1.0, 1.0]. ";

}  // namespace

RandomZoomImpl::RandomZoomImpl(std::vector<double> height_factor,
                               std::vector<double> width_factor,
                               RandomZoomOptions options)
    : AffineAugmentationImpl(std::move(options), "RandomZoom", "random_zoom"),
      height_factor_(std::move(height_factor)),
      width_factor_(std::move(width_factor)),
      height_(augmentation::signed_factor(height_factor_, true, kMessage, "height_factor")) {
  if (!width_factor_.empty()) {
    width_ = augmentation::signed_factor(width_factor_, true, kMessage, "width_factor");
  }
}

AffineAugmentationImpl::Transform RandomZoomImpl::transform(int64_t height, int64_t width) const {
  const auto h = height_, w = width_;
  const bool own_width = !width_factor_.empty();
  const double half_w = (static_cast<double>(width) - 1.0) / 2.0;
  const double half_h = (static_cast<double>(height) - 1.0) / 2.0;
  return [=](const double* u) {
    const double zh = 1.0 + h.first + u[0] * (h.second - h.first);
    const double zw = own_width ? 1.0 + w.first + u[1] * (w.second - w.first) : zh;
    return std::array<double, 6>{zw, 0.0, half_w * (1.0 - zw), 0.0, zh, half_h * (1.0 - zh)};
  };
}

Json RandomZoomImpl::get_config() const {
  Json config = AffineAugmentationImpl::get_config();
  config["height_factor"] = augmentation::factor_to_json(height_factor_);
  config["width_factor"] =
      width_factor_.empty() ? Json(nullptr) : augmentation::factor_to_json(width_factor_);
  return config;
}

std::shared_ptr<Layer> RandomZoomImpl::from_config(const Json& c) {
  const char* w = "RandomZoom";
  auto layer = std::make_shared<RandomZoomImpl>(
      augmentation::numbers_from_json(c, "height_factor", w),
      augmentation::numbers_from_json(c, "width_factor", w, /*optional=*/true),
      options_from_config(c, w));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
