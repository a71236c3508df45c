// TerminateOnNaN (keras.callbacks.TerminateOnNaN): when a batch's "loss" log is NaN or infinite,
// prints "Batch <i>: Invalid loss, terminating training" and stops fit() after that batch; with
// raise_error, throws RuntimeError ("NaN or Inf loss encountered at batch <i>. Loss value: nan.
// Terminating training immediately.") instead. (Without it, fit() throws RuntimeError on an
// invalid loss.)
#pragma once

#include <memory>

#include "keras/callbacks/callback.h"

namespace keras::callbacks {

struct TerminateOnNaNOptions {
  bool raise_error = false;
};

class TerminateOnNaNImpl : public Callback {
 public:
  explicit TerminateOnNaNImpl(TerminateOnNaNOptions options = {}) : options_(options) {}
  void on_train_batch_end(int batch, const Logs& logs) override;

 private:
  TerminateOnNaNOptions options_;
};

std::shared_ptr<TerminateOnNaNImpl> TerminateOnNaN(TerminateOnNaNOptions options = {});

}  // namespace keras::callbacks
