// GroupNormalization, UnitNormalization, RMSNormalization and LayerScale: the layer contract and
// their definitions on small inputs (Keras's own numbers are checked by
// tests/integration/layer_fixtures_test.cpp).
#include <gtest/gtest.h>

#include <cmath>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/normalization/group_normalization.h"
#include "keras/layers/normalization/layer_scale.h"
#include "keras/layers/normalization/rms_normalization.h"
#include "keras/layers/normalization/unit_normalization.h"
#include "keras/layers/registry.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

initializers::Initializer spread() {
  return initializers::RandomUniform({.minval = 0.5, .maxval = 1.5});
}

TEST(GroupNormalization, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return GroupNormalization(
                {.groups = 2, .beta_initializer = spread(), .gamma_initializer = spread()});
          },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 4},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
      .grad_tol = 1e-5,
  });
}

TEST(GroupNormalization, ContractChannelsFirstInstanceNorm) {
  test::run_layer_test({
      .make_layer = [] { return GroupNormalization({.groups = -1, .axis = 1, .center = false}); },
      .input_shape = {2, 3, 4, 2},
      .expected_output_shape = {2, 3, 4, 2},
      .expected_num_weights = 1,
      .expected_num_trainable_weights = 1,
      .grad_tol = 1e-5,
  });
}

TEST(GroupNormalization, NormalizesEachGroup) {
  // Two groups of two channels over 3 steps: each group's 6 values get mean 0, variance ~1.
  const Tensor x = test::random_tensor({2, 3, 4}, float64, -3, 5, 4);
  GroupNormalization layer({.groups = 2, .epsilon = 0});
  layer->set_dtype(float64);
  const Tensor y = layer(x);
  const Tensor g = ops::reshape(y, {2, 3, 2, 2});
  test::expect_all_close(ops::mean(g, {1, 3}), zeros({2, 2}, float64), 0, 1e-12);
  test::expect_all_close(ops::mean(ops::square(g), {1, 3}), ones({2, 2}, float64), 1e-12, 0);
}

TEST(GroupNormalization, ErrorsAndConfig) {
  auto x3 = test::tensor_of({1, 2, 3}, {1, 3}, float32);
  test::expect_throws_with<ValueError>([&] { GroupNormalization({.groups = 4})(x3); },
                                       "cannot be more than the number of channels (3)");
  test::expect_throws_with<ValueError>([&] { GroupNormalization({.groups = 2})(x3); },
                                       "must be a multiple");
  GroupNormalization layer({.groups = -1});
  (void)layer(x3);
  EXPECT_EQ(layer->get_config()["groups"], 3);  // Keras writes the resolved count
  Json c = layer->get_config();
  // Constraints load and save (Keras 3's NonNeg), and clip gamma after each step.
  c["gamma_constraint"] = Json{{"class_name", "NonNeg"}, {"config", Json::object()}};
  const auto loaded = GroupNormalizationImpl::from_config(c);
  EXPECT_EQ(loaded->get_config()["gamma_constraint"]["class_name"], "NonNeg");
  EXPECT_TRUE(layer->get_config()["beta_constraint"].is_null());
}

TEST(UnitNormalization, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return UnitNormalization({.axis = {1, 2}});
          },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 4},
  });
}

TEST(UnitNormalization, UnitL2Norm) {
  UnitNormalization unit;
  unit->set_dtype(float64);  // a float32 layer would cast the float64 input to float32
  const Tensor y = unit(test::tensor_of({3, 4, 0, 0}, {2, 2}));
  // A zero row stays zero: the inverse norm is capped at 1e12.
  test::expect_all_close(y, test::tensor_of({0.6, 0.8, 0, 0}, {2, 2}), 1e-15, 0);
  test::expect_throws_with<ValueError>(
      [] {
        UnitNormalization({.axis = {2}})(test::tensor_of({1, 2}, {1, 2}));
      },
      "out of bounds");
}

TEST(RMSNormalization, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return RMSNormalization({.axis = {1, 2}});
          },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 4},
      .expected_num_weights = 1,
      .expected_num_trainable_weights = 1,
  });
}

TEST(RMSNormalization, DividesByTheRootMeanSquare) {
  RMSNormalization layer({.epsilon = 0});
  layer->set_dtype(float64);
  const Tensor y = layer(test::tensor_of({3, 4, 1, 1}, {2, 2}));
  const double r = std::sqrt(12.5);
  test::expect_all_close(y, test::tensor_of({3 / r, 4 / r, 1, 1}, {2, 2}), 1e-15, 0);
  EXPECT_EQ(layer->scale().shape(), (Shape{2}));
  EXPECT_EQ(layer->get_config()["epsilon"], 0.0);
}

TEST(LayerScale, Contract) {
  test::run_layer_test({
      .make_layer = [] { return LayerScale(0.3, 4); },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 4},
      .expected_num_weights = 1,
      .expected_num_trainable_weights = 1,
  });
}

TEST(LayerScale, SavesAsConvNeXtsLayer) {
  LayerScale layer(0.25, 2);
  const Tensor y = layer(test::tensor_of({1, 2}, {1, 2}, float32));
  test::expect_all_close(y, test::tensor_of({0.25, 0.5}, {1, 2}, float32), 0, 0);
  const Json s = serialize_layer(*layer.layer());
  EXPECT_EQ(s["module"], "keras.src.applications.convnext");
  EXPECT_EQ(s["config"]["init_values"], 0.25);
  EXPECT_EQ(s["config"]["projection_dim"], 2);
}

}  // namespace
}  // namespace keras::layers
