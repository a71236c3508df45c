#include "keras/metrics/confusion.h"

#include <cmath>

#include "keras/config/json.h"
#include "keras/losses/loss.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "metrics/wrapped.h"

namespace keras::metrics {
namespace {

using namespace keras::ops;

constexpr double kNegInf = -1e10;  // Keras's NEG_INF for predictions top_k drops

std::string thresholds_str(const std::vector<double>& ts) {
  std::string s = "[";
  for (size_t i = 0; i < ts.size(); ++i) s += (i ? ", " : "") + py_float(ts[i]);
  return s + "]";
}

std::vector<double> parse_thresholds(const std::vector<double>& given, double default_threshold) {
  std::vector<double> invalid;
  for (double t : given) {
    if (!(t >= 0 && t <= 1)) invalid.push_back(t);
  }
  KERAS_CHECK(invalid.empty(), ValueError,
              "Threshold values must be in [0, 1]. Received: ", thresholds_str(invalid));
  return given.empty() ? std::vector<double>{default_threshold} : given;
}

// Keras's is_evenly_distributed_thresholds (np.allclose against arange(n) / (n - 1)).
bool evenly_distributed(const std::vector<double>& ts) {
  const size_t n = ts.size();
  if (n < 3) return false;
  for (size_t i = 0; i < n; ++i) {
    const double even = static_cast<float>(static_cast<float>(i) / static_cast<float>(n - 1));
    if (std::abs(ts[i] - even) > 1e-7 + 1e-5 * std::abs(even)) return false;
  }
  return true;
}

Json thresholds_json(const std::vector<double>& given) {
  if (given.empty()) return nullptr;
  if (given.size() == 1) return given[0];
  return given;
}

// A (1, n) float32 row of constants on `device`.
Tensor row(const std::vector<double>& values, Device device) {
  std::vector<float> f(values.begin(), values.end());
  return Tensor::from_vector(f, {1, static_cast<int64_t>(f.size())}).to(device);
}

// Whether each element is among the k largest of its row (ties: lower index first, as top_k).
Tensor top_k_mask(const Tensor& x, int k) {
  const int64_t classes = x.shape().back();
  KERAS_CHECK(k <= classes, ValueError, "top_k=", k,
              " must be no larger than the last dimension of y_pred, ", classes);
  std::vector<float> tri(static_cast<size_t>(classes * classes), 0.0f);
  for (int64_t i = 0; i < classes; ++i) {
    for (int64_t j = 0; j < i; ++j) tri[i * classes + j] = 1.0f;
  }
  const Tensor earlier = greater(Tensor::from_vector(tri, {classes, classes}).to(x.device()), 0.5);
  const Tensor xi = expand_dims(x, -1), xj = expand_dims(x, -2);
  const Tensor ahead = logical_or(greater(xj, xi), logical_and(equal(xj, xi), earlier));
  const Tensor count = sum(cast(ahead, float32), -1);
  return less(count, full({}, k, float32, x.device()));
}

}  // namespace

std::string py_float(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::abs(v) < 1e16) return str(v, ".0");
  return str(v);
}

void update_confusion_matrix_variables(const ConfusionCounts& counts,
                                       const Tensor& y_true_in,
                                       const Tensor& y_pred_in,
                                       const std::vector<double>& thresholds,
                                       std::optional<int> top_k,
                                       std::optional<int> class_id,
                                       const Tensor& sample_weight,
                                       bool thresholds_distributed_evenly) {
  auto [y_pred, y_true] =
      losses::squeeze_or_expand_to_same_rank(cast(y_pred_in, float32), cast(y_true_in, float32));
  Tensor sw;
  if (sample_weight.defined()) {
    sw = expand_dims(cast(sample_weight, float64), -1);
    sw = losses::squeeze_or_expand_to_same_rank(y_true, sw, false).second;
  }
  if (top_k) y_pred = where(top_k_mask(y_pred, *top_k), y_pred, full_like(y_pred, kNegInf));
  if (class_id) {
    KERAS_CHECK(y_pred.rank() != 1, ValueError,
                "When class_id is provided, y_pred must be a 2D array with shape (num_samples, "
                "num_classes), found shape: ",
                shape_str(y_pred.shape()));
    const int64_t classes = y_pred.shape().back();
    const int64_t id = *class_id < 0 ? *class_id + classes : *class_id;
    KERAS_CHECK(id >= 0 && id < classes, ValueError, "class_id=", *class_id,
                " is out of range for y_pred of shape ", shape_str(y_pred.shape()));
    y_true = slice_axis(y_true, -1, id, 1);
    y_pred = slice_axis(y_pred, -1, id, 1);
  }
  KERAS_CHECK(y_true.shape() == y_pred.shape(), ValueError, "Incompatible shapes: y_true of shape ",
              shape_str(y_true_in.shape()), " and y_pred of shape ", shape_str(y_pred_in.shape()));
  const int64_t n = static_cast<int64_t>(thresholds.size());
  const Tensor pred = reshape(y_pred, {-1, 1});
  Tensor above;  // (samples, thresholds): counted as positive at that threshold
  if (thresholds_distributed_evenly) {
    const Tensor scaled = multiply(clip(pred, 0.0, 1.0), full({}, n - 1, float32, pred.device()));
    Tensor bucket = subtract(negative(floor(negative(scaled))), 1.0);
    if (thresholds.front() < 0 || thresholds.back() > 1) bucket = maximum(bucket, 0.0);
    std::vector<double> index(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) index[i] = static_cast<double>(i);
    above = greater_equal(bucket, row(index, pred.device()));
  } else {
    above = greater(pred, row(thresholds, pred.device()));
  }
  const Tensor pos_pred = cast(above, float64), neg_pred = subtract(1.0, pos_pred);
  Tensor pos_label = cast(reshape(not_equal(y_true, zeros_like(y_true)), {-1, 1}), float64);
  Tensor neg_label = subtract(1.0, pos_label);
  if (sw.defined()) {
    KERAS_CHECK(broadcasts_to(sw.shape(), y_pred.shape()), ValueError,
                "Incompatible shapes for broadcasting: sample_weight of shape ",
                shape_str(sample_weight.shape()), " and y_pred of shape ",
                shape_str(y_pred.shape()));
    const Tensor w = reshape(broadcast_to(sw, y_pred.shape()), {-1, 1});
    pos_label = multiply(pos_label, w);
    neg_label = multiply(neg_label, w);
  }
  auto add = [](const Tensor& var, const Tensor& pred_mask, const Tensor& label) {
    if (var.defined()) assign_add(var, sum(multiply(pred_mask, label), 0));
  };
  add(counts.tp, pos_pred, pos_label);
  add(counts.fp, pos_pred, neg_label);
  add(counts.tn, neg_pred, neg_label);
  add(counts.fn, neg_pred, pos_label);
}

namespace {

double divide_no_nan(double a, double b) {
  return b == 0 ? 0.0 : a / b;
}

// tp / (tp + other) per threshold, a scalar for one threshold.
Tensor ratio(const Tensor& tp_in, const Tensor& other_in) {
  const Tensor tp = tp_in.cpu(), other = other_in.cpu();
  const int64_t n = tp.size();
  std::vector<double> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    out[i] = divide_no_nan(tp.data<double>()[i], tp.data<double>()[i] + other.data<double>()[i]);
  }
  return n == 1 ? full({}, out[0], float64, Device::cpu()) : Tensor::from_vector(out, {n});
}

class PrecisionRecall : public Metric {
 public:
  PrecisionRecall(bool recall, PrecisionOptions o)
      : Metric(std::move(o.name), recall ? "recall" : "precision"),
        recall_(recall),
        given_(o.thresholds),
        thresholds_(parse_thresholds(o.thresholds, o.top_k ? kNegInf : 0.5)),
        evenly_(evenly_distributed(thresholds_)),
        top_k_(o.top_k),
        class_id_(o.class_id) {
    const Shape shape{static_cast<int64_t>(thresholds_.size())};
    tp_ = add_variable("true_positives", shape).value();
    other_ = add_variable(recall ? "false_negatives" : "false_positives", shape).value();
  }
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sw) override {
    ConfusionCounts counts;
    counts.tp = tp_;
    (recall_ ? counts.fn : counts.fp) = other_;
    update_confusion_matrix_variables(counts, y_true, y_pred, thresholds_, top_k_, class_id_, sw,
                                      evenly_);
  }
  Tensor result_tensor() const override { return ratio(tp_, other_); }
  std::string class_name() const override { return recall_ ? "Recall" : "Precision"; }
  Json get_config() const override {
    Json config = Metric::get_config();
    config["thresholds"] = thresholds_json(given_);
    config["top_k"] = top_k_ ? Json(*top_k_) : Json(nullptr);
    config["class_id"] = class_id_ ? Json(*class_id_) : Json(nullptr);
    return config;
  }

 private:
  bool recall_;
  std::vector<double> given_, thresholds_;
  bool evenly_;
  std::optional<int> top_k_, class_id_;
  Tensor tp_, other_;
};

enum class Cell { tp, fp, tn, fn };

class ConfusionCount : public Metric {
 public:
  ConfusionCount(Cell cell, ConfusionCountOptions o)
      : Metric(std::move(o.name), prefix(cell)),
        cell_(cell),
        given_(o.thresholds),
        thresholds_(parse_thresholds(o.thresholds, 0.5)),
        evenly_(evenly_distributed(thresholds_)) {
    accumulator_ = add_variable("accumulator", {static_cast<int64_t>(thresholds_.size())}).value();
  }
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sw) override {
    ConfusionCounts counts;
    Tensor* slot[] = {&counts.tp, &counts.fp, &counts.tn, &counts.fn};
    *slot[static_cast<int>(cell_)] = accumulator_;
    update_confusion_matrix_variables(counts, y_true, y_pred, thresholds_, std::nullopt,
                                      std::nullopt, sw, evenly_);
  }
  Tensor result_tensor() const override {
    const Tensor a = accumulator_.cpu();
    return a.size() == 1 ? full({}, a.data<double>()[0], float64, Device::cpu()) : a;
  }
  std::string class_name() const override {
    const char* names[] = {"TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives"};
    return names[static_cast<int>(cell_)];
  }
  Json get_config() const override {
    Json config = Metric::get_config();
    config["thresholds"] = thresholds_json(given_);
    return config;
  }

 private:
  static const char* prefix(Cell cell) {
    const char* names[] = {"true_positives", "false_positives", "true_negatives",
                           "false_negatives"};
    return names[static_cast<int>(cell)];
  }
  Cell cell_;
  std::vector<double> given_, thresholds_;
  bool evenly_;
  Tensor accumulator_;
};

}  // namespace

MetricPtr Precision(PrecisionOptions options) {
  return std::make_shared<PrecisionRecall>(false, std::move(options));
}
MetricPtr Recall(RecallOptions options) {
  return std::make_shared<PrecisionRecall>(true, std::move(options));
}
MetricPtr TruePositives(ConfusionCountOptions o) {
  return std::make_shared<ConfusionCount>(Cell::tp, std::move(o));
}
MetricPtr FalsePositives(ConfusionCountOptions o) {
  return std::make_shared<ConfusionCount>(Cell::fp, std::move(o));
}
MetricPtr TrueNegatives(ConfusionCountOptions o) {
  return std::make_shared<ConfusionCount>(Cell::tn, std::move(o));
}
MetricPtr FalseNegatives(ConfusionCountOptions o) {
  return std::make_shared<ConfusionCount>(Cell::fn, std::move(o));
}

AUC::AUC(std::string name, int num_thresholds) : Metric(std::move(name), "auc") {
  KERAS_CHECK(num_thresholds > 1, ValueError,
              "Argument `num_thresholds` must be an integer > 1. "
              "Received: num_thresholds=",
              num_thresholds);
  thresholds_.resize(static_cast<size_t>(num_thresholds));
  for (int i = 0; i < num_thresholds - 2; ++i) {
    thresholds_[i + 1] = (i + 1) * 1.0 / (num_thresholds - 1);
  }
  thresholds_.front() = 0.0 - 1e-7;
  thresholds_.back() = 1.0 + 1e-7;
  const Shape shape{num_thresholds};
  tp_ = add_variable("true_positives", shape).value();
  fp_ = add_variable("false_positives", shape).value();
  tn_ = add_variable("true_negatives", shape).value();
  fn_ = add_variable("false_negatives", shape).value();
}

void AUC::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  update_confusion_matrix_variables({tp_, fp_, tn_, fn_}, y_true, y_pred, thresholds_, std::nullopt,
                                    std::nullopt, sample_weight, true);
}

double AUC::result() const {
  const int64_t n = tp_.size();
  const Tensor tp_host = tp_.cpu(), fp_host = fp_.cpu(), tn_host = tn_.cpu(), fn_host = fn_.cpu();
  const double *tp = tp_host.data<double>(), *fp = fp_host.data<double>(),
               *tn = tn_host.data<double>(), *fn = fn_host.data<double>();
  double area = 0;
  for (int64_t i = 0; i + 1 < n; ++i) {
    const double x0 = divide_no_nan(fp[i], fp[i] + tn[i]),
                 x1 = divide_no_nan(fp[i + 1], fp[i + 1] + tn[i + 1]);
    const double y0 = divide_no_nan(tp[i], tp[i] + fn[i]),
                 y1 = divide_no_nan(tp[i + 1], tp[i + 1] + fn[i + 1]);
    area += (x0 - x1) * (y0 + y1) / 2.0;
  }
  return area;
}

Json AUC::get_config() const {
  Json config = Metric::get_config();
  config["num_thresholds"] = static_cast<int>(thresholds_.size());
  config["curve"] = "ROC";
  config["summation_method"] = "interpolation";
  config["multi_label"] = false;
  config["num_labels"] = nullptr;
  config["label_weights"] = nullptr;
  config["from_logits"] = false;
  return config;
}

}  // namespace keras::metrics
