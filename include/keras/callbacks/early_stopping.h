// EarlyStopping (keras.callbacks.EarlyStopping): stops fit() when a monitored log value has
// stopped improving.
//
//   model.fit(x, y, {.epochs = 100, .validation_split = 0.2,
//                    .callbacks = {keras::callbacks::EarlyStopping({.patience = 3})}});
//
// At each epoch end (from start_from_epoch on) the value `monitor` improves when it beats the
// best so far by more than min_delta; after `patience` epochs without improvement (and never at
// epoch 0) it sets trainer().stop_training. With a baseline, waiting only restarts once the
// value also beats the baseline. restore_best_weights puts the weights of the best epoch back
// when training ends, if a best epoch was seen.
//
// Mode "auto" settles the direction at the first epoch end as Keras 3 does: "loss" downwards, a
// compiled metric by its own direction (metrics::Metric::higher_is_better, so a BinaryAccuracy
// named "my_metric" goes up), other names by what they end in ("out_a_loss").
//
// Errors: ValueError at the first epoch end when mode is "auto" and Keras could not tell the
// metric's direction (Keras's message). A missing monitor value warns (Keras's warning) and is
// skipped; an unknown mode warns and falls back to "auto".
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "keras/callbacks/callback.h"
#include "keras/core/tensor.h"

namespace keras::callbacks {

struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  double min_delta = 0.0;  // its absolute value is used
  int patience = 0;
  int verbose = 0;
  std::string mode = "auto";  // "auto", "min" or "max"
  std::optional<double> baseline = std::nullopt;
  bool restore_best_weights = false;
  int start_from_epoch = 0;
};

class EarlyStoppingImpl : public Callback {
 public:
  explicit EarlyStoppingImpl(EarlyStoppingOptions options = {});
  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_end(const Logs& logs) override;

  // Keras's state, readable after fit(): stopped_epoch is 0 when training was not stopped.
  int wait = 0;
  int stopped_epoch = 0;
  int best_epoch = 0;
  std::optional<double> best;

 private:
  bool is_improvement(double value, double reference) const;

  EarlyStoppingOptions options_;
  std::optional<bool> upwards_;  // resolved at the first epoch end in mode "auto"
  Tensors best_weights_;
};

std::shared_ptr<EarlyStoppingImpl> EarlyStopping(EarlyStoppingOptions options = {});

}  // namespace keras::callbacks
