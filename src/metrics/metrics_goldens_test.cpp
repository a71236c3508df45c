// Every metric against Keras 3's numbers (tests/goldens/metrics_goldens.h, from
// tools/fixtures/make_metrics_goldens.py): three steps each, with and without sample weights and
// across reset_state, and the variables in Keras's order.
#include "goldens/metrics_goldens.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <string>

#include "keras/metrics/metrics.h"
#include "keras/ops/elementwise.h"

namespace keras::metrics {
namespace {

namespace g = goldens::metrics;

template <size_t N, size_t R>
Tensor make(const double (&data)[N], const int64_t (&shape)[R]) {
  std::vector<float> v(data, data + N);
  return Tensor::from_vector(v, Shape(shape, shape + R));
}

struct Batch {
  Tensor y_true, y_pred, weight;
};
struct DataSet {
  Batch a, b;
};

#define KERAS_BATCH(key, part)                                                 \
  Batch {                                                                      \
    make(g::k_##key##_##part##_true, g::k_##key##_##part##_true_shape),        \
        make(g::k_##key##_##part##_pred, g::k_##key##_##part##_pred_shape),    \
        make(g::k_##key##_##part##_weight, g::k_##key##_##part##_weight_shape) \
  }
#define KERAS_SET(key)                         \
  {                                            \
#key, DataSet {                            \
      KERAS_BATCH(key, A), KERAS_BATCH(key, B) \
    }                                          \
  }

std::map<std::string, DataSet> data_sets() {
  std::map<std::string, DataSet> sets{
      KERAS_SET(bin), KERAS_SET(cat),   KERAS_SET(multi),  KERAS_SET(reg),     KERAS_SET(regw),
      KERAS_SET(seg), KERAS_SET(seg1h), KERAS_SET(sparse), KERAS_SET(sparse1), KERAS_SET(eq)};
  for (const char* key : {"sparse", "sparse1"}) {  // Keras's labels are int32
    for (Batch* b : {&sets[key].a, &sets[key].b}) b->y_true = ops::cast(b->y_true, int32);
  }
  return sets;
}

using Make = std::function<MetricPtr()>;

std::map<std::string, Make> factories() {
  return {
      {"mean", [] { return std::make_shared<Mean>(); }},
      {"sum", [] { return std::make_shared<Sum>(); }},
      {"accuracy", [] { return Accuracy(); }},
      {"binary_accuracy", [] { return BinaryAccuracy(); }},
      {"binary_accuracy_07", [] { return BinaryAccuracy({.threshold = 0.7}); }},
      {"categorical_accuracy", [] { return CategoricalAccuracy(); }},
      {"sparse_categorical_accuracy", [] { return SparseCategoricalAccuracy(); }},
      {"sparse_categorical_accuracy_col", [] { return SparseCategoricalAccuracy(); }},
      {"top_k_categorical_accuracy_2", [] { return TopKCategoricalAccuracy({.k = 2}); }},
      {"top_k_categorical_accuracy_1", [] { return TopKCategoricalAccuracy({.k = 1}); }},
      {"sparse_top_k_categorical_accuracy_2",
       [] { return SparseTopKCategoricalAccuracy({.k = 2}); }},
      {"sparse_top_k_categorical_accuracy_col",
       [] { return SparseTopKCategoricalAccuracy({.k = 3}); }},
      {"precision", [] { return Precision(); }},
      {"recall", [] { return Recall(); }},
      {"precision_thresholds",
       [] {
         return Precision({.thresholds = {0.3, 0.6}});
       }},
      {"recall_even_thresholds",
       [] {
         return Recall({.thresholds = {0.0, 0.25, 0.5, 0.75, 1.0}});
       }},
      {"precision_top_k", [] { return Precision({.top_k = 2}); }},
      {"recall_top_k", [] { return Recall({.top_k = 2}); }},
      {"precision_class_id", [] { return Precision({.class_id = 2}); }},
      {"recall_class_id", [] { return Recall({.class_id = 3}); }},
      {"precision_top_k_class_id", [] { return Precision({.top_k = 1, .class_id = 0}); }},
      {"precision_multi", [] { return Precision({.thresholds = {0.5}}); }},
      {"true_positives", [] { return TruePositives(); }},
      {"false_positives",
       [] {
         return FalsePositives({.thresholds = {0.2, 0.5}});
       }},
      {"true_negatives", [] { return TrueNegatives(); }},
      {"false_negatives", [] { return FalseNegatives(); }},
      {"auc", [] { return std::make_shared<AUC>(); }},
      {"auc_7", [] { return std::make_shared<AUC>("", 7); }},
      {"auc_pr", [] { return std::make_shared<AUC>(AUCOptions{.curve = "PR"}); }},
      {"auc_pr_minoring",
       [] {
         return std::make_shared<AUC>(
             AUCOptions{.num_thresholds = 11, .curve = "PR", .summation_method = "minoring"});
       }},
      {"auc_roc_majoring",
       [] {
         return std::make_shared<AUC>(
             AUCOptions{.num_thresholds = 13, .summation_method = "majoring"});
       }},
      {"auc_prgain",
       [] { return std::make_shared<AUC>(AUCOptions{.num_thresholds = 50, .curve = "PRGAIN"}); }},
      {"auc_multi_label", [] { return std::make_shared<AUC>(AUCOptions{.multi_label = true}); }},
      {"auc_multi_label_weights",
       [] {
         return std::make_shared<AUC>(AUCOptions{.num_thresholds = 21,
                                                 .curve = "PR",
                                                 .multi_label = true,
                                                 .label_weights = {1, 2, 0.5, 1}});
       }},
      {"auc_multi_num_labels",
       [] {
         return std::make_shared<AUC>(
             AUCOptions{.summation_method = "minoring", .multi_label = true, .num_labels = 4});
       }},
      {"auc_label_weights",
       [] {
         return std::make_shared<AUC>(AUCOptions{.label_weights = {1, 2, 0.5, 1}});
       }},
      {"auc_thresholds",
       [] {
         return std::make_shared<AUC>(AUCOptions{.thresholds = {0.55, 0.3, 0.7}});
       }},
      {"auc_logits",
       [] { return std::make_shared<AUC>(AUCOptions{.num_thresholds = 31, .from_logits = true}); }},
      {"sensitivity_at_specificity", [] { return SensitivityAtSpecificity(0.5); }},
      {"specificity_at_sensitivity",
       [] { return SpecificityAtSensitivity(0.7, {.num_thresholds = 11}); }},
      {"precision_at_recall", [] { return PrecisionAtRecall(0.9); }},
      {"recall_at_precision", [] { return RecallAtPrecision(0.6); }},
      {"precision_at_recall_class_id", [] { return PrecisionAtRecall(0.8, {.class_id = 2}); }},
      {"recall_at_precision_1", [] { return RecallAtPrecision(0.75, {.num_thresholds = 1}); }},
      {"specificity_at_sensitivity_multi",
       [] { return SpecificityAtSensitivity(0.55, {.num_thresholds = 7}); }},
      {"f1_none", [] { return F1Score(); }},
      {"f1_micro", [] { return F1Score({.average = "micro"}); }},
      {"f1_macro_threshold", [] { return F1Score({.average = "macro", .threshold = 0.5}); }},
      {"f1_weighted", [] { return F1Score({.average = "weighted"}); }},
      {"fbeta_2_weighted",
       [] { return FBetaScore({.average = "weighted", .beta = 2.0, .threshold = 0.4}); }},
      {"fbeta_05_micro", [] { return FBetaScore({.average = "micro", .beta = 0.5}); }},
      {"mean_iou", [] { return MeanIoU({.num_classes = 3}); }},
      {"iou_0_2",
       [] {
         return IoU({.num_classes = 3, .target_class_ids = {0, 2}});
       }},
      {"mean_iou_ignore", [] { return MeanIoU({.num_classes = 3, .ignore_class = 1}); }},
      {"mean_iou_float", [] { return MeanIoU({.num_classes = 3, .dtype = float32}); }},
      {"mean_iou_dense",
       [] { return MeanIoU({.num_classes = 3, .sparse_y_true = false, .sparse_y_pred = false}); }},
      {"one_hot_mean_iou", [] { return OneHotMeanIoU({.num_classes = 3}); }},
      {"one_hot_iou_1", [] { return OneHotIoU({.num_classes = 3, .target_class_ids = {1}}); }},
      {"binary_iou", [] { return BinaryIoU(); }},
      {"binary_iou_1", [] { return BinaryIoU({.target_class_ids = {1}, .threshold = 0.6}); }},
      {"r2", [] { return std::make_shared<R2Score>(); }},
      {"r2_variance_weighted",
       [] {
         return std::make_shared<R2Score>(
             R2ScoreOptions{.class_aggregation = "variance_weighted_average"});
       }},
      {"r2_none",
       [] { return std::make_shared<R2Score>(R2ScoreOptions{.class_aggregation = std::nullopt}); }},
      {"r2_regressors",
       [] { return std::make_shared<R2Score>(R2ScoreOptions{.num_regressors = 2}); }},
      {"root_mean_squared_error", [] { return std::make_shared<RootMeanSquaredError>(); }},
      {"mean_squared_error", [] { return MeanSquaredError(); }},
      {"mean_absolute_error", [] { return MeanAbsoluteError(); }},
      {"mean_absolute_percentage_error", [] { return MeanAbsolutePercentageError(); }},
      {"mean_squared_logarithmic_error", [] { return MeanSquaredLogarithmicError(); }},
      {"cosine_similarity", [] { return CosineSimilarity(); }},
      {"logcosh", [] { return LogCoshError(); }},
      {"kl_divergence", [] { return KLDivergence(); }},
      {"poisson", [] { return Poisson(); }},
      {"hinge", [] { return Hinge(); }},
      {"squared_hinge", [] { return SquaredHinge(); }},
      {"categorical_hinge", [] { return CategoricalHinge(); }},
      {"binary_crossentropy", [] { return BinaryCrossentropy(); }},
      {"binary_crossentropy_logits_smoothed",
       [] { return BinaryCrossentropy({.from_logits = true, .label_smoothing = 0.1}); }},
      {"categorical_crossentropy_logits_smoothed",
       [] { return CategoricalCrossentropy({.from_logits = true, .label_smoothing = 0.2}); }},
      {"categorical_crossentropy_smoothed",
       [] { return CategoricalCrossentropy({.label_smoothing = 0.3}); }},
      {"sparse_categorical_crossentropy_logits_ignore",
       [] { return SparseCategoricalCrossentropy({.from_logits = true, .ignore_class = 2}); }},
      {"pearson_correlation", [] { return PearsonCorrelation(); }},
      {"concordance_correlation", [] { return ConcordanceCorrelation(); }},
      {"categorical_crossentropy", [] { return CategoricalCrossentropy(); }},
      {"sparse_categorical_crossentropy", [] { return SparseCategoricalCrossentropy(); }},
  };
}

std::vector<double> values(const Tensor& t) {
  const Tensor h = t.astype(float64).cpu();
  return std::vector<double>(h.data<double>(), h.data<double>() + h.size());
}

std::string joined_names(const Metric& m) {
  std::string s;
  for (const Variable& v : m.variables()) s += (s.empty() ? "" : ",") + v.name();
  return s;
}

TEST(MetricsGoldens, EveryMetricMatchesKerasWithAndWithoutWeightsAcrossReset) {
  const auto sets = data_sets();
  const auto makers = factories();
  for (const g::Case& c : g::kCases) {
    SCOPED_TRACE(c.name);
    ASSERT_TRUE(makers.contains(c.name)) << "no factory for " << c.name;
    const MetricPtr m = makers.at(c.name)();
    const DataSet& d = sets.at(c.data);
    auto* mean = dynamic_cast<Mean*>(m.get());
    auto* sum = dynamic_cast<Sum*>(m.get());
    const bool values_metric = (mean && m->class_name() == "Mean") || sum;
    auto update = [&](const Batch& b, bool weighted) {
      const Tensor w = weighted ? b.weight : Tensor();
      if (values_metric && mean) {
        mean->update_values(b.y_true, w);
      } else if (values_metric) {
        sum->update_values(b.y_true, w);
      } else {
        m->update_state(b.y_true, b.y_pred, w);
      }
      return values(m->result_tensor());
    };
    std::vector<std::vector<double>> steps;
    steps.push_back(update(d.a, false));
    steps.push_back(update(d.b, true));
    m->reset_state();
    steps.push_back(update(d.a, true));
    for (size_t s = 0; s < steps.size(); ++s) {
      ASSERT_EQ(steps[s].size(), static_cast<size_t>(c.per_step)) << "step " << s + 1;
      for (int i = 0; i < c.per_step; ++i) {
        const double want = c.results[s * c.per_step + i], got = steps[s][i];
        if (std::isnan(want)) {  // a constant row's Pearson correlation, say
          EXPECT_TRUE(std::isnan(got)) << "step " << s + 1 << " value " << i << ": " << got;
          continue;
        }
        // Keras keeps float32 state and computes in float32; keras.cpp accumulates in float64:
        // agreement to float32 rounding of the sums (a few ulps relative).
        EXPECT_NEAR(got, want, 2e-6 * std::max(1.0, std::abs(want)))
            << "step " << s + 1 << " value " << i;
      }
    }
    EXPECT_EQ(joined_names(*m), c.variables);
  }
}

TEST(MetricsGoldens, EveryCaseHasAFactory) {
  EXPECT_EQ(factories().size(), std::size(g::kCases));
}

}  // namespace
}  // namespace keras::metrics
