#include "keras/layers/preprocessing/resizing.h"

#include <algorithm>
#include <cmath>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/image.h"
#include "keras/ops/shape.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {

ResizingImpl::ResizingImpl(int64_t height, int64_t width, ResizingOptions options)
    : Layer(options.name,
            "resizing",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      height_(height),
      width_(width),
      options_(std::move(options)) {
  KERAS_CHECK(height_ >= 1 && width_ >= 1, ValueError,
              "Resizing: height and width must be positive, got ", height_, " and ", width_);
  augmentation::check_data_format(options_.data_format);
  KERAS_CHECK(!(options_.crop_to_aspect_ratio && options_.pad_to_aspect_ratio), ValueError,
              "Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be True.");
  ops::image::check_resize_interpolation(options_.interpolation);
}

Tensors ResizingImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  // Keras resizes integer images in float and rounds them back into their own dtype.
  const bool integer = is_integer(x.dtype());
  if (x.dtype() != dtype()) x = ops::cast(x, integer ? float32 : dtype());
  (void)augmentation::image_axes(x.rank(), options_.data_format, "Resizing");
  const Tensor y = ops::image::resize(x, {height_, width_},
                                      {.interpolation = options_.interpolation,
                                       .antialias = options_.antialias,
                                       .crop_to_aspect_ratio = options_.crop_to_aspect_ratio,
                                       .pad_to_aspect_ratio = options_.pad_to_aspect_ratio,
                                       .fill_mode = options_.fill_mode,
                                       .fill_value = options_.fill_value,
                                       .data_format = options_.data_format});
  return {integer ? ops::saturate_cast(ops::round(y), inputs[0].dtype()) : y};
}

std::vector<Shape> ResizingImpl::compute_output_shape(const std::vector<Shape>& in) const {
  Shape out = in[0];
  const auto [ha, wa] =
      augmentation::image_axes(static_cast<int>(out.size()), options_.data_format, "Resizing");
  out[static_cast<size_t>(ha)] = height_;
  out[static_cast<size_t>(wa)] = width_;
  return {out};
}

std::vector<DType> ResizingImpl::compute_output_dtype(const std::vector<DType>& in, size_t) const {
  return {is_integer(in.at(0)) ? in[0] : dtype()};
}

Json ResizingImpl::get_config() const {
  const ResizingOptions& o = options_;
  Json config = Layer::get_config();
  config["height"] = height_;
  config["width"] = width_;
  config["interpolation"] = o.interpolation;
  config["crop_to_aspect_ratio"] = o.crop_to_aspect_ratio;
  config["pad_to_aspect_ratio"] = o.pad_to_aspect_ratio;
  config["fill_mode"] = o.fill_mode;
  config["fill_value"] = o.fill_value;
  config["antialias"] = o.antialias;
  config["data_format"] = o.data_format;
  return config;
}

std::shared_ptr<Layer> ResizingImpl::from_config(const Json& c) {
  using config::get;
  const char* w = "Resizing";
  const int64_t height = config::require<int64_t>(c, "height", w);
  const int64_t width = config::require<int64_t>(c, "width", w);
  KERAS_CHECK(height <= (int64_t{1} << 24) && width <= (int64_t{1} << 24), ValueError, w,
              ": height ", height, " or width ", width, " is out of range");
  auto layer = std::make_shared<ResizingImpl>(
      height, width,
      ResizingOptions{.interpolation = get<std::string>(c, "interpolation", "bilinear", w),
                      .crop_to_aspect_ratio = get<bool>(c, "crop_to_aspect_ratio", false, w),
                      .pad_to_aspect_ratio = get<bool>(c, "pad_to_aspect_ratio", false, w),
                      .fill_mode = get<std::string>(c, "fill_mode", "constant", w),
                      .fill_value = get<double>(c, "fill_value", 0.0, w),
                      .antialias = get<bool>(c, "antialias", false, w),
                      .data_format = get<std::string>(c, "data_format", "channels_last", w),
                      .name = get<std::string>(c, "name", "", w)});
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
