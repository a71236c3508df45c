// compile's loss structure: std::nullopt (Python's None) for an output without a loss, several
// metrics per output as a list per output or a map; against Keras 3
// (goldens/loss_structure_goldens.h, tools/fixtures/make_loss_structure_goldens.py).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <keras/keras.hpp>
#include <vector>

#include "goldens/loss_structure_goldens.h"
#include "harness/keras_fixtures.h"
#include "harness/tensor_matchers.h"

namespace keras {
namespace {

namespace G = keras::goldens::loss_structure;
namespace L = keras::layers;
using ::testing::HasSubstr;

template <size_t N>
std::vector<double> values(const double (&a)[N]) {
  return std::vector<double>(a, a + N);
}

struct Data2 {
  Tensor x = test::tensor_of(values(G::kX), {4, 3}, float32);
  Tensor ya = test::tensor_of(values(G::kYA), {4, 2}, float32);
  Tensor yb = test::tensor_of(values(G::kYB), {4, 2}, float32);
};

Model golden_model(const CompileOptions& options) {
  KerasTensor in = Input({3}, {.name = "x"});
  Model m(in, {L::Dense(2, {.name = "a"})(in), L::Dense(2, {.name = "b"})(in)});
  m.get_layer("a").set_weights({test::tensor_of(values(G::kKernelA), {3, 2}, float32),
                                test::tensor_of(values(G::kBiasA), {2}, float32)});
  m.get_layer("b").set_weights({test::tensor_of(values(G::kKernelB), {3, 2}, float32),
                                test::tensor_of(values(G::kBiasB), {2}, float32)});
  m.compile(options);
  return m;
}

// Keras (XLA) and keras.cpp sum the 3-term dot products and the batch means in other orders: a
// few float32 ulps on values of order 1, compounded over 4 SGD steps of size ~0.01; 1e-5 covers
// it, far below the steps themselves.
constexpr double kTol = 1e-5;

std::vector<std::string> keys(const callbacks::History& h) {
  std::vector<std::string> out;
  for (const auto& [k, v] : h.history) out.push_back(k);
  return out;
}

void expect_history_matches_keras(const callbacks::History& h) {
  const std::map<std::string, std::vector<double>> expected = {
      {"loss", values(G::kHistory_loss)},
      {"a_mae", values(G::kHistory_a_mae)},
      {"b_mae", values(G::kHistory_b_mae)},
      {"b_mse", values(G::kHistory_b_mse)}};
  for (const auto& [key, want] : expected) {
    SCOPED_TRACE(key);
    const std::vector<double>& got = h.history.at(key);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], kTol) << i;
  }
}

TEST(LossStructure, NoneLossOutputTrainsNothingAndLogsNoLossAsKeras) {
  Data2 d;
  Model m = golden_model({.optimizer = optimizers::SGD({.learning_rate = 0.1}),
                          .loss = {"mse", std::nullopt},
                          .metrics = {{"mae"}, {"mae", "mse"}}});
  EXPECT_EQ(m.metrics_names(), (std::vector<std::string>{"loss", "a_mae", "b_mae", "b_mse"}));
  Results before = m.evaluate(d.x, {d.ya, d.yb}, {.verbose = 0});
  EXPECT_NEAR(before["loss"], G::kBefore_loss[0], kTol);
  EXPECT_NEAR(before["a_mae"], G::kBefore_a_mae[0], kTol);
  EXPECT_NEAR(before["b_mae"], G::kBefore_b_mae[0], kTol);
  EXPECT_NEAR(before["b_mse"], G::kBefore_b_mse[0], kTol);
  const std::vector<Tensor> b_before = m.get_layer("b").get_weights();

  auto h = m.fit(d.x, {d.ya, d.yb}, {.epochs = 2, .batch_size = 2, .verbose = 0, .shuffle = false});
  EXPECT_EQ(keys(h), (std::vector<std::string>{"a_mae", "b_mae", "b_mse", "loss"}));
  expect_history_matches_keras(h);
  EXPECT_TRUE(test::all_close(m.get_layer("a").get_weights()[0],
                              test::tensor_of(values(G::kTrainedKernelA), {3, 2}, float32), kTol,
                              kTol));
  EXPECT_TRUE(test::all_close(m.get_layer("a").get_weights()[1],
                              test::tensor_of(values(G::kTrainedBiasA), {2}, float32), kTol, kTol));
  // No loss reaches output b: its weights get zero gradients, and SGD leaves them as they were.
  const std::vector<Tensor> b_after = m.get_layer("b").get_weights();
  for (size_t i = 0; i < b_after.size(); ++i) {
    EXPECT_EQ(test::to_doubles(b_after[i]), test::to_doubles(b_before[i]));
  }
  Results after = m.evaluate(d.x, {d.ya, d.yb}, {.verbose = 0});
  EXPECT_NEAR(after["loss"], G::kAfter_loss[0], kTol);
  EXPECT_NEAR(after["a_mae"], G::kAfter_a_mae[0], kTol);
}

TEST(LossStructure, MapsSpellTheSameAsLists) {
  Data2 d;
  Model m = golden_model({.optimizer = optimizers::SGD({.learning_rate = 0.1}),
                          .loss = {{"a", "mse"}, {"b", std::nullopt}},
                          .metrics = {{"a", {"mae"}}, {"b", {"mae", "mse"}}}});
  auto h = m.fit(d.x, {{"a", d.ya}, {"b", d.yb}},
                 {.epochs = 2, .batch_size = 2, .verbose = 0, .shuffle = false});
  EXPECT_EQ(keys(h), (std::vector<std::string>{"a_mae", "b_mae", "b_mse", "loss"}));
  expect_history_matches_keras(h);
}

TEST(LossStructure, PerOutputLossesOnlyWithSeveralLosses) {
  // Keras 3 (tools/fixtures/make_loss_structure_goldens.py asserts these keys).
  KerasTensor in = Input({3});
  Model m(in, {L::Dense(1, {.name = "a"})(in), L::Dense(1, {.name = "b"})(in),
               L::Dense(1, {.name = "c"})(in)});
  m.compile({.optimizer = "sgd",
             .loss = {{"a", std::nullopt}, {"b", "mse"}, {"c", "mae"}},
             .metrics = {{"a", {"mae"}}, {"b", {"mse", "mae"}}}});
  Tensor x = random::uniform({8, 3}, 0.0, 1.0, float32, 1);
  Tensor y = random::uniform({8, 1}, 0.0, 1.0, float32, 2);
  auto h = m.fit(x, {y, y, y}, {.verbose = 0});
  EXPECT_EQ(keys(h),
            (std::vector<std::string>{"a_mae", "b_loss", "b_mae", "b_mse", "c_loss", "loss"}));
  // One loss among several outputs: no "<output>_loss" (Keras 3: ['a_mae', 'loss']).
  m.compile({.optimizer = "sgd",
             .loss = {std::nullopt, std::nullopt, "mae"},
             .metrics = {{"mae"}, {}, {}}});
  h = m.fit(x, {y, y, y}, {.verbose = 0});
  EXPECT_EQ(keys(h), (std::vector<std::string>{"a_mae", "loss"}));
  EXPECT_EQ(m.metrics_names(), (std::vector<std::string>{"loss", "a_mae"}));
}

TEST(LossStructure, ErrorsForBadStructures) {
  KerasTensor in = Input({3});
  Model m(in, {L::Dense(1, {.name = "a"})(in), L::Dense(1, {.name = "b"})(in)});
  EXPECT_THAT(
      [&] {
        m.compile({.loss = "mse", .metrics = {{"mae"}, {"mse"}, {"mae"}}});
      },
      ::testing::ThrowsMessage<ValueError>(
          HasSubstr("it should have one list per model output. The model has 2 outputs")));
  m.compile({.loss = {std::nullopt, std::nullopt}});
  Tensor x = zeros({2, 3}, float32);
  EXPECT_THAT(
      [&] {
        m.fit(x, {zeros({2, 1}), zeros({2, 1})}, {.verbose = 0});
      },
      ::testing::ThrowsMessage<ValueError>(
          HasSubstr("No loss to compute. Provide a `loss` argument in `compile()`.")));
}

// Keras 2.2.4's test_activity_regularization_with_model_composition and Keras 3's
// test_internal_only_loss: a model compiled without a loss trains and evaluates on its own
// losses, without targets. Dense(2) with ones and no bias on ones(1, 2) gives [2, 2]; an
// activity L1(1.0) makes the loss 4 (exact in float32).
TEST(LossStructure, ModelLossesAloneAreTheLoss) {
  auto x = Input({2});
  Model inner(x, L::Dense(2, {.use_bias = false,
                              .kernel_initializer = "ones",
                              .activity_regularizer = regularizers::L1(1.0)})(x));
  auto outer_in = Input({2});
  Model outer(outer_in, inner(outer_in));
  outer.compile({.optimizer = "sgd"});
  const Tensor ones2 = ones({1, 2});
  EXPECT_EQ(outer.evaluate(ones2, Data(), {.verbose = 0})["loss"], 4.0);
  auto history = outer.fit(ones2, Data(), {.epochs = 1, .verbose = 0});
  EXPECT_EQ(history.history.at("loss")[0], 4.0);
  EXPECT_LT(outer.evaluate(ones2, Data(), {.verbose = 0})["loss"], 4.0);  // trained downwards
}

// Keras 3's None target for an output without a loss or metrics: train_on_batch, fit and
// evaluate with [ya, None] against Keras's numbers (the same as with any target for b).
TEST(LossStructure, NoneTargetForAnOutputWithoutLossMatchesKeras) {
  Data2 d;
  Model m = golden_model(
      {.optimizer = optimizers::SGD({.learning_rate = 0.1}), .loss = {"mse", std::nullopt}});
  EXPECT_NEAR(m.train_on_batch(d.x, {d.ya, std::nullopt})["loss"], G::kNoTarget_train_on_batch[0],
              kTol);
  auto h = m.fit(d.x, {d.ya, std::nullopt},
                 {.epochs = 2, .batch_size = 2, .verbose = 0, .shuffle = false});
  const std::vector<double> want = values(G::kNoTarget_history_loss);
  ASSERT_EQ(h.history.at("loss").size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(h.history.at("loss")[i], want[i], kTol);
  EXPECT_TRUE(test::all_close(
      m.get_layer("a").get_weights()[0],
      test::tensor_of(values(G::kNoTarget_trained_kernel_a), {3, 2}, float32), kTol, kTol));
  EXPECT_NEAR(m.evaluate(d.x, {d.ya, std::nullopt}, {.verbose = 0})["loss"],
              G::kNoTarget_evaluate[0], kTol);
  // The same targets spelled as a map without "b", an undefined Tensor, or a list that stops
  // before b: the same plan, the same numbers.
  const double loss = m.evaluate(d.x, {d.ya, std::nullopt}, {.verbose = 0})["loss"];
  EXPECT_EQ(m.evaluate(d.x, {{"a", d.ya}}, {.verbose = 0})["loss"], loss);
  EXPECT_EQ(m.evaluate(d.x, {d.ya, Tensor()}, {.verbose = 0})["loss"], loss);
  EXPECT_EQ(m.evaluate(d.x, std::vector<Tensor>{d.ya}, {.verbose = 0})["loss"], loss);
  EXPECT_EQ(m.test_on_batch(d.x, {{"a", d.ya}})["loss"],
            m.test_on_batch(d.x, {d.ya, d.yb})["loss"]);
  // Validation data with the same None target.
  auto hv = m.fit(d.x, {{"a", d.ya}},
                  {.epochs = 1,
                   .verbose = 0,
                   .validation_data = ValidationData{d.x, Data{d.ya, std::nullopt}}});
  EXPECT_TRUE(hv.history.contains("val_loss"));
}

TEST(LossStructure, MissingTargetForAnOutputWithALossIsKerasError) {
  Data2 d;
  Model m = golden_model({.optimizer = "sgd", .loss = {std::nullopt, "mse"}});
  const char* missing_b =
      "The path: ('b',) in the `loss` argument, can't be found in either the model's output "
      "(`y_pred`) or in the labels (`y_true`).";
  EXPECT_THAT(
      [&] {
        m.fit(d.x, {{"a", d.ya}}, {.verbose = 0});
      },
      ::testing::ThrowsMessage<ValueError>(HasSubstr(missing_b)));
  EXPECT_THAT(
      [&] {
        m.train_on_batch(d.x, {d.ya, std::nullopt});
      },
      ::testing::ThrowsMessage<ValueError>(HasSubstr("The path: (1,) in the `loss` argument")));
  // Keras 2.2.4 (its feed outputs) and 3 (test_y_true_partial_y_pred_span): a list may hold the
  // targets of just the outputs that have a loss, in order.
  EXPECT_EQ(m.evaluate(d.x, std::vector<Tensor>{d.yb}, {.verbose = 0})[0],
            m.evaluate(d.x, {std::nullopt, d.yb}, {.verbose = 0})[0]);
  // A list too short for the outputs with a loss keeps Keras 2's count error.
  Model both = golden_model({.optimizer = "sgd", .loss = {"mse", "mse"}});
  EXPECT_THAT([&] { both.evaluate(d.x, std::vector<Tensor>{d.yb}, {.verbose = 0}); },
              ::testing::ThrowsMessage<ValueError>(HasSubstr("Expected to see 2 array(s)")));
  // Metrics need the target too.
  m.compile({.optimizer = "sgd", .loss = {"mse", std::nullopt}, .metrics = {{}, {"mae"}}});
  EXPECT_THAT(
      [&] {
        m.evaluate(d.x, {d.ya, std::nullopt}, {.verbose = 0});
      },
      ::testing::ThrowsMessage<ValueError>(HasSubstr("The path: (1,) in the `metrics` argument")));
  // Unknown keys are still refused.
  EXPECT_THAT(
      [&] {
        m.evaluate(d.x, {{"a", d.ya}, {"c", d.yb}}, {.verbose = 0});
      },
      ::testing::ThrowsMessage<ValueError>(HasSubstr("Unknown entry in target dictionary")));
}

TEST(LossStructure, NoneLossAndPerOutputMetricsAreSavedAndLoaded) {
  Data2 d;
  Model m = golden_model({.optimizer = optimizers::SGD({.learning_rate = 0.1}),
                          .loss = {"mse", std::nullopt},
                          .metrics = {{"mae"}, {"mae", "mse"}}});
  m.fit(d.x, {d.ya, d.yb}, {.batch_size = 2, .verbose = 0, .shuffle = false});
  const std::string path =
      (std::filesystem::path(test::fixture_temp_path("keras_loss_structure_test.keras"))).string();
  m.save(path);
  Model loaded = models::load_model(path);
  std::filesystem::remove(path);
  EXPECT_EQ(loaded.metrics_names(), m.metrics_names());
  Results a = m.evaluate(d.x, {d.ya, d.yb}, {.verbose = 0});
  Results b = loaded.evaluate(d.x, {d.ya, d.yb}, {.verbose = 0});
  EXPECT_EQ(a.names(), b.names());
  EXPECT_EQ(std::vector<double>(a), std::vector<double>(b));
}

// Keras 3's compile_utils_test test_y_true_partial_y_pred_span: three outputs predicting 0, 1
// and 2; targets given for just the outputs with a loss (one array or a list) match them.
TEST(LossStructure, TargetsForJustTheOutputsWithALoss) {
  KerasTensor in = Input({3});
  auto constant = [&](double v, const char* name) {
    return L::Dense(3, {.kernel_initializer = "zeros",
                        .bias_initializer = initializers::Constant(v),
                        .name = name})(in);
  };
  Model m(in, {constant(0, "a"), constant(1, "b"), constant(2, "c")});
  const Tensor x = ones({320, 3});
  const Tensor y[3] = {zeros({320, 3}), ones({320, 3}), full({320, 3}, 2.0)};
  using Conf = std::vector<std::optional<std::string>>;
  for (const Conf& conf :
       {Conf{std::nullopt, "mse", std::nullopt}, Conf{std::nullopt, std::nullopt, "mse"},
        Conf{std::nullopt, "mse", "mse"}, Conf{"mse", std::nullopt, "mse"}}) {
    std::vector<LossItem> losses;
    std::vector<Tensor> targets;
    for (size_t i = 0; i < 3; ++i) {
      losses.push_back(conf[i] ? LossItem(conf[i]->c_str()) : LossItem(std::nullopt));
      if (conf[i]) targets.push_back(y[i]);
    }
    m.compile({.optimizer = "sgd", .loss = losses});
    const Data labels = targets.size() == 1 ? Data(targets[0]) : Data(targets);
    EXPECT_EQ(m.evaluate(x, labels, {.verbose = 0})[0], 0.0);
    EXPECT_EQ(m.train_on_batch(x, labels)[0], 0.0);
  }
}

// A metric object in a flat list measures every output with its own copy (Keras copies it per
// output): a's error here is 0, b's 9.
TEST(LossStructure, OneMetricObjectForSeveralOutputsIsCopiedPerOutput) {
  KerasTensor in = Input({1});
  Model m(in, {L::Dense(1, {.kernel_initializer = "zeros", .name = "a"})(in),
               L::Dense(1, {.kernel_initializer = "zeros", .name = "b"})(in)});
  auto mse = metrics::MeanSquaredError();
  m.compile({.optimizer = "sgd", .loss = "mse", .metrics = {mse}});
  const Results r = m.evaluate(ones({4, 1}), {zeros({4, 1}), full({4, 1}, 3.0)}, {.verbose = 0});
  EXPECT_EQ(r["a_mean_squared_error"], 0.0);
  EXPECT_EQ(r["b_mean_squared_error"], 9.0);
  EXPECT_EQ(mse->result(), 0.0);  // the object given measures the first output
}

}  // namespace
}  // namespace keras
