#include "keras/callbacks/swap_ema_weights.h"

#include "keras/optimizers/optimizers.h"
#include "keras/trainers/trainer.h"

namespace keras::callbacks {

void SwapEMAWeightsImpl::swap() {
  trainer().optimizer().swap_variables_with_averages();
}

void SwapEMAWeightsImpl::on_epoch_begin(int /*epoch*/, const Logs& /*logs*/) {
  if (options_.swap_on_epoch && averages_in_model_) {
    swap();
    averages_in_model_ = false;
  }
}

void SwapEMAWeightsImpl::on_epoch_end(int epoch, const Logs& /*logs*/) {
  if (!options_.swap_on_epoch || averages_in_model_) return;
  swap();
  averages_in_model_ = true;
  // fit ends by assigning the averages to the variables: make them the weights now in the model.
  auto it = params.find("epochs");
  if (it != params.end() && epoch == it->second - 1) {
    trainer().optimizer().set_averages_to_variables();
  }
}

void SwapEMAWeightsImpl::on_test_begin(const Logs& /*logs*/) {
  if (averages_in_model_) return;
  swap();
  averages_in_model_ = true;
}

void SwapEMAWeightsImpl::on_test_end(const Logs& /*logs*/) {
  if (!averages_in_model_) return;
  swap();
  averages_in_model_ = false;
}

void SwapEMAWeightsImpl::on_predict_begin(const Logs& logs) {
  on_test_begin(logs);
}

void SwapEMAWeightsImpl::on_predict_end(const Logs& logs) {
  on_test_end(logs);
}

std::shared_ptr<SwapEMAWeightsImpl> SwapEMAWeights(SwapEMAWeightsOptions options) {
  return std::make_shared<SwapEMAWeightsImpl>(options);
}

}  // namespace keras::callbacks
