#include "keras/metrics/metrics.h"

#include <algorithm>
#include <cctype>

#include "keras/losses/losses.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::metrics {

Mean::Mean(std::string name)
    : Metric(std::move(name)), total_(zeros({}, float64)), count_(zeros({}, float64)) {}

void Mean::update_values(const Tensor& values_in, const Tensor& sample_weight) {
  Tensor values = ops::cast(values_in, float64);
  if (sample_weight.defined()) {
    Tensor sw = ops::cast(sample_weight, float64);
    while (sw.rank() < values.rank()) sw = ops::expand_dims(sw, -1);
    Tensor full_sw = ops::broadcast_to(sw, values.shape());
    ops::assign_add(total_, ops::sum(ops::multiply(values, full_sw)));
    ops::assign_add(count_, ops::sum(full_sw));
  } else {
    ops::assign_add(total_, ops::sum(values));
    ops::assign_add(count_, full({}, static_cast<double>(values.size()), float64));
  }
}

void Mean::update_state(const Tensor& y_true, const Tensor&, const Tensor& sample_weight) {
  update_values(y_true, sample_weight);
}

double Mean::result() const {
  const double count = count_.item<double>();
  return count == 0 ? 0.0 : total_.item<double>() / count;
}

void Mean::reset_state() {
  total_.data<double>()[0] = 0.0;
  count_.data<double>()[0] = 0.0;
}

void MeanMetricWrapper::update_state(const Tensor& y_true, const Tensor& y_pred,
                                     const Tensor& sample_weight) {
  update_values(fn_(y_true, y_pred), sample_weight);
}

Tensor binary_accuracy(const Tensor& y_true_in, const Tensor& y_pred_in, double threshold) {
  auto [y_true, y_pred] = losses::align_ranks(y_true_in, y_pred_in);
  Tensor predicted = ops::cast(ops::greater(y_pred, threshold), y_pred.dtype());
  return ops::mean(ops::cast(ops::equal(ops::cast(y_true, y_pred.dtype()), predicted), float32), -1);
}

Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred) {
  return ops::cast(ops::equal(ops::argmax(y_true, -1), ops::argmax(y_pred, -1)), float32);
}

Tensor sparse_categorical_accuracy(const Tensor& y_true_in, const Tensor& y_pred) {
  Tensor y_true = y_true_in;
  if (y_true.rank() == y_pred.rank() && y_true.shape().back() == 1) y_true = ops::squeeze(y_true, -1);
  return ops::cast(ops::equal(ops::cast(y_true, int32), ops::argmax(y_pred, -1)), float32);
}

MetricPtr BinaryAccuracy(std::string name, double threshold) {
  return std::make_shared<MeanMetricWrapper>(
      std::move(name),
      [threshold](const Tensor& t, const Tensor& p) { return binary_accuracy(t, p, threshold); });
}
MetricPtr CategoricalAccuracy(std::string name) {
  return std::make_shared<MeanMetricWrapper>(std::move(name), categorical_accuracy);
}
MetricPtr SparseCategoricalAccuracy(std::string name) {
  return std::make_shared<MeanMetricWrapper>(std::move(name), sparse_categorical_accuracy);
}
MetricPtr MeanSquaredError(std::string name) {
  return std::make_shared<MeanMetricWrapper>(std::move(name), losses::mean_squared_error);
}
MetricPtr MeanAbsoluteError(std::string name) {
  return std::make_shared<MeanMetricWrapper>(std::move(name), losses::mean_absolute_error);
}
MetricPtr BinaryCrossentropy(std::string name) {
  return std::make_shared<MeanMetricWrapper>(
      std::move(name), [](const Tensor& t, const Tensor& p) { return losses::binary_crossentropy(t, p); });
}
MetricPtr CategoricalCrossentropy(std::string name) {
  return std::make_shared<MeanMetricWrapper>(std::move(name), [](const Tensor& t, const Tensor& p) {
    return losses::categorical_crossentropy(t, p);
  });
}
MetricPtr SparseCategoricalCrossentropy(std::string name) {
  return std::make_shared<MeanMetricWrapper>(std::move(name), [](const Tensor& t, const Tensor& p) {
    return losses::sparse_categorical_crossentropy(t, p);
  });
}

namespace {

enum class Kind { binary, sparse, categorical };

Kind classify(const Shape& t, const Shape& p) {
  if (!p.empty() && p.back() == 1) return Kind::binary;
  const bool sparse = t.size() < p.size() || (!t.empty() && !p.empty() && t.back() == 1 && p.back() > 1);
  return sparse ? Kind::sparse : Kind::categorical;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

MetricPtr get(std::string_view name_in, const Shape& y_true_shape, const Shape& y_pred_shape) {
  const std::string name(name_in);
  const std::string l = lower(name);
  if (l == "accuracy" || l == "acc") {
    switch (classify(y_true_shape, y_pred_shape)) {
      case Kind::binary: return BinaryAccuracy(name);
      case Kind::sparse: return SparseCategoricalAccuracy(name);
      case Kind::categorical: return CategoricalAccuracy(name);
    }
  }
  if (l == "crossentropy" || l == "ce") {
    switch (classify(y_true_shape, y_pred_shape)) {
      case Kind::binary: return BinaryCrossentropy(name);
      case Kind::sparse: return SparseCategoricalCrossentropy(name);
      case Kind::categorical: return CategoricalCrossentropy(name);
    }
  }
  if (name == "binary_accuracy") return BinaryAccuracy();
  if (name == "categorical_accuracy") return CategoricalAccuracy();
  if (name == "sparse_categorical_accuracy") return SparseCategoricalAccuracy();
  if (name == "mse" || name == "mean_squared_error") return MeanSquaredError(name);
  if (name == "mae" || name == "mean_absolute_error") return MeanAbsoluteError(name);
  if (name == "binary_crossentropy") return BinaryCrossentropy();
  if (name == "categorical_crossentropy") return CategoricalCrossentropy();
  if (name == "sparse_categorical_crossentropy") return SparseCategoricalCrossentropy();
  throw ValueError(str("Could not interpret metric identifier: ", name));
}

void validate(std::string_view name) { (void)get(name, {kNone, 2}, {kNone, 2}); }

}  // namespace keras::metrics
