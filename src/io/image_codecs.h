// One decoder and encoder per format, behind keras/io/image.h's decode_image / encode_image.
// Decoders throw IOError "<what>: ..." (check_pixels refuses oversized images first).
#pragma once

#include <string>
#include <string_view>

#include "keras/io/image.h"

namespace keras::io::internal {

// IOError unless 0 < width, height and width * height <= kMaxImagePixels.
void check_pixels(int64_t width, int64_t height, const std::string& what);

ImageData decode_png(std::string_view bytes, const std::string& what);
ImageData decode_jpeg(std::string_view bytes, const std::string& what);
ImageData decode_bmp(std::string_view bytes, const std::string& what);
ImageData decode_gif(std::string_view bytes, const std::string& what);

std::string encode_png(const ImageData& image);
std::string encode_jpeg(const ImageData& image, int quality);
std::string encode_bmp(const ImageData& image);

}  // namespace keras::io::internal
