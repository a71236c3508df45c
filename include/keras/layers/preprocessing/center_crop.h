// CenterCrop (keras.layers.CenterCrop): the central height x width window of each image.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct CenterCropOptions {
  std::string data_format = "channels_last";  // or "channels_first"
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Images (batch, H, W, C) (or (batch, C, H, W), or unbatched rank 3): rows from (H - height) / 2
// and columns from (W - width) / 2 (rounded down), as Keras. Output (batch, height, width, C).
// Images smaller than the target along either axis are resized to it as Keras's smart_resize
// does (the largest centred box of the target's aspect ratio, bilinear). ValueError for another
// rank or data_format.
class CenterCropImpl final : public Layer {
 public:
  CenterCropImpl(int64_t height, int64_t width, CenterCropOptions options);
  std::string class_name() const override { return "CenterCrop"; }
  bool batch_independent() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  // The height and width axes of an input of `rank`.
  std::pair<int, int> spatial_axes(int rank) const;
  int64_t height_, width_;
  CenterCropOptions options_;
};

class CenterCrop : public LayerHandle<CenterCropImpl> {
 public:
  CenterCrop(int64_t height, int64_t width, CenterCropOptions options = {})
      : LayerHandle(std::make_shared<CenterCropImpl>(height, width, std::move(options))) {}
};

}  // namespace keras::layers
