// Regression, probabilistic and hinge metrics (keras.metrics.MeanSquaredError, ..., R2Score):
// Means over Keras's per-sample loss functions (keras/losses/losses.h), with Keras 3's names
// and configs, plus RootMeanSquaredError and R2Score.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "keras/core/tensor.h"
#include "keras/metrics/metric.h"

namespace keras::metrics {

MetricPtr MeanSquaredError(std::string name = "mean_squared_error");
MetricPtr MeanAbsoluteError(std::string name = "mean_absolute_error");
MetricPtr MeanAbsolutePercentageError(std::string name = "mean_absolute_percentage_error");
MetricPtr MeanSquaredLogarithmicError(std::string name = "mean_squared_logarithmic_error");
// sum(l2_normalize(y_true) * l2_normalize(y_pred)) along `axis` (Keras's config leaves the
// axis out).
struct CosineSimilarityOptions {
  std::string name = "cosine_similarity";
  int axis = -1;
};
MetricPtr CosineSimilarity(CosineSimilarityOptions options = {});
MetricPtr LogCoshError(std::string name = "logcosh");
// The cross-entropy metrics: means of losses::binary_crossentropy, categorical_crossentropy and
// sparse_categorical_crossentropy with these arguments (see keras/losses/losses.h).
struct BinaryCrossentropyOptions {
  std::string name = "binary_crossentropy";
  bool from_logits = false;
  double label_smoothing = 0.0;
};
MetricPtr BinaryCrossentropy(BinaryCrossentropyOptions options = {});
struct CategoricalCrossentropyOptions {
  std::string name = "categorical_crossentropy";
  bool from_logits = false;
  double label_smoothing = 0.0;
  int axis = -1;
};
MetricPtr CategoricalCrossentropy(CategoricalCrossentropyOptions options = {});
struct SparseCategoricalCrossentropyOptions {
  std::string name = "sparse_categorical_crossentropy";
  bool from_logits = false;
  std::optional<int64_t> ignore_class = std::nullopt;
  int axis = -1;
};
MetricPtr SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions options = {});
// keras.metrics.PearsonCorrelation: the mean over samples of Keras's pearson_correlation
// (centred and divided by the standard deviation along `axis`, then the mean of the products),
// and ConcordanceCorrelation: of Keras's concordance_correlation (2 cov / (var_t + var_p +
// (mean_t - mean_p)^2 + epsilon), with Keras's covariance term (y_true - mean(y_pred)) *
// (y_pred - mean(y_pred))). NaN where a row is constant (Pearson), as in Keras.
Tensor pearson_correlation(const Tensor& y_true, const Tensor& y_pred, int axis = -1);
Tensor concordance_correlation(const Tensor& y_true, const Tensor& y_pred, int axis = -1);
struct CorrelationOptions {
  std::string name;  // empty: "pearson_correlation" / "concordance_correlation"
  int axis = -1;
};
MetricPtr PearsonCorrelation(CorrelationOptions options = {});
MetricPtr ConcordanceCorrelation(CorrelationOptions options = {});
MetricPtr KLDivergence(std::string name = "kl_divergence");
MetricPtr Poisson(std::string name = "poisson");
MetricPtr Hinge(std::string name = "hinge");
MetricPtr SquaredHinge(std::string name = "squared_hinge");
MetricPtr CategoricalHinge(std::string name = "categorical_hinge");

// keras.metrics.RootMeanSquaredError: sqrt of the weighted mean of (y_pred - y_true)^2.
class RootMeanSquaredError : public Mean {
 public:
  explicit RootMeanSquaredError(std::string name = "root_mean_squared_error");
  void update_state(const Tensor& y_true,
                    const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  double result() const override;
  std::string class_name() const override { return "RootMeanSquaredError"; }
};

// keras.metrics.R2Score on (batch, outputs) inputs: 1 - residual / total sum of squares per
// output, aggregated by `class_aggregation` ("uniform_average", "variance_weighted_average", or
// std::nullopt for one value per output), adjusted for `num_regressors` when there are enough
// samples (else the plain score, as Keras falls back after its warning). Variables
// num_samples, then (on the first update) squared_sum, sum, residual, count.
struct R2ScoreOptions {
  std::optional<std::string> class_aggregation = "uniform_average";
  int num_regressors = 0;
  std::string name = "r2_score";
};
class R2Score : public Metric {
 public:
  explicit R2Score(R2ScoreOptions options = {});
  void update_state(const Tensor& y_true,
                    const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  Tensor result_tensor() const override;
  std::string class_name() const override { return "R2Score"; }
  Json get_config() const override;

 private:
  R2ScoreOptions options_;
  Tensor num_samples_, squared_sum_, sum_, residual_, count_;
};

}  // namespace keras::metrics
