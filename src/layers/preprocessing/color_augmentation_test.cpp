// The colour augmentation layers, AutoContrast, Equalization, RandomGaussianBlur and
// RandomErasing: their transforms against Keras
// 3's (tests/data/layers/goldens/color_*, made by tools/fixtures/make_layer_fixtures.py
// color_goldens with each factor range fixed to one value, so that Keras's draw is that value),
// the layer contract (gradients in training mode where the transform is deterministic and
// smooth), training-mode statistics, configs and errors.
#include "keras/layers/preprocessing/color_augmentation.h"

#include <gtest/gtest.h>

#include <string>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/io/npy.h"
#include "keras/layers/dense.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/op_layer.h"
#include "keras/layers/preprocessing/auto_contrast.h"
#include "keras/layers/preprocessing/clahe.h"
#include "keras/layers/preprocessing/mix_up.h"
#include "keras/layers/preprocessing/rand_augment.h"
#include "keras/layers/preprocessing/random_color_jitter.h"
#include "keras/layers/preprocessing/random_elastic_transform.h"
#include "keras/layers/preprocessing/random_erasing.h"
#include "keras/layers/preprocessing/random_shear.h"
#include "keras/layers/registry.h"
#include "keras/models/model.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "keras/optimizers/optimizers.h"

namespace keras::layers {
namespace {

Tensor golden(const std::string& name, const char* kind) {
  return io::load_npy(str(KERAS_TEST_DATA_DIR, "/layers/goldens/color_", name, ".", kind, ".npy"));
}

// Float32 arithmetic in a different order than XLA's: a few ulps of values up to 255 (more
// through the HSV round trip, whose divisions amplify them near grey pixels).
void expect_golden(LayerRef layer, const std::string& name, double tol = 2e-4) {
  SCOPED_TRACE(name);
  test::expect_all_close(layer(golden(name, "x"), true), golden(name, "y"), tol, tol);
}

const ColorAugmentationOptions kChannelsFirst{.data_format = "channels_first"};

TEST(ColorAugmentation, MatchesKeras) {
  expect_golden(RandomGrayscale(1.0), "grayscale_all");
  expect_golden(RandomGrayscale(1.0, kChannelsFirst), "grayscale_cf");
  expect_golden(RandomInvert({1.0, 1.0}), "invert_always");
  expect_golden(RandomInvert({1.0, 1.0}, {.value_range = {0, 1}}), "invert_unit");
  expect_golden(RandomPosterization({3, 3}), "posterize_3");
  expect_golden(
      RandomPosterization({5, 5}, {.value_range = {0, 1}, .data_format = "channels_first"}),
      "posterize_unit_cf");
  expect_golden(RandomColorDegeneration({0.4, 0.4}), "degenerate");
  expect_golden(RandomColorDegeneration({-0.7, -0.7}, {.value_range = {0, 1}}),
                "degenerate_negative_unbatched");
  expect_golden(RandomSaturation({0.3, 0.3}), "saturation", 2e-3);
  expect_golden(RandomSaturation({0.8, 0.8}, {.value_range = {0, 1}}), "saturation_unit");
  expect_golden(RandomSaturation({-0.2, -0.2}, kChannelsFirst), "saturation_cf", 2e-3);
  expect_golden(RandomSharpness({0.3, 0.3}), "sharpness");
  expect_golden(
      RandomSharpness({0.9, 0.9}, {.value_range = {0, 1}, .data_format = "channels_first"}),
      "sharpness_cf_unbatched");
  expect_golden(Solarization(0.0, 0.0), "solarize_all");
  expect_golden(Solarization(0.0, 0.0, {.value_range = {0, 1}}), "solarize_unit");
  expect_golden(AutoContrast(), "auto_contrast");
  expect_golden(AutoContrast({.value_range = {0, 1}}), "auto_contrast_unit");
  expect_golden(Equalization(), "equalize");
  expect_golden(Equalization({.value_range = {0, 1}, .bins = 16}), "equalize_unit_bins");
  expect_golden(Equalization({.data_format = "channels_first"}), "equalize_cf");
  expect_golden(RandomGaussianBlur({1.0, 1.0}, {.sigma = {0.7, 0.7}}), "blur");
  expect_golden(RandomGaussianBlur({1.0, 1.0}, {.kernel_size = {3, 5},
                                                .sigma = {0.4, 0.4},
                                                .value_range = {0, 1},
                                                .data_format = "channels_first"}),
                "blur_wide_cf");
  expect_golden(RandomGaussianBlur(
                    {1.0, 1.0}, {.kernel_size = {5}, .sigma = {0.9, 0.9}, .value_range = {0, 1}}),
                "blur_unbatched");
  expect_golden(RandomErasing({1.0, 1.0}, {.scale = {1.0, 1.0}, .fill_value = {300}}),
                "erase_whole");
  expect_golden(RandomColorJitter({.brightness_factor = {0.1, 0.1},
                                   .contrast_factor = {-0.2, 0.2},
                                   .saturation_factor = {0.3, 0.3}}),
                "jitter", 2e-3);
}

std::vector<double> draws_of(const std::string& name) {
  const Tensor d = golden(name, "draws");
  return {d.data<double>(), d.data<double>() + d.size()};
}

// RandomShear and RandomPerspective with given draws (apply()) against Keras's transform_images
// with the same transforms. Keras solves the homography in float32: sample positions differ by
// ~1e-5 pixel, times pixel values of a few units.
TEST(GeometricAugmentation, ShearAndPerspectiveMatchKeras) {
  const auto check = [](const Tensor& y, const std::string& name) {
    SCOPED_TRACE(name);
    test::expect_all_close(y, golden(name, "y"), 1e-4, 1e-4);
  };
  check(RandomShear({0.3, 0.3}, {0.1, 0.1})->apply(golden("shear", "x"), draws_of("shear")),
        "shear");
  check(
      RandomShear({0.2, 0.4}, {0.5, 0.5},
                  {.fill_mode = "constant",
                   .interpolation = "nearest",
                   .fill_value = 0.5,
                   .data_format = "channels_first"})
          ->apply(golden("shear_constant_nearest_cf", "x"), draws_of("shear_constant_nearest_cf")),
      "shear_constant_nearest_cf");
  check(RandomPerspective()->apply(golden("perspective", "x"), draws_of("perspective")),
        "perspective");
  check(RandomPerspective(1.0, {.scale = 0.5, .interpolation = "nearest", .fill_value = -2.0})
            ->apply(golden("perspective_nearest_half", "x"), draws_of("perspective_nearest_half")),
        "perspective_nearest_half");
}

TEST(GeometricAugmentation, ShearAndPerspectiveContracts) {
  for (int which = 0; which < 2; ++which) {
    test::run_layer_test({.make_layer = [which]() -> LayerRef {
                            if (which == 0) return RandomShear(0.3, 0.2);
                            return RandomPerspective(0.5, {.scale = 0.4});
                          },
                          .input_shape = {2, 5, 6, 3},
                          .expected_output_shape = {2, 5, 6, 3},
                          .stochastic = true});
  }
  // Training moves pixels; a zero shear and a zero scale do not.
  const Tensor x = test::random_tensor({3, 6, 5, 2}, float32, -1, 1, 4);
  EXPECT_GT(test::max_abs(ops::subtract(RandomShear(0.5, 0.5, {.seed = 1})(x, true), x)), 1e-3);
  EXPECT_GT(test::max_abs(ops::subtract(RandomPerspective(1.0, {.seed = 2})(x, true), x)), 1e-3);
  test::expect_all_close(RandomShear(0.0, 0.0)(x, true), x, 1e-6, 1e-6);
  test::expect_all_close(RandomPerspective(1.0, {.scale = 0.0})(x, true), x, 1e-6, 1e-6);
  // A factor of 0 never applies the warp (the output is the input, bit for bit).
  test::expect_all_close(RandomPerspective(0.0)(x, true), x, 0, 0);
  // Degenerate images (one pixel wide: the corners coincide) pass through.
  const Tensor thin = test::random_tensor({2, 4, 1, 3}, float32, -1, 1, 5);
  test::expect_all_close(RandomPerspective(1.0, {.seed = 3})(thin, true), thin, 1e-6, 1e-6);
  // Configs as Keras's, and back.
  const Json shear = RandomShear({0.2}, {0.1, 0.3})->get_config();
  EXPECT_EQ(shear["x_factor"], 0.2);  // Keras writes (-0.2, 0.2), which it cannot load back
  EXPECT_EQ(shear["y_factor"], Json::array({0.1, 0.3}));
  const Json persp = RandomPerspective(0.7, {.scale = 0.3})->get_config();
  EXPECT_EQ(persp["factor"], Json::array({0.0, 0.7}));
  EXPECT_EQ(persp["scale"], 0.3);
  for (LayerRef layer : std::vector<LayerRef>{RandomShear({0.2}, {0.1, 0.3}, {.seed = 4}),
                                              RandomPerspective(0.7, {.scale = 0.3})}) {
    const Json config = serialize_layer(*layer.layer());
    EXPECT_EQ(serialize_layer(*deserialize_layer(config)), config);
  }
  test::expect_throws_with<ValueError>([] { RandomShear(1.5, 0.0); }, "Received: input_number=1.5");
  test::expect_throws_with<ValueError>([] { RandomShear(-0.5, 0.0); },
                                       "Received: input_number=-0.5");
  // Keras's own config of RandomShear(0.2, 0.1) loads.
  const LayerRef keras_shear = deserialize_layer(
      {{"class_name", "RandomShear"},
       {"config", {{"name", "s"}, {"x_factor", {-0.2, 0.2}}, {"y_factor", {-0.1, 0.1}}}}});
  EXPECT_EQ(keras_shear->get_config()["y_factor"], 0.1);
  test::expect_throws_with<ValueError>(
      [] { RandomPerspective(1.0, {.scale = 2.0}); },
      "The `scale` argument should be a number in the range [0,1]");
  EXPECT_THROW(RandomPerspective(1.0, {.interpolation = "cubic"}), NotImplementedError);
}

// Images whose channels are (i, i^2) for image i: a blend w x_i + (1 - w) x_j gives away j as
// (y1 - i^2) / (y0 - i) - i.
Tensor numbered_images(int64_t n) {
  std::vector<double> v;
  for (int64_t i = 0; i < n; ++i) {
    for (int p = 0; p < 6; ++p) {
      v.push_back(static_cast<double>(i));
      v.push_back(static_cast<double>(i * i));
    }
  }
  return test::tensor_of(v, {n, 2, 3, 2}, float64);
}

TEST(MixAugmentation, MixUpBlendsEachImageWithAPermutedOne) {
  const int64_t n = 400;
  const Tensor x = numbered_images(n);
  MixUp mix(0.2, {.seed = 3});
  mix->set_dtype(float64);
  const Tensor y = mix(x, true);
  std::vector<int> hits(static_cast<size_t>(n), 0);
  double weights = 0;
  int solved = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double y0 = y.at<double>({i, 0, 0, 0}), y1 = y.at<double>({i, 0, 0, 1});
    const auto fi = static_cast<double>(i);
    // The same blend at every pixel of the image.
    EXPECT_EQ(y.at<double>({i, 1, 2, 0}), y0);
    if (std::abs(y0 - fi) < 1e-6) continue;  // w = 1 or the image drew itself
    const double j = (y1 - fi * fi) / (y0 - fi) - fi;
    ASSERT_NEAR(j, std::round(j), 1e-3) << i;
    const double w = 1.0 - (y0 - fi) / (j - fi);
    ASSERT_GE(w, -1e-9);
    ASSERT_LE(w, 1 + 1e-9);
    ++hits[static_cast<size_t>(std::lround(j))];
    weights += w;
    ++solved;
  }
  // A permutation: no image is the partner of two.
  for (int h : hits) EXPECT_LE(h, 1);
  ASSERT_GT(solved, n / 2);
  // Beta(0.2, 0.2) has mean 1/2 and standard deviation 0.42: five standard errors.
  EXPECT_NEAR(weights / solved, 0.5, 5 * 0.42 / std::sqrt(static_cast<double>(solved)));
  // Inference and single images: the identity.
  test::expect_all_close(mix(x, false), x, 0, 0);
  const Tensor one = ops::squeeze(ops::slice_axis(x, 0, 3, 1), 0);
  test::expect_all_close(mix(one, true), one, 0, 0);
  EXPECT_THROW(MixUp(0.0), ValueError);
}

TEST(MixAugmentation, CutMixPastesARectangleOfAnotherImage) {
  const int64_t n = 300;
  std::vector<double> v;
  for (int64_t i = 0; i < n; ++i) v.insert(v.end(), 8 * 8, static_cast<double>(i));
  const Tensor x = test::tensor_of(v, {n, 8, 8, 1}, float32);
  const Tensor y = CutMix(1.0, {.seed = 4})(x, true);
  double pasted = 0;
  for (int64_t i = 0; i < n; ++i) {
    // Pixels are the image's own or one other image's, those forming a rectangle.
    int64_t r0 = 8, r1 = -1, c0 = 8, c1 = -1, count = 0;
    float other = -1;
    for (int64_t r = 0; r < 8; ++r) {
      for (int64_t c = 0; c < 8; ++c) {
        const float p = y.at<float>({i, r, c, 0});
        if (p == static_cast<float>(i)) continue;
        if (other < 0) other = p;
        ASSERT_EQ(p, other) << i;
        r0 = std::min(r0, r), r1 = std::max(r1, r), c0 = std::min(c0, c), c1 = std::max(c1, c);
        ++count;
      }
    }
    if (count > 0) {
      EXPECT_EQ(count, (r1 - r0 + 1) * (c1 - c0 + 1)) << i;
    }
    pasted += static_cast<double>(count) / 64;
  }
  // The box's area is 1 - w of the image, w ~ Beta(a, a) with mean 1/2 (less the images that drew
  // themselves, and the grid's rounding): about half the pixels.
  EXPECT_NEAR(pasted / n, 0.5, 0.1);
  test::expect_all_close(CutMix()(x, false), x, 0, 0);
}

TEST(MixAugmentation, ContractsAndConfigs) {
  for (int which = 0; which < 2; ++which) {
    test::run_layer_test({.make_layer = [which]() -> LayerRef {
                            if (which == 0) return MixUp(0.4);
                            return CutMix(0.5, {.data_format = "channels_first"});
                          },
                          .input_shape = {4, 3, 5, 6},
                          .expected_output_shape = {4, 3, 5, 6},
                          .stochastic = true});
  }
  EXPECT_EQ(MixUp(0.4)->get_config()["alpha"], 0.4);
  EXPECT_EQ(CutMix(0.5)->get_config()["factor"], Json::array({0.0, 0.5}));
  for (LayerRef layer : std::vector<LayerRef>{MixUp(0.3, {.seed = 1}), CutMix({0.2, 0.6}, {})}) {
    const Json config = serialize_layer(*layer.layer());
    EXPECT_EQ(serialize_layer(*deserialize_layer(config)), config);
  }
}

// fit traces its first step and replays it (trainers/trainer.h): the layers that draw on the host
// draw anew at every replay. With a learning rate of 0 the loss of one fixed batch only changes
// when the draws do.
TEST(MixAugmentation, FitRedrawsAtEveryStep) {
  const Tensor x = test::random_tensor({8, 6, 5, 3}, float32, 0, 1, 8);
  const Tensor target = test::random_tensor({8, 1}, float32, -1, 1, 9);
  for (int which = 0; which < 6; ++which) {
    SCOPED_TRACE(which);
    LayerRef layer = which == 0   ? LayerRef(MixUp(0.5))
                     : which == 1 ? LayerRef(CutMix())
                     : which == 2 ? LayerRef(RandomPerspective(1.0, {.scale = 0.5}))
                     : which == 3 ? LayerRef(RandomErasing(1.0))
                     : which == 4 ? LayerRef(RandomElasticTransform({1.0}, {.value_range = {0, 1}}))
                                  : LayerRef(RandAugment({.value_range = {0, 1}}));
    const KerasTensor input = keras::Input({6, 5, 3});
    Model model(input, Dense(1)(ops::mean(layer(input), {1, 2})));
    model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.0}), .loss = "mse"});
    const auto losses =
        model.fit(x, target, {.epochs = 4, .batch_size = 8, .verbose = 0, .shuffle = false})
            .history.at("loss");
    int distinct = 0;
    for (size_t e = 1; e < losses.size(); ++e) distinct += losses[e] != losses[0] ? 1 : 0;
    EXPECT_GE(distinct, 2);
  }
}

TEST(RandAugment, PicksAugmentationsAnewEachCall) {
  const Tensor x = test::random_tensor({4, 6, 5, 3}, float32, 0, 255, 10);
  RandAugment augment({.num_ops = 1, .seed = 2});
  int changed = 0;
  for (int call = 0; call < 30; ++call) {
    const Tensor y = augment(x, true);
    EXPECT_TRUE(ops::all(ops::isfinite(y)).item<bool>());
    // Every augmentation keeps [0, 255] images within it (geometric ones by reflection).
    EXPECT_GE(ops::min(y).item<float>(), -1e-3f);
    EXPECT_LE(ops::max(y).item<float>(), 255.001f);
    changed += test::max_abs(ops::subtract(y, x)) > 1e-3 ? 1 : 0;
  }
  EXPECT_GE(changed, 20);
  test::expect_all_close(augment(x, false), x, 0, 0);
  test::expect_all_close(RandAugment({.num_ops = 0})(x, true), x, 0, 0);
  test::run_layer_test({.make_layer =
                            [] {
                              return RandAugment({.value_range = {-1, 1}});
                            },
                        .input_shape = {2, 5, 6, 3},
                        .expected_output_shape = {2, 5, 6, 3},
                        .stochastic = true});
  const Json config = RandAugment({.num_ops = 3, .factor = {0.3}, .seed = 4})->get_config();
  EXPECT_EQ(config["num_ops"], 3);
  EXPECT_EQ(config["factor"], Json::array({0.0, 0.3}));
  const Json serialized = serialize_layer(*RandAugment({.num_ops = 3, .seed = 4}).layer());
  EXPECT_EQ(serialize_layer(*deserialize_layer(serialized)), serialized);
  EXPECT_THROW(RandAugment({.num_ops = -1}), ValueError);
  EXPECT_THROW(RandAugment({.factor = {1.5}}), ValueError);
}

TEST(AugMix, MixesChainsOfAugmentationsWithTheInput) {
  const Tensor x = test::random_tensor({4, 6, 5, 3}, float32, 0, 1, 11);
  AugMix mix({.value_range = {0, 1}, .num_chains = 2, .chain_depth = 2, .seed = 5});
  int changed = 0;
  for (int call = 0; call < 10; ++call) {
    const Tensor y = mix(x, true);
    EXPECT_TRUE(ops::all(ops::isfinite(y)).item<bool>());
    EXPECT_GE(ops::min(y).item<float>(), 0.0f);
    EXPECT_LE(ops::max(y).item<float>(), 1.0f);
    changed += test::max_abs(ops::subtract(y, x)) > 1e-4 ? 1 : 0;
  }
  EXPECT_GE(changed, 8);
  test::expect_all_close(mix(x, false), x, 0, 0);
  test::run_layer_test(
      {.make_layer =
           [] {
             return AugMix(
                 {.value_range = {-1, 1}, .num_chains = 2, .chain_depth = 1, .all_ops = false});
           },
       .input_shape = {2, 5, 6, 3},
       .expected_output_shape = {2, 5, 6, 3},
       .stochastic = true});
  const Json config = AugMix({.num_chains = 4, .alpha = 0.5, .all_ops = false})->get_config();
  EXPECT_EQ(config["num_chains"], 4);
  EXPECT_EQ(config["alpha"], 0.5);
  EXPECT_EQ(config["all_ops"], false);
  EXPECT_EQ(config["factor"], Json::array({0.0, 0.3}));
  const Json serialized = serialize_layer(*AugMix({.chain_depth = 2, .seed = 3}).layer());
  EXPECT_EQ(serialize_layer(*deserialize_layer(serialized)), serialized);
  EXPECT_THROW(AugMix({.num_chains = 0}), ValueError);
  EXPECT_THROW(AugMix({.alpha = 0.0}), ValueError);
}

// RandomHue also draws the shift's sign: each image is Keras's +f or -f transform.
TEST(ColorAugmentation, HueShiftsEitherWayAsKeras) {
  const Tensor x = golden("hue_plus", "x"), plus = golden("hue_plus", "y"),
               minus = golden("hue_minus", "y");
  int shifted[2] = {0, 0};
  for (uint64_t seed = 0; seed < 12; ++seed) {
    RandomHue hue({0.4, 0.4}, {.value_range = {0, 1}, .seed = seed});
    const Tensor y = hue(x, true);
    for (int64_t i = 0; i < 2; ++i) {
      const auto gap = [&](const Tensor& g) {
        return test::max_abs(
            ops::subtract(ops::slice_axis(y, 0, i, 1), ops::slice_axis(g, 0, i, 1)));
      };
      const bool up = gap(plus) < 2e-5, down = gap(minus) < 2e-5;
      ASSERT_TRUE(up || down) << "seed " << seed << " image " << i;
      ++shifted[up ? 0 : 1];
    }
  }
  // 24 images, each way with probability 1/2: both ways seen.
  EXPECT_GT(shifted[0], 0);
  EXPECT_GT(shifted[1], 0);
}

// With the factor range fixed, each transform is deterministic and (but for posterization's
// rounding and equalization's table) differentiable: the harness checks gradients in training.
TEST(ColorAugmentation, Contracts) {
  const Shape in{2, 4, 5, 3};
  const auto run = [&](std::function<LayerRef()> make, bool stochastic) {
    SCOPED_TRACE(make()->class_name());  // the harness's messages do not name the layer
    test::run_layer_test({.make_layer = std::move(make),
                          .input_shape = in,
                          .expected_output_shape = in,
                          .stochastic = stochastic,
                          .input_lo = 0.05,
                          .input_hi = 0.95});
  };
  const ColorAugmentationOptions unit{.value_range = {0, 1}};
  run([] { return RandomGrayscale(1.0); }, false);
  run([&] { return RandomInvert({1.0, 1.0}, unit); }, false);
  run([&] { return RandomColorDegeneration({0.4, 0.4}, unit); }, false);
  run([&] { return RandomSaturation({0.3, 0.3}, unit); }, false);
  run([&] { return RandomSharpness({0.3, 0.3}, unit); }, false);
  run([] { return Solarization(0.0, 0.0, {.value_range = {0, 1}}); }, false);
  run([] { return AutoContrast({.value_range = {0, 1}}); }, false);
  run(
      [] {
        return RandomGaussianBlur({1.0, 1.0}, {.sigma = {0.6, 0.6}, .value_range = {0, 1}});
      },
      false);
  run([&] { return RandomHue(0.3, unit); }, true);
  run([] { return RandomGaussianBlur(0.5, {.value_range = {0, 1}}); }, true);
  run([] { return RandomErasing(0.5, {.value_range = {0, 1}}); }, true);
  run([&] { return RandomPosterization(4, unit); }, true);
  run([] { return Equalization({.value_range = {0, 1}}); }, true);
  // CLAHE is deterministic but not differentiable (integer bins, like Equalization's).
  test::run_layer_test({.make_layer =
                            [] {
                              return ContrastLimitedAdaptiveHistogramEqualization(
                                  {.value_range = {0, 1}, .tile_grid_size = {2, 2}});
                            },
                        .input_shape = in,
                        .expected_output_shape = in,
                        .check_gradients = false,
                        .check_training_lowers_loss = false,
                        .input_lo = 0.05,
                        .input_hi = 0.95});
  run(
      [] {
        return RandomColorJitter({.value_range = {0, 1},
                                  .brightness_factor = {0.2},
                                  .contrast_factor = {0.3},
                                  .saturation_factor = {0.5},
                                  .hue_factor = {0.2}});
      },
      true);
}

// The share of images each layer changes, the ranges of its draws, and the identity at
// inference.
TEST(ColorAugmentation, TrainingStatistics) {
  const int64_t n = 2000;
  const Tensor x = test::random_tensor({n, 2, 2, 3}, float32, 0, 255, 3);
  const auto changed = [&](const Tensor& y) {
    const Tensor d = ops::max(ops::abs(ops::subtract(y, x)), {1, 2, 3});
    return ops::sum(ops::cast(ops::greater(d, 1e-3), float64)).item<double>();
  };
  // Binomial(2000, p): standard deviation at most 22; five of them.
  RandomGrayscale gray(0.5, {.seed = 1});
  EXPECT_NEAR(changed(gray(x, true)), n * 0.5, 112);
  // RandomInvert(0.5): a probability uniform in [0, 0.5], so a quarter of the images.
  RandomInvert invert(0.5, {.seed = 2});
  EXPECT_NEAR(changed(invert(x, true)), n * 0.25, 100);
  // RandomPosterization(4): 1 to 3 bits kept, so every value a multiple of 32 or more.
  RandomPosterization poster(4, {.seed = 3});
  const Tensor p = ops::cast(poster(x, true), float64);
  EXPECT_EQ(test::max_abs(ops::subtract(p, ops::multiply(ops::floor(ops::divide(p, 32.0)), 32.0))),
            0.0);
  // Solarization: values stay in the range; with no addition, those under the threshold are kept.
  Solarization solar(0.0, 1.0, {.seed = 4});
  const Tensor s = solar(x, true);
  EXPECT_GE(ops::min(s).item<float>(), 0.0f);
  EXPECT_LE(ops::max(s).item<float>(), 255.0f);
  const Tensor kept = ops::equal(s, x), flipped = ops::equal(s, ops::subtract(255.0, x));
  EXPECT_TRUE(ops::all(ops::logical_or(kept, flipped)).item<bool>());
  // RandomErasing(1, scale fixed at 0.25, fill 999 clipped to 255): every image gets a box of half
  // its side (sqrt(0.25)) at a continuous position, so 4 or 5 of the 8 grid points each way.
  const Tensor big = test::random_tensor({200, 8, 8, 3}, float32, 0, 100, 5);
  const Tensor e =
      RandomErasing({1.0, 1.0}, {.scale = {0.25, 0.25}, .fill_value = {999}, .seed = 6})(big, true);
  const Tensor per_image =
      ops::sum(ops::cast(ops::equal(e, ops::scalar_like(255.0, e)), float64), {1, 2, 3});
  EXPECT_GE(ops::min(per_image).item<double>(), 16 * 3);
  EXPECT_LE(ops::max(per_image).item<double>(), 25 * 3);
  // RandomGaussianBlur(0.5): a probability uniform in [0, 0.5], so a quarter of the images.
  RandomGaussianBlur blur(0.5, {.seed = 7});
  EXPECT_NEAR(changed(blur(x, true)), n * 0.25, 100);
  for (LayerRef layer : std::vector<LayerRef>{
           gray, invert, poster, solar, blur, RandomErasing(), RandomHue(0.5),
           RandomSaturation(0.5), RandomSharpness(0.5), RandomColorDegeneration(0.5),
           Equalization(), RandomColorJitter({.hue_factor = {0.5}})}) {
    SCOPED_TRACE(layer->name());
    test::expect_all_close(layer(x, false), x, 0, 0);
  }
  // AutoContrast is not random: it stretches at inference too.
  const Tensor a = AutoContrast()(x, false);
  EXPECT_NEAR(ops::min(a).item<float>(), 0.0f, 1e-3);
  EXPECT_NEAR(ops::max(a).item<float>(), 255.0f, 1e-3);
}

TEST(ColorAugmentation, ConfigsAreKerasAndRoundTrip) {
  const Json gray = RandomGrayscale(0.3)->get_config();
  EXPECT_EQ(gray["factor"], 0.3);
  EXPECT_FALSE(gray.contains("value_range"));
  EXPECT_FALSE(gray.contains("seed"));
  EXPECT_EQ(RandomSaturation(0.5)->get_config()["factor"], Json::array({-0.5, 0.5}));
  EXPECT_EQ(RandomHue(0.5)->get_config()["factor"], Json::array({0.0, 0.5}));
  EXPECT_EQ(RandomPosterization(4)->get_config()["factor"], Json::array({1, 4}));
  const Json solar = Solarization(0.2, 0.5)->get_config();
  EXPECT_EQ(solar["addition_factor"], Json::array({0.0, 0.2}));
  EXPECT_EQ(solar["threshold_factor"], Json::array({0.0, 0.5}));
  EXPECT_FALSE(solar.contains("factor"));
  const Json jitter = RandomColorJitter({.brightness_factor = {0.2}})->get_config();
  EXPECT_EQ(jitter["brightness_factor"], 0.2);
  EXPECT_TRUE(jitter["hue_factor"].is_null());
  EXPECT_EQ(Equalization({.bins = 64})->get_config()["bins"], 64);
  for (LayerRef layer : std::vector<LayerRef>{
           RandomGrayscale(0.3), RandomInvert({0.2, 0.6}), RandomPosterization({2, 6}),
           RandomColorDegeneration(0.5), RandomSaturation({0.1, 0.4}), RandomHue(0.2),
           RandomSharpness(0.7), Solarization(0.2, 0.5, {.value_range = {0, 1}, .seed = 3}),
           AutoContrast({.value_range = {-1, 1}}), Equalization({.bins = 32}),
           RandomColorJitter({.contrast_factor = {0.1, 0.3}, .hue_factor = {0.2}, .seed = 5}),
           RandomGaussianBlur(0.4, {.kernel_size = {3, 7}, .sigma = {0.2, 0.9}}),
           RandomErasing(0.6, {.scale = {0.1, 0.3}, .fill_value = {1, 2, 3}}),
           RandomErasing(0.6, {.fill_value = {7}}),
           ContrastLimitedAdaptiveHistogramEqualization(
               {.value_range = {-1, 1}, .clip_limit = 2.5, .tile_grid_size = {3, 5}})}) {
    SCOPED_TRACE(layer->name());
    const Json config = serialize_layer(*layer.layer());
    EXPECT_EQ(serialize_layer(*deserialize_layer(config)), config);
  }
}

TEST(ColorAugmentation, RefusesWhatKerasRefuses) {
  test::expect_throws_with<ValueError>([] { RandomGrayscale(1.5); },
                                       "`factor` should be between 0 and 1. Received: factor=1.5");
  test::expect_throws_with<ValueError>([] { RandomInvert(-0.5); }, "The `factor` argument");
  test::expect_throws_with<ValueError>([] { RandomPosterization(9); }, "in the range [1, 8]");
  test::expect_throws_with<ValueError>([] { RandomSaturation(1.5); }, "in the range [-1, 1]");
  test::expect_throws_with<ValueError>([] { Solarization(0.5, 1.5); },
                                       "Received: input_number=1.5");
  test::expect_throws_with<ValueError>([] { RandomColorJitter({.hue_factor = {2.0}}); },
                                       "The `factor` argument");
  test::expect_throws_with<ValueError>([] { AutoContrast({.value_range = {1.0}}); },
                                       "The `value_range` argument should be a list of two");
  EXPECT_THROW(Equalization({.bins = 0}), ValueError);
  test::expect_throws_with<ValueError>(
      [] {
        ContrastLimitedAdaptiveHistogramEqualization({.tile_grid_size = {0, 8}});
      },
      "tile_grid_size must be two sizes");
  test::expect_throws_with<ValueError>(
      [] { ContrastLimitedAdaptiveHistogramEqualization({.tile_grid_size = {8}}); },
      "tile_grid_size must be two sizes");
  test::expect_throws_with<ValueError>(
      [] { RandomGaussianBlur(0.5, {.kernel_size = {4}}); },
      "kernel_size must be an odd number. Received: kernel_size=4");
  test::expect_throws_with<ValueError>([] { RandomGaussianBlur(0.5, {.sigma = {1.5}}); },
                                       "The `sigma` argument should be a number");
  test::expect_throws_with<ValueError>([] { RandomErasing(0.5, {.scale = {2.0}}); },
                                       "The `scale` argument should be a number");
  test::expect_throws_with<ValueError>(
      [] {
        RandomErasing(0.5, {.fill_value = {1, 2}});
      },
      "The `fill_value` argument should be a number");
  EXPECT_THROW(RandomHue(0.3)(zeros({2, 3}), true), ValueError);
  // HSV needs three channels.
  EXPECT_THROW(RandomSaturation(0.3)(zeros({2, 3, 3, 2}), true), ValueError);
}

}  // namespace
}  // namespace keras::layers
