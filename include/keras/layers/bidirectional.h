// Bidirectional(rnn): runs a recurrent layer (LSTM, GRU, SimpleRNN, an RNN over a stack of cells
// or ConvLSTM1D/2D/3D) forwards and a copy of it backwards over the sequence and merges the two
// outputs on the last axis (keras.layers.Bidirectional).
//
//   auto y = layers::Bidirectional(layers::LSTM(32, {.return_sequences = true}))(x);  // 64 wide
//
// The given layer is the forward one (it keeps its weights); the backward one is a new layer with
// the same options and go_backwards flipped, named "backward_<name>", unless `backward_layer`
// gives it: any recurrent layer (a GRU behind an LSTM, say) with the opposite go_backwards and the
// same stateful, return_sequences and return_state, else a ValueError in Keras's wording. With
// return_sequences the backward outputs are put back in forward time order before merging.
// merge_mode: "concat" (last axis), "sum", "mul", "ave", or "" for no merge (two outputs). With
// return_state the outputs are [merged, forward states..., backward states...].
//
// Initial states, Keras's `initial_state=[...]`, are extra inputs: the forward layer's states,
// then the backward layer's (2 * num_states in all):
//
//   auto y = layers::Bidirectional(layers::LSTM(8))({x, hf, cf, hb, cb});
#pragma once

#include <string>

#include "keras/layers/recurrent.h"

namespace keras::layers {

struct BidirectionalOptions {
  std::string merge_mode = "concat";
  LayerRef backward_layer = {};  // Keras's backward_layer; none: the forward layer mirrored
  std::string name = {};
};

class BidirectionalImpl final : public Layer {
 public:
  BidirectionalImpl(LayerRef layer, BidirectionalOptions options);
  std::string class_name() const override { return "Bidirectional"; }
  bool batch_independent() const override { return forward_->batch_independent(); }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  std::vector<VariableGroup> saved_variables() const override;
  Json get_build_config() const override;
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  // Keras's supports_masking (its compute_mask below decides the output masks).
  bool supports_masking() const override { return true; }
  Tensors compute_mask(const Tensors& inputs,
                       const Tensors& masks,
                       const Tensors& outputs) const override;
  bool takes_mask_argument() const override { return true; }
  int initial_state_count() const override {
    return forward_->initial_state_count() + backward_->initial_state_count();
  }
  bool steps_through_time() const override { return true; }
  std::vector<Variable> weights() const override;
  Tensors losses() const override;
  void clear_losses() override;
  std::vector<Generator*> seed_generators() override;
  void set_dtype(DType dtype) override;
  // Both halves follow, as in Keras (the backward half starts as the forward one is).
  void set_trainable(bool trainable) override;

  bool builds_on_batch_size() const override { return forward_->stateful(); }
  // Both halves' states back to zeros (Keras's reset_state; reset_states is its alias);
  // AttributeError "Layer must be stateful." for halves that are not.
  void reset_state();
  void reset_states() { reset_state(); }

  const std::shared_ptr<RecurrentLayer>& forward_layer() const { return forward_; }
  const std::shared_ptr<RecurrentLayer>& backward_layer() const { return backward_; }

 protected:
  // The sequence spec, plus one (batch, units) spec per state when initial states are passed.
  std::vector<InputSpec> input_spec_for(size_t num_inputs) const override;

 private:
  // Keras's _verify_layer_config for a given backward_layer.
  void verify_backward_layer() const;

  std::shared_ptr<RecurrentLayer> forward_, backward_;
  std::string merge_mode_;
};

class Bidirectional : public LayerHandle<BidirectionalImpl> {
 public:
  explicit Bidirectional(LayerRef layer, BidirectionalOptions options = {})
      : LayerHandle(std::make_shared<BidirectionalImpl>(std::move(layer), std::move(options))) {}
};

}  // namespace keras::layers
