// GroupNormalization (keras.layers.GroupNormalization): the channels of `axis` split into
// `groups` groups, each normalized per sample over its channels and every other non-batch axis.
//
//   auto y = layers::GroupNormalization({.groups = 8})(feature_maps);   // channels_last
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct GroupNormalizationOptions {
  int groups = 32;  // -1: one group per channel (instance normalization)
  int axis = -1;    // the channels axis
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
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// With C channels on `axis` in G groups: per sample and group, mean and biased variance over the
// group's C / G channels and every axis but the batch's; y = x * inv + (beta - mean * inv) with
// inv = gamma / sqrt(variance + epsilon), Keras 3's arrangement. Weights gamma (C,) and beta (C,)
// (when scale / center), in that order. Input of rank >= 2 with C defined (fixed at build);
// output the same shape. ValueError (Keras's words) when G > C or G does not divide C. Config:
// Keras 3's keys.
class GroupNormalizationImpl final : public Layer {
 public:
  explicit GroupNormalizationImpl(GroupNormalizationOptions options);
  std::string class_name() const override { return "GroupNormalization"; }
  bool batch_independent() const override { return true; }
  bool supports_masking() const override { return true; }
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  const GroupNormalizationOptions& options() const { return options_; }

 private:
  GroupNormalizationOptions options_;
  int axis_ = 0;    // normalized at build
  int groups_ = 0;  // -1 resolved at build
  Variable gamma_, beta_;
};

class GroupNormalization : public LayerHandle<GroupNormalizationImpl> {
 public:
  explicit GroupNormalization(GroupNormalizationOptions options = {})
      : LayerHandle(std::make_shared<GroupNormalizationImpl>(std::move(options))) {}
};

}  // namespace keras::layers
