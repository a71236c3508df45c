// RNN over a stack of cells: Keras's `RNN([cell, ...])` (StackedRNNCells). At each time step the
// first cell reads the input, each further cell the output of the one before, and the step's
// output is the last cell's.
//
//   auto y = layers::RNN({layers::LSTM(64), layers::GRU(32)})(x);              // (batch, 32)
//   auto outs = layers::RNN({layers::LSTM(8), layers::GRU(4)},
//                           {.return_sequences = true, .return_state = true})(x);
//   // outs: the sequence (batch, steps, 4), then the LSTM's h and c, then the GRU's h
//
// The cells are given as unbuilt LSTM, GRU or SimpleRNN layers with their default flags: their
// options (units, activations, initializers, dropout, ...) are the cells', and the RNN sets their
// return_sequences, return_state, go_backwards and stateful. They keep their weights (kernel,
// recurrent_kernel, bias), and are the RNN's cells() afterwards. Running each cell over the whole
// sequence before the next computes what Keras's step-by-step stack computes (each cell's step
// depends only on its own states and the previous cell's output at that step); go_backwards
// reverses the sequence and its mask once, before the first cell, as Keras's loop does.
//
// Weights: every cell's, in cell order (tf_keras's order too); saved as Keras 3 does, under
// "cell/cells/<lstm_cell|gru_cell|simple_rnn_cell>[_n]/vars". Initial states (Keras's
// `initial_state`) are extra inputs, every cell's states in cell order (h and c for an LSTM).
// A saved RNN whose cell is StackedRNNCells loads as this layer. Masks pass through as for LSTM.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "keras/layers/recurrent.h"

namespace keras::layers {

struct RNNOptions {
  bool return_sequences = false;
  bool return_state = false;
  bool go_backwards = false;
  bool stateful = false;
  bool unroll = false;                // accepted and saved; the loop is the same either way
  bool zero_output_for_mask = false;  // masked steps' outputs: 0 instead of the previous one
  std::string name = {};
};

class StackedRNNImpl final : public RecurrentLayer {
 public:
  // ValueError when `cells` is empty, holds a layer that is not an LSTM, GRU or SimpleRNN, one
  // that is built, one twice, or one whose return_sequences, return_state, go_backwards or
  // stateful is set.
  StackedRNNImpl(std::vector<LayerRef> cells, RNNOptions options);
  std::string class_name() const override { return "RNN"; }
  bool batch_independent() const override { return !options_.stateful; }
  Json get_config() const override;
  // Keras's RNN config whose "cell" is a StackedRNNCells of LSTMCell, GRUCell and SimpleRNNCell.
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
  // Keras's nesting: a list of states per cell.
  Json saved_initial_state(const Json& states) const override;
  bool return_sequences() const override { return options_.return_sequences; }
  bool return_state() const override { return options_.return_state; }
  bool go_backwards() const override { return options_.go_backwards; }
  bool stateful() const override { return options_.stateful; }
  // Every cell's states, in cell order.
  std::vector<InputSpec> state_specs() const override;
  void set_zero_output_for_mask(bool zero) override;
  // The same stack from its config, with new cells (Bidirectional's backward half).
  std::shared_ptr<RecurrentLayer> reversed_copy(const std::string& name) const override;
  std::vector<Variable> weights() const override;
  Tensors losses() const override;
  void clear_losses() override;
  std::vector<Generator*> seed_generators() override;
  void set_dtype(DType dtype) override;
  void set_trainable(bool trainable) override;

  const std::vector<std::shared_ptr<RecurrentImpl>>& cells() const { return cells_; }
  const RNNOptions& options() const { return options_; }
  // A stateful RNN's cells' states back to zeros (Keras's reset_state).
  void reset_state() override;

 private:
  std::vector<std::shared_ptr<RecurrentImpl>> cells_;
  RNNOptions options_;
  std::string cells_name_ = "stacked_rnn_cells";  // the StackedRNNCells object's saved name
};

class RNN : public LayerHandle<StackedRNNImpl> {
 public:
  explicit RNN(std::vector<LayerRef> cells, RNNOptions options = {})
      : LayerHandle(std::make_shared<StackedRNNImpl>(std::move(cells), std::move(options))) {}
};

}  // namespace keras::layers
