// keras::applications EfficientNetB1..B7, MobileNetV3, EfficientNetV2, ConvNeXt and NASNet against
// Keras 3.15: weight counts with and without the top (Keras's, the default arguments), options
// (their Keras goldens beside them) and the errors Keras raises. The largest variants are built
// without the top only (their weights are hundreds of MB). Predictions with Keras's weights are
// not a committed test here (the files are large): see
// tools/fixtures/make_applications_fixtures.py.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <keras/keras.hpp>
#include <string>
#include <utility>
#include <vector>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

using ::testing::HasSubstr;
namespace A = keras::applications;

// Keras 3's count_params() with the default arguments (224 .. 600 with the top, (None, None, 3)
// without it), as keras.applications documents them and
// tools/fixtures/make_applications_fixtures.py `names --keras` prints them.
void expect_counts(const std::string& model,
                   const std::function<Model(bool)>& build,
                   int64_t with_top,
                   int64_t without_top) {
  SCOPED_TRACE(model);
  if (with_top > 0) {
    EXPECT_EQ(build(true).count_params(), with_top);
  }
  EXPECT_EQ(build(false).count_params(), without_top);
}

TEST(ApplicationsApps2, EfficientNetWeightCountsAsKeras) {
  expect_counts(
      "B1", [](bool t) { return A::EfficientNetB1({.include_top = t}); }, 7856239, 6575239);
  expect_counts(
      "B2", [](bool t) { return A::EfficientNetB2({.include_top = t}); }, 9177569, 7768569);
  expect_counts(
      "B3", [](bool t) { return A::EfficientNetB3({.include_top = t}); }, 12320535, 10783535);
  // The larger ones without the top only (their classifiers: Dense(1000) on 1792 .. 2560
  // features; with the top Keras counts 19,466,823, 30,562,527, 43,265,143 and 66,658,687).
  expect_counts(
      "B4", [](bool t) { return A::EfficientNetB4({.include_top = t}); }, 0, 17673823);
  expect_counts(
      "B5", [](bool t) { return A::EfficientNetB5({.include_top = t}); }, 0, 28513527);
  expect_counts(
      "B6", [](bool t) { return A::EfficientNetB6({.include_top = t}); }, 0, 40960143);
  expect_counts(
      "B7", [](bool t) { return A::EfficientNetB7({.include_top = t}); }, 0, 64097687);
}

TEST(ApplicationsApps2, EfficientNetVariantsOptions) {
  // Each variant's default size, dropout and name.
  Model b1 = A::EfficientNetB1({.classes = 3});
  EXPECT_EQ(shape_str(b1.inputs()[0].shape()), "(None, 240, 240, 3)");
  EXPECT_EQ(b1.get_layer("top_dropout")->get_config()["rate"].template get<double>(), 0.2);
  Model b2 = A::EfficientNetB2({.input_shape = {{64, 64, 3}}, .classes = 3});
  EXPECT_EQ(b2.get_layer("top_dropout")->get_config()["rate"].template get<double>(), 0.3);
  EXPECT_EQ(b2.name(), "efficientnetb2");
  EXPECT_EQ(shape_str(A::EfficientNetB2({.classes = 3}).inputs()[0].shape()),
            "(None, 260, 260, 3)");
  Model b3 = A::EfficientNetB3(
      {.include_top = false, .input_shape = {{65, 65, 3}}, .pooling = "max", .name = "backbone"});
  EXPECT_EQ(b3.name(), "backbone");
  EXPECT_EQ(shape_str(b3.output().shape()), "(None, 1536)");
  EXPECT_EQ(b3.layers().back().class_name(), "GlobalMaxPooling2D");
  EXPECT_THAT(test::message_of([] { A::EfficientNetB4({.weights = "imagenet"}); }),
              HasSubstr("The `weights` argument should be either `None`"));
  EXPECT_THAT(test::message_of([] {
                A::EfficientNetB5({.input_shape = {{31, 64, 3}}});
              }),
              HasSubstr("Input size must be at least 32x32"));
  EXPECT_THAT(test::message_of([] { A::EfficientNetB6({.include_top = false, .pooling = "sum"}); }),
              HasSubstr("EfficientNetB6: pooling must be"));
}

TEST(ApplicationsApps2, MobileNetV3WeightCountsAsKeras) {
  expect_counts(
      "Small", [](bool t) { return A::MobileNetV3Small({.include_top = t}); }, 2554968, 939120);
  expect_counts(
      "Large", [](bool t) { return A::MobileNetV3Large({.include_top = t}); }, 5507432, 2996352);
}

TEST(ApplicationsApps2, MobileNetV3Options) {
  // Keras 3: MobileNetV3Small(alpha=0.75, include_top=False, input_shape=(96, 96, 3))
  Model small =
      A::MobileNetV3Small({.input_shape = {{96, 96, 3}}, .alpha = 0.75, .include_top = false});
  EXPECT_EQ(small.count_params(), 583160);
  EXPECT_EQ(shape_str(small.output().shape()), "(None, 3, 3, 432)");
  // The classifier is convolutions after global pooling: any image size, with the top too.
  Model any = A::MobileNetV3Small({.classes = 4});
  EXPECT_EQ(shape_str(any.inputs()[0].shape()), "(None, None, None, 3)");
  EXPECT_EQ(any.layers()[1].class_name(), "Rescaling");
  Tensor x = random::uniform({2, 40, 56, 3}, 0, 255, float32, 3);
  Tensor p = any.predict(x);
  ASSERT_EQ(p.shape(), (Shape{2, 4}));
  EXPECT_NEAR(ops::sum(p).item<double>(), 2.0, 1e-5);  // softmax rows, float32 sums
  // Keras 3: MobileNetV3Small(minimalistic=True)
  Model minimal = A::MobileNetV3Small({.minimalistic = true});
  EXPECT_EQ(minimal.count_params(), 2056848);
  EXPECT_THROW(minimal.get_layer("expanded_conv_squeeze_excite_mul"), ValueError);
  // Keras 3: MobileNetV3Large(alpha=1.25, minimalistic=True, classes=10, dropout_rate=0.0,
  // include_preprocessing=False)
  Model large = A::MobileNetV3Large({.alpha = 1.25,
                                     .minimalistic = true,
                                     .classes = 10,
                                     .dropout_rate = 0.0,
                                     .classifier_activation = "linear",
                                     .include_preprocessing = false});
  EXPECT_EQ(large.count_params(), 4203938);
  EXPECT_EQ(large.layers()[1].class_name(), "Conv2D");
  for (const auto& layer : large.layers()) EXPECT_NE(layer.class_name(), "Dropout");
  Model pooled =
      A::MobileNetV3Large({.input_shape = {{33, 47, 3}}, .include_top = false, .pooling = "avg"});
  EXPECT_EQ(shape_str(pooled.output().shape()), "(None, 960)");
  EXPECT_EQ(pooled.layers().back().name(), "avg_pool");
  EXPECT_EQ(A::MobileNetV3Large({.name = "mnv3"}).name(), "mnv3");

  EXPECT_THAT(test::message_of([] {
                A::MobileNetV3Small({.input_shape = {{31, 64, 3}}});
              }),
              HasSubstr("Input size must be at least 32x32"));
  EXPECT_THAT(test::message_of([] { A::MobileNetV3Small({.weights = "imagenet"}); }),
              HasSubstr("The `weights` argument should be either `None`"));
  EXPECT_THAT(
      test::message_of([] {
        A::MobileNetV3Small({.input_shape = {{64, 64, 3}}, .input_tensor = Input({64, 80, 3})});
      }),
      HasSubstr("input_shape[1] must equal input_tensor.shape[2]"));
  EXPECT_THAT(
      test::message_of([] { A::MobileNetV3Large({.include_top = false, .pooling = "min"}); }),
      HasSubstr("MobileNetV3Large: pooling must be"));
}

TEST(ApplicationsApps2, EfficientNetV2WeightCountsAsKeras) {
  expect_counts(
      "B0", [](bool t) { return A::EfficientNetV2B0({.include_top = t}); }, 7200312, 5919312);
  expect_counts(
      "B1", [](bool t) { return A::EfficientNetV2B1({.include_top = t}); }, 8212124, 6931124);
  expect_counts(
      "B2", [](bool t) { return A::EfficientNetV2B2({.include_top = t}); }, 10178374, 8769374);
  expect_counts(
      "B3", [](bool t) { return A::EfficientNetV2B3({.include_top = t}); }, 14467622, 12930622);
  expect_counts(
      "S", [](bool t) { return A::EfficientNetV2S({.include_top = t}); }, 21612360, 20331360);
  // With the top Keras counts 54,431,388 and 119,027,848 (Dense(1000) on 1280 features).
  expect_counts(
      "M", [](bool t) { return A::EfficientNetV2M({.include_top = t}); }, 0, 53150388);
  expect_counts(
      "L", [](bool t) { return A::EfficientNetV2L({.include_top = t}); }, 0, 117746848);
}

TEST(ApplicationsApps2, EfficientNetV2Options) {
  Model b0 = A::EfficientNetV2B0({.input_shape = {{64, 64, 3}}, .classes = 5});
  // The B variants' preprocessing: Rescaling(1/255) and ImageNet's mean and variance.
  EXPECT_EQ(b0.layers()[1].class_name(), "Rescaling");
  EXPECT_EQ(b0.layers()[2].class_name(), "Normalization");
  EXPECT_EQ(b0.get_layer("top_dropout")->get_config()["rate"].template get<double>(), 0.2);
  EXPECT_EQ(b0.get_layer("predictions")->get_config()["bias_initializer"]["class_name"],
            "Constant");
  Tensor x = random::uniform({2, 64, 64, 3}, 0, 255, float32, 3);
  Tensor p = b0.predict(x);
  ASSERT_EQ(p.shape(), (Shape{2, 5}));
  EXPECT_NEAR(ops::sum(p).item<double>(), 2.0, 1e-5);  // softmax rows, float32 sums
  // S, M and L: Rescaling to [-1, 1) only.
  Model s = A::EfficientNetV2S({.include_top = false, .input_shape = {{64, 64, 3}}});
  EXPECT_EQ(s.layers()[1].class_name(), "Rescaling");
  EXPECT_EQ(s.layers()[2].class_name(), "Conv2D");
  EXPECT_EQ(shape_str(s.output().shape()), "(None, 2, 2, 1280)");
  Model raw = A::EfficientNetV2S(
      {.include_top = false, .input_shape = {{64, 64, 3}}, .include_preprocessing = false});
  EXPECT_EQ(raw.layers()[1].name(), "stem_conv");
  EXPECT_EQ(raw.count_params(), s.count_params());
  // Keras 3: EfficientNetV2S(include_top=False, input_shape=(64, 64, 3),
  // include_preprocessing=False).count_params()
  EXPECT_EQ(raw.count_params(), 20331360);
  Model b2 =
      A::EfficientNetV2B2({.include_top = false, .input_shape = {{33, 33, 3}}, .pooling = "max"});
  EXPECT_EQ(shape_str(b2.output().shape()), "(None, 1408)");
  EXPECT_EQ(b2.name(), "efficientnetv2-b2");
  EXPECT_EQ(b2.count_params(), 8769374);  // Keras 3, the same arguments
  EXPECT_EQ(shape_str(A::EfficientNetV2B3({.classes = 2}).inputs()[0].shape()),
            "(None, 300, 300, 3)");
  EXPECT_THAT(test::message_of([] {
                A::EfficientNetV2B0({.input_shape = {{std::nullopt, 64, 3}}});
              }),
              HasSubstr("you should specify a static `input_shape`"));
  EXPECT_THAT(test::message_of([] { A::EfficientNetV2B1({.weights = "v2.h5"}); }),
              HasSubstr("downloads nothing"));
  EXPECT_THAT(test::message_of([] { A::EfficientNetV2S({.classes = 0}); }),
              HasSubstr("classes must be at least 1"));
}

TEST(ApplicationsApps2, ConvNeXtWeightCountsAsKeras) {
  expect_counts(
      "Tiny", [](bool t) { return A::ConvNeXtTiny({.include_top = t}); }, 28589128, 27820128);
  // Without the top only: Keras counts 50,223,688 and 88,591,464 with it. ConvNeXtLarge
  // (197,767,336 / 196,230,336) and XLarge (350,196,968 / 348,147,968) are left out: 0.8 and 1.4
  // GB of weights to initialize; they are Base's builder with wider stages.
  expect_counts(
      "Small", [](bool t) { return A::ConvNeXtSmall({.include_top = t}); }, 0, 49454688);
  expect_counts(
      "Base", [](bool t) { return A::ConvNeXtBase({.include_top = t}); }, 0, 87566464);
}

TEST(ApplicationsApps2, ConvNeXtOptions) {
  Model m = A::ConvNeXtTiny({.include_top = false, .input_shape = {{64, 64, 3}}});
  EXPECT_EQ(m.layers()[1].name(), "convnext_tiny_prestem_normalization");
  EXPECT_EQ(m.layers()[2].class_name(), "Sequential");  // the stem, as Keras nests it
  EXPECT_EQ(shape_str(m.output().shape()), "(None, 2, 2, 768)");
  EXPECT_EQ(m.get_layer("convnext_tiny_stage_0_block_0_layer_scale")->class_name(), "LayerScale");
  // Keras 3: ConvNeXtTiny(include_top=False, input_shape=(64, 64, 3)).count_params()
  EXPECT_EQ(m.count_params(), 27820128);
  Model pooled =
      A::ConvNeXtTiny({.include_top = false, .include_preprocessing = false, .pooling = "avg"});
  EXPECT_EQ(pooled.layers()[1].class_name(), "Sequential");
  EXPECT_EQ(pooled.layers().back().class_name(), "LayerNormalization");
  EXPECT_EQ(shape_str(pooled.output().shape()), "(None, 768)");
  // The head's names follow the model's.
  Model named = A::ConvNeXtTiny({.input_shape = {{64, 64, 3}}, .classes = 3, .name = "tiny"});
  EXPECT_EQ(named.layers().back().name(), "tiny_head_dense");
  Tensor x = random::uniform({2, 64, 64, 3}, 0, 255, float32, 3);
  Tensor p = named.predict(x);
  ASSERT_EQ(p.shape(), (Shape{2, 3}));
  EXPECT_NEAR(ops::sum(p).item<double>(), 2.0, 1e-5);  // softmax rows, float32 sums
  EXPECT_THAT(test::message_of([] {
                A::ConvNeXtTiny({.input_shape = {{64, 64}}});
              }),
              HasSubstr("`input_shape` must be a tuple of three integers"));
  EXPECT_THAT(test::message_of([] { A::ConvNeXtBase({.weights = "imagenet"}); }),
              HasSubstr("downloads nothing"));
}

TEST(ApplicationsApps2, NASNetWeightCountsAsKeras) {
  // Without the top at the default sizes (Large's 84,887,922 are Keras's).
  expect_counts(
      "Mobile",
      [](bool t) {
        return A::NASNetMobile({.input_shape = {{224, 224, 3}}, .include_top = t});
      },
      5326716, 4269716);
  expect_counts(
      "Large",
      [](bool t) {
        return A::NASNetLarge({.input_shape = {{331, 331, 3}}, .include_top = t});
      },
      0, 88949818 - 4032 * 1000 - 1000);
}

TEST(ApplicationsApps2, NASNetOptions) {
  // Keras 3: NASNetMobile(include_top=False, input_shape=(96, 96, 3)): 4,269,716 weights, output
  // (None, 3, 3, 1056).
  Model m = A::NASNetMobile({.input_shape = {{96, 96, 3}}, .include_top = false});
  EXPECT_EQ(shape_str(m.output().shape()), "(None, 3, 3, 1056)");
  EXPECT_EQ(m.count_params(), 4269716);
  // Keras 3: NASNetMobile(input_shape=(64, 64, 3), classes=7).count_params()
  Model seven = A::NASNetMobile({.input_shape = {{64, 64, 3}}, .classes = 7});
  EXPECT_EQ(seven.count_params(), 4277115);
  Tensor x = random::uniform({1, 64, 64, 3}, -1, 1, float32, 3);
  Tensor p = seven.predict(x);
  ASSERT_EQ(p.shape(), (Shape{1, 7}));
  EXPECT_NEAR(ops::sum(p).item<double>(), 1.0, 1e-5);  // a softmax row, float32 sums
  EXPECT_EQ(shape_str(A::NASNetMobile({.classes = 2}).inputs()[0].shape()), "(None, 224, 224, 3)");
  // Keras 3: NASNetMobile(include_top=False, weights=None): input (None, 224, 224, 3) (its wrapper
  // fixes the size when no input_shape is given), 4,269,716 weights.
  Model no_top = A::NASNetMobile({.include_top = false});
  EXPECT_EQ(shape_str(no_top.inputs()[0].shape()), "(None, 224, 224, 3)");
  EXPECT_EQ(no_top.count_params(), 4269716);
  EXPECT_EQ(A::NASNetMobile({.include_top = false, .pooling = "max"}).layers().back().class_name(),
            "GlobalMaxPooling2D");
  EXPECT_THAT(test::message_of([] {
                A::NASNetMobile({.input_shape = {{16, 64, 3}}, .include_top = false});
              }),
              HasSubstr("Input size must be at least 32x32"));
  EXPECT_THAT(test::message_of([] { A::NASNetLarge({.weights = "imagenet"}); }),
              HasSubstr("downloads nothing"));
}

}  // namespace
}  // namespace keras
