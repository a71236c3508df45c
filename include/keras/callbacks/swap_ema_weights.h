// SwapEMAWeights (keras.callbacks.SwapEMAWeights): for an optimizer with use_ema, puts the moving
// averages of the trainable variables into the model while evaluate (fit's validation included)
// and predict run, and back afterwards, so validation measures the weights fit ends with. With
// swap_on_epoch, the averages are also in the model from each epoch's end to the next epoch's
// start (so a ModelCheckpoint after this callback saves them), and at the last epoch's end they
// become the averages fit finalizes to.
//
// Throws ValueError ("SwapEMAWeights must be used when `use_ema=True` is set on the optimizer.
// Received: use_ema=False", Keras's message) when the first swap finds an optimizer without
// use_ema or not yet built. Keras leaves the averages in the model after predict (its
// on_predict_end tests the wrong flag); keras.cpp swaps them back (docs/differences.md).
#pragma once

#include <memory>

#include "keras/callbacks/callback.h"

namespace keras::callbacks {

struct SwapEMAWeightsOptions {
  bool swap_on_epoch = false;
};

class SwapEMAWeightsImpl : public Callback {
 public:
  explicit SwapEMAWeightsImpl(SwapEMAWeightsOptions options = {}) : options_(options) {}
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_test_begin(const Logs& logs) override;
  void on_test_end(const Logs& logs) override;
  void on_predict_begin(const Logs& logs) override;
  void on_predict_end(const Logs& logs) override;

 private:
  void swap();
  SwapEMAWeightsOptions options_;
  bool averages_in_model_ = false;
};

std::shared_ptr<SwapEMAWeightsImpl> SwapEMAWeights(SwapEMAWeightsOptions options = {});

}  // namespace keras::callbacks
