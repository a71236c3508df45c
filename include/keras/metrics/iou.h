// Intersection-over-union metrics (keras.metrics.IoU, MeanIoU, BinaryIoU, OneHotIoU,
// OneHotMeanIoU).
//
// They accumulate a (num_classes, num_classes) confusion matrix ("total_confusion_matrix",
// rows: true class, columns: predicted class) from labels flattened to one per element: class
// ids (sparse_y_true / sparse_y_pred), else the argmax along `axis`. As Keras, with its default
// dtype int32 the labels and the sample weights are converted to integers (truncated toward
// zero: pass a floating dtype for fractional weights). Pairs where either label is outside
// [0, num_classes), or the true one is ignore_class, do not count. The result averages
// tp / (tp + fp + fn + 1e-7) over the target classes that occur (their denominator > 1e-9),
// dividing by their number + 1e-7.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/metrics/metric.h"

namespace keras::metrics {

struct IoUOptions {
  int64_t num_classes = 0;
  std::vector<int64_t> target_class_ids = {};
  std::string name = "";  // "io_u", "io_u_1", ...
  DType dtype = int32;
  std::optional<int64_t> ignore_class = std::nullopt;
  bool sparse_y_true = true;
  bool sparse_y_pred = true;
  int axis = -1;
};
MetricPtr IoU(IoUOptions options);

struct MeanIoUOptions {
  int64_t num_classes = 0;
  std::string name = "";  // "mean_io_u", ...
  DType dtype = int32;
  std::optional<int64_t> ignore_class = std::nullopt;
  bool sparse_y_true = true;
  bool sparse_y_pred = true;
  int axis = -1;
};
// IoU over every class.
MetricPtr MeanIoU(MeanIoUOptions options);

// Two classes from binary labels: a prediction is class 1 when >= threshold (dtype int32 as
// IoU's: the true labels and the weights are truncated to integers, as in Keras; float32 keeps
// fractional sample weights).
struct BinaryIoUOptions {
  std::vector<int64_t> target_class_ids = {0, 1};
  double threshold = 0.5;
  std::string name = "";  // "binary_io_u", ...
  DType dtype = int32;
};
MetricPtr BinaryIoU(BinaryIoUOptions options = {});

// IoU and MeanIoU for one-hot targets (sparse_y_true = false; predictions sparse_y_pred).
struct OneHotIoUOptions {
  int64_t num_classes = 0;
  std::vector<int64_t> target_class_ids = {};
  std::string name = "";  // "one_hot_io_u", ...
  DType dtype = int32;
  std::optional<int64_t> ignore_class = std::nullopt;
  bool sparse_y_pred = false;
  int axis = -1;
};
MetricPtr OneHotIoU(OneHotIoUOptions options);
struct OneHotMeanIoUOptions {
  int64_t num_classes = 0;
  std::string name = "";  // "one_hot_mean_io_u", ...
  DType dtype = int32;
  std::optional<int64_t> ignore_class = std::nullopt;
  bool sparse_y_pred = false;
  int axis = -1;
};
MetricPtr OneHotMeanIoU(OneHotMeanIoUOptions options);

}  // namespace keras::metrics
