#include "keras/layers/activation.h"

namespace keras::layers {

ActivationFn::ActivationFn(const char* name) : ActivationFn(std::string(name)) {}
ActivationFn::ActivationFn(const std::string& name)
    : name_(name.empty() ? "linear" : name), fn_(activations::get(name)) {}

ActivationImpl::ActivationImpl(ActivationFn activation, ActivationOptions options)
    : Layer(std::move(options.name),
            "activation",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      activation_(std::move(activation)) {}

Tensors ActivationImpl::call(const Tensors& inputs, bool) {
  return {activation_(inputs[0])};
}

std::vector<Shape> ActivationImpl::compute_output_shape(const std::vector<Shape>& in) const {
  return {in[0]};
}

}  // namespace keras::layers
