// Pipeline: the layer contract, training passed to every layer, the config Keras writes and its
// error. Files Keras wrote with a Pipeline: tests/data/layers/wrappers.* (layer_fixtures_test).
#include "keras/layers/preprocessing/pipeline.h"

#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/core_layers.h"
#include "keras/layers/dense.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/preprocessing/auto_contrast.h"
#include "keras/layers/preprocessing/center_crop.h"
#include "keras/layers/preprocessing/rescaling.h"
#include "keras/layers/registry.h"
#include "keras/models/model.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"

namespace keras::layers {
namespace {

TEST(Pipeline, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return Pipeline(
                {Dense(3, {.activation = "tanh"}), Rescaling(0.5, {.offset = {0.1}}), Dense(2)});
          },
      .input_shape = {2, 4},
      .expected_output_shape = {2, 2},
      .expected_num_weights = 4,
      .expected_num_trainable_weights = 4,
  });
}

TEST(Pipeline, AppliesItsLayersInOrderWithTraining) {
  Dense first(3), second(2);
  Pipeline pipe({first, Dropout(0.9), second});
  const Tensor x = test::random_tensor({64, 4}, float32, 1, 2, 5);
  const Tensor y = pipe(x, false);
  test::expect_all_close(y, second(first(x, false), false), 0, 0);
  EXPECT_EQ(pipe.weights().size(), 4u);
  // training reaches Dropout: most of the hidden units are dropped.
  const Tensor dropped = Pipeline({Dropout(0.9)})(x, true);
  EXPECT_GT(
      ops::mean(ops::cast(ops::equal(dropped, ops::zeros_like(dropped)), float32)).item<float>(),
      0.8f);
  // In a model: inference leaves Dropout out; the config lists the layers and the name only.
  const KerasTensor input = keras::Input({4});
  Model model(input, pipe(input));
  test::expect_all_close(model.predict(x, {.verbose = 0})[0], y, 1e-6, 1e-6);
  const Json config = pipe->get_config();
  EXPECT_EQ(config.size(), 2u);
  EXPECT_EQ(config["layers"].size(), 3u);
  EXPECT_EQ(config["layers"][1]["class_name"], "Dropout");
}

// Keras's pipeline_test.py: AutoContrast then CenterCrop, restored from its config.
TEST(Pipeline, FromConfigPredictsTheSame) {
  Pipeline pipe({AutoContrast(), CenterCrop(8, 9)});
  const Tensor x = test::random_tensor({2, 10, 12, 3}, float32, 0, 255, 7);
  const Tensor y = pipe(x, true);
  EXPECT_EQ(y.shape(), (Shape{2, 8, 9, 3}));
  const LayerRef restored(deserialize_layer(serialize_layer(*pipe.layer())));
  test::expect_all_close(restored(x, true), y, 0, 0);
  test::run_layer_test({
      .make_layer =
          [] {
            return Pipeline({AutoContrast({.value_range = {0, 1}}), Rescaling(0.5)});
          },
      .input_shape = {8, 3, 4, 3},
      .expected_output_shape = {8, 3, 4, 3},
      .input_lo = 0,
      .input_hi = 1,
  });
}

TEST(Pipeline, KerasError) {
  test::expect_throws_with<ValueError>(
      [] {
        deserialize_layer(Json{{"class_name", "Pipeline"}, {"config", {{"name", "p"}}}});
      },
      "`Pipeline` config must contain a `layers` key mapping to a list of serialized layers. "
      "Received config with layers=None.");
  EXPECT_THROW(Pipeline({Dense(2), LayerRef{}}), ValueError);
}

}  // namespace
}  // namespace keras::layers
