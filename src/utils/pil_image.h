// Pillow's pixel arithmetic for 8-bit images, so that load_img gives Keras's numbers exactly:
// Image.convert between L, LA, RGB and RGBA, and Image.resize with its filters.
#pragma once

#include <array>
#include <string>

#include "keras/io/image.h"

namespace keras::utils::internal {

// Image.convert to 1 (L), 3 (RGB) or 4 (RGBA) channels. To L: ITU-R 601-2 luma in Pillow's
// fixed point, L = (R * 19595 + G * 38470 + B * 7471 + 0x8000) >> 16; alpha dropped; from L,
// R = G = B = L and alpha 255 where there was none.
io::ImageData convert(const io::ImageData& image, int channels);

// Image.resize((width, height), resample, box): "nearest" samples the pixel under each output
// pixel's centre (Pillow's affine scaling, in doubles); "bilinear", "bicubic", "hamming", "box"
// and "lanczos" convolve with the filter widened by the scale when shrinking (Pillow's
// two-pass 8-bit fixed-point resampling, in Pillow 13's order of the passes where it is known:
// see resample in pil_image.cpp). RGBA is premultiplied by alpha
// around a non-nearest resize, as Pillow does. `box`: (left, upper, right, lower) of the source.
io::ImageData resize(const io::ImageData& image,
                     int64_t width,
                     int64_t height,
                     const std::string& filter,
                     const std::array<double, 4>& box);

}  // namespace keras::utils::internal
