// CallbackList: the callbacks of one fit/evaluate/predict call, called in list order (Keras's
// CallbackList). The user's callbacks come first; History and ProgbarLogger are appended when
// asked for and the user did not pass one of their own.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "keras/callbacks/callback.h"

namespace keras::callbacks {

struct CallbackListOptions {
  bool add_history = false;
  bool add_progbar = false;
  trainers::Trainer* trainer = nullptr;
  // {"epochs", "steps", "verbose"}, given to every callback.
  std::map<std::string, int> params = {};
};

class CallbackList {
 public:
  explicit CallbackList(std::vector<CallbackPtr> callbacks,
                        const CallbackListOptions& options = {});

  // The History in the list (added or the user's), or nullptr.
  const std::shared_ptr<History>& history() const { return history_; }
  const std::vector<CallbackPtr>& callbacks() const { return callbacks_; }
  // Whether any callback besides History is present (batch logs are only computed if so).
  bool wants_batch_logs() const { return callbacks_.size() > (history_ ? 1u : 0u); }

  void on_train_begin(const Logs& logs);
  void on_train_end(const Logs& logs);
  void on_epoch_begin(int epoch, const Logs& logs);
  void on_epoch_end(int epoch, const Logs& logs);
  void on_train_batch_begin(int batch, const Logs& logs);
  void on_train_batch_end(int batch, const Logs& logs);
  void on_test_begin(const Logs& logs);
  void on_test_end(const Logs& logs);
  void on_test_batch_begin(int batch, const Logs& logs);
  void on_test_batch_end(int batch, const Logs& logs);
  void on_predict_begin(const Logs& logs);
  void on_predict_end(const Logs& logs);
  void on_predict_batch_begin(int batch, const Logs& logs);
  void on_predict_batch_end(int batch, const Logs& logs);

 private:
  std::vector<CallbackPtr> callbacks_;
  std::shared_ptr<History> history_;
};

}  // namespace keras::callbacks
