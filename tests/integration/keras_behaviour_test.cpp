// Keras's own tests of the functional API, Sequential and the training loop, replayed on
// keras.cpp: each test names the Keras test (Keras 2.2.4's tests/keras/engine/test_topology.py
// and test_training.py, Keras 3's keras/src/models/*_test.py) whose behaviour it checks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <keras/keras.hpp>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

using ::testing::HasSubstr;
namespace L = keras::layers;

using test::message_of;

std::vector<std::string> names_of(const std::vector<L::LayerRef>& layers) {
  std::vector<std::string> out;
  for (const auto& l : layers) out.push_back(l.name());
  return out;
}

// Same graph, same weights: predictions agree to float32 rounding of identical kernels.
void expect_same(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.shape(), b.shape());
  const std::vector<double> x = test::to_doubles(a), y = test::to_doubles(b);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], y[i], 1e-6) << i;
}

class KerasBehaviour : public ::testing::Test {
 protected:
  void SetUp() override {
    utils::clear_session();
    utils::set_random_seed(7);
  }
};

// test_topology.py: test_trainable_weights (functional and Sequential).
TEST_F(KerasBehaviour, TrainableWeightsFollowTheModelAndLayerFlags) {
  auto a = Input({2});
  Model model(a, L::Dense(1)(a));
  const size_t n = model.weights().size();
  ASSERT_EQ(n, 2u);
  EXPECT_EQ(model.trainable_weights().size(), n);
  EXPECT_TRUE(model.non_trainable_weights().empty());
  model.set_trainable(false);
  EXPECT_TRUE(model.trainable_weights().empty());
  EXPECT_EQ(model.non_trainable_weights().size(), n);
  model.set_trainable(true);
  EXPECT_EQ(model.trainable_weights().size(), n);
  EXPECT_TRUE(model.non_trainable_weights().empty());
  model.layers()[1].set_trainable(false);
  EXPECT_TRUE(model.trainable_weights().empty());
  EXPECT_EQ(model.non_trainable_weights().size(), n);

  Sequential seq;
  seq.add(L::Dense(1, {.input_dim = 2}));
  EXPECT_EQ(seq.trainable_weights().size(), 2u);
  seq.set_trainable(false);
  EXPECT_TRUE(seq.trainable_weights().empty());
  EXPECT_EQ(seq.non_trainable_weights().size(), 2u);
  seq.set_trainable(true);
  EXPECT_EQ(seq.trainable_weights().size(), 2u);
  seq.layers()[0].set_trainable(false);
  EXPECT_TRUE(seq.trainable_weights().empty());
}

// test_training.py: test_trainable_argument — a frozen layer does not move in training, also
// inside an outer model.
TEST_F(KerasBehaviour, FrozenLayersDoNotTrainAlsoWhenNested) {
  const Tensor x = random::uniform({5, 3}), y = random::uniform({5, 2});
  Sequential seq;
  seq.add(L::Dense(2, {.input_dim = 3}));
  seq.layers()[0].set_trainable(false);
  seq.compile({.optimizer = "rmsprop", .loss = "mse"});
  const Tensor before = seq.predict(x);
  seq.train_on_batch(x, y);
  expect_same(before, seq.predict(x));

  auto in = Input({3});
  Model outer(in, seq(in));
  outer.compile({.optimizer = "rmsprop", .loss = "mse"});
  outer.train_on_batch(x, y);
  expect_same(before, outer.predict(x));
}

// test_topology.py: test_get_layer; Keras 3 model.get_layer(index=...) indexes model.layers as a
// Python list, so a negative index counts from the end.
TEST_F(KerasBehaviour, GetLayerByIndexNameAndItsErrors) {
  Sequential seq;
  seq.add(L::Dense(1, {.input_dim = 2}));
  EXPECT_THAT(message_of<ValueError>([&] { seq.get_layer(5); }),
              HasSubstr("Was asked to retrieve layer at index 5 but model only has 1 layers."));
  EXPECT_THAT(message_of<ValueError>([&] { seq.get_layer("conv"); }),
              HasSubstr("No such layer: conv."));
  EXPECT_THAT(message_of<ValueError>([&] { seq.get_layer("conv"); }),
              HasSubstr("Existing layers are: ['dense_1']"));

  auto a = Input({3}, {.name = "input_a"});
  auto b = Input({3}, {.name = "input_b"});
  auto x = L::add({a, b});
  x = L::Dense(5, {.name = "d1"})(x);
  Model model({a, b}, L::Dense(4, {.name = "d2"})(x));
  EXPECT_EQ(model.get_layer(0).name(), "input_a");
  EXPECT_EQ(model.get_layer(1).name(), "input_b");
  EXPECT_EQ(model.get_layer(-1).name(), "d2");
  EXPECT_EQ(model.get_layer(-2).name(), "d1");
  EXPECT_EQ(seq.get_layer(-1).name(), "dense_1");
  EXPECT_THAT(message_of<IndexError>([&] { model.get_layer(-6); }),
              HasSubstr("list index out of range"));
}

// test_topology.py: test_multi_input_layer — layer order, endpoints, output shapes, and the same
// after a JSON round trip.
TEST_F(KerasBehaviour, MultiInputModelLayersOrderAndShapes) {
  auto a = Input({32}, {.name = "input_a"});
  auto b = Input({32}, {.name = "input_b"});
  auto dense = L::Dense(16, {.name = "dense_1"});
  auto merged = L::concatenate({dense(a), dense(b)}, {.name = "merge"});
  EXPECT_EQ(merged.shape(), (Shape{kNone, 32}));
  EXPECT_EQ(merged.node_index(), 0);
  EXPECT_EQ(merged.tensor_index(), 0);
  EXPECT_EQ(merged.layer()->inbound_nodes().size(), 1u);
  EXPECT_EQ(merged.layer()->inbound_nodes()[0]->input_tensors.size(), 2u);
  auto c = L::Dense(64, {.name = "dense_2"})(merged);
  auto d = L::Dense(5, {.name = "dense_3"})(c);
  Model model({a, b}, {c, d}, {.name = "model"});
  const std::vector<std::string> order = {"input_a", "input_b", "dense_1",
                                          "merge",   "dense_2", "dense_3"};
  EXPECT_EQ(names_of(model.layers()), order);
  EXPECT_EQ(model.input_names(), (std::vector<std::string>{"input_a", "input_b"}));
  EXPECT_EQ(model.output_names(), (std::vector<std::string>{"dense_2", "dense_3"}));
  EXPECT_EQ(model.impl().compute_output_shape({{kNone, 32}, {kNone, 32}}),
            (std::vector<Shape>{{kNone, 64}, {kNone, 5}}));
  Outputs out = model.predict({random::uniform({10, 32}), random::uniform({10, 32})});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].shape(), (Shape{10, 64}));
  EXPECT_EQ(out[1].shape(), (Shape{10, 5}));

  Model recreated = models::model_from_json(model.to_json());
  recreated.compile({.optimizer = "rmsprop", .loss = "mse"});
  EXPECT_EQ(names_of(recreated.layers()), order);
  EXPECT_EQ(recreated.input_names(), model.input_names());
  EXPECT_EQ(recreated.output_names(), model.output_names());
  Outputs again = recreated.predict({random::uniform({10, 32}), random::uniform({10, 32})});
  EXPECT_EQ(again[1].shape(), (Shape{10, 5}));
}

// test_topology.py: test_recursion — a model called on new inputs is one layer of the outer
// model; output shapes with a known batch size; config round trips.
TEST_F(KerasBehaviour, ModelCalledOnNewInputsInsideAnotherModel) {
  auto a = Input({32}, {.name = "input_a"});
  auto b = Input({32}, {.name = "input_b"});
  auto dense = L::Dense(16, {.name = "dense_1"});
  auto merged = L::concatenate({dense(a), dense(b)}, {.name = "merge"});
  auto c = L::Dense(64, {.name = "dense_2"})(merged);
  auto d = L::Dense(5, {.name = "dense_3"})(c);
  Model model({a, b}, {c, d}, {.name = "model"});

  auto e = Input({32}, {.name = "input_e"});
  auto f = Input({32}, {.name = "input_f"});
  KerasTensors gh = model.call_multi({e, f});
  ASSERT_EQ(gh.size(), 2u);
  EXPECT_EQ(gh[0].shape(), c.shape());
  EXPECT_EQ(gh[1].shape(), d.shape());
  auto i = L::Dense(7, {.name = "dense_4"})(gh[1]);
  Model final_model({e, f}, {i, gh[0]}, {.name = "final"});
  EXPECT_EQ(final_model.inputs().size(), 2u);
  EXPECT_EQ(final_model.outputs().size(), 2u);
  EXPECT_EQ(names_of(final_model.layers()),
            (std::vector<std::string>{"input_e", "input_f", "model", "dense_4"}));
  EXPECT_EQ(final_model.impl().compute_output_shape({{10, 32}, {10, 32}}),
            (std::vector<Shape>{{10, 7}, {10, 64}}));
  const Tensor xa = random::uniform({10, 32}), xb = random::uniform({10, 32});
  Outputs out = final_model.predict({xa, xb});
  EXPECT_EQ(out[0].shape(), (Shape{10, 7}));
  EXPECT_EQ(out[1].shape(), (Shape{10, 64}));

  Model recreated = models::model_from_config(final_model.get_config());
  recreated.set_weights(final_model.get_weights());
  Outputs back = recreated.predict({xa, xb});
  expect_same(out[0], back[0]);
  expect_same(out[1], back[1]);

  // The model called twice more, on four inputs, merged: one output of 5 + 64.
  auto j = Input({32}), k = Input({32}), o = Input({32}), p = Input({32});
  KerasTensors mn = model.call_multi({j, k});
  KerasTensors qr = model.call_multi({o, p});
  EXPECT_EQ(mn[1].shape(), (Shape{kNone, 5}));
  EXPECT_EQ(qr[0].shape(), (Shape{kNone, 64}));
  auto s = L::concatenate({mn[1], qr[0]}, {.name = "merge_nq"});
  EXPECT_EQ(s.shape(), (Shape{kNone, 69}));
  Model multi_io({j, k, o, p}, s);
  const Tensor r = random::uniform({10, 32});
  EXPECT_EQ(Tensor(multi_io.predict({r, r, r, r})).shape(), (Shape{10, 69}));
  Model multi_io_back = models::model_from_config(multi_io.get_config());
  EXPECT_EQ(Tensor(multi_io_back.predict({r, r, r, r})).shape(), (Shape{10, 69}));
}

// test_topology.py: test_recursion, "test invalid graphs".
TEST_F(KerasBehaviour, InvalidGraphsAreRefused) {
  auto a = Input({32}, {.name = "input_a"});
  auto b = Input({32}, {.name = "input_b"});
  Model model({a, b}, {L::Dense(64)(a), L::Dense(5)(b)}, {.name = "inner"});

  // An input that is not an Input tensor.
  auto j = L::Dense(32)(Input({32}));
  auto k = Input({32}, {.name = "input_k"});
  KerasTensors mn = model.call_multi({j, k});
  EXPECT_THAT(message_of<TypeError>([&] {
                Model bad({j, k}, mn);
              }),
              HasSubstr("Input layers to a `Model` must be `InputLayer` objects"));

  // A disconnected graph.
  auto j2 = Input({32}, {.name = "input_j2"});
  auto k2 = Input({32}, {.name = "input_k2"});
  KerasTensors mn2 = model.call_multi({j2, k2});
  EXPECT_THAT(message_of<ValueError>([&] { Model bad({j2}, mn2); }),
              HasSubstr("Graph disconnected: cannot obtain value for tensor "
                        "Tensor(\"input_k2:0\", shape=(None, 32), dtype=float32) at layer "
                        "\"input_k2\""));

  // Redundant outputs work; redundant inputs do not.
  Model redundant_out({j2, k2}, {mn2[0], mn2[1], mn2[1]});
  Outputs out = redundant_out.predict({random::uniform({3, 32}), random::uniform({3, 32})});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(test::to_doubles(out[1]), test::to_doubles(out[2]));
  EXPECT_THAT(message_of<ValueError>([&] {
                Model bad({j2, k2, j2}, mn2);
              }),
              HasSubstr("The list of inputs passed to the model is redundant. All inputs should "
                        "only appear once. Found: [Tensor(\"input_j2:0\""));
}

// test_topology.py: test_layer_sharing_at_heterogenous_depth(_with_concat) — shared layers at
// several depths survive get_config / from_config with the same predictions.
TEST_F(KerasBehaviour, LayersSharedAtSeveralDepthsRoundTrip) {
  {
    auto x = Input({5});
    auto A = L::Dense(5, {.name = "A"});
    auto B = L::Dense(5, {.name = "B"});
    Model m(x, A(B(A(B(x)))));
    const Tensor data = random::uniform({10, 5});
    Model m2 = Model(models::model_from_config(m.get_config()));
    m2.set_weights(m.get_weights());
    expect_same(m.predict(data), m2.predict(data));
  }
  {
    auto x = Input({16, 9, 3});
    auto A = L::Dense(3, {.name = "dense_A"});
    auto B = L::Dense(3, {.name = "dense_B"});
    auto C = L::Dense(3, {.name = "dense_C"});
    Model m(x, L::concatenate({B(A(x)), A(C(x))}));
    const Tensor data = random::uniform({10, 16, 9, 3});
    Model m2 = models::model_from_config(m.get_config());
    m2.set_weights(m.get_weights());
    expect_same(m.predict(data), m2.predict(data));
  }
}

// test_topology.py: test_shared_layer_depth_is_correct — two inputs through one shared
// Embedding are at the same depth: both come first in model.layers.
TEST_F(KerasBehaviour, InputsThroughASharedLayerHaveTheSameDepth) {
  auto input1 = Input({10}, {.name = "input1"});
  auto input2 = Input({10}, {.name = "input2"});
  auto embedding = L::Embedding(5, 10, {.name = "embedding"});
  auto e1 = embedding(input1);
  auto e2 = embedding(input2);
  auto t2 = L::Dense(6)(L::Dense(5)(L::Dense(3)(e2)));
  Model model({input1, input2}, L::Dense(2)(L::Concatenate()({e1, t2})));
  const auto names = names_of(model.layers());
  ASSERT_GE(names.size(), 2u);
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 2),
            (std::vector<std::string>{"input1", "input2"}));
}

// test_topology.py: test_node_construction — a layer called once has a defined input, output
// and shapes; Keras 3's functional_test: model.input_shape.
TEST_F(KerasBehaviour, SingleNodeLayerAttributes) {
  auto a = Input({32}, {.name = "input_a"});
  auto test_layer = L::Dense(16, {.name = "test_layer"});
  auto a_test = test_layer(a);
  EXPECT_TRUE(test_layer.input() == a);
  EXPECT_TRUE(test_layer.output() == a_test);
  EXPECT_EQ(test_layer.input_shape(), (Shape{kNone, 32}));
  EXPECT_EQ(test_layer.output_shape(), (Shape{kNone, 16}));
  EXPECT_EQ(test_layer.weights()[0].shape(), (Shape{32, 16}));
  const auto& node = a.layer()->inbound_nodes().at(0);
  EXPECT_TRUE(node->input_tensors.empty() || node->input_tensors[0] == a);
  EXPECT_EQ(test_layer->inbound_nodes()[0]->input_tensors.at(0), a);

  auto input = Input({1024, 4});
  Model model(input, L::Conv1D(32, 3)(input));
  EXPECT_EQ(model.input_shape(), (Shape{kNone, 1024, 4}));
  EXPECT_EQ(model.output_shape(), (Shape{kNone, 1022, 32}));
}

// Keras 3 functional_test.py: test_bad_input_spec and test_passing_inputs_by_name — eager calls
// check the number and shapes of the inputs, and take a dict keyed by input names.
TEST_F(KerasBehaviour, EagerCallsCheckTheirInputs) {
  auto inputs = Input({4});
  Model model(inputs, L::Dense(2)(inputs));
  EXPECT_THAT(message_of<ValueError>([&] {
                model.call(zeros({2, 3}));
              }),
              HasSubstr("expected axis 1 of input shape to have value 4 but got shape (2, 3)"));
  EXPECT_THAT(message_of<ValueError>([&] {
                model.call({zeros({2, 4}), zeros({2, 4})});
              }),
              HasSubstr("Expected to see 1 array(s), but instead got 2 array(s)."));
  EXPECT_THAT(message_of<ValueError>([&] {
                model(Tensors{zeros({2, 4}), zeros({2, 4})});
              }),
              HasSubstr("expects 1 input"));

  auto a = Input({3}, {.name = "input_a"});
  auto b = Input({3}, {.name = "input_b"});
  Model two({a, b}, L::Dense(4)(L::add({a, b})));
  EXPECT_THAT(message_of<ValueError>([&] {
                two.call(zeros({2, 3}));
              }),
              HasSubstr("Expected to see 2 array(s), but instead got 1 array(s)."));
  EXPECT_THAT(message_of<ValueError>([&] {
                two.call({zeros({2, 2}), zeros({2, 3})});
              }),
              HasSubstr("expected axis 1 of input shape to have value 3 but got shape (2, 2)"));
  Outputs by_name = two.call({{"input_a", ones({2, 3})}, {"input_b", ones({2, 3})}});
  EXPECT_EQ(by_name.shape(), (Shape{2, 4}));
  auto a2 = Input({3});
  auto b2 = Input({3});
  EXPECT_EQ(two(KerasTensors{a2, b2}).shape(), (Shape{kNone, 4}));
  // A rank mismatch names the layer and the full shape (a trailing axis of 1 is squeezed, as
  // Keras 3 standardizes a functional model's inputs).
  EXPECT_THAT(message_of<ValueError>([&] {
                model.call(zeros({2, 4, 2}));
              }),
              HasSubstr("expected ndim=2, found ndim=3. Full shape received: (2, 4, 2)"));
  EXPECT_EQ(model.call(zeros({2, 4, 1})).shape()[0], 2);
}

// Keras 3 functional_test.py: test_basic_flow_multi_input / multi_output — name, eager and
// symbolic calls.
TEST_F(KerasBehaviour, BasicFlowMultiInputMultiOutput) {
  auto a = Input({3}, {.batch_size = 2, .name = "input_a"});
  auto b = Input({3}, {.batch_size = 2, .name = "input_b"});
  auto x = L::Dense(5)(L::add({a, b}));
  Model model({a, b}, L::Dense(4)(x), {.name = "basic"});
  EXPECT_EQ(model.name(), "basic");
  EXPECT_EQ(Tensor(model.call({random::uniform({2, 3}), random::uniform({2, 3})})).shape(),
            (Shape{2, 4}));
  auto a2 = Input({3}, {.batch_size = 2});
  auto b2 = Input({3}, {.batch_size = 2});
  EXPECT_EQ(model(KerasTensors{a2, b2}).shape(), (Shape{2, 4}));

  auto in = Input({3}, {.batch_size = 2});
  auto h = L::Dense(5)(in);
  Model multi(in, {L::Dense(4)(h), L::Dense(5)(h)});
  Outputs out = multi.call(random::uniform({2, 3}));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].shape(), (Shape{2, 4}));
  EXPECT_EQ(out[1].shape(), (Shape{2, 5}));
  KerasTensors sym = multi.call_multi({Input({3}, {.batch_size = 2})});
  ASSERT_EQ(sym.size(), 2u);
  EXPECT_EQ(sym[1].shape(), (Shape{2, 5}));
}

// Keras 3 sequential_test.py: test_errors.
TEST_F(KerasBehaviour, SequentialErrors) {
  {
    Sequential model;
    model.add(Input({2}, {.batch_size = 3}));
    EXPECT_THAT(message_of<ValueError>([&] { model.add(Input({2}, {.batch_size = 3})); }),
                HasSubstr("has already been configured to use input shape (3, 2). You cannot "
                          "add a different Input layer to it."));
  }
  {
    Sequential model;
    model.add(L::Dense(2, {.name = "dense"}));
    EXPECT_THAT(message_of<ValueError>([&] { model.add(L::Dense(2, {.name = "dense"})); }),
                HasSubstr("should have unique names"));
  }
  {
    Sequential model;
    EXPECT_THAT(message_of<ValueError>([&] {
                  model.call(random::uniform({3, 2}));
                }),
                HasSubstr("no layers"));
    EXPECT_THAT(message_of<ValueError>([&] {
                  model.predict(random::uniform({3, 2}));
                }),
                HasSubstr("no layers"));
  }
  {
    Sequential model;
    model.add(Input({2}, {.batch_size = 3}));
    model.add(L::Dense(2));
    EXPECT_THAT(message_of<ValueError>([&] {
                  model.build({3, 4});
                }),
                HasSubstr("has already been configured to use input shape (3, 2). You cannot "
                          "build it with input_shape (3, 4)"));
    model.build({3, 2});  // the same shape is fine
    EXPECT_EQ(Tensor(model.predict(random::uniform({3, 2}))).shape(), (Shape{3, 2}));
  }
}

// Keras 2.2.4 Sequential.pop / Keras 3 sequential_test.py: test_sequential_pop — popping every
// layer leaves a model with no layers, which cannot run until one is added.
TEST_F(KerasBehaviour, SequentialPopDownToNothing) {
  Sequential model;
  model.add(L::Dense(4, {.input_dim = 3}));
  model.add(L::Dense(2));
  EXPECT_EQ(model.output_shape(), (Shape{kNone, 2}));
  model.pop();
  EXPECT_EQ(model.layers().size(), 1u);
  EXPECT_EQ(model.output_shape(), (Shape{kNone, 4}));
  EXPECT_EQ(Tensor(model.predict(random::uniform({5, 3}))).shape(), (Shape{5, 4}));
  model.pop();
  EXPECT_TRUE(model.layers().empty());
  EXPECT_THAT(message_of<ValueError>([&] {
                model.predict(random::uniform({5, 3}));
              }),
              HasSubstr("no layers"));
  EXPECT_THAT(message_of<TypeError>([&] { model.pop(); }),
              HasSubstr("There are no layers in the model."));
  model.add(L::Dense(6, {.input_dim = 3}));
  EXPECT_EQ(Tensor(model.predict(random::uniform({5, 3}))).shape(), (Shape{5, 6}));
}

// Keras 3 sequential_test.py: test_compute_output_shape (unbuilt) and test_basic_flow's
// endpoints (model.outputs is the last layer's output).
TEST_F(KerasBehaviour, SequentialShapesAndEndpoints) {
  Sequential unbuilt({L::Dense(4), L::Dense(8)});
  EXPECT_EQ(unbuilt.impl().compute_output_shape({{1, 2}}), (std::vector<Shape>{{1, 8}}));
  Sequential model;
  model.add(Input({2}));
  model.add(L::Dense(4));
  EXPECT_TRUE(model.outputs().at(0) == model.layers().back().output());
  EXPECT_EQ(model.input_shape(), (Shape{kNone, 2}));
  EXPECT_EQ(model.output_shape(), (Shape{kNone, 4}));
}

// Layer names are the keys of saved weights ("layers/<name>/vars"): Keras 3 refuses a `/` in a
// name (Operation's constructor).
TEST_F(KerasBehaviour, LayerNamesMayNotContainASlash) {
  EXPECT_THAT(message_of<ValueError>([] { L::Dense(2, {.name = "a/b"}); }),
              HasSubstr("Argument `name` must be a string and cannot contain character `/`. "
                        "Received: name=a/b"));
  EXPECT_THAT(message_of<ValueError>([] { Input({2}, {.name = "in/put"}); }),
              HasSubstr("cannot contain character `/`"));
  auto x = Input({2});
  EXPECT_THAT(message_of<ValueError>([&] { Model(x, L::Dense(1)(x), {.name = "m/1"}); }),
              HasSubstr("cannot contain character `/`"));
}

// The two-input, two-output model of test_training.py's get_model(num_outputs=2).
Model two_in_two_out() {
  auto a = Input({3}, {.name = "input_a"});
  auto b = Input({3}, {.name = "input_b"});
  auto a2 = L::Dense(4, {.name = "dense_1"})(a);
  auto b2 = L::Dropout(0.5, {.name = "dropout"})(b);
  return Model({a, b}, {a2, b2});
}

class EpochTracker : public callbacks::Callback {
 public:
  void on_epoch_begin(int epoch, const callbacks::Logs&) override { epochs.push_back(epoch); }
  void on_train_batch_begin(int batch, const callbacks::Logs&) override {
    batches.push_back(batch);
  }
  std::vector<int> epochs, batches;
};

// test_training.py: test_model_methods — training before compile, data as lists and dicts keyed
// by layer names, metric counts, initial_epoch, and the argument errors.
TEST_F(KerasBehaviour, ModelMethodsAcceptListsAndDictsAndRefuseMisuse) {
  Model model = two_in_two_out();
  const Tensor ia = random::uniform({10, 3}), ib = random::uniform({10, 3});
  const Tensor oa = random::uniform({10, 4}), ob = random::uniform({10, 3});
  EXPECT_THAT(message_of<Error>([&] {
                model.train_on_batch({ia, ib}, {oa, ob});
              }),
              HasSubstr("You must compile your model before"));
  EXPECT_THAT(message_of<Error>([&] {
                model.evaluate({ia, ib}, {oa, ob}, {.verbose = 0});
              }),
              HasSubstr("You must compile your model before"));

  model.compile({.optimizer = "rmsprop", .loss = "mse", .loss_weights = {1.0, 0.5}});
  model.train_on_batch({ia, ib}, {oa, ob});
  model.train_on_batch({{"input_a", ia}, {"input_b", ib}}, {oa, ob});
  model.train_on_batch({{"input_a", ia}, {"input_b", ib}}, {{"dense_1", oa}, {"dropout", ob}});
  model.fit({ia, ib}, {oa, ob}, {.batch_size = 4, .verbose = 0});
  model.fit({{"input_a", ia}, {"input_b", ib}}, {{"dense_1", oa}, {"dropout", ob}},
            {.batch_size = 4, .verbose = 0, .validation_split = 0.5});
  model.fit({ia, ib}, {oa, ob},
            {.batch_size = 4,
             .verbose = 0,
             .validation_data = ValidationData{{{"input_a", ia}, {"input_b", ib}},
                                               {{"dense_1", oa}, {"dropout", ob}}}});
  model.test_on_batch({{"input_a", ia}, {"input_b", ib}}, {{"dense_1", oa}, {"dropout", ob}});
  EXPECT_EQ(model.predict_on_batch({{"input_a", ia}, {"input_b", ib}}).size(), 2u);
  EXPECT_EQ(model.predict({ia, ib}, {.batch_size = 4}).size(), 2u);
  EXPECT_EQ(model.evaluate({ia, ib}, {oa, ob}, {.batch_size = 4, .verbose = 0}).size(), 3u);
  // sample_weight for a model with several outputs: one weight per sample.
  model.train_on_batch({ia, ib}, {oa, ob}, {.sample_weight = random::uniform({10})});

  // Metrics for every output: loss, 2 output losses, 2 metrics.
  model.compile({.optimizer = "rmsprop", .loss = "mse", .metrics = {"acc"}});
  EXPECT_EQ(model.train_on_batch({ia, ib}, {oa, ob}).size(), 5u);
  EXPECT_EQ(model.test_on_batch({ia, ib}, {oa, ob}).size(), 5u);
  // Metrics for one output, by name.
  model.compile({.optimizer = "rmsprop",
                 .loss = "mse",
                 .metrics = std::map<std::string, std::vector<MetricItem>>{{"dense_1", {"acc"}}}});
  EXPECT_EQ(model.train_on_batch({ia, ib}, {oa, ob}).size(), 4u);
  EXPECT_EQ(model.test_on_batch({ia, ib}, {oa, ob}).size(), 4u);

  auto tracker = std::make_shared<EpochTracker>();
  model.fit(
      {ia, ib}, {oa, ob},
      {.epochs = 5, .batch_size = 4, .verbose = 0, .callbacks = {tracker}, .initial_epoch = 2});
  EXPECT_EQ(tracker->epochs, (std::vector<int>{2, 3, 4}));
  EXPECT_EQ(tracker->batches, (std::vector<int>{0, 1, 2, 0, 1, 2, 0, 1, 2}));

  // x does not match the inputs.
  EXPECT_THAT(message_of<ValueError>([&] {
                model.predict({ia, ia, ib});
              }),
              HasSubstr("Expected to see 2 array(s), but instead got 3 array(s)."));
  EXPECT_THAT(message_of<ValueError>([&] {
                model.predict({ia, Tensor()});
              }),
              HasSubstr("input 1 (input_b) is an undefined tensor"));
  // All input, output and weight arrays need the same number of samples.
  EXPECT_THAT(message_of<ValueError>([&] {
                model.train_on_batch({ia, ib.slice_rows(0, 2)}, {oa, ob});
              }),
              HasSubstr("Data cardinality is ambiguous"));
  EXPECT_THAT(message_of<ValueError>([&] {
                model.train_on_batch({ia, ib}, {oa, ob.slice_rows(0, 2)});
              }),
              HasSubstr("Data cardinality is ambiguous"));
  EXPECT_THAT(message_of<ValueError>([&] {
                model.train_on_batch({ia, ib}, {oa, ob}, {.sample_weight = random::uniform({2})});
              }),
              HasSubstr("Data cardinality is ambiguous"));
  // validation_data without targets, for a model with a loss.
  EXPECT_THAT(
      message_of<ValueError>([&] {
        model.fit({ia, ib}, {oa, ob}, {.verbose = 0, .validation_data = ValidationData{{ia, ib}}});
      }),
      HasSubstr("Expected target data `y` to be provided"));
  // `loss` and `loss_weights` that do not match the outputs.
  EXPECT_THAT(message_of<ValueError>([&] {
                model.compile({.loss = {"mse", "mae", "mape"}});
              }),
              HasSubstr("The model has 2 outputs, but you passed loss=3 losses"));
  EXPECT_THAT(message_of<ValueError>([&] {
                model.compile({.loss = "mse", .loss_weights = {{"lstm", 0.5}}});
              }),
              HasSubstr("Unknown entry in loss_weights dictionary: \"lstm\""));
  EXPECT_THAT(
      message_of<ValueError>([&] { model.compile({.loss = "mse", .loss_weights = {0.5}}); }),
      HasSubstr("it should have one entry per model output"));
  model.compile({.loss = {"mse", "mae"}});
  model.compile({.loss = "mse", .loss_weights = {{"dense_1", 0.2}, {"dropout", 0.8}}});
  model.compile({.loss = "mse", .loss_weights = {0.2, 0.8}});
  model.train_on_batch({ia, ib}, {oa, ob});
}

// test_training.py: test_fit_generator_shape's array form — predict concatenates the batches,
// one array per output, whatever the batch size.
TEST_F(KerasBehaviour, PredictConcatenatesBatchesPerOutput) {
  Model model = two_in_two_out();
  const Tensor ia = random::uniform({10, 3}), ib = random::uniform({10, 3});
  for (int batch_size : {1, 3, 5, 10, 32}) {
    Outputs out = model.predict({ia, ib}, {.batch_size = batch_size});
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].shape(), (Shape{10, 4}));
    EXPECT_EQ(out[1].shape(), (Shape{10, 3}));
    expect_same(out[1], ib);  // the Dropout is the identity in predict
  }
}

// test_topology.py: test_recursion_with_bn_and_loss — a Sequential with an activity regularizer
// and BatchNormalization, called inside a functional model: both train.
TEST_F(KerasBehaviour, NestedSequentialWithBatchNormAndActivityLossTrains) {
  Sequential model1({L::Dense(5, {.activity_regularizer = "l1", .input_dim = 5}),
                     L::BatchNormalization(), L::Dense(5)});
  auto inputs = Input({5});
  Model model2(inputs, model1(inputs));
  model1.compile({.optimizer = "sgd", .loss = "categorical_crossentropy"});
  model2.compile({.optimizer = "sgd", .loss = "categorical_crossentropy"});
  // Keras's test feeds ones, which BatchNormalization maps to 0 and the loss to 0 / 0 (NaN,
  // an error in keras.cpp: docs/differences.md 3); any other inputs do.
  const Tensor x = random::uniform({3, 5}), y = ones({3, 5});
  const auto h1 = model1.fit(x, y, {.verbose = 0});
  const auto h2 = model2.fit(x, y, {.verbose = 0});
  EXPECT_TRUE(std::isfinite(h1.history.at("loss").at(0)));
  EXPECT_TRUE(std::isfinite(h2.history.at("loss").at(0)));
  EXPECT_EQ(model2.count_params(), model1.count_params());
}

// Keras 2's test_sequential_model.py: test_nested_sequential — Sequentials inside Sequentials
// train, save and load their weights (both layouts) and round-trip through JSON.
TEST_F(KerasBehaviour, NestedSequentialsTrainSaveAndLoad) {
  auto build = [] {
    Sequential inner;
    inner.add(L::Dense(16, {.input_shape = {{32}}}));
    inner.add(L::Activation("relu"));
    inner.add(L::Dense(4));
    Sequential middle;
    middle.add(inner);
    Sequential model;
    model.add(middle);
    model.add(L::Activation("softmax"));
    model.compile({.optimizer = "rmsprop", .loss = "categorical_crossentropy"});
    return model;
  };
  Sequential model = build();
  const Tensor x = random::uniform({64, 32});
  const Tensor y = utils::to_categorical(random::randint({64}, 0, 4), 4);
  model.fit(x, y, {.batch_size = 32, .verbose = 0, .validation_split = 0.25});
  model.fit(x, y, {.batch_size = 32, .verbose = 0, .shuffle = false});
  model.train_on_batch(x.slice_rows(0, 32), y.slice_rows(0, 32));
  const double loss = model.evaluate(x, y, {.verbose = 0})[0];
  EXPECT_EQ(Tensor(model.predict(x)).shape(), (Shape{64, 4}));
  EXPECT_EQ(model.count_params(), 32 * 16 + 16 + 16 * 4 + 4);
  for (const char* name : {"nested.h5", "nested.weights.h5"}) {
    SCOPED_TRACE(name);
    const std::string path = ::testing::TempDir() + name;
    model.save_weights(path);
    utils::clear_session();  // the same layer names again: Keras 3's layout keys weights by name
    Sequential fresh = build();
    fresh.load_weights(path);
    // Same weights, same data, same kernels: the same loss up to reduction order (none here).
    EXPECT_NEAR(fresh.evaluate(x, y, {.verbose = 0})[0], loss, 1e-6);
    std::remove(path.c_str());
  }
  Model back = models::model_from_json(model.to_json());
  EXPECT_EQ(back.count_params(), model.count_params());
  EXPECT_EQ(back.layers().size(), 2u);
}

// Keras 3 functional_test.py: test_unmodified_inputs — an input may itself be an output (Keras
// returns the data unchanged), next to computed outputs.
TEST_F(KerasBehaviour, InputsMayBeOutputs) {
  auto a = Input({3}, {.name = "a"});
  auto b = Input({2}, {.name = "b"});
  Model identity(a, a);
  const Tensor xa = random::uniform({4, 3}), xb = random::uniform({4, 2});
  EXPECT_EQ(test::to_doubles(identity.predict(xa)), test::to_doubles(xa));
  Model mixed({a, b}, {L::Dense(1)(a), b});
  Outputs out = mixed.predict({xa, xb});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(test::to_doubles(out[1]), test::to_doubles(xb));
}

// Keras 2 guide ("shared vision model") / test_topology.py: freezing a model used as a layer
// freezes its weights in the outer model too, and unfreezing gives them back.
TEST_F(KerasBehaviour, FreezingAnInnerModelFreezesItInTheOuterModel) {
  auto x = Input({4});
  Model inner(x, L::Dense(3)(L::Dense(5)(x)), {.name = "inner"});
  auto y = Input({4});
  Model outer(y, L::Dense(1)(inner(y)));
  EXPECT_EQ(outer.trainable_weights().size(), 6u);
  inner.set_trainable(false);
  EXPECT_EQ(outer.trainable_weights().size(), 2u);
  EXPECT_EQ(outer.non_trainable_weights().size(), 4u);
  EXPECT_EQ(outer.count_params(), (4 * 5 + 5) + (5 * 3 + 3) + (3 + 1));
  outer.compile({.optimizer = "sgd", .loss = "mse"});
  const Tensors before = inner.get_weights();
  outer.fit(random::uniform({8, 4}), random::uniform({8, 1}), {.verbose = 0});
  const Tensors after = inner.get_weights();
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(test::to_doubles(before[i]), test::to_doubles(after[i]));
  }
  inner.set_trainable(true);
  EXPECT_EQ(outer.trainable_weights().size(), 6u);
}

// Keras 3 sequential_test.py: test_basic_flow_deferred — a Sequential without an input shape
// is built by its first call, on a symbolic tensor (then usable inside a model) or eagerly.
TEST_F(KerasBehaviour, DeferredSequentialIsBuiltByItsFirstCall) {
  Sequential seq({L::Dense(4), L::Dense(2)});
  auto x = Input({3});
  auto y = seq(x);
  EXPECT_EQ(y.shape(), (Shape{kNone, 2}));
  EXPECT_EQ(seq.layers().size(), 2u);
  EXPECT_EQ(seq.count_params(), 3 * 4 + 4 + 4 * 2 + 2);
  Model outer(x, y);
  const Tensor data = random::uniform({5, 3});
  expect_same(outer.predict(data), seq.predict(data));

  Sequential eager({L::Dense(4), L::Dense(2)});
  EXPECT_EQ(eager(data).shape(), (Shape{5, 2}));
  EXPECT_EQ(eager.input_shape(), (Shape{kNone, 3}));
  expect_same(eager(data), eager.predict(data));
}

// Keras 3 saving_api_test.py: test_invalid_save_format / test_load_weights_invalid_kwargs —
// extensions that name no format, and `by_name` with a Keras 3 file.
TEST_F(KerasBehaviour, SavingApiArgumentErrors) {
  auto x = Input({3});
  Model model(x, L::Dense(2)(x));
  EXPECT_THAT(message_of<ValueError>([&] { model.save(::testing::TempDir() + "model.png"); }),
              HasSubstr("Invalid filepath extension for saving"));
  EXPECT_THAT(
      message_of<ValueError>([&] { model.save_weights(::testing::TempDir() + "model.txt"); }),
      HasSubstr("The filename must end in `.weights.h5`"));
  for (const char* name : {"byname.weights.h5", "byname.keras"}) {
    SCOPED_TRACE(name);
    const std::string path = ::testing::TempDir() + name;
    if (std::string(name).ends_with(".keras")) {
      model.save(path);
    } else {
      model.save_weights(path);
    }
    EXPECT_THAT(message_of<ValueError>([&] { model.load_weights(path, {.by_name = true}); }),
                HasSubstr("`by_name` only supports loading legacy '.h5' or '.hdf5' files."));
    model.load_weights(path);
    std::remove(path.c_str());
  }
}

// A call needs an input (Python's "missing 1 required positional argument: 'inputs'"): an
// empty list is an error naming the layer, for layers with and without an input spec.
TEST_F(KerasBehaviour, CallingALayerOnNothingIsAnError) {
  auto act = L::Activation("relu");
  EXPECT_THAT(message_of<ValueError>([&] { act.call_multi({}); }),
              HasSubstr("Layer activation_1 was called without any input tensor"));
  EXPECT_THAT(message_of<ValueError>([&] { act(Tensors{}); }),
              HasSubstr("Layer activation_1 was called without any input tensor"));
  auto dense = L::Dense(2);
  EXPECT_THAT(message_of<ValueError>([&] { dense.call_multi({}); }),
              HasSubstr("was called without any input tensor"));
  EXPECT_THAT(message_of<ValueError>([&] { L::Flatten()(KerasTensors{}); }),
              HasSubstr("was called without any input tensor"));
}

// Keras's to_snake_case (Keras 2's generic_utils, Keras 3's naming): the default name's prefix.
std::string snake(const std::string& class_name) {
  const std::string a = std::regex_replace(class_name, std::regex("(.)([A-Z][a-z0-9]+)"), "$1_$2");
  std::string b = std::regex_replace(a, std::regex("([a-z])([A-Z])"), "$1_$2");
  for (char& c : b) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return b;
}

// Keras 2's Layer.__init__ (and Keras 3's auto_name): a layer without a name is called
// to_snake_case(class name) plus a per-prefix counter ("conv2d_1", "p_re_lu_1", "lstm_1").
TEST_F(KerasBehaviour, DefaultNamesAreTheSnakeCasedClassName) {
  const std::vector<L::LayerRef> all = {
      L::Dense(2),
      L::Activation("relu"),
      L::Dropout(0.5),
      L::Flatten(),
      L::Reshape({2, 2}),
      L::Permute({2, 1}),
      L::RepeatVector(2),
      L::Embedding(4, 2),
      L::LSTM(2),
      L::GRU(2),
      L::SimpleRNN(2),
      L::Conv1D(2, 3),
      L::Conv2D(2, 3),
      L::Conv2DTranspose(2, 3),
      L::SeparableConv2D(2, 3),
      L::DepthwiseConv2D(3),
      L::MaxPooling2D(),
      L::AveragePooling1D(),
      L::BatchNormalization(),
      L::LayerNormalization(),
      L::ZeroPadding2D(),
      L::Cropping2D(),
      L::UpSampling2D(),
      L::LeakyReLU(),
      L::PReLU(),
      L::ELU(),
      L::ReLU(),
      L::Softmax(),
      L::Add(),
      L::Subtract(),
      L::Multiply(),
      L::Average(),
      L::Maximum(),
      L::Minimum(),
      L::Concatenate(),
      L::Dot(1),
      L::GaussianNoise(0.1),
      L::GaussianDropout(0.1),
      L::AlphaDropout(0.1),
      L::SpatialDropout1D(0.1),
      L::SpatialDropout2D(0.1),
      L::Masking(),
      L::ActivityRegularization(),
      L::TimeDistributed(L::Dense(2)),
      L::Bidirectional(L::LSTM(2)),
      L::MultiHeadAttention(2, 4),
      L::GroupNormalization(),
      L::UnitNormalization(),
      L::Rescaling(0.5),
  };
  for (const L::LayerRef& layer : all) {
    const std::string prefix = snake(layer.class_name());
    EXPECT_THAT(layer.name(), ::testing::StartsWith(prefix + "_")) << layer.class_name();
    const std::string rest = layer.name().substr(std::min(layer.name().size(), prefix.size() + 1));
    EXPECT_FALSE(rest.empty() || rest.find_first_not_of("0123456789") != std::string::npos)
        << layer.name();
  }
  // The counter is per prefix, and clear_session resets it.
  utils::clear_session();
  EXPECT_EQ(L::Dense(1).name(), "dense_1");
  EXPECT_EQ(L::Dense(1).name(), "dense_2");
  EXPECT_EQ(L::Conv2D(1, 1).name(), "conv2d_1");
  EXPECT_EQ(L::Dense(1).name(), "dense_3");
}

// Keras 3 functional_test.py: test_serialization with trainable=False — the model's and each
// layer's trainable flag survive get_config / from_config, for Sequential too.
TEST_F(KerasBehaviour, TrainableFlagsSurviveConfigs) {
  auto x = Input({3});
  auto h = L::Dense(4, {.name = "h"})(x);
  Model model(x, L::Dense(2, {.name = "out"})(h));
  model.get_layer("h").set_trainable(false);
  Model back = models::model_from_config(model.get_config());
  EXPECT_FALSE(back.get_layer("h").trainable());
  EXPECT_TRUE(back.get_layer("out").trainable());
  EXPECT_EQ(back.trainable_weights().size(), 2u);
  model.set_trainable(false);
  EXPECT_TRUE(models::model_from_config(model.get_config()).trainable_weights().empty());

  Sequential seq({L::Dense(4, {.input_dim = 3}), L::Dense(2)});
  seq.set_trainable(false);
  Model seq_back = models::model_from_json(seq.to_json());
  EXPECT_TRUE(seq_back.trainable_weights().empty());
  EXPECT_EQ(seq_back.non_trainable_weights().size(), 4u);
}

// test_training.py: test_check_last_is_one / test_check_bad_shape — categorical_crossentropy on
// integer labels says what to do; other shapes that differ are named.
TEST_F(KerasBehaviour, CategoricalCrossentropyOnIntegerLabelsSaysWhatToDo) {
  auto x = Input({3});
  Model model(x, L::Dense(3, {.activation = "softmax"})(x));
  model.compile({.optimizer = "sgd", .loss = "categorical_crossentropy"});
  const Tensor data = random::uniform({4, 3});
  EXPECT_THAT(
      message_of<ValueError>([&] {
        model.fit(data, zeros({4, 1}), {.verbose = 0});
      }),
      HasSubstr("You are passing a target array of shape (4, 1) while using as loss "
                "`categorical_crossentropy`. `categorical_crossentropy` expects targets to be "
                "binary matrices (1s and 0s) of shape (samples, classes)."));
  EXPECT_THAT(message_of<ValueError>([&] {
                model.fit(data, zeros({4, 6}), {.verbose = 0});
              }),
              HasSubstr("target.shape=(4, 6), output.shape=(4, 3)"));
  model.compile({.optimizer = "sgd", .loss = "sparse_categorical_crossentropy"});
  model.fit(data, zeros({4, 1}), {.verbose = 0});  // what the hint suggests works
}

// Keras 3 sequential_test.py: test_basic_flow_with_input / test_legacy_flow_with_input_shape —
// layers and weights of a Sequential with an Input or a first input_shape, a later input_shape
// ignored, pop keeping the model built.
TEST_F(KerasBehaviour, SequentialBasicFlows) {
  Sequential model({.name = "seq"});
  model.add(Input({2}, {.batch_size = 3}));
  model.add(L::Dense(4));
  model.add(L::Dense(5));
  EXPECT_EQ(model.name(), "seq");
  EXPECT_EQ(model.layers().size(), 2u);
  EXPECT_TRUE(model.built());
  EXPECT_EQ(model.weights().size(), 4u);
  EXPECT_EQ(model(random::uniform({3, 2})).shape(), (Shape{3, 5}));
  EXPECT_EQ(model(Input({2}, {.batch_size = 3})).shape(), (Shape{3, 5}));
  model.pop();
  EXPECT_EQ(model.layers().size(), 1u);
  EXPECT_TRUE(model.built());
  EXPECT_EQ(model.weights().size(), 2u);
  EXPECT_EQ(model(random::uniform({3, 2})).shape(), (Shape{3, 4}));

  Sequential legacy;
  legacy.add(L::Dense(4, {.input_shape = {{2}}}));
  legacy.add(L::Dense(5, {.input_shape = {{3, 4}}}));  // ignored: not the first layer
  EXPECT_EQ(legacy.layers().size(), 2u);
  EXPECT_EQ(legacy.weights().size(), 4u);
  EXPECT_EQ(legacy.input_shape(), (Shape{kNone, 2}));
  EXPECT_EQ(legacy.output_shape(), (Shape{kNone, 5}));
}

// Keras 3's Layer.trainable setter: freezing and unfreezing a model toggles only the weights
// created trainable; moving statistics and adapted means stay non-trainable. A Sequential's
// layers follow it before it is built too.
TEST_F(KerasBehaviour, UnfreezingKeepsStatisticsNonTrainable) {
  auto x = Input({3});
  auto norm = L::Normalization();
  auto bn = L::BatchNormalization();
  Model m(x, L::Dense(1)(bn(norm(x))));
  EXPECT_EQ(m.trainable_weights().size(), 4u);  // gamma, beta, kernel, bias
  EXPECT_EQ(m.non_trainable_weights().size(), 5u);
  m.set_trainable(false);
  EXPECT_TRUE(m.trainable_weights().empty());
  m.set_trainable(true);
  EXPECT_EQ(m.trainable_weights().size(), 4u);
  EXPECT_EQ(m.non_trainable_weights().size(), 5u);
  norm.set_trainable(true);
  EXPECT_TRUE(norm.trainable_weights().empty());
  bn.set_trainable(true);
  EXPECT_EQ(bn.trainable_weights().size(), 2u);

  Sequential seq({L::Dense(2), L::Dense(1)});
  seq.set_trainable(false);
  seq.build({kNone, 3});
  EXPECT_TRUE(seq.trainable_weights().empty());
  EXPECT_EQ(seq.non_trainable_weights().size(), 4u);
}

// Keras 3 functional_test.py: test_input_dict_with_extra_field (and Keras 2.2.4's
// standardize_input_data) — input keys the model does not have are ignored with a warning;
// an unknown target key stays an error.
TEST_F(KerasBehaviour, ExtraInputKeysAreIgnoredWithAWarning) {
  auto a = Input({3}, {.name = "a"});
  Model model({{"a", a}}, L::Dense(2)(a));
  const Tensor x = random::uniform({4, 3});
  ::testing::internal::CaptureStderr();
  Outputs out = model.call({{"a", x}, {"b", random::uniform({4, 1})}});
  const std::string warning = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(warning, HasSubstr("The structure of `inputs` doesn't match the expected structure"));
  expect_same(out, model.call({{"a", x}}));
  model.compile({.optimizer = "sgd", .loss = "mse"});
  ::testing::internal::CaptureStderr();
  model.fit({{"a", x}, {"c", x}}, random::uniform({4, 2}), {.verbose = 0});
  EXPECT_THAT(::testing::internal::GetCapturedStderr(), HasSubstr("'c'"));
  EXPECT_THAT(
      message_of<ValueError>([&] {
        model.fit({{"a", x}}, {{"dense_1", random::uniform({4, 2})}, {"zz", x}}, {.verbose = 0});
      }),
      HasSubstr("Unknown entry in target dictionary"));
}

// Keras 3's saving_lib_test / functional_test / saving_api_test messages for malformed configs
// and an unbuilt model: test_missing_name_for_sequential_model,
// test_malformed_layer_for_sequential_model, test_invalid_config_deserialization_missing_node,
// test_load_weights_only_with_unbuilt_model.
TEST_F(KerasBehaviour, MalformedConfigsAndUnbuiltModelsGiveKerasMessages) {
  EXPECT_THAT(
      [] {
        models::model_from_json(R"({"class_name": "Sequential", "config": {"layers": [
                  {"class_name": "Dense", "config": {"units": 4}}]}})");
      },
      ::testing::ThrowsMessage<ValueError>(
          HasSubstr("A Sequential model configuration must be a dictionary containing "
                    "the 'name' and 'layers' keys")));
  EXPECT_THAT(
      [] {
        models::model_from_json(R"({"class_name": "Sequential", "config": {
                  "name": "s", "layers": [{}]}})");
      },
      ::testing::ThrowsMessage<ValueError>(
          HasSubstr("Expected a dictionary containing a 'config' key")));
  EXPECT_THAT(
      [] {
        models::model_from_json(R"({"class_name": "Functional", "config": {
      "name": "f", "input_layers": [["in", 0, 0]], "output_layers": [["node_a", 0, 0]],
      "layers": [
        {"class_name": "InputLayer", "name": "in", "config": {"batch_shape": [null, 2],
         "name": "in"}, "inbound_nodes": []},
        {"class_name": "Dense", "name": "node_a", "config": {"units": 2, "name": "node_a"},
         "inbound_nodes": [[["node_b", 0, 0, {}]]]}]}})");
      },
      ::testing::ThrowsMessage<ValueError>(HasSubstr("Missing node: node_b")));
  Sequential unbuilt;
  unbuilt.add(L::Dense(2));
  EXPECT_THAT([&] { unbuilt.load_weights("x.weights.h5"); },
              ::testing::ThrowsMessage<ValueError>(
                  HasSubstr("You are loading weights into a model that has not yet been built.")));
}

// Keras's Layer.trainable_weights: a frozen layer (or model) lists none, even when a sublayer
// was unfrozen after it (layer_test.py's test_trainable_setting); its non_trainable_weights
// list them all. A model around it still trains the unfrozen sublayer.
TEST(TrainableFlags, AFrozenModelListsNoTrainableWeights) {
  auto x = Input({2});
  L::Dense d(1);
  Model base(x, d(x));
  base.set_trainable(false);
  d.set_trainable(true);
  EXPECT_TRUE(base.trainable_weights().empty());
  EXPECT_EQ(base.non_trainable_weights().size(), 2u);
  EXPECT_EQ(d->trainable_weights().size(), 2u);
  auto y = Input({2});
  Model outer(y, base(y));
  EXPECT_EQ(outer.trainable_weights().size(), 2u);
}

}  // namespace
}  // namespace keras
