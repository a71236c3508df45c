// GIF87a/89a, first frame only (what Pillow opens): LZW-decoded, de-interlaced, placed on the
// logical screen (elsewhere the transparent index, or 0, as Pillow fills it), palette expanded
// to RGB, or RGBA when a graphic control extension names a transparent index.
#include <algorithm>
#include <array>

#include "io/byte_source.h"
#include "io/image_codecs.h"
#include "keras/core/error.h"

namespace keras::io::internal {
namespace {

class Reader {
 public:
  Reader(std::string_view b, const std::string& what) : b_(b), what_(what) {}
  uint8_t byte() {
    if (pos_ >= b_.size()) fail(what_, "truncated GIF");
    return static_cast<uint8_t>(b_[pos_++]);
  }
  uint16_t u16() {
    const uint16_t lo = byte();
    return static_cast<uint16_t>(lo | byte() << 8);
  }
  std::string_view take(size_t n) {
    if (n > b_.size() - pos_) fail(what_, "truncated GIF");
    pos_ += n;
    return b_.substr(pos_ - n, n);
  }
  // The data sub-blocks that follow, concatenated (up to the zero-length terminator).
  std::string sub_blocks() {
    std::string data;
    for (uint8_t n = byte(); n != 0; n = byte()) data.append(take(n));
    return data;
  }

 private:
  std::string_view b_;
  const std::string& what_;
  size_t pos_ = 0;
};

// LZW as GIF uses it: variable code width from min_size + 1 up to 12 bits, LSB first.
void lzw_decode(const std::string& data,
                int min_size,
                std::vector<uint8_t>& out,
                const std::string& what) {
  if (min_size < 1 || min_size > 11) fail(what, "GIF LZW code size ", min_size);
  const int clear = 1 << min_size, end = clear + 1;
  std::array<uint16_t, 4096> prefix{};
  std::array<uint8_t, 4096> suffix{}, first{};
  std::array<uint16_t, 4096> length{};
  for (int i = 0; i < clear; ++i) suffix[i] = first[i] = static_cast<uint8_t>(i), length[i] = 1;
  int width = min_size + 1, next = end + 1, previous = -1;
  uint32_t bits = 0;
  int nbits = 0;
  size_t written = 0, pos = 0;
  std::vector<uint8_t> stack(4096);
  while (written < out.size()) {
    while (nbits < width) {
      if (pos >= data.size()) fail(what, "truncated GIF image data");
      bits |= static_cast<uint32_t>(static_cast<uint8_t>(data[pos++])) << nbits;
      nbits += 8;
    }
    const int code = static_cast<int>(bits & ((1u << width) - 1));
    bits >>= width;
    nbits -= width;
    if (code == clear) {
      width = min_size + 1, next = end + 1, previous = -1;
      continue;
    }
    if (code == end) break;
    int emit = code;
    if (code > next || (code == next && previous < 0)) fail(what, "corrupt GIF image data");
    if (previous >= 0 && next < 4096) {
      // The new entry: previous's string + the first byte of code's (of previous's if code is new).
      prefix[next] = static_cast<uint16_t>(previous);
      suffix[next] = code == next ? first[previous] : first[code];
      first[next] = first[previous];
      length[next] = static_cast<uint16_t>(length[previous] + 1);
      ++next;
      if (next == (1 << width) && width < 12) ++width;
    }
    int n = length[emit];
    for (int i = n - 1, c = emit; i >= 0; --i, c = prefix[c]) stack[i] = suffix[c];
    for (int i = 0; i < n && written < out.size(); ++i) out[written++] = stack[i];
    previous = code;
  }
  if (written < out.size()) fail(what, "truncated GIF image data");
}

}  // namespace

ImageData decode_gif(std::string_view bytes, const std::string& what) {
  Reader in(bytes, what);
  in.take(6);
  const int64_t screen_w = in.u16(), screen_h = in.u16();
  const uint8_t flags = in.byte();
  in.byte(), in.byte();  // background, aspect
  std::string_view global;
  if (flags & 0x80) global = in.take(3 * (size_t{2} << (flags & 7)));
  int transparent = -1;
  for (;;) {
    const uint8_t block = in.byte();
    if (block == 0x3b) fail(what, "GIF without an image");
    if (block == 0x21) {
      const uint8_t label = in.byte();
      const std::string data = in.sub_blocks();
      if (label == 0xf9 && data.size() >= 4 && (data[0] & 1))
        transparent = static_cast<uint8_t>(data[3]);
      continue;
    }
    if (block != 0x2c) fail(what, "corrupt GIF (block 0x", std::hex, int{block}, ")");
    const int64_t left = in.u16(), top = in.u16(), w = in.u16(), h = in.u16();
    const uint8_t image_flags = in.byte();
    std::string_view palette = global;
    if (image_flags & 0x80) palette = in.take(3 * (size_t{2} << (image_flags & 7)));
    const int min_size = in.byte();
    const std::string data = in.sub_blocks();
    // Pillow's size is the logical screen's, grown to hold the frame.
    const int64_t width = std::max(screen_w, left + w), height = std::max(screen_h, top + h);
    check_pixels(width, height, what);
    std::vector<uint8_t> indices(static_cast<size_t>(w * h));
    if (!indices.empty()) lzw_decode(data, min_size, indices, what);
    std::vector<uint8_t> canvas(static_cast<size_t>(width * height),
                                static_cast<uint8_t>(transparent < 0 ? 0 : transparent));
    int64_t row = 0;
    static constexpr int kStart[] = {0, 4, 2, 1}, kStep[] = {8, 8, 4, 2};
    for (int pass = 0; pass < ((image_flags & 0x40) ? 4 : 1); ++pass) {
      const int64_t step = (image_flags & 0x40) ? kStep[pass] : 1;
      for (int64_t y = (image_flags & 0x40) ? kStart[pass] : 0; y < h; y += step, ++row) {
        std::copy_n(indices.data() + row * w, w, canvas.data() + (top + y) * width + left);
      }
    }
    ImageData img;
    img.width = width, img.height = height, img.channels = transparent < 0 ? 3 : 4;
    img.pixels.resize(static_cast<size_t>(width * height * img.channels));
    uint8_t* out = img.pixels.data();
    for (uint8_t index : canvas) {
      for (int c = 0; c < 3; ++c) {
        const size_t at = size_t{index} * 3 + c;
        *out++ = at < palette.size() ? static_cast<uint8_t>(palette[at]) : 0;
      }
      if (transparent >= 0) *out++ = index == transparent ? 0 : 255;
    }
    return img;
  }
}

}  // namespace keras::io::internal
