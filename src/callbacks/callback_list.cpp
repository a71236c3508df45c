#include "keras/callbacks/callback_list.h"

#include "keras/callbacks/progbar_logger.h"

namespace keras::callbacks {

CallbackList::CallbackList(std::vector<CallbackPtr> callbacks, const CallbackListOptions& options)
    : callbacks_(std::move(callbacks)) {
  bool has_progbar = false;
  for (const CallbackPtr& cb : callbacks_) {
    if (auto h = std::dynamic_pointer_cast<History>(cb)) history_ = h;
    if (std::dynamic_pointer_cast<ProgbarLogger>(cb)) has_progbar = true;
  }
  if (!history_ && options.add_history) {
    history_ = std::make_shared<History>();
    callbacks_.push_back(history_);
  }
  if (!has_progbar && options.add_progbar) callbacks_.push_back(std::make_shared<ProgbarLogger>());
  for (const CallbackPtr& cb : callbacks_) {
    if (options.trainer) cb->set_trainer(options.trainer);
    cb->params = options.params;
  }
}

#define KERAS_FORWARD(hook, ...) \
  for (const CallbackPtr& cb : callbacks_) cb->hook(__VA_ARGS__)

void CallbackList::on_train_begin(const Logs& logs) {
  KERAS_FORWARD(on_train_begin, logs);
}
void CallbackList::on_train_end(const Logs& logs) {
  KERAS_FORWARD(on_train_end, logs);
}
void CallbackList::on_epoch_begin(int epoch, const Logs& logs) {
  KERAS_FORWARD(on_epoch_begin, epoch, logs);
}
void CallbackList::on_epoch_end(int epoch, const Logs& logs) {
  KERAS_FORWARD(on_epoch_end, epoch, logs);
}
void CallbackList::on_train_batch_begin(int batch, const Logs& logs) {
  KERAS_FORWARD(on_train_batch_begin, batch, logs);
}
void CallbackList::on_train_batch_end(int batch, const Logs& logs) {
  KERAS_FORWARD(on_train_batch_end, batch, logs);
}
void CallbackList::on_test_begin(const Logs& logs) {
  KERAS_FORWARD(on_test_begin, logs);
}
void CallbackList::on_test_end(const Logs& logs) {
  KERAS_FORWARD(on_test_end, logs);
}
void CallbackList::on_test_batch_begin(int batch, const Logs& logs) {
  KERAS_FORWARD(on_test_batch_begin, batch, logs);
}
void CallbackList::on_test_batch_end(int batch, const Logs& logs) {
  KERAS_FORWARD(on_test_batch_end, batch, logs);
}
void CallbackList::on_predict_begin(const Logs& logs) {
  KERAS_FORWARD(on_predict_begin, logs);
}
void CallbackList::on_predict_end(const Logs& logs) {
  KERAS_FORWARD(on_predict_end, logs);
}
void CallbackList::on_predict_batch_begin(int batch, const Logs& logs) {
  KERAS_FORWARD(on_predict_batch_begin, batch, logs);
}
void CallbackList::on_predict_batch_end(int batch, const Logs& logs) {
  KERAS_FORWARD(on_predict_batch_end, batch, logs);
}

#undef KERAS_FORWARD

}  // namespace keras::callbacks
