#include "keras/layers/lambda.h"

#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/layers/dense.h"
#include "keras/layers/input_layer.h"
#include "keras/models/model.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

TEST(Lambda, Contract) {
  test::run_layer_test({
      .make_layer =
          [] { return Lambda([](const Tensor& x) { return ops::multiply(ops::tanh(x), x); }); },
      .input_shape = {2, 3},
      .expected_output_shape = {2, 3},
      .check_saving = false,  // a C++ function has no config
  });
}

TEST(Lambda, ContractWithAShapeChange) {
  test::run_layer_test({
      .make_layer =
          [] { return Lambda([](const Tensor& x) { return ops::sum(ops::square(x), -1, true); }); },
      .input_shape = {3, 2, 4},
      .expected_output_shape = {3, 2, 1},
      .check_saving = false,  // a C++ function has no config
  });
}

TEST(Lambda, ContractWithGivenOutputShape) {
  test::run_layer_test({
      .make_layer =
          [] {
            return Lambda(
                [](const Tensor& x) {
                  return ops::reshape(x, {x.shape()[0], 2, 3});
                },
                {.output_shape = std::vector<Dim>{2, 3}});
          },
      .input_shape = {2, 6},
      .expected_output_shape = {2, 2, 3},
      .check_saving = false,  // a C++ function has no config
  });
}

TEST(Lambda, InfersShapesWithNoneDimensions) {
  const KerasTensor x = keras::Input({std::nullopt, 4});
  const KerasTensor y = Lambda([](const Tensor& t) { return ops::mean(t, 1); })(x);
  EXPECT_EQ(shape_str(y.shape()), "(None, 4)");
  const KerasTensor z = Lambda([](const Tensor& t) { return ops::transpose(t, {0, 2, 1}); })(x);
  EXPECT_EQ(shape_str(z.shape()), "(None, 4, None)");
  EXPECT_EQ(z.layer()->class_name(), "Lambda");
}

TEST(Lambda, DefaultNamesAreLambdaN) {
  reset_uids();
  const auto identity = [](const Tensor& t) { return t; };
  EXPECT_EQ(Lambda(identity).name(), "lambda_1");
  EXPECT_EQ(Lambda(identity).name(), "lambda_2");
  EXPECT_EQ(Lambda(identity, {.name = "mine"}).name(), "mine");
}

TEST(Lambda, SeveralInputs) {
  const KerasTensor a = keras::Input({3}), b = keras::Input({3});
  Lambda l([](const Tensors& xs) { return ops::subtract(xs[0], ops::multiply(xs[1], 2.0)); });
  const KerasTensor y = l({a, b});
  EXPECT_EQ(shape_str(y.shape()), "(None, 3)");
  Model model({a, b}, y);
  const Tensor ta = test::tensor_of({1, 2, 3}, {1, 3}, float32);
  const Tensor tb = test::tensor_of({1, 1, 0}, {1, 3}, float32);
  test::expect_all_close(model.predict(Tensors{ta, tb}),
                         test::tensor_of({-1, 0, 3}, {1, 3}, float32), 0, 0);
}

TEST(Lambda, SeveralOutputs) {
  const KerasTensor x = keras::Input({4});
  Lambda split([](const Tensors& xs) -> Tensors {
    return {ops::slice_axis(xs[0], 1, 0, 1), ops::slice_axis(xs[0], 1, 1, 3)};
  });
  const KerasTensors outs = split.call_multi({x});
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(shape_str(outs[0].shape()), "(None, 1)");
  EXPECT_EQ(shape_str(outs[1].shape()), "(None, 3)");
}

TEST(Lambda, OutputDtypeComesFromTheFunction) {
  const KerasTensor ids = keras::Input({3}, {.dtype = int32});
  // The placeholders have the input's dtype, so integer-only ops work during shape inference.
  Lambda one_hot([](const Tensor& t) { return ops::one_hot(t, 5); });
  const KerasTensor y = one_hot(ids);
  EXPECT_EQ(shape_str(y.shape()), "(None, 3, 5)");
  EXPECT_EQ(y.dtype(), float32);
  const KerasTensor f = keras::Input({3});
  const KerasTensor c = Lambda([](const Tensor& t) { return ops::cast(t, int64); })(f);
  EXPECT_EQ(c.dtype(), int64);
  const KerasTensor i = Lambda([](const Tensor& t) { return ops::add(t, t); })(ids);
  EXPECT_EQ(i.dtype(), int32);
}

TEST(Lambda, ThroughALayerRefTheDtypeIsStillRight) {
  // Called through a plain LayerRef (not the Lambda handle), the output dtype still follows
  // the function.
  LayerRef l = Lambda([](const Tensor& t) { return ops::cast(t, float64); });
  const KerasTensor y = l(keras::Input({2}, {.dtype = int32}));
  EXPECT_EQ(y.dtype(), float64);
}

TEST(Lambda, OutputShapeFunction) {
  Lambda l(
      [](const Tensor& t) {
        return ops::concatenate({t, t}, 1);
      },
      {.output_shape_fn = [](const std::vector<Shape>& s) {
        return Shape{s[0][0], s[0][1] * 2};
      }});
  const KerasTensor y = l(keras::Input({3}));
  EXPECT_EQ(shape_str(y.shape()), "(None, 6)");
}

TEST(Lambda, GradientsFlowThroughTheFunction) {
  const KerasTensor x = keras::Input({2});
  const KerasTensor h = Dense(3)(x);
  const KerasTensor y = Lambda([](const Tensor& t) { return ops::square(t); })(h);
  Model model(x, Dense(1)(y));
  model.compile({.optimizer = "sgd", .loss = "mse"});
  const Tensor xs = test::random_tensor({8, 2}, float32, -1, 1, 3);
  const Tensor ys = test::random_tensor({8, 1}, float32, -1, 1, 4);
  const double before = model.evaluate(xs, ys, {.verbose = 0}).at(0);
  model.fit(xs, ys, {.epochs = 10, .batch_size = 8, .verbose = 0});
  EXPECT_LT(model.evaluate(xs, ys, {.verbose = 0}).at(0), before);
}

TEST(Lambda, SingleTensorFunctionRejectsSeveralInputs) {
  const KerasTensor a = keras::Input({3}), b = keras::Input({3});
  Lambda l([](const Tensor& t) { return t; }, {.name = "solo"});
  test::expect_throws_with<ValueError>(
      [&] {
        l({a, b});
      },
      "Layer solo (Lambda) wraps a function of one tensor, but "
      "it was called on 2 inputs");
}

TEST(Lambda, FunctionFailingOnPlaceholdersAsksForOutputShape) {
  Lambda l([](const Tensor& t) { return ops::reshape(t, {-1, 5}); });
  test::expect_throws_with<ValueError>(
      [&] { l(keras::Input({3})); },
      "We could not automatically infer the shape of the Lambda's output. Please specify the "
      "`output_shape` argument");
}

TEST(Lambda, EagerCallRunsTheFunction) {
  Lambda l([](const Tensor& t) { return ops::relu(t); });
  test::expect_all_close(l(test::tensor_of({-1, 2}, {1, 2}, float32)),
                         test::tensor_of({0, 2}, {1, 2}, float32), 0, 0);
}

}  // namespace
}  // namespace keras::layers
