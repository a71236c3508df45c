// Recurrent layers: LSTM, GRU and SimpleRNN (keras.layers), with Keras 3's weights and math.
//
// Input (batch, timesteps, features); timesteps may be None in a symbolic shape, and each eager
// call may use a different length. Output (batch, units), or (batch, timesteps, units) with
// return_sequences. With return_state the layer has extra outputs, the final states: h (and c
// for the LSTM), each (batch, units); get them with `LayerRef::call_multi`:
//
//   KerasTensors out = layers::LSTM(32, {.return_state = true}).call_multi({x});  // {y, h, c}
//
// Weights (Keras 3 names, shapes and gate order; G = 4 for LSTM, 3 for GRU, 1 for SimpleRNN):
//   kernel (features, G*units), recurrent_kernel (units, G*units), bias (G*units,)
//   (GRU with reset_after: bias (2, 3*units), row 0 for the input, row 1 for the recurrent part).
// States start at zero, or at the initial states passed as extra inputs, Keras's
// `lstm([x, h0, c0])` spelling of initial_state:
//
//   auto y = layers::LSTM(32)({x, h0, c0});   // h0, c0 (batch, 32); GRU and SimpleRNN take h0
//
// Masking: when the input carries a Keras mask (Tensor::keras_mask, e.g. from
// Embedding({.mask_zero = true}) or Masking), a masked timestep leaves the states unchanged and
// outputs the current h (the initial state, zeros by default, before the first unmasked step), as
// Keras 3 does. With return_sequences the output sequence carries the mask on; otherwise the
// output has none. (Keras 3 ignores the mask when initial states are passed too; keras.cpp
// applies it.)
//
// Per step t (act = activation, rec = recurrent_activation):
//   SimpleRNN: h = act(x W + h U + b)
//   LSTM (gates i, f, c, o): z = x W + h U + b;  i, f, o = rec(z_i), rec(z_f), rec(z_o)
//        c = f*c + i*act(z_c);  h = o*act(c)
//   GRU (gates z, r, h), reset_after:  z, r = rec(x W_zr + b_zr + h U_zr + b'_zr)
//        hh = act(x W_h + b_h + r*(h U_h + b'_h))    (reset_after = false: r applied before U_h,
//        hh = act(x W_h + b_h + (r*h) U_h), no recurrent bias);  h = z*h + (1 - z)*hh
// go_backwards processes the sequence from its last step to its first; with return_sequences the
// outputs come in that processing order (as in Keras).
// dropout / recurrent_dropout (training only) multiply the inputs / the previous state by masks
// drawn once per call and reused at every step; as in Keras, LSTM and GRU draw one mask per
// gate when recurrent_dropout > 0 (Keras's implementation 1) and one shared input mask otherwise.
//
// The layers compose keras::ops (a matmul of all timesteps' inputs with the kernel, then a loop
// over the timesteps), so gradients and traced execution plans come for free.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keras/core/random.h"
#include "keras/layers/activation.h"
#include "keras/layers/layer.h"

namespace keras::layers {

// Designated initializers must follow this order (C++ rule), e.g.
// LSTM(32, {.dropout = 0.1, .return_sequences = true}).
struct SimpleRNNOptions {
  ActivationFn activation = "tanh";
  bool use_bias = true;
  initializers::Initializer kernel_initializer = "glorot_uniform";
  initializers::Initializer recurrent_initializer = "orthogonal";
  initializers::Initializer bias_initializer = "zeros";
  regularizers::Regularizer kernel_regularizer = {};
  regularizers::Regularizer recurrent_regularizer = {};
  regularizers::Regularizer bias_regularizer = {};
  regularizers::Regularizer activity_regularizer = {};  // on the outputs, see Layer
  constraints::Constraint kernel_constraint = {};
  constraints::Constraint recurrent_constraint = {};
  constraints::Constraint bias_constraint = {};
  double dropout = 0.0;
  double recurrent_dropout = 0.0;
  std::optional<uint64_t> seed = std::nullopt;  // for the dropout masks
  bool return_sequences = false;
  bool return_state = false;
  bool go_backwards = false;
  // Keep the final states of each batch as the initial states of the next (sample i of a batch
  // continues sample i of the previous one) until reset_states(); needs a fixed batch size
  // (Input's batch_size). In fit, evaluate and predict too (Keras's documented behaviour; its
  // JAX backend drops the update inside compiled steps).
  bool stateful = false;
  bool unroll = false;                // accepted; the loop is always unrolled over the timesteps
  bool zero_output_for_mask = false;  // masked steps output zeros instead of the previous output
  std::string name = {};
  OptionalDims input_shape = std::nullopt;  // (timesteps, features)
};

struct LSTMOptions {
  ActivationFn activation = "tanh";
  ActivationFn recurrent_activation = "sigmoid";
  bool use_bias = true;
  initializers::Initializer kernel_initializer = "glorot_uniform";
  initializers::Initializer recurrent_initializer = "orthogonal";
  initializers::Initializer bias_initializer = "zeros";
  bool unit_forget_bias = true;  // the forget-gate slice of the bias starts at 1
  regularizers::Regularizer kernel_regularizer = {};
  regularizers::Regularizer recurrent_regularizer = {};
  regularizers::Regularizer bias_regularizer = {};
  regularizers::Regularizer activity_regularizer = {};  // on the outputs, see Layer
  constraints::Constraint kernel_constraint = {};
  constraints::Constraint recurrent_constraint = {};
  constraints::Constraint bias_constraint = {};
  double dropout = 0.0;
  double recurrent_dropout = 0.0;
  std::optional<uint64_t> seed = std::nullopt;
  bool return_sequences = false;
  bool return_state = false;
  bool go_backwards = false;
  // Keep the final states of each batch as the initial states of the next (sample i of a batch
  // continues sample i of the previous one) until reset_states(); needs a fixed batch size
  // (Input's batch_size). In fit, evaluate and predict too (Keras's documented behaviour; its
  // JAX backend drops the update inside compiled steps).
  bool stateful = false;
  bool unroll = false;                // accepted; the loop is always unrolled over the timesteps
  bool zero_output_for_mask = false;  // masked steps output zeros instead of the previous output
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

struct GRUOptions {
  ActivationFn activation = "tanh";
  ActivationFn recurrent_activation = "sigmoid";
  bool use_bias = true;
  initializers::Initializer kernel_initializer = "glorot_uniform";
  initializers::Initializer recurrent_initializer = "orthogonal";
  initializers::Initializer bias_initializer = "zeros";
  regularizers::Regularizer kernel_regularizer = {};
  regularizers::Regularizer recurrent_regularizer = {};
  regularizers::Regularizer bias_regularizer = {};
  regularizers::Regularizer activity_regularizer = {};  // on the outputs, see Layer
  constraints::Constraint kernel_constraint = {};
  constraints::Constraint recurrent_constraint = {};
  constraints::Constraint bias_constraint = {};
  double dropout = 0.0;
  double recurrent_dropout = 0.0;
  std::optional<uint64_t> seed = std::nullopt;
  bool return_sequences = false;
  bool return_state = false;
  bool go_backwards = false;
  bool stateful = false;  // see SimpleRNNOptions
  bool unroll = false;
  bool zero_output_for_mask = false;
  bool reset_after = true;  // Keras 3 / cuDNN convention
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

// A recurrent layer as Bidirectional sees it (Keras's RNN): LSTM, GRU and SimpleRNN
// (RecurrentImpl below), an RNN over a stack of cells (StackedRNNImpl, stacked_rnn.h) and
// ConvLSTM1D/2D/3D (conv_lstm.h).
class RecurrentLayer : public Layer {
 public:
  virtual bool return_sequences() const = 0;
  virtual bool return_state() const = 0;
  virtual bool go_backwards() const = 0;
  virtual bool stateful() const = 0;
  // The rank of the sequences it takes: (batch, time, features), or ConvLSTM's with its spatial
  // dimensions.
  virtual int sequence_ndim() const { return 3; }
  // What each state must be, in the order the layer takes initial states and returns states.
  virtual std::vector<InputSpec> state_specs() const = 0;
  // Zeros, not the previous step's output, at masked steps of the returned sequence (Keras's
  // zero_output_for_mask; Bidirectional sets it to return_sequences on both halves, as Keras does).
  virtual void set_zero_output_for_mask(bool zero) = 0;
  // A new, unbuilt layer with the same options but the opposite go_backwards (for Bidirectional).
  virtual std::shared_ptr<RecurrentLayer> reversed_copy(const std::string& name) const = 0;
  // A stateful layer's states back to zeros (Keras's reset_state; reset_states is its alias).
  // No-op for a layer that is not stateful or not built.
  virtual void reset_state() = 0;
  void reset_states() { reset_state(); }
  bool builds_on_batch_size() const override { return stateful(); }
  int initial_state_count() const override { return static_cast<int>(state_specs().size()); }
  bool steps_through_time() const override { return true; }

 protected:
  using Layer::Layer;
  // The sequence spec, plus state_specs() when initial states are passed.
  std::vector<InputSpec> input_spec_for(size_t num_inputs) const override;
  // reversed_copy from the layer's config: go_backwards flipped, the name given, new weights.
  std::shared_ptr<RecurrentLayer> reversed_from_config(const std::string& name) const;
};

// What LSTM, GRU and SimpleRNN share (Keras's RNN layer plus the DropoutRNNCell mixin): the
// input spec, output shapes, dropout masks and the loop over timesteps.
class RecurrentImpl : public RecurrentLayer {
 public:
  struct Config {
    int64_t units = 0;
    int num_gates = 1;   // column blocks of the kernels
    int num_states = 1;  // h (and c)
    double dropout = 0.0;
    double recurrent_dropout = 0.0;
    std::optional<uint64_t> seed = std::nullopt;
    bool return_sequences = false;
    bool return_state = false;
    bool go_backwards = false;
    bool stateful = false;
    bool unroll = false;
    bool zero_output_for_mask = false;
  };

  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  bool batch_independent() const override { return !config_.stateful; }
  // Keras's supports_masking (its compute_mask below decides the output masks).
  bool supports_masking() const override { return true; }
  Tensors compute_mask(const Tensors& inputs,
                       const Tensors& masks,
                       const Tensors& outputs) const override;
  bool takes_mask_argument() const override { return true; }

  int64_t units() const { return config_.units; }
  // The states of the recurrence: 2 (h, c) for LSTM, 1 (h) for GRU and SimpleRNN.
  int num_states() const { return config_.num_states; }
  std::vector<InputSpec> state_specs() const override {
    return std::vector<InputSpec>(static_cast<size_t>(config_.num_states),
                                  InputSpec{.ndim = 2, .axes = {{-1, config_.units}}});
  }
  bool return_sequences() const override { return config_.return_sequences; }
  void set_zero_output_for_mask(bool zero) override { config_.zero_output_for_mask = zero; }
  bool return_state() const override { return config_.return_state; }
  bool go_backwards() const override { return config_.go_backwards; }
  bool stateful() const override { return config_.stateful; }
  void reset_state() override;
  // A stateful layer's current states ((batch, units) each); empty otherwise.
  const Tensors& states() const { return states_; }
  double dropout() const { return config_.dropout; }
  double recurrent_dropout() const { return config_.recurrent_dropout; }
  const Variable& kernel() const { return kernel_; }
  const Variable& recurrent_kernel() const { return recurrent_kernel_; }
  const Variable& bias() const { return bias_; }  // undefined without use_bias
  // Keras's RNN(cell) with one LSTMCell, GRUCell or SimpleRNNCell loads as the matching layer,
  // which keeps Keras's form when saved (class "RNN", the options in the cell's config);
  // an RNN over StackedRNNCells loads as StackedRNNImpl (stacked_rnn.h); other cells are a
  // NotImplementedError.
  static std::shared_ptr<Layer> from_rnn_config(const Json& config);
  bool wraps_cell() const { return wraps_cell_; }
  // Keras's cell class for this layer: "LSTMCell", "GRUCell" or "SimpleRNNCell".
  virtual const char* cell_class_name() const = 0;
  // Keras 3 keeps the weights in the layer's cell: "cell/vars".
  std::vector<VariableGroup> saved_variables() const override;
  // Built with initial states: {"shapes_dict": {"sequences_shape", "initial_state_shape"}}, the
  // arguments of Keras's RNN.build.
  Json get_build_config() const override;
  std::vector<Generator*> seed_generators() override {
    return generator_ ? std::vector<Generator*>{&*generator_} : std::vector<Generator*>{};
  }

 protected:
  RecurrentImpl(Config config,
                const std::string& name,
                std::string_view prefix,
                const std::optional<std::vector<Dim>>& input_shape);

  // The dropout masks of one call: empty, one mask, or one per gate.
  struct Masks {
    Tensors input;      // (batch, features) each
    Tensors recurrent;  // (batch, units) each
  };
  // One step: (this step's projected input (batch, G*units), states) -> new states. The output of
  // the step is the first new state.
  using StepFn = std::function<Tensors(const Tensor& x_t, const Tensors& states)>;

  // The features of a build's input shape (must be known); pins the input spec to it. A stateful
  // layer also creates its states here, from the batch size (ValueError when unknown).
  int64_t input_dim_for_build(const std::vector<Shape>& input_shapes);
  // The input cast to the layer's dtype (rank 3, at least one timestep).
  Tensor prepare_input(const Tensor& x) const;
  Masks draw_masks(const Tensor& x, bool training);
  // (batch, timesteps, features) -> (batch, timesteps, G*units): x @ kernel + bias over all
  // timesteps in one matmul (one per gate when there are per-gate input masks).
  Tensor project_inputs(const Tensor& x,
                        const Tensor& kernel,
                        const Tensor& bias,
                        const Tensors& masks) const;
  // Runs `step` over the timesteps and assembles the layer's outputs. `inputs` are the layer's
  // inputs: the sequence (whose Keras mask, if any, is applied) and optional initial states.
  Tensors run(const Tensors& inputs, const Tensor& projected, const StepFn& step) const;
  // The states the recurrence starts from: the initial states passed as inputs[1..], else a
  // stateful layer's states, else zeros (batch, units), num_states of them.
  Tensors initial_states(const Tensors& inputs, const Tensor& projected) const;
  // The layer's outputs from the last output, the final states and (with return_sequences) all
  // outputs as (batch, steps, units) in processing order. A stateful layer keeps the final states.
  Tensors outputs(const Tensor& sequence, const Tensors& states) const;

  // h @ kernel, kernel (in, blocks*units). With several masks, column block g sees h * masks[g];
  // with one, every block sees h * masks[0]. The blocks are sliced once, at construction.
  class Projection {
   public:
    Projection(const Tensor& kernel, Tensors masks);
    Tensor operator()(const Tensor& h) const;
    // x + (*this)(h), fused into one GEMM when there are no masks.
    Tensor add_to(const Tensor& x, const Tensor& h) const;

   private:
    Tensor kernel_;
    Tensors blocks_;
    Tensors masks_;
  };

  Config config_;
  Variable kernel_, recurrent_kernel_, bias_;  // created by each layer's build()
  // The class name, or "RNN" for a layer loaded from RNN(cell).
  std::string class_or_rnn(const char* layer_class) const {
    return wraps_cell_ ? "RNN" : layer_class;
  }
  // The layer's flat config, or for RNN(cell) Keras's RNN config around the cell's.
  Json wrap_cell_config(Json flat) const;

 private:
  std::optional<Generator> generator_;  // when seeded
  Tensors states_;                      // stateful: written in place by each call
  bool wraps_cell_ = false;
  // A stack's cells: the stack sets their flags and saves them as cells.
  friend class StackedRNNImpl;
};

class SimpleRNNImpl final : public RecurrentImpl {
 public:
  SimpleRNNImpl(int64_t units, SimpleRNNOptions options);
  std::string class_name() const override { return class_or_rnn("SimpleRNN"); }
  const char* cell_class_name() const override { return "SimpleRNNCell"; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::shared_ptr<RecurrentLayer> reversed_copy(const std::string& name) const override;

 private:
  SimpleRNNOptions options_;
};

class LSTMImpl final : public RecurrentImpl {
 public:
  LSTMImpl(int64_t units, LSTMOptions options);
  std::string class_name() const override { return class_or_rnn("LSTM"); }
  const char* cell_class_name() const override { return "LSTMCell"; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::shared_ptr<RecurrentLayer> reversed_copy(const std::string& name) const override;

 private:
  LSTMOptions options_;
};

class GRUImpl final : public RecurrentImpl {
 public:
  GRUImpl(int64_t units, GRUOptions options);
  std::string class_name() const override { return class_or_rnn("GRU"); }
  const char* cell_class_name() const override { return "GRUCell"; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::shared_ptr<RecurrentLayer> reversed_copy(const std::string& name) const override;

  bool reset_after() const { return options_.reset_after; }

 private:
  GRUOptions options_;
};

class SimpleRNN : public LayerHandle<SimpleRNNImpl> {
 public:
  explicit SimpleRNN(int64_t units, SimpleRNNOptions options = {})
      : LayerHandle(std::make_shared<SimpleRNNImpl>(units, std::move(options))) {}
};

class LSTM : public LayerHandle<LSTMImpl> {
 public:
  explicit LSTM(int64_t units, LSTMOptions options = {})
      : LayerHandle(std::make_shared<LSTMImpl>(units, std::move(options))) {}
};

class GRU : public LayerHandle<GRUImpl> {
 public:
  explicit GRU(int64_t units, GRUOptions options = {})
      : LayerHandle(std::make_shared<GRUImpl>(units, std::move(options))) {}
};

}  // namespace keras::layers
