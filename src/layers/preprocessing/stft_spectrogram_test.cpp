// STFTSpectrogram: the layer contract, scipy's windows, the DFT it computes, shapes with an
// unknown length and Keras's errors. Keras's own numbers for every mode: the model file in
// tests/data/layers/stft_spectrogram.* (layer_fixtures_test).
#include "keras/layers/preprocessing/stft_spectrogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/registry.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/math.h"

namespace keras::layers {
namespace {

void expect_window(const std::string& name, int64_t n, bool periodic, std::vector<double> want) {
  SCOPED_TRACE(name);
  const std::vector<double> got = ops::get_window(name, n, periodic);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << i;
}

// scipy.signal.get_window(name, n, fftbins=periodic), by hand.
TEST(STFTSpectrogram, WindowsAreScipys) {
  expect_window("hann", 5, false, {0, 0.5, 1, 0.5, 0});
  expect_window("hann", 4, true, {0, 0.5, 1, 0.5});
  expect_window("hamming", 3, false, {0.08, 1, 0.08});
  expect_window("blackman", 3, false, {0, 1, 0});
  expect_window("bartlett", 5, false, {0, 0.5, 1, 0.5, 0});
  expect_window("triang", 4, false, {0.25, 0.75, 0.75, 0.25});
  expect_window("triang", 3, false, {0.5, 1, 0.5});
  expect_window("boxcar", 3, true, {1, 1, 1});
  expect_window("cosine", 2, false, {std::sqrt(0.5), std::sqrt(0.5)});
  expect_window("hann", 1, false, {1});
  EXPECT_EQ(test::message_of<ValueError>([] { ops::get_window("kaiserx", 4, false); }),
            "Unknown window type.");
}

// Mode "stft" without a window or scaling is the plain DFT of each frame.
TEST(STFTSpectrogram, IsTheDftOfEachFrame) {
  STFTSpectrogram layer({.mode = "stft",
                         .frame_length = 4,
                         .frame_step = 2,
                         .window = std::nullopt,
                         .scaling = std::nullopt});
  const std::vector<double> signal = {1, -2, 0.5, 3, -1, 2, 0, 1};
  const Tensor y = layer(test::tensor_of(signal, {1, 8, 1}, float32), false);
  ASSERT_EQ(y.shape(), (Shape{1, 3, 6}));  // frames 0, 2, 4; 3 bins, real then imaginary
  const std::vector<double> got = test::to_doubles(y);
  for (int frame = 0; frame < 3; ++frame) {
    for (int f = 0; f < 3; ++f) {
      double re = 0, im = 0;
      for (int t = 0; t < 4; ++t) {
        const double angle = -2 * std::numbers::pi * t * f / 4;
        re += signal[static_cast<size_t>(2 * frame + t)] * std::cos(angle);
        im += signal[static_cast<size_t>(2 * frame + t)] * std::sin(angle);
      }
      EXPECT_NEAR(got[static_cast<size_t>(frame * 6 + f)], re, 1e-5);
      EXPECT_NEAR(got[static_cast<size_t>(frame * 6 + 3 + f)], im, 1e-5);
    }
  }
}

TEST(STFTSpectrogram, Contract) {
  test::run_layer_test({
      .make_layer = [] { return STFTSpectrogram({.mode = "stft", .frame_length = 8}); },
      .input_shape = {2, 32, 2},
      .expected_output_shape = {2, 7, 20},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
  test::run_layer_test({
      .make_layer =
          [] {
            return STFTSpectrogram({.mode = "magnitude",
                                    .frame_length = 6,
                                    .frame_step = 3,
                                    .fft_length = 8,
                                    .window = "hamming",
                                    .padding = "same",
                                    .expand_dims = true,
                                    .data_format = "channels_first"});
          },
      .input_shape = {2, 3, 12},
      .expected_output_shape = {2, 3, 4, 5},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
      .grad_tol = 1e-5,
  });
  test::run_layer_test({
      .make_layer = [] { return STFTSpectrogram({.mode = "real", .frame_length = 4}); },
      .input_shape = {2, 10, 1},
      .expected_output_shape = {2, 4, 3},
      .expected_num_weights = 1,
      .expected_num_trainable_weights = 1,
  });
}

TEST(STFTSpectrogram, UnknownLengthAndConfig) {
  STFTSpectrogram layer({.mode = "psd", .frame_length = 16, .data_format = "channels_last"});
  const KerasTensor out = layer(keras::Input({std::nullopt, 3}));
  EXPECT_EQ(out.shape(), (Shape{kNone, kNone, 27}));
  EXPECT_EQ(layer->frame_step(), 8);
  EXPECT_EQ(layer->fft_length(), 16);
  const Json config = layer->get_config();
  EXPECT_EQ(config["window"], "hann");
  EXPECT_TRUE(config["frame_step"].is_null());
  const LayerRef restored(deserialize_layer(serialize_layer(*layer.layer())));
  EXPECT_EQ(restored->get_config(), config);
}

TEST(STFTSpectrogram, KerasErrors) {
  EXPECT_EQ(
      test::message_of<ValueError>([] { STFTSpectrogram({.frame_length = 8, .frame_step = 9}); }),
      "`frame_step` should be a positive integer not greater than `frame_length`. "
      "Received frame_step=9, frame_length=8");
  EXPECT_EQ(
      test::message_of<ValueError>([] { STFTSpectrogram({.frame_length = 8, .fft_length = 4}); }),
      "`fft_length` should be not less than `frame_length`. Received fft_length=4, "
      "frame_length=8");
  test::expect_throws_with<ValueError>([] { STFTSpectrogram({.mode = "power"}); },
                                       "Output mode is invalid, it must be one of log, "
                                       "magnitude, psd, real, imag, angle, stft. Received: "
                                       "mode=power");
  test::expect_throws_with<ValueError>([] { STFTSpectrogram({.scaling = "energy"}); },
                                       "Scaling is invalid");
  test::expect_throws_with<ValueError>([] { STFTSpectrogram({.padding = "causal"}); },
                                       "Padding is invalid, it should be 'valid', 'same'.");
  test::expect_throws_with<ValueError>([] { STFTSpectrogram({.window = "nope"}); },
                                       "Unknown window type.");
  test::expect_throws_with<ValueError>(
      [] {
        STFTSpectrogram({.frame_length = 4, .window_values = {1, 2}});
      },
      "The shape of `window` must be equal to [frame_length].");
  STFTSpectrogram layer({.frame_length = 4});
  test::expect_throws_with<TypeError>(
      [&] {
        layer(test::tensor_of({1, 2, 3, 4, 5}, {1, 5, 1}, int32), false);
      },
      "Invalid input type. Expected `float16`, `float32` or `float64`. Received: input "
      "type=int32");
  test::expect_throws_with<ValueError>(
      [&] {
        layer(test::tensor_of({1, 2, 3, 4, 5}, {5, 1}, float32), false);
      },
      "expected ndim=3");
}

}  // namespace
}  // namespace keras::layers
