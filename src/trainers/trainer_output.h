// What the trainer keeps for each output of the model (trainer.cpp, trainer_data.cpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "keras/trainers/trainer.h"

namespace keras::trainers {

struct Trainer::Output {
  std::string name;
  losses::LossPtr loss;
  double weight = 1.0;
  // compile's metrics, then its weighted_metrics (updated with the sample weights).
  std::vector<MetricItem> metric_items;
  size_t num_unweighted = 0;
  std::vector<metrics::MetricPtr> metrics;
  std::shared_ptr<metrics::Mean> loss_tracker;  // per-output loss, with several outputs
  std::vector<std::string> log_keys;            // per metric: "accuracy", "<output>_accuracy", ...
  bool weighted(size_t k) const { return k >= num_unweighted; }
};

}  // namespace keras::trainers
