// The functional API's graph semantics, names, errors and summary, as Keras 2.2.4 has them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <keras/keras.hpp>
#include <map>
#include <string>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

using ::testing::HasSubstr;
namespace L = keras::layers;

using test::message_of;

class FunctionalApi : public ::testing::Test {
 protected:
  void SetUp() override {
    utils::clear_session();
    utils::set_random_seed(1);
  }
};

TEST_F(FunctionalApi, GuideMlpSummaryMatchesKeras2) {
  auto inputs = Input({784});
  auto x = L::Dense(64, {.activation = "relu"})(inputs);
  x = L::Dense(64, {.activation = "relu"})(x);
  auto predictions = L::Dense(10, {.activation = "softmax"})(x);
  Model model(inputs, predictions);
  const std::string expected =
      "_________________________________________________________________\n"
      "Layer (type)                 Output Shape              Param #   \n"
      "=================================================================\n"
      "input_1 (InputLayer)         (None, 784)               0         \n"
      "_________________________________________________________________\n"
      "dense_1 (Dense)              (None, 64)                50240     \n"
      "_________________________________________________________________\n"
      "dense_2 (Dense)              (None, 64)                4160      \n"
      "_________________________________________________________________\n"
      "dense_3 (Dense)              (None, 10)                650       \n"
      "=================================================================\n"
      "Total params: 55,050\n"
      "Trainable params: 55,050\n"
      "Non-trainable params: 0\n"
      "_________________________________________________________________\n";
  EXPECT_EQ(model.summary_string(), expected);
  EXPECT_EQ(model.count_params(), 55050);
  EXPECT_EQ(model.name(), "model_1");
}

TEST_F(FunctionalApi, GraphModelSummaryHasConnectedToColumn) {
  auto a = Input({32}, {.name = "a"});
  auto b = Input({32}, {.name = "b"});
  auto shared = L::Dense(8, {.name = "shared"});
  auto out = L::Dense(1, {.name = "out"})(L::Dense(4)(shared(a)));
  auto out_b = shared(b);
  Model model({a, b}, {out, out_b});
  const std::string s = model.summary_string();
  EXPECT_THAT(s, HasSubstr("Connected to"));
  EXPECT_THAT(
      s, HasSubstr("shared (Dense)                  (None, 8)            264         a[0][0]"));
  EXPECT_THAT(s, HasSubstr("b[0][0]"));
  EXPECT_EQ(std::string(98, '_'), s.substr(0, 98));
}

// Keras 3 (functional_test.py's test_dtype_standardization and test_rank_standardization):
// inputs take their Input's dtype (1.7 into an int32 Input is 1) in eager calls and nested
// models as in predict, and their Input's rank: (n,) for (None, 1), (n, 3, 1) for (None, 3) and
// (n, 3) for (None, 3, 1) (Keras 2.2.4 also took 1-D arrays as columns).
TEST_F(FunctionalApi, InputsTakeTheirInputsDtypeAndRank) {
  auto ids = Input({2}, {.dtype = int32});
  Model int_model(ids, ops::add(ids, 2));
  const Tensor x = ops::multiply(ones({1, 2}), 1.7);
  const Tensor eager = int_model(x);
  EXPECT_EQ(eager.dtype(), int32);
  EXPECT_EQ(test::to_doubles(eager), (std::vector<double>{3, 3}));
  auto outer_in = Input({2});
  Model outer(outer_in, int_model(outer_in));
  EXPECT_EQ(test::to_doubles(outer.predict(x, {.verbose = 0})[0]), (std::vector<double>{3, 3}));
  EXPECT_EQ(test::to_doubles(outer(x)), (std::vector<double>{3, 3}));

  auto column = Input({1});
  Model dense(column, L::Dense(1, {.kernel_initializer = "ones"})(column));
  dense.compile({.optimizer = "sgd", .loss = "mse"});
  const Tensor flat = test::tensor_of({1, 2, 3, 4}, {4}, float32);
  EXPECT_EQ(dense.predict(flat, {.verbose = 0})[0].shape(), (Shape{4, 1}));
  EXPECT_EQ(dense(flat).shape(), (Shape{4, 1}));
  EXPECT_EQ(test::to_doubles(dense(flat)), (std::vector<double>{1, 2, 3, 4}));
  dense.fit(flat, flat, {.epochs = 1, .verbose = 0});
  dense.evaluate(flat, flat, {.verbose = 0});
  auto three = Input({3});
  Model sum3(three, ops::sum(three, {-1}, true));
  EXPECT_EQ(sum3.predict(ones({2, 3, 1}), {.verbose = 0})[0].shape(), (Shape{2, 1}));
  auto tall = Input({3, 1});
  Model sum31(tall, ops::sum(tall, {1}));
  EXPECT_EQ(sum31.predict(ones({2, 3}), {.verbose = 0})[0].shape(), (Shape{2, 1}));
  EXPECT_THAT(message_of([&] {
                sum3.predict(ones({2, 3, 2}), {.verbose = 0});
              }),
              HasSubstr("expected input_"));
}

TEST_F(FunctionalApi, DefaultNamesCountPerClass) {
  auto x = Input({4});
  auto d1 = L::Dense(2);
  auto d2 = L::Dense(2);
  auto act = L::Activation("relu");
  EXPECT_EQ(x.layer()->name(), "input_1");
  EXPECT_EQ(d1.name(), "dense_1");
  EXPECT_EQ(d2.name(), "dense_2");
  EXPECT_EQ(act.name(), "activation_1");
  Model m(x, d2(act(d1(x))));
  EXPECT_EQ(m.name(), "model_1");
  EXPECT_EQ(Sequential().name(), "sequential_1");
}

TEST_F(FunctionalApi, BadModelIsGraphDisconnected) {
  auto input_tensor = Input({64});
  auto x = L::Dense(32, {.activation = "relu"})(input_tensor);
  auto output_tensor = L::Dense(10, {.activation = "softmax"})(x);
  auto unrelated_input = Input({32});
  const std::string msg =
      message_of<ValueError>([&] { Model bad(unrelated_input, output_tensor); });
  EXPECT_EQ(msg,
            "Graph disconnected: cannot obtain value for tensor Tensor(\"input_1:0\", "
            "shape=(None, 64), dtype=float32) at layer \"input_1\". The following previous "
            "layers were accessed without issue: []");
}

TEST_F(FunctionalApi, DuplicateLayerNamesAreRejected) {
  auto x = Input({4});
  auto y = L::Dense(2, {.name = "same"})(L::Dense(3, {.name = "same"})(x));
  EXPECT_EQ(message_of<ValueError>([&] { Model m(x, y); }),
            "The name \"same\" is used 2 times in the model. All layer names should be unique.");
}

TEST_F(FunctionalApi, InputsMustComeFromInput) {
  auto x = Input({4});
  auto h = L::Dense(3)(x);
  auto y = L::Dense(2)(h);
  EXPECT_THAT(message_of<TypeError>([&] { Model m(h, y); }),
              HasSubstr("Input layers to a `Model` must be `InputLayer` objects"));
}

TEST_F(FunctionalApi, GetLayerByNameAndIndex) {
  auto x = Input({4});
  auto y = L::Dense(2, {.name = "out"})(x);
  Model m(x, y);
  EXPECT_EQ(m.get_layer("out").name(), "out");
  EXPECT_EQ(m.get_layer(0).name(), "input_1");
  EXPECT_EQ(m.layers().size(), 2u);
  EXPECT_EQ(message_of<ValueError>([&] { m.get_layer("nope"); }),
            "No such layer: nope. Existing layers are: ['input_1', 'out'].");
  EXPECT_THAT(message_of<ValueError>([&] { m.get_layer(5); }),
              HasSubstr("Was asked to retrieve layer at index 5 but model only has 2 layers."));
}

TEST_F(FunctionalApi, SharedLayerNodesAndOutputErrors) {
  auto a = Input({8});
  auto b = Input({8});
  auto dense = L::Dense(4);
  auto encoded_a = dense(a);
  auto encoded_b = dense(b);
  EXPECT_TRUE(dense.get_output_at(0) == encoded_a);
  EXPECT_TRUE(dense.get_output_at(1) == encoded_b);
  EXPECT_TRUE(dense.get_input_at(1) == b);
  EXPECT_EQ(message_of<AttributeError>([&] { dense.output(); }),
            "Layer dense_1 has multiple inbound nodes, hence the notion of \"layer output\" is "
            "ill-defined. Use `get_output_at(node_index)` instead.");
  EXPECT_EQ(dense.output_shape(), (Shape{kNone, 4}));
  EXPECT_THAT(message_of<ValueError>([&] { dense.get_output_at(2); }),
              HasSubstr("Asked to get output at node 2, but the layer has only 2 inbound nodes."));
  auto never = L::Dense(3);
  EXPECT_THAT(message_of<RuntimeError>([&] { never.get_output_at(0); }),
              HasSubstr("The layer has never been called and thus has no defined output."));
  EXPECT_THAT(message_of<AttributeError>([&] { never.output(); }),
              HasSubstr("Layer dense_2 has no inbound nodes."));
  // One set of weights for both calls.
  EXPECT_EQ(dense.weights().size(), 2u);
}

TEST_F(FunctionalApi, NodeShapesThatDifferBetweenCalls) {
  auto dense = L::Dense(4);
  dense(Input({8}));
  dense(Input({3, 8}));
  EXPECT_EQ(dense.get_input_shape_at(0), (Shape{kNone, 8}));
  EXPECT_EQ(dense.get_input_shape_at(1), (Shape{kNone, 3, 8}));
  EXPECT_EQ(dense.get_output_shape_at(1), (Shape{kNone, 3, 4}));
  EXPECT_EQ(message_of<AttributeError>([&] { dense.input_shape(); }),
            "The layer \"dense_1 has multiple inbound nodes, with different input shapes. Hence "
            "the notion of \"input shape\" is ill-defined for the layer. Use "
            "`get_input_shape_at(node_index)` instead.");
  EXPECT_THAT(message_of<AttributeError>([&] { dense.output_shape(); }),
              HasSubstr("Use `get_output_shape_at(node_index)` instead."));
  EXPECT_THAT(message_of<AttributeError>([&] { dense.input(); }),
              HasSubstr("Use `get_input_at(node_index)` instead."));
}

// Keras indexes nodes as a Python list: -1 is the last call, -n the first, -n - 1 an IndexError.
TEST_F(FunctionalApi, NegativeNodeIndicesCountFromTheLastCall) {
  auto a = Input({8});
  auto b = Input({3, 8});
  auto dense = L::Dense(4);
  auto ya = dense(a);
  auto yb = dense(b);
  EXPECT_TRUE(dense.get_output_at(-1) == yb);
  EXPECT_TRUE(dense.get_output_at(-2) == ya);
  EXPECT_TRUE(dense.get_input_at(-2) == a);
  EXPECT_EQ(dense.get_input_shape_at(-1), (Shape{kNone, 3, 8}));
  EXPECT_EQ(dense.get_output_shape_at(-2), (Shape{kNone, 4}));
  EXPECT_THAT(message_of<IndexError>([&] { dense.get_output_at(-3); }),
              HasSubstr("list index out of range: asked to get output at node -3, but the layer "
                        "has only 2 inbound nodes."));
  EXPECT_THROW(dense.get_input_shape_at(-3), IndexError);
  // A model's node 0 is its own graph, also as -1 while it has no other call.
  Model m(a, ya);
  EXPECT_TRUE(m.get_output_at(-1) == ya);
  EXPECT_TRUE(m.get_input_at(-1) == a);
  auto c = Input({8});
  auto yc = m(c);
  EXPECT_TRUE(m.get_output_at(-1) == yc);
  EXPECT_TRUE(m.get_output_at(-2) == ya);
}

TEST_F(FunctionalApi, SequentialEqualsFunctional) {
  Sequential seq;
  seq.add(L::Dense(32, {.activation = "relu", .input_shape = {{64}}}));
  seq.add(L::Dense(32, {.activation = "relu"}));
  seq.add(L::Dense(10, {.activation = "softmax"}));
  auto input_tensor = Input({64});
  auto x = L::Dense(32, {.activation = "relu"})(input_tensor);
  x = L::Dense(32, {.activation = "relu"})(x);
  Model model(input_tensor, L::Dense(10, {.activation = "softmax"})(x));
  EXPECT_EQ(seq.count_params(), model.count_params());
  EXPECT_EQ(seq.layers().size(), 3u);  // Keras 2 hides the Sequential's InputLayer
  model.set_weights(seq.get_weights());
  Tensor data = random::uniform({5, 64});
  Tensor a = seq.predict(data), b = model.predict(data);
  for (int64_t i = 0; i < a.size(); ++i) EXPECT_FLOAT_EQ(a.data<float>()[i], b.data<float>()[i]);
  EXPECT_THAT(seq.summary_string(),
              HasSubstr("dense_1 (Dense)              (None, 32)                2080"));
}

// Keras 3's sequential_test.py test_functional_properties: an Input added to a Sequential keeps
// its name, so data keyed by it reaches the model, and the saved InputLayer (and a loaded one)
// keeps it too.
TEST_F(FunctionalApi, SequentialKeepsTheNameOfItsInput) {
  Sequential m;
  m.add(Input({2}, {.name = "my_in"}));
  m.add(L::Dense(3));
  m.compile({.optimizer = "sgd", .loss = "mse"});
  EXPECT_EQ(m.input_names(), (std::vector<std::string>{"my_in"}));
  const Tensor x = ones({4, 2});
  EXPECT_EQ(m.predict({{"my_in", x}}, {.verbose = 0})[0].shape(), (Shape{4, 3}));
  m.fit({{"my_in", x}}, ones({4, 3}), {.epochs = 1, .verbose = 0});
  const Json config = Json::parse(m.to_json());
  EXPECT_EQ(config["config"]["layers"][0]["config"]["name"], "my_in");
  Model loaded = models::model_from_json(m.to_json());
  EXPECT_EQ(loaded.input_names(), (std::vector<std::string>{"my_in"}));
}

TEST_F(FunctionalApi, SequentialWithoutInputShapeBuildsOnFirstFit) {
  Sequential seq({L::Dense(4, {.activation = "relu"}), L::Dense(1)});
  EXPECT_THAT(message_of<ValueError>([&] { seq.summary(); }),
              HasSubstr("This model has not yet been built."));
  seq.compile({.optimizer = "sgd", .loss = "mse"});
  seq.fit(random::uniform({16, 3}), random::uniform({16, 1}), {.verbose = 0});
  EXPECT_EQ(seq.count_params(), 3 * 4 + 4 + 4 + 1);
}

TEST_F(FunctionalApi, ModelIsCallableEagerlyAndAsLayer) {
  auto x = Input({3});
  auto y = L::Dense(2)(x);
  Model m(x, y);
  Tensor data = random::uniform({4, 3});
  Tensor eager = m.call({data})[0];
  Tensor predicted = m.predict(data);
  for (int64_t i = 0; i < eager.size(); ++i) {
    EXPECT_FLOAT_EQ(eager.data<float>()[i], predicted.data<float>()[i]);
  }
  Tensor single = m(data);  // LayerRef's eager call
  EXPECT_EQ(single.shape(), (Shape{4, 2}));
}

TEST_F(FunctionalApi, ModelsAreCallableLikeLayersAndShareWeights) {
  auto x = Input({784});
  auto y = L::Dense(10, {.activation = "softmax"})(x);
  Model model(x, y);
  EXPECT_TRUE(model.get_output_at(0) == y);  // node 0 is the model's own graph (Keras 2)
  EXPECT_TRUE(model.get_input_at(0) == x);
  auto x2 = Input({784});
  auto y2 = model(x2);
  EXPECT_EQ(y2.node_index(), 1);
  EXPECT_TRUE(model.get_output_at(1) == y2);
  EXPECT_EQ(y2.shape(), (Shape{kNone, 10}));
  Model outer(x2, y2);
  EXPECT_EQ(outer.count_params(), model.count_params());
  EXPECT_THAT(outer.summary_string(), HasSubstr("model_1 (Model)"));
  // A change to one model's weights is seen by the other.
  Tensor data = random::uniform({3, 784});
  Tensor before = outer.predict(data);
  Tensors w = model.get_weights();
  w[1] = full({10}, 0.5f);
  model.set_weights(w);
  Tensor a = outer.predict(data), b = model.predict(data);
  for (int64_t i = 0; i < a.size(); ++i) EXPECT_FLOAT_EQ(a.data<float>()[i], b.data<float>()[i]);
  // Training the outer model trains the shared weights.
  outer.compile({.optimizer = "sgd", .loss = "categorical_crossentropy"});
  outer.fit(data, utils::to_categorical(Tensor::from_vector<int32_t>({1, 2, 3}), 10),
            {.verbose = 0});
  Tensor after = model.predict(data);
  EXPECT_NE(after.data<float>()[0], a.data<float>()[0]);
  EXPECT_THAT(message_of<ValueError>([&] { model(Input({100})); }),
              HasSubstr("expected axis 1 of input shape to have value 784"));
}

TEST_F(FunctionalApi, ModelCalledOnOtherShapesComputesItsOutputShape) {
  // Built for images of any size, called on 10x10 ones: the outputs get the layers' dims.
  auto x = Input({std::nullopt, std::nullopt, 3});
  auto y = L::Conv2D(4, 3)(x);
  y = L::MaxPooling2D(2)(y);
  Model model(x, y);
  EXPECT_EQ(shape_str(model.output().shape()), "(None, None, None, 4)");
  auto small = model(Input({10, 10, 3}));
  EXPECT_EQ(shape_str(small.shape()), "(None, 4, 4, 4)");
  auto wide = model(Input({7, 12, 3}, {.batch_size = 2}));
  EXPECT_EQ(shape_str(wide.shape()), "(2, 2, 5, 4)");
  EXPECT_EQ(shape_str(model(Input({std::nullopt, std::nullopt, 3})).shape()),
            "(None, None, None, 4)");
}

TEST_F(FunctionalApi, InputSpecErrorsUseKerasWording) {
  auto x = Input({32});
  auto dense = L::Dense(4);
  dense(x);
  auto other = Input({16});
  EXPECT_EQ(message_of<ValueError>([&] { dense(other); }),
            "Input 0 is incompatible with layer dense_1: expected axis -1 of input shape to have "
            "value 32 but got shape (None, 16)");
}

TEST_F(FunctionalApi, MultipleInputsAndOutputsRunInOrder) {
  auto a = Input({2}, {.name = "a"});
  auto b = Input({3}, {.name = "b"});
  auto ha = L::Dense(4, {.name = "ha"})(a);
  auto hb = L::Dense(4, {.name = "hb"})(b);
  auto out1 = L::Dense(1, {.name = "out1"})(ha);
  auto out2 = L::Dense(1, {.name = "out2"})(hb);
  Model m({a, b}, {out1, out2});
  EXPECT_EQ(m.input_names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(m.output_names(), (std::vector<std::string>{"out1", "out2"}));
  Outputs out = m.predict({{"b", random::uniform({5, 3})}, {"a", random::uniform({5, 2})}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].shape(), (Shape{5, 1}));
  EXPECT_THAT(message_of<ValueError>([&] {
                m.predict({{"a", random::uniform({5, 2})}});
              }),
              HasSubstr("No data provided for \"b\". Need data for each key in: ['a', 'b']"));
}

// Keras's `training` argument fixed at a symbolic call ({.training = ...}): the layer runs in
// that mode whatever mode the model runs in (Keras 2's behaviour; see CallOptions::training).
TEST_F(FunctionalApi, TrainingFixedAtCallKeepsMonteCarloDropoutInPredict) {
  auto in = Input({8});
  Model mc(in, L::Dropout(0.5)(in, {.training = true}));
  Model plain(in, L::Dropout(0.5)(in));
  const Tensor x = ones({64, 8});
  const std::vector<double> dropped = test::to_doubles(mc.predict(x, {.verbose = 0}));
  int zeros = 0;
  for (double v : dropped) {
    EXPECT_TRUE(v == 0.0 || v == 2.0) << v;  // kept inputs scaled by 1 / (1 - 0.5)
    zeros += v == 0.0;
  }
  EXPECT_GT(zeros, 100);  // about half of 512
  EXPECT_LT(zeros, 412);
  for (double v : test::to_doubles(plain.predict(x, {.verbose = 0}))) EXPECT_EQ(v, 1.0);
  // Still dropping in evaluate: every element off by 1 (0 or 2 against 1).
  mc.compile({.optimizer = "sgd", .loss = "mse"});
  EXPECT_EQ(mc.evaluate(x, x, {.verbose = 0})["loss"], 1.0);
}

TEST_F(FunctionalApi, TrainingFalseFreezesBatchNormalizationInFit) {
  auto in = Input({3});
  L::BatchNormalization frozen;
  L::BatchNormalization live;
  Model m(in, {L::Dense(1, {.name = "f"})(frozen(in, {.training = false})),
               L::Dense(1, {.name = "l"})(live(in))});
  m.compile({.optimizer = "sgd", .loss = "mse"});
  const Tensor x = random::uniform({16, 3}, 4.0, 6.0, float32, 3);
  const Tensor y = zeros({16, 1});
  m.fit(x, {y, y}, {.epochs = 2, .batch_size = 8, .verbose = 0});
  // Moving statistics untouched (mean 0, variance 1) in the frozen one, updated in the other.
  const Tensors f = frozen.get_weights(), l = live.get_weights();
  for (double v : test::to_doubles(f[2])) EXPECT_EQ(v, 0.0);
  for (double v : test::to_doubles(f[3])) EXPECT_EQ(v, 1.0);
  for (double v : test::to_doubles(l[2])) EXPECT_GT(v, 0.1);
  // Trained, and normalized with its moving statistics: gamma * x / sqrt(1 + eps) + beta.
  EXPECT_NE(test::to_doubles(f[0]), (std::vector<double>{1, 1, 1}));
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The node kwargs {"training": true/false} of a functional config, by layer name.
std::map<std::string, Json> training_kwargs(const Model& m) {
  std::map<std::string, Json> out;
  const Json config = m.get_config();
  for (const Json& layer : config["layers"]) {
    for (const Json& node : layer["inbound_nodes"]) {
      if (node.is_object() && node["kwargs"].contains("training")) {
        out[layer["name"]] = node["kwargs"]["training"];
      }
    }
  }
  return out;
}

// Saved as Keras 3 saves it, and read from Keras 3's and tf_keras's files
// (tools/fixtures/make_call_training_fixtures.py).
TEST_F(FunctionalApi, TrainingFixedAtCallIsSavedAndLoaded) {
  const std::map<std::string, Json> want = {{"mc", true}, {"bn", false}};
  for (const char* file : {"call_training_keras3.json", "call_training_tf_keras.json"}) {
    SCOPED_TRACE(file);
    Model m = models::model_from_json(read_text(str(KERAS_TEST_DATA_DIR, "/saving/", file)));
    EXPECT_EQ(training_kwargs(m), want);
    Model back = models::model_from_json(m.to_json());
    EXPECT_EQ(training_kwargs(back), want);
    EXPECT_EQ(back.get_config(), m.get_config());
    // The Dropout still drops in predict: two predictions of the same input differ.
    const Tensor x = ones({32, 4});
    EXPECT_NE(test::to_doubles(back.predict(x, {.verbose = 0})),
              test::to_doubles(back.predict(x, {.verbose = 0})));
  }
  auto in = Input({2});
  Model plain(in, L::Dense(1)(in));
  EXPECT_TRUE(training_kwargs(plain).empty());  // no flag, no key
}

}  // namespace
}  // namespace keras
