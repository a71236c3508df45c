// Activation functions as layer options, and the Activation layer.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"
#include "keras/ops/nn.h"

namespace keras::layers {

// An activation given by Keras name ("relu", "softmax", ...) or as any callable
// Tensor(const Tensor&) composed from keras::ops. Unknown names throw ValueError at construction.
class ActivationFn {
 public:
  ActivationFn() : ActivationFn("linear") {}
  ActivationFn(const char* name);         // NOLINT(google-explicit-constructor)
  ActivationFn(const std::string& name);  // NOLINT(google-explicit-constructor)
  ActivationFn(activations::Activation fn, std::string name = "custom")  // NOLINT
      : name_(std::move(name)), fn_(std::move(fn)) {}
  Tensor operator()(const Tensor& x) const { return fn_(x); }
  const std::string& name() const { return name_; }
  // Whether this is Keras's activation of that name (made from the name), not a C++ function.
  bool builtin() const { return builtin_; }

 private:
  std::string name_;
  activations::Activation fn_;
  bool builtin_ = false;
};

// Keras 3 writes activations as their name ("relu"); throws NotImplementedError for a custom
// C++ function.
Json serialize_activation(const ActivationFn& activation);
// From a name, or Keras's {"class_name": ..., "config": ...} form of a named activation.
ActivationFn deserialize_activation(const Json& j);

struct ActivationOptions {
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

// Applies an activation function elementwise (keras.layers.Activation).
class ActivationImpl final : public Layer {
 public:
  ActivationImpl(ActivationFn activation, ActivationOptions options);
  std::string class_name() const override { return "Activation"; }
  bool batch_independent() const override { return true; }
  bool supports_masking() const override { return true; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;

 private:
  ActivationFn activation_;
};

class Activation : public LayerHandle<ActivationImpl> {
 public:
  explicit Activation(ActivationFn activation, ActivationOptions options = {})
      : LayerHandle(std::make_shared<ActivationImpl>(std::move(activation), std::move(options))) {}
};

}  // namespace keras::layers
