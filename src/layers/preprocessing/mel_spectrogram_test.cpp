// MelSpectrogram: the filter matrix, shapes (the real frame count), the layer contract without
// power_to_db, the batch-wide floor with it, and Keras's errors. Keras's numbers: the model file
// tests/data/layers/mel_spectrogram.* (layer_fixtures_test).
#include "keras/layers/preprocessing/mel_spectrogram.h"

#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/registry.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

TEST(MelSpectrogram, FilterMatrixIsTriangles) {
  const std::vector<double> w = linear_to_mel_weight_matrix(4, 33, 8000, 100, 3000);
  for (int64_t m = 0; m < 4; ++m) EXPECT_EQ(w[static_cast<size_t>(m)], 0.0);  // the DC bin
  for (int64_t m = 0; m < 4; ++m) {
    double peak = 0;
    for (int64_t b = 0; b < 33; ++b) {
      const double v = w[static_cast<size_t>(b * 4 + m)];
      EXPECT_GE(v, 0.0);
      EXPECT_LE(v, 1.0);
      peak = std::max(peak, v);
    }
    EXPECT_GT(peak, 0.5) << m;  // each band meets some bin near its centre
  }
}

TEST(MelSpectrogram, Shapes) {
  MelSpectrogram layer({.fft_length = 64, .sequence_stride = 16, .num_mel_bins = 10});
  EXPECT_EQ(layer(keras::Input({1000})).shape(), (Shape{kNone, 10, 63}));
  EXPECT_EQ(layer(keras::Input({std::nullopt})).shape(), (Shape{kNone, 10, kNone}));
  // 1023 samples: 1 + 1023 / 16 = 64 frames (Keras's compute_output_shape says 65).
  const Tensor y = layer(test::random_tensor({2, 1023}, float32, -1, 1, 1), false);
  EXPECT_EQ(y.shape(), (Shape{2, 10, 64}));
  EXPECT_EQ(layer(test::random_tensor({1023}, float32, -1, 1, 1), false).shape(), (Shape{10, 64}));
}

TEST(MelSpectrogram, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return MelSpectrogram(
                {.fft_length = 16, .sequence_stride = 4, .num_mel_bins = 5, .power_to_db = false});
          },
      .input_shape = {2, 40},
      .expected_output_shape = {2, 5, 11},
      .grad_tol = 1e-5,
      // No weights: the check would fit a Dense(1) on powers up to ~100, which diverges at SGD's
      // 0.05.
      .check_training_lowers_loss = false,
  });
}

// power_to_db floors every value at the largest of the whole batch minus top_db.
TEST(MelSpectrogram, DecibelFloorIsBatchWide) {
  MelSpectrogram layer({.fft_length = 32, .sequence_stride = 8, .num_mel_bins = 6, .top_db = 30});
  const Tensor loud = ops::multiply(test::random_tensor({1, 200}, float32, -1, 1, 2), 100.0);
  const Tensor quiet = ops::multiply(test::random_tensor({1, 200}, float32, -1, 1, 3), 1e-3);
  const Tensor both = layer(ops::concatenate({loud, quiet}, 0), false);
  const double top = ops::max(both).item<float>();
  EXPECT_NEAR(ops::min(both).item<float>(), top - 30, 1e-4);
  EXPECT_FALSE(layer->batch_independent());
}

TEST(MelSpectrogram, KerasErrors) {
  EXPECT_EQ(test::message_of<ValueError>(
                [] { MelSpectrogram({.fft_length = 64, .sequence_length = 128}); }),
            "`fft_length` must be greater than or equal to   `sequence_length`. Received: "
            "`sequence_length`=128, `fft_length`=64.");
  test::expect_throws_with<ValueError>([] { MelSpectrogram({.window = "blackman"}); },
                                       "it must be one of `\"hann\"`, `\"hamming\"`");
  MelSpectrogram layer({.fft_length = 16, .sequence_stride = 4, .num_mel_bins = 5});
  test::expect_throws_with<ValueError>(
      [&] {
        layer(test::random_tensor({2, 3, 40}, float32, -1, 1, 4), false);
      },
      "ndim");
  const Json config = layer->get_config();
  EXPECT_EQ(config["max_freq"], 8000);
  EXPECT_EQ(config["sequence_length"], 16);
  const LayerRef restored(deserialize_layer(serialize_layer(*layer.layer())));
  EXPECT_EQ(restored->get_config(), config);
}

}  // namespace
}  // namespace keras::layers
