// LearningRateScheduler (keras.callbacks.LearningRateScheduler): at each epoch begin sets the
// optimizer's learning rate to schedule(epoch, current_learning_rate); adds "learning_rate" to
// the epoch-end logs as Keras 3 does. The rate takes effect in fit's replayed execution plans.
//
//   callbacks::LearningRateScheduler([](int epoch, double lr) {
//     return epoch < 10 ? lr : lr * std::exp(-0.1);
//   });
//
// Errors: ValueError when the schedule returns a negative or non-finite rate.
#pragma once

#include <functional>
#include <memory>

#include "keras/callbacks/callback.h"

namespace keras::callbacks {

using Schedule = std::function<double(int epoch, double learning_rate)>;

class LearningRateSchedulerImpl : public Callback {
 public:
  explicit LearningRateSchedulerImpl(Schedule schedule, int verbose = 0);
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;

 private:
  Schedule schedule_;
  int verbose_;
};

std::shared_ptr<LearningRateSchedulerImpl> LearningRateScheduler(Schedule schedule,
                                                                 int verbose = 0);

}  // namespace keras::callbacks
