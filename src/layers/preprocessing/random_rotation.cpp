#include "keras/layers/preprocessing/random_rotation.h"

#include <cmath>
#include <numbers>

#include "keras/config/json.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {

RandomRotationImpl::RandomRotationImpl(std::vector<double> factor, RandomRotationOptions options)
    : AffineAugmentationImpl(std::move(options), "RandomRotation", "random_rotation"),
      factor_(augmentation::factor_range(factor, -1.0, 1.0, "RandomRotation")) {}

AffineAugmentationImpl::Transform RandomRotationImpl::transform(int64_t height,
                                                                int64_t width) const {
  const double lo = factor_.first * 360.0, hi = factor_.second * 360.0;
  const double cx = 0.5 * static_cast<double>(width - 1);
  const double cy = 0.5 * static_cast<double>(height - 1);
  return [=](const double* u) {
    const double angle = (lo + u[0] * (hi - lo)) * (std::numbers::pi / 180.0);
    const double c = std::cos(angle), s = std::sin(angle);
    // Keras's _compute_affine_matrix with no translation, scale 1 and no shear.
    const double a0 = c, a1 = -s, b0 = s, b1 = c;
    return std::array<double, 6>{a0, a1, cx - cx * a0 - cy * a1, b0, b1, cy - cx * b0 - cy * b1};
  };
}

Json RandomRotationImpl::get_config() const {
  Json config = AffineAugmentationImpl::get_config();
  config["factor"] = Json::array({factor_.first, factor_.second});
  return config;
}

std::shared_ptr<Layer> RandomRotationImpl::from_config(const Json& c) {
  const char* w = "RandomRotation";
  auto layer = std::make_shared<RandomRotationImpl>(augmentation::factor_from_json(c, w),
                                                    options_from_config(c, w));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
