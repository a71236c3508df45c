// TerminateOnNaN (keras.callbacks.TerminateOnNaN): when a batch's "loss" log is NaN or infinite,
// prints "Batch <i>: Invalid loss, terminating training" and stops fit() after that batch.
// (Without it, fit() throws RuntimeError on an invalid loss.)
#pragma once

#include <memory>

#include "keras/callbacks/callback.h"

namespace keras::callbacks {

class TerminateOnNaNImpl : public Callback {
 public:
  void on_train_batch_end(int batch, const Logs& logs) override;
};

std::shared_ptr<TerminateOnNaNImpl> TerminateOnNaN();

}  // namespace keras::callbacks
