// The guide's convolutional graphs built from these layers: shapes and Keras's parameter counts.
#include <gtest/gtest.h>

#include "keras/layers/convolutional.h"
#include "keras/layers/core_layers.h"
#include "keras/layers/dense.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/merging.h"
#include "keras/layers/pooling.h"
#include "keras/models/model.h"

namespace keras::layers {
namespace {

Model inception(bool channels_first) {
  const std::string f = channels_first ? "channels_first" : "channels_last";
  auto input = channels_first ? keras::Input({3, 256, 256}) : keras::Input({256, 256, 3});
  ConvOptions relu_same{.padding = "same", .data_format = f, .activation = "relu"};
  auto tower_1 = Conv2D(64, {1, 1}, relu_same)(input);
  tower_1 = Conv2D(64, {3, 3}, relu_same)(tower_1);
  auto tower_2 = Conv2D(64, {1, 1}, relu_same)(input);
  tower_2 = Conv2D(64, {5, 5}, relu_same)(tower_2);
  auto tower_3 = MaxPooling2D({3, 3}, {.strides = 1, .padding = "same", .data_format = f})(input);
  tower_3 = Conv2D(64, {1, 1}, relu_same)(tower_3);
  auto output = concatenate({tower_1, tower_2, tower_3}, {.axis = channels_first ? 1 : -1});
  return Model(input, output);
}

TEST(ConvModels, InceptionModuleChannelsLast) {
  Model m = inception(false);
  EXPECT_EQ(shape_str(m.output().shape()), "(None, 256, 256, 192)");
  EXPECT_EQ(m.count_params(), 140160);
}

TEST(ConvModels, InceptionModuleChannelsFirst) {
  Model m = inception(true);
  EXPECT_EQ(shape_str(m.output().shape()), "(None, 192, 256, 256)");
  EXPECT_EQ(m.count_params(), 140160);
}

TEST(ConvModels, ResidualConnections) {
  auto x = keras::Input({256, 256, 3});
  auto y = Conv2D(3, {3, 3}, {.padding = "same"})(x);
  auto z = add({x, y});
  EXPECT_EQ(shape_str(z.shape()), "(None, 256, 256, 3)");
  EXPECT_EQ(Model(x, z).count_params(), 84);

  auto in = keras::Input({64, 64, 32});
  auto pooled = MaxPooling2D()(in);
  auto conv = Conv2D(64, 3, {.padding = "same"})(pooled);
  auto shortcut = Conv2D(64, 1, {.strides = 1})(pooled);
  auto out = add({conv, shortcut});
  EXPECT_EQ(shape_str(out.shape()), "(None, 32, 32, 64)");
  auto strided = Conv2D(64, 1, {.strides = 2})(in);  // the projection on the unpooled input
  EXPECT_EQ(shape_str(add({conv, strided}).shape()), "(None, 32, 32, 64)");
}

TEST(ConvModels, SharedVisionModel) {
  auto digit_input = keras::Input({27, 27, 1});
  auto x = Conv2D(64, {3, 3})(digit_input);
  x = Conv2D(64, {3, 3})(x);
  x = MaxPooling2D({2, 2})(x);
  Model vision_model(digit_input, Flatten()(x));
  EXPECT_EQ(vision_model.count_params(), 640 + 36928);
  auto a = keras::Input({27, 27, 1}), b = keras::Input({27, 27, 1});
  auto merged = concatenate({vision_model(a), vision_model(b)});
  EXPECT_EQ(shape_str(merged.shape()), "(None, 15488)");
  Model model({a, b}, Dense(1, {.activation = "sigmoid"})(merged));
  EXPECT_EQ(model.count_params(), 640 + 36928 + 15489);
  const Tensor y = model(Tensors{ones({2, 27, 27, 1}), zeros({2, 27, 27, 1})});
  EXPECT_EQ(y.shape(), (Shape{2, 1}));
}

TEST(ConvModels, PostsModelShapes) {
  auto x = Conv1D(128, 5, {.activation = "relu"})(keras::Input({500, 256}));
  x = MaxPooling1D(5)(x);
  EXPECT_EQ(shape_str(x.shape()), "(None, 99, 128)");
  auto v = Conv1D(4, 5)(keras::Input({std::nullopt, 8}));
  EXPECT_EQ(shape_str(GlobalMaxPooling1D()(MaxPooling1D(5)(v)).shape()), "(None, 4)");
}

}  // namespace
}  // namespace keras::layers
