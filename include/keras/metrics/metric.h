// The metric base class (keras.Metric) and the reduction metrics Mean, Sum and MeanMetricWrapper.
//
// A metric keeps running state in variables (Keras's `metric.variables`, in Keras's order, named
// as Keras names them: "total", "count", "true_positives", ...; paths "<metric name>/<variable>").
// update_state() only launches kernels, so that fit() can trace it into its plan: everything that
// depends on tensor values happens in kernels, and host code depends on shapes only. result()
// reads the state on the host. reset_state() zeroes every variable.
//
// keras.cpp accumulates every state in float64 (Keras: float32, its default metric dtype);
// results agree with Keras's to float32 rounding. get_config() reports Keras's "float32" so that
// configs read as Keras writes them.
//
// Sample weights (Keras 3's rules, shared by every Mean-based metric): the weights are cast to
// the state's dtype, multiplied by the values' mask if any (Tensor::keras_mask), and a trailing
// size-1 axis is added or dropped to match the values' rank (squeeze_or_expand_to_same_rank).
// Values with more axes than the weights are first averaged (Sum: summed) over the extra axes;
// the weights must then broadcast to the values (ValueError otherwise), weights with several
// axes count as their mean over the non-batch axes. Mean = sum(values * w) / sum(w) (0 while the
// count is 0); without weights the count is the number of samples (the first axis).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keras/config/json_fwd.h"
#include "keras/core/tensor.h"
#include "keras/core/variable.h"

namespace keras::metrics {

class Metric {
 public:
  // An empty name is replaced by Keras's automatic one: `default_prefix`, then
  // `default_prefix`_1, _2, ... for later metrics of that prefix (keras.utils.naming.auto_name).
  explicit Metric(std::string name, std::string_view default_prefix = "metric");
  virtual ~Metric() = default;
  Metric(const Metric&) = delete;
  Metric& operator=(const Metric&) = delete;

  const std::string& name() const { return name_; }
  // Accumulates a batch. Kernels only (see the top of this file).
  virtual void update_state(const Tensor& y_true,
                            const Tensor& y_pred,
                            const Tensor& sample_weight = Tensor()) = 0;
  // The scalar result (Keras's float(metric.result())). A metric whose result has several
  // values (Precision with several thresholds, F1Score with average=None, ...) throws
  // ValueError here: read result_tensor().
  virtual double result() const;
  // The result as Keras returns it (float64 here): a scalar or one value per threshold/class.
  // Every metric overrides result() or result_tensor() (the defaults call each other).
  virtual Tensor result_tensor() const;
  // Zeroes every variable (kernels only).
  virtual void reset_state();
  // The state, in Keras's order. Metrics that Keras builds on their first update_state (R2Score,
  // FBetaScore) have their variables after it.
  const std::vector<Variable>& variables() const { return variables_; }

  // Keras's class name ("Precision"); "Metric" for a metric defined outside keras.cpp.
  virtual std::string class_name() const { return "Metric"; }
  // Keras 3's metric._direction, which callbacks in mode "auto" go by: true when larger values
  // are better ("up": accuracies, AUC, precision, IoU, R2, ...), false when smaller are
  // ("down": errors, crossentropies, hinges), nullopt when Keras gives none (Mean, Sum, the
  // true/false positive counts, a MeanMetricWrapper, a metric defined outside keras.cpp unless
  // it overrides this). Decided by class_name().
  virtual std::optional<bool> higher_is_better() const;
  // {"name": ..., "dtype": "float32"} plus the metric's own arguments, as Keras's get_config.
  virtual Json get_config() const;

 protected:
  // A zero-filled, non-trainable state variable (Keras's add_variable).
  Variable add_variable(const std::string& name, const Shape& shape, DType dtype = float64);

 private:
  std::string name_;
  std::vector<Variable> variables_;
};

using MetricPtr = std::shared_ptr<Metric>;

// Resets the automatic names ("auc", then "auc_1", ...): part of utils::clear_session().
void reset_uids();

// keras.metrics.Sum: the weighted sum of values (variable "total").
class Sum : public Metric {
 public:
  explicit Sum(std::string name = "sum");
  // Adds `values` (any shape) with optional weights (Keras's Sum.update_state(values, w)).
  void update_values(const Tensor& values, const Tensor& sample_weight = Tensor());
  // As a compiled metric: sums y_true (y_pred is not used).
  void update_state(const Tensor& y_true,
                    const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  double result() const override;
  std::string class_name() const override { return "Sum"; }

 private:
  Tensor total_;
};

// keras.metrics.Mean: the weighted mean of values (variables "total", "count").
class Mean : public Metric {
 public:
  explicit Mean(std::string name = "mean");
  // Adds `values` (any shape) with optional weights (Keras's Mean.update_state(values, w)).
  void update_values(const Tensor& values, const Tensor& sample_weight = Tensor());
  // As a compiled metric: averages y_true (y_pred is not used).
  void update_state(const Tensor& y_true,
                    const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  double result() const override;
  std::string class_name() const override { return "Mean"; }

 private:
  Tensor total_, count_;
};

// keras.metrics.MeanMetricWrapper: a Mean over fn(y_true, y_pred), per-sample values of any
// shape. The mask of y_pred (Tensor::keras_mask) multiplies the sample weights, as in Keras.
class MeanMetricWrapper : public Mean {
 public:
  using Fn = std::function<Tensor(const Tensor&, const Tensor&)>;
  // An empty name gives Keras's automatic "mean_metric_wrapper", "mean_metric_wrapper_1", ...
  MeanMetricWrapper(std::string name, Fn fn);
  void update_state(const Tensor& y_true,
                    const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  std::string class_name() const override { return "MeanMetricWrapper"; }

 private:
  Fn fn_;
};

// Keras's reduce_to_samplewise_values (see the top of this file): values reduced to one per
// sample with `sum` (else mean) over the non-batch axes, multiplied by the weights, and the
// weights as they count (undefined when none were given). Exposed for metrics built on Mean.
std::pair<Tensor, Tensor> reduce_to_samplewise_values(const Tensor& values,
                                                      const Tensor& sample_weight,
                                                      bool sum);

}  // namespace keras::metrics
