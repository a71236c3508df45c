// Metrics (keras.metrics): stateful averages updated batch by batch.
//
// update_state() only launches kernels (so fit() can trace it into its plan); the running state
// lives in float64 scalar tensors; result() reads it on the host.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "keras/core/tensor.h"

namespace keras::metrics {

class Metric {
 public:
  explicit Metric(std::string name) : name_(std::move(name)) {}
  virtual ~Metric() = default;
  const std::string& name() const { return name_; }
  virtual void update_state(const Tensor& y_true,
                            const Tensor& y_pred,
                            const Tensor& sample_weight = Tensor()) = 0;
  virtual double result() const = 0;
  virtual void reset_state() = 0;

 private:
  std::string name_;
};

using MetricPtr = std::shared_ptr<Metric>;

// Weighted mean of per-sample values: sum(values * w) / sum(w).
class Mean : public Metric {
 public:
  explicit Mean(std::string name = "mean");
  void update_state(const Tensor& y_true,
                    const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  // Adds `values` (any shape) with optional weights.
  void update_values(const Tensor& values, const Tensor& sample_weight = Tensor());
  double result() const override;
  void reset_state() override;

 private:
  Tensor total_, count_;
};

// A Mean over fn(y_true, y_pred) (keras.metrics.MeanMetricWrapper).
class MeanMetricWrapper : public Mean {
 public:
  using Fn = std::function<Tensor(const Tensor&, const Tensor&)>;
  MeanMetricWrapper(std::string name, Fn fn) : Mean(std::move(name)), fn_(std::move(fn)) {}
  void update_state(const Tensor& y_true,
                    const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;

 private:
  Fn fn_;
};

// Area under the ROC curve (keras.metrics.AUC with its defaults: 200 thresholds evenly spaced in
// [0, 1] plus -1e-7 and 1 + 1e-7, a prediction counting as positive when above a threshold,
// trapezoidal interpolation). y_true is 0/1; sample weights weight the confusion counts.
class AUC : public Metric {
 public:
  explicit AUC(std::string name = "auc", int num_thresholds = 200);
  void update_state(const Tensor& y_true,
                    const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  double result() const override;
  void reset_state() override;

 private:
  Tensor thresholds_;         // (1, num_thresholds)
  Tensor tp_, fp_, tn_, fn_;  // (num_thresholds,) float64
};

// Per-sample accuracy functions (floats of 0/1).
Tensor binary_accuracy(const Tensor& y_true, const Tensor& y_pred, double threshold = 0.5);
Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);
Tensor sparse_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);

MetricPtr BinaryAccuracy(std::string name = "binary_accuracy", double threshold = 0.5);
MetricPtr CategoricalAccuracy(std::string name = "categorical_accuracy");
MetricPtr SparseCategoricalAccuracy(std::string name = "sparse_categorical_accuracy");
MetricPtr MeanSquaredError(std::string name = "mean_squared_error");
MetricPtr MeanAbsoluteError(std::string name = "mean_absolute_error");
MetricPtr BinaryCrossentropy(std::string name = "binary_crossentropy");
MetricPtr CategoricalCrossentropy(std::string name = "categorical_crossentropy");
MetricPtr SparseCategoricalCrossentropy(std::string name = "sparse_categorical_crossentropy");

// By Keras name. "accuracy"/"acc" (and "crossentropy"/"ce") resolve by Keras's rule from the
// shapes: binary when y_pred's last dim is 1, sparse when y_true has lower rank or a last dim of
// 1 against a wider y_pred, categorical otherwise; the metric keeps the name given.
// Throws ValueError for unknown names.
MetricPtr get(std::string_view name, const Shape& y_true_shape, const Shape& y_pred_shape);
// Throws ValueError unless `name` is a known metric name.
void validate(std::string_view name);

}  // namespace keras::metrics
