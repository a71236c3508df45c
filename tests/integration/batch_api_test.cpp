// train_on_batch / test_on_batch / predict_on_batch, class_weight, validation_freq,
// steps_per_execution and evaluate's Results, against real Keras 3 (goldens/batch_goldens.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <keras/keras.hpp>
#include <vector>

#include "goldens/batch_goldens.h"
#include "harness/tensor_matchers.h"

namespace keras {
namespace {

namespace G = keras::goldens::batch;
namespace L = keras::layers;

std::vector<double> values(const double* p, size_t n) {
  return std::vector<double>(p, p + n);
}
template <size_t N>
std::vector<double> values(const double (&a)[N]) {
  return values(a, N);
}

Tensor x_data() {
  return test::tensor_of(values(G::kX), {4, 3}, float32);
}
Tensor y_data() {
  return test::tensor_of(values(G::kY), {4, 2}, float32);
}

// The goldens' model: the same float32 kernels as Keras on 4x3 inputs. Keras (XLA) and keras.cpp
// sum the 3-term dot products and the batch mean in other orders: a few float32 ulps on values
// of order 1, so 1e-5 covers them; an SGD step moves weights by ~0.1, far above it.
Model golden_model() {
  KerasTensor in = Input({.shape = {3}});
  L::Dense dense(2, {.activation = "softmax", .name = "dense"});
  Model m(in, dense(in));
  m.get_layer("dense").set_weights(
      {test::tensor_of(values(G::kKernel), {3, 2}, float32), zeros({2}, float32)});
  m.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}),
             .loss = "categorical_crossentropy",
             .metrics = {"accuracy"}});
  return m;
}

constexpr double kTol = 1e-5;

void expect_values(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) EXPECT_NEAR(actual[i], expected[i], kTol) << i;
}

Tensor kernel(Model& m) {
  return m.get_layer("dense").get_weights()[0];
}

TEST(BatchApi, TrainOnBatchWithClassWeightMatchesKeras) {
  Model m = golden_model();
  Results r = m.train_on_batch(x_data(), y_data(), {.class_weight = {{0, 2.0}, {1, 0.5}}});
  expect_values(r, values(G::kTrainClassWeight));
  expect_values(test::to_doubles(kernel(m)), values(G::kTrainClassWeightKernel));
  // The same results by name, as Keras's return_dict=True gives them.
  EXPECT_EQ(r.names(), (std::vector<std::string>{"loss", "accuracy"}));
  EXPECT_DOUBLE_EQ(r["loss"], r[0]);
  EXPECT_DOUBLE_EQ(r.dict().at("accuracy"), r[1]);
  test::expect_throws_with<ValueError>([&] { (void)r["val_loss"]; }, "loss, accuracy");

  expect_values(m.test_on_batch(x_data(), y_data()), values(G::kTestAfter));
  Tensor y = m.predict_on_batch(x_data());
  expect_values(test::to_doubles(y), values(G::kPredictAfter));
  // The batch results are the batch's alone: metrics are reset before each call, as in Keras 3.
  expect_values(m.test_on_batch(x_data(), y_data()), values(G::kTestAfter));
}

TEST(BatchApi, TrainOnBatchWithSampleWeightMatchesKeras) {
  Model m = golden_model();
  Results r = m.train_on_batch(x_data(), y_data(),
                               {.sample_weight = test::tensor_of({1, 2, 3, 4}, {4}, float32)});
  expect_values(r, values(G::kTrainSampleWeight));
  expect_values(test::to_doubles(kernel(m)), values(G::kTrainSampleWeightKernel));
}

TEST(BatchApi, FitWithClassWeightAndValidationFreqMatchesKeras) {
  Model m = golden_model();
  callbacks::History h = m.fit(x_data(), y_data(),
                               {.epochs = 3,
                                .batch_size = 2,
                                .verbose = 0,
                                .validation_data = ValidationData{x_data(), y_data()},
                                .shuffle = false,
                                .class_weight = {{1, 3.0}},
                                .validation_freq = 2});
  expect_values(h.history.at("loss"), values(G::kFitClassWeightLoss));
  // validation_freq=2: validated after the second epoch only.
  expect_values(h.history.at("val_loss"), values(G::kFitValLoss));
  expect_values(test::to_doubles(kernel(m)), values(G::kFitClassWeightKernel));
}

TEST(BatchApi, ValidationFreqAsAListOfEpochs) {
  Model m = golden_model();
  callbacks::History h = m.fit(x_data(), y_data(),
                               {.epochs = 4,
                                .verbose = 0,
                                .validation_data = ValidationData{x_data(), y_data()},
                                .validation_freq = {1, 4}});
  EXPECT_EQ(h.history.at("val_loss").size(), 2u);
  test::expect_throws_with<ValueError>(
      [&] {
        m.fit(x_data(), y_data(),
              {.verbose = 0,
               .validation_data = ValidationData{x_data(), y_data()},
               .validation_freq = 0});
      },
      "validation_freq=0");
}

TEST(BatchApi, PlansAreSharedWithFit) {
  // train_on_batch on a batch of fit's batch size replays the plan fit traced: the same kernels
  // on the same shapes, so the same numbers bit for bit as a fit of that one batch.
  Model a = golden_model(), b = golden_model();
  a.fit(x_data(), y_data(), {.batch_size = 4, .verbose = 0, .shuffle = false});
  b.train_on_batch(x_data(), y_data());
  EXPECT_TRUE(test::all_close(kernel(a), kernel(b), 0, 0));
  for (int i = 0; i < 3; ++i) b.train_on_batch(x_data(), y_data());
  a.fit(x_data(), y_data(), {.epochs = 3, .batch_size = 4, .verbose = 0, .shuffle = false});
  EXPECT_TRUE(test::all_close(kernel(a), kernel(b), 0, 0));
}

// predict's replayed plans read contiguous batches where they are (the plan's input buffer points
// at the caller's rows while the batch runs): the predictions are those of predict_on_batch on
// each batch, the caller's data is unchanged, and a model whose output is its input (so the
// plan's output is the borrowed buffer) still returns every row, batch after batch.
TEST(BatchApi, PredictReadsContiguousBatchesInPlace) {
  const Tensor x = keras::random::uniform({10, 3}, -1, 1, float32, 3);
  const Tensor copy = x.clone();
  Model m = golden_model();
  const Tensor all = m.predict(x, {.batch_size = 4, .verbose = 0})[0];
  const Tensor again = m.predict(x, {.batch_size = 4, .verbose = 0})[0];  // replayed plans
  EXPECT_TRUE(test::all_close(again, all, 0, 0));
  for (int64_t b = 0; b < 10; b += 4) {
    const Tensor one = m.predict_on_batch(x.slice_rows(b, std::min<int64_t>(10, b + 4)))[0];
    EXPECT_TRUE(test::all_close(one, all.slice_rows(b, std::min<int64_t>(10, b + 4)), 0, 0));
  }
  EXPECT_TRUE(test::all_close(x, copy, 0, 0));

  KerasTensor in = Input({.shape = {3}});
  Model identity(in, in);
  for (int r = 0; r < 3; ++r) {
    EXPECT_TRUE(test::all_close(identity.predict(x, {.batch_size = 4, .verbose = 0})[0], x, 0, 0));
  }
  const Tensor other = keras::random::uniform({8, 3}, -1, 1, float32, 4);
  EXPECT_TRUE(
      test::all_close(identity.predict(other, {.batch_size = 4, .verbose = 0})[0], other, 0, 0));
}

TEST(BatchApi, MisuseIsAClearError) {
  Model m = golden_model();
  const Tensor sw = test::tensor_of({1, 2, 3, 4}, {4}, float32);
  test::expect_throws_with<ValueError>(
      [&] {
        m.train_on_batch(x_data(), y_data(), {.sample_weight = sw, .class_weight = {{0, 2.0}}});
      },
      "Arguments `sample_weight` and `class_weight` cannot be specified at the same time.");
  test::expect_throws_with<ValueError>(
      [&] {
        m.fit(x_data(), y_data(), {.verbose = 0, .sample_weight = sw, .class_weight = {{0, 2.0}}});
      },
      "You cannot `class_weight` and `sample_weight` at the same time.");
  test::expect_throws_with<ValueError>(
      [&] { m.compile({.loss = "mse", .steps_per_execution = 0}); }, "steps_per_execution");

  KerasTensor in = Input({.shape = {3}});
  Model two(in, KerasTensors{L::Dense(1)(in), L::Dense(1)(in)});
  two.compile({.optimizer = "sgd", .loss = "mse"});
  Tensor y = zeros({4, 1}, float32);
  test::expect_throws_with<ValueError>(
      [&] {
        two.train_on_batch(x_data(), {y, y}, {.class_weight = {{0, 2.0}}});
      },
      "`class_weight` is only supported for Models with a single output.");

  KerasTensor in2 = Input({.shape = {3}});
  Model uncompiled(in2, L::Dense(1)(in2));
  EXPECT_THROW(uncompiled.train_on_batch(x_data(), y), Error);
  EXPECT_THROW(uncompiled.test_on_batch(x_data(), y), Error);
  Tensor p = uncompiled.predict_on_batch(x_data());  // needs no compile, as in Keras
  EXPECT_EQ(p.shape(), (Shape{4, 1}));
}

TEST(BatchApi, MetricsIgnoreSampleWeightsAndWeightedMetricsUseThem) {
  Model m = golden_model();
  m.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}),
             .loss = "categorical_crossentropy",
             .metrics = {"accuracy"},
             .weighted_metrics = {"accuracy", "mse"}});
  Results r = m.train_on_batch(x_data(), y_data(),
                               {.sample_weight = test::tensor_of({1, 0, 0, 1}, {4}, float32)});
  // Keras 3's keys: the weighted accuracy is renamed, as its name is taken.
  EXPECT_EQ(r.names(), (std::vector<std::string>{"loss", "accuracy", "weighted_accuracy", "mse"}));
  const std::map<std::string, double> dict = r.dict();
  const std::vector<std::string> keras_keys{"accuracy", "loss", "mse", "weighted_accuracy"};
  for (size_t i = 0; i < keras_keys.size(); ++i) {
    EXPECT_NEAR(dict.at(keras_keys[i]), G::kWeightedMetrics[i], kTol) << keras_keys[i];
  }
}

TEST(BatchApi, EvaluateResultsHaveNames) {
  Model m = golden_model();
  Results r = m.evaluate(x_data(), y_data(), {.verbose = 0, .return_dict = true});
  EXPECT_EQ(r.names(), m.metrics_names());
  EXPECT_DOUBLE_EQ(r["loss"], r[0]);
  std::vector<double> as_list = m.evaluate(x_data(), y_data(), {.verbose = 0});
  EXPECT_EQ(as_list.size(), 2u);
}

// predict's replayed plans read the caller's rows in place: every batch after the first of each
// shape. Each batch must be that batch's prediction (not a stale one), for kernels that keep
// state between replays (oneDNN convolutions with 16+ channels, the fused LSTM inference kernel,
// Embedding gathers, several inputs). The oracle is the eager call of the same model on each
// batch: the same maths through the same ops, so a tolerance of 1e-5 of the scale covers the
// order of summation, while a stale batch is off by O(1).
TEST(BatchApi, PredictInPlaceMatchesEagerCallsOnEveryBatch) {
  auto conv2d = [] {
    KerasTensor in = Input({.shape = {9, 9, 2}});
    auto x = L::Conv2D(16, {3, 3}, {.activation = "relu"})(in);
    x = L::Conv2D(16, {3, 3})(x);
    x = L::MaxPooling2D({2, 2})(x);
    return Model(in, L::Dense(3)(L::Flatten()(x)));
  };
  auto conv1d_lstm = [] {
    KerasTensor tokens = Input({12}, {.dtype = int32});
    KerasTensor extra = Input({.shape = {4}});
    auto e = L::Embedding(50, 8)(tokens);
    auto c = L::Conv1D(16, 5, {.activation = "relu"})(e);
    auto h = L::LSTM(6)(c);
    auto out = L::Dense(2)(L::Concatenate()({h, extra}));
    return Model({tokens, extra}, out);
  };
  const int64_t n = 11;
  const Tensor images = keras::random::uniform({n, 9, 9, 2}, -1, 1, float32, 5);
  const Tensor tokens = keras::random::randint({n, 12}, 0, 50, int32, 6);
  const Tensor extra = keras::random::uniform({n, 4}, -1, 1, float32, 7);
  struct Case {
    Model model;
    Data x;
    std::vector<Tensor> inputs;
  };
  std::vector<Case> cases{
      {conv2d(), Data{images}, {images}},
      {conv1d_lstm(), Data{std::vector<Tensor>{tokens, extra}}, {tokens, extra}}};
  for (Case& c : cases) {
    for (int round = 0; round < 2; ++round) {  // the second round replays every plan
      const Tensor got = c.model.predict(c.x, {.batch_size = 4, .verbose = 0})[0];
      for (int64_t b = 0; b < n; b += 4) {
        const int64_t e = std::min<int64_t>(n, b + 4);
        std::vector<Tensor> rows;
        for (const Tensor& t : c.inputs) rows.push_back(t.slice_rows(b, e).clone());
        const Tensor want = c.model.call(Data{rows})[0];
        EXPECT_TRUE(test::all_close(got.slice_rows(b, e), want, 1e-5, 1e-5))
            << "round " << round << ", rows " << b << "-" << e;
      }
    }
  }
}

}  // namespace
}  // namespace keras
