// BackupAndRestore (keras.callbacks.BackupAndRestore): lets a killed fit() resume where it
// stopped. At each epoch end (or every save_freq batches) it saves the weights to
// <backup_dir>/latest.weights.h5 and {"epoch": next epoch, "batch": last batch} to
// <backup_dir>/training_metadata.json (written atomically). When fit() starts and a backup
// exists, it loads the weights and sets trainer().initial_epoch, so training goes on from the
// epoch after the last one completed. A fit() that finishes deletes the backup directory
// (delete_checkpoint). double_checkpoint keeps the previous pair as latest.weights.h5.bkp and
// training_metadata.json.bkp. Weights go through the ModelSaver (options.saver, else
// default_saver()).
//
// Errors: ValueError for an empty backup_dir or a bad save_freq (Keras's messages); IOError for a
// metadata file that cannot be read; RuntimeError when no saving function is available.
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
  ModelSaver saver = {};  // empty: default_saver()
};

class BackupAndRestoreImpl : public Callback {
 public:
  BackupAndRestoreImpl(std::string backup_dir, BackupAndRestoreOptions options = {});
  void on_train_begin(const Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_batch_end(int batch, const Logs& logs) override;

 private:
  void save();

  std::string backup_dir_, weights_path_, metadata_path_;
  BackupAndRestoreOptions options_;
  int save_every_ = 0;
  int current_epoch_ = 0;
  int last_batch_seen_ = 0;
  int batches_since_save_ = 0;
};

std::shared_ptr<BackupAndRestoreImpl> BackupAndRestore(std::string backup_dir,
                                                       BackupAndRestoreOptions options = {});

}  // namespace keras::callbacks
