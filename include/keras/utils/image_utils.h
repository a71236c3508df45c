// keras.utils' image files: load_img, img_to_array, array_to_img, save_img. Where Keras passes a
// PIL Image, keras.cpp passes an io::ImageData (8-bit pixels; channels 1, 3 or 4 for Pillow's
// modes L, RGB and RGBA).
//
//   auto img = keras::utils::load_img("cat.jpg", {.target_size = {{224, 224}}});
//   keras::Tensor x = keras::utils::img_to_array(img);      // (224, 224, 3) float32, 0..255
//   keras::utils::save_img("copy.png", x);
//
// Pixels are Pillow's: decoding as keras/io/image.h describes, colour conversion and resizing as
// Pillow computes them (load_img's results equal Keras's exactly for PNG, BMP and GIF files; a
// JPEG may differ by a few levels where the libjpeg builds differ).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "keras/core/tensor.h"
#include "keras/io/image.h"

namespace keras::utils {

using Image = io::ImageData;

struct LoadImgOptions {
  std::string color_mode = "rgb";  // "grayscale", "rgb" or "rgba"
  // (height, width); default: the file's size.
  std::optional<std::pair<int64_t, int64_t>> target_size = std::nullopt;
  // Pillow's filters: "nearest", "bilinear", "bicubic", "hamming", "box", "lanczos".
  std::string interpolation = "nearest";
  // Resize the largest centred crop with target_size's aspect ratio instead of the whole image.
  bool keep_aspect_ratio = false;
};

// keras.utils.load_img. IOError when the file cannot be read or decoded (keras/io/image.h);
// ValueError 'color_mode must be "grayscale", "rgb", or "rgba"', "Invalid interpolation method
// ... specified. Supported methods are nearest, bilinear, bicubic, hamming, box, lanczos" (only
// checked when a resize happens, as Keras), or a non-positive target_size.
Image load_img(const std::string& path, const LoadImgOptions& options = {});

struct ImgToArrayOptions {
  std::string data_format = "channels_last";  // or "channels_first"
  DType dtype = float32;
};

// keras.utils.img_to_array: (height, width, channels) (or channels first) of `dtype`.
// ValueError for another data_format.
Tensor img_to_array(const Image& img, const ImgToArrayOptions& options = {});

struct ArrayToImgOptions {
  std::string data_format = "channels_last";
  // Shift and scale the values so that min -> 0 and max -> 255 (nothing when max == min).
  bool scale = true;
};

// keras.utils.array_to_img: a rank-3 tensor of 1, 3 or 4 channels as an 8-bit image; values
// are cut to integers as NumPy's astype("uint8") (toward zero; out-of-range values are clamped
// to 0..255). ValueError "Expected image array to have rank 3 (single image). Got array with
// shape: ..." or "Unsupported channel number: N"; NotImplementedError for one channel with
// values above 255 (Pillow's 32-bit mode "I").
Image array_to_img(const Tensor& x, const ArrayToImgOptions& options = {});

struct SaveImgOptions {
  std::string data_format = "channels_last";
  // "png", "jpeg"/"jpg" or "bmp"; default: the path's extension.
  std::optional<std::string> file_format = std::nullopt;
  bool scale = true;
};

// keras.utils.save_img: array_to_img, then written in file_format (RGBA as JPEG drops the alpha
// channel, with Keras's warning on stderr). ValueError for a format keras.cpp cannot write.
void save_img(const std::string& path, const Tensor& x, const SaveImgOptions& options = {});

}  // namespace keras::utils
