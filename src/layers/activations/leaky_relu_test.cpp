#include "keras/layers/activations/leaky_relu.h"

#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/registry.h"

namespace keras::layers {
namespace {

TEST(LeakyReLU, Contract) {
  test::run_layer_test({
      .make_layer = [] { return LeakyReLU({.negative_slope = 0.2}); },
      .input_shape = {2, 5},
      .expected_output_shape = {2, 5},
  });
}

TEST(LeakyReLU, DefaultSlopeIsKeras3s) {
  const Tensor x = test::tensor_of({-2, 3}, {1, 2});
  LeakyReLU leaky;
  leaky->set_dtype(float64);  // a float32 layer would cast x to float32
  test::expect_all_close(leaky(x), test::tensor_of({-0.6, 3}, {1, 2}), 1e-15, 0);
  test::expect_throws_with<ValueError>([] { LeakyReLU({.negative_slope = -0.1}); },
                                       "negative_slope value of a Leaky ReLU layer");
}

TEST(LeakyReLU, ReadsKeras2Alpha) {
  auto layer = LeakyReLUImpl::from_config(Json{{"name", "l"}, {"alpha", 0.05}});
  EXPECT_EQ(layer->get_config()["negative_slope"], 0.05);
  EXPECT_FALSE(layer->get_config().contains("alpha"));
  auto back = deserialize_layer(serialize_layer(*layer));
  EXPECT_EQ(back->get_config(), layer->get_config());
}

}  // namespace
}  // namespace keras::layers
