// Confusion-matrix metrics (keras.metrics.Precision, Recall, TruePositives, FalsePositives,
// TrueNegatives, FalseNegatives, AUC, SensitivityAtSpecificity & co.) with Keras 3's
// update_confusion_matrix_variables:
//  - y_pred and y_true (any value other than 0 counts as positive) are compared in float32, as
//    Keras does; a prediction is positive at a threshold when it is strictly above it.
//  - Sample weights get a trailing axis, lose it again where that matches y_true's rank (so
//    weights of shape (n,) weigh the rows of (n, classes) predictions), then broadcast to y_pred.
//  - top_k keeps each row's k largest predictions (ties: the lower index first) and sets the
//    others to -1e10; class_id looks at that column only (negative ids count from the end).
//  - Thresholds evenly spaced over [0, 1] (3 or more, as Keras detects them) take Keras's
//    bucketed path: predictions are clipped to [0, 1] and counted by bucket
//    ceil(p * (n - 1)) - 1, which only differs from "above the threshold" for predictions
//    outside [0, 1].
// Counts are float64 variables of one value per threshold.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/metrics/metric.h"

namespace keras::metrics {

// Thresholds in [0, 1] (ValueError "Threshold values must be in [0, 1]. Received: [...]"); empty
// is Keras's None: 0.5 (Precision and Recall with top_k: -1e10, every kept prediction).
struct PrecisionOptions {
  std::vector<double> thresholds = {};
  std::optional<int> top_k = std::nullopt;
  std::optional<int> class_id = std::nullopt;
  std::string name = "";  // Keras's automatic name: "precision", "precision_1", ...
};
// tp / (tp + fp), 0 while there are none; one value per threshold (result_tensor) when several
// thresholds are given. Variables true_positives, false_positives.
MetricPtr Precision(PrecisionOptions options = {});
using RecallOptions = PrecisionOptions;  // name "" gives "recall", "recall_1", ...
// tp / (tp + fn). Variables true_positives, false_negatives.
MetricPtr Recall(RecallOptions options = {});

struct ConfusionCountOptions {
  std::vector<double> thresholds = {};
  std::string name = "";
};
// The weighted count of one cell of the confusion matrix (variable "accumulator").
MetricPtr TruePositives(ConfusionCountOptions options = {});
MetricPtr FalsePositives(ConfusionCountOptions options = {});
MetricPtr TrueNegatives(ConfusionCountOptions options = {});
MetricPtr FalseNegatives(ConfusionCountOptions options = {});

// keras.metrics.AUC's arguments, in Keras's order. `thresholds` given: those (sorted) between
// the two end points, num_thresholds = their count + 2; else num_thresholds (> 1) evenly spaced
// in [0, 1]. The end points are -1e-7 and 1 + 1e-7. curve "ROC", "PR" or "PRGAIN" (also lower
// case); summation_method "interpolation", "majoring" or "minoring" (also capitalized).
// multi_label: counts per label (y_pred of rank 2), the AUC of each label averaged (weighted by
// label_weights when given); otherwise every label is one more sample, weighted by
// label_weights when given. from_logits applies a sigmoid first.
struct AUCOptions {
  int num_thresholds = 200;
  std::string curve = "ROC";
  std::string summation_method = "interpolation";
  std::string name = "";  // Keras's automatic name: "auc", "auc_1", ...
  std::vector<double> thresholds = {};
  bool multi_label = false;
  std::optional<int> num_labels = std::nullopt;  // multi_label only (ValueError otherwise)
  std::vector<double> label_weights = {};
  bool from_logits = false;
};

// Area under the ROC, PR or PR-gain curve (keras.metrics.AUC): a Riemann sum over the
// thresholds' confusion counts, with Davis & Goadrich's interpolation for PR with
// "interpolation", as Keras 3 computes it. Variables true_positives, false_positives,
// true_negatives, false_negatives, of shape (num_thresholds) or, with multi_label,
// (num_thresholds, num_labels): created on the first update_state unless num_labels is given.
class AUC : public Metric {
 public:
  explicit AUC(std::string name = "", int num_thresholds = 200);
  explicit AUC(AUCOptions options);
  void update_state(const Tensor& y_true,
                    const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  double result() const override;
  void reset_state() override;
  std::string class_name() const override { return "AUC"; }
  Json get_config() const override;
  // The thresholds, end points included (Keras's AUC.thresholds).
  const std::vector<double>& thresholds() const { return thresholds_; }

 private:
  void build(int64_t num_labels);
  AUCOptions options_;
  int curve_ = 0, summation_ = 0;  // indices into Keras's enums
  std::vector<double> thresholds_;
  bool evenly_ = true;
  Tensor tp_, fp_, tn_, fn_;
};

// Sensitivity/specificity metrics (keras.metrics.SensitivityAtSpecificity,
// SpecificityAtSensitivity, PrecisionAtRecall, RecallAtPrecision): confusion counts at
// num_thresholds thresholds evenly spaced over [0, 1] (0.5 alone when num_thresholds is 1; must
// be > 0), and the best value of one rate among the thresholds where the other reaches the
// target (0 when none does). The target must be in [0, 1] (ValueError "Argument `specificity`
// must be in the range [0, 1]. Received: specificity=..."). class_id as for Precision.
// Variables true_positives, false_positives, true_negatives, false_negatives.
struct SensitivitySpecificityOptions {
  int num_thresholds = 200;
  std::optional<int> class_id = std::nullopt;
  std::string name = "";  // Keras's automatic name: "sensitivity_at_specificity", ...
};
// Best tp / (tp + fn) where tn / (tn + fp) >= specificity.
MetricPtr SensitivityAtSpecificity(double specificity, SensitivitySpecificityOptions options = {});
// Best tn / (tn + fp) where tp / (tp + fn) >= sensitivity.
MetricPtr SpecificityAtSensitivity(double sensitivity, SensitivitySpecificityOptions options = {});
// Best tp / (tp + fp) where tp / (tp + fn) >= recall.
MetricPtr PrecisionAtRecall(double recall, SensitivitySpecificityOptions options = {});
// Best tp / (tp + fn) where tp / (tp + fp) >= precision.
MetricPtr RecallAtPrecision(double precision, SensitivitySpecificityOptions options = {});

// Keras's update_confusion_matrix_variables (see the top of this file) for the counts that are
// defined (float64 vectors of one value per threshold). multi_label: y_pred of rank 2 and counts
// of shape (thresholds, labels), summed over the samples only. label_weights (one per label, not
// with multi_label) multiply the sample weights.
struct ConfusionCounts {
  Tensor tp, fp, tn, fn;
};
void update_confusion_matrix_variables(const ConfusionCounts& counts,
                                       const Tensor& y_true,
                                       const Tensor& y_pred,
                                       const std::vector<double>& thresholds,
                                       std::optional<int> top_k,
                                       std::optional<int> class_id,
                                       const Tensor& sample_weight,
                                       bool thresholds_distributed_evenly,
                                       bool multi_label = false,
                                       const std::vector<double>& label_weights = {});

}  // namespace keras::metrics
