// keras.ops.image's resampling ops (image_transform.cpp, and scale_and_translate in image.cpp):
// op cases for the differentiable ones; values and errors against keras.ops.image on JAX
// (Keras 3.15), pasted beside the Keras call that gave them.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/image.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::ops::image {
namespace {

using test::expect_all_close;
using test::expect_throws_with;
using test::OpCase;
using test::tensor_of;

// Values kept away from the integers, where bilinear sampling has kinks.
std::vector<double> integers(int lo, int hi) {
  std::vector<double> k;
  for (int i = lo; i <= hi; ++i) k.push_back(i);
  return k;
}

// (2, 5) coordinates into a (3, 4) input, away from the integers.
Tensors map_inputs() {
  return test::inputs_away_from({{3, 4}, {2, 5}}, integers(-3, 6), -1.5, 4.5)();
}

Tensor some_transform(DType dtype) {
  return tensor_of({1.1, 0.15, -0.3, -0.1, 0.95, 0.45, 0, 0}, {8}, dtype);
}

const OpCase kCases[] = {
    {.name = "map_coordinates_linear_constant",
     .input_shapes = {{3, 4}, {2, 5}},
     .fn = [](const Tensors& x) { return map_coordinates(x[0], x[1], 1, "constant", 0.5); },
     .make_inputs = map_inputs,
     .expected_shape = Shape{5}},
    {.name = "map_coordinates_linear_reflect",
     .input_shapes = {{3, 4}, {2, 5}},
     .fn = [](const Tensors& x) { return map_coordinates(x[0], x[1], 1, "reflect"); },
     .make_inputs = map_inputs,
     .expected_shape = Shape{5}},
    {.name = "map_coordinates_linear_mirror_wrap",
     .input_shapes = {{3, 4}, {2, 5}},
     .fn =
         [](const Tensors& x) {
           return add(map_coordinates(x[0], x[1], 1, "mirror"),
                      map_coordinates(x[0], x[1], 1, "wrap"));
         },
     .make_inputs = map_inputs,
     .expected_shape = Shape{5}},
    {.name = "map_coordinates_nearest_order0",
     .input_shapes = {{3, 4}, {2, 5}},
     .fn = [](const Tensors& x) { return map_coordinates(x[0], x[1], 0, "nearest"); },
     .differentiable = {true, false},
     .make_inputs = map_inputs,
     .expected_shape = Shape{5}},
    {.name = "affine_transform_bilinear_images",
     .input_shapes = {{2, 5, 6, 2}},
     .fn =
         [](const Tensors& x) {
           return affine_transform(x[0], some_transform(float64), {.fill_value = 0.25});
         },
     .expected_shape = Shape{2, 5, 6, 2}},
    {.name = "affine_transform_channels_first_reflect",
     .input_shapes = {{2, 5, 6}},
     .fn =
         [](const Tensors& x) {
           return affine_transform(x[0], some_transform(float64),
                                   {.fill_mode = "reflect", .data_format = "channels_first"});
         },
     .expected_shape = Shape{2, 5, 6}},
    {.name = "perspective_transform_bilinear",
     .input_shapes = {{5, 6, 2}},
     .fn =
         [](const Tensors& x) {
           const Tensor start = tensor_of({0, 0, 5, 0, 0, 4, 5, 4}, {4, 2});
           const Tensor end = tensor_of({1, 0, 4, 1, 0, 3, 5, 4}, {4, 2});
           return perspective_transform(x[0], start, end, "bilinear", 0.5);
         },
     .expected_shape = Shape{5, 6, 2}},
    {.name = "elastic_transform_seeded",
     .input_shapes = {{1, 6, 7, 2}},
     .fn =
         [](const Tensors& x) {
           return elastic_transform(x[0], {.alpha = 2.0, .sigma = 1.0, .seed = 5});
         },
     .expected_shape = Shape{1, 6, 7, 2}},
    {.name = "scale_and_translate_cubic",
     .input_shapes = {{1, 4, 5, 1}},
     .fn =
         [](const Tensors& x) {
           return scale_and_translate(x[0], {1, 3, 7, 1}, {0.6, 1.5}, {0.3, 0.1}, {1, 2}, "cubic");
         },
     .expected_shape = Shape{1, 3, 7, 1}},
    {.name = "ssim_batch",
     .input_shapes = {{2, 6, 7, 2}, {2, 6, 7, 2}},
     .fn = [](const Tensors& x) { return ssim(x[0], x[1], {.filter_size = 3}); },
     .lo = 0.1,
     .hi = 1.0,
     .grad_tol = 1e-5,
     .expected_shape = Shape{2}},
    {.name = "ssim_one_image_channels_first",
     .input_shapes = {{2, 6, 5}, {2, 6, 5}},
     .fn =
         [](const Tensors& x) {
           return ssim(x[0], x[1],
                       {.max_val = 2.0, .filter_size = 5, .data_format = "channels_first"});
         },
     .lo = 0.1,
     .hi = 1.0,
     .grad_tol = 1e-5,
     .expected_shape = Shape{}},
    {.name = "extract_patches_3d_cube",
     .input_shapes = {{2, 4, 4, 4, 1}},
     .fn = [](const Tensors& x) { return extract_patches_3d(x[0], {2}); },
     .expected_shape = Shape{2, 2, 2, 2, 8}},
};
KERAS_INSTANTIATE_OP_TESTS(ImageTransform, kCases);

Tensor stack(const Tensors& xs, int axis) {
  Tensors parts;
  for (const Tensor& x : xs) parts.push_back(expand_dims(x, axis));
  return concatenate(parts, axis);
}

Tensor arange_grid() {
  std::vector<double> v(12);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i);
  return tensor_of(v, {3, 4}, float32);
}
Tensor grid_points() {
  return tensor_of({-0.7, 0.3, 1.5, 2.6, 3.2, 0.4, -1.2, 2.5, 3.9, 1.0}, {2, 5}, float32);
}

// img = (np.arange(60, dtype="float32").reshape(5, 6, 2) ** 1.3) / 10
Tensor pow_image() {
  std::vector<double> v(60);
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::pow(static_cast<double>(i), 1.3) / 10;
  return cast(tensor_of(v, {5, 6, 2}), float32);
}
Tensor keras_transform() {
  return tensor_of({1.2, 0.1, -0.5, -0.2, 0.9, 0.7, 0, 0}, {8}, float32);
}

TEST(ImageMapCoordinates, MatchesKerasInEveryFillMode) {
  // x = np.arange(12, dtype="float32").reshape(3, 4)
  // c = [[-0.7, 0.3, 1.5, 2.6, 3.2], [0.4, -1.2, 2.5, 3.9, 1.0]]
  const Tensor x = arange_grid(), c = grid_points();
  const std::vector<std::pair<std::string, std::vector<double>>> expected = {
      // keras.ops.image.map_coordinates(x, c, 1, mode, 0.5)
      {"constant", {0.47000003, 0.5, 8.5, 0.91999972, 0.5}},
      {"nearest", {0.40000001, 1.2, 8.5, 11, 9}},
      {"wrap", {6, 4, 8.5, 3.5000005, 1.8000002}},
      {"mirror", {3.2000003, 2.4000001, 8.5, 7.7000003, 4.1999998}},
      {"reflect", {0.40000001, 1.4000001, 8.5, 11, 8.1999998}},
  };
  for (const auto& [mode, values] : expected) {
    SCOPED_TRACE(mode);
    expect_all_close(map_coordinates(x, c, 1, mode, 0.5), tensor_of(values, {5}, float32), 1e-5,
                     1e-5);
  }
  // keras.ops.image.map_coordinates(x, c, 0, "constant", -1)
  expect_all_close(map_coordinates(x, c, 0, "constant", -1),
                   tensor_of({-1, -1, 11, -1, -1}, {5}, float32), 0, 0);
  // keras.ops.image.map_coordinates(x.astype("int32"), c, 1, "nearest"): rounded
  expect_all_close(map_coordinates(cast(x, int32), c, 1, "nearest"),
                   tensor_of({0, 1, 9, 11, 9}, {5}, int32), 0, 0);
}

TEST(ImageMapCoordinates, KerasErrors) {
  const Tensor x = arange_grid();
  expect_throws_with<ValueError>(
      [&] {
        map_coordinates(x, tensor_of({1, 2, 3}, {3, 1}), 1);
      },
      "First dim of `coordinates` must be the same as the rank of `inputs`. Received inputs with "
      "shape: (3, 4) and coordinate leading dim of 3");
  expect_throws_with<ValueError>(
      [&] {
        map_coordinates(x, tensor_of({1, 2}, {2}), 1);
      },
      "Invalid coordinates rank: expected at least rank 2. Received "
      "input with shape: (2,)");
  expect_throws_with<ValueError>([&] { map_coordinates(x, grid_points(), 1, "edge"); },
                                 "Invalid value for argument `fill_mode`");
  expect_throws_with<ValueError>([&] { map_coordinates(x, grid_points(), 3); },
                                 "Invalid value for argument `order`. Expected one of [0, 1]. "
                                 "Received: order=3");
}

TEST(ImageAffineTransform, MatchesKeras) {
  const Tensor img = pow_image(), t = keras_transform();
  // keras.ops.image.affine_transform(img, t, "bilinear", "constant", 0.5)
  expect_all_close(
      affine_transform(img, t, {.fill_value = 0.5}),
      tensor_of(
          {1.135123,  1.2471874, 1.5470382, 1.7649333, 1.4843735, 1.7149644, 1.40097,   1.6390852,
           1.529218,  1.7558956, 1.0233417, 1.1154574, 3.0486391, 3.2373745, 4.4959874, 4.8067865,
           4.462389,  4.7745528, 4.4098196, 4.7237201, 4.4764667, 4.7874441, 1.9538715, 2.0753782,
           6.0214243, 6.2740817, 8.1610146, 8.5200901, 8.1296282, 8.4894247, 8.1342516, 8.4938126,
           8.1665211, 8.525322,  2.6531177, 2.7591531, 10.069715, 10.386609, 12.286968, 12.682228,
           12.255432, 12.6512,   12.29123,  12.686348, 12.307364, 12.702226, 2.7357562, 2.8137915,
           9.844492,  10.106916, 14.677472, 15.057384, 16.776991, 17.201836, 16.798698, 17.223251,
           16.804792, 17.229279, 2.0537772, 2.0957887},
          {5, 6, 2}, float32),
      1e-5, 1e-5);
  // keras.ops.image.affine_transform(img[None], t, "nearest", "reflect")
  expect_all_close(
      affine_transform(expand_dims(img, 0), t,
                       {.interpolation = "nearest", .fill_mode = "reflect"}),
      tensor_of(
          {2.5289228, 2.8062496, 3.0900562, 3.3800144, 0.60628664, 0.81032819, 1.0270617, 1.2549528,
           1.4928527, 1.7398636, 1.9952619, 2.2584498, 6.2269382,  6.5663185,  3.0900562, 3.3800144,
           3.6758339, 3.9772556, 4.2840471, 4.5959959, 4.9129114,  5.2346182,  5.5609555, 5.8917747,
           10.548559, 10.931058, 6.9097967, 7.2572622, 7.6086106,  7.9637442,  8.3225727, 8.6850061,
           9.7931528, 10.169237, 9.7931528, 10.169237, 10.548559,  10.931058,  11.316669, 11.705337,
           12.097006, 12.491625, 12.889142, 13.289508, 14.507251,  14.918567,  9.7931528, 10.169237,
           15.33252,  15.749066, 16.168171, 16.5898,   17.013916,  17.440485,  18.734596, 19.170668,
           19.609039, 20.049685, 14.507251, 14.918567},
          {1, 5, 6, 2}, float32),
      1e-5, 1e-5);
  // keras.ops.image.affine_transform(img.transpose(2, 0, 1), t, "bilinear", "wrap",
  //                                  data_format="channels_first")
  expect_all_close(
      affine_transform(transpose(img, {2, 0, 1}), t,
                       {.fill_mode = "wrap", .data_format = "channels_first"}),
      tensor_of(
          {3.1307466, 1.5470382, 1.4843735, 1.40097,   3.3789113, 5.9395757, 6.0887485, 4.4959874,
           4.462389,  4.4098196, 4.4764667, 2.5642836, 9.5164852, 8.1610146, 8.1296282, 8.1342516,
           8.1665211, 5.3676682, 13.279307, 12.286968, 12.255432, 12.29123,  12.307364, 8.7002268,
           11.091982, 14.655695, 16.776991, 16.798698, 16.804792, 12.389151, 3.3980758, 1.7649333,
           1.7149644, 1.6390852, 3.6493332, 6.1952701, 6.4206753, 4.8067865, 4.7745528, 4.7237201,
           4.7874441, 2.809628,  9.8872519, 8.5200901, 8.4894247, 8.4938126, 8.525322,  5.6895514,
           13.680811, 12.682228, 12.6512,   12.686348, 12.702226, 9.0635633, 11.420149, 15.053027,
           17.201836, 17.223251, 17.229279, 12.784604},
          {2, 5, 6}, float32),
      1e-5, 1e-5);
}

TEST(ImageAffineTransform, KerasErrors) {
  const Tensor img = pow_image();
  expect_throws_with<ValueError>(
      [&] { affine_transform(img, keras_transform(), {.interpolation = "bicubic"}); },
      "Invalid value for argument `interpolation`. Expected of one {'nearest', 'bilinear'}. "
      "Received: interpolation=bicubic");
  expect_throws_with<ValueError>(
      [&] { affine_transform(img, keras_transform(), {.fill_mode = "edge"}); },
      "Invalid value for argument `fill_mode`");
  expect_throws_with<ValueError>(
      [&] { affine_transform(reshape(img, {60}), keras_transform()); },
      "Invalid images rank: expected rank 3 (single image) or rank 4 "
      "(batch of images). Received input with shape: images.shape=(60,)");
  expect_throws_with<ValueError>(
      [&] {
        affine_transform(img, reshape(keras_transform(), {1, 1, 8}));
      },
      "Invalid transform rank: expected rank 1 (single transform) or rank 2 (batch of "
      "transforms). Received input with shape: transform.shape=(1, 1, 8)");
}

TEST(ImagePerspectiveTransform, MatchesKeras) {
  const Tensor img = pow_image();
  const Tensor start = tensor_of({0, 0, 5, 0, 0, 4, 5, 4}, {4, 2}, float32);
  const Tensor end = tensor_of({1, 0, 4, 1, 0, 3, 5, 4}, {4, 2}, float32);
  // keras.ops.image.perspective_transform(img, start, end, "bilinear", 0.5) (Keras solves the
  // homography in float32, hence the tolerance)
  expect_all_close(
      perspective_transform(img, start, end, "bilinear", 0.5),
      tensor_of({0.5,       0.5,       3.3538657e-07, 0.10000036, 0.48281354, 0.5222708, 0.5,
                 0.5,       0.5,       0.5,           0.5,        0.5,        2.611155,  2.7280741,
                 5.4703374, 5.796442,  4.4961619,     4.8079662,  3.394686,   3.6834264, 1.9952624,
                 2.2584503, 0.5,       0.5,           8.3292246,  8.6074371,  10.789997, 11.174076,
                 10.34982,  10.729103, 9.7830944,     10.157606,  9.0784636,  9.4474926, 0.5,
                 0.5,       15.332519, 15.749065,     15.263674,  15.679229,  15.172091, 15.586717,
                 15.050492, 15.464276, 14.888058,     15.301144,  7.017489,   7.2114444, 5.9526935,
                 6.1043353, 7.678133,  7.8717284,     9.7714939,  10.013266,  12.342778, 12.6404,
                 15.54754,  15.910595, 19.609039,     20.049685},
                {5, 6, 2}, float32),
      1e-4, 1e-4);
  // keras.ops.image.perspective_transform(img, start, end, "nearest")
  expect_all_close(
      perspective_transform(img, start, end, "nearest"),
      tensor_of(
          {0,         0,         0,         0.1,       0,         0,         0,         0,
           0,         0,         0,         0,         0,         0,         6.2269382, 6.5663185,
           3.6758339, 3.9772556, 4.2840471, 4.5959959, 1.9952619, 2.2584498, 0,         0,
           10.548559, 10.931058, 11.316669, 11.705337, 12.097006, 12.491625, 8.3225727, 8.6850061,
           9.0509653, 9.420372,  0,         0,         15.33252,  15.749066, 16.168171, 16.5898,
           17.013916, 17.440485, 12.889142, 13.289508, 13.692677, 14.098607, 0,         0,
           0,         0,         0,         0,         17.013916, 17.440485, 17.869476, 18.300856,
           18.734596, 19.170668, 19.609039, 20.049685},
          {5, 6, 2}, float32),
      1e-5, 1e-5);
  // Batched points, one set per image, and channels_first.
  const Tensor batch = stack({img, multiply(img, 2.0)}, 0);
  const Tensor points = stack({start, start}, 0), ends = stack({end, end}, 0);
  const Tensor y = perspective_transform(transpose(batch, {0, 3, 1, 2}), points, ends, "nearest",
                                         0.0, "channels_first");
  expect_all_close(transpose(y, {0, 2, 3, 1}),
                   stack({perspective_transform(img, start, end, "nearest"),
                          perspective_transform(multiply(img, 2.0), start, end, "nearest")},
                         0),
                   0, 0);
}

TEST(ImagePerspectiveTransform, KerasErrors) {
  const Tensor img = pow_image();
  const Tensor p = tensor_of({0, 0, 5, 0, 0, 4, 5, 4}, {4, 2});
  expect_throws_with<ValueError>(
      [&] {
        perspective_transform(img, reshape(p, {2, 4}), p);
      },
      "Invalid start_points shape: expected (4,2) for a single image or (N,4,2) for a batch. "
      "Received shape: (2, 4)");
  expect_throws_with<ValueError>(
      [&] { perspective_transform(img, p, reshape(p, {8})); },
      "Invalid end_points shape: expected (4,2) for a single image or (N,4,2) for a batch. "
      "Received shape: (8,)");
  expect_throws_with<ValueError>(
      [&] { perspective_transform(img, p, expand_dims(p, 0)); },
      "start_points and end_points must have the same shape. Received start_points.shape=(4, "
      "2), end_points.shape=(1, 4, 2)");
  expect_throws_with<ValueError>([&] { perspective_transform(img, p, p, "area"); },
                                 "Invalid value for argument `interpolation`");
}

TEST(ImageScaleAndTranslate, MatchesKeras) {
  // im4 = (np.arange(20, dtype="float32").reshape(1, 4, 5, 1) ** 1.5) / 7
  std::vector<double> v(20);
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::pow(static_cast<double>(i), 1.5) / 7;
  const Tensor im4 = cast(tensor_of(v, {1, 4, 5, 1}), float32);
  // keras.ops.image.scale_and_translate(im4, (1, 6, 4, 1), [1.3, 0.7], [0.5, -0.2], (1, 2),
  //                                     "bilinear")
  expect_all_close(
      scale_and_translate(im4, {1, 6, 4, 1}, {1.3, 0.7}, {0.5, -0.2}, {1, 2}, "bilinear"),
      tensor_of({0.071428575, 0.39963546, 0.89296699, 0, 0.54983771, 0.99663258, 1.5855037, 0,
                 1.964389,    2.7431891,  3.6007648,  0, 4.2846289,  5.2658963,  6.3111243, 0,
                 7.0895152,   8.2416058,  9.4482651,  0, 8.7210541,  9.9612951,  11.251935, 0},
                {1, 6, 4, 1}, float32),
      1e-5, 1e-5);
  // keras.ops.image.scale_and_translate(im4, (1, 3, 7, 1), [0.6, 1.5], [0.3, 0.1], (1, 2),
  //                                     "cubic")
  expect_all_close(
      scale_and_translate(im4, {1, 3, 7, 1}, {0.6, 1.5}, {0.3, 0.1}, {1, 2}, "cubic"),
      tensor_of(
          {0.061975293, 0.13889495, 0.29732752, 0.49454275, 0.72411782, 0.98649299, 1.3042037,
           3.0923061,   3.3406985,  3.7934711,  4.2125249,  4.64814,    5.1058636,  5.6245341,
           7.7538085,   8.1050692,  8.7393436,  9.3100147,  9.8923264,  10.493971,  11.164897},
          {1, 3, 7, 1}, float32),
      1e-5, 1e-5);
  // ... "lanczos3", antialias=False
  expect_all_close(
      scale_and_translate(im4, {1, 3, 7, 1}, {0.6, 1.5}, {0.3, 0.1}, {1, 2}, "lanczos3", false),
      tensor_of(
          {-0.069304988, -0.036770269, 0.070179813, 0.23293328, 0.39951688, 0.65976799, 0.94366491,
           2.6917541,    2.9335337,    3.4516611,   3.898942,   4.2814379,  4.8090954,  5.341929,
           8.4912958,    8.8200636,    9.5216923,   10.120366,  10.627977,  11.317003,  12.006254},
          {1, 3, 7, 1}, float32),
      1e-5, 1e-5);
  // Integer images come back in float32, as jax.image's.
  EXPECT_EQ(
      scale_and_translate(cast(im4, int32), {1, 4, 5, 1}, {1, 1}, {0, 0}, {1, 2}, "linear").dtype(),
      float32);
  expect_throws_with<ValueError>(
      [&] {
        scale_and_translate(im4, {1, 4, 5, 1}, {1, 1}, {0, 0}, {1, 2}, "area");
      },
      "Invalid value for argument `method`. Expected of one");
}

TEST(ImageSsim, MatchesKeras) {
  // a = np.sin(np.arange(288, dtype="float32").reshape(2, 8, 9, 2) * 0.37) * 0.5 + 0.5
  // b = np.cos(np.arange(288, dtype="float32").reshape(2, 8, 9, 2) * 0.11) * 0.4 + 0.5
  std::vector<double> av(288), bv(288);
  for (size_t i = 0; i < av.size(); ++i) {
    av[i] = std::sin(static_cast<double>(i) * 0.37) * 0.5 + 0.5;
    bv[i] = std::cos(static_cast<double>(i) * 0.11) * 0.4 + 0.5;
  }
  const Tensor a = cast(tensor_of(av, {2, 8, 9, 2}), float32);
  const Tensor b = cast(tensor_of(bv, {2, 8, 9, 2}), float32);
  // keras.ops.image.ssim(a, b, filter_size=3)
  expect_all_close(ssim(a, b, {.filter_size = 3}),
                   tensor_of({-0.0016236694, -0.0077252029}, {2}, float32), 1e-4, 1e-5);
  // keras.ops.image.ssim(a.transpose(0, 3, 1, 2) * 255, b.transpose(0, 3, 1, 2) * 255,
  //     max_val=255.0, filter_size=5, filter_sigma=1.0, data_format="channels_first")
  expect_all_close(
      ssim(transpose(multiply(a, 255.0), {0, 3, 1, 2}), transpose(multiply(b, 255.0), {0, 3, 1, 2}),
           {.max_val = 255.0,
            .filter_size = 5,
            .filter_sigma = 1.0,
            .data_format = "channels_first"}),
      tensor_of({0.0033349765, 0.0030021542}, {2}, float32), 1e-3, 1e-5);
  // a1 = np.sin(np.arange(156, dtype="float32").reshape(12, 13, 1) * 0.3) * 0.5 + 0.5
  // keras.ops.image.ssim(a1, a1 * 0.8 + 0.05): one image, the default window of 11
  std::vector<double> v(156);
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(static_cast<double>(i) * 0.3) * 0.5 + 0.5;
  const Tensor a1 = cast(tensor_of(v, {12, 13, 1}), float32);
  const Tensor s = ssim(a1, add(multiply(a1, 0.8), 0.05));
  EXPECT_EQ(s.shape(), Shape{});
  expect_all_close(s, tensor_of({0.97032356}, {}, float32), 1e-5, 1e-5);
  expect_all_close(ssim(a1, a1), tensor_of({1.0}, {}, float32), 1e-6, 1e-6);
  expect_throws_with<ValueError>([&] { ssim(reshape(a1, {156}), reshape(a1, {156})); },
                                 "Invalid image1 rank: expected rank 3 (single image) or rank 4 "
                                 "(batch of images). Received input with shape: "
                                 "image1.shape=(156,)");
}

TEST(ImageElasticTransform, DeterministicParts) {
  const Tensor img = expand_dims(pow_image(), 0);
  // keras.ops.image.elastic_transform(img, alpha=0.0, sigma=2.0, seed=1) is img exactly.
  expect_all_close(elastic_transform(img, {.alpha = 0.0, .sigma = 2.0, .seed = 1}), img, 0, 0);
  // A seed gives the same field at every call; another seed (or none) another field.
  const ElasticTransformOptions o{.alpha = 3.0, .sigma = 1.0, .seed = 11};
  const Tensor y = elastic_transform(img, o);
  EXPECT_EQ(y.shape(), img.shape());
  EXPECT_EQ(y.dtype(), float32);
  expect_all_close(elastic_transform(img, o), y, 0, 0);
  ElasticTransformOptions other = o;
  other.seed = 12;
  EXPECT_GT(test::max_abs(subtract(elastic_transform(img, other), y)), 1e-3);
  // channels_first and one image agree with channels_last and the batch.
  ElasticTransformOptions first = o;
  first.data_format = "channels_first";
  expect_all_close(transpose(elastic_transform(transpose(img, {0, 3, 1, 2}), first), {0, 2, 3, 1}),
                   y, 0, 0);
  expect_all_close(elastic_transform(squeeze(img, 0), o), squeeze(y, 0), 0, 0);
  // Statistics: a constant image stays constant under "nearest" fill (every sample inside the
  // range), and the displacement moves pixels: y differs from img.
  const Tensor flat = full_like(img, 0.75);
  expect_all_close(
      elastic_transform(flat, {.alpha = 30.0, .sigma = 2.0, .fill_mode = "nearest", .seed = 3}),
      flat, 1e-6, 1e-6);
  EXPECT_GT(test::max_abs(subtract(y, img)), 1e-2);
  expect_throws_with<ValueError>([&] { elastic_transform(img, {.fill_mode = "edge"}); },
                                 "Invalid value for argument `fill_mode`. Expected of one");
  expect_throws_with<ValueError>([&] { elastic_transform(img, {.interpolation = "bicubic"}); },
                                 "Invalid value for argument `interpolation`");
}

TEST(ImageExtractPatches3d, MatchesExtractPatches) {
  std::vector<double> v(2 * 4 * 4 * 4);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i);
  const Tensor vol = tensor_of(v, {2, 4, 4, 4, 1}, float32);
  // keras.ops.image.extract_patches_3d(v, 2).shape == (2, 2, 2, 2, 8)
  const Tensor p = extract_patches_3d(vol, {2});
  EXPECT_EQ(p.shape(), (Shape{2, 2, 2, 2, 8}));
  expect_all_close(p, extract_patches(vol, {2, 2, 2}), 0, 0);
  // keras.ops.image.extract_patches_3d(v[0], (2, 2, 2), strides=1).shape == (3, 3, 3, 8)
  EXPECT_EQ(
      extract_patches_3d(squeeze(slice_axis(vol, 0, 0, 1), 0), {2, 2, 2}, {.strides = {1}}).shape(),
      (Shape{3, 3, 3, 8}));
  // The first patch: the 2x2x2 corner in (depth, row, column) order.
  expect_all_close(reshape(slice(p, {0, 0, 0, 0, 0}, {1, 1, 1, 1, 8}), {8}),
                   tensor_of({0, 1, 4, 5, 16, 17, 20, 21}, {8}, float32), 0, 0);
  expect_throws_with<TypeError>(
      [&] {
        extract_patches_3d(vol, {2, 2});
      },
      "Invalid `size` argument. Expected an int or a tuple of length 3");
}

}  // namespace
}  // namespace keras::ops::image
