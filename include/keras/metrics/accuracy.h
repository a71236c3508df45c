// Accuracy metrics (keras.metrics.Accuracy, BinaryAccuracy, CategoricalAccuracy,
// SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy): Means over
// the per-sample functions below (float32 values of 0 and 1), with Keras 3's formulas.
#pragma once

#include <string>

#include "keras/metrics/metric.h"

namespace keras::metrics {

// y_true == y_pred elementwise (y_true cast to y_pred's dtype, ranks aligned).
Tensor accuracy(const Tensor& y_true, const Tensor& y_pred);
// y_true == (y_pred > threshold) elementwise (ranks aligned).
Tensor binary_accuracy(const Tensor& y_true, const Tensor& y_pred, double threshold = 0.5);
// argmax(y_true) == argmax(y_pred) along the last axis.
Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);
// y_true (integer labels, with or without a trailing size-1 axis) == argmax(y_pred).
Tensor sparse_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);
// Whether argmax(y_true) is among the k largest predictions (Keras's in_top_k: fewer than k
// predictions are strictly larger than the label's; a NaN there counts as -inf).
Tensor top_k_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred, int k = 5);
// The same for integer labels; with from_sorted_ids, y_pred holds class ids sorted by score
// and a label counts when it is among the first k.
Tensor sparse_top_k_categorical_accuracy(const Tensor& y_true,
                                         const Tensor& y_pred,
                                         int k = 5,
                                         bool from_sorted_ids = false);

MetricPtr Accuracy(std::string name = "accuracy");
struct BinaryAccuracyOptions {
  std::string name = "binary_accuracy";
  double threshold = 0.5;
};
MetricPtr BinaryAccuracy(BinaryAccuracyOptions options = {});
MetricPtr CategoricalAccuracy(std::string name = "categorical_accuracy");
MetricPtr SparseCategoricalAccuracy(std::string name = "sparse_categorical_accuracy");
struct TopKCategoricalAccuracyOptions {
  int k = 5;
  std::string name = "top_k_categorical_accuracy";
};
MetricPtr TopKCategoricalAccuracy(TopKCategoricalAccuracyOptions options = {});
struct SparseTopKCategoricalAccuracyOptions {
  int k = 5;
  std::string name = "sparse_top_k_categorical_accuracy";
  bool from_sorted_ids = false;
};
MetricPtr SparseTopKCategoricalAccuracy(SparseTopKCategoricalAccuracyOptions options = {});

}  // namespace keras::metrics
