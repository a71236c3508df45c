// Confusion-matrix metrics (keras.metrics.Precision, Recall, TruePositives, FalsePositives,
// TrueNegatives, FalseNegatives, AUC) with Keras 3's update_confusion_matrix_variables:
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

// Area under the ROC curve (keras.metrics.AUC with its defaults: num_thresholds thresholds
// evenly spaced in [0, 1] plus -1e-7 and 1 + 1e-7, trapezoidal interpolation). Variables
// true_positives, false_positives, true_negatives, false_negatives.
class AUC : public Metric {
 public:
  explicit AUC(std::string name = "", int num_thresholds = 200);
  void update_state(const Tensor& y_true,
                    const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  double result() const override;
  std::string class_name() const override { return "AUC"; }
  Json get_config() const override;

 private:
  std::vector<double> thresholds_;
  Tensor tp_, fp_, tn_, fn_;
};

// Keras's update_confusion_matrix_variables (see the top of this file) for the counts that are
// defined (float64 vectors of one value per threshold).
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
                                       bool thresholds_distributed_evenly);

}  // namespace keras::metrics
