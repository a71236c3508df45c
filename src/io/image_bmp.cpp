// BMP (Windows DIB): OS/2 core and Windows info headers (v1 to v5), 1/4/8-bit palettes, 16-bit
// (5-5-5 or bit fields), 24-bit, 32-bit (BGRX, or bit fields with alpha), bottom-up or top-down;
// uncompressed only. Channels and sample scaling as Pillow's BmpImagePlugin.
#include <algorithm>
#include <bit>

#include "io/byte_source.h"
#include "io/image_codecs.h"
#include "keras/core/error.h"

namespace keras::io::internal {
namespace {

struct Field {
  uint32_t mask = 0;
  int shift = 0;
  uint32_t max = 0;
  uint8_t get(uint32_t v) const {
    return max ? static_cast<uint8_t>(((v & mask) >> shift) * 255 / max) : 0;
  }
};

Field field(uint32_t mask) {
  if (!mask) return {};
  const int shift = std::countr_zero(mask);
  return {mask, shift, mask >> shift};
}

}  // namespace

ImageData decode_bmp(std::string_view b, const std::string& what) {
  auto need = [&](size_t end, const char* part) {
    if (b.size() < end) fail(what, "truncated BMP (", part, ")");
  };
  need(18, "file header");
  const uint32_t data_offset = le32(b.data() + 10);
  const uint32_t header_size = le32(b.data() + 14);
  need(14 + size_t{header_size}, "info header");
  int64_t width, height;
  int bpp;
  uint32_t compression = 0, colors_used = 0;
  bool core = header_size == 12;
  if (core) {
    width = le16(b.data() + 18);
    height = static_cast<int16_t>(le16(b.data() + 20));
    bpp = le16(b.data() + 24);
  } else if (header_size == 40 || header_size == 52 || header_size == 56 || header_size == 64 ||
             header_size == 108 || header_size == 124) {
    width = static_cast<int32_t>(le32(b.data() + 18));
    height = static_cast<int32_t>(le32(b.data() + 22));
    bpp = le16(b.data() + 28);
    compression = le32(b.data() + 30);
    colors_used = le32(b.data() + 46);
  } else {
    fail(what, "unsupported BMP header size ", header_size);
  }
  const bool top_down = height < 0;
  height = top_down ? -height : height;
  check_pixels(width, height, what);
  // Bit fields: in the v2+ header, or in the 12 bytes that follow a v1 header.
  Field r = field(0x7c00), g = field(0x3e0), bl = field(0x1f), a;
  if (bpp == 32) r = field(0xff0000), g = field(0xff00), bl = field(0xff);
  size_t palette_at = 14 + header_size;
  if (compression == 3 || compression == 6) {
    if (bpp != 16 && bpp != 32) fail(what, "BMP bit fields with ", bpp, " bits per pixel");
    const size_t at = header_size >= 52 ? 54 : 14 + header_size;
    need(at + 12, "bit fields");
    r = field(le32(b.data() + at)), g = field(le32(b.data() + at + 4));
    bl = field(le32(b.data() + at + 8));
    if (header_size >= 56)
      a = field(le32(b.data() + 54 + 12));
    else if (compression == 6)
      need(at + 16, "bit fields"), a = field(le32(b.data() + at + 12));
    if (header_size == 40) palette_at += compression == 6 ? 16 : 12;
  } else if (compression != 0) {
    fail(what, "BMP compression ", compression, " not supported (only uncompressed files)");
  }
  if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32) {
    fail(what, "unsupported BMP bits per pixel: ", bpp);
  }
  // Palette: BGR(X) entries.
  std::vector<uint8_t> palette;
  int entries = 0;
  if (bpp <= 8) {
    entries = colors_used ? static_cast<int>(std::min<uint32_t>(colors_used, 1u << bpp)) : 1 << bpp;
    if (colors_used > 256) fail(what, "BMP palette of ", colors_used, " colours");
    const size_t entry = core ? 3 : 4;
    need(palette_at + entries * entry, "palette");
    for (int i = 0; i < entries; ++i) {
      const char* p = b.data() + palette_at + i * entry;
      palette.insert(palette.end(), {static_cast<uint8_t>(p[2]), static_cast<uint8_t>(p[1]),
                                     static_cast<uint8_t>(p[0])});
    }
  }
  const size_t stride = (static_cast<size_t>(width) * bpp + 31) / 32 * 4;
  if (data_offset > b.size() || stride * height > b.size() - data_offset) {
    fail(what, "truncated BMP (pixel data)");
  }
  ImageData img;
  img.width = width;
  img.height = height;
  img.channels = a.mask ? 4 : 3;
  img.pixels.resize(static_cast<size_t>(width * height * img.channels));
  for (int64_t y = 0; y < height; ++y) {
    const auto* row = reinterpret_cast<const uint8_t*>(b.data() + data_offset +
                                                       stride * (top_down ? y : height - 1 - y));
    uint8_t* out = img.pixels.data() + y * width * img.channels;
    for (int64_t x = 0; x < width; ++x, out += img.channels) {
      if (bpp <= 8) {
        const int per = 8 / bpp;
        const int index = (row[x / per] >> ((per - 1 - x % per) * bpp)) & ((1 << bpp) - 1);
        if (index < entries)
          std::copy_n(palette.data() + 3 * index, 3, out);
        else
          out[0] = out[1] = out[2] = 0;
      } else if (bpp == 24) {
        out[0] = row[3 * x + 2], out[1] = row[3 * x + 1], out[2] = row[3 * x];
      } else {
        const uint32_t v = bpp == 16 ? le16(row + 2 * x) : le32(row + 4 * x);
        out[0] = r.get(v), out[1] = g.get(v), out[2] = bl.get(v);
        if (a.mask) out[3] = a.get(v);
      }
    }
  }
  return img;
}

std::string encode_bmp(const ImageData& img) {
  const int bpp = img.channels == 1 ? 8 : img.channels * 8;
  const size_t stride = (static_cast<size_t>(img.width) * bpp + 31) / 32 * 4;
  const uint32_t palette = img.channels == 1 ? 1024 : 0;
  const uint32_t offset = 14 + 40 + palette;
  std::string out = "BM";
  put32(out, offset + stride * img.height);
  put32(out, 0);
  put32(out, offset);
  put32(out, 40);
  put32(out, static_cast<uint64_t>(img.width));
  put32(out, static_cast<uint64_t>(img.height));
  put16(out, 1);
  put16(out, bpp);
  put32(out, 0);
  put32(out, stride * img.height);
  put32(out, 2835), put32(out, 2835);  // 72 dpi
  put32(out, img.channels == 1 ? 256 : 0), put32(out, 0);
  for (int i = 0; i < (img.channels == 1 ? 256 : 0); ++i) put32(out, i * 0x010101u);
  for (int64_t y = img.height - 1; y >= 0; --y) {
    const uint8_t* row = img.pixels.data() + y * img.width * img.channels;
    std::string line(stride, '\0');
    for (int64_t x = 0; x < img.width; ++x) {
      const uint8_t* p = row + x * img.channels;
      char* o = line.data() + x * (bpp / 8);
      if (img.channels == 1)
        o[0] = static_cast<char>(p[0]);
      else {
        o[0] = static_cast<char>(p[2]), o[1] = static_cast<char>(p[1]),
        o[2] = static_cast<char>(p[0]);
        if (img.channels == 4) o[3] = static_cast<char>(p[3]);
      }
    }
    out += line;
  }
  return out;
}

}  // namespace keras::io::internal
