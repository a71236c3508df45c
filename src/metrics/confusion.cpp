#include "keras/metrics/confusion.h"

#include <algorithm>
#include <cmath>

#include "keras/config/json.h"
#include "keras/losses/loss.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
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
                                       bool thresholds_distributed_evenly,
                                       bool multi_label,
                                       const std::vector<double>& label_weights) {
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
  KERAS_CHECK(!multi_label || y_pred.rank() == 2, ValueError,
              "`y_pred` must have rank 2 when `multi_label=True`. Found rank ", y_pred.rank(),
              ". Full shape received for `y_pred`: ", shape_str(y_pred.shape()));
  const int64_t n = static_cast<int64_t>(thresholds.size());
  // (samples, 1), or with multi_label (samples, labels, 1): compared with (1, thresholds).
  auto column = [&](const Tensor& x) {
    return multi_label ? expand_dims(x, -1) : reshape(x, {-1, 1});
  };
  const Tensor pred = column(y_pred);
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
  Tensor pos_label = cast(column(not_equal(y_true, zeros_like(y_true))), float64);
  Tensor neg_label = subtract(1.0, pos_label);
  Tensor w;
  if (sw.defined()) {
    KERAS_CHECK(broadcasts_to(sw.shape(), y_pred.shape()), ValueError,
                "Incompatible shapes for broadcasting: sample_weight of shape ",
                shape_str(sample_weight.shape()), " and y_pred of shape ",
                shape_str(y_pred.shape()));
    w = broadcast_to(sw, y_pred.shape());
  }
  if (!label_weights.empty()) {
    KERAS_CHECK(!multi_label, ValueError,
                "`label_weights` for multilabel data should be handled outside of "
                "`update_confusion_matrix_variables` when `multi_label` is True.");
    std::vector<double> lw = label_weights;
    const Tensor lw_row = Tensor::from_vector(lw, {static_cast<int64_t>(lw.size())});
    KERAS_CHECK(broadcasts_to(lw_row.shape(), y_pred.shape()), ValueError,
                "Incompatible shapes for broadcasting: label_weights of shape ",
                shape_str(lw_row.shape()), " and y_pred of shape ", shape_str(y_pred.shape()));
    const Tensor lw_full = broadcast_to(lw_row.to(y_pred.device()), y_pred.shape());
    w = w.defined() ? multiply(w, lw_full) : lw_full;
  }
  if (w.defined()) {
    pos_label = multiply(pos_label, column(w));
    neg_label = multiply(neg_label, column(w));
  }
  auto add = [multi_label](const Tensor& var, const Tensor& pred_mask, const Tensor& label) {
    if (!var.defined()) return;
    const Tensor counts = sum(multiply(pred_mask, label), {0});
    assign_add(var, multi_label ? transpose(counts) : counts);
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

AUC::AUC(std::string name, int num_thresholds)
    : AUC(AUCOptions{.num_thresholds = num_thresholds, .name = std::move(name)}) {}

AUC::AUC(AUCOptions o) : Metric(o.name, "auc"), options_(std::move(o)) {
  const char* const curves[] = {"ROC", "PR", "PRGAIN"};
  const char* const lower_curves[] = {"roc", "pr", "prgain"};
  curve_ = -1;
  for (int i = 0; i < 3; ++i) {
    if (options_.curve == curves[i] || options_.curve == lower_curves[i]) curve_ = i;
  }
  KERAS_CHECK(curve_ >= 0, ValueError, "Invalid AUC curve value: \"", options_.curve,
              "\". Expected values are [\"PR\", \"ROC\", \"PRGAIN\"]");
  const char* const methods[] = {"interpolation", "majoring", "minoring"};
  const char* const capitalized[] = {"Interpolation", "Majoring", "Minoring"};
  summation_ = -1;
  for (int i = 0; i < 3; ++i) {
    if (options_.summation_method == methods[i] || options_.summation_method == capitalized[i]) {
      summation_ = i;
    }
  }
  KERAS_CHECK(summation_ >= 0, ValueError, "Invalid AUC summation method value: \"",
              options_.summation_method,
              "\". Expected values are [\"interpolation\", \"majoring\", \"minoring\"]");
  std::vector<double> inner;
  if (!options_.thresholds.empty()) {
    inner = options_.thresholds;
    std::sort(inner.begin(), inner.end());
    options_.num_thresholds = static_cast<int>(inner.size()) + 2;
    std::vector<double> ends = inner;
    ends.insert(ends.begin(), 0.0);
    ends.push_back(1.0);
    evenly_ = evenly_distributed(ends);
  } else {
    KERAS_CHECK(options_.num_thresholds > 1, ValueError,
                "Argument `num_thresholds` must be an integer > 1. Received: num_thresholds=",
                options_.num_thresholds);
    for (int i = 0; i < options_.num_thresholds - 2; ++i) {
      inner.push_back((i + 1) * 1.0 / (options_.num_thresholds - 1));
    }
  }
  thresholds_ = inner;
  thresholds_.insert(thresholds_.begin(), 0.0 - 1e-7);
  thresholds_.push_back(1.0 + 1e-7);
  if (options_.multi_label) {
    if (options_.num_labels && *options_.num_labels > 0) build(*options_.num_labels);
  } else {
    KERAS_CHECK(!options_.num_labels || *options_.num_labels == 0, ValueError,
                "`num_labels` is needed only when `multi_label` is True.");
    build(0);
  }
}

void AUC::build(int64_t num_labels) {
  Shape shape{options_.num_thresholds};
  if (options_.multi_label) shape.push_back(num_labels);
  tp_ = add_variable("true_positives", shape).value();
  fp_ = add_variable("false_positives", shape).value();
  tn_ = add_variable("true_negatives", shape).value();
  fn_ = add_variable("false_negatives", shape).value();
}

void AUC::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  if (!tp_.defined()) {
    KERAS_CHECK(y_pred.rank() == 2, ValueError,
                "`y_pred` must have rank 2 when `multi_label=True`. Found rank ", y_pred.rank(),
                ". Full shape received for `y_pred`: ", shape_str(y_pred.shape()));
    build(y_pred.shape()[1]);
  }
  const Tensor pred = options_.from_logits ? sigmoid(cast(y_pred, float32)) : y_pred;
  update_confusion_matrix_variables(
      {tp_, fp_, tn_, fn_}, y_true, pred, thresholds_, std::nullopt, std::nullopt, sample_weight,
      evenly_, options_.multi_label,
      options_.multi_label ? std::vector<double>{} : options_.label_weights);
}

void AUC::reset_state() {
  if (tp_.defined()) Metric::reset_state();
}

double AUC::result() const {
  if (!tp_.defined()) return 0.0;
  const int64_t n = options_.num_thresholds;
  const int64_t labels = options_.multi_label ? tp_.shape()[1] : 1;
  const Tensor tp_host = tp_.cpu(), fp_host = fp_.cpu(), tn_host = tn_.cpu(), fn_host = fn_.cpu();
  const double *tp_all = tp_host.data<double>(), *fp_all = fp_host.data<double>(),
               *tn_all = tn_host.data<double>(), *fn_all = fn_host.data<double>();
  std::vector<double> by_label(static_cast<size_t>(labels), 0.0);
  std::vector<double> tp(n), fp(n), tn(n), fn(n), x(n), y(n);
  for (int64_t l = 0; l < labels; ++l) {
    for (int64_t i = 0; i < n; ++i) {
      tp[i] = tp_all[i * labels + l];
      fp[i] = fp_all[i * labels + l];
      tn[i] = tn_all[i * labels + l];
      fn[i] = fn_all[i * labels + l];
    }
    double area = 0;
    if (curve_ == 1 && summation_ == 0) {
      // Davis & Goadrich's interpolation, as Keras's interpolate_pr_auc.
      for (int64_t i = 0; i + 1 < n; ++i) {
        const double dtp = tp[i] - tp[i + 1];
        const double p0 = tp[i] + fp[i], p1 = tp[i + 1] + fp[i + 1];
        const double slope = divide_no_nan(dtp, std::max(p0 - p1, 0.0));
        const double intercept = tp[i + 1] - slope * p1;
        const double ratio = p0 > 0 && p1 > 0 ? divide_no_nan(p0, std::max(p1, 0.0)) : 1.0;
        area += divide_no_nan(slope * (dtp + intercept * std::log(ratio)),
                              std::max(tp[i + 1] + fn[i + 1], 0.0));
      }
    } else {
      for (int64_t i = 0; i < n; ++i) {
        const double recall = divide_no_nan(tp[i], tp[i] + fn[i]);
        if (curve_ == 0) {
          x[i] = divide_no_nan(fp[i], fp[i] + tn[i]);
          y[i] = recall;
        } else if (curve_ == 1) {
          x[i] = recall;
          y[i] = divide_no_nan(tp[i], tp[i] + fp[i]);
        } else {  // PR gain, with Keras's fixes where it diverges
          const double scale = divide_no_nan(tp[i] + fn[i], tn[i] + fp[i]);
          x[i] = tp[i] == 0 ? 0.0 : std::max(1.0 - scale * divide_no_nan(fn[i], tp[i]), 0.0);
          y[i] = tp[i] == 0 ? 1.0 : 1.0 - scale * divide_no_nan(fp[i], tp[i]);
        }
      }
      for (int64_t i = 0; i + 1 < n; ++i) {
        const double height = summation_ == 0   ? (y[i] + y[i + 1]) / 2.0
                              : summation_ == 2 ? std::min(y[i], y[i + 1])
                                                : std::max(y[i], y[i + 1]);
        area += (x[i] - x[i + 1]) * height;
      }
    }
    by_label[l] = area;
  }
  if (!options_.multi_label) return by_label[0];
  if (options_.label_weights.empty()) {
    double total = 0;
    for (double a : by_label) total += a;
    return total / static_cast<double>(labels);
  }
  KERAS_CHECK(options_.label_weights.size() == static_cast<size_t>(labels), ValueError,
              "AUC: ", options_.label_weights.size(), " label_weights for ", labels, " labels");
  double weighted = 0, weights = 0;
  for (int64_t l = 0; l < labels; ++l) {
    weighted += by_label[l] * options_.label_weights[l];
    weights += options_.label_weights[l];
  }
  return divide_no_nan(weighted, weights);
}

Json AUC::get_config() const {
  Json config = Metric::get_config();
  const char* const curves[] = {"ROC", "PR", "PRGAIN"};
  const char* const methods[] = {"interpolation", "majoring", "minoring"};
  config["num_thresholds"] = options_.num_thresholds;
  config["curve"] = curves[curve_];
  config["summation_method"] = methods[summation_];
  config["multi_label"] = options_.multi_label;
  config["num_labels"] = options_.num_labels ? Json(*options_.num_labels) : Json(nullptr);
  config["label_weights"] =
      options_.label_weights.empty() ? Json(nullptr) : Json(options_.label_weights);
  config["from_logits"] = options_.from_logits;
  if (!options_.thresholds.empty()) {
    config["thresholds"] = std::vector<double>(thresholds_.begin() + 1, thresholds_.end() - 1);
  }
  return config;
}

namespace {

// SensitivityAtSpecificity & co.: the four counts and the best `dependent` rate among the
// thresholds where the `constrained` rate reaches the target.
class SensitivitySpecificity : public Metric {
 public:
  enum Kind {
    sensitivity_at_specificity,
    specificity_at_sensitivity,
    precision_at_recall,
    recall_at_precision
  };
  SensitivitySpecificity(Kind kind, double value, SensitivitySpecificityOptions o)
      : Metric(o.name, kPrefixes[kind]), kind_(kind), value_(value), options_(std::move(o)) {
    KERAS_CHECK(value >= 0 && value <= 1, ValueError, "Argument `", kArguments[kind],
                "` must be in the range [0, 1]. Received: ", kArguments[kind], "=",
                py_float(value));
    KERAS_CHECK(options_.num_thresholds > 0, ValueError,
                "Argument `num_thresholds` must be an integer > 0. Received: num_thresholds=",
                options_.num_thresholds);
    if (options_.num_thresholds == 1) {
      thresholds_ = {0.5};
      evenly_ = false;
    } else {
      thresholds_.push_back(0.0);
      for (int i = 0; i < options_.num_thresholds - 2; ++i) {
        thresholds_.push_back((i + 1) * 1.0 / (options_.num_thresholds - 1));
      }
      thresholds_.push_back(1.0);
    }
    const Shape shape{static_cast<int64_t>(thresholds_.size())};
    tp_ = add_variable("true_positives", shape).value();
    fp_ = add_variable("false_positives", shape).value();
    tn_ = add_variable("true_negatives", shape).value();
    fn_ = add_variable("false_negatives", shape).value();
  }
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sw) override {
    update_confusion_matrix_variables({tp_, fp_, tn_, fn_}, y_true, y_pred, thresholds_,
                                      std::nullopt, options_.class_id, sw, evenly_);
  }
  double result() const override {
    const Tensor tp_h = tp_.cpu(), fp_h = fp_.cpu(), tn_h = tn_.cpu(), fn_h = fn_.cpu();
    const double *tp = tp_h.data<double>(), *fp = fp_h.data<double>(), *tn = tn_h.data<double>(),
                 *fn = fn_h.data<double>();
    // Keras compares the float32 rates with the float32 target.
    const float target = static_cast<float>(value_);
    double best = 0;
    for (size_t i = 0; i < thresholds_.size(); ++i) {
      const double sensitivity = divide_no_nan(tp[i], tp[i] + fn[i]);
      const double specificity = divide_no_nan(tn[i], tn[i] + fp[i]);
      const double precision = divide_no_nan(tp[i], tp[i] + fp[i]);
      double constrained = 0, dependent = 0;
      switch (kind_) {
        case sensitivity_at_specificity:
          constrained = specificity, dependent = sensitivity;
          break;
        case specificity_at_sensitivity:
          constrained = sensitivity, dependent = specificity;
          break;
        case precision_at_recall:
          constrained = sensitivity, dependent = precision;
          break;
        case recall_at_precision:
          constrained = precision, dependent = sensitivity;
          break;
      }
      if (static_cast<float>(constrained) >= target) best = std::max(best, dependent);
    }
    return best;
  }
  std::string class_name() const override { return kClassNames[kind_]; }
  Json get_config() const override {
    Json config = Metric::get_config();
    config["class_id"] = options_.class_id ? Json(*options_.class_id) : Json(nullptr);
    config["num_thresholds"] = options_.num_thresholds;
    config[kArguments[kind_]] = value_;
    return config;
  }

 private:
  static constexpr const char* kPrefixes[] = {"sensitivity_at_specificity",
                                              "specificity_at_sensitivity", "precision_at_recall",
                                              "recall_at_precision"};
  static constexpr const char* kArguments[] = {"specificity", "sensitivity", "recall", "precision"};
  static constexpr const char* kClassNames[] = {"SensitivityAtSpecificity",
                                                "SpecificityAtSensitivity", "PrecisionAtRecall",
                                                "RecallAtPrecision"};
  Kind kind_;
  double value_;
  SensitivitySpecificityOptions options_;
  std::vector<double> thresholds_;
  bool evenly_ = true;
  Tensor tp_, fp_, tn_, fn_;
};

}  // namespace

MetricPtr SensitivityAtSpecificity(double specificity, SensitivitySpecificityOptions o) {
  return std::make_shared<SensitivitySpecificity>(
      SensitivitySpecificity::sensitivity_at_specificity, specificity, std::move(o));
}
MetricPtr SpecificityAtSensitivity(double sensitivity, SensitivitySpecificityOptions o) {
  return std::make_shared<SensitivitySpecificity>(
      SensitivitySpecificity::specificity_at_sensitivity, sensitivity, std::move(o));
}
MetricPtr PrecisionAtRecall(double recall, SensitivitySpecificityOptions o) {
  return std::make_shared<SensitivitySpecificity>(SensitivitySpecificity::precision_at_recall,
                                                  recall, std::move(o));
}
MetricPtr RecallAtPrecision(double precision, SensitivitySpecificityOptions o) {
  return std::make_shared<SensitivitySpecificity>(SensitivitySpecificity::recall_at_precision,
                                                  precision, std::move(o));
}

}  // namespace keras::metrics
