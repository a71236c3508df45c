#include "keras/ops/image.h"

#include <gtest/gtest.h>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"

namespace keras::ops::image {
namespace {

using test::OpCase;

const OpCase kImageCases[] = {
    {.name = "rgb_to_grayscale",
     .input_shapes = {{2, 3, 4, 3}},
     .fn = [](const Tensors& x) { return rgb_to_grayscale(x[0]); },
     .expected_shape = Shape{2, 3, 4, 1}},
    {.name = "rgb_to_grayscale_channels_first_unbatched",
     .input_shapes = {{3, 2, 4}},
     .fn = [](const Tensors& x) { return rgb_to_grayscale(x[0], "channels_first"); },
     .expected_shape = Shape{1, 2, 4}},
    {.name = "rgb_to_hsv",
     .input_shapes = {{2, 3, 4, 3}},
     .fn = [](const Tensors& x) { return rgb_to_hsv(x[0]); },
     .lo = 0.05,
     .hi = 1.0,
     .expected_shape = Shape{2, 3, 4, 3}},
    {.name = "hsv_to_rgb_channels_first",
     .input_shapes = {{2, 3, 2, 3}},
     .fn = [](const Tensors& x) { return hsv_to_rgb(x[0], "channels_first"); },
     .lo = 0.05,
     .hi = 0.95,
     .expected_shape = Shape{2, 3, 2, 3}},
    {.name = "pad_and_crop_images",
     .input_shapes = {{2, 3, 4, 2}},
     .fn =
         [](const Tensors& x) {
           const Tensor p = pad_images(
               x[0], {.top_padding = 1, .left_padding = 0, .bottom_padding = 2, .target_width = 6});
           return crop_images(
               p, {.top_cropping = 1, .left_cropping = 1, .target_height = 4, .target_width = 3});
         },
     .expected_shape = Shape{2, 4, 3, 2}},
    {.name = "resize_bilinear_padded",
     .input_shapes = {{2, 3, 5, 2}},
     .fn =
         [](const Tensors& x) {
           return resize(x[0], {4, 3}, {.pad_to_aspect_ratio = true, .fill_value = 0.5});
         },
     .expected_shape = Shape{2, 4, 3, 2}},
    {.name = "resize_antialiased_shrink_and_grow",
     .input_shapes = {{2, 7, 3, 2}},
     .fn =
         [](const Tensors& x) {
           return resize(x[0], {3, 5}, {.antialias = true});
         },
     .expected_shape = Shape{2, 3, 5, 2}},
    {.name = "resize_bicubic_grow_and_shrink",
     .input_shapes = {{2, 3, 7, 2}},
     .fn =
         [](const Tensors& x) {
           return resize(x[0], {7, 4}, {.interpolation = "bicubic"});
         },
     .expected_shape = Shape{2, 7, 4, 2}},
    {.name = "resize_lanczos3_antialiased_channels_first",
     .input_shapes = {{2, 2, 9, 4}},
     .fn =
         [](const Tensors& x) {
           return resize(
               x[0], {4, 7},
               {.interpolation = "lanczos3", .antialias = true, .data_format = "channels_first"});
         },
     .expected_shape = Shape{2, 2, 4, 7}},
    {.name = "resize_lanczos5_unbatched",
     .input_shapes = {{4, 3, 2}},
     .fn =
         [](const Tensors& x) {
           return resize(x[0], {9, 2}, {.interpolation = "lanczos5"});
         },
     .expected_shape = Shape{9, 2, 2}},
    {.name = "hsv_round_trip",
     .input_shapes = {{3, 4, 3}},
     .fn = [](const Tensors& x) { return hsv_to_rgb(rgb_to_hsv(x[0])); },
     .lo = 0.05,
     .hi = 1.0},
};
KERAS_INSTANTIATE_OP_TESTS(ImageOps, kImageCases);

// (i * 7 % 23) / 22 for i < 36 as (2, 2, 3, 3) images, one pixel grey and one black.
Tensor sample_images() {
  std::vector<double> v(36);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i * 7 % 23) / 22;
  for (size_t i = 0; i < 3; ++i) v[i] = 0.5;
  for (size_t i = 33; i < 36; ++i) v[i] = 0;
  return test::tensor_of(v, {2, 2, 3, 3}, float32);
}

// keras.ops.image's values (Keras 3.15 with JAX) for sample_images().
TEST(ImageOps, GiveKerasValues) {
  const Tensor x = sample_images();
  test::expect_all_close(
      rgb_to_grayscale(x),
      test::tensor_of({0.49995002, 0.48090455, 0.39000458, 0.29910454, 0.82188636, 0.73098636,
                       0.64008635, 0.54918641, 0.57746822, 0.48656818, 0.39566818, 0},
                      {2, 2, 3, 1}, float32),
      1e-6, 1e-6);
  test::expect_all_close(
      rgb_to_hsv(x),
      test::tensor_of({0,          0,          0.5,        0.92708331, 0.76190472, 0.95454544,
                       0.92708331, 0.84210527, 0.86363637, 0.92708331, 0.94117647, 0.77272725,
                       0.23958334, 0.72727275, 1,          0.23958336, 0.80000001, 0.90909094,
                       0.23958334, 0.8888889,  0.81818181, 0.23958334, 1,          0.72727275,
                       0.58333337, 0.66666669, 0.95454544, 0.58333337, 0.7368421,  0.86363637,
                       0.58333337, 0.82352942, 0.77272725, 0,          0,          0},
                      {2, 2, 3, 3}, float32),
      1e-6, 1e-6);
  // Hues outside [0, 1) wrap around.
  const Tensor h = concatenate(
      {subtract(multiply(slice_axis(x, 3, 0, 1), 2.5), 0.7), slice_axis(x, 3, 1, 2)}, 3);
  test::expect_all_close(
      hsv_to_rgb(h),
      test::tensor_of({0.25,        0.42499995,   0.5,         0.43613812, 0.4214876,   0.54545456,
                       0.392562,    0.45454547,   0.43933135,  0.35717505, 0.36363637,  0.34710744,
                       0.27272728,  0.0074380096, 0,           0.12622078, 0.016528921, 0.18181819,
                       0.016528927, 0.068595029,  0.090909094, 0,          0,           0,
                       0.95454544,  0.69500363,   0.34710744,  0.86363637, 0.39256197,  0.76513886,
                       0.42148757,  0.47577012,   0.77272725,  0,          0,           0},
                      {2, 2, 3, 3}, float32),
      2e-6, 2e-6);
  // channels_first is the same conversion on the other axis.
  const Tensor xc = transpose(x, {0, 3, 1, 2});
  test::expect_all_close(transpose(rgb_to_hsv(xc, "channels_first"), {0, 2, 3, 1}), rgb_to_hsv(x),
                         0, 0);
}

TEST(ImageOps, GrayscaleOfIntegersTruncatesAsKeras) {
  std::vector<double> v(18);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i * 11 % 256);
  const Tensor u = cast(test::tensor_of(v, {2, 3, 3}), uint8);
  const Tensor g = rgb_to_grayscale(u);
  EXPECT_EQ(g.dtype(), uint8);
  test::expect_all_close(cast(g, float64), test::tensor_of({8, 41, 74, 107, 140, 173}, {2, 3, 1}),
                         0, 0);
  // One channel comes back as it is.
  EXPECT_EQ(rgb_to_grayscale(g).shape(), (Shape{2, 3, 1}));
}

TEST(ImageOps, PadAndCropAsKeras) {
  const Tensor x = test::tensor_of({1, 2, 3, 4, 5, 6}, {2, 3, 1});
  // Two of top, bottom and target_height; the third follows.
  const Tensor p =
      pad_images(x, {.top_padding = 1, .left_padding = 1, .target_height = 4, .target_width = 5});
  EXPECT_EQ(p.shape(), (Shape{4, 5, 1}));
  test::expect_all_close(
      crop_images(
          p, {.top_cropping = 1, .left_cropping = 1, .bottom_cropping = 1, .right_cropping = 1}),
      x, 0, 0);
  test::expect_throws_with<ValueError>(
      [&] { pad_images(x, {.top_padding = 1, .left_padding = 0, .right_padding = 0}); },
      "Must specify exactly two of top_padding, bottom_padding, target_height. Received: "
      "top_padding=1, bottom_padding=None, target_height=None");
  test::expect_throws_with<ValueError>(
      [&] {
        pad_images(x, {.top_padding = 0, .left_padding = 0, .target_height = 1, .target_width = 4});
      },
      "bottom_padding must be >= 0. Received: bottom_padding=-1");
  test::expect_throws_with<ValueError>(
      [&] {
        crop_images(
            x, {.top_cropping = -1, .left_cropping = 0, .target_height = 1, .target_width = 1});
      },
      "top_cropping must be >= 0. Received: top_cropping=-1");
  EXPECT_THROW(
      crop_images(x,
                  {.top_cropping = 1, .left_cropping = 0, .target_height = 3, .target_width = 1}),
      ValueError);
}

TEST(ImageOps, RefuseWhatKerasRefuses) {
  test::expect_throws_with<ValueError>(
      [] {
        rgb_to_hsv(cast(zeros({2, 3, 3}), uint8));
      },
      "Invalid images dtype: expected float dtype. Received: images.dtype=uint8");
  test::expect_throws_with<ValueError>(
      [] {
        rgb_to_grayscale(zeros({2, 3, 4, 2}));
      },
      "Invalid channel size: expected 3 (RGB) or 1 (Grayscale). Received input with shape: "
      "images.shape=(2, 3, 4, 2)");
  test::expect_throws_with<ValueError>(
      [] {
        hsv_to_rgb(zeros({3, 4}));
      },
      "Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). Received "
      "input with shape: images.shape=(3, 4)");
  EXPECT_THROW(rgb_to_hsv(zeros({2, 2, 2, 4})), ValueError);
  EXPECT_THROW(rgb_to_hsv(zeros({2, 2, 2, 3}), "nhwc"), ValueError);
}

}  // namespace
}  // namespace keras::ops::image

namespace keras::ops::image {
namespace {

const OpCase kPatchCases[] = {
    {.name = "extract_patches_valid",
     .input_shapes = {{2, 7, 8, 3}},
     .fn =
         [](const Tensors& x) {
           return extract_patches(x[0], {3, 3});
         },
     .expected_shape = Shape{2, 2, 2, 27}},
    {.name = "extract_patches_same_strides",
     .input_shapes = {{1, 7, 8, 2}},
     .fn =
         [](const Tensors& x) {
           return extract_patches(x[0], {2, 3}, {.strides = {1, 2}, .padding = "same"});
         },
     .expected_shape = Shape{1, 7, 4, 12}},
    {.name = "extract_patches_dilated_channels_first_unbatched",
     .input_shapes = {{2, 6, 5}},
     .fn =
         [](const Tensors& x) {
           return extract_patches(
               x[0], {2, 2},
               {.strides = {1}, .dilation_rate = {2}, .data_format = "channels_first"});
         },
     .expected_shape = Shape{8, 4, 3}},
    {.name = "sobel_edges",
     .input_shapes = {{2, 5, 4, 3}},
     .fn = [](const Tensors& x) { return sobel_edges(x[0]); },
     .expected_shape = Shape{2, 5, 4, 3, 2}},
    {.name = "sobel_edges_channels_first_unbatched",
     .input_shapes = {{2, 4, 5}},
     .fn = [](const Tensors& x) { return sobel_edges(x[0], "channels_first"); },
     .expected_shape = Shape{2, 4, 5, 2}},
    {.name = "extract_patches_volumes",
     .input_shapes = {{1, 4, 5, 6, 2}},
     .fn =
         [](const Tensors& x) {
           return extract_patches(x[0], {2, 2, 3}, {.strides = {1, 2, 3}});
         },
     .expected_shape = Shape{1, 3, 2, 2, 24}},
};
KERAS_INSTANTIATE_OP_TESTS(ExtractPatches, kPatchCases);

TEST(ExtractPatches, FeaturesInRowColumnChannelOrderAndErrors) {
  std::vector<float> v(16);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  const Tensor img = Tensor::from_vector<float>(v, {4, 4, 1});
  const Tensor p = extract_patches(img, {2, 2});
  ASSERT_EQ(p.shape(), (Shape{2, 2, 4}));
  EXPECT_EQ(test::to_doubles(p)[0], 0);
  EXPECT_EQ(test::to_doubles(p)[3], 5);  // patch (0, 0): pixels 0, 1, 4, 5
  EXPECT_EQ(test::to_doubles(p)[4], 2);  // patch (0, 1) starts at pixel 2
  test::expect_throws_with<ValueError>([&] { extract_patches(img, {2}); }, "Invalid `size`");
  test::expect_throws_with<ValueError>([&] { extract_patches(img, {5, 5}); }, "does not fit");
  test::expect_throws_with<ValueError>(
      [&] {
        extract_patches(img, {2, 2}, {.padding = "full"});
      },
      "'valid' or 'same'");
}

TEST(SobelEdges, GiveJaxValues) {
  // A vertical edge: ops.image.sobel_edges(image) on JAX gives dx 4 beside the edge (3 on the
  // top and bottom rows, beside the zero padding), dy nonzero only on those rows.
  std::vector<float> v(16, 0.0f);
  for (size_t r = 0; r < 4; ++r) v[r * 4 + 2] = v[r * 4 + 3] = 1.0f;
  const Tensor img = Tensor::from_vector<float>(v, {1, 4, 4, 1});
  const std::vector<double> e = test::to_doubles(sobel_edges(img));  // (1, 4, 4, 1, 2)
  const auto dy = [&](int r, int c) { return e[static_cast<size_t>((r * 4 + c) * 2)]; };
  const auto dx = [&](int r, int c) { return e[static_cast<size_t>((r * 4 + c) * 2 + 1)]; };
  EXPECT_EQ(dx(1, 1), 4);
  EXPECT_EQ(dx(1, 2), 4);
  EXPECT_EQ(dx(0, 1), 3);   // the top row: the row above is padding
  EXPECT_EQ(dx(1, 3), -4);  // the right edge: the padding's zeros
  EXPECT_EQ(dy(1, 1), 0);
  EXPECT_EQ(dy(0, 2), 3);  // below minus above (padding): 0 + 2 + 1
  EXPECT_EQ(dy(3, 1), -1);
  test::expect_throws_with<ValueError>(
      [&] {
        sobel_edges(Tensor::from_vector<float>({1, 2}, {2}));
      },
      "Invalid images rank");
}

}  // namespace
}  // namespace keras::ops::image
