// RandomErasing and RandomGaussianBlur (keras.layers): in training, a random box of some images
// filled, or some images blurred; at inference the identity. Images (batch, H, W, C) or
// unbatched (H, W, C) (channels_first: C first); output the same shape, in the layer's dtype.
// Configs are Keras 3's. Keras's exact random numbers are not reproduced.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/layers/preprocessing/factor_augmentation.h"

namespace keras::layers {

struct RandomErasingOptions {
  // Each side of the box is sqrt(s) times the image's, s uniform in this range (a number f in
  // [0, 1]: [0, f]).
  std::vector<double> scale = {0.02, 0.33};
  // The box's values: empty (Keras's None) for normal noise times value_range's upper bound, one
  // number, or one per channel (3); clipped to value_range.
  std::vector<double> fill_value = {};
  std::vector<double> value_range = {0.0, 255.0};
  std::optional<uint64_t> seed = std::nullopt;
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Each image is erased when a uniform draw falls under a probability drawn from factor's range
// (a number f in [0, 1]: [0, f]); its box is placed uniformly inside the image.
class RandomErasingImpl final : public FactorAugmentationImpl {
 public:
  RandomErasingImpl(std::vector<double> factor, RandomErasingOptions options);
  std::string class_name() const override { return "RandomErasing"; }
  Tensors call(const Tensors& inputs, bool training) override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  std::pair<double, double> scale_;
  std::vector<double> fill_value_;
};

class RandomErasing : public LayerHandle<RandomErasingImpl> {
 public:
  explicit RandomErasing(double factor = 1.0, RandomErasingOptions options = {})
      : RandomErasing(std::vector<double>{factor}, std::move(options)) {}
  RandomErasing(std::vector<double> factor, RandomErasingOptions options)
      : LayerHandle(std::make_shared<RandomErasingImpl>(std::move(factor), std::move(options))) {}
};

struct RandomGaussianBlurOptions {
  std::vector<int64_t> kernel_size = {3};  // odd: one number, or (width, height)
  std::vector<double> sigma = {1.0};       // in [0, 1]: a number f gives [0, f]
  std::vector<double> value_range = {0.0, 255.0};
  std::optional<uint64_t> seed = std::nullopt;
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Each image is blurred (ops::image::gaussian_blur) when a uniform draw falls under a probability
// drawn from factor's range (a number f in [0, 1]: [0, f]); one pair of sigmas, uniform in
// sigma's range (plus 1e-6), serves the whole batch, as Keras 3. The result is clipped to
// value_range. ValueError (Keras's words) for an even kernel size.
class RandomGaussianBlurImpl final : public FactorAugmentationImpl {
 public:
  RandomGaussianBlurImpl(std::vector<double> factor, RandomGaussianBlurOptions options);
  std::string class_name() const override { return "RandomGaussianBlur"; }
  Tensors call(const Tensors& inputs, bool training) override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  std::pair<int64_t, int64_t> kernel_size_;
  std::pair<double, double> sigma_;
};

class RandomGaussianBlur : public LayerHandle<RandomGaussianBlurImpl> {
 public:
  explicit RandomGaussianBlur(double factor = 1.0, RandomGaussianBlurOptions options = {})
      : RandomGaussianBlur(std::vector<double>{factor}, std::move(options)) {}
  RandomGaussianBlur(std::vector<double> factor, RandomGaussianBlurOptions options)
      : LayerHandle(
            std::make_shared<RandomGaussianBlurImpl>(std::move(factor), std::move(options))) {}
};

}  // namespace keras::layers
