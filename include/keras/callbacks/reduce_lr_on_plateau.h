// ReduceLROnPlateau (keras.callbacks.ReduceLROnPlateau): multiplies the optimizer's learning
// rate by `factor` when `monitor` has not improved for `patience` epochs.
//
// At each epoch end it first adds "learning_rate" (the rate the epoch trained with) to the logs,
// as Keras 3 does, so callbacks after it (History, CSVLogger, the progress bar) see it. The value
// improves when it beats the best by more than min_delta (the first value always does): downwards
// in mode "min", upwards in mode "max"; in mode "auto" as Keras 3 decides at the first epoch end:
// "loss" downwards, a compiled metric by its direction (metrics::Metric::higher_is_better), else
// ValueError ("... isn't able to automatically determine whether that metric should be maximized
// or minimized ..."). After a reduction, `cooldown` epochs pass
// before waiting starts again; the rate never goes below min_lr. The new rate takes effect from
// the next batch, also in fit's replayed execution plans.
//
// Errors: ValueError for factor >= 1 (Keras's message). A missing monitor value warns; an
// unknown mode warns and falls back to "auto".
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "keras/callbacks/callback.h"

namespace keras::callbacks {

struct ReduceLROnPlateauOptions {
  std::string monitor = "val_loss";
  double factor = 0.1;
  int patience = 10;
  int verbose = 0;
  std::string mode = "auto";
  double min_delta = 1e-4;
  int cooldown = 0;
  double min_lr = 0.0;
};

class ReduceLROnPlateauImpl : public Callback {
 public:
  explicit ReduceLROnPlateauImpl(ReduceLROnPlateauOptions options = {});
  void on_train_begin(const Logs& logs) override;
  // Adds "learning_rate" to `logs` (the trainer's epoch logs, which are not const).
  void on_epoch_end(int epoch, const Logs& logs) override;

  int wait = 0;
  int cooldown_counter = 0;
  double best = 0.0;  // meaningful once a value has been seen (Keras's None before)

 private:
  void reset();
  bool improved(double current) const;

  ReduceLROnPlateauOptions options_;
  std::optional<bool> upwards_;  // settled at the first epoch end in mode "auto"
  bool has_best_ = false;
};

std::shared_ptr<ReduceLROnPlateauImpl> ReduceLROnPlateau(ReduceLROnPlateauOptions options = {});

}  // namespace keras::callbacks
