// keras.metrics.FBetaScore and F1Score on (batch, classes) inputs.
//
// A prediction is positive when above `threshold`, or, without one, when it is its row's
// largest (ties all count) and not within 1e-9 of 0. Per class (or over all, "micro"):
// precision = tp / (tp + fp + 1e-7), recall = tp / (tp + fn + 1e-7),
// f = (1 + beta^2) * precision * recall / (beta^2 * precision + recall + 1e-7), then averaged
// by `average`: std::nullopt keeps one value per class (result_tensor; result() throws),
// "macro" the mean, "weighted" weighted by each class's (weighted) number of true labels, and
// "micro" counts over all classes. Sample weights have one value per row. Variables
// true_positives, false_positives, false_negatives, intermediate_weights, created by the first
// update_state (ValueError there unless both inputs are 2-D).
#pragma once

#include <optional>
#include <string>

#include "keras/metrics/metric.h"

namespace keras::metrics {

struct FBetaScoreOptions {
  std::optional<std::string> average = std::nullopt;
  double beta = 1.0;                               // > 0
  std::optional<double> threshold = std::nullopt;  // in (0, 1]
  std::string name = "fbeta_score";
};
MetricPtr FBetaScore(FBetaScoreOptions options = {});

struct F1ScoreOptions {
  std::optional<std::string> average = std::nullopt;
  std::optional<double> threshold = std::nullopt;
  std::string name = "f1_score";
};
MetricPtr F1Score(F1ScoreOptions options = {});

}  // namespace keras::metrics
