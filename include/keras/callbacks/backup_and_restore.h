// BackupAndRestore (keras.callbacks.BackupAndRestore): lets a killed fit() resume where it
// stopped, ending with the same weights, bit for bit, as a run never interrupted (with the same
// thread count).
//
// The backup is one file, <backup_dir>/latest.weights.h5, replaced by one atomic rename at each
// epoch end (or every save_freq batches), so a kill at any instant leaves the previous backup or
// the new one, never a mix. It holds the model's weights and its optimizer's variables in Keras
// 3's .weights.h5 layout (Keras's load_weights reads it), and the root attribute
// "training_metadata": Keras's {"epoch", "batch"} plus "step" (the batch to resume at),
// "iterations" and "learning_rate" of the optimizer, and the random state (the global generator,
// which shuffles and drives unseeded dropout; the seeded layers' generators,
// Layer::seed_generators; and the state the epoch's shuffle order was drawn from).
//
// When fit() starts and a backup exists, all of it is restored and training goes on after the
// last epoch backed up, or with save_freq in batches after the last batch backed up, in the same
// shuffle order and with the same dropout masks. (Keras 3 restarts a partly done epoch from its
// first batch, training those batches twice; keras.cpp resumes inside the epoch.) The resumed
// epoch's logs (loss, metrics) cover only the batches run after the restart.
//
// A fit() that finishes deletes the backup (delete_checkpoint): the .bkp, then
// latest.weights.h5 (after which a kill only means training again from the start, to the same
// result), then the directory. double_checkpoint keeps the previous backup as
// latest.weights.h5.bkp (copied atomically), which on_train_begin uses when latest.weights.h5
// cannot be read (an IOError), as Keras does.
//
// A backup that cannot be trusted is an error, never ignored: ignoring it would train from the
// start and then overwrite or delete it. IOError when latest.weights.h5 (and the .bkp, if any)
// cannot be read, has no training metadata or optimizer variables (not written by this callback:
// Python Keras's or an older keras.cpp's), or has metadata that is malformed or contradicts the
// restored optimizer; ValueError when it does not fit the model (weights, optimizer variables,
// seeded layers, or a batch past the epoch's end). The weights may already be restored when a
// metadata check fails. ValueError for an empty backup_dir or a bad save_freq (Keras's
// messages); IOError naming the path and the reason when the backup cannot be written or
// deleted; RuntimeError when no saving function is available.
//
// The backup goes through the ModelSaver's save_backup / load_backup (options.saver, else
// the trainer's saver, i.e. the model's).
#pragma once

#include <memory>
#include <string>

#include "keras/callbacks/callback.h"
#include "keras/callbacks/saver.h"

namespace keras::callbacks {

struct BackupAndRestoreOptions {
  Frequency save_freq = "epoch";  // "epoch" or a number of batches
  bool double_checkpoint = false;
  bool delete_checkpoint = true;
  ModelSaver saver = {};  // empty: the trainer's (the model's)
};

class BackupAndRestoreImpl : public Callback {
 public:
  BackupAndRestoreImpl(std::string backup_dir, BackupAndRestoreOptions options = {});
  void on_train_begin(const Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_batch_end(int batch, const Logs& logs) override;

 private:
  // Backs up the state after `step` batches of the current epoch (0: at its end).
  void save(int step);
  // Restores the state from the backup at `path`.
  void restore(const std::string& path);

  std::string backup_dir_, weights_path_, previous_path_;
  BackupAndRestoreOptions options_;
  int save_every_ = 0;
  int current_epoch_ = 0;
  int last_batch_seen_ = 0;
  int batches_since_save_ = 0;
};

std::shared_ptr<BackupAndRestoreImpl> BackupAndRestore(std::string backup_dir,
                                                       BackupAndRestoreOptions options = {});

}  // namespace keras::callbacks
