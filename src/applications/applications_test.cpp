// keras::applications against Keras 3.15: every layer's class and name, in order, and the weight
// counts, from tests/data/applications/layer_names.txt (made by
// tools/fixtures/make_applications_fixtures.py with Keras's default arguments); options and
// errors. Predictions against Keras's files: tests/integration/applications_files_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <keras/keras.hpp>
#include <map>
#include <regex>
#include <sstream>

#include "harness/keras_applications.h"
#include "harness/tensor_matchers.h"

namespace keras {
namespace {

using test::count;
using test::expect_as_keras;
using ::testing::HasSubstr;
namespace A = keras::applications;

TEST(Applications, XceptionLayersAsKeras) {
  expect_as_keras(
      "xception", [] { return A::Xception(); }, [] { return A::Xception({.include_top = false}); });
}

TEST(Applications, ResNet50LayersAndWeightCountsAsKeras) {
  expect_as_keras(
      "resnet50", [] { return A::ResNet50(); }, [] { return A::ResNet50({.include_top = false}); });
  Model m = A::ResNet50();
  EXPECT_EQ(m.count_params(), 25636712);  // Keras's documented count
  EXPECT_EQ(shape_str(m.inputs()[0].shape()), "(None, 224, 224, 3)");
  EXPECT_EQ(shape_str(m.output().shape()), "(None, 1000)");
  EXPECT_EQ(shape_str(m.get_layer("conv5_block3_out").output().shape()), "(None, 7, 7, 2048)");
}

TEST(Applications, MobileNetV2LayersAndWeightCountsAsKeras) {
  expect_as_keras(
      "mobilenet_v2", [] { return A::MobileNetV2(); },
      [] { return A::MobileNetV2({.include_top = false}); });
  Model m = A::MobileNetV2();
  EXPECT_EQ(m.count_params(), 3538984);
  EXPECT_EQ(shape_str(m.get_layer("out_relu").output().shape()), "(None, 7, 7, 1280)");
}

TEST(Applications, EfficientNetB0LayersAndWeightCountsAsKeras) {
  expect_as_keras(
      "efficientnet_b0", [] { return A::EfficientNetB0(); },
      [] { return A::EfficientNetB0({.include_top = false}); });
  Model m = A::EfficientNetB0();
  EXPECT_EQ(m.count_params(), 5330571);
  EXPECT_EQ(shape_str(m.get_layer("top_activation").output().shape()), "(None, 7, 7, 1280)");
}

TEST(Applications, ResNet50Options) {
  Model pooled = A::ResNet50({.include_top = false, .pooling = "avg"});
  EXPECT_EQ(shape_str(pooled.inputs()[0].shape()), "(None, None, None, 3)");
  EXPECT_EQ(shape_str(pooled.output().shape()), "(None, 2048)");
  EXPECT_EQ(pooled.layers().back().name(), "avg_pool");
  Model max_pooled = A::ResNet50({.include_top = false, .pooling = "max"});
  EXPECT_EQ(max_pooled.layers().back().name(), "max_pool");
  EXPECT_EQ(max_pooled.layers().back().class_name(), "GlobalMaxPooling2D");

  Model ten =
      A::ResNet50({.input_shape = {{64, 64, 3}}, .classes = 10, .classifier_activation = "linear"});
  EXPECT_EQ(ten.count_params(), 23587712 + 2048 * 10 + 10);
  EXPECT_EQ(shape_str(ten.output().shape()), "(None, 10)");

  auto image = Input({96, 96, 3}, {.name = "image"});
  Model from_tensor = A::ResNet50({.include_top = false, .input_tensor = image});
  EXPECT_EQ(from_tensor.inputs()[0], image);
  EXPECT_EQ(shape_str(from_tensor.output().shape()), "(None, 3, 3, 2048)");

  EXPECT_THAT(test::message_of([] { A::ResNet50({.weights = "imagenet"}); }),
              HasSubstr("The `weights` argument should be either `None`"));
  EXPECT_THAT(test::message_of([] {
                A::ResNet50({.input_shape = {{31, 64, 3}}});
              }),
              HasSubstr("Input size must be at least 32x32"));
  EXPECT_THAT(test::message_of([] {
                A::ResNet50({.input_shape = {{std::nullopt, 64, 3}}});
              }),
              HasSubstr("you should specify a static `input_shape`"));
  EXPECT_THAT(test::message_of([] { A::ResNet50({.include_top = false, .pooling = "mean"}); }),
              HasSubstr("ResNet50: pooling must be"));
  EXPECT_THAT(test::message_of([] { A::ResNet50({.classes = 0}); }),
              HasSubstr("classes must be at least 1"));
}

TEST(Applications, MobileNetV2AlphaAndNames) {
  // Keras 3: MobileNetV2(alpha=0.35, include_top=False, input_shape=(96, 96, 3)).count_params()
  // = 410,208; alpha=1.4 with the top at 224: 6,156,712.
  Model small = A::MobileNetV2({.input_shape = {{96, 96, 3}}, .alpha = 0.35, .include_top = false});
  EXPECT_EQ(small.name(), "mobilenetv2_0.35_96");
  EXPECT_EQ(small.count_params(), 410208);
  EXPECT_EQ(shape_str(small.output().shape()), "(None, 3, 3, 1280)");
  Model wide = A::MobileNetV2({.alpha = 1.4});
  EXPECT_EQ(wide.name(), "mobilenetv2_1.40_224");
  EXPECT_EQ(wide.count_params(), 6156712);
  EXPECT_EQ(A::MobileNetV2({.include_top = false}).name(), "mobilenetv2_1.00_None");
  EXPECT_EQ(A::MobileNetV2({.include_top = false, .name = "backbone"}).name(), "backbone");
  Model pooled = A::MobileNetV2({.include_top = false, .pooling = "avg"});
  EXPECT_EQ(shape_str(pooled.output().shape()), "(None, 1280)");
  // Odd sizes: correct_pad pads one more row and column before strided convolutions.
  Model odd = A::MobileNetV2({.input_shape = {{33, 33, 3}}, .include_top = false});
  EXPECT_EQ(shape_str(odd.output().shape()), "(None, 2, 2, 1280)");
  EXPECT_THAT(test::message_of([] { A::MobileNetV2({.alpha = 0}); }), HasSubstr("alpha"));
  EXPECT_THAT(test::message_of([] { A::MobileNetV2({.weights = "imagenet"}); }),
              HasSubstr("downloads nothing"));
}

TEST(Applications, EfficientNetB0OptionsAndStem) {
  Model m = A::EfficientNetB0({.include_top = false, .input_shape = {{64, 64, 3}}});
  EXPECT_EQ(m.layers()[1].class_name(), "Rescaling");
  EXPECT_EQ(m.layers()[2].class_name(), "Normalization");
  EXPECT_EQ(count(m.layers()[2].weights()), 7);  // mean (3), variance (3), count ()
  EXPECT_EQ(shape_str(m.output().shape()), "(None, 2, 2, 1280)");
  // The drop-connect Dropouts drop whole samples.
  EXPECT_EQ(m.get_layer("block2b_drop")->get_config()["noise_shape"].dump(), "[null,1,1,1]");
  Model pooled = A::EfficientNetB0({.include_top = false, .pooling = "max"});
  EXPECT_EQ(pooled.layers().back().name(), "max_pool");
  EXPECT_EQ(shape_str(pooled.output().shape()), "(None, 1280)");
  Model top = A::EfficientNetB0({.input_shape = {{64, 64, 3}}, .classes = 5});
  EXPECT_EQ(top.get_layer("top_dropout")->get_config()["rate"].template get<double>(), 0.2);
  EXPECT_EQ(top.count_params(), 4049571 + 1280 * 5 + 5);

  // A forward pass at inference: the identity Dropouts, finite outputs summing to one.
  Tensor x = random::uniform({2, 64, 64, 3}, 0, 255, float32, 3);
  Tensor p = top.predict(x);
  ASSERT_EQ(p.shape(), (Shape{2, 5}));
  EXPECT_NEAR(ops::sum(p).item<double>(), 2.0, 1e-5);
  EXPECT_THAT(test::message_of([] { A::EfficientNetB0({.weights = "b0.h5"}); }),
              HasSubstr("downloads nothing"));
}

}  // namespace
}  // namespace keras
