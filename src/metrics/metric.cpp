#include "keras/metrics/metric.h"

#include <map>
#include <mutex>
#include <numeric>
#include <set>

#include "keras/config/json.h"
#include "keras/losses/loss.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "metrics/wrapped.h"

namespace keras::metrics {
namespace {

std::mutex uid_mutex;
std::map<std::string, int, std::less<>> uids;

// Keras's uniquify: "precision", then "precision_1", "precision_2", ...
std::string auto_name(std::string_view prefix) {
  std::lock_guard lock(uid_mutex);
  auto it = uids.find(prefix);
  if (it == uids.end()) it = uids.emplace(std::string(prefix), 0).first;
  const int n = it->second++;
  return n == 0 ? std::string(prefix) : str(prefix, "_", n);
}

std::vector<int> axes_from(int first, int rank) {
  std::vector<int> axes(static_cast<size_t>(std::max(0, rank - first)));
  std::iota(axes.begin(), axes.end(), first);
  return axes;
}

Tensor reduce(const Tensor& x, std::vector<int> axes, bool sum) {
  return sum ? ops::sum(x, std::move(axes)) : ops::mean(x, std::move(axes));
}

}  // namespace

bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const size_t skip = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i) {
    if (from[i] != 1 && from[i] != to[skip + i]) return false;
  }
  return true;
}

void reset_uids() {
  std::lock_guard lock(uid_mutex);
  uids.clear();
}

std::optional<bool> Metric::higher_is_better() const {
  static const std::set<std::string, std::less<>> up = {"AUC",
                                                        "Accuracy",
                                                        "BinaryAccuracy",
                                                        "BinaryIoU",
                                                        "CategoricalAccuracy",
                                                        "ConcordanceCorrelation",
                                                        "CosineSimilarity",
                                                        "F1Score",
                                                        "FBetaScore",
                                                        "IoU",
                                                        "MeanIoU",
                                                        "OneHotIoU",
                                                        "OneHotMeanIoU",
                                                        "PearsonCorrelation",
                                                        "Precision",
                                                        "PrecisionAtRecall",
                                                        "R2Score",
                                                        "Recall",
                                                        "RecallAtPrecision",
                                                        "SensitivityAtSpecificity",
                                                        "SparseCategoricalAccuracy",
                                                        "SparseTopKCategoricalAccuracy",
                                                        "SpecificityAtSensitivity",
                                                        "TopKCategoricalAccuracy"};
  static const std::set<std::string, std::less<>> down = {"BinaryCrossentropy",
                                                          "CategoricalCrossentropy",
                                                          "CategoricalHinge",
                                                          "Hinge",
                                                          "KLDivergence",
                                                          "LogCoshError",
                                                          "MeanAbsoluteError",
                                                          "MeanAbsolutePercentageError",
                                                          "MeanSquaredError",
                                                          "MeanSquaredLogarithmicError",
                                                          "Poisson",
                                                          "RootMeanSquaredError",
                                                          "SparseCategoricalCrossentropy",
                                                          "SquaredHinge"};
  const std::string name = class_name();
  if (up.contains(name)) return true;
  if (down.contains(name)) return false;
  return std::nullopt;
}

Metric::Metric(std::string name, std::string_view default_prefix)
    : name_(name.empty() ? auto_name(default_prefix) : std::move(name)) {}

double Metric::result() const {
  const Tensor r = result_tensor();
  KERAS_CHECK(r.size() == 1, ValueError, "Metric '", name_, "' has a result of shape ",
              shape_str(r.shape()), ", not a scalar: read it with result_tensor()");
  return r.astype(float64).cpu().data<double>()[0];
}

Tensor Metric::result_tensor() const {
  return full({}, result(), float64);
}

void Metric::reset_state() {
  for (const Variable& v : variables_) ops::assign(v.value(), ops::zeros_like(v.value()));
}

Json Metric::get_config() const {
  return Json{{"name", name_}, {"dtype", "float32"}};
}

Variable Metric::add_variable(const std::string& name, const Shape& shape, DType dtype) {
  Variable v(name, zeros(shape, dtype), false);
  v.set_path(name_ + "/" + name);
  variables_.push_back(v);
  return v;
}

std::pair<Tensor, Tensor> reduce_to_samplewise_values(const Tensor& values_in,
                                                      const Tensor& sample_weight,
                                                      bool sum) {
  Tensor values = ops::cast(values_in, float64);
  Tensor sw;
  if (sample_weight.defined()) {
    sw = ops::cast(sample_weight, float64);
    if (const Tensor mask = values_in.keras_mask(); mask.defined()) {
      auto [m, w] = losses::squeeze_or_expand_to_same_rank(ops::cast(mask, float64), sw);
      sw = ops::multiply(w, m);
    }
    std::tie(values, sw) = losses::squeeze_or_expand_to_same_rank(values, sw);
    const int weight_rank = sw.rank(), values_rank = values.rank();
    if (values_rank > weight_rank)
      values = reduce(values, axes_from(weight_rank, values_rank), sum);
    KERAS_CHECK(broadcasts_to(sw.shape(), values.shape()), ValueError,
                "Incompatible shapes for broadcasting: sample_weight of shape ",
                shape_str(sample_weight.shape()), " and values of shape ",
                shape_str(values_in.shape()));
    values = ops::multiply(values, ops::broadcast_to(sw, values.shape()));
    if (weight_rank > 1) {
      sw = reduce(ops::broadcast_to(sw, values.shape()), axes_from(1, weight_rank), sum);
    }
  }
  if (values.rank() > 1) values = reduce(values, axes_from(1, values.rank()), sum);
  return {values, sw};
}

Sum::Sum(std::string name) : Metric(std::move(name), "sum") {
  total_ = add_variable("total", {}).value();
}

void Sum::update_values(const Tensor& values_in, const Tensor& sample_weight) {
  auto [values, sw] = reduce_to_samplewise_values(values_in, sample_weight, true);
  ops::assign_add(total_, ops::sum(values));
}

void Sum::update_state(const Tensor& y_true, const Tensor&, const Tensor& sample_weight) {
  update_values(y_true, sample_weight);
}

double Sum::result() const {
  return total_.item<double>();
}

Mean::Mean(std::string name) : Metric(std::move(name), "mean") {
  total_ = add_variable("total", {}).value();
  count_ = add_variable("count", {}).value();
}

void Mean::update_values(const Tensor& values_in, const Tensor& sample_weight) {
  auto [values, sw] = reduce_to_samplewise_values(values_in, sample_weight, false);
  ops::assign_add(total_, ops::sum(values));
  if (sw.defined()) {
    ops::assign_add(count_, ops::sum(sw));
  } else {
    const double n = values.rank() >= 1 ? static_cast<double>(values.dim(0)) : 1.0;
    ops::assign_add(count_, full({}, n, float64, count_.device()));
  }
}

void Mean::update_state(const Tensor& y_true, const Tensor&, const Tensor& sample_weight) {
  update_values(y_true, sample_weight);
}

double Mean::result() const {
  const double count = count_.item<double>();
  return count == 0 ? 0.0 : total_.item<double>() / count;
}

MeanMetricWrapper::MeanMetricWrapper(std::string name, Fn fn)
    : Mean(name.empty() ? auto_name("mean_metric_wrapper") : std::move(name)), fn_(std::move(fn)) {}

void MeanMetricWrapper::update_state(const Tensor& y_true,
                                     const Tensor& y_pred,
                                     const Tensor& sample_weight) {
  Tensor values = fn_(y_true, y_pred);
  Tensor sw = sample_weight;
  if (const Tensor mask = y_pred.keras_mask(); mask.defined()) {
    const Tensor m = ops::cast(mask, float64);
    if (sw.defined()) {
      auto [mm, w] = losses::squeeze_or_expand_to_same_rank(m, ops::cast(sw, float64));
      sw = ops::multiply(w, mm);
    } else {
      sw = m;
    }
  }
  update_values(values, sw);
}

}  // namespace keras::metrics
