// Normalization learned with adapt(): statistics against Keras 3's (tests/data/layers/goldens,
// tools/fixtures/make_layer_fixtures.py goldens), for one array and for batches, the weights
// Keras 3 has, invert, and the layer contract. Loading and saving Keras's files:
// tests/integration/layer_fixtures_test.cpp (normalization_adapt).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/io/npy.h"
#include "keras/layers/preprocessing/normalization.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

Tensor golden(const std::string& name, const char* kind) {
  return io::load_npy(str(KERAS_TEST_DATA_DIR, "/layers/goldens/", name, ".", kind, ".npy"));
}

TEST(NormalizationAdapt, MatchesKerasForEachAxisChoice) {
  const struct {
    const char* name;
    std::vector<int> axis;
  } cases[] = {{"adapt_last", {-1}},
               {"adapt_none", {}},
               {"adapt_12", {1, 2}},
               {"adapt_first_last", {1, -1}}};
  for (const auto& c : cases) {
    for (const bool batched : {false, true}) {
      const std::string name = str(c.name, batched ? "_batches" : "");
      SCOPED_TRACE(name);
      const Tensor x = golden(name, "x");
      Normalization layer({.axis = c.axis});
      if (batched) {
        // Keras's batches: x[:3], x[3:5], x[5:].
        layer->adapt(std::vector<Tensor>{ops::slice_axis(x, 0, 0, 3), ops::slice_axis(x, 0, 3, 2),
                                         ops::slice_axis(x, 0, 5, x.shape()[0] - 5)});
      } else {
        layer->adapt(x);
      }
      const auto w = layer.weights();
      ASSERT_EQ(w.size(), 3u);
      // Keras: NumPy's float32 sums (one array) or its float32 running combination (batches);
      // keras.cpp: float64, stored as float32. Relative rounding ~1e-6 of values ~10.
      test::expect_all_close(w[0].value(), golden(name, "mean"), 1e-5, 1e-5);
      test::expect_all_close(w[1].value(), golden(name, "variance"), 1e-5, 1e-5);
      EXPECT_EQ(w[2].dtype(), int32);
      EXPECT_EQ(w[2].value().item<int32_t>(), 0);  // Keras 3 never counts
      test::expect_all_close(layer(x), golden(name, "y"), 1e-5, 1e-5);
    }
  }
}

TEST(NormalizationAdapt, WeightsAsKerasAndInvert) {
  Normalization layer({.invert = true});
  const Tensor data = test::tensor_of({0, 7, 4, 2, 9, 6, 0, 7, 4, 2, 9, 6}, {4, 3}, float32);
  layer->adapt(data);
  const auto w = layer.weights();
  EXPECT_EQ(w[0].path(), layer.name() + "/mean");
  EXPECT_EQ(w[1].path(), layer.name() + "/variance");
  EXPECT_EQ(w[2].path(), layer.name() + "/count");
  EXPECT_EQ(layer.trainable_weights().size(), 0u);
  // Keras's docstring example: mean (1, 8, 5), variance 1: [1, 2, 3] -> [2, 10, 8].
  test::expect_all_close(layer(test::tensor_of({1, 2, 3}, {1, 3}, float32)),
                         test::tensor_of({2, 10, 8}, {1, 3}, float32), 0, 1e-6);
  test::expect_throws_with<ValueError>(
      [&] {
        layer->adapt(full({2, 4}, 1.0, float32));
      },
      "incompatible shape");
  test::expect_throws_with<ValueError>(
      [] {
        Normalization given(
            {.mean = NormalizationValues{{1.0}, {}}, .variance = NormalizationValues{{1.0}, {}}});
        given->adapt(full({2, 4}, 1.0, float32));
      },
      "adapt() cannot be called");
  test::expect_throws_with<ValueError>([] { Normalization()->adapt(std::vector<Tensor>{}); },
                                       "empty iterable");
  EXPECT_TRUE(layer->get_config()["mean"].is_null());
}

// No rows: NaN statistics, so NaN outputs, as Keras (not a mean of 0 and outputs of x / 1e-7).
TEST(NormalizationAdapt, NoRowsGiveNaNAndUndefinedIsAnError) {
  Normalization layer;
  layer->adapt(zeros({0, 4}));
  const Tensor y = layer(ones({2, 4})).cpu();
  for (int64_t i = 0; i < y.size(); ++i) EXPECT_TRUE(std::isnan(y.data<float>()[i]));
  test::expect_throws_with<ValueError>([&] { Normalization()->adapt(Tensor()); },
                                       "adapt() received an undefined Tensor");
}

TEST(NormalizationAdapt, Contract) {
  // Unadapted: mean 0 and variance 1 as Keras initialises them; three non-trainable weights.
  test::run_layer_test({.make_layer =
                            [] {
                              return Normalization({.axis = {1, 2}});
                            },
                        .input_shape = {2, 4, 3},
                        .expected_output_shape = {2, 4, 3},
                        .expected_num_weights = 3,
                        .expected_num_trainable_weights = 0});
}

}  // namespace
}  // namespace keras::layers
