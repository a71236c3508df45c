#include "keras/metrics/f_score.h"

#include <cmath>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "metrics/wrapped.h"

namespace keras::metrics {
namespace {

using namespace keras::ops;

class FBeta : public Metric {
 public:
  FBeta(FBetaScoreOptions o, bool f1)
      : Metric(std::move(o.name), f1 ? "f1_score" : "fbeta_score"),
        average_(o.average),
        beta_(o.beta),
        threshold_(o.threshold),
        f1_(f1) {
    KERAS_CHECK(
        !average_ || *average_ == "micro" || *average_ == "macro" || *average_ == "weighted",
        ValueError,
        "Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
        "'weighted'}. Received: average=",
        *average_);
    KERAS_CHECK(
        beta_ > 0.0, ValueError,
        "Invalid `beta` argument value. It should be > 0. Received: beta=", py_float(beta_));
    KERAS_CHECK(!threshold_ || (*threshold_ > 0.0 && *threshold_ <= 1.0), ValueError,
                "Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                "Received: threshold=",
                py_float(threshold_.value_or(0)));
  }

  void update_state(const Tensor& y_true_in, const Tensor& y_pred_in, const Tensor& sw) override {
    const Tensor y_true = cast(y_true_in, float64), y_pred_f = cast(y_pred_in, float32);
    if (!tp_.defined()) build(y_true.shape(), y_pred_f.shape());
    Tensor positive;
    if (threshold_) {
      positive = greater(y_pred_f, *threshold_);
    } else {
      positive = logical_and(greater_equal(y_pred_f, max(y_pred_f, -1, true)),
                             greater(abs(y_pred_f), 1e-9));
    }
    const Tensor y_pred = cast(positive, float64);
    Tensor w;
    if (sw.defined()) w = expand_dims(cast(sw, float64), 1);
    auto weighted_sum = [&](const Tensor& v) {
      const Tensor x = w.defined() ? multiply(v, w) : v;
      return micro() ? sum(x) : sum(x, 0);
    };
    assign_add(tp_, weighted_sum(multiply(y_pred, y_true)));
    assign_add(fp_, weighted_sum(multiply(y_pred, subtract(1.0, y_true))));
    assign_add(fn_, weighted_sum(multiply(subtract(1.0, y_pred), y_true)));
    assign_add(weights_, weighted_sum(y_true));
  }

  Tensor result_tensor() const override {
    if (!tp_.defined()) return full({}, 0.0, float64, Device::cpu());
    const Tensor tp = tp_.cpu(), fp = fp_.cpu(), fn = fn_.cpu(), iw = weights_.cpu();
    const int64_t n = tp.size();
    const double eps = 1e-7, b2 = beta_ * beta_;
    std::vector<double> f(static_cast<size_t>(n));
    double weight_total = 0;
    for (int64_t i = 0; i < n; ++i) weight_total += iw.data<double>()[i];
    for (int64_t i = 0; i < n; ++i) {
      const double t = tp.data<double>()[i];
      const double precision = t / (t + fp.data<double>()[i] + eps);
      const double recall = t / (t + fn.data<double>()[i] + eps);
      f[i] = precision * recall / (b2 * precision + recall + eps) * (1 + b2);
    }
    if (!average_) return Tensor::from_vector(f, {n});
    double score = 0;
    if (*average_ == "weighted") {
      for (int64_t i = 0; i < n; ++i) score += f[i] * (iw.data<double>()[i] / (weight_total + eps));
    } else {
      for (double v : f) score += v;
      score /= static_cast<double>(n);
    }
    return full({}, score, float64, Device::cpu());
  }

  std::string class_name() const override { return f1_ ? "F1Score" : "FBetaScore"; }
  Json get_config() const override {
    Json config = Metric::get_config();
    config["average"] = average_ ? Json(*average_) : Json(nullptr);
    if (!f1_) config["beta"] = beta_;
    config["threshold"] = threshold_ ? Json(*threshold_) : Json(nullptr);
    return config;
  }

 private:
  bool micro() const { return average_ && *average_ == "micro"; }
  void build(const Shape& t, const Shape& p) {
    // Keras names FBetaScore for F1Score too.
    KERAS_CHECK(
        t.size() == 2 && p.size() == 2, ValueError,
        "FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received input shapes: "
        "y_pred.shape=",
        shape_str(p), " and y_true.shape=", shape_str(t), ".");
    const Shape shape = micro() ? Shape{} : Shape{p.back()};
    tp_ = add_variable("true_positives", shape).value();
    fp_ = add_variable("false_positives", shape).value();
    fn_ = add_variable("false_negatives", shape).value();
    weights_ = add_variable("intermediate_weights", shape).value();
  }

  std::optional<std::string> average_;
  double beta_;
  std::optional<double> threshold_;
  bool f1_;
  Tensor tp_, fp_, fn_, weights_;
};

}  // namespace

MetricPtr FBetaScore(FBetaScoreOptions options) {
  return std::make_shared<FBeta>(std::move(options), false);
}

MetricPtr F1Score(F1ScoreOptions o) {
  return std::make_shared<FBeta>(FBetaScoreOptions{.average = std::move(o.average),
                                                   .beta = 1.0,
                                                   .threshold = o.threshold,
                                                   .name = std::move(o.name)},
                                 true);
}

}  // namespace keras::metrics
