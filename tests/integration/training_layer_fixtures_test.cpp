// Models with weight constraints and activity regularizers saved by real Keras 3
// (tools/fixtures/make_training_layer_fixtures.py -> tests/data/training_layers/): loading keeps
// them, evaluate() gives Keras's loss and fit() repeats Keras's training.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "harness/keras_fixtures.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/io/npy.h"
#include "keras/layers/dense.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/recurrent.h"
#include "keras/models/model.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "keras/optimizers/optimizers.h"

namespace keras {
namespace {

std::string fixture(const std::string& name, const std::string& suffix) {
  return std::string(KERAS_TEST_DATA_DIR) + "/training_layers/" + name + suffix;
}

Json layer_config(const Model& m, const std::string& name) {
  return m.get_layer(name)->get_config();
}

TEST(TrainingLayerFixtures, ConstraintsAndActivityRegularizersLoadFromKeras) {
  const Model m = models::load_model(fixture("constrained_mlp", ".keras"));
  const Json h = layer_config(m, "h");
  EXPECT_EQ(h["kernel_constraint"]["class_name"], "MaxNorm");
  EXPECT_EQ(h["kernel_constraint"]["config"]["max_value"], 1.5);
  EXPECT_EQ(h["bias_constraint"]["class_name"], "NonNeg");
  EXPECT_EQ(h["activity_regularizer"]["class_name"], "L2");
  const Json bn = layer_config(m, "bn");
  EXPECT_EQ(bn["gamma_constraint"]["config"].dump(),
            R"({"min_value":0.5,"max_value":0.8,"rate":0.7,"axis":0})");
  EXPECT_EQ(bn["beta_constraint"]["class_name"], "NonNeg");
  EXPECT_EQ(layer_config(m, "out")["kernel_constraint"]["config"]["axis"], Json::parse("[0,1]"));
  const Model s = models::load_model(fixture("constrained_sequence", ".keras"));
  EXPECT_EQ(layer_config(s, "emb")["embeddings_constraint"]["class_name"], "UnitNorm");
  const Json lstm = layer_config(s, "lstm");
  EXPECT_EQ(lstm["kernel_constraint"]["class_name"], "MaxNorm");
  EXPECT_EQ(lstm["recurrent_constraint"]["class_name"], "MinMaxNorm");
  EXPECT_EQ(lstm["bias_constraint"]["class_name"], "NonNeg");
  EXPECT_EQ(layer_config(s, "conv")["activity_regularizer"]["config"]["l2"], 0.01);
}

// Keras's loss before training (activity penalties included) and its training: 3 epochs of 2
// batches of SGD with every constraint active. float32 on both sides, in different kernel
// orders (JAX/XLA vs OpenBLAS): the per-step differences are ~1e-7 relative and six steps of
// SGD with lr <= 0.2 on O(1) weights and projections that are contractions do not grow them
// past 1e-5; 2e-5 leaves room for the LSTM's tanh/sigmoid.
class TrainingLayerFixtureTraining : public ::testing::TestWithParam<const char*> {};

TEST_P(TrainingLayerFixtureTraining, RepeatsKerasTraining) {
  const std::string name = GetParam();
  Model m = models::load_model(fixture(name, ".keras"));
  const Tensor x = io::load_npy(fixture(name, ".x.npy"));
  const Tensor y = io::load_npy(fixture(name, ".y.npy"));
  const Tensor loss0 = io::load_npy(fixture(name, ".loss0.npy"));
  const auto before = m.evaluate(x, y, {.verbose = 0});
  EXPECT_NEAR(before[0], loss0.item<double>(), 2e-5 * std::abs(loss0.item<double>()));
  const auto history = m.fit(x, y, {.epochs = 3, .batch_size = 4, .verbose = 0, .shuffle = false});
  const Tensor keras_history = io::load_npy(fixture(name, ".history.npy"));
  const auto& losses = history.history.at("loss");
  ASSERT_EQ(losses.size(), 3u);
  for (size_t e = 0; e < losses.size(); ++e) {
    const double k = keras_history.at<double>({static_cast<int64_t>(e)});
    EXPECT_NEAR(losses[e], k, 2e-5 * std::abs(k)) << "epoch " << e;
  }
  const auto trained = io::load_npz(fixture(name, ".trained.npz"));
  const std::vector<Variable> weights = m->weights();
  ASSERT_EQ(weights.size(), trained.size());
  for (size_t i = 0; i < weights.size(); ++i) {
    SCOPED_TRACE(weights[i].path());
    test::expect_all_close(weights[i].value(), trained.at(str("w", i)), 2e-5, 2e-5);
  }
}

INSTANTIATE_TEST_SUITE_P(Keras,
                         TrainingLayerFixtureTraining,
                         ::testing::Values("constrained_mlp",
                                           "constrained_sequence",
                                           "wrapped_activity"));

// The constraints and activity regularizers come back from keras.cpp's own files too.
TEST(TrainingLayerFixtures, ConstraintsRoundTripThroughSave) {
  const Model m = models::load_model(fixture("constrained_sequence", ".keras"));
  const auto path =
      std::filesystem::path(test::fixture_temp_path("keras_layers_constraints.keras"));
  m.save(path.string());
  const Model back = models::load_model(path.string());
  std::filesystem::remove(path);
  EXPECT_EQ(back.get_config(), m.get_config());
  EXPECT_EQ(back.get_config(),
            models::load_model(fixture("constrained_sequence", ".keras")).get_config());
}

// Stateful LSTM, GRU and SimpleRNN (Input batch size 2) saved by Keras, against Keras's eager
// calls: the second batch continues from the first one's states, and after reset_states() it
// starts from zeros again. The same float32 cells in another kernel order: 1e-5.
TEST(TrainingLayerFixtures, StatefulRnnsCarryStatesAcrossBatchesAsKeras) {
  Model m = models::load_model(fixture("stateful_rnns", ".keras"));
  const auto d = io::load_npz(fixture("stateful_rnns", ".npz"));
  for (const char* name : {"lstm", "gru", "rnn"}) {
    EXPECT_EQ(m.get_layer(name)->get_config()["stateful"], true) << name;
  }
  auto expect = [&](const Outputs& got, const std::string& key) {
    ASSERT_EQ(got.size(), 3u);
    for (size_t i = 0; i < got.size(); ++i) {
      SCOPED_TRACE(str(key, "_", i));
      test::expect_all_close(got[i], d.at(str(key, "_", i)), 1e-5, 1e-5);
    }
  };
  expect(m.predict(d.at("x1"), {.batch_size = 2, .verbose = 0}), "y1");
  expect(m.predict(d.at("x2"), {.batch_size = 2, .verbose = 0}), "y2");
  for (const char* name : {"lstm", "gru", "rnn"}) {
    std::dynamic_pointer_cast<layers::RecurrentImpl>(m.get_layer(name).layer())->reset_states();
  }
  expect(m.predict(d.at("x2"), {.batch_size = 2, .verbose = 0}), "y3");
  // Eager calls carry the states too.
  for (const char* name : {"lstm", "gru", "rnn"}) {
    std::dynamic_pointer_cast<layers::RecurrentImpl>(m.get_layer(name).layer())->reset_state();
  }
  expect(m.call({d.at("x1")}), "y1");
  expect(m.call({d.at("x2")}), "y2");
}

// fit on a stateful LSTM: the traced step reads the states and writes the final states back
// (after the backward pass has used copies of the initial ones) at every replay. With a zero
// learning rate the weights stay put, so 3 epochs of 4 batches leave the states that 12 eager
// calls leave: the same kernels on the same shapes, up to the summation order of the fused
// sequence kernel against the per-call one (1e-6).
TEST(TrainingLayerFixtures, StatefulRnnTrainsAndKeepsItsStates) {
  auto x = Input({3, 2}, {.batch_size = 2});
  auto lstm = layers::LSTM(4, {.stateful = true});
  Model m(x, layers::Dense(1)(lstm(x)));
  m.compile({.optimizer = optimizers::SGD({.learning_rate = 0.0}), .loss = "mse"});
  const Tensor xs = test::random_tensor({8, 3, 2}, float32, -1.0, 1.0, 3);
  const Tensor ys = test::random_tensor({8, 1}, float32, -1.0, 1.0, 4);
  m.fit(xs, ys, {.epochs = 3, .batch_size = 2, .verbose = 0, .shuffle = false});
  const Tensor after_fit = lstm->states()[0].cpu().clone();
  EXPECT_GT(ops::max(ops::abs(after_fit)).item<double>(), 0.0);
  lstm->reset_states();
  EXPECT_EQ(ops::max(ops::abs(lstm->states()[0])).item<double>(), 0.0);
  for (int epoch = 0; epoch < 3; ++epoch) {
    for (int64_t b = 0; b < 4; ++b) m.call({ops::slice_axis(xs, 0, 2 * b, 2)});
  }
  test::expect_all_close(lstm->states()[0], after_fit, 1e-6, 1e-6);
  // A real step changes the weights and keeps the loss finite.
  m.compile({.optimizer = "adam", .loss = "mse"});
  const auto h = m.fit(xs, ys, {.epochs = 2, .batch_size = 2, .verbose = 0, .shuffle = false});
  EXPECT_TRUE(std::isfinite(h.history.at("loss").back()));
}

TEST(TrainingLayerFixtures, StatefulNeedsAFixedBatchSize) {
  auto x = Input({3, 2});
  test::expect_throws_with<ValueError>(
      [&] { layers::LSTM(2, {.stateful = true})(x); },
      "When using `stateful=True` in a RNN, the batch size must be static. Found dynamic batch "
      "size: sequence.shape=(None, 3, 2)");
  auto fixed = Input({3, 2}, {.batch_size = 4});
  auto gru = layers::GRU(2, {.stateful = true});
  Model m(fixed, gru(fixed));
  test::expect_throws_with<ValueError>(
      [&] {
        m.predict(zeros({2, 3, 2}), {.batch_size = 2, .verbose = 0});
      },
      "If an RNN is stateful, the batch size of the input sequences must be the same as the "
      "batch size of the initial state. \n- Expected batch size: 4\n- Received batch size: 2");
  test::expect_throws_with<ValueError>(
      [] {
        layers::SimpleRNN(2, {.unroll = true})(Input({std::nullopt, 2}));
      },
      "Cannot unroll a RNN if the time dimension is undefined.");
}

// Maximum, Minimum and Multiply leave masked values out, Add keeps them, and LSTMs with
// zero_output_for_mask output zeros at masked steps (the last one too, go_backwards), as Keras.
TEST(TrainingLayerFixtures, MaskedMergesAndZeroOutputForMaskMatchKeras) {
  Model m = models::load_model(fixture("masked_merges", ".keras"));
  const auto d = io::load_npz(fixture("masked_merges", ".npz"));
  EXPECT_EQ(m.get_layer("zs")->get_config()["zero_output_for_mask"], true);
  const Outputs got = m.predict({d.at("x"), d.at("y")}, {.verbose = 0});
  ASSERT_EQ(got.size(), 7u);
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(i);
    test::expect_all_close(got[i], d.at(str("out_", i)), 1e-5, 1e-6);
  }
}

// Bugs of issue 14.
TEST(TrainingLayerFixtures, ModelWithAnUnusedInputSavesAndLoads) {
  auto a = Input({3}, {.name = "a"});
  auto b = Input({2}, {.name = "b"});
  Model m({b, a}, layers::Dense(2, {.name = "d"})(a));
  const auto path =
      std::filesystem::path(test::fixture_temp_path("keras_layers_unused_input.keras"));
  m.save(path.string());
  const Model back = models::load_model(path.string());
  std::filesystem::remove(path);
  EXPECT_EQ(back.input_names(), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(back.get_config(), m.get_config());
}

// Keras's file of a model called on a dict ({"b": b, "a": a}) whose input b no output uses: the
// inputs come in Keras's flattening order (sorted keys), and keras.cpp saves it back.
TEST(TrainingLayerFixtures, KerasModelOnADictWithAnUnusedInputLoadsAndSaves) {
  Model m = models::load_model(fixture("unused_dict_input", ".keras"));
  const auto d = io::load_npz(fixture("unused_dict_input", ".npz"));
  EXPECT_EQ(m.input_names(), (std::vector<std::string>{"a", "b"}));
  const Tensor y = m.predict({{"a", d.at("a")}, {"b", d.at("b")}}, {.verbose = 0});
  test::expect_all_close(y, d.at("out"), 1e-6, 1e-6);
  const auto path =
      std::filesystem::path(test::fixture_temp_path("keras_layers_unused_dict.keras"));
  m.save(path.string());
  Model back = models::load_model(path.string());
  std::filesystem::remove(path);
  EXPECT_EQ(back.input_names(), m.input_names());
  test::expect_all_close(back.predict({{"b", d.at("b")}, {"a", d.at("a")}}, {.verbose = 0}), y, 0,
                         0);
}

TEST(TrainingLayerFixtures, SaveWeightsOfAnUnbuiltModelRaises) {
  Sequential s;
  s.add(layers::Dense(2));
  const auto path =
      std::filesystem::path(test::fixture_temp_path("keras_layers_unbuilt.weights.h5"));
  test::expect_throws_with<ValueError>(
      [&] { s.save_weights(path.string()); },
      "You are saving a model that has not yet been built. Try building the model first by "
      "calling it on some data or by using `build()`.");
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(TrainingLayerFixtures, LoadWeightsSkipMismatchSkipsTheLayer) {
  const auto path = std::filesystem::path(test::fixture_temp_path("keras_layers_skip.weights.h5"));
  auto a = Input({3});
  Model saved(a, layers::Dense(2, {.name = "e"})(layers::Dense(4, {.name = "d"})(a)));
  saved.save_weights(path.string());
  auto a2 = Input({5});
  Model other(a2, layers::Dense(2, {.name = "e"})(layers::Dense(4, {.name = "d"})(a2)));
  const Tensors before = other.get_layer("d").get_weights();
  test::expect_throws_with<ValueError>([&] { other.load_weights(path.string()); },
                                       "expected shape (5, 4), found (3, 4)");
  other.load_weights(path.string(), {.skip_mismatch = true});
  std::filesystem::remove(path);
  // "d" (mismatched) is left alone, "e" is loaded.
  test::expect_all_close(other.get_layer("d").get_weights()[0], before[0], 0, 0);
  test::expect_all_close(other.get_layer("e").get_weights()[0],
                         saved.get_layer("e").get_weights()[0], 0, 0);
}

}  // namespace
}  // namespace keras
