// Callbacks (keras.callbacks): hooks fit/evaluate/predict call at the start and end of training,
// epochs and batches, in Keras 3's order (see callback_list.h; the built-in callbacks are in
// callbacks.h). Logs map metric names to values, sorted by name. Batch logs hold the running
// metrics ("loss", ...); epoch logs add "val_<name>" after validation; begin hooks get empty logs.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace keras::trainers {
class Trainer;
}

namespace keras::callbacks {

using Logs = std::map<std::string, double>;

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(const Logs&) {}
  virtual void on_train_end(const Logs&) {}
  virtual void on_epoch_begin(int /*epoch*/, const Logs&) {}
  virtual void on_epoch_end(int /*epoch*/, const Logs&) {}
  virtual void on_train_batch_begin(int /*batch*/, const Logs&) {}
  virtual void on_train_batch_end(int /*batch*/, const Logs&) {}
  virtual void on_test_begin(const Logs&) {}
  virtual void on_test_end(const Logs&) {}
  virtual void on_test_batch_begin(int /*batch*/, const Logs&) {}
  virtual void on_test_batch_end(int /*batch*/, const Logs&) {}
  virtual void on_predict_begin(const Logs&) {}
  virtual void on_predict_end(const Logs&) {}
  virtual void on_predict_batch_begin(int /*batch*/, const Logs&) {}
  virtual void on_predict_batch_end(int /*batch*/, const Logs&) {}

  // The trainer (the model's training state) running this callback: set by fit/evaluate.
  // trainer().stop_training = true stops fit after the current batch (the epoch still ends:
  // validation and on_epoch_end run), as in Keras 3.
  trainers::Trainer& trainer() const { return *trainer_; }
  // The trainer, or nullptr while none has been set.
  trainers::Trainer* trainer_if_set() const { return trainer_; }
  void set_trainer(trainers::Trainer* trainer) { trainer_ = trainer; }
  // {"epochs", "steps", "verbose"} as Keras sets them.
  std::map<std::string, int> params;

 private:
  trainers::Trainer* trainer_ = nullptr;
};

using CallbackPtr = std::shared_ptr<Callback>;

// History: records the epoch logs; fit() returns it.
class History : public Callback {
 public:
  void on_train_begin(const Logs&) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  // Each log name -> its value at every epoch ("loss", "accuracy", "val_loss", ...).
  std::map<std::string, std::vector<double>> history;
  std::vector<int> epoch;
};

}  // namespace keras::callbacks
