// Image files: PNG (libpng), JPEG (libjpeg), BMP and GIF (first frame), the formats
// keras.utils.image_dataset_from_directory lists (ALLOWLIST_FORMATS). Decoding gives 8-bit
// pixels as Pillow opens and converts them: palettes expanded, transparency (PNG tRNS, a GIF's
// transparent index) as an alpha channel, 1/2/4-bit grays scaled to 0..255, 16-bit samples cut
// to their high byte, interlacing undone, gamma and colour profiles ignored.
//
//   keras::io::ImageData img = keras::io::read_image("cat.png");   // img.channels: 1, 2, 3 or 4
//   keras::io::write_image("out.png", img, "png");
//
// Untrusted input: the format is told by the magic bytes, not the name; every length and offset
// is checked against the data actually present, and an image of more than kMaxImagePixels
// pixels (Pillow's DecompressionBombError limit) is refused before its pixels are allocated.
// A truncated or corrupt file is an IOError naming it ("<what>: <reason>"); a well-formed file
// in a variant not decoded here (a CMYK JPEG, an RLE-compressed BMP) also.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace keras::io {

// Pillow's MAX_IMAGE_PIXELS * 2, beyond which Image.open raises DecompressionBombError.
inline constexpr int64_t kMaxImagePixels = 2 * 89478485LL;

// Row-major, channels interleaved: 1 = L (gray), 2 = LA, 3 = RGB, 4 = RGBA.
struct ImageData {
  int64_t height = 0;
  int64_t width = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;  // height * width * channels bytes
};

// `bytes`: a whole file; `what` names it in errors.
ImageData decode_image(std::string_view bytes, const std::string& what);
// IOError when the file cannot be read, or as decode_image.
ImageData read_image(const std::string& path);

// Writes `image` as `format`: "png" (any channels), "jpeg" (1 or 3 channels; `quality` 1..100,
// Pillow's default 75, 4:2:0 chroma subsampling) or "bmp" (1, 3 or 4 channels; 1 channel as
// an 8-bit gray palette, as Pillow writes mode L). ValueError for another format, a channel
// count the format cannot hold, or a pixel buffer of the wrong size; IOError when writing fails.
// The write is atomic (a temporary file renamed over `path`).
void write_image(const std::string& path,
                 const ImageData& image,
                 const std::string& format,
                 int quality = 75);
std::string encode_image(const ImageData& image, const std::string& format, int quality = 75);

}  // namespace keras::io
