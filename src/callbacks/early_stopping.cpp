#include "keras/callbacks/early_stopping.h"

#include <cmath>
#include <iostream>

#include "callbacks/monitor.h"
#include "keras/layers/layer.h"
#include "keras/trainers/trainer.h"

namespace keras::callbacks {

EarlyStoppingImpl::EarlyStoppingImpl(EarlyStoppingOptions options) : options_(std::move(options)) {
  options_.min_delta = std::abs(options_.min_delta);
  if (options_.mode != "auto" && options_.mode != "min" && options_.mode != "max") {
    detail::warn(
        str("EarlyStopping mode '", options_.mode, "' is unknown, fallback to auto mode."));
    options_.mode = "auto";
  }
  if (options_.mode != "auto") upwards_ = options_.mode == "max";
}

void EarlyStoppingImpl::on_train_begin(const Logs&) {
  wait = 0;
  stopped_epoch = 0;
  best_epoch = 0;
  best.reset();
  best_weights_.clear();
}

bool EarlyStoppingImpl::is_improvement(double value, double reference) const {
  return *upwards_ ? value - options_.min_delta > reference
                   : value + options_.min_delta < reference;
}

void EarlyStoppingImpl::on_epoch_end(int epoch, const Logs& logs) {
  if (!upwards_)
    upwards_ = detail::auto_direction(options_.monitor, trainer_if_set(), "EarlyStopping");
  auto it = logs.find(options_.monitor);
  if (it == logs.end()) {
    detail::warn(str("Early stopping conditioned on metric `", options_.monitor,
                     "` which is not available. Available metrics are: ", detail::keys(logs)));
    return;
  }
  if (epoch < options_.start_from_epoch) return;
  const double current = it->second;
  if (options_.restore_best_weights && best_weights_.empty()) {
    best_weights_ = trainer().model().get_weights();
    best_epoch = epoch;
  }
  ++wait;
  if (!best || is_improvement(current, *best)) {
    best = current;
    best_epoch = epoch;
    if (options_.restore_best_weights) best_weights_ = trainer().model().get_weights();
    // Waiting restarts only when the value also beats the baseline.
    if (!options_.baseline || is_improvement(current, *options_.baseline)) wait = 0;
    return;
  }
  if (wait >= options_.patience && epoch > 0) {
    stopped_epoch = epoch;
    trainer().stop_training = true;
  }
}

void EarlyStoppingImpl::on_train_end(const Logs&) {
  if (stopped_epoch > 0 && options_.verbose > 0)
    std::cout << "Epoch " << stopped_epoch + 1 << ": early stopping" << std::endl;
  if (options_.restore_best_weights && !best_weights_.empty()) {
    if (options_.verbose > 0) {
      std::cout << "Restoring model weights from the end of the best epoch: " << best_epoch + 1
                << "." << std::endl;
    }
    trainer().model().set_weights(best_weights_);
  }
}

std::shared_ptr<EarlyStoppingImpl> EarlyStopping(EarlyStoppingOptions options) {
  return std::make_shared<EarlyStoppingImpl>(std::move(options));
}

}  // namespace keras::callbacks
