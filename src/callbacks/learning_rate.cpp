// ReduceLROnPlateau and LearningRateScheduler.
#include <cmath>
#include <iostream>
#include <limits>

#include "callbacks/monitor.h"
#include "callbacks/python_format.h"
#include "keras/callbacks/learning_rate_scheduler.h"
#include "keras/callbacks/reduce_lr_on_plateau.h"
#include "keras/optimizers/optimizers.h"
#include "keras/trainers/trainer.h"

namespace keras::callbacks {
namespace {

// Keras's callbacks add the optimizer's rate to the logs dict they were given; fit() hands out
// its own (non-const) epoch logs, so writing through them is what Keras does.
void log_learning_rate(const Logs& logs, double lr) {
  const_cast<Logs&>(logs)["learning_rate"] = detail::as_float32(lr);
}

}  // namespace

ReduceLROnPlateauImpl::ReduceLROnPlateauImpl(ReduceLROnPlateauOptions options)
    : options_(std::move(options)) {
  KERAS_CHECK(
      options_.factor < 1.0, ValueError,
      "ReduceLROnPlateau does not support a factor >= 1.0. Received factor=", options_.factor);
  reset();
}

void ReduceLROnPlateauImpl::reset() {
  if (options_.mode != "auto" && options_.mode != "min" && options_.mode != "max") {
    detail::warn(
        str("ReduceLROnPlateau mode '", options_.mode, "' is unknown, fallback to auto mode."));
    options_.mode = "auto";
  }
  if (options_.mode != "auto") upwards_ = options_.mode == "max";
  has_best_ = false;  // Keras's best = None: the first value improves
  best = 0.0;
  cooldown_counter = 0;
  wait = 0;
}

void ReduceLROnPlateauImpl::on_train_begin(const Logs&) {
  reset();
}

bool ReduceLROnPlateauImpl::improved(double current) const {
  if (!has_best_) return true;
  return *upwards_ ? current > best + options_.min_delta : current < best - options_.min_delta;
}

void ReduceLROnPlateauImpl::on_epoch_end(int epoch, const Logs& logs) {
  if (!upwards_) {
    upwards_ = detail::auto_direction(options_.monitor, trainer_if_set(), "ReduceLROnPlateau");
  }
  optimizers::Optimizer& opt = trainer().optimizer();
  log_learning_rate(logs, opt.learning_rate());
  auto it = logs.find(options_.monitor);
  if (it == logs.end()) {
    detail::warn(str("Learning rate reduction is conditioned on metric `", options_.monitor,
                     "` which is not available. Available metrics are: ", detail::keys(logs), "."));
    return;
  }
  const double current = it->second;
  if (cooldown_counter > 0) {
    --cooldown_counter;
    wait = 0;
  }
  if (improved(current)) {
    best = current;
    has_best_ = true;
    wait = 0;
  } else if (cooldown_counter <= 0) {
    ++wait;
    if (wait >= options_.patience) {
      // Keras reads its float32 learning-rate variable and stores the new rate in it: once at
      // min_lr (rounded), the rate is no longer above it.
      const double old_lr = detail::as_float32(opt.learning_rate());
      if (old_lr > static_cast<float>(options_.min_lr)) {
        const double new_lr = std::max(old_lr * options_.factor, options_.min_lr);
        opt.set_learning_rate(detail::as_float32(new_lr));
        if (options_.verbose > 0) {
          std::cout << "\nEpoch " << epoch + 1 << ": ReduceLROnPlateau reducing learning rate to "
                    << python_float_repr(new_lr) << "." << std::endl;
        }
        cooldown_counter = options_.cooldown;
        wait = 0;
      }
    }
  }
}

std::shared_ptr<ReduceLROnPlateauImpl> ReduceLROnPlateau(ReduceLROnPlateauOptions options) {
  return std::make_shared<ReduceLROnPlateauImpl>(std::move(options));
}

LearningRateSchedulerImpl::LearningRateSchedulerImpl(Schedule schedule, int verbose)
    : schedule_(std::move(schedule)), verbose_(verbose) {
  KERAS_CHECK(schedule_ != nullptr, ValueError, "LearningRateScheduler: `schedule` is empty");
}

void LearningRateSchedulerImpl::on_epoch_begin(int epoch, const Logs&) {
  optimizers::Optimizer& opt = trainer().optimizer();
  const double lr = schedule_(epoch, detail::as_float32(opt.learning_rate()));
  KERAS_CHECK(std::isfinite(lr) && lr >= 0, ValueError,
              "The output of the `schedule` function should be a non-negative float. Got: ", lr);
  opt.set_learning_rate(lr);
  if (verbose_ > 0) {
    std::cout << "\nEpoch " << epoch + 1 << ": LearningRateScheduler setting learning rate to "
              << python_float_repr(lr) << "." << std::endl;
  }
}

void LearningRateSchedulerImpl::on_epoch_end(int, const Logs& logs) {
  log_learning_rate(logs, trainer().optimizer().learning_rate());
}

std::shared_ptr<LearningRateSchedulerImpl> LearningRateScheduler(Schedule schedule, int verbose) {
  return std::make_shared<LearningRateSchedulerImpl>(std::move(schedule), verbose);
}

}  // namespace keras::callbacks
