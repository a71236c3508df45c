// TensorBoard (keras.callbacks.TensorBoard): writes scalars that TensorBoard plots.
//
//   model.fit(x, y, {.epochs = 10, .validation_split = 0.1,
//                    .callbacks = {keras::callbacks::TensorBoard({.log_dir = "logs/run1"})}});
//   // then: tensorboard --logdir logs
//
// Files: <log_dir>/train and <log_dir>/validation each get one event file per fit() call,
// events.out.tfevents.<10-digit unix time>.<host>.<pid>.<n>.v2, created when first written. Each
// is a sequence of TFRecords (uint64 length, masked CRC-32C of the length, an Event protobuf,
// masked CRC-32C of the data); the first Event holds file_version "brain.Event:2". Values are
// written as TensorFlow 2's tf.summary.scalar writes them: a Summary.Value with a float32 scalar
// tensor and SummaryMetadata naming the "scalars" plugin.
//
// What is written, with Keras's tags:
//  - each epoch end: "epoch_<name>" for every training log and "epoch_learning_rate" in train/,
//    "epoch_<name>" for every "val_<name>" log in validation/, at step = epoch (0-based);
//    "epoch_steps_per_second" too with write_steps_per_second;
//  - with update_freq "batch" or N: "batch_<name>" for every batch log in train/ every N batches,
//    at step = number of batches trained in this fit() (1-based);
//  - with histogram_freq N, every N epochs (epoch % N == 0): "<layer>/<weight>/histogram" for each
//    weight of each layer in train/, at step = epoch, as TensorBoard's histogram summaries
//    (30 equal-width buckets);
//  - each validation/evaluate end: "evaluation_<name>_vs_iterations" in validation/ at step =
//    optimizer iterations.
// Files are flushed at each epoch end and closed at the end of fit().
//
// Not written: the model graph (TODO: Keras writes the model's JSON config, tag "keras", once
// to_json exists), images, embeddings, profiles.
//
// Errors: ValueError for a negative histogram_freq, an update_freq that is not "epoch", "batch" or
// a positive integer; IOError when a directory or file cannot be created or written.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "keras/callbacks/callback.h"
#include "keras/callbacks/saver.h"

namespace keras::callbacks {

class EventFileWriter;

struct TensorBoardOptions {
  std::string log_dir = "logs";
  int histogram_freq = 0;  // every N epochs, a histogram of each weight (0: never)
  bool write_steps_per_second = false;
  Frequency update_freq = "epoch";  // "epoch", "batch", or every N batches (100)
};

class TensorBoardImpl : public Callback {
 public:
  explicit TensorBoardImpl(TensorBoardOptions options = {});
  ~TensorBoardImpl() override;
  void on_train_begin(const Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_batch_begin(int batch, const Logs& logs) override;
  void on_train_batch_end(int batch, const Logs& logs) override;
  void on_test_end(const Logs& logs) override;

 private:
  EventFileWriter& writer(std::unique_ptr<EventFileWriter>& slot, const char* subdir);
  void log_weights(int epoch);

  TensorBoardOptions options_;
  int update_every_ = 0;  // 0: epoch
  int64_t global_train_batch_ = 0;
  int64_t epoch_start_iterations_ = 0;
  std::chrono::steady_clock::time_point epoch_start_;
  std::unique_ptr<EventFileWriter> train_, val_;
};

std::shared_ptr<TensorBoardImpl> TensorBoard(TensorBoardOptions options = {});

}  // namespace keras::callbacks
