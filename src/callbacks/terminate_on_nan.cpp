#include "keras/callbacks/terminate_on_nan.h"

#include <cmath>
#include <iostream>

#include "keras/trainers/trainer.h"

namespace keras::callbacks {

void TerminateOnNaNImpl::on_train_batch_end(int batch, const Logs& logs) {
  auto it = logs.find("loss");
  if (it == logs.end() || std::isfinite(it->second)) return;
  std::cout << "Batch " << batch << ": Invalid loss, terminating training" << std::endl;
  trainer().stop_training = true;
}

std::shared_ptr<TerminateOnNaNImpl> TerminateOnNaN() {
  return std::make_shared<TerminateOnNaNImpl>();
}

}  // namespace keras::callbacks
