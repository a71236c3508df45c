// RandomCrop (keras.layers.RandomCrop): in training, a random (height, width) window of each
// batch; at inference the centre of the images, cropped to the target's aspect ratio and resized
// to (height, width).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/core/random.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct RandomCropOptions {
  std::optional<uint64_t> seed = std::nullopt;  // a generator of its own when set
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Images (batch, H, W, C) or unbatched (H, W, C) (channels_first: C first) with H and W known;
// output (batch, height, width, C), in the layer's dtype.
// Training, H > height and W > width: one window for the whole batch, as Keras 3 draws it, its
// top-left corner uniform over the (H - height + 1) x (W - width + 1) positions; differentiable
// (a gather). Otherwise the centre box of the target's aspect ratio, as Keras 3 computes it:
// crop_h = clamp(floor(W * height / width), 1, H), crop_w = clamp(floor(H * width / height), 1,
// W), from ((H - crop_h) / 2, (W - crop_w) / 2) rounded down, and then, where the size differs,
// a bilinear resize (half-pixel centres, no antialiasing):
//  - in training, Keras 3 takes `height` x `width` pixels (clipped to the image) from that
//    corner, not crop_h x crop_w; keras.cpp does the same;
//  - at inference keras.cpp crops crop_h x crop_w there and resizes (Keras 2's smart_resize),
//    the output its shape promises. Keras 3.15 itself returns its input unchanged at inference,
//    whatever the shape it declares; so a Keras 3 model predicts the same as keras.cpp only when
//    the input is already (height, width).
// get_config writes height, width, seed and data_format.
class RandomCropImpl final : public Layer {
 public:
  RandomCropImpl(int64_t height, int64_t width, RandomCropOptions options);
  std::string class_name() const override { return "RandomCrop"; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  std::vector<Generator*> seed_generators() override {
    return generator_ ? std::vector<Generator*>{&*generator_} : std::vector<Generator*>{};
  }

 private:
  int64_t height_, width_;
  RandomCropOptions options_;
  std::optional<Generator> generator_;
};

class RandomCrop : public LayerHandle<RandomCropImpl> {
 public:
  RandomCrop(int64_t height, int64_t width, RandomCropOptions options = {})
      : LayerHandle(std::make_shared<RandomCropImpl>(height, width, std::move(options))) {}
};

}  // namespace keras::layers
