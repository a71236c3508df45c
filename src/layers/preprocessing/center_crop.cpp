#include "keras/layers/preprocessing/center_crop.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/image.h"
#include "keras/ops/shape.h"

namespace keras::layers {

CenterCropImpl::CenterCropImpl(int64_t height, int64_t width, CenterCropOptions options)
    : Layer(options.name,
            "center_crop",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      height_(height),
      width_(width),
      options_(std::move(options)) {
  KERAS_CHECK(height_ >= 1 && width_ >= 1, ValueError,
              "CenterCrop: height and width must be positive, got ", height_, " and ", width_);
  KERAS_CHECK(options_.data_format == "channels_last" || options_.data_format == "channels_first",
              ValueError,
              "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
              "Received: data_format=",
              options_.data_format);
}

std::pair<int, int> CenterCropImpl::spatial_axes(int rank) const {
  KERAS_CHECK(rank == 3 || rank == 4, ValueError, "Layer ", name(),
              " (CenterCrop) expects images of rank 3 or 4, got rank ", rank);
  const int h = options_.data_format == "channels_first" ? rank - 2 : rank - 3;
  return {h, h + 1};
}

Tensors CenterCropImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  const auto [ha, wa] = spatial_axes(x.rank());
  const int64_t h = x.shape()[static_cast<size_t>(ha)], w = x.shape()[static_cast<size_t>(wa)];
  if (h < height_ || w < width_) {
    return {ops::image::resize(
        x, {height_, width_}, {.crop_to_aspect_ratio = true, .data_format = options_.data_format})};
  }
  return {ops::slice_axis(ops::slice_axis(x, ha, (h - height_) / 2, height_), wa, (w - width_) / 2,
                          width_)};
}

std::vector<Shape> CenterCropImpl::compute_output_shape(const std::vector<Shape>& in) const {
  Shape out = in[0];
  const auto [ha, wa] = spatial_axes(static_cast<int>(out.size()));
  out[static_cast<size_t>(ha)] = height_;
  out[static_cast<size_t>(wa)] = width_;
  return {out};
}

std::vector<DType> CenterCropImpl::compute_output_dtype(const std::vector<DType>&, size_t) const {
  return {dtype()};
}

Json CenterCropImpl::get_config() const {
  Json config = Layer::get_config();
  config["data_format"] = options_.data_format;
  config["height"] = height_;
  config["width"] = width_;
  return config;
}

std::shared_ptr<Layer> CenterCropImpl::from_config(const Json& c) {
  const char* w = "CenterCrop";
  const int64_t height = config::require<int64_t>(c, "height", w);
  const int64_t width = config::require<int64_t>(c, "width", w);
  KERAS_CHECK(height <= (int64_t{1} << 24) && width <= (int64_t{1} << 24), ValueError, w,
              ": height ", height, " or width ", width, " is out of range");
  auto layer = std::make_shared<CenterCropImpl>(
      height, width,
      CenterCropOptions{
          .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
          .name = config::get<std::string>(c, "name", "", w)});
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
