// The image decoders on untrusted bytes: every truncation and seeded random corruptions of the
// fixtures in tests/data/images decode or throw IOError (never another exception, never a
// crash; the sanitizer build runs these too), and headers claiming huge images are refused
// before their pixels are allocated.
#include "keras/io/image.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <random>
#include <string>

#include "core/file_util.h"
#include "keras/core/error.h"

namespace keras::io {
namespace {

const std::string kImages = std::string(KERAS_SOURCE_DIR) + "/tests/data/images/";

std::vector<std::string> fixtures() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(kImages))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Decodes or throws IOError; anything else fails the test.
bool decodes(std::string_view bytes, const std::string& what) {
  try {
    const ImageData img = decode_image(bytes, what);
    EXPECT_EQ(img.pixels.size(), static_cast<size_t>(img.height * img.width * img.channels));
    return true;
  } catch (const IOError&) {
    return false;
  }
}

TEST(ImageDecoders, FixturesDecodeWithPillowsModes) {
  // Pillow's modes after Image.open (ours: gray, gray+alpha, RGB, RGBA with palettes expanded).
  const std::map<std::string, std::tuple<int64_t, int64_t, int>> want = {
      {"anim.gif", {11, 6, 4}},  // P with transparency
      {"gray.jpg", {6, 9, 1}},    {"gray.png", {5, 4, 1}},
      {"mono.bmp", {5, 9, 3}},                                 // mode 1: black and white as RGB
      {"palette.bmp", {4, 3, 3}}, {"palette.png", {5, 6, 4}},  // tRNS
      {"photo.jpg", {10, 8, 3}},  {"rgb.bmp", {3, 5, 3}},
      {"rgb.png", {7, 5, 3}},     {"rgba.png", {9, 12, 4}}};
  ASSERT_EQ(fixtures().size(), want.size());
  for (const auto& name : fixtures()) {
    const ImageData img = read_image(kImages + name);
    EXPECT_EQ(std::make_tuple(img.height, img.width, img.channels), want.at(name)) << name;
  }
}

TEST(ImageDecoders, EveryTruncationDecodesOrIsAnIOError) {
  for (const auto& name : fixtures()) {
    const std::string bytes = keras::internal::read_file(kImages + name);
    int refused = 0;
    for (size_t n = 0; n < bytes.size(); ++n) refused += !decodes(bytes.substr(0, n), name);
    // Every byte is needed, but for an animated GIF's later frames: its first frame ends at
    // byte 109, and the frames after it are not read (nor by Pillow's first-frame load).
    EXPECT_GE(refused, name == "anim.gif" ? 109 : static_cast<int>(bytes.size())) << name;
  }
}

TEST(ImageDecoders, GarbledBytesDecodeOrAreIOErrors) {
  std::mt19937 rng(1234);
  for (const auto& name : fixtures()) {
    const std::string bytes = keras::internal::read_file(kImages + name);
    for (int trial = 0; trial < 300; ++trial) {
      std::string garbled = bytes;
      const int flips = 1 + trial % 8;
      for (int k = 0; k < flips; ++k) {
        garbled[rng() % garbled.size()] = static_cast<char>(rng() & 0xff);
      }
      decodes(garbled, name);
    }
  }
}

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

TEST(ImageDecoders, HugeImagesAreRefusedBeforeAllocation) {
  auto expect_bomb = [](const std::string& bytes, const char* what) {
    try {
      decode_image(bytes, what);
      ADD_FAILURE() << what << " decoded";
    } catch (const IOError& e) {
      EXPECT_NE(std::string(e.what()).find("exceeds limit"), std::string::npos)
          << what << ": " << e.what();
    }
  };
  // BMP: 60000 x 60000 24-bit (3.6e9 pixels).
  std::string bmp = "BM";
  bmp.append(12, '\0');
  const char info[] = {
      40, 0, 0, 0,  0x60, static_cast<char>(0xea), 0, 0, 0x60, static_cast<char>(0xea), 0,
      0,  1, 0, 24, 0};
  bmp.append(info, sizeof info);
  bmp.append(24, '\0');
  expect_bomb(bmp, "bomb.bmp");
  // GIF: a 65535 x 65535 logical screen.
  std::string gif = "GIF89a\xff\xff\xff\xff";
  gif += std::string("\0\0\0", 3) + "\x2c" + std::string(8, '\xff') +
         std::string("\0\x02\x02\x44\x01\0;", 7);
  expect_bomb(gif, "bomb.gif");
  // PNG: IHDR of 20000 x 20000 RGB (4e8 pixels), with a valid CRC.
  std::string ihdr = "IHDR" + be32(20000) + be32(20000) + std::string("\x08\x02\0\0\0", 5);
  auto crc = [](const std::string& chunk) {
    return be32(static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(chunk.data()), static_cast<uInt>(chunk.size()))));
  };
  // libpng reads the header up to the first IDAT chunk (an empty one here).
  std::string png =
      "\x89PNG\r\n\x1a\n" + be32(13) + ihdr + crc(ihdr) + be32(0) + "IDAT" + crc("IDAT");
  expect_bomb(png, "bomb.png");
}

TEST(ImageDecoders, UnknownBytesAreNamedInTheError) {
  try {
    decode_image("GIF90a not really", "x.gif");
    FAIL();
  } catch (const IOError& e) {
    EXPECT_STREQ(e.what(), "x.gif: cannot identify image file (not PNG, JPEG, BMP or GIF)");
  }
  EXPECT_THROW(read_image(kImages + "does_not_exist.png"), IOError);
}

TEST(ImageEncoders, RefuseWhatTheFormatCannotHold) {
  const ImageData la{1, 1, 2, {1, 2}};
  EXPECT_THROW(encode_image(la, "jpeg"), ValueError);
  EXPECT_THROW(encode_image(la, "bmp"), ValueError);
  EXPECT_NO_THROW(encode_image(la, "png"));
  EXPECT_THROW(encode_image(ImageData{2, 2, 3, {1, 2, 3}}, "png"), ValueError);  // too few bytes
  EXPECT_THROW(encode_image(ImageData{1, 1, 3, {1, 2, 3}}, "jpeg", 0), ValueError);
  EXPECT_THROW(encode_image(ImageData{1, 1, 3, {1, 2, 3}}, "webp"), ValueError);
  const ImageData back = decode_image(encode_image(la, "png"), "la.png");
  EXPECT_EQ(back.channels, 2);
  EXPECT_EQ(back.pixels, la.pixels);
}

}  // namespace
}  // namespace keras::io
