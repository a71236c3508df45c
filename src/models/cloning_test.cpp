// clone_model: Keras 3's models/cloning_test.py in C++, and the calls it does not test (masks,
// initial states, fixed training modes, Lambda, compiled models, errors).
#include <gtest/gtest.h>

#include <keras/keras.hpp>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

using layers::CallOptions;
using layers::LayerRef;
using models::clone_model;

Model mlp_functional(bool shared_layers = false) {
  auto inputs = Input({3});
  auto x = layers::Dense(2)(inputs);
  if (shared_layers) {
    layers::Dense shared(2, {.name = "shared"});
    x = shared(shared(x));
  }
  return Model(inputs, layers::Dense(2)(x));
}

Model cnn_functional(bool shared_layers = false) {
  auto inputs = Input({7, 3});
  auto x = layers::Conv1D(2, 2, {.padding = "same"})(inputs);
  if (shared_layers) {
    layers::Conv1D shared(2, 2, {.padding = "same", .name = "shared"});
    x = shared(shared(x));
  }
  return Model(inputs, layers::Conv1D(2, 2, {.padding = "same"})(x));
}

Sequential sequential_model(bool explicit_input = true) {
  Sequential model;
  if (explicit_input) model.add(Input({3}));
  model.add(layers::Dense(2));
  model.add(layers::Dense(2));
  return model;
}

Model nested_functional() {
  auto inputs = Input({4});
  auto x = layers::Dense(3)(inputs);
  x = mlp_functional()(x);
  return Model(inputs, layers::Dense(2)(x));
}

// The copy, given the original's weights, computes what the original computes (the same
// kernels on the same shapes: equal).
void expect_same_function(Model original, Model copy, const Tensor& x) {
  copy.set_weights(original.get_weights());
  const Outputs a = original.predict_on_batch(Data{x}), b = copy.predict_on_batch(Data{x});
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) test::expect_all_close(b[i], a[i], 0, 0);
}

bool all_equal(const Tensors& a, const Tensors& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (ops::any(ops::not_equal(a[i], b[i])).item<bool>()) return false;
  }
  return true;
}

TEST(CloneModel, CopiesFunctionalAndSequentialModelsWithNewWeights) {
  utils::set_random_seed(1);
  const Tensor x3 = random::uniform({2, 3}, 0, 1, float32, 2);
  const Tensor x73 = random::uniform({2, 7, 3}, 0, 1, float32, 3);
  struct Case {
    Model model;
    Tensor x;
  };
  for (Case c : {Case{mlp_functional(), x3}, Case{cnn_functional(true), x73},
                 Case{sequential_model(), x3}, Case{sequential_model(false), x3}}) {
    c.model.predict_on_batch(Data{c.x});  // builds the deferred Sequential
    Model copy = clone_model(c.model);
    copy.predict_on_batch(Data{c.x});
    EXPECT_EQ(copy.name(), c.model.name());
    ASSERT_EQ(copy.layers().size(), c.model.layers().size());
    for (size_t i = 0; i < copy.layers().size(); ++i) {
      EXPECT_EQ(copy.layers()[i].name(), c.model.layers()[i].name());
      EXPECT_NE(copy.layers()[i].layer(), c.model.layers()[i].layer());
    }
    EXPECT_FALSE(all_equal(copy.get_weights(), c.model.get_weights()));  // freshly initialized
    expect_same_function(c.model, copy, c.x);
  }
}

TEST(CloneModel, CustomCloneFunction) {
  const auto rename = [](const LayerRef& layer) {
    Json serialized = layers::serialize_layer(*layer.layer());
    serialized["config"]["name"] = layer.name() + "_custom";
    return LayerRef(layers::deserialize_layer(serialized));
  };
  for (Model model : {mlp_functional(), cnn_functional(), Model(sequential_model())}) {
    Model copy = clone_model(model, {.clone_function = rename});
    ASSERT_EQ(copy.layers().size(), model.layers().size());
    for (size_t i = 0; i < model.layers().size(); ++i) {
      const std::string name = model.layers()[i].name();
      const bool input = model.layers()[i].class_name() == "InputLayer";
      EXPECT_EQ(copy.layers()[i].name(), input ? name : name + "_custom");
    }
  }
}

TEST(CloneModel, BuildsOnTheGivenInputTensors) {
  for (Model model :
       {cnn_functional(), Model(Sequential({layers::Conv1D(2, 2), layers::Dense(1)}))}) {
    model.predict_on_batch(Data{zeros({2, 7, 3})});
    auto input = Input({7, 3}, {.name = "given"});
    Model copy = clone_model(model, {.input_tensors = input});
    ASSERT_EQ(copy.inputs().size(), 1u);
    EXPECT_EQ(copy.inputs()[0].shape(), (Shape{kNone, 7, 3}));
    EXPECT_EQ(copy.input_names(), std::vector<std::string>{"given"});
    EXPECT_EQ(copy.outputs().size(), 1u);
    // A one-element list stands for the one tensor, as in Keras 2.
    EXPECT_EQ(clone_model(model, {.input_tensors = {Input({7, 3})}}).inputs().size(), 1u);
  }
  // The functional copy is built on the very tensor given.
  auto input = Input({7, 3});
  Model copy = clone_model(cnn_functional(), {.input_tensors = input});
  EXPECT_EQ(copy.inputs()[0].layer(), input.layer());
}

TEST(CloneModel, SharedLayersStayShared) {
  Model copy = clone_model(mlp_functional(true));
  ASSERT_EQ(copy.layers().size(), 4u);
  const LayerRef shared = copy.get_layer("shared");
  EXPECT_EQ(shared.layer()->inbound_nodes().size(), 2u);
  EXPECT_EQ(copy.count_params(), mlp_functional(true).count_params());
}

TEST(CloneModel, KeepsStructuredInputsAndOutputs) {
  auto x = Input({3}, {.name = "x"});
  auto y = Input({3}, {.name = "y"});
  auto z1 = ops::add(x, y);
  auto z2 = layers::Dense(5)(z1);
  Model model({{"x", x}, {"y", y}}, {{"z1", z1}, {"z2", z2}});
  Model copy = clone_model(model);
  EXPECT_TRUE(copy.input_structure().is_dict());
  EXPECT_EQ(copy.input_structure().flat_keys(), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(copy.output_structure().flat_keys(), (std::vector<std::string>{"z1", "z2"}));
  const Tensor a = random::uniform({2, 3}, 0, 1, float32, 5);
  const Tensor b = random::uniform({2, 3}, 0, 1, float32, 6);
  copy.set_weights(model.get_weights());
  const Outputs want = model.predict_on_batch(Data{{{"x", a}, {"y", b}}});
  const Outputs got = copy.predict_on_batch(Data{{{"x", a}, {"y", b}}});
  test::expect_all_close(got["z2"], want["z2"], 0, 0);

  auto x2 = Input({3}, {.name = "x"});
  auto y2 = Input({3}, {.name = "y"});
  copy = clone_model(model, {.input_tensors = {{"x", x2}, {"y", y2}}});
  EXPECT_EQ(copy.inputs()[0].layer(), x2.layer());
  try {
    clone_model(model, {.input_tensors = {x2, y2}});
    FAIL() << "a list for a dict of inputs";
  } catch (const ValueError& e) {
    EXPECT_NE(
        std::string(e.what()).find("`input_tensors` must have the same structure as model.input"),
        std::string::npos)
        << e.what();
  }
}

// Keras's example: the same layers, each Dense followed by a Dropout.
KerasTensors dropout_after_dense(const LayerRef& layer,
                                 const KerasTensors& inputs,
                                 const CallOptions& options) {
  KerasTensors out = layer.call_multi(inputs, options);
  if (layer.class_name() == "Dense") out = {layers::Dropout(0.5)(out[0])};
  return out;
}

TEST(CloneModel, CallFunctionInsertsLayers) {
  Model model = mlp_functional();
  Model copy = clone_model(model, {.clone_function = [](const LayerRef& l) { return l; },
                                   .call_function = dropout_after_dense});
  EXPECT_EQ(model.layers().size(), 3u);
  ASSERT_EQ(copy.layers().size(), 5u);
  EXPECT_EQ(copy.layers()[2].class_name(), "Dropout");
  EXPECT_EQ(copy.layers()[4].class_name(), "Dropout");
  EXPECT_EQ(copy.layers()[1].layer(), model.layers()[1].layer());  // shared, as asked
  const Tensor x = random::uniform({2, 3}, 0, 1, float32, 7);
  test::expect_all_close(copy.predict_on_batch(Data{x})[0], model.predict_on_batch(Data{x})[0], 0,
                         0);
}

TEST(CloneModel, RecursiveCopiesNestedModelsWithTheSameFunctions) {
  Model model = nested_functional();
  Model copy = clone_model(model, {.clone_function = [](const LayerRef& l) { return l; },
                                   .call_function = dropout_after_dense,
                                   .recursive = true});
  ASSERT_EQ(copy.layers().size(), 6u);
  const Model inner(std::static_pointer_cast<models::FunctionalImpl>(copy.layers()[3].layer()));
  ASSERT_EQ(inner.layers().size(), 5u);
  EXPECT_EQ(inner.layers()[2].class_name(), "Dropout");
  EXPECT_EQ(inner.layers()[4].class_name(), "Dropout");
  const Tensor x = random::uniform({2, 4}, 0, 1, float32, 8);
  test::expect_all_close(copy.predict_on_batch(Data{x})[0], model.predict_on_batch(Data{x})[0], 0,
                         0);

  // Without recursive, clone_function copies the nested model as one layer (a new graph from its
  // config); with it, the nested model's layers go through clone_function one by one.
  int calls = 0;
  const auto counting = [&](const LayerRef& l) {
    ++calls;
    return models::clone_layer(l);
  };
  clone_model(model, {.clone_function = counting});
  EXPECT_EQ(calls, 3);  // dense, the nested model, dense
  calls = 0;
  Model deep = clone_model(model, {.clone_function = counting, .recursive = true});
  EXPECT_EQ(calls, 4);  // dense, the nested model's two, dense
  expect_same_function(model, deep, x);

  // Sequential in Sequential (the call_function does not reach a Sequential).
  Sequential outer;
  outer.add(layers::Dense(2));
  outer.add(sequential_model(false));
  outer.add(layers::Dense(2));
  const Tensor x3 = random::uniform({2, 3}, 0, 1, float32, 9);
  outer.predict_on_batch(Data{x3});
  calls = 0;
  Model seq_copy = clone_model(outer, {.clone_function = counting, .recursive = true});
  EXPECT_EQ(calls, 4);
  seq_copy.predict_on_batch(Data{x3});
  expect_same_function(outer, seq_copy, x3);
}

TEST(CloneModel, MasksInitialStatesAndFixedTrainingModes) {
  auto ids = Input({5}, {.dtype = int32});
  auto h0 = Input({4});
  auto seq = layers::Embedding({.input_dim = 10, .output_dim = 3, .mask_zero = true})(ids);
  layers::LSTM lstm(4, {.return_sequences = true});
  auto x = lstm({seq, h0, h0});
  x = layers::Dropout(0.5)(x, CallOptions{.training = true});
  auto out = layers::GlobalAveragePooling1D()(x);
  Model model({ids, h0}, out);
  Model copy = clone_model(model);
  copy.set_weights(model.get_weights());
  const Tensor id_values = Tensor::from_vector<int32_t>({1, 2, 0, 0, 0, 3, 4, 5, 6, 0}, {2, 5});
  const Tensor h = random::uniform({2, 4}, 0, 1, float32, 10);
  // The Dropout always drops (training fixed): compare the parts that do not depend on it.
  const auto sub = [](const Model& m) {
    return Model(m.inputs(), m.get_layer(-3).output());  // the LSTM's sequences
  };
  test::expect_all_close(sub(copy).predict_on_batch(Data{{id_values, h}})[0],
                         sub(model).predict_on_batch(Data{{id_values, h}})[0], 0, 0);
  EXPECT_EQ(copy.layers().back().layer()->inbound_nodes().size(), 1u);
  const layers::Node& dropout_node = *copy.get_layer(-2).layer()->inbound_nodes()[0];
  EXPECT_EQ(dropout_node.training, std::optional<bool>(true));
}

TEST(CloneModel, CompiledModelsGiveCompiledCopies) {
  Sequential model({layers::Dense(5, {.activation = "relu"}), layers::Dense(1)});
  model.add(Input({3}));
  model.compile({.optimizer = "adam", .loss = "binary_crossentropy", .metrics = {"accuracy"}});
  Model copy = clone_model(model);
  EXPECT_EQ(copy.get_compile_config(), model.get_compile_config());
  EXPECT_NE(&copy.optimizer(), &model.optimizer());
  const Tensor x = random::uniform({8, 3}, 0, 1, float32, 11);
  const Tensor y =
      ops::cast(ops::greater(random::uniform({8, 1}, 0, 1, float32, 12), 0.5), float32);
  copy.fit(x, y, {.epochs = 1, .verbose = 0});
  EXPECT_EQ(copy.optimizer().iterations(), 1);
  EXPECT_EQ(model.optimizer().iterations(), 0);
  EXPECT_TRUE(clone_model(mlp_functional()).get_compile_config().is_null());
  // compile_from_config on its own: a model compiled from another's config.
  Model other = mlp_functional();
  other.compile_from_config(Json{{"optimizer", "sgd"}, {"loss", "mse"}});
  EXPECT_EQ(other.get_compile_config()["loss"], "mse");
  EXPECT_THROW(other.compile_from_config(Json("adam")), ValueError);
}

TEST(CloneModel, LambdaLayersAreShared) {
  auto x = Input({3});
  layers::Lambda square([](const Tensor& t) { return ops::square(t); });
  Model model(x, layers::Dense(2)(square(x)));
  Model copy = clone_model(model);
  EXPECT_EQ(copy.layers()[1].layer(), square.layer());
  EXPECT_NE(copy.layers()[2].layer(), model.layers()[2].layer());
}

TEST(CloneModel, KerasErrors) {
  Sequential seq = sequential_model();
  const auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const ValueError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([&] {
              clone_model(seq, {.call_function = dropout_after_dense});
            }).find("`call_function` argument is not supported with Sequential models"),
            std::string::npos);
  EXPECT_EQ(message([&] {
              clone_model(seq, {.input_tensors = {Input({3}), Input({3})}});
            }),
            "Argument `input_tensors` must contain a single tensor.");
  EXPECT_NE(message([&] {
              clone_model(mlp_functional(),
                          {.clone_function = [](const LayerRef&) { return LayerRef(); }});
            }).find("returned no layer for layer 'dense"),
            std::string::npos);
}

}  // namespace
}  // namespace keras
