#include "keras/layers/activations/prelu.h"

#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/registry.h"

namespace keras::layers {
namespace {

TEST(PReLU, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return PReLU({.alpha_initializer =
                              initializers::RandomUniform({.minval = -0.5, .maxval = 0.5})});
          },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 4},
      .expected_num_weights = 1,
      .expected_num_trainable_weights = 1,
  });
}

TEST(PReLU, ContractSharedAxes) {
  test::run_layer_test({
      .make_layer =
          [] {
            return PReLU(
                {.alpha_initializer = initializers::RandomUniform({.minval = -0.5, .maxval = 0.5}),
                 .shared_axes = {1, 2}});
          },
      .input_shape = {2, 3, 4, 5},
      .expected_output_shape = {2, 3, 4, 5},
      .expected_num_weights = 1,
      .expected_num_trainable_weights = 1,
  });
}

TEST(PReLU, AlphaShapeAndValues) {
  PReLU layer({.shared_axes = {1}});
  auto x = Input({3, 2});
  (void)layer(x);
  EXPECT_EQ(layer->alpha().shape(), (Shape{1, 2}));
  layer->set_weights({test::tensor_of({0.5, -2}, {1, 2}, float32)});
  const Tensor y = layer(test::tensor_of({-1, -1, 2, 2, -3, 4}, {1, 3, 2}, float32));
  test::expect_all_close(y, test::tensor_of({-0.5, 2, 2, 2, -1.5, 4}, {1, 3, 2}, float32), 0, 0);
}

TEST(PReLU, ConfigIsKeras3s) {
  PReLU layer({.shared_axes = {1, 2}, .name = "p"});
  const Json c = serialize_layer(*layer.layer());
  EXPECT_EQ(c["config"]["shared_axes"], Json::array({1, 2}));
  EXPECT_TRUE(c["config"]["alpha_constraint"].is_null());
  EXPECT_EQ(c["config"]["alpha_initializer"]["class_name"], "Zeros");
  EXPECT_EQ(deserialize_layer(c)->get_config(), layer->get_config());
  EXPECT_TRUE(PReLU()->get_config()["shared_axes"].is_null());
  Json bad = layer->get_config();
  bad["alpha_constraint"] = Json{{"class_name", "NonNeg"}, {"config", Json::object()}};
  test::expect_throws_with<NotImplementedError>([&] { PReLUImpl::from_config(bad); },
                                                "alpha_constraint");
}

}  // namespace
}  // namespace keras::layers
