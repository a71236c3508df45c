// Rescaling (keras.layers.Rescaling): y = x * scale + offset, e.g. pixel values to [0, 1].
//
//   auto x = layers::Rescaling(1.0 / 255)(images);
//   auto y = layers::Rescaling({0.5, 2.0}, {.offset = {1.0, -1.0}})(two_channel_images);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct RescalingOptions {
  std::vector<double> offset = {0.0};  // one value, or one per channel (the last axis)
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// y = cast(x, layer dtype) * scale + offset, scale and offset broadcast from the right (a list
// gives one value per entry of the last axis, channels_last, as Keras's default image data
// format). Any input shape; output the same, floating; passes masks on. Config: Keras 3's
// (`scale` and `offset` a number, or a list).
class RescalingImpl final : public Layer {
 public:
  RescalingImpl(std::vector<double> scale, RescalingOptions options);
  std::string class_name() const override { return "Rescaling"; }
  bool batch_independent() const override { return true; }
  bool supports_masking() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  std::vector<double> scale_;
  RescalingOptions options_;
};

class Rescaling : public LayerHandle<RescalingImpl> {
 public:
  explicit Rescaling(double scale, RescalingOptions options = {})
      : LayerHandle(
            std::make_shared<RescalingImpl>(std::vector<double>{scale}, std::move(options))) {}
  explicit Rescaling(std::vector<double> scale, RescalingOptions options = {})
      : LayerHandle(std::make_shared<RescalingImpl>(std::move(scale), std::move(options))) {}
};

}  // namespace keras::layers
