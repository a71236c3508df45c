// tf_keras's TFOpLambda / SlicingOpLambda layers as keras.ops, both ways (models/tf_op_layers.h).
// The fixtures tf_ops and tf_ops_shapes (tests/data/layers, made by tf_keras) check the numbers;
// these check the translation's forms and refusals.
#include "models/tf_op_layers.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "harness/tensor_matchers.h"
#include "keras/keras.hpp"

namespace keras {
namespace {

using models::internal::keras3_op_as_tf_op_layer;
using models::internal::tf_op_layer_as_keras3;

Json tf_op(const std::string& function, const Json& node) {
  return Json{
      {"class_name", "TFOpLambda"},
      {"config", {{"name", "tf." + function}, {"function", function}, {"dtype", "float32"}}},
      {"name", "tf." + function},
      {"inbound_nodes", Json::array({node})}};
}

TEST(TfOpLayers, ConstantFirstAndTensorKeyword) {
  // 2.0 - x, as tf_keras writes it.
  const Json k = tf_op_layer_as_keras3(
      tf_op("math.subtract",
            Json::parse(R"(["_CONSTANT_VALUE", -1, 2.0, {"y": ["x", 0, 0], "name": null}])")));
  EXPECT_EQ(k["class_name"], "Subtract");
  EXPECT_EQ(k["module"], "keras.src.ops.numpy");
  EXPECT_EQ(k["name"], "tf.math.subtract");
  EXPECT_EQ(k["config"]["name"], "tf.math.subtract");
  const Json& args = k["inbound_nodes"][0]["args"];
  EXPECT_EQ(args[0], 2.0);
  EXPECT_EQ(args[1]["config"]["keras_history"], Json::parse(R"(["x", 0, 0])"));
}

TEST(TfOpLayers, ArgumentsBecomeTheOpsConfig) {
  const Json mean = tf_op_layer_as_keras3(
      tf_op("math.reduce_mean", Json::parse(R"(["d", 0, 0, {"axis": 1, "keepdims": true}])")));
  EXPECT_EQ(mean["class_name"], "Mean");
  EXPECT_EQ(mean["config"]["axis"], 1);
  EXPECT_EQ(mean["config"]["keepdims"], true);
  // tf.nn.gelu's approximate defaults to False, keras.ops.gelu's to True.
  const Json gelu = tf_op_layer_as_keras3(tf_op("nn.gelu", Json::parse(R"(["d", 0, 0, {}])")));
  EXPECT_EQ(gelu["config"]["approximate"], false);
  // tf.matmul(a, b, transpose_b=True): an einsum.
  const Json mm = tf_op_layer_as_keras3(tf_op(
      "linalg.matmul", Json::parse(R"(["d", 0, 0, {"b": ["e", 0, 0], "transpose_b": true}])")));
  EXPECT_EQ(mm["class_name"], "Einsum");
  EXPECT_EQ(mm["config"]["subscripts"], "...ij,...kj->...ik");
  // tf.split's sizes: keras.ops.split's indices.
  const Json split = tf_op_layer_as_keras3(
      tf_op("split", Json::parse(R"(["d", 0, 0, {"num_or_size_splits": [1, 2, 1], "axis": 2}])")));
  EXPECT_EQ(split["config"]["indices_or_sections"], Json::parse("[1, 3]"));
  // A list as the first argument.
  const Json concat = tf_op_layer_as_keras3(
      tf_op("concat", Json::parse(R"([["a", 0, 0, {"axis": 1}], ["b", 0, 1, {"axis": 1}]])")));
  EXPECT_EQ(concat["inbound_nodes"][0]["args"][0].size(), 2u);
  EXPECT_EQ(concat["config"]["axis"], 1);
}

TEST(TfOpLayers, SliceSpecBecomesAGetItemKey) {
  Json entry = tf_op("__operators__.getitem",
                     Json::parse(R"(["d", 0, 0, {"slice_spec": [{"start": null, "stop": null,
                       "step": null}, null, {"class_name": "__ellipsis__"}, -1]}])"));
  entry["class_name"] = "SlicingOpLambda";
  const Json k = tf_op_layer_as_keras3(entry);
  EXPECT_EQ(k["class_name"], "GetItem");
  const Json& key = k["inbound_nodes"][0]["args"][1];
  EXPECT_EQ(key[0]["class_name"], "__slice__");
  EXPECT_TRUE(key[1].is_null());
  EXPECT_EQ(key[2]["class_name"], "__ellipsis__");
  EXPECT_EQ(key[3], -1);
}

TEST(TfOpLayers, WhatItCannotTranslateIsRefused) {
  test::expect_throws_with<NotImplementedError>(
      [] {
        tf_op_layer_as_keras3(
            tf_op("math.bessel_i1e", Json::parse(R"(["d", 0, 0, {"name": null}])")));
      },
      "Layer 'tf.math.bessel_i1e' (TFOpLambda, tf.math.bessel_i1e) calls the "
      "TensorFlow function tf.math.bessel_i1e, which keras.cpp does not "
      "translate");
  // tf_keras loses tf.einsum's operands (it cannot load its own file).
  test::expect_throws_with<NotImplementedError>(
      [] {
        tf_op_layer_as_keras3(
            tf_op("einsum", Json::parse(R"(["_CONSTANT_VALUE", -1, "ij->ji", {}])")));
      },
      "tf.einsum, which keras.cpp does not translate");
  test::expect_throws_with<NotImplementedError>(
      [] { tf_op_layer_as_keras3(tf_op("nn.silu", Json::parse(R"(["d", 0, 0, {"beta": 2.0}])"))); },
      "'beta'=2.0, which keras.cpp does not translate");
  test::expect_throws_with<NotImplementedError>(
      [] {
        tf_op_layer_as_keras3(
            tf_op("one_hot", Json::parse(R"(["i", 0, 0, {"depth": 3, "on_value": 5.0}])")));
      },
      "'on_value'=5.0");
  test::expect_throws_with<NotImplementedError>(
      [] {
        tf_op_layer_as_keras3(
            tf_op("math.reduce_sum", Json::parse(R"(["d", 0, 0, {"axis": 1, "out": 3}])")));
      },
      "the argument 'out'");
  Json no_function = tf_op("math.abs", Json::parse(R"(["d", 0, 0, {}])"));
  no_function["config"].erase("function");
  test::expect_throws_with<ValueError>([&] { tf_op_layer_as_keras3(no_function); },
                                       "layer 'tf.math.abs' (TFOpLambda) has no 'function'");
  test::expect_throws_with<ValueError>(
      [] { tf_op_layer_as_keras3(tf_op("math.abs", Json::parse(R"({"args": []})"))); },
      "bad Keras 2 inbound node");
}

TEST(TfOpLayers, WrittenBackAsTfKerasLayers) {
  auto refs = [](const Json& j) { return j.at("config").at("keras_history"); };
  const Json subtract = tf_op_layer_as_keras3(
      tf_op("math.subtract",
            Json::parse(R"(["_CONSTANT_VALUE", -1, 2.0, {"y": ["x", 0, 0], "name": null}])")));
  const Json back = keras3_op_as_tf_op_layer(subtract, refs);
  EXPECT_EQ(back["class_name"], "TFOpLambda");
  EXPECT_EQ(back["config"]["function"], "math.subtract");
  EXPECT_EQ(back["inbound_nodes"][0],
            Json::parse(R"(["_CONSTANT_VALUE", -1, 2.0, {"y": ["x", 0, 0]}])"));
  // keras.ops classes with no TensorFlow function here: refused, naming the op.
  Json cbrt = subtract;
  cbrt["class_name"] = "Cbrt";
  test::expect_throws_with<NotImplementedError>(
      [&] { keras3_op_as_tf_op_layer(cbrt, refs); },
      "'tf.math.subtract' (keras.ops Cbrt) has no TensorFlow function");
  // A key whose None TensorFlow reads otherwise (take's None flattens; tf.gather's is axis 0).
  Json take = tf_op_layer_as_keras3(
      tf_op("gather", Json::parse(R"(["d", 0, 0, {"indices": ["i", 0, 0], "axis": 1}])")));
  take["config"]["axis"] = nullptr;
  test::expect_throws_with<NotImplementedError>([&] { keras3_op_as_tf_op_layer(take, refs); },
                                                "'axis'=None");
}

// A model built with keras.ops in C++, saved in Keras 2's layout (TFOpLambda layers) and loaded
// back: the same predictions, bit for bit.
TEST(TfOpLayers, KerasOpsModelRoundTripsThroughKeras2Layout) {
  auto x = Input({3, 4}, {.name = "x"});
  auto d = layers::Dense(4, {.name = "dense"})(x);
  auto a = ops::subtract(2.0, ops::multiply(d, 3.0));
  auto b = ops::softmax(ops::mean(d, {1}, true), -1);
  auto c = ops::concatenate({ops::slice_axis(d, 1, 1, 2), ops::relu(d)}, 1);
  auto e = ops::matmul(d, ops::transpose(d, {0, 2, 1}));
  // Resize as keras.cpp writes it (every key of Keras 3's config).
  auto r = ops::image::resize(ops::expand_dims(d, -1), {6, 8});
  Model m({x}, {a, b, c, e, ops::argmax(d, -1), r});
  const std::string path =
      (std::filesystem::temp_directory_path() / "tf_op_layers_round_trip.h5").string();
  m.save(path, {.h5_format = "tf_keras"});
  Model back = models::load_model(path);
  const Tensor input = random::normal({5, 3, 4}, 0.0, 1.0, float32, 7);
  const auto want = m.predict(input), got = back.predict(input);
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_TRUE(test::identical(got[i], want[i])) << i;
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace keras
