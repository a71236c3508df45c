#include "keras/layers/merging.h"

#include <gtest/gtest.h>

#include <cmath>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/bidirectional.h"
#include "keras/layers/dense.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/recurrent.h"
#include "keras/layers/registry.h"
#include "keras/models/model.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

// Test-only adapter: splits its single input along `axis` into pieces of `sizes` and calls the
// multi-input layer `inner` on the pieces, so that run_layer_test (one input) can check it.
class SplitThenImpl final : public Layer {
 public:
  SplitThenImpl(LayerRef inner, int axis, std::vector<int64_t> sizes, std::string name = "")
      : Layer(std::move(name), "split_then"),
        inner_(std::move(inner)),
        axis_(axis),
        sizes_(std::move(sizes)) {}
  std::string class_name() const override { return "SplitThen"; }
  void build(const std::vector<Shape>&) override {
    if (!inner_.built()) inner_->set_dtype(dtype());  // set_dtype(float64) reaches the inner layer
  }
  Tensors call(const Tensors& inputs, bool training) override {
    Tensors parts;
    int64_t start = 0;
    for (int64_t n : sizes_) {
      parts.push_back(ops::slice_axis(inputs[0], axis_, start, n));
      start += n;
    }
    return (*inner_.layer())(parts, training);
  }
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override {
    std::vector<Shape> parts;
    const int a = normalize_axis(axis_, static_cast<int>(input_shapes[0].size()));
    for (int64_t n : sizes_) {
      Shape s = input_shapes[0];
      s[static_cast<size_t>(a)] = n;
      parts.push_back(s);
    }
    return inner_->compute_output_shape(parts);
  }
  std::vector<DType> compute_output_dtype(const std::vector<DType>& dtypes,
                                          size_t num_outputs) const override {
    return inner_->compute_output_dtype(std::vector<DType>(sizes_.size(), dtypes.at(0)),
                                        num_outputs);
  }
  std::vector<Variable> weights() const override { return inner_.weights(); }
  // Saveable as a user layer (run_layer_test step 6), with the merge layer nested in its config.
  Json get_config() const override {
    Json config = Layer::get_config();
    config["layer"] = layers::serialize_layer(*inner_.layer());
    config["axis"] = axis_;
    config["sizes"] = sizes_;
    return config;
  }
  static std::shared_ptr<Layer> from_config(const Json& config) {
    auto layer =
        std::make_shared<SplitThenImpl>(LayerRef(layers::deserialize_layer(config.at("layer"))),
                                        config::require<int>(config, "axis"),
                                        config::require<std::vector<int64_t>>(config, "sizes"),
                                        config::get<std::string>(config, "name", ""));
    layer->apply_base_config(config);
    return layer;
  }

 private:
  LayerRef inner_;
  int axis_;
  std::vector<int64_t> sizes_;
};

LayerRef split_then(LayerRef inner, int axis, std::vector<int64_t> sizes) {
  layers::register_layer<SplitThenImpl>("SplitThen");
  return LayerRef(std::make_shared<SplitThenImpl>(std::move(inner), axis, std::move(sizes)));
}

// ---- contracts ----

TEST(Add, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return split_then(Add(), -1, {3, 3});
          },
      .input_shape = {2, 6},
      .expected_output_shape = {2, 3},
  });
}

TEST(Subtract, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return split_then(Subtract(), -1, {3, 3});
          },
      .input_shape = {2, 6},
      .expected_output_shape = {2, 3},
  });
}

TEST(Multiply, ContractWithThreeInputs) {
  test::run_layer_test({
      .make_layer =
          [] {
            return split_then(Multiply(), -1, {2, 2, 2});
          },
      .input_shape = {3, 6},
      .expected_output_shape = {3, 2},
  });
}

TEST(Average, ContractWithThreeInputs) {
  test::run_layer_test({
      .make_layer =
          [] {
            return split_then(Average(), -1, {2, 2, 2});
          },
      .input_shape = {3, 6},
      .expected_output_shape = {3, 2},
  });
}

TEST(Maximum, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return split_then(Maximum(), 1, {2, 2, 2});
          },
      .input_shape = {2, 6, 2},
      .expected_output_shape = {2, 2, 2},
  });
}

TEST(Minimum, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return split_then(Minimum(), 1, {2, 2});
          },
      .input_shape = {2, 4, 3},
      .expected_output_shape = {2, 2, 3},
  });
}

TEST(Concatenate, ContractOnTheLastAxis) {
  test::run_layer_test({
      .make_layer =
          [] {
            return split_then(Concatenate(), -1, {2, 3});
          },
      .input_shape = {2, 5},
      .expected_output_shape = {2, 5},
  });
}

TEST(Concatenate, ContractOnAMiddleAxis) {
  test::run_layer_test({
      .make_layer =
          [] {
            return split_then(Concatenate(1), 1, {1, 3});
          },
      .input_shape = {2, 4, 3},
      .expected_output_shape = {2, 4, 3},
  });
}

TEST(Dot, ContractOfVectors) {
  test::run_layer_test({
      .make_layer =
          [] {
            return split_then(Dot(1), -1, {3, 3});
          },
      .input_shape = {2, 6},
      .expected_output_shape = {2, 1},
  });
}

TEST(Dot, ContractNormalized) {
  test::run_layer_test({
      .make_layer =
          [] {
            return split_then(Dot(-1, {.normalize = true}), -1, {3, 3});
          },
      .input_shape = {2, 6},
      .expected_output_shape = {2, 1},
  });
}

TEST(Dot, ContractOfMatrices) {
  // (2, 4, 3) . (2, 5, 3) over the last axes -> (2, 4, 5).
  test::run_layer_test({
      .make_layer =
          [] {
            return split_then(Dot(2), 1, {4, 5});
          },
      .input_shape = {2, 9, 3},
      .expected_output_shape = {2, 4, 5},
  });
}

// ---- symbolic shapes ----

TEST(Add, SymbolicShapesKeepTheNoneBatch) {
  const KerasTensor a = keras::Input({3}), b = keras::Input({3});
  const KerasTensor y = Add()({a, b});
  EXPECT_EQ(shape_str(y.shape()), "(None, 3)");
  EXPECT_EQ(y.layer()->class_name(), "Add");
  EXPECT_EQ(y.dtype(), float32);
}

TEST(Add, BroadcastsLikeKeras2) {
  const KerasTensor a = keras::Input({4, 3}), b = keras::Input({3}), c = keras::Input({1, 3});
  const KerasTensor d = keras::Input({4, 1}), e = keras::Input({std::nullopt, 3});
  EXPECT_EQ(shape_str(add({a, b}).shape()), "(None, 4, 3)");
  EXPECT_EQ(shape_str(add({c, d}).shape()), "(None, 4, 3)");
  EXPECT_EQ(shape_str(add({a, e}).shape()), "(None, None, 3)");
  EXPECT_EQ(shape_str(maximum({b, a, c}).shape()), "(None, 4, 3)");
}

TEST(Add, LowerRankInputGetsAxesAfterTheBatch) {
  // (2, 3) + (2, 4, 3): the first input acts as (2, 1, 3).
  const Tensor x = test::tensor_of({1, 2, 3, 4, 5, 6}, {2, 3}, float32);
  const Tensor y = ones({2, 4, 3});
  const Tensor z = Add()(Tensors{x, y});
  ASSERT_EQ(shape_str(z.shape()), "(2, 4, 3)");
  test::expect_all_close(z, ops::add(ops::reshape(x, {2, 1, 3}), y), 0, 0);
}

TEST(Add, KnownBatchSizeIsKept) {
  const KerasTensor a = keras::Input({3}, {.batch_size = 4}), b = keras::Input({3});
  EXPECT_EQ(shape_str(add({a, b}).shape()), "(4, 3)");
}

TEST(Concatenate, SymbolicShapes) {
  const KerasTensor a = keras::Input({3}), b = keras::Input({4});
  EXPECT_EQ(shape_str(concatenate({a, b}).shape()), "(None, 7)");
  const KerasTensor c = keras::Input({std::nullopt, 4}), d = keras::Input({5, 4});
  EXPECT_EQ(shape_str(concatenate({c, d}, {.axis = 1}).shape()), "(None, None, 4)");
  EXPECT_EQ(shape_str(concatenate({c, d}, {.axis = -1}).shape()), "(None, 5, 8)");
  EXPECT_EQ(shape_str(Concatenate({.axis = 1})({d, d, d}).shape()), "(None, 15, 4)");
}

TEST(Dot, SymbolicShapes) {
  const KerasTensor a = keras::Input({4, 3}), b = keras::Input({5, 3}), c = keras::Input({3, 5});
  EXPECT_EQ(shape_str(dot({a, b}, 2).shape()), "(None, 4, 5)");
  EXPECT_EQ(shape_str(dot({a, c}, {2, 1}).shape()), "(None, 4, 5)");
  EXPECT_EQ(shape_str(dot({a, c}, {-1, -2}).shape()), "(None, 4, 5)");
  const KerasTensor v = keras::Input({8}), w = keras::Input({8});
  EXPECT_EQ(shape_str(Dot(1)({v, w}).shape()), "(None, 1)");
  EXPECT_EQ(shape_str(Dot(-1, {.normalize = true})({v, w}).shape()), "(None, 1)");
}

// ---- values ----

TEST(MergeLayers, ComputeTheirElementwiseFunctions) {
  const Tensor x = test::tensor_of({1, -2, 3, 4, 0.5, -6}, {2, 3}, float32);
  const Tensor y = test::tensor_of({2, 2, -1, 4, 1, 1}, {2, 3}, float32);
  const Tensor z = test::tensor_of({0, 1, 1, 1, 2, 3}, {2, 3}, float32);
  test::expect_all_close(Add()(Tensors{x, y, z}),
                         test::tensor_of({3, 1, 3, 9, 3.5, -2}, {2, 3}, float32), 0, 0);
  test::expect_all_close(Subtract()(Tensors{x, y}),
                         test::tensor_of({-1, -4, 4, 0, -0.5, -7}, {2, 3}, float32), 0, 0);
  test::expect_all_close(Multiply()(Tensors{x, y}),
                         test::tensor_of({2, -4, -3, 16, 0.5, -6}, {2, 3}, float32), 0, 0);
  test::expect_all_close(Average()(Tensors{x, y}),
                         test::tensor_of({1.5, 0, 1, 4, 0.75, -2.5}, {2, 3}, float32), 0, 1e-7);
  test::expect_all_close(Maximum()(Tensors{x, y, z}),
                         test::tensor_of({2, 2, 3, 4, 2, 3}, {2, 3}, float32), 0, 0);
  test::expect_all_close(Minimum()(Tensors{x, y, z}),
                         test::tensor_of({0, -2, -1, 1, 0.5, -6}, {2, 3}, float32), 0, 0);
}

TEST(Concatenate, JoinsValuesAlongTheAxis) {
  const Tensor x = test::tensor_of({1, 2, 3, 4}, {2, 2}, float32);
  const Tensor y = test::tensor_of({5, 6}, {2, 1}, float32);
  test::expect_all_close(Concatenate()(Tensors{x, y}),
                         test::tensor_of({1, 2, 5, 3, 4, 6}, {2, 3}, float32), 0, 0);
}

TEST(Dot, MatchesALoopOverTheBatch) {
  const Tensor x = test::random_tensor({2, 4, 3}, float64, -1, 1, 1);
  const Tensor y = test::random_tensor({2, 5, 3}, float64, -1, 1, 2);
  Dot d(2);
  d->set_dtype(float64);
  const Tensor z = d(Tensors{x, y});
  ASSERT_EQ(shape_str(z.shape()), "(2, 4, 5)");
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t i = 0; i < 4; ++i) {
      for (int64_t j = 0; j < 5; ++j) {
        double acc = 0;
        for (int64_t k = 0; k < 3; ++k) acc += x.at<double>({b, i, k}) * y.at<double>({b, j, k});
        EXPECT_NEAR(z.at<double>({b, i, j}), acc, 1e-12) << b << "," << i << "," << j;
      }
    }
  }
}

TEST(Dot, AxesPairContractsTheChosenAxes) {
  // axes (1, 1): (2, 3, 4) . (2, 3, 2) -> (2, 4, 2) = x[b]^T @ y[b].
  const Tensor x = test::random_tensor({2, 3, 4}, float64, -1, 1, 3);
  const Tensor y = test::random_tensor({2, 3, 2}, float64, -1, 1, 4);
  Dot d(std::pair{1, 1});
  d->set_dtype(float64);
  const Tensor z = d(Tensors{x, y});
  ASSERT_EQ(shape_str(z.shape()), "(2, 4, 2)");
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t i = 0; i < 4; ++i) {
      for (int64_t j = 0; j < 2; ++j) {
        double acc = 0;
        for (int64_t k = 0; k < 3; ++k) acc += x.at<double>({b, k, i}) * y.at<double>({b, k, j});
        EXPECT_NEAR(z.at<double>({b, i, j}), acc, 1e-12);
      }
    }
  }
}

TEST(Dot, NormalizeGivesTheCosineSimilarity) {
  const Tensor x = test::tensor_of({3, 4, 1, 0}, {2, 2}, float32);
  const Tensor y = test::tensor_of({4, 3, 0, 2}, {2, 2}, float32);
  test::expect_all_close(Dot(1, {.normalize = true})(Tensors{x, y}),
                         test::tensor_of({24.0 / 25.0, 0}, {2, 1}, float32), 1e-6, 1e-6);
  test::expect_all_close(Dot(1)(Tensors{x, y}), test::tensor_of({24, 0}, {2, 1}, float32), 0, 0);
}

// ---- dtypes ----

TEST(MergeLayers, OutputDtypeIsPromotedFromTheInputs) {
  const KerasTensor i = keras::Input({3}, {.dtype = int32}), f = keras::Input({3});
  const KerasTensor j = keras::Input({3}, {.dtype = int64});
  EXPECT_EQ(add({i, f}).dtype(), float32);
  EXPECT_EQ(add({i, i}).dtype(), int32);
  EXPECT_EQ(maximum({i, j}).dtype(), int64);
  EXPECT_EQ(average({i, i}).dtype(), float32);
  EXPECT_EQ(concatenate({i, f}).dtype(), float32);
  EXPECT_EQ(concatenate({i, j}).dtype(), int64);
  EXPECT_EQ(dot({i, i}, 1).dtype(), float32);

  const Tensor ti = Tensor::from_vector<int32_t>({1, 2, 3}, {1, 3});
  const Tensor tf = Tensor::from_vector<float>({0.5f, 0.5f, 0.5f}, {1, 3});
  const Tensor sum = Add()(Tensors{ti, tf});
  EXPECT_EQ(sum.dtype(), float32);
  test::expect_all_close(sum, test::tensor_of({1.5, 2.5, 3.5}, {1, 3}, float32), 0, 0);
  const Tensor isum = Add()(Tensors{ti, ti});
  EXPECT_EQ(isum.dtype(), int32);
  const Tensor avg = Average()(Tensors{ti, ops::add(ti, ti)});
  EXPECT_EQ(avg.dtype(), float32);
  test::expect_all_close(avg, test::tensor_of({1.5, 3, 4.5}, {1, 3}, float32), 0, 0);
}

// ---- functional forms and Keras 1's merge ----

TEST(MergeFunctions, MakeOneLayerPerCall) {
  const KerasTensor a = keras::Input({4}), b = keras::Input({4});
  EXPECT_EQ(concatenate({a, b}).layer()->class_name(), "Concatenate");
  EXPECT_EQ(add({a, b}).layer()->class_name(), "Add");
  EXPECT_EQ(subtract({a, b}).layer()->class_name(), "Subtract");
  EXPECT_EQ(multiply({a, b}).layer()->class_name(), "Multiply");
  EXPECT_EQ(average({a, b}).layer()->class_name(), "Average");
  EXPECT_EQ(maximum({a, b}).layer()->class_name(), "Maximum");
  EXPECT_EQ(minimum({a, b}).layer()->class_name(), "Minimum");
  EXPECT_EQ(dot({a, b}, 1).layer()->class_name(), "Dot");
  EXPECT_EQ(add({a, b}, {.name = "total"}).layer()->name(), "total");
  EXPECT_NE(add({a, b}).layer(), add({a, b}).layer());
  reset_uids();
  EXPECT_EQ(concatenate({a, b}).layer()->name(), "concatenate_1");
  EXPECT_EQ(Concatenate()({a, b}).layer()->name(), "concatenate_2");
  EXPECT_EQ(Dot(1).name(), "dot_1");
}

TEST(MergeFunctions, Keras1MergeModes) {
  const KerasTensor a = keras::Input({4}), b = keras::Input({4});
  const KerasTensor c = merge({a, b}, {.mode = "concat", .concat_axis = -1});
  EXPECT_EQ(c.layer()->class_name(), "Concatenate");
  EXPECT_EQ(shape_str(c.shape()), "(None, 8)");
  EXPECT_EQ(merge({a, b}).layer()->class_name(), "Add");  // mode "sum" by default
  EXPECT_EQ(merge({a, b}, {.mode = "mul"}).layer()->class_name(), "Multiply");
  EXPECT_EQ(merge({a, b}, {.mode = "ave"}).layer()->class_name(), "Average");
  EXPECT_EQ(merge({a, b}, {.mode = "max"}).layer()->class_name(), "Maximum");
  const KerasTensor d = merge({a, b}, {.mode = "dot", .dot_axes = {1}});
  EXPECT_EQ(d.layer()->class_name(), "Dot");
  EXPECT_EQ(shape_str(d.shape()), "(None, 1)");
  const KerasTensor cos = merge({a, b}, {.mode = "cos", .dot_axes = {1, 1}, .name = "cosine"});
  EXPECT_EQ(cos.layer()->name(), "cosine");
  EXPECT_EQ(shape_str(cos.shape()), "(None, 1)");
  test::expect_throws_with<ValueError>(
      [&] {
        merge({a, b}, {.mode = "foo"});
      },
      "Invalid merge mode: foo");
}

TEST(MergeFunctions, GuideTwoInputModelTrains) {
  // The guide's multi-input model: concatenate([lstm_out, auxiliary_input]) -> Dense.
  const KerasTensor main_input = keras::Input({6}), aux_input = keras::Input({2});
  const KerasTensor h = Dense(4, {.activation = "tanh"})(main_input);
  const KerasTensor x = concatenate({h, aux_input});
  EXPECT_EQ(shape_str(x.shape()), "(None, 6)");
  Model model({main_input, aux_input}, Dense(1)(x));
  model.compile({.optimizer = "sgd", .loss = "mse"});
  const Tensor xm = test::random_tensor({8, 6}, float32, -1, 1, 5);
  const Tensor xa = test::random_tensor({8, 2}, float32, -1, 1, 6);
  const Tensor y = test::random_tensor({8, 1}, float32, -1, 1, 7);
  const double before = model.evaluate(Tensors{xm, xa}, y, {.verbose = 0}).at(0);
  model.fit(Tensors{xm, xa}, y, {.epochs = 5, .batch_size = 8, .verbose = 0});
  const double after = model.evaluate(Tensors{xm, xa}, y, {.verbose = 0}).at(0);
  EXPECT_LT(after, before);
  const Tensor pred = model.predict(Tensors{xm, xa});
  EXPECT_EQ(shape_str(pred.shape()), "(8, 1)");
}

TEST(Add, SharedLayerMakesTwoNodes) {
  Add add_layer;
  const KerasTensor a = keras::Input({3}), b = keras::Input({3}), c = keras::Input({3});
  add_layer({a, b});
  add_layer({b, c});
  EXPECT_EQ(add_layer->inbound_nodes().size(), 2u);
  EXPECT_TRUE(add_layer.weights().empty());
}

// ---- errors (Keras 2 wording) ----

TEST(MergeLayers, NeedAtLeastTwoInputs) {
  const KerasTensor a = keras::Input({3});
  for (LayerRef layer : {LayerRef(Add()), LayerRef(Multiply()), LayerRef(Average()),
                         LayerRef(Maximum()), LayerRef(Minimum())}) {
    test::expect_throws_with<ValueError>(
        [&] { layer(KerasTensors{a}); },
        "A merge layer should be called on a list of at least 2 inputs. Got 1 inputs.");
  }
  test::expect_throws_with<ValueError>(
      [&] {
        Add()(Tensors{ones({2, 3})});
      },
      "at least 2 inputs. Got 1 inputs.");
  test::expect_throws_with<ValueError>(
      [&] { Concatenate()(KerasTensors{a}); },
      "A `Concatenate` layer should be called on a list of at least 2 inputs");
}

TEST(Subtract, NeedsExactlyTwoInputs) {
  const KerasTensor a = keras::Input({3});
  test::expect_throws_with<ValueError>(
      [&] {
        subtract({a, a, a});
      },
      "A `Subtract` layer should be called on exactly 2 inputs");
  test::expect_throws_with<ValueError>([&] { subtract({a}); },
                                       "A `Subtract` layer should be called on exactly 2 inputs");
}

TEST(MergeLayers, RejectShapesThatDoNotBroadcast) {
  const KerasTensor a = keras::Input({3}), b = keras::Input({4}), c = keras::Input({4, 3});
  test::expect_throws_with<ValueError>(
      [&] {
        add({a, b});
      },
      "Operands could not be broadcast together with shapes "
      "(3,) (4,)");
  test::expect_throws_with<ValueError>(
      [&] {
        multiply({c, b});
      },
      "Operands could not be broadcast together with shapes "
      "(4, 3) (4,)");
  test::expect_throws_with<ValueError>(
      [&] {
        Add()(Tensors{ones({2, 3}), ones({2, 4})});
      },
      "(3,) (4,)");
}

TEST(MergeLayers, RejectDifferentBatchSizes) {
  const KerasTensor a = keras::Input({3}, {.batch_size = 2}),
                    b = keras::Input({3}, {.batch_size = 5});
  test::expect_throws_with<ValueError>(
      [&] {
        add({a, b});
      },
      "Can not merge tensors with different batch sizes. Got "
      "tensors with shapes : [(2, 3), (5, 3)]");
  test::expect_throws_with<ValueError>(
      [&] {
        Maximum()(Tensors{ones({2, 3}), ones({3, 3})});
      },
      "different batch sizes");
}

TEST(Concatenate, RejectsMismatchedShapes) {
  const KerasTensor a = keras::Input({3}), b = keras::Input({4, 5});
  test::expect_throws_with<ValueError>(
      [&] {
        concatenate({a, b});
      },
      "A `Concatenate` layer requires inputs with matching shapes except for the concatenation "
      "axis. "
      "Got inputs shapes: [(None, 3), (None, 4, 5)]");
  const KerasTensor c = keras::Input({3, 4}), d = keras::Input({5, 4});
  test::expect_throws_with<ValueError>(
      [&] {
        concatenate({c, d});
      },
      "Got inputs shapes: [(None, 3, 4), (None, 5, 4)]");
  test::expect_throws_with<ValueError>(
      [&] {
        concatenate({c, d}, {.axis = 3});
      },
      "out of bounds for inputs of rank 3");
  test::expect_throws_with<ValueError>(
      [&] {
        Concatenate()(Tensors{ones({2, 3}), ones({3, 3})});
      },
      "Got inputs shapes: [(2, 3), (3, 3)]");
}

TEST(Dot, RejectsIncompatibleInputs) {
  const KerasTensor a = keras::Input({3}), b = keras::Input({4});
  test::expect_throws_with<ValueError>(
      [&] {
        dot({a, b}, 1);
      },
      "Dimension incompatibility 3 != 4. Layer shapes: (None, 3), "
      "(None, 4). Chosen axes: 1, 1");
  test::expect_throws_with<ValueError>(
      [&] {
        dot({a, a, a}, 1);
      },
      "A `Dot` layer should be called on a list of 2 inputs.");
  test::expect_throws_with<ValueError>(
      [&] {
        dot({a, a}, 0);
      },
      "Cannot perform batch_dot over axis 0");
  test::expect_throws_with<ValueError>([&] { dot({a, a}, 2); }, "out of bounds");
  test::expect_throws_with<ValueError>(
      [&] {
        Dot(1)(Tensors{ones({3}), ones({3})});
      },
      "Cannot do batch_dot on inputs with rank < 2");
}

// Keras 3's merging_test test_correctness_static_concat: without input masks, no output mask.
TEST(Concatenate, NoInputMasksGiveNoMask) {
  auto c = Concatenate();
  const Tensor a = ones({2, 3}), b = ones({2, 4});
  const Tensors out = c->compute_mask({a, b}, {Tensor(), Tensor()}, {});
  EXPECT_TRUE(out.empty() || !out[0].defined());
  EXPECT_FALSE(c({a, b}).keras_mask().defined());
}

// Keras 3's merging_test / rnn tests read supports_masking: True for the merge layers and the
// recurrent layers (their compute_mask decides the output masks).
TEST(Concatenate, MergeAndRecurrentLayersSupportMasking) {
  EXPECT_TRUE(Add()->supports_masking());
  EXPECT_TRUE(Concatenate()->supports_masking());
  EXPECT_TRUE(Dot(1)->supports_masking());
  EXPECT_TRUE(LSTM(2)->supports_masking());
  EXPECT_TRUE(GRU(2)->supports_masking());
  EXPECT_TRUE(SimpleRNN(2)->supports_masking());
  EXPECT_TRUE(Bidirectional(LSTM(2))->supports_masking());
}

}  // namespace
}  // namespace keras::layers
