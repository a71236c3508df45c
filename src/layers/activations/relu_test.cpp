#include "keras/layers/activations/relu.h"

#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/registry.h"
#include "keras/ops/activations.h"
#include "keras/ops/nn.h"

namespace keras::layers {
namespace {

TEST(ReLU, Contract) {
  test::run_layer_test({
      .make_layer =
          [] { return ReLU({.max_value = 0.8, .negative_slope = 0.1, .threshold = 0.05}); },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 4},
      .grad_tol = 1e-5,  // random inputs may fall within 1e-6 of a kink only with tiny odds
  });
}

TEST(ReLU, ComputesKerasRelu) {
  const Tensor x = test::tensor_of({-2, -0.5, 0.1, 0.3, 0.5, 0.9, 3}, {1, 7});
  // float64 layers (Keras's dtype="float64"): a float32 layer would cast x to float32.
  auto f64 = [](ReLU r) {
    r->set_dtype(float64);
    return r;
  };
  // Keras 3: ReLU(max_value=0.8, negative_slope=0.1, threshold=0.3)(x).
  test::expect_all_close(f64(ReLU({.max_value = 0.8, .negative_slope = 0.1, .threshold = 0.3}))(x),
                         test::tensor_of({-0.23, -0.08, -0.02, 0, 0.5, 0.8, 0.8}, {1, 7}), 1e-12,
                         1e-15);
  test::expect_all_close(f64(ReLU())(x), test::tensor_of({0, 0, 0.1, 0.3, 0.5, 0.9, 3}, {1, 7}), 0,
                         0);
  test::expect_all_close(f64(ReLU({.max_value = 6.0}))(x), ops::relu6(x), 0, 0);
}

TEST(ReLU, RejectsNegativeArguments) {
  test::expect_throws_with<ValueError>([] { ReLU({.max_value = -1.0}); },
                                       "max_value of a ReLU layer cannot be a negative value");
  test::expect_throws_with<ValueError>([] { ReLU({.negative_slope = -1.0}); },
                                       "negative_slope of a ReLU layer");
  test::expect_throws_with<ValueError>([] { ReLU({.threshold = -1.0}); },
                                       "threshold of a ReLU layer");
}

TEST(ReLU, ConfigIsKeras3s) {
  const Json c = ReLU({.max_value = 6.0, .name = "r"})->get_config();
  EXPECT_EQ(c["max_value"], 6.0);
  EXPECT_EQ(c["negative_slope"], 0.0);
  EXPECT_EQ(c["threshold"], 0.0);
  EXPECT_TRUE(ReLU()->get_config()["max_value"].is_null());
  auto back = deserialize_layer(serialize_layer(*ReLU({.negative_slope = 0.2}).layer()));
  EXPECT_EQ(back->get_config()["negative_slope"], 0.2);
  EXPECT_TRUE(back->get_config()["max_value"].is_null());
}

}  // namespace
}  // namespace keras::layers
