// ActivityRegularization (keras.layers.ActivityRegularization): the identity, adding
// l1 * sum|x| + l2 * sum(x²), divided by the batch size, to the training loss.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct ActivityRegularizationOptions {
  double l1 = 0.0;
  double l2 = 0.0;
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Returns its input. Each call (training or not, as Keras 3's activity regularizers) computes the
// penalty (l1 * sum|x| + l2 * sum(x²)) / batch_size (0 for an empty batch) and keeps it:
// losses() gives the penalty of the latest call, which the trainer adds to the loss after the
// forward pass, so fit() and evaluate() include it and its gradient reaches the layers below.
// Limitation: a layer shared by several nodes of one model counts only its latest call (Keras
// adds one penalty per call). Passes masks on.
class ActivityRegularizationImpl final : public Layer {
 public:
  explicit ActivityRegularizationImpl(ActivityRegularizationOptions options);
  std::string class_name() const override { return "ActivityRegularization"; }
  // Not batch_independent: the penalty is divided by each call's own batch size, so shared calls
  // must not be merged into one.
  bool supports_masking() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Tensors losses() const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  double l1() const { return options_.l1; }
  double l2() const { return options_.l2; }

 private:
  ActivityRegularizationOptions options_;
  Tensor penalty_;  // of the latest call
};

class ActivityRegularization : public LayerHandle<ActivityRegularizationImpl> {
 public:
  explicit ActivityRegularization(ActivityRegularizationOptions options = {})
      : LayerHandle(std::make_shared<ActivityRegularizationImpl>(std::move(options))) {}
};

}  // namespace keras::layers
