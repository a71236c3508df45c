// PNG through libpng. libpng reports errors by longjmp: each setjmp sits in a function whose
// own C++ objects outlive it, so the jump skips only libpng's C frames.
#include <png.h>

#include <csetjmp>
#include <cstring>

#include "io/image_codecs.h"
#include "keras/core/error.h"

namespace keras::io::internal {
namespace {

struct Context {
  std::string_view in;
  size_t pos = 0;
  std::string* out = nullptr;
  char message[256] = {};
};

void on_error(png_structp png, png_const_charp msg) {
  auto* ctx = static_cast<Context*>(png_get_error_ptr(png));
  std::snprintf(ctx->message, sizeof ctx->message, "%s", msg);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

void read_bytes(png_structp png, png_bytep dst, png_size_t n) {
  auto* ctx = static_cast<Context*>(png_get_io_ptr(png));
  if (n > ctx->in.size() - ctx->pos) png_error(png, "truncated file");
  std::memcpy(dst, ctx->in.data() + ctx->pos, n);
  ctx->pos += n;
}

void write_bytes(png_structp png, png_bytep src, png_size_t n) {
  static_cast<Context*>(png_get_io_ptr(png))->out->append(reinterpret_cast<const char*>(src), n);
}

void flush(png_structp) {}

// Reads the header and sets the transforms; returns false after a libpng error.
bool read_header(png_structp png, png_infop info, Context& ctx, ImageData& img) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_read_fn(png, &ctx, read_bytes);
  png_set_user_limits(png, 1u << 24, 1u << 24);
  png_set_chunk_malloc_max(png, 1u << 26);
  png_read_info(png, info);
  const int color = png_get_color_type(png, info);
  const int depth = png_get_bit_depth(png, info);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (depth == 16) png_set_strip_16(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  img.width = png_get_image_width(png, info);
  img.height = png_get_image_height(png, info);
  img.channels = png_get_channels(png, info);
  return true;
}

bool read_pixels(png_structp png, std::vector<png_bytep>& rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  return true;
}

bool write_png(png_structp png,
               png_infop info,
               Context& ctx,
               const ImageData& img,
               std::vector<png_bytep>& rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  static constexpr int kColor[] = {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                   PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
  png_set_write_fn(png, &ctx, write_bytes, flush);
  png_set_IHDR(png, info, static_cast<png_uint_32>(img.width), static_cast<png_uint_32>(img.height),
               8, kColor[img.channels - 1], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  return true;
}

}  // namespace

ImageData decode_png(std::string_view bytes, const std::string& what) {
  Context ctx{.in = bytes};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
  if (!png) throw IOError(str(what, ": cannot create a PNG reader"));
  png_infop info = png_create_info_struct(png);
  ImageData img;
  std::vector<png_bytep> rows;
  bool ok = info && read_header(png, info, ctx, img);
  if (ok) {
    try {
      check_pixels(img.width, img.height, what);
      // Deflate expands at most 1032:1 and a 1-bit row packs 8 pixels a byte: more pixels than
      // that cannot come from this file, so it is refused before the rows are allocated.
      if (static_cast<double>(img.width) * static_cast<double>(img.height) >
          1032.0 * 8.0 * static_cast<double>(bytes.size())) {
        throw IOError(str(what, ": truncated or corrupt PNG (", img.width, "x", img.height,
                          " pixels in ", bytes.size(), " bytes)"));
      }
      const size_t stride = static_cast<size_t>(img.width) * img.channels;
      img.pixels.resize(stride * static_cast<size_t>(img.height));
      for (int64_t y = 0; y < img.height; ++y) rows.push_back(img.pixels.data() + y * stride);
    } catch (...) {
      png_destroy_read_struct(&png, &info, nullptr);
      throw;
    }
    ok = read_pixels(png, rows);
  }
  png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
  if (!ok) throw IOError(str(what, ": corrupt PNG (", ctx.message, ")"));
  return img;
}

std::string encode_png(const ImageData& img) {
  std::string out;
  Context ctx{.in = {}, .pos = 0, .out = &out};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
  if (!png) throw IOError("encode_png: cannot create a PNG writer");
  png_infop info = png_create_info_struct(png);
  std::vector<png_bytep> rows;
  const size_t stride = static_cast<size_t>(img.width) * img.channels;
  for (int64_t y = 0; y < img.height; ++y) {
    rows.push_back(const_cast<png_bytep>(img.pixels.data() + y * stride));
  }
  const bool ok = info && write_png(png, info, ctx, img, rows);
  png_destroy_write_struct(&png, info ? &info : nullptr);
  if (!ok) throw IOError(str("encode_png: ", ctx.message));
  return out;
}

}  // namespace keras::io::internal
