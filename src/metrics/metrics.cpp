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
    ops::assign_add(count_, full({}, static_cast<double>(values.size()), float64, count_.device()));
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
  ops::assign(total_, ops::zeros_like(total_));
  ops::assign(count_, ops::zeros_like(count_));
}

void MeanMetricWrapper::update_state(const Tensor& y_true,
                                     const Tensor& y_pred,
                                     const Tensor& sample_weight) {
  update_values(fn_(y_true, y_pred), sample_weight);
}

AUC::AUC(std::string name, int num_thresholds) : Metric(std::move(name)) {
  KERAS_CHECK(num_thresholds > 1, ValueError,
              "Argument `num_thresholds` must be an integer > 1. "
              "Received: num_thresholds=",
              num_thresholds);
  std::vector<float> t(static_cast<size_t>(num_thresholds));
  for (int i = 0; i < num_thresholds - 2; ++i) {
    t[i + 1] = static_cast<float>((i + 1) * 1.0 / (num_thresholds - 1));
  }
  t[0] = static_cast<float>(0.0 - 1e-7);
  t[num_thresholds - 1] = static_cast<float>(1.0 + 1e-7);
  thresholds_ = Tensor::from_vector(t, {1, num_thresholds});
  for (Tensor* c : {&tp_, &fp_, &tn_, &fn_}) *c = zeros({num_thresholds}, float64);
}

void AUC::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  // (n, 1) predictions against (1, T) thresholds -> (n, T) decisions.
  Tensor pred = ops::reshape(ops::cast(y_pred, float32), {-1, 1});
  Tensor truth = ops::reshape(ops::cast(y_true, float64), {-1, 1});
  KERAS_CHECK(pred.dim(0) == truth.dim(0), ValueError, "AUC: y_true ", shape_str(y_true.shape()),
              " and y_pred ", shape_str(y_pred.shape()), " have different sizes");
  Tensor above = ops::cast(ops::greater(pred, thresholds_), float64);
  Tensor below = ops::subtract(1.0, above);
  Tensor weight = ones({pred.dim(0), 1}, float64, pred.device());
  if (sample_weight.defined()) {
    weight = ops::reshape(ops::cast(sample_weight, float64), {-1, 1});
    KERAS_CHECK(weight.dim(0) == pred.dim(0), ValueError, "AUC: sample_weight ",
                shape_str(sample_weight.shape()), " does not match predictions ",
                shape_str(y_pred.shape()));
  }
  Tensor pos = ops::multiply(truth, weight), neg = ops::multiply(ops::subtract(1.0, truth), weight);
  ops::assign_add(tp_, ops::sum(ops::multiply(above, pos), 0));
  ops::assign_add(fp_, ops::sum(ops::multiply(above, neg), 0));
  ops::assign_add(tn_, ops::sum(ops::multiply(below, neg), 0));
  ops::assign_add(fn_, ops::sum(ops::multiply(below, pos), 0));
}

double AUC::result() const {
  const int64_t n = tp_.size();
  const Tensor tp_host = tp_.cpu(), fp_host = fp_.cpu(), tn_host = tn_.cpu(), fn_host = fn_.cpu();
  const double *tp = tp_host.data<double>(), *fp = fp_host.data<double>(),
               *tn = tn_host.data<double>(), *fn = fn_host.data<double>();
  auto safe_div = [](double a, double b) { return b == 0 ? 0.0 : a / b; };
  double area = 0;
  for (int64_t i = 0; i + 1 < n; ++i) {
    const double x0 = safe_div(fp[i], fp[i] + tn[i]),
                 x1 = safe_div(fp[i + 1], fp[i + 1] + tn[i + 1]);
    const double y0 = safe_div(tp[i], tp[i] + fn[i]),
                 y1 = safe_div(tp[i + 1], tp[i + 1] + fn[i + 1]);
    area += (x0 - x1) * (y0 + y1) / 2.0;
  }
  return area;
}

void AUC::reset_state() {
  for (const Tensor* c : {&tp_, &fp_, &tn_, &fn_}) ops::assign(*c, ops::zeros_like(*c));
}

Tensor binary_accuracy(const Tensor& y_true_in, const Tensor& y_pred_in, double threshold) {
  auto [y_true, y_pred] = losses::align_ranks(y_true_in, y_pred_in);
  Tensor predicted = ops::cast(ops::greater(y_pred, threshold), y_pred.dtype());
  return ops::mean(ops::cast(ops::equal(ops::cast(y_true, y_pred.dtype()), predicted), float32),
                   -1);
}

Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred) {
  return ops::cast(ops::equal(ops::argmax(y_true, -1), ops::argmax(y_pred, -1)), float32);
}

Tensor sparse_categorical_accuracy(const Tensor& y_true_in, const Tensor& y_pred) {
  Tensor y_true = y_true_in;
  if (y_true.rank() == y_pred.rank() && y_true.shape().back() == 1)
    y_true = ops::squeeze(y_true, -1);
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
  return std::make_shared<MeanMetricWrapper>(std::move(name), [](const Tensor& t, const Tensor& p) {
    return losses::binary_crossentropy(t, p);
  });
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
  const bool sparse =
      t.size() < p.size() || (!t.empty() && !p.empty() && t.back() == 1 && p.back() > 1);
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
      case Kind::binary:
        return BinaryAccuracy(name);
      case Kind::sparse:
        return SparseCategoricalAccuracy(name);
      case Kind::categorical:
        return CategoricalAccuracy(name);
    }
  }
  if (l == "crossentropy" || l == "ce") {
    switch (classify(y_true_shape, y_pred_shape)) {
      case Kind::binary:
        return BinaryCrossentropy(name);
      case Kind::sparse:
        return SparseCategoricalCrossentropy(name);
      case Kind::categorical:
        return CategoricalCrossentropy(name);
    }
  }
  if (l == "auc") return std::make_shared<AUC>(name);
  if (name == "binary_accuracy") return BinaryAccuracy();
  if (name == "categorical_accuracy") return CategoricalAccuracy();
  if (name == "sparse_categorical_accuracy") return SparseCategoricalAccuracy();
  if (name == "mse" || name == "mean_squared_error") return MeanSquaredError(name);
  if (name == "mae" || name == "mean_absolute_error") return MeanAbsoluteError(name);
  if (name == "binary_crossentropy") return BinaryCrossentropy();
  if (name == "categorical_crossentropy") return CategoricalCrossentropy();
  if (name == "sparse_categorical_crossentropy") return SparseCategoricalCrossentropy();
  throw ValueError(str("Could not interpret metric identifier: ", excerpt(name)));
}

void validate(std::string_view name) {
  (void)get(name, {kNone, 2}, {kNone, 2});
}

}  // namespace keras::metrics
