#include "keras/metrics/regression.h"

#include <cmath>

#include "keras/config/json.h"
#include "keras/losses/loss.h"
#include "keras/losses/losses.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "metrics/wrapped.h"

namespace keras::metrics {

MetricPtr MeanSquaredError(std::string name) {
  return keras_mean_metric("MeanSquaredError", std::move(name), losses::mean_squared_error);
}
MetricPtr MeanAbsoluteError(std::string name) {
  return keras_mean_metric("MeanAbsoluteError", std::move(name), losses::mean_absolute_error);
}
MetricPtr MeanAbsolutePercentageError(std::string name) {
  return keras_mean_metric("MeanAbsolutePercentageError", std::move(name),
                           losses::mean_absolute_percentage_error);
}
MetricPtr MeanSquaredLogarithmicError(std::string name) {
  return keras_mean_metric("MeanSquaredLogarithmicError", std::move(name),
                           losses::mean_squared_logarithmic_error);
}
MetricPtr CosineSimilarity(CosineSimilarityOptions o) {
  const int axis = o.axis;
  return keras_mean_metric("CosineSimilarity", std::move(o.name),
                           [axis](const Tensor& t, const Tensor& p) {
                             return ops::negative(losses::cosine_similarity(t, p, axis));
                           });
}
MetricPtr LogCoshError(std::string name) {
  return keras_mean_metric("LogCoshError", std::move(name), losses::log_cosh);
}
namespace {

// Keras writes label_smoothing as given: 0 by default, a float otherwise.
Json smoothing_json(double v) {
  return v == 0 ? Json(0) : Json(v);
}

// y_true in y_pred's dtype (float32 for integer predictions), ranks aligned as Keras's
// squeeze_or_expand_to_same_rank.
std::pair<Tensor, Tensor> correlation_inputs(const Tensor& y_true, const Tensor& y_pred) {
  const Tensor p = is_floating(y_pred.dtype()) ? y_pred : ops::cast(y_pred, float32);
  return losses::squeeze_or_expand_to_same_rank(ops::cast(y_true, p.dtype()), p);
}

Tensor centred(const Tensor& x, int axis) {
  return ops::subtract(x, ops::mean(x, {axis}, true));
}

// The biased variance along `axis` (keras.ops.var).
Tensor variance(const Tensor& x, int axis) {
  return ops::mean(ops::square(centred(x, axis)), {axis}, true);
}

}  // namespace

Tensor pearson_correlation(const Tensor& y_true, const Tensor& y_pred, int axis) {
  auto [t, p] = correlation_inputs(y_true, y_pred);
  Tensor tn = centred(t, axis), pn = centred(p, axis);
  tn = ops::divide(tn, ops::sqrt(variance(tn, axis)));
  pn = ops::divide(pn, ops::sqrt(variance(pn, axis)));
  return ops::mean(ops::multiply(tn, pn), {axis});
}

Tensor concordance_correlation(const Tensor& y_true, const Tensor& y_pred, int axis) {
  auto [t, p] = correlation_inputs(y_true, y_pred);
  const Tensor t_mean = ops::mean(t, {axis}, true), p_mean = ops::mean(p, {axis}, true);
  const Tensor t_var = variance(ops::subtract(t, t_mean), axis);
  const Tensor p_var = variance(ops::subtract(p, p_mean), axis);
  // Keras's covariance term centres y_true on y_pred's mean.
  const Tensor covar = ops::multiply(ops::subtract(t, p_mean), ops::subtract(p, p_mean));
  const Tensor norm = ops::add(ops::add(t_var, p_var), ops::square(ops::subtract(t_mean, p_mean)));
  return ops::mean(ops::divide(ops::multiply(covar, 2.0), ops::add(norm, losses::kEpsilon)),
                   {axis});
}

MetricPtr BinaryCrossentropy(BinaryCrossentropyOptions o) {
  const bool logits = o.from_logits;
  const double smoothing = o.label_smoothing;
  return keras_mean_metric(
      "BinaryCrossentropy", std::move(o.name),
      [=](const Tensor& t, const Tensor& p) {
        return losses::binary_crossentropy(t, p, logits, smoothing);
      },
      Json{{"from_logits", logits}, {"label_smoothing", smoothing_json(smoothing)}});
}
MetricPtr CategoricalCrossentropy(CategoricalCrossentropyOptions o) {
  const bool logits = o.from_logits;
  const double smoothing = o.label_smoothing;
  const int axis = o.axis;
  return keras_mean_metric(
      "CategoricalCrossentropy", std::move(o.name),
      [=](const Tensor& t, const Tensor& p) {
        return losses::categorical_crossentropy(t, p, logits, smoothing, axis);
      },
      Json{
          {"from_logits", logits}, {"label_smoothing", smoothing_json(smoothing)}, {"axis", axis}});
}
MetricPtr SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions o) {
  const bool logits = o.from_logits;
  const std::optional<int64_t> ignore = o.ignore_class;
  const int axis = o.axis;
  return keras_mean_metric(
      "SparseCategoricalCrossentropy", std::move(o.name),
      [=](const Tensor& t, const Tensor& p) {
        return losses::sparse_categorical_crossentropy(t, p, logits, ignore, axis);
      },
      Json{{"from_logits", logits},
           {"ignore_class", ignore ? Json(*ignore) : Json(nullptr)},
           {"axis", axis}});
}
MetricPtr PearsonCorrelation(CorrelationOptions o) {
  const int axis = o.axis;
  return keras_mean_metric(
      "PearsonCorrelation", o.name.empty() ? "pearson_correlation" : std::move(o.name),
      [axis](const Tensor& t, const Tensor& p) { return pearson_correlation(t, p, axis); },
      Json{{"axis", axis}});
}
MetricPtr ConcordanceCorrelation(CorrelationOptions o) {
  const int axis = o.axis;
  return keras_mean_metric(
      "ConcordanceCorrelation", o.name.empty() ? "concordance_correlation" : std::move(o.name),
      [axis](const Tensor& t, const Tensor& p) { return concordance_correlation(t, p, axis); },
      Json{{"axis", axis}});
}
MetricPtr KLDivergence(std::string name) {
  return keras_mean_metric("KLDivergence", std::move(name), losses::kl_divergence);
}
MetricPtr Poisson(std::string name) {
  return keras_mean_metric("Poisson", std::move(name), losses::poisson);
}
MetricPtr Hinge(std::string name) {
  return keras_mean_metric("Hinge", std::move(name), losses::hinge);
}
MetricPtr SquaredHinge(std::string name) {
  return keras_mean_metric("SquaredHinge", std::move(name), losses::squared_hinge);
}
MetricPtr CategoricalHinge(std::string name) {
  return keras_mean_metric("CategoricalHinge", std::move(name), losses::categorical_hinge);
}

RootMeanSquaredError::RootMeanSquaredError(std::string name) : Mean(std::move(name)) {}

void RootMeanSquaredError::update_state(const Tensor& y_true,
                                        const Tensor& y_pred,
                                        const Tensor& sample_weight) {
  auto [t, p] = losses::squeeze_or_expand_to_same_rank(ops::cast(y_true, float64),
                                                       ops::cast(y_pred, float64));
  update_values(ops::square(ops::subtract(p, t)), sample_weight);
}

double RootMeanSquaredError::result() const {
  return std::sqrt(Mean::result());
}

R2Score::R2Score(R2ScoreOptions options)
    : Metric(std::move(options.name), "r2_score"), options_(std::move(options)) {
  const auto& agg = options_.class_aggregation;
  KERAS_CHECK(!agg || *agg == "uniform_average" || *agg == "variance_weighted_average", ValueError,
              "Invalid value for argument `class_aggregation`. Expected one of (None, "
              "'uniform_average', 'variance_weighted_average'). Received: class_aggregation=",
              *agg);
  KERAS_CHECK(options_.num_regressors >= 0, ValueError,
              "Invalid value for argument `num_regressors`. Expected a value >= 0. Received: "
              "num_regressors=",
              options_.num_regressors);
  num_samples_ = add_variable("num_samples", {}).value();
}

void R2Score::update_state(const Tensor& y_true,
                           const Tensor& y_pred,
                           const Tensor& sample_weight) {
  auto [t, p] = losses::squeeze_or_expand_to_same_rank(ops::cast(y_true, float64),
                                                       ops::cast(y_pred, float64));
  if (!sum_.defined()) {
    KERAS_CHECK(t.rank() == 2 && p.rank() == 2, ValueError,
                "R2Score expects 2D inputs with shape (batch_size, output_dim). Received input "
                "shapes: y_pred.shape=",
                shape_str(p.shape()), " and y_true.shape=", shape_str(t.shape()), ".");
    const Shape outputs{p.shape().back()};
    squared_sum_ = add_variable("squared_sum", outputs).value();
    sum_ = add_variable("sum", outputs).value();
    residual_ = add_variable("residual", outputs).value();
    count_ = add_variable("count", outputs).value();
  }
  Tensor sw = sample_weight.defined() ? ops::cast(sample_weight, float64)
                                      : full({}, 1.0, float64, t.device());
  if (sw.rank() == 1) sw = ops::expand_dims(sw, 1);
  KERAS_CHECK(broadcasts_to(sw.shape(), t.shape()), ValueError,
              "Incompatible shapes for broadcasting: sample_weight of shape ",
              shape_str(sample_weight.shape()), " and y_true of shape ", shape_str(t.shape()));
  sw = ops::broadcast_to(sw, t.shape());
  const Tensor weighted = ops::multiply(t, sw);
  ops::assign_add(sum_, ops::sum(weighted, 0));
  ops::assign_add(squared_sum_, ops::sum(ops::multiply(t, weighted), 0));
  ops::assign_add(residual_, ops::sum(ops::multiply(ops::square(ops::subtract(t, p)), sw), 0));
  ops::assign_add(count_, ops::sum(sw, 0));
  ops::assign_add(num_samples_,
                  full({}, static_cast<double>(t.size()), float64, num_samples_.device()));
}

Tensor R2Score::result_tensor() const {
  if (!sum_.defined()) return full({}, 0.0, float64, Device::cpu());
  const Tensor s = sum_.cpu(), sq = squared_sum_.cpu(), res = residual_.cpu(), c = count_.cpu();
  const int64_t n = s.size();
  std::vector<double> raw(static_cast<size_t>(n)), total(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const double mean = s.data<double>()[i] / c.data<double>()[i];
    total[i] = sq.data<double>()[i] - s.data<double>()[i] * mean;
    raw[i] = 1.0 - res.data<double>()[i] / total[i];
    if (std::isinf(raw[i])) raw[i] = 0.0;
  }
  std::vector<double> scores = raw;  // class_aggregation None: one per output
  if (options_.class_aggregation && *options_.class_aggregation == "uniform_average") {
    double score = 0;
    for (double r : raw) score += r;
    scores = {score / static_cast<double>(n)};
  } else if (options_.class_aggregation) {
    double weighted = 0, weights = 0;
    for (int64_t i = 0; i < n; ++i) weighted += total[i] * raw[i], weights += total[i];
    scores = {weighted / weights};
  }
  // Adjusted for num_regressors, per output too (Keras falls back to the plain score, with a
  // warning, when there are not enough samples).
  const double samples = num_samples_.item<double>(), p = options_.num_regressors;
  if (p != 0 && p < samples - 1) {
    for (double& score : scores)
      score = 1.0 - (1.0 - score) * (samples - 1.0) / (samples - p - 1.0);
  }
  if (!options_.class_aggregation) return Tensor::from_vector(scores, {n});
  return full({}, scores[0], float64, Device::cpu());
}

Json R2Score::get_config() const {
  Json config = Metric::get_config();
  config["class_aggregation"] =
      options_.class_aggregation ? Json(*options_.class_aggregation) : Json(nullptr);
  config["num_regressors"] = options_.num_regressors;
  return config;
}

}  // namespace keras::metrics
