// Resizing (keras.layers.Resizing): images resized to height x width, bilinear or nearest.
//
//   auto x = layers::Resizing(224, 224, {.crop_to_aspect_ratio = true})(images);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct ResizingOptions {
  std::string interpolation = "bilinear";  // or "nearest", "bicubic", "lanczos3", "lanczos5"
  bool crop_to_aspect_ratio = false;       // first the largest centred box of the target's ratio
  bool pad_to_aspect_ratio = false;        // first padded with fill_value to the target's ratio
  std::string fill_mode = "constant";
  double fill_value = 0.0;
  bool antialias = false;  // widens the kernel by in / out on a shrinking axis
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// As Keras 3 on JAX: ops::image::resize (jax.image.resize, half-pixel centres; "bilinear",
// "nearest", "bicubic", "lanczos3", "lanczos5"; antialias widens the kernel on a shrinking axis).
// Images (batch, H, W, C) or unbatched (H, W, C) (channels_first: C first); output with height x
// width, in the layer's dtype (integer images: resized in float32, rounded half to even and
// clipped back into their own dtype, as Keras). pad_to_aspect_ratio pads with fill_value first
// (Keras's centred padding). ValueError for another interpolation (Keras's words) and for both
// aspect-ratio options.
class ResizingImpl final : public Layer {
 public:
  ResizingImpl(int64_t height, int64_t width, ResizingOptions options);
  std::string class_name() const override { return "Resizing"; }
  bool batch_independent() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  int64_t height_, width_;
  ResizingOptions options_;
};

class Resizing : public LayerHandle<ResizingImpl> {
 public:
  Resizing(int64_t height, int64_t width, ResizingOptions options = {})
      : LayerHandle(std::make_shared<ResizingImpl>(height, width, std::move(options))) {}
};

}  // namespace keras::layers
