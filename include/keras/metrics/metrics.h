// Metrics (keras.metrics): stateful, updated batch by batch (see metric.h for the base class,
// the state and Keras 3's sample-weight rules).
//
// Metrics with arguments are factories taking an options struct in Keras's argument order and
// returning a MetricPtr:
//   auto m = metrics::Precision({.thresholds = {0.3, 0.7}, .class_id = 2});
//   m->update_state(y_true, y_pred, sample_weight);
//   Tensor per_threshold = m->result_tensor();
// Mean, Sum, MeanMetricWrapper, RootMeanSquaredError, R2Score and AUC are classes
// (std::make_shared<metrics::Mean>("loss")).
#pragma once

#include <string_view>

#include "keras/core/tensor.h"
#include "keras/metrics/accuracy.h"
#include "keras/metrics/confusion.h"
#include "keras/metrics/f_score.h"
#include "keras/metrics/iou.h"
#include "keras/metrics/metric.h"
#include "keras/metrics/regression.h"
#include "keras/metrics/serialization.h"

namespace keras::metrics {

// A metric by name, as compile resolves it (Keras 3's keras.metrics.get plus compile's
// convenience names), named `name`:
//  - "accuracy"/"acc" (any case) and "crossentropy"/"ce" (Keras 2's) by Keras's rule from the
//    shapes: binary when y_pred's last dim is 1, sparse when y_true has lower rank or a last
//    dim of 1 against a wider y_pred, categorical otherwise;
//  - every class of keras.metrics by its class name or its snake_case name with Keras's
//    defaults ("Precision", "precision", "top_k_categorical_accuracy", "r2_score", "AUC",
//    "auc", "log_cosh_error", ...) and the aliases "mse", "mae", "mape", "msle", "bce" (also
//    upper case).
// Classes without defaults for required arguments (IoU, MeanIoU, OneHotIoU, OneHotMeanIoU,
// MeanMetricWrapper) throw TypeError naming the missing argument, as Keras does; unknown names
// throw ValueError("Could not interpret metric identifier: ...").
MetricPtr get(std::string_view name, const Shape& y_true_shape, const Shape& y_pred_shape);
// Throws as get() would, without knowing the shapes.
void validate(std::string_view name);

}  // namespace keras::metrics
