#include "keras/callbacks/terminate_on_nan.h"

#include <cmath>
#include <iostream>

#include "core/python_repr.h"
#include "keras/trainers/trainer.h"

namespace keras::callbacks {

void TerminateOnNaNImpl::on_train_batch_end(int batch, const Logs& logs) {
  auto it = logs.find("loss");
  if (it == logs.end() || std::isfinite(it->second)) return;
  KERAS_CHECK(!options_.raise_error, RuntimeError, "NaN or Inf loss encountered at batch ", batch,
              ". Loss value: ", python_float_repr(it->second),
              ". Terminating training immediately.");
  std::cout << "Batch " << batch << ": Invalid loss, terminating training" << std::endl;
  trainer().stop_training = true;
}

std::shared_ptr<TerminateOnNaNImpl> TerminateOnNaN(TerminateOnNaNOptions options) {
  return std::make_shared<TerminateOnNaNImpl>(options);
}

}  // namespace keras::callbacks
