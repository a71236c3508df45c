// BatchNormalization and LayerNormalization (keras.layers), with Keras 3 semantics.
//
//   auto x = layers::Conv2D(32, 3)(inputs);
//   x = layers::BatchNormalization()(x);                 // normalizes each of the 32 channels
//   auto t = layers::LayerNormalization({.axis = {-1}})(tokens);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

// Designated initializers must follow this order (C++ rule), e.g.
// BatchNormalization({.axis = 1, .momentum = 0.9, .name = "bn"}).
struct BatchNormalizationOptions {
  int axis = -1;  // the features axis (negative counts from the end)
  double momentum = 0.99;
  double epsilon = 1e-3;
  bool center = true;  // learn beta (an offset)
  bool scale = true;   // learn gamma (a factor)
  initializers::Initializer beta_initializer = "zeros";
  initializers::Initializer gamma_initializer = "ones";
  initializers::Initializer moving_mean_initializer = "zeros";
  initializers::Initializer moving_variance_initializer = "ones";
  regularizers::Regularizer beta_regularizer = {};
  regularizers::Regularizer gamma_regularizer = {};
  constraints::Constraint beta_constraint = {};
  constraints::Constraint gamma_constraint = {};
  // Under keras::distribution::DataParallel, training statistics over the global batch (every
  // process's share) instead of this process's share; the same as false in one process.
  bool synchronized = false;
  std::string name = {};
  OptionalDims input_shape = std::nullopt;  // Keras 2's input_shape=(...)
};

// BatchNormalization: y = gamma * (x - mean) / sqrt(variance + epsilon) + beta, per feature of
// `axis`. Input of any rank >= 1 (fixed at build, as is the size C of `axis`); output the same
// shape. Weights, in this order (Keras's): gamma (C,) and beta (C,), trainable, when scale /
// center; moving_mean (C,) and moving_variance (C,), never trainable.
//
// Training mode (call with training = true, and fit) while the layer is trainable: mean and
// variance are the batch's, over every axis but `axis` (the variance biased: divided by the count,
// as Keras 3's ops.moments), and the moving statistics are updated in place:
//   moving = moving * momentum + batch_statistic * (1 - momentum).
// The update is a launched kernel (ops::assign), so it is part of a traced fit step and runs at
// every replay. Inference mode (predict, evaluate, training = false) uses the moving statistics.
// As in Keras 3, a layer set non-trainable (set_trainable(false)) always runs in inference mode
// and leaves its moving statistics alone.
//
// Masks (Keras 3): an input mask (an Embedding's mask_zero, or Keras's `mask=` argument) is passed
// on to the next layer; in training mode the statistics are over the unmasked positions only, as
// Keras 3 computes them (sums / (count + 1e-7): zero statistics when nothing is unmasked), and
// are this process's own even when synchronized. The mask must have one dimension less than the
// input (ValueError in Keras's words otherwise) and lines up with its leading dimensions (the
// features on the last axis).
//
// Errors: ValueError (naming the layer) when `axis` is out of range for the input's rank or the
// axis's size is unknown; later inputs must match the rank and size seen at build (InputSpec).
class BatchNormalizationImpl final : public Layer {
 public:
  explicit BatchNormalizationImpl(BatchNormalizationOptions options);
  std::string class_name() const override { return "BatchNormalization"; }
  bool supports_masking() const override { return true; }
  bool takes_mask_argument() const override { return true; }
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  // Keeps moving_mean and moving_variance non-trainable whatever the layer's setting.
  void set_trainable(bool trainable) override;
  // Saving: Keras 3's keys (renorm written as off and not read).
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

  const BatchNormalizationOptions& options() const { return options_; }
  const Variable& gamma() const { return gamma_; }  // undefined unless scale
  const Variable& beta() const { return beta_; }    // undefined unless center
  const Variable& moving_mean() const { return moving_mean_; }
  const Variable& moving_variance() const { return moving_variance_; }

 private:
  BatchNormalizationOptions options_;
  int axis_ = -1;  // normalized at build
  Variable gamma_, beta_, moving_mean_, moving_variance_;
};

class BatchNormalization : public LayerHandle<BatchNormalizationImpl> {
 public:
  explicit BatchNormalization(BatchNormalizationOptions options = {})
      : LayerHandle(std::make_shared<BatchNormalizationImpl>(std::move(options))) {}
};

struct LayerNormalizationOptions {
  std::vector<int> axis = {-1};  // the axes normalized together (negative counts from the end)
  double epsilon = 1e-3;
  bool center = true;
  bool scale = true;
  initializers::Initializer beta_initializer = "zeros";
  initializers::Initializer gamma_initializer = "ones";
  regularizers::Regularizer beta_regularizer = {};
  regularizers::Regularizer gamma_regularizer = {};
  constraints::Constraint beta_constraint = {};
  constraints::Constraint gamma_constraint = {};
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

// LayerNormalization: for each sample, mean and (biased) variance over the `axis` axes, then
// y = gamma * (x - mean) / sqrt(variance + epsilon) + beta, the same in training and inference.
// Input of any rank (fixed at build); output the same shape. Weights gamma and beta (when scale /
// center) have the shape of the input's `axis` dimensions, in increasing axis order (Keras sorts
// the axes): axis {1, 2} on (batch, 3, 4, 5) gives (3, 4).
//
// Errors: ValueError (naming the layer) for an empty `axis`, a repeated axis, an axis out of range
// for the input's rank, or an unknown size on a normalized axis.
class LayerNormalizationImpl final : public Layer {
 public:
  explicit LayerNormalizationImpl(LayerNormalizationOptions options);
  std::string class_name() const override { return "LayerNormalization"; }
  bool supports_masking() const override { return true; }  // passes masks on, as in Keras 3
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  // Saving: Keras 3's keys (rms_scaling written as false; true is not supported).
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

  const LayerNormalizationOptions& options() const { return options_; }
  const Variable& gamma() const { return gamma_; }
  const Variable& beta() const { return beta_; }

 private:
  LayerNormalizationOptions options_;
  std::vector<int> axes_;  // normalized and sorted at build
  Variable gamma_, beta_;
};

class LayerNormalization : public LayerHandle<LayerNormalizationImpl> {
 public:
  explicit LayerNormalization(LayerNormalizationOptions options = {})
      : LayerHandle(std::make_shared<LayerNormalizationImpl>(std::move(options))) {}
};

}  // namespace keras::layers
