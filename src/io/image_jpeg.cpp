// JPEG through libjpeg (Debian's libjpeg62-turbo), with its default decoding (islow DCT, fancy
// upsampling) as Pillow's. Errors longjmp back to the function that set the jump, as in
// image_png.cpp.
#include <cstdio>
// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>

#include <csetjmp>

#include "io/image_codecs.h"
#include "keras/core/error.h"

namespace keras::io::internal {
namespace {

struct ErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = {};
};

void on_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// A warning (level -1) is corrupt data: libjpeg would fill a truncated image with gray, Pillow
// raises "image file is truncated"; both become an IOError here.
void on_message(j_common_ptr cinfo, int level) {
  if (level < 0) on_error(cinfo);
}

bool read_header(jpeg_decompress_struct& cinfo,
                 ErrorManager& err,
                 std::string_view bytes,
                 ImageData& img) {
  if (setjmp(err.jump)) return false;
  jpeg_create_decompress(&cinfo);
  cinfo.mem->max_memory_to_use = 1L << 30;
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  img.width = cinfo.image_width;
  img.height = cinfo.image_height;
  img.channels = cinfo.jpeg_color_space == JCS_GRAYSCALE                                    ? 1
                 : cinfo.jpeg_color_space == JCS_YCbCr || cinfo.jpeg_color_space == JCS_RGB ? 3
                                                                                            : 0;
  return true;
}

bool read_pixels(jpeg_decompress_struct& cinfo, ErrorManager& err, ImageData& img) {
  if (setjmp(err.jump)) return false;
  cinfo.out_color_space = img.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&cinfo);
  const size_t stride = static_cast<size_t>(img.width) * img.channels;
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = img.pixels.data() + cinfo.output_scanline * stride;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  return true;
}

bool write_jpeg(jpeg_compress_struct& cinfo,
                ErrorManager& err,
                const ImageData& img,
                int quality,
                unsigned char** buffer,
                unsigned long* size) {
  if (setjmp(err.jump)) return false;
  jpeg_create_compress(&cinfo);
  jpeg_mem_dest(&cinfo, buffer, size);
  cinfo.image_width = static_cast<JDIMENSION>(img.width);
  cinfo.image_height = static_cast<JDIMENSION>(img.height);
  cinfo.input_components = img.channels;
  cinfo.in_color_space = img.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  const size_t stride = static_cast<size_t>(img.width) * img.channels;
  while (cinfo.next_scanline < cinfo.image_height) {
    auto row = const_cast<JSAMPROW>(img.pixels.data() + cinfo.next_scanline * stride);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  return true;
}

}  // namespace

ImageData decode_jpeg(std::string_view bytes, const std::string& what) {
  jpeg_decompress_struct cinfo{};
  ErrorManager err;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = on_error;
  err.pub.emit_message = on_message;
  ImageData img;
  bool ok = read_header(cinfo, err, bytes, img);
  if (ok) {
    try {
      check_pixels(img.width, img.height, what);
      KERAS_CHECK(img.channels != 0, IOError, what,
                  ": JPEG colour space not supported (CMYK or YCCK; keras.cpp reads gray, "
                  "YCbCr and RGB JPEGs)");
      img.pixels.resize(static_cast<size_t>(img.width * img.height * img.channels));
    } catch (...) {
      jpeg_destroy_decompress(&cinfo);
      throw;
    }
    ok = read_pixels(cinfo, err, img);
  }
  jpeg_destroy_decompress(&cinfo);
  if (!ok) throw IOError(str(what, ": corrupt JPEG (", err.message, ")"));
  return img;
}

std::string encode_jpeg(const ImageData& img, int quality) {
  jpeg_compress_struct cinfo{};
  ErrorManager err;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = on_error;
  err.pub.emit_message = on_message;
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  const bool ok = write_jpeg(cinfo, err, img, quality, &buffer, &size);
  std::string out;
  if (ok) out.assign(reinterpret_cast<const char*>(buffer), size);
  jpeg_destroy_compress(&cinfo);
  std::free(buffer);
  if (!ok) throw IOError(str("encode_jpeg: ", err.message));
  return out;
}

}  // namespace keras::io::internal
