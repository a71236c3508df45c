// TimeDistributed(layer): applies `layer` (any layer or model) to every timestep of its input.
// Input (batch, timesteps, ...) -> output (batch, timesteps, ...layer's output...). The wrapped
// layer has one set of weights for all timesteps. Implemented as reshape (batch * timesteps,
// ...), call, reshape back: pure composition, differentiable.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/wrapper.h"

namespace keras::layers {

struct TimeDistributedOptions {
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

class TimeDistributedImpl final : public WrapperImpl {
 public:
  TimeDistributedImpl(LayerRef layer, TimeDistributedOptions options);
  std::string class_name() const override { return "TimeDistributed"; }
  bool supports_masking() const override { return true; }
  // Keras passes the mask on to a wrapped layer that takes one, step by step; keras.cpp does
  // not, so it takes an explicit mask only around layers that take none.
  bool takes_mask_argument() const override { return !inner_->takes_mask_argument(); }
  bool batch_independent() const override { return inner_->batch_independent(); }
  static std::shared_ptr<Layer> from_config(const Json& config);
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  std::vector<Variable> weights() const override { return inner_.weights(); }
};

class TimeDistributed : public LayerHandle<TimeDistributedImpl> {
 public:
  explicit TimeDistributed(LayerRef layer, TimeDistributedOptions options = {})
      : LayerHandle(std::make_shared<TimeDistributedImpl>(std::move(layer), std::move(options))) {}
};

}  // namespace keras::layers
