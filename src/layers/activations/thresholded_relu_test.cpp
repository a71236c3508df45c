#include "keras/layers/activations/thresholded_relu.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/registry.h"

namespace keras::layers {
namespace {

TEST(ThresholdedReLU, Contract) {
  test::run_layer_test({
      .make_layer = [] { return ThresholdedReLU({.theta = 0.3}); },
      .input_shape = {2, 3, 2},
      .expected_output_shape = {2, 3, 2},
  });
}

// tf_keras's x * cast(x > theta): the threshold itself gives 0, -inf gives NaN (-inf * 0).
TEST(ThresholdedReLU, KeepsValuesAboveTheta) {
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  const Tensor x = test::tensor_of({-2, 0.5, 1.0, 1.5, nan, inf, -inf}, {1, 7});
  test::expect_all_close(ThresholdedReLU()(x),
                         test::tensor_of({0, 0, 0, 1.5, nan, inf, nan}, {1, 7}, float32), 0, 0);
  test::expect_all_close(ThresholdedReLU({.theta = 0.0})(x),
                         test::tensor_of({0, 0.5, 1.0, 1.5, nan, inf, nan}, {1, 7}, float32), 0, 0);
}

TEST(ThresholdedReLU, ConfigAndErrorsAsKeras2) {
  EXPECT_EQ(ThresholdedReLU().name().rfind("thresholded_re_lu", 0), 0u);
  const Json config = ThresholdedReLU({.theta = 0.25})->get_config();
  EXPECT_EQ(config["theta"], 0.25);
  const auto copy = deserialize_layer({{"class_name", "ThresholdedReLU"}, {"config", config}});
  EXPECT_EQ(std::dynamic_pointer_cast<ThresholdedReLUImpl>(copy)->theta(), 0.25);
  EXPECT_THROW(
      {
        try {
          ThresholdedReLU({.theta = -1});
        } catch (const ValueError& e) {
          EXPECT_STREQ(e.what(),
                       "The theta value of a Thresholded ReLU layer should be >=0. Received: -1");
          throw;
        }
      },
      ValueError);
  Json none = config;
  none["theta"] = nullptr;
  EXPECT_THROW(deserialize_layer({{"class_name", "ThresholdedReLU"}, {"config", none}}),
               ValueError);
}

}  // namespace
}  // namespace keras::layers
