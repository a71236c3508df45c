#include "keras/io/image.h"

#include "core/file_util.h"
#include "io/image_codecs.h"
#include "keras/core/error.h"

namespace keras::io {
namespace internal {

void check_pixels(int64_t width, int64_t height, const std::string& what) {
  if (width <= 0 || height <= 0) throw IOError(str(what, ": image of size ", width, "x", height));
  if (width > kMaxImagePixels / height) {
    throw IOError(str(what, ": image size (", width * height, " pixels) exceeds limit of ",
                      kMaxImagePixels, " pixels, could be decompression bomb DOS attack."));
  }
}

}  // namespace internal

ImageData decode_image(std::string_view bytes, const std::string& what) {
  auto starts = [&](std::string_view magic) { return bytes.substr(0, magic.size()) == magic; };
  if (starts("\x89PNG\r\n\x1a\n")) return internal::decode_png(bytes, what);
  if (starts("\xff\xd8\xff")) return internal::decode_jpeg(bytes, what);
  if (starts("BM")) return internal::decode_bmp(bytes, what);
  if (starts("GIF87a") || starts("GIF89a")) return internal::decode_gif(bytes, what);
  throw IOError(str(what, ": cannot identify image file (not PNG, JPEG, BMP or GIF)"));
}

ImageData read_image(const std::string& path) {
  return decode_image(keras::internal::read_file(path), path);
}

std::string encode_image(const ImageData& image, const std::string& format, int quality) {
  KERAS_CHECK(
      image.channels >= 1 && image.channels <= 4 && image.height > 0 && image.width > 0 &&
          image.pixels.size() == static_cast<size_t>(image.height * image.width * image.channels),
      ValueError, "encode_image: ", image.height, "x", image.width, "x", image.channels,
      " image with ", image.pixels.size(), " bytes of pixels");
  if (format == "png") return internal::encode_png(image);
  if (format == "jpeg" || format == "jpg") {
    KERAS_CHECK(image.channels == 1 || image.channels == 3, ValueError, "cannot write mode ",
                image.channels == 2 ? "LA" : "RGBA", " as JPEG");
    KERAS_CHECK(quality >= 1 && quality <= 100, ValueError,
                "JPEG quality must be between 1 and 100, received: ", quality);
    return internal::encode_jpeg(image, quality);
  }
  if (format == "bmp") {
    KERAS_CHECK(image.channels != 2, ValueError, "cannot write mode LA as BMP");
    return internal::encode_bmp(image);
  }
  throw ValueError(
      str("unknown file extension: ", format, " (keras.cpp writes \"png\", \"jpeg\" and \"bmp\")"));
}

void write_image(const std::string& path,
                 const ImageData& image,
                 const std::string& format,
                 int quality) {
  keras::internal::write_file_atomic(path, encode_image(image, format, quality));
}

}  // namespace keras::io
