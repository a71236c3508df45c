// InceptionResNetV2's CustomScaleLayer: its sum, and its config as Keras 3 saves it.
#include "keras/layers/custom_scale_layer.h"

#include <gtest/gtest.h>

#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/registry.h"

namespace keras::layers {
namespace {

TEST(CustomScaleLayer, AddsTheScaledResidual) {
  CustomScaleLayer layer(0.17);
  const Tensors y = (*layer.layer())({test::tensor_of({1, -2, 3}, {1, 3}, float32),
                                      test::tensor_of({10, 20, -30}, {1, 3}, float32)},
                                     false);
  // float32 products and sums of these small numbers: within one rounding of the exact values.
  test::expect_all_close(y[0], test::tensor_of({2.7, 1.4, -2.1}, {1, 3}, float32), 1e-6, 1e-6);
}

TEST(CustomScaleLayer, ConfigRoundTripsAsInceptionResNetV2Saves) {
  const Json saved = Json::parse(R"({"module": "keras.src.applications.inception_resnet_v2",
      "class_name": "CustomScaleLayer", "registered_name": "CustomScaleLayer",
      "config": {"name": "custom_scale_layer_3", "trainable": true, "scale": 0.1}})");
  auto layer = deserialize_layer(saved);
  EXPECT_EQ(layer->name(), "custom_scale_layer_3");
  const Json s = serialize_layer(*layer);
  EXPECT_EQ(s["module"], "keras.src.applications.inception_resnet_v2");
  EXPECT_EQ(s["class_name"], "CustomScaleLayer");
  EXPECT_EQ(s["config"]["scale"], 0.1);
}

}  // namespace
}  // namespace keras::layers
