// ModelCheckpoint (keras.callbacks.ModelCheckpoint): saves the model or its weights during fit().
//
//   callbacks::ModelCheckpoint("ckpt/{epoch:02d}-{val_loss:.2f}.keras",
//                              {.monitor = "val_loss", .save_best_only = true})
//
// The file name is `filepath` formatted as Python's str.format with epoch (1-based), batch
// (1-based, when saving every N batches) and every log value: "{epoch:02d}-{val_loss:.2f}"
// gives "03-0.41". At each epoch end (save_freq "epoch") or every save_freq batches it saves —
// with save_best_only, only when `monitor` improved on the best value so far (the first value
// always does; a missing value warns and saves). Missing directories are created. Saving goes
// through the ModelSaver (options.saver, else the trainer's: the model's).
//
// Errors (Keras's messages): ValueError for a filepath not ending in ".keras" or ".h5" (or
// ".weights.h5" with save_weights_only), for save_freq not "epoch" or a positive integer, for a
// filepath naming a log value that is missing (at save time), and in mode "auto" for a monitor
// whose direction Keras could not tell (decided as EarlyStopping decides it). RuntimeError when no
// saving function is available.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "keras/callbacks/callback.h"
#include "keras/callbacks/saver.h"

namespace keras::callbacks {

struct ModelCheckpointOptions {
  std::string monitor = "val_loss";
  int verbose = 0;
  bool save_best_only = false;
  bool save_weights_only = false;
  std::string mode = "auto";      // "auto", "min" or "max"
  Frequency save_freq = "epoch";  // "epoch" or a number of batches, e.g. 100
  std::optional<double> initial_value_threshold = std::nullopt;  // the best value to beat
  ModelSaver saver = {};  // empty: the trainer's (the model's)
};

class ModelCheckpointImpl : public Callback {
 public:
  ModelCheckpointImpl(std::string filepath, ModelCheckpointOptions options = {});
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_batch_end(int batch, const Logs& logs) override;

  // The file name for this epoch (0-based) and batch (0-based, or -1 at an epoch end).
  std::string file_path(int epoch, int batch, const Logs& logs) const;
  // The best monitored value so far (Keras's `best`).
  std::optional<double> best;

 private:
  void save(int epoch, int batch, const Logs& logs);
  bool should_save(int epoch, const Logs& logs, const std::string& path);

  std::string filepath_;
  ModelCheckpointOptions options_;
  int save_every_ = 0;  // 0: at epoch ends
  std::optional<bool> upwards_;
  int current_epoch_ = 0;
  int batches_since_save_ = 0;
  int last_batch_seen_ = 0;
};

std::shared_ptr<ModelCheckpointImpl> ModelCheckpoint(std::string filepath,
                                                     ModelCheckpointOptions options = {});

}  // namespace keras::callbacks
