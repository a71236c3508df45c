#include "keras/utils/image_utils.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "keras/core/error.h"
#include "utils/pil_image.h"

namespace keras::utils {
namespace {

void check_data_format(const std::string& data_format) {
  KERAS_CHECK(data_format == "channels_last" || data_format == "channels_first", ValueError,
              "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
              "Received: data_format=",
              data_format);
}

bool is_filter(const std::string& name) {
  for (const char* f : {"nearest", "bilinear", "bicubic", "hamming", "box", "lanczos"})
    if (name == f) return true;
  return false;
}

}  // namespace

Image load_img(const std::string& path, const LoadImgOptions& o) {
  Image img = io::read_image(path);
  const int channels = o.color_mode == "grayscale" ? 1
                       : o.color_mode == "rgb"     ? 3
                       : o.color_mode == "rgba"    ? 4
                                                   : 0;
  KERAS_CHECK(channels != 0, ValueError, "color_mode must be \"grayscale\", \"rgb\", or \"rgba\"");
  img = internal::convert(img, channels);
  if (!o.target_size) return img;
  const auto [height, width] = *o.target_size;
  KERAS_CHECK(height > 0 && width > 0, ValueError, "load_img: target_size must be positive, got (",
              height, ", ", width, ")");
  if (img.width == width && img.height == height) return img;
  KERAS_CHECK(
      is_filter(o.interpolation), ValueError, "Invalid interpolation method ", o.interpolation,
      " specified. Supported methods are nearest, bilinear, bicubic, hamming, box, lanczos");
  std::array<double, 4> box = {0, 0, static_cast<double>(img.width),
                               static_cast<double>(img.height)};
  if (o.keep_aspect_ratio) {
    const int64_t crop_h = std::min(img.height, img.width * height / width);
    const int64_t crop_w = std::min(img.width, img.height * width / height);
    const int64_t top = (img.height - crop_h) / 2, left = (img.width - crop_w) / 2;
    box = {static_cast<double>(left), static_cast<double>(top), static_cast<double>(left + crop_w),
           static_cast<double>(top + crop_h)};
  }
  return internal::resize(img, width, height, o.interpolation, box);
}

Tensor img_to_array(const Image& img, const ImgToArrayOptions& o) {
  check_data_format(o.data_format);
  const int64_t h = img.height, w = img.width, c = img.channels;
  KERAS_CHECK(img.pixels.size() == static_cast<size_t>(h * w * c), ValueError,
              "Unsupported image shape: (", h, ", ", w, ", ", c, ") with ", img.pixels.size(),
              " bytes of pixels");
  std::vector<float> values(img.pixels.size());
  if (o.data_format == "channels_last") {
    std::copy(img.pixels.begin(), img.pixels.end(), values.begin());
  } else {
    for (int64_t i = 0; i < h * w; ++i)
      for (int64_t k = 0; k < c; ++k) values[k * h * w + i] = img.pixels[i * c + k];
  }
  Tensor x = Tensor::from_vector(
      values, o.data_format == "channels_last" ? Shape{h, w, c} : Shape{c, h, w});
  return o.dtype == float32 ? x : x.astype(o.dtype);
}

Image array_to_img(const Tensor& x, const ArrayToImgOptions& o) {
  check_data_format(o.data_format);
  KERAS_CHECK(x.defined() && x.rank() == 3, ValueError,
              "Expected image array to have rank 3 (single image). Got array with shape: ",
              x.defined() ? shape_str(x.shape()) : std::string("()"));
  const Tensor host = x.astype(float32).cpu();
  const std::span<const float> in = host.span<float>();
  const bool first = o.data_format == "channels_first";
  const int64_t c = x.shape()[first ? 0 : 2], h = x.shape()[first ? 1 : 0],
                w = x.shape()[first ? 2 : 1];
  std::vector<float> v(in.size());
  for (int64_t i = 0; i < h * w; ++i)
    for (int64_t k = 0; k < c; ++k) v[i * c + k] = first ? in[k * h * w + i] : in[i * c + k];
  if (o.scale && !v.empty()) {
    const float lo = *std::min_element(v.begin(), v.end());
    for (float& e : v) e -= lo;
    const float hi = *std::max_element(v.begin(), v.end());
    for (float& e : v) {
      if (hi != 0) e /= hi;
      e *= 255.0f;
    }
  }
  KERAS_CHECK(c == 1 || c == 3 || c == 4, ValueError, "Unsupported channel number: ", c);
  KERAS_CHECK(c != 1 || v.empty() || *std::max_element(v.begin(), v.end()) <= 255,
              NotImplementedError,
              "array_to_img: a one-channel image with values above 255 (Pillow's 32-bit mode "
              "\"I\") is not supported; pass scale=true or values in 0..255");
  Image img{h, w, static_cast<int>(c), std::vector<uint8_t>(v.size())};
  for (size_t i = 0; i < v.size(); ++i) {
    img.pixels[i] = static_cast<uint8_t>(std::clamp(std::trunc(v[i]), 0.0f, 255.0f));
  }
  return img;
}

void save_img(const std::string& path, const Tensor& x, const SaveImgOptions& o) {
  std::string format = o.file_format.value_or("");
  if (!o.file_format) {
    format = std::filesystem::path(path).extension().string();
    if (!format.empty()) format.erase(0, 1);
  }
  std::transform(format.begin(), format.end(), format.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (format == "jpg") format = "jpeg";
  Image img = array_to_img(x, {.data_format = o.data_format, .scale = o.scale});
  if (img.channels == 4 && format == "jpeg") {
    std::cerr << "UserWarning: The JPEG format does not support RGBA images, converting to RGB.\n";
    img = internal::convert(img, 3);
  }
  io::write_image(path, img, format);
}

}  // namespace keras::utils
