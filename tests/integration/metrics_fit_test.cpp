// compile / fit / evaluate with Keras 3's metrics by object and by name, against real Keras 3
// (goldens/metrics_goldens.h): the history and evaluate's results, metrics_names() and metrics().
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <keras/keras.hpp>
#include <string>
#include <vector>

#include "goldens/metrics_goldens.h"
#include "harness/tensor_matchers.h"

namespace keras {
namespace {

namespace G = keras::goldens::metrics;
namespace L = keras::layers;
namespace M = keras::metrics;

template <size_t N>
std::vector<double> values(const double (&a)[N]) {
  return std::vector<double>(a, a + N);
}

Model golden_model(bool run_eagerly) {
  KerasTensor in = Input({.shape = {3}});
  L::Dense dense(3, {.activation = "softmax", .name = "dense"});
  Model m(in, dense(in));
  m.get_layer("dense").set_weights(
      {test::tensor_of(values(G::kFitKernel), {3, 3}, float32), zeros({3}, float32)});
  m.compile(
      {.optimizer = optimizers::SGD({.learning_rate = 0.1}),
       .loss = "categorical_crossentropy",
       .metrics =
           {"accuracy", "top_k_categorical_accuracy",
            M::TopKCategoricalAccuracy({.k = 2, .name = "top2"}), M::Precision({.name = "prec"}),
            M::Recall({.class_id = 1, .name = "rec1"}), "mape", M::F1Score({.average = "macro"}),
            M::MeanIoU(
                {.num_classes = 3, .name = "miou", .sparse_y_true = false, .sparse_y_pred = false}),
            "precision", "AUC"},
       .weighted_metrics = {M::MetricPtr(std::make_shared<M::R2Score>()), "mse"},
       .run_eagerly = run_eagerly});
  return m;
}

// The values' tolerance: Keras (XLA) and keras.cpp sum the softmax's dot products in other orders
// (a few float32 ulps), and two SGD steps per epoch carry that into the weights; 1e-5 relative
// covers it, while one SGD step moves the metrics by far more. mape's values are ~2e8 (targets
// of 0 divided by 1e-7), hence relative.
void expect_close(double actual, double expected, const std::string& what) {
  EXPECT_NEAR(actual, expected, 1e-5 * std::max(1.0, std::abs(expected))) << what;
}

void fit_and_evaluate_match_keras(bool run_eagerly) {
  Model m = golden_model(run_eagerly);
  const Tensor x = test::tensor_of(values(G::kFitX), {8, 3}, float32);
  const Tensor y = test::tensor_of(values(G::kFitY), {8, 3}, float32);
  const Tensor w = test::tensor_of(values(G::kFitWeight), {8}, float32);
  callbacks::History h = m.fit(
      x, y, {.epochs = 2, .batch_size = 4, .verbose = 0, .shuffle = false, .sample_weight = w});
  for (size_t k = 0; k < std::size(G::kFitHistoryKeys); ++k) {
    const std::string key = G::kFitHistoryKeys[k];
    ASSERT_TRUE(h.history.contains(key)) << key;
    ASSERT_EQ(h.history.at(key).size(), 2u) << key;
    for (int e = 0; e < 2; ++e) {
      expect_close(h.history.at(key)[e], G::kFitHistory[2 * k + e],
                   key + " epoch " + std::to_string(e));
    }
  }
  EXPECT_EQ(h.history.size(), std::size(G::kFitHistoryKeys));
  Results r = m.evaluate(x, y, {.verbose = 0, .sample_weight = w});
  for (size_t k = 0; k < std::size(G::kEvaluateKeys); ++k) {
    expect_close(r[G::kEvaluateKeys[k]], G::kEvaluate[k], G::kEvaluateKeys[k]);
  }
  EXPECT_EQ(m.metrics_names(),
            (std::vector<std::string>{"loss", "accuracy", "top_k_categorical_accuracy", "top2",
                                      "prec", "rec1", "mape", "f1_score", "miou", "precision",
                                      "AUC", "r2_score", "mse"}));
  std::vector<std::string> names;
  for (const M::MetricPtr& metric : m.metrics()) names.push_back(metric->name());
  EXPECT_EQ(names, m.metrics_names());
}

TEST(MetricsFit, CompiledMetricsByObjectAndByNameMatchKeras) {
  fit_and_evaluate_match_keras(false);
}

TEST(MetricsFit, RunEagerlyGivesTheSameNumbers) {
  fit_and_evaluate_match_keras(true);
}

TEST(MetricsFit, MetricsAreTheCompiledObjects) {
  Model m = golden_model(false);
  EXPECT_EQ(m.metrics().size(), 1u);  // the loss tracker until the first batch builds them
  const Tensor x = test::tensor_of(values(G::kFitX), {8, 3}, float32);
  const Tensor y = test::tensor_of(values(G::kFitY), {8, 3}, float32);
  m.evaluate(x, y, {.verbose = 0});
  const auto metrics = m.metrics();
  ASSERT_EQ(metrics.size(), 13u);
  EXPECT_EQ(metrics[0]->class_name(), "Mean");
  EXPECT_EQ(metrics[1]->class_name(), "CategoricalAccuracy");
  EXPECT_EQ(metrics[4]->class_name(), "Precision");
  ASSERT_EQ(metrics[4]->variables().size(), 2u);
  EXPECT_EQ(metrics[4]->variables()[0].path(), "prec/true_positives");
  EXPECT_EQ(metrics[9]->class_name(), "Precision");  // "precision" by name
  EXPECT_EQ(metrics[10]->class_name(), "AUC");
  EXPECT_EQ(metrics[11]->class_name(), "R2Score");
}

TEST(MetricsFit, MetricObjectsSaveAndLoadWithTheirOptions) {
  Model m = golden_model(false);
  const Tensor x = test::tensor_of(values(G::kFitX), {8, 3}, float32);
  const Tensor y = test::tensor_of(values(G::kFitY), {8, 3}, float32);
  m.fit(x, y, {.epochs = 1, .batch_size = 4, .verbose = 0, .shuffle = false});
  const auto dir =
      std::filesystem::temp_directory_path() / ("keras_metrics_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "metrics.keras").string();
  m.save(path);
  Model loaded = models::load_model(path);
  std::filesystem::remove_all(dir);
  EXPECT_EQ(loaded.metrics_names(), m.metrics_names());
  // The same weights and kernels on the same batches: the same numbers exactly.
  const Results a = m.evaluate(x, y, {.verbose = 0}), b = loaded.evaluate(x, y, {.verbose = 0});
  EXPECT_EQ(std::vector<double>(a), std::vector<double>(b));
  const auto mine = m.metrics(), theirs = loaded.metrics();
  ASSERT_EQ(mine.size(), theirs.size());
  for (size_t i = 0; i < mine.size(); ++i) {
    EXPECT_EQ(theirs[i]->class_name(), mine[i]->class_name()) << i;
    EXPECT_EQ(theirs[i]->get_config().dump(), mine[i]->get_config().dump()) << i;
  }
}

// Metric objects of any class next to names in compile's list, with no MetricPtr(...) around
// them: factories' MetricPtrs and std::make_shared of a metric class. evaluate's values are
// those of the same metrics updated on predict's outputs: the same float32 predictions (one
// batch of 8 either way, the same kernels) and counts that are sums of integers, so they agree
// to float64 rounding.
TEST(MetricsFit, MetricClassesByObjectNextToNames) {
  KerasTensor in = Input({3});
  Model m(in, L::Dense(1, {.activation = "sigmoid", .name = "p"})(in));
  m.get_layer("p").set_weights(
      {test::tensor_of({0.8, -1.2, 0.5}, {3, 1}, float32), test::tensor_of({0.1}, {1}, float32)});
  m.compile({.optimizer = "sgd",
             .loss = "binary_crossentropy",
             .metrics = {std::make_shared<M::AUC>(M::AUCOptions{.curve = "PR", .name = "pr_auc"}),
                         M::PrecisionAtRecall(0.5, {.name = "par"}), "auc",
                         M::RecallAtPrecision(0.6, {.name = "rap"}),
                         std::make_shared<M::AUC>(
                             M::AUCOptions{.summation_method = "majoring", .name = "roc_major"}),
                         M::SensitivityAtSpecificity(0.5, {.name = "sas"}),
                         M::SpecificityAtSensitivity(0.5, {.name = "sps"})}});
  const Tensor x = test::tensor_of(values(G::kFitX), {8, 3}, float32);
  const Tensor y = test::tensor_of({1, 0, 1, 1, 0, 0, 1, 0}, {8, 1}, float32);
  const Results r = m.evaluate(x, y, {.batch_size = 8, .verbose = 0});
  EXPECT_EQ(r.names(), (std::vector<std::string>{"loss", "pr_auc", "par", "auc", "rap", "roc_major",
                                                 "sas", "sps"}));
  const Tensor p = m.predict(x, {.batch_size = 8, .verbose = 0});
  const std::vector<M::MetricPtr> direct = {
      std::make_shared<M::AUC>(M::AUCOptions{.curve = "PR", .name = "a"}),
      M::PrecisionAtRecall(0.5, {.name = "b"}),
      std::make_shared<M::AUC>("c"),
      M::RecallAtPrecision(0.6, {.name = "d"}),
      std::make_shared<M::AUC>(M::AUCOptions{.summation_method = "majoring", .name = "e"}),
      M::SensitivityAtSpecificity(0.5, {.name = "f"}),
      M::SpecificityAtSensitivity(0.5, {.name = "g"})};
  for (size_t i = 0; i < direct.size(); ++i) {
    direct[i]->update_state(y, p);
    EXPECT_NEAR(r[i + 1], direct[i]->result(), 1e-12) << r.names()[i + 1];
  }
  EXPECT_EQ(m.metrics()[1]->get_config()["curve"], "PR");
}

}  // namespace
}  // namespace keras
