// ContrastLimitedAdaptiveHistogramEqualization (keras.layers, CLAHE): each channel of each image
// equalized per tile of a tile_grid_size grid, each tile's histogram clipped at clip_limit
// times its mean count (the excess spread over the 256 bins), and each pixel's value mapped by
// the bilinear blend of its four nearest tiles' tables. Images (batch, H, W, C) or unbatched
// (H, W, C) (channels_first: C first) in `value_range`; output the same shape and dtype. Config
// as Keras 3's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/preprocessing/image_layer.h"

namespace keras::layers {

struct ClaheOptions {
  std::vector<double> value_range = {0.0, 255.0};
  double clip_limit = 4.0;                       // <= 0: no clipping
  std::vector<int64_t> tile_grid_size = {8, 8};  // (rows, columns) of tiles
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// In training and at inference, as Keras 3 computes it in float32: values mapped to [0, 255],
// truncated to integer bins (clipped to [0, 255]); the image padded symmetrically to a whole
// number of tiles (the padding counted in the edge tiles' histograms); each tile's table the
// normalized cumulative histogram, 255 (cdf - cdf_min) / (count - cdf_min), clipped to
// [0, 255]. Not differentiable (the output does not depend smoothly on the input).
// ValueError for a tile grid that is not two positive sizes.
class ClaheImpl final : public ImageLayerImpl {
 public:
  explicit ClaheImpl(ClaheOptions options);
  std::string class_name() const override { return "ContrastLimitedAdaptiveHistogramEqualization"; }
  Tensors call(const Tensors& inputs, bool training) override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  ClaheOptions options_;
  std::pair<double, double> range_;
};

class ContrastLimitedAdaptiveHistogramEqualization : public LayerHandle<ClaheImpl> {
 public:
  explicit ContrastLimitedAdaptiveHistogramEqualization(ClaheOptions options = {})
      : LayerHandle(std::make_shared<ClaheImpl>(std::move(options))) {}
};

}  // namespace keras::layers
