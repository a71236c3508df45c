// Metrics: Keras 3's sample-weight broadcasting, names, configs, get() and error messages.
// (Values for every metric against Keras: metrics_goldens_test.cpp.)
#include "keras/metrics/metrics.h"

#include <gtest/gtest.h>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/trainers/compile_options.h"

namespace keras::metrics {
namespace {

Tensor t2(std::vector<float> v, Shape shape) {
  return Tensor::from_vector(v, std::move(shape));
}

std::vector<double> values_of(const Tensor& t) {
  const Tensor d = ops::cast(t, float64);
  return {d.span<double>().begin(), d.span<double>().end()};
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

TEST(Metrics, MeanBroadcastsSampleWeightsAsKeras3) {
  const Tensor values = t2({1, 2, 3, 4, 5, 6}, {2, 3});
  // Numbers from Keras 3.15: a scalar weight counts once per update, not per element.
  Mean m;
  m.update_values(values, full({}, 2.0, float32));
  EXPECT_NEAR(m.result(), 3.5, 1e-12);
  m.update_values(t2({0, 0, 0}, {1, 3}));
  EXPECT_NEAR(m.result(), 7.0 / 3.0, 1e-12);
  m.reset_state();
  m.update_values(values, t2({1, 3}, {2, 1}));
  EXPECT_NEAR(m.result(), 4.25, 1e-12);
  Sum s;
  s.update_values(values, t2({1, 0, 1, 0, 1, 1}, {2, 3}));
  EXPECT_NEAR(s.result(), 15.0, 1e-12);
  EXPECT_THROW(m.update_values(values, t2({1, 2}, {1, 2})), ValueError);
  EXPECT_NE(error_of([&] {
              m.update_values(values, t2({1, 2, 3}, {3}));
            }).find("Incompatible shapes for broadcasting"),
            std::string::npos);
}

TEST(Metrics, VariablesInKerasOrderWithPaths) {
  auto p = Precision({.name = "p"});
  ASSERT_EQ(p->variables().size(), 2u);
  EXPECT_EQ(p->variables()[0].path(), "p/true_positives");
  EXPECT_EQ(p->variables()[1].path(), "p/false_positives");
  EXPECT_FALSE(p->variables()[0].trainable());
  auto f1 = F1Score({.average = "macro"});
  EXPECT_TRUE(f1->variables().empty());  // built by the first update, as in Keras
  f1->update_state(t2({1, 0, 0, 1}, {2, 2}), t2({0.8f, 0.2f, 0.3f, 0.7f}, {2, 2}));
  ASSERT_EQ(f1->variables().size(), 4u);
  EXPECT_EQ(f1->variables()[3].name(), "intermediate_weights");
  EXPECT_EQ(f1->variables()[0].shape(), (Shape{2}));
  EXPECT_NEAR(f1->result(), 1.0, 1e-6);
}

TEST(Metrics, AutomaticNamesAreUniquifiedAsKeras) {
  auto a = Recall(), b = Recall();
  EXPECT_EQ(a->name().rfind("recall", 0), 0u);
  EXPECT_NE(a->name(), b->name());
  EXPECT_EQ(MeanIoU({.num_classes = 2})->name().rfind("mean_io_u", 0), 0u);
  EXPECT_EQ(F1Score()->name(), "f1_score");  // a default name, not an automatic one
  EXPECT_EQ(F1Score()->name(), "f1_score");
  EXPECT_EQ(LogCoshError()->name(), "logcosh");
}

TEST(Metrics, ConfigsAsKeras) {
  EXPECT_EQ(
      Precision({.thresholds = {0.3, 0.6}, .name = "p"})->get_config().dump(),
      R"({"name":"p","dtype":"float32","thresholds":[0.3,0.6],"top_k":null,"class_id":null})");
  EXPECT_EQ(F1Score()->get_config().dump(),
            R"({"name":"f1_score","dtype":"float32","average":null,"threshold":null})");
  EXPECT_EQ(MeanIoU({.num_classes = 3, .name = "m"})->get_config().dump(),
            R"({"name":"m","dtype":"int32","num_classes":3,"ignore_class":null,)"
            R"("sparse_y_true":true,"sparse_y_pred":true,"axis":-1})");
  EXPECT_EQ(std::make_shared<R2Score>()->get_config().dump(),
            R"({"name":"r2_score","dtype":"float32","class_aggregation":"uniform_average",)"
            R"("num_regressors":0})");
  EXPECT_EQ(TopKCategoricalAccuracy({.k = 3})->get_config().dump(),
            R"({"name":"top_k_categorical_accuracy","dtype":"float32","k":3})");
  EXPECT_EQ(TruePositives({.name = "tp"})->class_name(), "TruePositives");
}

TEST(Metrics, GetResolvesKerasNamesAndAliases) {
  const Shape t{kNone, 3}, p{kNone, 3};
  EXPECT_EQ(get("mse", t, p)->class_name(), "MeanSquaredError");
  EXPECT_EQ(get("mse", t, p)->name(), "mse");
  EXPECT_EQ(get("MAPE", t, p)->class_name(), "MeanAbsolutePercentageError");
  EXPECT_EQ(get("msle", t, p)->class_name(), "MeanSquaredLogarithmicError");
  EXPECT_EQ(get("top_k_categorical_accuracy", t, p)->class_name(), "TopKCategoricalAccuracy");
  EXPECT_EQ(get("SparseTopKCategoricalAccuracy", t, p)->class_name(),
            "SparseTopKCategoricalAccuracy");
  EXPECT_EQ(get("precision", t, p)->class_name(), "Precision");
  EXPECT_EQ(get("Recall", t, p)->name(), "Recall");
  EXPECT_EQ(get("cosine_similarity", t, p)->class_name(), "CosineSimilarity");
  EXPECT_EQ(get("log_cosh_error", t, p)->class_name(), "LogCoshError");
  EXPECT_EQ(get("r2_score", t, p)->class_name(), "R2Score");
  EXPECT_EQ(get("f1_score", t, p)->class_name(), "F1Score");
  EXPECT_EQ(get("auc", t, p)->class_name(), "AUC");
  EXPECT_EQ(get("Accuracy", {kNone, 1}, {kNone, 1})->class_name(), "BinaryAccuracy");
  // Names Keras 3's keras.metrics.get does not resolve.
  EXPECT_EQ(error_of([] { validate("logcosh"); }),
            "Could not interpret metric identifier: logcosh");
  EXPECT_THROW(validate("cosine"), ValueError);
  EXPECT_EQ(error_of([] { validate("MeanIoU"); }),
            "MeanIoU.__init__() missing 1 required positional argument: 'num_classes'");
  EXPECT_THROW(validate("io_u"), TypeError);
}

TEST(Metrics, ArgumentErrorsInKerasWording) {
  EXPECT_EQ(error_of([] {
              Precision({.thresholds = {1.5, -0.1}});
            }),
            "Threshold values must be in [0, 1]. Received: [1.5, -0.1]");
  EXPECT_EQ(error_of([] { FBetaScore({.average = "mean"}); }),
            "Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
            "'weighted'}. Received: average=mean");
  EXPECT_EQ(error_of([] { FBetaScore({.beta = 0.0}); }),
            "Invalid `beta` argument value. It should be > 0. Received: beta=0.0");
  EXPECT_EQ(error_of([] { F1Score({.threshold = 1.5}); }),
            "Invalid `threshold` argument value. It should verify 0 < threshold <= 1. Received: "
            "threshold=1.5");
  EXPECT_EQ(error_of([] {
              IoU({.num_classes = 3, .target_class_ids = {0, 3}});
            }),
            "Target class id 3 is out of range, which is [0, 3).");
  EXPECT_EQ(error_of([] { R2Score({.class_aggregation = "x"}); }),
            "Invalid value for argument `class_aggregation`. Expected one of (None, "
            "'uniform_average', 'variance_weighted_average'). Received: class_aggregation=x");
  EXPECT_THROW(R2Score({.num_regressors = -1}), ValueError);
  EXPECT_THROW(AUC("a", 1), ValueError);
}

TEST(Metrics, ShapeErrorsInKerasWording) {
  const Tensor v = t2({1, 0}, {2}), p = t2({0.3f, 0.6f}, {2});
  EXPECT_EQ(error_of([&] { Precision({.class_id = 1})->update_state(v, p); }),
            "When class_id is provided, y_pred must be a 2D array with shape (num_samples, "
            "num_classes), found shape: (2,)");
  EXPECT_EQ(error_of([&] { F1Score()->update_state(v, p); }),
            "FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received input "
            "shapes: y_pred.shape=(2,) and y_true.shape=(2,).");
  EXPECT_EQ(error_of([&] { R2Score().update_state(v, p); }),
            "R2Score expects 2D inputs with shape (batch_size, output_dim). Received input "
            "shapes: y_pred.shape=(2,) and y_true.shape=(2,).");
  EXPECT_THROW(Precision()->update_state(t2({1, 0, 1}, {3, 1}), t2({1, 0, 1, 0, 1, 0}, {3, 2})),
               ValueError);
  // A result with one value per class is not a scalar.
  auto f1 = F1Score();
  f1->update_state(t2({1, 0, 0, 1}, {2, 2}), t2({0.8f, 0.2f, 0.3f, 0.7f}, {2, 2}));
  EXPECT_EQ(f1->result_tensor().shape(), (Shape{2}));
  EXPECT_THROW(f1->result(), ValueError);
}

TEST(Metrics, PrecisionWithSeveralThresholdsGivesOneValueEach) {
  auto p = Precision({.thresholds = {0.3, 0.6}});
  p->update_state(t2({0, 1, 1, 0}, {4}), t2({0.4f, 0.5f, 0.7f, 0.1f}, {4}));
  const Tensor r = p->result_tensor().astype(float64).cpu();
  ASSERT_EQ(r.shape(), (Shape{2}));
  EXPECT_NEAR(r.data<double>()[0], 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(r.data<double>()[1], 1.0, 1e-12);
}

TEST(Metrics, SerializeAndDeserializeKeepTheOptions) {
  const std::vector<MetricPtr> all = {
      Precision({.thresholds = {0.3, 0.6}, .top_k = 2, .class_id = 1, .name = "p"}),
      Recall({.name = "r"}),
      FalseNegatives({.thresholds = {0.2}, .name = "fn"}),
      F1Score({.average = "weighted", .threshold = 0.4, .name = "f"}),
      FBetaScore({.average = "micro", .beta = 2.0, .name = "fb"}),
      IoU({.num_classes = 4, .target_class_ids = {1, 3}, .name = "i", .ignore_class = 0}),
      MeanIoU({.num_classes = 3, .name = "mi", .dtype = float32, .sparse_y_pred = false}),
      OneHotMeanIoU({.num_classes = 3, .name = "oh"}),
      BinaryIoU({.target_class_ids = {1}, .threshold = 0.3, .name = "b"}),
      std::make_shared<R2Score>(
          R2ScoreOptions{.class_aggregation = std::nullopt, .num_regressors = 2, .name = "r2"}),
      std::make_shared<AUC>("auc_x", 50),
      std::make_shared<AUC>(AUCOptions{.curve = "PR",
                                       .summation_method = "minoring",
                                       .name = "auc_pr",
                                       .thresholds = {0.6, 0.2},
                                       .multi_label = true,
                                       .num_labels = 3,
                                       .label_weights = {1, 2, 0.5},
                                       .from_logits = true}),
      SensitivityAtSpecificity(0.4, {.num_thresholds = 20, .class_id = 1, .name = "sas"}),
      SpecificityAtSensitivity(0.6),
      PrecisionAtRecall(0.25, {.num_thresholds = 1}),
      RecallAtPrecision(0.8, {.name = "rap"}),
      TopKCategoricalAccuracy({.k = 3, .name = "top3"}),
      SparseTopKCategoricalAccuracy({.k = 2, .name = "st", .from_sorted_ids = true}),
      BinaryAccuracy({.name = "ba", .threshold = 0.7}),
      MeanSquaredLogarithmicError("msle_x"),
      LogCoshError(),
      Accuracy("acc_x"),
      std::make_shared<RootMeanSquaredError>("rmse"),
      std::make_shared<Sum>("s"),
  };
  for (const MetricPtr& m : all) {
    SCOPED_TRACE(m->name());
    const Json j = serialize(*m);
    EXPECT_EQ(j["module"], "keras.metrics");
    const MetricPtr back = deserialize(j);
    EXPECT_EQ(back->class_name(), m->class_name());
    EXPECT_EQ(back->get_config().dump(), m->get_config().dump());
  }
  // Keras's checks of AUC's and the sensitivity metrics' arguments.
  Json bad = serialize(AUC("a"));
  bad["config"]["curve"] = "ROCK";
  EXPECT_THROW(deserialize(bad), ValueError);
  bad = serialize(AUC("a"));
  bad["config"]["num_labels"] = 3;  // without multi_label
  EXPECT_THROW(deserialize(bad), ValueError);
  EXPECT_THROW(PrecisionAtRecall(1.5), ValueError);
  EXPECT_THROW(RecallAtPrecision(0.5, {.num_thresholds = 0}), ValueError);
  EXPECT_THROW(get("precision_at_recall", {4, 1}, {4, 1}), TypeError);
  EXPECT_THROW(deserialize(Json{{"class_name", "KendallTau"}, {"config", Json::object()}}),
               ValueError);
}

// Keras 3.15's metric tests (values from Keras with JAX).
TEST(Metrics, BinaryAccuracyComparesBoolPredictionsAsNumbers) {
  const Tensor t = ops::cast(t2({1, 0, 1}, {3, 1}), bool_);
  const Tensor p = ops::cast(t2({1, 0, 0}, {3, 1}), bool_);
  MetricPtr m = BinaryAccuracy();
  m->update_state(t, p);
  EXPECT_NEAR(m->result(), 2.0 / 3.0, 1e-7);
  EXPECT_EQ(values_of(binary_accuracy(t, p)), (std::vector<double>{1, 1, 0}));
  EXPECT_EQ(values_of(binary_accuracy(t2({1, 0, 1}, {3, 1}), p)), (std::vector<double>{1, 1, 0}));
}

TEST(Metrics, R2ScoreAdjustsEachOutputWithoutAggregation) {
  R2Score r({.class_aggregation = std::nullopt, .num_regressors = 1});
  r.update_state(t2({0, 0, 1, 0, 1, 0, 1, 0, 0}, {3, 3}),
                 t2({0.4, 0.9, 1.6, 0.1, 1.2, 0.6, 1.5, 0.8, 0.6}, {3, 3}),
                 t2({0.8, 0.1, 0.4}, {3}));
  const std::vector<double> got = values_of(r.result_tensor());
  const std::vector<double> keras = {0.05492061, -10.24190426, -0.73828578};
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(got[i], keras[i], 1e-5) << i;
}

TEST(Metrics, BinaryIoUWithAFloatDtypeKeepsFractionalWeights) {
  MetricPtr m = BinaryIoU({.target_class_ids = {0, 1}, .threshold = 0.3, .dtype = float32});
  m->update_state(t2({0, 1, 0, 1}, {4}), t2({0.1, 0.2, 0.4, 0.7}, {4}),
                  t2({0.2, 0.3, 0.4, 0.1}, {4}));
  EXPECT_NEAR(m->result(), 0.17361109, 1e-6);
  const Json c = serialize(*m);
  EXPECT_EQ(c["config"]["dtype"], "float32");
  EXPECT_NEAR(deserialize(c)->get_config()["threshold"].get<double>(), 0.3, 1e-12);
  EXPECT_EQ(deserialize(c)->get_config()["dtype"], "float32");
}

// Keras writes AUC's label_weights as a serialized tensor.
TEST(Metrics, AUCLabelWeightsLoadFromKerasTensorConfig) {
  MetricPtr m = deserialize(Json::parse(R"({"module": "keras.metrics", "class_name": "AUC",
      "config": {"name": "auc", "num_thresholds": 5, "multi_label": true, "label_weights":
      {"class_name": "__tensor__", "config": {"value": [0.75, 0.25], "dtype": "float32"}}},
      "registered_name": null})"));
  const std::vector<double> w = m->get_config()["label_weights"].get<std::vector<double>>();
  EXPECT_EQ(w, (std::vector<double>{0.75, 0.25}));
}

}  // namespace
}  // namespace keras::metrics
