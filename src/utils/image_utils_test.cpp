// load_img / img_to_array / array_to_img / save_img against Keras 3.15.1 with Pillow 13.0.0
// (image_utils_test_goldens.inc, made by keras.utils.load_img + img_to_array on the fixtures of
// tests/data/images; the fixtures themselves were written by Pillow).
#include "keras/utils/image_utils.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "keras/core/error.h"

namespace keras {
namespace {

using utils::array_to_img;
using utils::img_to_array;
using utils::load_img;

const std::string kImages = std::string(KERAS_SOURCE_DIR) + "/tests/data/images/";

const std::map<std::string, std::vector<int>>& goldens() {
  static const std::map<std::string, std::vector<int>> g = {
#include "utils/image_utils_test_goldens.inc"
  };
  return g;
}

std::vector<int> pixels(const Tensor& x) {
  std::vector<int> v;
  for (float f : x.cpu().span<float>()) v.push_back(static_cast<int>(f));
  return v;
}

// Largest |a - b|, or 1000 when the sizes differ.
int max_diff(const std::vector<int>& a, const std::vector<int>& b) {
  if (a.size() != b.size()) return 1000;
  int d = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
  return d;
}

struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("keras_image_utils_" + std::to_string(getpid()));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

TEST(LoadImg, EveryFixtureInEveryColorModeAsKeras) {
  int checked = 0;
  for (const auto& [key, want] : goldens()) {
    const auto slash = key.find('/');
    const std::string file = key.substr(0, slash), rest = key.substr(slash + 1);
    if (rest.find('/') != std::string::npos) continue;  // a resize case
    const Tensor x = img_to_array(load_img(kImages + file, {.color_mode = rest}));
    EXPECT_EQ(x.shape()[2], rest == "grayscale" ? 1 : rest == "rgb" ? 3 : 4) << key;
    // PNG, BMP and GIF decode exactly; a JPEG's pixels depend on the IDCT and upsampling of the
    // libjpeg build (Pillow's bundled libjpeg-turbo 3 vs Debian's libjpeg62-turbo 2.1): within 2.
    const int tolerance = file.ends_with(".jpg") ? 2 : 0;
    EXPECT_LE(max_diff(pixels(x), want), tolerance) << key;
    ++checked;
  }
  EXPECT_EQ(checked, 30);
}

TEST(LoadImg, ResizesAsPillowForEveryFilter) {
  int checked = 0;
  for (const auto& [key, want] : goldens()) {
    std::vector<std::string> parts;
    for (size_t b = 0, e; b <= key.size(); b = e + 1) {
      e = std::min(key.find('/', b), key.size());
      parts.push_back(key.substr(b, e - b));
    }
    if (parts.size() < 4) continue;
    const auto x_at = parts[2].find('x');
    const int64_t h = std::stoll(parts[2].substr(0, x_at)),
                  w = std::stoll(parts[2].substr(x_at + 1));
    const Tensor x =
        img_to_array(load_img(kImages + parts[0], {.color_mode = parts[1],
                                                   .target_size = {{h, w}},
                                                   .interpolation = parts[3],
                                                   .keep_aspect_ratio = parts.size() == 5}));
    EXPECT_EQ(x.shape(), (Shape{h, w, parts[1] == "grayscale" ? 1 : parts[1] == "rgb" ? 3 : 4}));
    // Pillow's integer arithmetic reproduced: exact, but for the JPEG's decoded pixels (above).
    EXPECT_LE(max_diff(pixels(x), want), parts[0].ends_with(".jpg") ? 2 : 0) << key;
    ++checked;
  }
  EXPECT_EQ(checked, 24);
}

TEST(LoadImg, KerasErrors) {
  try {
    load_img(kImages + "rgb.png", {.color_mode = "cmyk"});
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "color_mode must be \"grayscale\", \"rgb\", or \"rgba\"");
  }
  try {
    load_img(kImages + "rgb.png", {.target_size = {{3, 3}}, .interpolation = "cubic"});
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(),
                 "Invalid interpolation method cubic specified. Supported methods are nearest, "
                 "bilinear, bicubic, hamming, box, lanczos");
  }
  // Keras checks the interpolation only when the size changes.
  EXPECT_NO_THROW(load_img(kImages + "rgb.png", {.target_size = {{7, 5}}, .interpolation = "x"}));
  EXPECT_THROW(load_img(kImages + "missing.png"), IOError);
  EXPECT_THROW(load_img(kImages + "rgb.png", {.target_size = {{0, 3}}}), ValueError);
  TempDir dir;
  std::FILE* f = std::fopen((dir / "not_an_image.png").c_str(), "wb");
  std::fputs("hello", f);
  std::fclose(f);
  try {
    load_img(dir / "not_an_image.png");
    FAIL();
  } catch (const IOError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot identify image file"), std::string::npos);
  }
}

TEST(ImgToArray, ChannelsFirstAndDtype) {
  const utils::Image img = load_img(kImages + "rgb.png");  // 7 x 5 RGB
  const Tensor last = img_to_array(img);
  const Tensor first = img_to_array(img, {.data_format = "channels_first", .dtype = int32});
  ASSERT_EQ(first.shape(), (Shape{3, 7, 5}));
  EXPECT_EQ(first.dtype(), int32);
  for (int64_t y = 0; y < 7; ++y)
    for (int64_t x = 0; x < 5; ++x)
      for (int64_t c = 0; c < 3; ++c)
        ASSERT_EQ(first.at<int32_t>({c, y, x}), static_cast<int>(last.at<float>({y, x, c})));
  EXPECT_THROW(img_to_array(img, {.data_format = "NHWC"}), ValueError);
}

TEST(ArrayToImg, ScalesAsKeras) {
  // keras.utils.img_to_array(keras.utils.array_to_img(np.array([[[0.], [0.5]], [[1.], [2.]]])))
  //   -> [[[0], [63]], [[127], [255]]]
  const Tensor x = Tensor::from_vector(std::vector<float>{0, 0.5f, 1, 2}, {2, 2, 1});
  EXPECT_EQ(array_to_img(x).pixels, (std::vector<uint8_t>{0, 63, 127, 255}));
  // scale=False: the values cut to integers (NumPy's astype("uint8")).
  const Tensor y = Tensor::from_vector(std::vector<float>{1.9f, 7, 200.5f, 3}, {1, 2, 2});
  const utils::Image img = array_to_img(y, {.data_format = "channels_first", .scale = false});
  EXPECT_EQ(img.channels, 1);
  EXPECT_EQ(img.pixels, (std::vector<uint8_t>{1, 7, 200, 3}));
  // A constant image: min == max, so only shifted (to 0).
  EXPECT_EQ(array_to_img(Tensor::from_vector(std::vector<float>(3, 9.f), {1, 1, 3})).pixels,
            (std::vector<uint8_t>{0, 0, 0}));
}

TEST(ArrayToImg, KerasErrors) {
  try {
    array_to_img(Tensor::from_vector(std::vector<float>(4, 0.f), {2, 2}));
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(),
                 "Expected image array to have rank 3 (single image). Got array with shape: "
                 "(2, 2)");
  }
  try {
    array_to_img(Tensor::from_vector(std::vector<float>(8, 0.f), {2, 2, 2}));
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "Unsupported channel number: 2");
  }
  EXPECT_THROW(
      array_to_img(Tensor::from_vector(std::vector<float>{0, 300}, {1, 2, 1}), {.scale = false}),
      NotImplementedError);
}

TEST(SaveImg, RoundTripsThroughEveryWritableFormat) {
  TempDir dir;
  const Tensor rgba = img_to_array(load_img(kImages + "rgba.png", {.color_mode = "rgba"}));
  const Tensor rgb = img_to_array(load_img(kImages + "rgb.png"));
  const Tensor gray = img_to_array(load_img(kImages + "gray.png", {.color_mode = "grayscale"}));
  auto back = [&](const std::string& name, const std::string& mode) {
    return pixels(img_to_array(load_img(dir / name, {.color_mode = mode})));
  };
  // scale=false keeps 0..255 values as they are: PNG and BMP are lossless.
  utils::save_img(dir / "a.png", rgba, {.scale = false});
  EXPECT_EQ(back("a.png", "rgba"), pixels(rgba));
  utils::save_img(dir / "b.BMP", rgb, {.scale = false});
  EXPECT_EQ(back("b.BMP", "rgb"), pixels(rgb));
  utils::save_img(dir / "c.bmp", gray, {.scale = false});
  EXPECT_EQ(back("c.bmp", "grayscale"), pixels(gray));
  utils::save_img(dir / "d.out", rgb, {.file_format = "png", .scale = false});
  EXPECT_EQ(back("d.out", "rgb"), pixels(rgb));
  // JPEG is lossy: quality 75 on 8x10 random noise moves pixels by tens of levels, so only the
  // shape and the mean (within 6 levels) are checked.
  utils::save_img(dir / "e.jpg", rgba, {.scale = false});  // RGBA -> RGB, with Keras's warning
  const std::vector<int> jpeg = back("e.jpg", "rgb");
  const std::vector<int> want =
      pixels(img_to_array(load_img(kImages + "rgba.png", {.color_mode = "rgb"})));
  ASSERT_EQ(jpeg.size(), want.size());
  double mean_diff = 0;
  for (size_t i = 0; i < jpeg.size(); ++i) mean_diff += jpeg[i] - want[i];
  EXPECT_LT(std::abs(mean_diff / static_cast<double>(jpeg.size())), 6.0);
  EXPECT_THROW(utils::save_img(dir / "f.tiff", rgb), ValueError);
  EXPECT_THROW(utils::save_img(dir / "g.gif", rgb), ValueError);
}

}  // namespace
}  // namespace keras
