#include "keras/layers/activations/prelu.h"

#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/registry.h"
#include "keras/models/model.h"
#include "keras/optimizers/optimizers.h"

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
  // A constraint loads, saves, and projects alpha after each optimizer step (Keras's NonNeg).
  Json with = layer->get_config();
  with["alpha_constraint"] = Json{{"class_name", "NonNeg"}, {"config", Json::object()}};
  const auto loaded = PReLUImpl::from_config(with);
  EXPECT_EQ(loaded->get_config()["alpha_constraint"]["class_name"], "NonNeg");
  auto in = keras::Input({3});
  PReLU p({.alpha_initializer = "ones", .alpha_constraint = "non_neg"});
  Model m(in, p(in));
  m.compile({.optimizer = optimizers::SGD({.learning_rate = 10.0}), .loss = "mse"});
  // y = x - alpha * relu(-x): pushing y up on negative x drives alpha below 0, clipped to 0.
  m.fit(full({4, 3}, -1.0), full({4, 3}, 5.0), {.epochs = 1, .batch_size = 4, .verbose = 0});
  test::expect_all_close(p->alpha().value(), zeros({3}), 0, 0);
}

}  // namespace
}  // namespace keras::layers
