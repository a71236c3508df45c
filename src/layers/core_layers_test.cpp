#include "keras/layers/core_layers.h"

#include <gtest/gtest.h>

#include <cmath>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/config/json.h"
#include "keras/keras.hpp"
#include "keras/layers/input_layer.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/utils/utils.h"

namespace keras::layers {
namespace {

// ---- Dropout ----

TEST(Dropout, Contract) {
  test::run_layer_test({
      .make_layer = [] { return Dropout(0.5); },
      .input_shape = {4, 3},
      .expected_output_shape = {4, 3},
      .stochastic = true,
  });
}

// noise_shape (None, 1, 1): one draw per sample, kept or dropped whole (EfficientNet's
// drop-connect); saved in the config and read back.
TEST(Dropout, NoiseShapeDropsWholeSlices) {
  utils::set_random_seed(3);
  Dropout d(0.5, {.noise_shape = {{std::nullopt, 1, 1}}});
  const Tensor x = test::random_tensor({64, 3, 4}, float32, 0.5, 1.5, 5);
  const std::vector<double> xv = test::to_doubles(x), yv = test::to_doubles(d(x, true));
  int64_t dropped = 0;
  for (size_t s = 0; s < 64; ++s) {
    const bool zero = yv[s * 12] == 0.0;
    dropped += zero;
    for (size_t k = 0; k < 12; ++k) {
      EXPECT_NEAR(yv[s * 12 + k], zero ? 0.0 : xv[s * 12 + k] * 2.0, 1e-5) << s << " " << k;
    }
  }
  EXPECT_GT(dropped, 10);
  EXPECT_LT(dropped, 54);
  EXPECT_EQ(d->get_config()["noise_shape"].dump(), "[null,1,1]");
  auto back = DropoutImpl::from_config(d->get_config());
  EXPECT_EQ(back->get_config()["noise_shape"].dump(), "[null,1,1]");
  EXPECT_THROW(Dropout(0.5, {.noise_shape = {{1, 1}}})(x, true), ValueError);
}

TEST(Dropout, TrainingZeroesAndScalesKeptValuesByOneOverOneMinusRate) {
  utils::set_random_seed(7);
  const double rate = 0.25;
  Dropout d(rate);
  const Tensor x = test::random_tensor({100, 40}, float32, 0.5, 1.5, 3);
  const Tensor y = d(x, /*training=*/true);
  ASSERT_EQ(shape_str(y.shape()), "(100, 40)");
  const std::vector<double> xv = test::to_doubles(x), yv = test::to_doubles(y);
  int64_t dropped = 0;
  for (size_t i = 0; i < xv.size(); ++i) {
    if (yv[i] == 0.0) {
      ++dropped;
    } else {
      EXPECT_NEAR(yv[i], xv[i] / (1.0 - rate), 1e-5) << "at " << i;
    }
  }
  const double fraction = static_cast<double>(dropped) / static_cast<double>(xv.size());
  EXPECT_NEAR(fraction, rate, 0.03);
}

TEST(Dropout, InferenceIsTheIdentity) {
  Dropout d(0.5);
  const Tensor x = test::random_tensor({3, 5}, float32, -1, 1, 4);
  test::expect_all_close(d(x), x, 0, 0);
  test::expect_all_close(d(x, /*training=*/false), x, 0, 0);
}

TEST(Dropout, ZeroRateIsTheIdentityInTraining) {
  Dropout d(0.0);
  const Tensor x = test::random_tensor({3, 5}, float32, -1, 1, 4);
  test::expect_all_close(d(x, true), x, 0, 0);
}

TEST(Dropout, TrainingGradientIsTheScaledMask) {
  utils::set_random_seed(11);
  Dropout d(0.5);
  d->set_dtype(float64);  // a float32 layer would cast x to float32
  const Tensor x = test::random_tensor({6, 7}, float64, 0.5, 1.5, 5);
  Tensor y;
  Tensors g;
  {
    autodiff::GradientTape tape;
    tape.watch(x);
    y = d(x, true);
    g = tape.gradient(ops::sum(y), {x});
  }
  ASSERT_TRUE(g[0].defined());
  const std::vector<double> xv = test::to_doubles(x), yv = test::to_doubles(y),
                            gv = test::to_doubles(g[0]);
  for (size_t i = 0; i < xv.size(); ++i) EXPECT_NEAR(gv[i], yv[i] / xv[i], 1e-12);
}

// BUG: DropoutOptions::seed is accepted but never used (core_layers.cpp, DropoutImpl::call calls
// random::dropout(x, rate), which always draws from the global generator). In Keras, layers built
// with the same seed draw the same masks whatever the global seed.
TEST(Dropout, SeedOptionMakesMasksReproducible) {
  const Tensor x = ones({8, 8});
  utils::set_random_seed(1);
  const Tensor a = Dropout(0.5, {.seed = 3})(x, true);
  utils::set_random_seed(2);
  const Tensor b = Dropout(0.5, {.seed = 3})(x, true);
  test::expect_all_close(a, b, 0, 0);
}

// Keras 3 takes 0 <= rate <= 1; at rate 1 training drops everything (zeros, as Keras 3.15).
TEST(Dropout, RateMustBeInZeroOne) {
  test::expect_throws_with<ValueError>([] { Dropout(1.5); },
                                       "Invalid value received for argument `rate`. Expected a "
                                       "float value between 0 and 1. Received: rate=1.5");
  test::expect_throws_with<ValueError>([] { Dropout(-0.1); }, "Received: rate=-0.1");
  EXPECT_DOUBLE_EQ(Dropout(0.3)->rate(), 0.3);
  Dropout all(1.0);
  const Tensor x = ones({2, 3});
  test::expect_all_close((*all.layer())({x}, true)[0], zeros({2, 3}), 0, 0);
  test::expect_all_close((*all.layer())({x}, false)[0], x, 0, 0);
}

TEST(Dropout, DefaultName) {
  utils::clear_session();
  EXPECT_EQ(Dropout(0.1).name(), "dropout_1");
  EXPECT_EQ(Dropout(0.1).name(), "dropout_2");
  EXPECT_EQ(Dropout(0.1).class_name(), "Dropout");
}

// ---- Flatten ----

TEST(Flatten, Contract) {
  test::run_layer_test({
      .make_layer = [] { return Flatten(); },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 12},
  });
}

TEST(Flatten, Contract4d) {
  test::run_layer_test({
      .make_layer = [] { return Flatten(); },
      .input_shape = {3, 2, 2, 2},
      .expected_output_shape = {3, 8},
  });
}

TEST(Flatten, KeepsRowMajorOrder) {
  Flatten f;
  const Tensor x = test::tensor_of({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2}, float32);
  test::expect_all_close(f(x), test::tensor_of({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4}, float32), 0, 0);
}

TEST(Flatten, ContractChannelsFirst) {
  test::run_layer_test({
      .make_layer = [] { return Flatten({.data_format = "channels_first"}); },
      .input_shape = {3, 2, 2, 3},
      .expected_output_shape = {3, 12},
  });
}

TEST(Flatten, ChannelsFirstFlattensInChannelsLastOrder) {
  Flatten f({.data_format = "channels_first"});
  const Tensor x = test::tensor_of({1, 2, 3, 4, 5, 6}, {1, 2, 3}, float32);  // 2 channels
  test::expect_all_close(f(x), test::tensor_of({1, 4, 2, 5, 3, 6}, {1, 6}, float32), 0, 0);
  EXPECT_THROW(Flatten({.data_format = "channels_middle"}), ValueError);
}

TEST(Flatten, RankOneInputBecomesAColumn) {
  Flatten f;
  EXPECT_EQ(shape_str(f(keras::Input({})).shape()), "(None, 1)");
  EXPECT_EQ(shape_str(f->compute_output_shape({{5}})[0]), "(5, 1)");
}

TEST(Flatten, UndefinedNonBatchDimensionThrowsKerasError) {
  Flatten f;
  test::expect_throws_with<ValueError>(
      [&] {
        f(keras::Input({std::nullopt, 3}));
      },
      "The shape of the input to \"Flatten\" is not fully defined (got (None, 3)). Make sure to "
      "pass a complete \"input_shape\" or \"batch_input_shape\" argument to the first layer in "
      "your model.");
}

TEST(Flatten, DefaultName) {
  utils::clear_session();
  EXPECT_EQ(Flatten().name(), "flatten_1");
  EXPECT_EQ(Flatten({.name = "flat"}).name(), "flat");
}

// ---- Reshape ----

TEST(Reshape, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return Reshape({3, 4});
          },
      .input_shape = {2, 12},
      .expected_output_shape = {2, 3, 4},
  });
}

TEST(Reshape, ContractWithUnknownDimension) {
  test::run_layer_test({
      .make_layer =
          [] {
            return Reshape({-1, 2});
          },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 6, 2},
  });
}

TEST(Reshape, InfersMinusOne) {
  Reshape r({2, -1});
  EXPECT_EQ(shape_str(r(keras::Input({3, 4})).shape()), "(None, 2, 6)");
  EXPECT_EQ(shape_str(r->compute_output_shape({{kNone, 12}})[0]), "(None, 2, 6)");
  EXPECT_EQ(shape_str(r->compute_output_shape({{kNone, kNone}})[0]), "(None, 2, None)");
  const Tensor y = r(test::tensor_of({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {1, 3, 4}, float32));
  EXPECT_EQ(shape_str(y.shape()), "(1, 2, 6)");
  EXPECT_EQ(test::to_doubles(y)[7], 8.0);
}

TEST(Reshape, TotalSizeMustBeUnchanged) {
  test::expect_throws_with<ValueError>(
      [] {
        Reshape({5})(keras::Input({2, 3}));
      },
      "total size of new array must be unchanged");
  test::expect_throws_with<ValueError>(
      [] {
        Reshape({-1, 4})(keras::Input({2, 3}));
      },
      "total size of new array must be unchanged");
  // Eagerly the reshape op itself rejects the size (Keras 2 surfaces TF's reshape error here).
  EXPECT_THROW(Reshape({4})(ones({2, 2, 3})), ValueError);
}

// Keras 3's dropout_test: test_validate_noise_shape_negative_value / _zero_value.
TEST(Dropout, RejectsNonPositiveNoiseShapes) {
  test::expect_throws_with<ValueError>(
      [] {
        Dropout(0.5, {.noise_shape = std::vector<Dim>{20, -1, 10}});
      },
      "Expected all dimensions to be positive integers or None. Received negative or zero value "
      "at index 1: -1");
  test::expect_throws_with<ValueError>(
      [] {
        Dropout(0.5, {.noise_shape = std::vector<Dim>{20, 0, 10}});
      },
      "at index 1: 0");
  Dropout(0.5, {.noise_shape = std::vector<Dim>{std::nullopt, 1, 10}});
}

TEST(Reshape, InvalidTargetShapesThrow) {
  test::expect_throws_with<ValueError>(
      [] {
        Reshape({-1, -1});
      },
      "at most one unknown dimension (-1). Received: target_shape=(-1, -1)");
  test::expect_throws_with<ValueError>([] { Reshape({0, 3}); }, "target_shape=(0, 3)");
  test::expect_throws_with<ValueError>([] { Reshape({-2}); },
                                       "non-negative) integer or -1 for one unknown dimension. "
                                       "Received: target_shape=(-2,)");
}

TEST(Reshape, DefaultName) {
  utils::clear_session();
  EXPECT_EQ(Reshape({1}).name(), "reshape_1");
  EXPECT_EQ(Reshape({1}).class_name(), "Reshape");
}

}  // namespace
}  // namespace keras::layers

namespace keras::layers {
namespace {

TEST(Masking, Contract) {
  test::run_layer_test({
      .make_layer = [] { return Masking(0.5); },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 4},
  });
}

TEST(Masking, ZeroesMaskedStepsAndMasksThem) {
  const Tensor x = test::tensor_of({1, 2, 7, 7, 0, 7}, {1, 3, 2}, float32);
  const Tensor y = (*Masking(7.0).layer())({x})[0];
  test::expect_all_close(y, test::tensor_of({1, 2, 0, 0, 0, 7}, {1, 3, 2}, float32), 0, 0);
  const Tensor mask = y.keras_mask();
  ASSERT_TRUE(mask.defined());
  EXPECT_EQ(mask.shape(), (Shape{1, 3}));
  EXPECT_TRUE(mask.data<bool>()[0]);
  EXPECT_FALSE(mask.data<bool>()[1]);
  EXPECT_TRUE(mask.data<bool>()[2]);
}

TEST(Identity, Contract) {
  test::run_layer_test({
      .make_layer = [] { return Identity(); },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 4},
  });
}

// Any number of inputs, each with its dtype and mask: an Identity between an Embedding with
// mask_zero and an LSTM changes nothing (same kernels, same shapes: exact).
TEST(Identity, PassesInputsDtypesAndMasksOn) {
  utils::set_random_seed(3);
  KerasTensor ids = Input({4}, {.dtype = int32}), x = Input({2});
  KerasTensors out = Identity({.name = "both"}).call_multi({ids, x});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].dtype(), int32);
  EXPECT_EQ(out[1].shape(), (Shape{kNone, 2}));
  auto embed = Embedding(9, 3, {.mask_zero = true});
  auto lstm = LSTM(2);
  Model through(ids, lstm(Identity()(embed(ids))));
  Model direct(ids, lstm(embed(ids)));
  const Tensor tokens = test::tensor_of({3, 5, 0, 0, 7, 0, 2, 1}, {2, 4}, int32);
  test::expect_all_close(through.predict(tokens, {.verbose = 0})[0],
                         direct.predict(tokens, {.verbose = 0})[0], 0, 0);
  const Tensor masked = (*embed.layer())({tokens})[0];
  const Tensors passed = (*Identity().layer())({masked, tokens});
  ASSERT_TRUE(passed[0].keras_mask().defined());
  EXPECT_FALSE(passed[1].keras_mask().defined());
  EXPECT_EQ(passed[1].dtype(), int32);
}

}  // namespace
}  // namespace keras::layers
