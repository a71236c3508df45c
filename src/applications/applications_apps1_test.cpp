// keras::applications' VGG, ResNet (101, 152, V2), DenseNet, InceptionV3, InceptionResNetV2 and
// MobileNet against Keras 3.15: every layer's class and name, in order, and the weight counts,
// from tests/data/applications/layer_names_apps1.txt (tools/fixtures/make_applications_fixtures.py
// `names --keras`, Keras's default arguments); options and the errors Keras raises.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <keras/keras.hpp>

#include "harness/keras_applications.h"
#include "harness/tensor_matchers.h"

namespace keras {
namespace {

using test::expect_as_keras;
using ::testing::HasSubstr;
namespace A = keras::applications;

std::string out_shape(const Model& m) {
  return shape_str(m.output().shape());
}

TEST(Applications, VGG16LayersAndWeightCountsAsKeras) {
  expect_as_keras(
      "vgg16", [] { return A::VGG16(); }, [] { return A::VGG16({.include_top = false}); });
}

TEST(Applications, VGG19LayersAndWeightCountsAsKeras) {
  expect_as_keras(
      "vgg19", [] { return A::VGG19(); }, [] { return A::VGG19({.include_top = false}); });
}

TEST(Applications, VGGOptions) {
  // Keras: VGG16(weights=None, input_shape=(32, 32, 3), classes=10).count_params() = 33,638,218
  // (the Flatten sees 1 x 1 x 512).
  Model small = A::VGG16({.input_shape = {{32, 32, 3}}, .classes = 10});
  EXPECT_EQ(small.count_params(), 33638218);
  EXPECT_EQ(out_shape(small), "(None, 10)");
  EXPECT_EQ(small.get_layer("predictions")->get_config()["activation"].template get<std::string>(),
            "softmax");
  Model features = A::VGG19({.include_top = false, .input_shape = {{64, 96, 3}}});
  EXPECT_EQ(out_shape(features), "(None, 2, 3, 512)");
  EXPECT_EQ(features.layers().back().name(), "block5_pool");
  Model pooled = A::VGG16({.include_top = false, .pooling = "avg"});
  EXPECT_EQ(pooled.layers().back().class_name(), "GlobalAveragePooling2D");
  EXPECT_EQ(out_shape(pooled), "(None, 512)");
  Model max_pooled = A::VGG19({.include_top = false, .pooling = "max", .name = "features"});
  EXPECT_EQ(max_pooled.layers().back().class_name(), "GlobalMaxPooling2D");
  EXPECT_EQ(max_pooled.name(), "features");

  EXPECT_THAT(test::message_of([] { A::VGG16({.weights = "imagenet"}); }),
              HasSubstr("The `weights` argument should be either `None`"));
  EXPECT_THAT(test::message_of([] {
                A::VGG19({.include_top = false, .input_shape = {{32, 31, 3}}});
              }),
              HasSubstr("Input size must be at least 32x32"));
  EXPECT_THAT(test::message_of([] {
                A::VGG16({.input_shape = {{64, std::nullopt, 3}}});
              }),
              HasSubstr("you should specify a static `input_shape`"));
  EXPECT_THAT(test::message_of([] { A::VGG16({.include_top = false, .pooling = "sum"}); }),
              HasSubstr("VGG16: pooling must be"));
  EXPECT_THAT(test::message_of([] { A::VGG19({.classes = 0}); }),
              HasSubstr("classes must be at least 1"));
}

TEST(Applications, ResNet101And152LayersAndWeightCountsAsKeras) {
  expect_as_keras(
      "resnet101", [] { return A::ResNet101(); },
      [] { return A::ResNet101({.include_top = false}); });
  expect_as_keras(
      "resnet152", [] { return A::ResNet152(); },
      [] { return A::ResNet152({.include_top = false}); });
}

TEST(Applications, ResNetV2LayersAndWeightCountsAsKeras) {
  expect_as_keras(
      "resnet50v2", [] { return A::ResNet50V2(); },
      [] { return A::ResNet50V2({.include_top = false}); });
  expect_as_keras(
      "resnet101v2", [] { return A::ResNet101V2(); },
      [] { return A::ResNet101V2({.include_top = false}); });
  expect_as_keras(
      "resnet152v2", [] { return A::ResNet152V2(); },
      [] { return A::ResNet152V2({.include_top = false}); });
}

TEST(Applications, ResNetV2Options) {
  Model m = A::ResNet50V2({.include_top = false, .input_shape = {{64, 64, 3}}});
  // The stride is in the last block of conv2..conv4: conv2 ends at 8x8, conv5 stays at 2x2.
  EXPECT_EQ(shape_str(m.get_layer("conv2_block2_out").output().shape()), "(None, 16, 16, 256)");
  EXPECT_EQ(shape_str(m.get_layer("conv2_block3_out").output().shape()), "(None, 8, 8, 256)");
  EXPECT_EQ(out_shape(m), "(None, 2, 2, 2048)");
  EXPECT_EQ(m.layers().back().name(), "post_relu");
  // Keras: ResNet50V2(weights=None, include_top=False, input_shape=(33, 45, 3)).output.shape
  Model odd = A::ResNet50V2({.include_top = false, .input_shape = {{33, 45, 3}}});
  EXPECT_EQ(out_shape(odd), "(None, 2, 2, 2048)");
  // Keras: ResNet101V2(weights=None, input_shape=(64, 64, 3), classes=10, name="r")
  Model ten = A::ResNet101V2({.input_shape = {{64, 64, 3}},
                              .classes = 10,
                              .classifier_activation = "linear",
                              .name = "r"});
  EXPECT_EQ(ten.name(), "r");
  EXPECT_EQ(ten.count_params(), 42626560 + 2048 * 10 + 10);
  EXPECT_EQ(ten.get_layer("predictions")->get_config()["activation"].template get<std::string>(),
            "linear");
  Model max_pooled = A::ResNet50V2({.include_top = false, .pooling = "max"});
  EXPECT_EQ(max_pooled.layers().back().name(), "max_pool");
  EXPECT_EQ(out_shape(max_pooled), "(None, 2048)");
  Model avg = A::ResNet101({.include_top = false, .pooling = "avg"});
  EXPECT_EQ(avg.layers().back().name(), "avg_pool");

  auto image = Input({96, 96, 3}, {.name = "image"});
  Model from_tensor = A::ResNet152V2({.include_top = false, .input_tensor = image});
  EXPECT_EQ(from_tensor.inputs()[0], image);
  EXPECT_EQ(out_shape(from_tensor), "(None, 3, 3, 2048)");

  EXPECT_THAT(test::message_of([] { A::ResNet101V2({.weights = "resnet.h5"}); }),
              HasSubstr("downloads nothing"));
  EXPECT_THAT(test::message_of([] {
                A::ResNet152({.input_shape = {{224, 224}}});
              }),
              HasSubstr("`input_shape` must be a tuple of three integers"));
  EXPECT_THAT(test::message_of([] { A::ResNet50V2({.include_top = false, .pooling = "mean"}); }),
              HasSubstr("ResNet50V2: pooling must be"));
}

TEST(Applications, DenseNetLayersAndWeightCountsAsKeras) {
  expect_as_keras(
      "densenet121", [] { return A::DenseNet121(); },
      [] { return A::DenseNet121({.include_top = false}); });
  expect_as_keras(
      "densenet169", [] { return A::DenseNet169(); },
      [] { return A::DenseNet169({.include_top = false}); });
  expect_as_keras(
      "densenet201", [] { return A::DenseNet201(); },
      [] { return A::DenseNet201({.include_top = false}); });
}

TEST(Applications, DenseNetOptions) {
  // Keras: DenseNet169(weights=None, include_top=False, input_shape=(64, 64, 3), pooling="avg")
  Model pooled =
      A::DenseNet169({.include_top = false, .input_shape = {{64, 64, 3}}, .pooling = "avg"});
  EXPECT_EQ(out_shape(pooled), "(None, 1664)");
  EXPECT_EQ(pooled.count_params(), 12642880);
  EXPECT_EQ(pooled.layers().back().name(), "avg_pool");
  Model max_pooled =
      A::DenseNet121({.include_top = false, .input_shape = {{32, 32, 3}}, .pooling = "max"});
  EXPECT_EQ(max_pooled.layers().back().name(), "max_pool");
  EXPECT_EQ(out_shape(max_pooled), "(None, 1024)");
  Model m = A::DenseNet121({.input_shape = {{32, 32, 3}}, .classes = 3});
  EXPECT_EQ(shape_str(m.get_layer("pool2_pool").output().shape()), "(None, 4, 4, 128)");
  EXPECT_EQ(out_shape(m), "(None, 3)");
  EXPECT_EQ(m.count_params(), 7037504 + 1024 * 3 + 3);
  EXPECT_THAT(test::message_of([] {
                A::DenseNet201({.input_shape = {{16, 16, 3}}});
              }),
              HasSubstr("Input size must be at least 32x32"));
  EXPECT_THAT(test::message_of([] { A::DenseNet121({.weights = "imagenet"}); }),
              HasSubstr("The `weights` argument should be either `None`"));
}

TEST(Applications, InceptionV3LayersAndWeightCountsAsKeras) {
  expect_as_keras(
      "inception_v3", [] { return A::InceptionV3(); },
      [] { return A::InceptionV3({.include_top = false}); });
}

TEST(Applications, InceptionResNetV2LayersAndWeightCountsAsKeras) {
  expect_as_keras(
      "inception_resnet_v2", [] { return A::InceptionResNetV2(); },
      [] { return A::InceptionResNetV2({.include_top = false}); });
}

TEST(Applications, InceptionOptions) {
  // The smallest input (75x75) gives a 1x1 final feature map.
  Model v3 = A::InceptionV3({.include_top = false, .input_shape = {{75, 75, 3}}});
  EXPECT_EQ(out_shape(v3), "(None, 1, 1, 2048)");
  EXPECT_EQ(v3.layers().back().name(), "mixed10");
  Model five = A::InceptionV3({.input_shape = {{75, 75, 3}}, .classes = 5});
  EXPECT_EQ(five.count_params(), 21802784 + 2048 * 5 + 5);
  EXPECT_EQ(five.layers()[five.layers().size() - 2].name(), "avg_pool");
  Model pooled = A::InceptionV3({.include_top = false, .pooling = "avg"});
  EXPECT_EQ(pooled.layers().back().class_name(), "GlobalAveragePooling2D");
  EXPECT_EQ(out_shape(pooled), "(None, 2048)");

  Model irv2 =
      A::InceptionResNetV2({.include_top = false, .input_shape = {{75, 75, 3}}, .pooling = "max"});
  EXPECT_EQ(irv2.layers().back().class_name(), "GlobalMaxPooling2D");
  EXPECT_EQ(out_shape(irv2), "(None, 1536)");
  EXPECT_EQ(irv2.get_layer("block17_3_conv").output().shape().back(), 1088);
  // The last block8 has scale 1 and no activation.
  EXPECT_THROW(irv2.get_layer("block8_10_ac"), ValueError);
  EXPECT_EQ(irv2.get_layer("block8_9_ac")->class_name(), "Activation");

  EXPECT_THAT(test::message_of([] {
                A::InceptionV3({.input_shape = {{74, 299, 3}}});
              }),
              HasSubstr("Input size must be at least 75x75"));
  EXPECT_THAT(test::message_of([] {
                A::InceptionResNetV2({.include_top = false, .input_shape = {{96, 64, 3}}});
              }),
              HasSubstr("Input size must be at least 75x75"));
  EXPECT_THAT(test::message_of([] { A::InceptionResNetV2({.weights = "imagenet"}); }),
              HasSubstr("downloads nothing"));
  EXPECT_THAT(test::message_of([] { A::InceptionV3({.include_top = false, .pooling = "x"}); }),
              HasSubstr("InceptionV3: pooling must be"));
}

TEST(Applications, MobileNetLayersAndWeightCountsAsKeras) {
  expect_as_keras(
      "mobilenet", [] { return A::MobileNet(); },
      [] { return A::MobileNet({.include_top = false}); });
}

TEST(Applications, MobileNetAlphaDepthMultiplierAndNames) {
  // Keras: MobileNet(weights=None, alpha=0.5, depth_multiplier=2, input_shape=(64, 64, 3),
  // classes=7): "mobilenet_0.50_64", 1,650,263 weights; include_top=False: "mobilenet_1.00_None".
  Model small = A::MobileNet(
      {.input_shape = {{64, 64, 3}}, .alpha = 0.5, .depth_multiplier = 2, .classes = 7});
  EXPECT_EQ(small.name(), "mobilenet_0.50_64");
  EXPECT_EQ(small.count_params(), 1650263);
  EXPECT_EQ(out_shape(small), "(None, 7)");
  EXPECT_EQ(A::MobileNet({.include_top = false}).name(), "mobilenet_1.00_None");
  EXPECT_EQ(A::MobileNet({.include_top = false, .name = "backbone"}).name(), "backbone");
  Model top = A::MobileNet({.input_shape = {{32, 32, 3}}, .dropout = 0.25, .classes = 4});
  EXPECT_EQ(top.get_layer("dropout")->get_config()["rate"].template get<double>(), 0.25);
  EXPECT_EQ(shape_str(top.get_layer("conv_preds").output().shape()), "(None, 1, 1, 4)");
  EXPECT_EQ(top.get_layer("reshape_2")->class_name(), "Reshape");
  EXPECT_EQ(top.get_layer("predictions")->class_name(), "Activation");
  Model pooled = A::MobileNet({.alpha = 0.25, .include_top = false, .pooling = "max"});
  EXPECT_EQ(pooled.layers().back().class_name(), "GlobalMaxPooling2D");
  EXPECT_EQ(out_shape(pooled), "(None, 256)");

  // A forward pass: probabilities summing to one per image.
  Tensor x = random::uniform({2, 32, 32, 3}, -1, 1, float32, 5);
  Tensor p = top.predict(x);
  ASSERT_EQ(p.shape(), (Shape{2, 4}));
  EXPECT_NEAR(ops::sum(p).item<double>(), 2.0, 1e-5);  // float32 softmax rounding

  // Keras's own layers raise these (MobileNet checks neither).
  EXPECT_THAT(test::message_of([] { A::MobileNet({.alpha = 0.01}); }),
              HasSubstr("Invalid value for argument `filters`. Expected a strictly positive "
                        "value. Received filters=0"));
  EXPECT_THAT(test::message_of([] { A::MobileNet({.depth_multiplier = 0}); }),
              HasSubstr("Invalid value for argument `depth_multiplier`"));
  EXPECT_THAT(test::message_of([] { A::MobileNet({.dropout = 2.0}); }),
              HasSubstr("Invalid value received for argument `rate`"));
  EXPECT_THAT(test::message_of([] { A::MobileNet({.weights = "imagenet"}); }),
              HasSubstr("The `weights` argument should be either `None`"));
  EXPECT_THAT(test::message_of([] {
                A::MobileNet({.input_shape = {{16, 16, 3}}});
              }),
              HasSubstr("Input size must be at least 32x32"));
}

}  // namespace
}  // namespace keras
