#include "keras/layers/preprocessing/random_crop.h"

#include <algorithm>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/image.h"
#include "keras/ops/random_noise.h"
#include "keras/ops/shape.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {

RandomCropImpl::RandomCropImpl(int64_t height, int64_t width, RandomCropOptions options)
    : Layer(options.name,
            "random_crop",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      height_(height),
      width_(width),
      options_(std::move(options)) {
  KERAS_CHECK(height_ > 0 && width_ > 0, ValueError,
              "RandomCrop: `height` and `width` must be positive. Received: height=", height_,
              ", width=", width_);
  augmentation::check_data_format(options_.data_format);
  if (options_.seed) generator_.emplace(*options_.seed);
}

Tensors RandomCropImpl::call(const Tensors& inputs, bool training) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  const auto [ha, wa] = augmentation::image_axes(x.rank(), options_.data_format, "RandomCrop");
  const int64_t h = x.shape()[static_cast<size_t>(ha)], w = x.shape()[static_cast<size_t>(wa)];
  if (training && h > height_ && w > width_) {
    // One corner for the batch, drawn as Keras: int(uniform(0, n + 1)).
    const Tensor draws = random::uniform_noise({1, 2}, float64, Device::cpu(), 0.0, 1.0,
                                               generator_ ? &*generator_ : nullptr);
    const int64_t out_h = height_, out_w = width_;
    augmentation::Sampler sampler = [out_h, out_w](const double* u, int64_t, int64_t, int64_t in_h,
                                                   int64_t in_w, int, const auto& at) {
      const auto start = [](double v, int64_t n) {
        return std::min(static_cast<int64_t>(v * static_cast<double>(n + 1)), n);
      };
      const int64_t top = start(u[0], in_h - out_h), left = start(u[1], in_w - out_w);
      for (int64_t i = 0; i < out_h; ++i) {
        for (int64_t j = 0; j < out_w; ++j) {
          const augmentation::PixelSamples ps = at(i, j);
          ps.index[0] = (top + i) * in_w + left + j;
          ps.weight[0] = 1.0;
          *ps.fill = 0.0;
        }
      }
    };
    const bool first = options_.data_format == "channels_first";
    Tensor t = x.rank() == 3 ? ops::expand_dims(x, 0) : x;
    if (first) t = ops::transpose(t, {0, 2, 3, 1});
    // The same corner for every image: the draws are repeated per image.
    const int64_t batch = t.shape()[0];
    const Tensor per_image = batch == 1 ? draws : ops::repeat(draws, batch, 0);
    t = augmentation::resample(t, out_h, out_w, 1, per_image, std::move(sampler), 0.0);
    if (first) t = ops::transpose(t, {0, 3, 1, 2});
    return {x.rank() == 3 ? ops::squeeze(t, 0) : t};
  }
  // Keras 3's centre box of the target's aspect ratio (integer arithmetic as its int(float)).
  const int64_t crop_h = std::clamp<int64_t>(w * height_ / width_, 1, h);
  const int64_t crop_w = std::clamp<int64_t>(h * width_ / height_, 1, w);
  const int64_t top = (h - crop_h) / 2, left = (w - crop_w) / 2;
  const int64_t take_h = training ? std::min(height_, h - top) : crop_h;
  const int64_t take_w = training ? std::min(width_, w - left) : crop_w;
  Tensor y = ops::slice_axis(ops::slice_axis(x, ha, top, take_h), wa, left, take_w);
  y = ops::image::resize_axis(y, ha, height_, false);
  return {ops::image::resize_axis(y, wa, width_, false)};
}

std::vector<Shape> RandomCropImpl::compute_output_shape(const std::vector<Shape>& in) const {
  Shape s = in[0];
  const auto [ha, wa] =
      augmentation::image_axes(static_cast<int>(s.size()), options_.data_format, "RandomCrop");
  s[static_cast<size_t>(ha)] = height_;
  s[static_cast<size_t>(wa)] = width_;
  return {s};
}

std::vector<DType> RandomCropImpl::compute_output_dtype(const std::vector<DType>&, size_t) const {
  return {dtype()};
}

Json RandomCropImpl::get_config() const {
  Json config = Layer::get_config();
  config["data_format"] = options_.data_format;
  config["height"] = height_;
  config["width"] = width_;
  config["seed"] = options_.seed ? Json(*options_.seed) : Json(nullptr);
  return config;
}

std::shared_ptr<Layer> RandomCropImpl::from_config(const Json& c) {
  const char* w = "RandomCrop";
  RandomCropOptions o{.data_format = config::get<std::string>(c, "data_format", "channels_last", w),
                      .name = config::get<std::string>(c, "name", "", w)};
  if (config::find(c, "seed")) o.seed = config::require<uint64_t>(c, "seed", w);
  auto layer =
      std::make_shared<RandomCropImpl>(config::require<int64_t>(c, "height", w),
                                       config::require<int64_t>(c, "width", w), std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
