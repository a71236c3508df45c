#include "keras/layers/recurrent.h"

#include <algorithm>

#include "core/python_repr.h"
#include "keras/autodiff/tape.h"
#include "keras/config/json.h"
#include "keras/layers/registry.h"
#include "keras/layers/stacked_rnn.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/random.h"
#include "keras/ops/rnn.h"
#include "keras/ops/shape.h"
#include "layers/config_util.h"
#include "layers/recurrence.h"
#include "layers/recurrent_config.h"

namespace keras::layers {
namespace {

double clamp_rate(double rate) {
  return std::clamp(rate, 0.0, 1.0);
}

// Keras applies a dropout rate only when 0 < rate < 1.
bool active_rate(double rate) {
  return rate > 0.0 && rate < 1.0;
}

RecurrentImpl::Config config_for(int64_t units, int num_gates, int num_states, const auto& o) {
  return {.units = units,
          .num_gates = num_gates,
          .num_states = num_states,
          .dropout = clamp_rate(o.dropout),
          .recurrent_dropout = clamp_rate(o.recurrent_dropout),
          .seed = o.seed,
          .return_sequences = o.return_sequences,
          .return_state = o.return_state,
          .go_backwards = o.go_backwards,
          .stateful = o.stateful,
          .unroll = o.unroll,
          .zero_output_for_mask = o.zero_output_for_mask};
}

// Column block g (of `size` columns) of a 2-D tensor.
Tensor columns(const Tensor& t, int64_t g, int64_t size) {
  return ops::slice_axis(t, 1, g * size, size);
}

// Row `row` of a (rows, n) tensor, as a (n,) tensor.
Tensor row_of(const Tensor& t, int64_t row) {
  return ops::reshape(ops::slice_axis(t, 0, row, 1), {t.dim(1)});
}

Tensor maybe(const Variable& v) {
  return v.defined() ? v.value() : Tensor();
}

}  // namespace

// ---- RecurrentImpl ----

RecurrentImpl::RecurrentImpl(Config config,
                             const std::string& name,
                             std::string_view prefix,
                             const std::optional<std::vector<Dim>>& input_shape)
    : RecurrentLayer(
          name, prefix, input_shape ? std::optional(to_shape(*input_shape)) : std::nullopt),
      config_(config) {
  KERAS_CHECK(config_.units > 0, ValueError,
              "Received an invalid value for argument `units`, expected a positive integer, got ",
              config_.units, ".");
  if (config_.seed) generator_.emplace(*config_.seed);
  input_spec_ = {InputSpec{.ndim = 3}};
}

std::vector<Shape> RecurrentImpl::compute_output_shape(
    const std::vector<Shape>& input_shapes) const {
  const Shape& in = input_shapes[0];
  KERAS_CHECK(in.size() == 3, ValueError, "Input 0 is incompatible with layer ", name(),
              ": expected ndim=3, found ndim=", in.size(),
              ". Full shape received: ", shape_str(in));
  const int64_t batch = in[0], units = config_.units;
  std::vector<Shape> out{config_.return_sequences ? Shape{batch, in[1], units}
                                                  : Shape{batch, units}};
  if (config_.return_state) {
    for (int i = 0; i < config_.num_states; ++i) out.push_back({batch, units});
  }
  return out;
}

int64_t RecurrentImpl::input_dim_for_build(const std::vector<Shape>& input_shapes) {
  const Shape& in = input_shapes[0];
  const int64_t input_dim = in.back();
  KERAS_CHECK(input_dim != kNone, ValueError, "The last dimension of the inputs to a ",
              class_name(),
              " layer should be defined. Found None. Full input shape received: ", shape_str(in));
  input_spec_ = {InputSpec{.ndim = 3, .axes = {{-1, input_dim}}}};
  KERAS_CHECK(!config_.unroll || in[1] != kNone, ValueError,
              "Cannot unroll a RNN if the time dimension is undefined. \n- If using a Sequential "
              "model, specify the time dimension by passing an `Input()` as your first layer.\n- "
              "If using the functional API, specify the time dimension by passing a `shape` or "
              "`batch_shape` argument to your `Input()`.");
  if (config_.stateful) {
    KERAS_CHECK(in[0] != kNone, ValueError,
                "When using `stateful=True` in a RNN, the batch size must be static. Found "
                "dynamic batch size: sequence.shape=",
                shape_str(in));
    states_.clear();
    for (int i = 0; i < config_.num_states; ++i) states_.push_back(zeros({in[0], config_.units}));
  }
  return input_dim;
}

void RecurrentImpl::reset_state() {
  for (const Tensor& s : states_) ops::assign(s, ops::zeros_like(s));
}

Tensor RecurrentImpl::prepare_input(const Tensor& x) const {
  KERAS_CHECK(x.dim(1) > 0, ValueError, "Layer ", name(),
              " received an input with no timesteps. Full shape received: ", shape_str(x.shape()));
  return x.dtype() == dtype() ? x : ops::cast(x, dtype());
}

RecurrentImpl::Masks RecurrentImpl::draw_masks(const Tensor& x, bool training) {
  Masks masks;
  if (!training) return masks;
  Generator* gen = generator_ ? &*generator_ : nullptr;
  // A mask is dropout applied to ones: 0 or 1 / (1 - rate).
  auto mask = [&](int64_t width, double rate) {
    return random::dropout(ops::ones_like(Tensor::empty({x.dim(0), width}, x.dtype(), x.device())),
                           rate, gen);
  };
  // Keras's implementation 1 (one mask per gate) whenever recurrent_dropout is set.
  const int count = config_.recurrent_dropout != 0.0 ? config_.num_gates : 1;
  if (active_rate(config_.dropout)) {
    for (int g = 0; g < count; ++g) masks.input.push_back(mask(x.dim(2), config_.dropout));
  }
  if (active_rate(config_.recurrent_dropout)) {
    for (int g = 0; g < count; ++g) {
      masks.recurrent.push_back(mask(config_.units, config_.recurrent_dropout));
    }
  }
  return masks;
}

Tensor RecurrentImpl::project_inputs(const Tensor& x,
                                     const Tensor& kernel,
                                     const Tensor& bias,
                                     const Tensors& masks) const {
  const int64_t batch = x.dim(0), steps = x.dim(1), features = x.dim(2);
  // (batch, steps, features) -> (batch * steps, features), with a (batch, features) mask
  // broadcast over the timesteps.
  auto rows = [&](const Tensor* mask) {
    const Tensor xm =
        mask != nullptr ? ops::multiply(x, ops::reshape(*mask, {batch, 1, features})) : x;
    return ops::reshape(xm, {batch * steps, features});
  };
  Tensor y;
  if (masks.size() <= 1) {
    y = ops::matmul(rows(masks.empty() ? nullptr : &masks[0]), kernel);
  } else {
    const int64_t block = kernel.dim(1) / static_cast<int64_t>(masks.size());
    Tensors parts;
    for (size_t g = 0; g < masks.size(); ++g) {
      parts.push_back(
          ops::matmul(rows(&masks[g]), columns(kernel, static_cast<int64_t>(g), block)));
    }
    y = ops::concatenate(parts, 1);
  }
  if (bias.defined()) y = ops::add(y, bias);
  return ops::reshape(y, {batch, steps, kernel.dim(1)});
}

std::vector<InputSpec> RecurrentLayer::input_spec_for(size_t num_inputs) const {
  std::vector<InputSpec> specs = input_spec_;
  const std::vector<InputSpec> states = state_specs();
  if (num_inputs == 1 + states.size()) specs.insert(specs.end(), states.begin(), states.end());
  return specs;
}

std::shared_ptr<RecurrentLayer> RecurrentLayer::reversed_from_config(
    const std::string& name) const {
  Json serialized = serialize_layer(*this);
  serialized["config"]["go_backwards"] = !go_backwards();
  serialized["config"]["name"] = name;
  return std::dynamic_pointer_cast<RecurrentLayer>(deserialize_layer(serialized));
}

Tensors RecurrentImpl::compute_mask(const Tensors&, const Tensors& masks, const Tensors&) const {
  if (!config_.return_sequences || masks.empty()) return {};
  return {masks[0]};
}

Tensors RecurrentImpl::initial_states(const Tensors& layer_inputs, const Tensor& projected) const {
  const int64_t batch = projected.dim(0), units = config_.units;
  Tensors states;
  if (layer_inputs.size() > 1) {
    for (size_t i = 1; i < layer_inputs.size(); ++i) {
      const Tensor& s = layer_inputs[i];
      KERAS_CHECK(s.dim(0) == batch, ValueError, "Layer ", name(), ": initial state ", i - 1,
                  " has shape ", shape_str(s.shape()), ", expected (", batch, ", ", units, ")");
      states.push_back(s.dtype() == projected.dtype() ? s : ops::cast(s, projected.dtype()));
    }
  } else if (config_.stateful) {
    KERAS_CHECK(states_.empty() || states_[0].dim(0) == batch, ValueError,
                "If an RNN is stateful, the batch size of the input sequences must be the same as "
                "the batch size of the initial state. \n- Expected batch size: ",
                states_.empty() ? 0 : states_[0].dim(0), "\n- Received batch size: ", batch);
    // Copies: the call writes the final states back into states_ before a backward pass reads
    // the initial ones.
    for (const Tensor& s : states_) {
      const Tensor c = ops::copy(s);
      states.push_back(c.dtype() == projected.dtype() ? c : ops::cast(c, projected.dtype()));
    }
  } else {
    const Tensor zero =
        ops::zeros_like(Tensor::empty({batch, units}, projected.dtype(), projected.device()));
    states.assign(static_cast<size_t>(config_.num_states), zero);
  }
  return states;
}

Tensors RecurrentImpl::outputs(const Tensor& sequence, const Tensors& states) const {
  for (size_t i = 0; i < states_.size() && i < states.size(); ++i) {
    ops::assign(states_[i], states[i].dtype() == states_[i].dtype()
                                ? states[i]
                                : ops::cast(states[i], states_[i].dtype()));
  }
  Tensors result{config_.return_sequences ? sequence : states[0]};
  if (config_.return_state) result.insert(result.end(), states.begin(), states.end());
  return result;
}

Tensors RecurrentImpl::run(const Tensors& layer_inputs,
                           const Tensor& projected,
                           const StepFn& step) const {
  const int64_t batch = projected.dim(0), steps = projected.dim(1), width = projected.dim(2);
  const int64_t units = config_.units;
  Tensors states = initial_states(layer_inputs, projected);
  // A mask (batch, steps): one (batch, 1) column per step selects new or previous values.
  const Tensor mask = layer_inputs[0].keras_mask();
  Tensors mask_steps;
  if (mask.defined()) {
    KERAS_CHECK(mask.rank() == 2 && mask.dim(0) == batch && mask.dim(1) == steps, ValueError,
                "Layer ", name(), ": the mask has shape ", shape_str(mask.shape()), ", expected (",
                batch, ", ", steps, ")");
    mask_steps = ops::split(mask, steps, 1);
  }
  Tensors inputs;  // (batch, width) each
  for (const Tensor& x : ops::split(projected, steps, 1))
    inputs.push_back(ops::reshape(x, {batch, width}));
  internal::Recurrence r =
      internal::recur(inputs, std::move(states), mask_steps, config_.go_backwards,
                      config_.zero_output_for_mask, config_.return_sequences, step);
  // (batch, steps * units) -> (batch, steps, units), in processing order.
  Tensors result = outputs(config_.return_sequences
                               ? ops::reshape(ops::concatenate(r.outputs, 1), {batch, steps, units})
                               : Tensor(),
                           r.states);
  if (!config_.return_sequences) result[0] = r.last_output;
  return result;
}

RecurrentImpl::Projection::Projection(const Tensor& kernel, Tensors masks)
    : kernel_(kernel), masks_(std::move(masks)) {
  if (masks_.size() > 1) {
    const int64_t block = kernel.dim(1) / static_cast<int64_t>(masks_.size());
    for (size_t g = 0; g < masks_.size(); ++g) {
      blocks_.push_back(columns(kernel, static_cast<int64_t>(g), block));
    }
  }
}

Tensor RecurrentImpl::Projection::add_to(const Tensor& x, const Tensor& h) const {
  if (masks_.empty()) return ops::addmm(x, h, kernel_);
  return ops::add(x, (*this)(h));
}

Tensor RecurrentImpl::Projection::operator()(const Tensor& h) const {
  if (masks_.empty()) return ops::matmul(h, kernel_);
  if (masks_.size() == 1) return ops::matmul(ops::multiply(h, masks_[0]), kernel_);
  Tensors parts;
  for (size_t g = 0; g < masks_.size(); ++g) {
    parts.push_back(ops::matmul(ops::multiply(h, masks_[g]), blocks_[g]));
  }
  return ops::concatenate(parts, 1);
}

// ---- SimpleRNN ----

SimpleRNNImpl::SimpleRNNImpl(int64_t units, SimpleRNNOptions options)
    : RecurrentImpl(
          config_for(units, 1, 1, options), options.name, "simple_rnn", options.input_shape),
      options_(std::move(options)) {
  set_activity_regularizer(options_.activity_regularizer);
}

void SimpleRNNImpl::build(const std::vector<Shape>& input_shapes) {
  const int64_t input_dim = input_dim_for_build(input_shapes), u = units();
  kernel_ = add_weight("kernel", {input_dim, u}, options_.kernel_initializer, true,
                       options_.kernel_regularizer, options_.kernel_constraint);
  recurrent_kernel_ = add_weight("recurrent_kernel", {u, u}, options_.recurrent_initializer, true,
                                 options_.recurrent_regularizer, options_.recurrent_constraint);
  if (options_.use_bias) {
    bias_ = add_weight("bias", {u}, options_.bias_initializer, true, options_.bias_regularizer,
                       options_.bias_constraint);
  }
}

// h = act(x W + b + h U)
Tensors SimpleRNNImpl::call(const Tensors& inputs, bool training) {
  const Tensor x = prepare_input(inputs[0]);
  const Masks masks = draw_masks(x, training);
  const Tensor xs = project_inputs(x, kernel_.value(), maybe(bias_), masks.input);
  const Projection recurrent(recurrent_kernel_.value(), masks.recurrent);
  return run(inputs, xs, [&](const Tensor& x_t, const Tensors& s) -> Tensors {
    return {options_.activation(ops::add(x_t, recurrent(s[0])))};
  });
}

// ---- LSTM ----

LSTMImpl::LSTMImpl(int64_t units, LSTMOptions options)
    : RecurrentImpl(config_for(units, 4, 2, options), options.name, "lstm", options.input_shape),
      options_(std::move(options)) {
  set_activity_regularizer(options_.activity_regularizer);
}

void LSTMImpl::build(const std::vector<Shape>& input_shapes) {
  const int64_t input_dim = input_dim_for_build(input_shapes), u = units();
  checked_mul(4, u, "LSTM units");
  kernel_ = add_weight("kernel", {input_dim, 4 * u}, options_.kernel_initializer, true,
                       options_.kernel_regularizer, options_.kernel_constraint);
  recurrent_kernel_ =
      add_weight("recurrent_kernel", {u, 4 * u}, options_.recurrent_initializer, true,
                 options_.recurrent_regularizer, options_.recurrent_constraint);
  if (options_.use_bias) {
    initializers::Initializer init = options_.bias_initializer;
    if (options_.unit_forget_bias) {
      // bias_initializer for i, ones for f, bias_initializer for c and o (as Keras).
      init = initializers::Initializer(
          "LSTMBias", [base = options_.bias_initializer, u](const Shape&, DType dtype) {
            return ops::concatenate({base({u}, dtype), ones({u}, dtype), base({2 * u}, dtype)}, 0);
          });
    }
    bias_ = add_weight("bias", {4 * u}, init, true, options_.bias_regularizer,
                       options_.bias_constraint);
  }
}

// z = x W + b + h U;  i, f, o = rec(z_i), rec(z_f), rec(z_o);  c = f*c + i*act(z_c);
// h = o*act(c)
Tensors LSTMImpl::call(const Tensors& inputs, bool training) {
  const Tensor x = prepare_input(inputs[0]);
  const Masks masks = draw_masks(x, training);
  const ActivationFn& act = options_.activation;
  const ActivationFn& rec = options_.recurrent_activation;
  const bool default_cell = act.name() == "tanh" && rec.name() == "sigmoid";
  const bool whole_sequence =
      default_cell && masks.recurrent.empty() && !inputs[0].keras_mask().defined();
  const Tensors s = whole_sequence ? initial_states(inputs, x) : Tensors();
  if (whole_sequence && masks.input.empty() &&
      !autodiff::any_tracked(
          {x, kernel_.value(), maybe(bias_), recurrent_kernel_.value(), s[0], s[1]})) {
    // Inference: one kernel from the raw inputs, which skips the projected inputs and what only
    // a backward needs.
    auto [hs, h, c] =
        ops::lstm_inference(x, kernel_.value(), maybe(bias_), recurrent_kernel_.value(), s[0], s[1],
                            config_.go_backwards, config_.return_sequences);
    return outputs(hs, {h, c});
  }
  const Tensor xs = project_inputs(x, kernel_.value(), maybe(bias_), masks.input);
  const Projection recurrent(recurrent_kernel_.value(), masks.recurrent);
  if (whole_sequence) {
    // The whole recurrence in one kernel (Keras's defaults, nothing masked).
    auto [hs, c] =
        ops::lstm_sequence(xs, recurrent_kernel_.value(), s[0], s[1], config_.go_backwards);
    const int64_t steps = xs.dim(1);
    const Tensor h = ops::reshape(ops::slice_axis(hs, 1, steps - 1, 1), {xs.dim(0), units()});
    return outputs(hs, {h, c});
  }
  if (default_cell) {  // the fused cell, one step at a time
    return run(inputs, xs, [&](const Tensor& x_t, const Tensors& s) -> Tensors {
      auto [h, c] = ops::lstm_cell(recurrent.add_to(x_t, s[0]), s[1]);
      return {h, c};
    });
  }
  return run(inputs, xs, [&](const Tensor& x_t, const Tensors& s) -> Tensors {
    const Tensors z = ops::split(ops::add(x_t, recurrent(s[0])), 4, 1);
    const Tensor i = rec(z[0]), f = rec(z[1]), o = rec(z[3]);
    const Tensor c = ops::add(ops::multiply(f, s[1]), ops::multiply(i, act(z[2])));
    return {ops::multiply(o, act(c)), c};
  });
}

// ---- GRU ----

GRUImpl::GRUImpl(int64_t units, GRUOptions options)
    : RecurrentImpl(config_for(units, 3, 1, options), options.name, "gru", options.input_shape),
      options_(std::move(options)) {
  set_activity_regularizer(options_.activity_regularizer);
}

void GRUImpl::build(const std::vector<Shape>& input_shapes) {
  const int64_t input_dim = input_dim_for_build(input_shapes), u = units();
  checked_mul(3, u, "GRU units");
  kernel_ = add_weight("kernel", {input_dim, 3 * u}, options_.kernel_initializer, true,
                       options_.kernel_regularizer, options_.kernel_constraint);
  recurrent_kernel_ =
      add_weight("recurrent_kernel", {u, 3 * u}, options_.recurrent_initializer, true,
                 options_.recurrent_regularizer, options_.recurrent_constraint);
  if (options_.use_bias) {
    const Shape shape = options_.reset_after ? Shape{2, 3 * u} : Shape{3 * u};
    bias_ = add_weight("bias", shape, options_.bias_initializer, true, options_.bias_regularizer,
                       options_.bias_constraint);
  }
}

// z, r = rec(x W_zr + b_zr + h U_zr (+ b'_zr));  h = z*h + (1 - z)*hh, with
// hh = act(x W_h + b_h + r*(h U_h + b'_h)) (reset_after) or act(x W_h + b_h + (r*h) U_h).
Tensors GRUImpl::call(const Tensors& inputs, bool training) {
  const Tensor x = prepare_input(inputs[0]);
  const Masks masks = draw_masks(x, training);
  const int64_t u = units();
  const bool reset_after = options_.reset_after;
  Tensor input_bias = maybe(bias_), recurrent_bias;
  if (bias_.defined() && reset_after) {
    input_bias = row_of(bias_.value(), 0);
    recurrent_bias = row_of(bias_.value(), 1);
  }
  const Tensor xs = project_inputs(x, kernel_.value(), input_bias, masks.input);
  const Tensor& kernel = recurrent_kernel_.value();
  const ActivationFn& act = options_.activation;
  const ActivationFn& rec = options_.recurrent_activation;
  auto mix = [](const Tensor& z, const Tensor& h, const Tensor& hh) {
    return ops::add(ops::multiply(z, h), ops::multiply(ops::subtract(1.0, z), hh));
  };

  if (reset_after) {
    const Projection recurrent(kernel, masks.recurrent);
    return run(inputs, xs, [&](const Tensor& x_t, const Tensors& s) -> Tensors {
      Tensor inner = recurrent(s[0]);
      if (recurrent_bias.defined()) inner = ops::add(inner, recurrent_bias);
      const Tensor z = rec(ops::add(columns(x_t, 0, u), columns(inner, 0, u)));
      const Tensor r = rec(ops::add(columns(x_t, 1, u), columns(inner, 1, u)));
      const Tensor hh = act(ops::add(columns(x_t, 2, u), ops::multiply(r, columns(inner, 2, u))));
      return {mix(z, s[0], hh)};
    });
  }
  // reset_before: z and r from U[:, :2u]; the candidate from (r*h) U[:, 2u:].
  const Tensors& m = masks.recurrent;
  const Projection recurrent_zr(ops::slice_axis(kernel, 1, 0, 2 * u),
                                m.empty() ? Tensors{} : Tensors{m[0], m[1]});
  const Projection recurrent_h(columns(kernel, 2, u), m.empty() ? Tensors{} : Tensors{m[2]});
  return run(inputs, xs, [&](const Tensor& x_t, const Tensors& s) -> Tensors {
    const Tensors xg = ops::split(x_t, 3, 1), hg = ops::split(recurrent_zr(s[0]), 2, 1);
    const Tensor z = rec(ops::add(xg[0], hg[0]));
    const Tensor r = rec(ops::add(xg[1], hg[1]));
    const Tensor hh = act(ops::add(xg[2], recurrent_h(ops::multiply(r, s[0]))));
    return {mix(z, s[0], hh)};
  });
}

template <class Impl, class Options>
std::shared_ptr<RecurrentLayer> reversed(int64_t units, Options options, const std::string& name) {
  options.go_backwards = !options.go_backwards;
  options.name = name;
  options.input_shape = std::nullopt;
  return std::make_shared<Impl>(units, std::move(options));
}

std::shared_ptr<RecurrentLayer> SimpleRNNImpl::reversed_copy(const std::string& name) const {
  return reversed<SimpleRNNImpl>(units(), options_, name);
}
std::shared_ptr<RecurrentLayer> LSTMImpl::reversed_copy(const std::string& name) const {
  return reversed<LSTMImpl>(units(), options_, name);
}
std::shared_ptr<RecurrentLayer> GRUImpl::reversed_copy(const std::string& name) const {
  return reversed<GRUImpl>(units(), options_, name);
}

namespace {

template <class Options>
Json rnn_config(Json config, int64_t units, const Options& o) {
  recurrent_config::write_flags(config, o);
  config["units"] = units;
  recurrent_config::write_cell(config, o);
  return config;
}

template <class Impl, class Options>
std::shared_ptr<Layer> rnn_from_config(const Json& c, const char* w) {
  Options o;
  recurrent_config::read_flags(c, o, w);
  recurrent_config::read_cell(c, o, w);
  auto layer = std::make_shared<Impl>(config::require<int64_t>(c, "units", w), o);
  layer->apply_base_config(c);
  return layer;
}

}  // namespace

std::vector<Layer::VariableGroup> RecurrentImpl::saved_variables() const {
  return {{"vars", {}}, {"cell/vars", weights()}};
}

Json RecurrentImpl::get_build_config() const {
  const std::vector<Shape>& shapes = build_input_shapes();
  return shapes.size() > 1 ? config_util::initial_state_build_config(shapes)
                           : Layer::get_build_config();
}

Json SimpleRNNImpl::get_config() const {
  return wrap_cell_config(rnn_config(Layer::get_config(), units(), options_));
}
Json LSTMImpl::get_config() const {
  return wrap_cell_config(rnn_config(Layer::get_config(), units(), options_));
}
Json GRUImpl::get_config() const {
  return wrap_cell_config(rnn_config(Layer::get_config(), units(), options_));
}
std::shared_ptr<Layer> SimpleRNNImpl::from_config(const Json& config) {
  return rnn_from_config<SimpleRNNImpl, SimpleRNNOptions>(config, "SimpleRNN");
}
std::shared_ptr<Layer> LSTMImpl::from_config(const Json& config) {
  return rnn_from_config<LSTMImpl, LSTMOptions>(config, "LSTM");
}
std::shared_ptr<Layer> GRUImpl::from_config(const Json& config) {
  return rnn_from_config<GRUImpl, GRUOptions>(config, "GRU");
}

std::shared_ptr<Layer> RecurrentImpl::from_rnn_config(const Json& c) {
  const Json* cell = config::find(c, "cell");
  KERAS_CHECK(cell != nullptr && cell->is_object(), NotImplementedError,
              "RNN: keras.cpp loads an RNN over one LSTMCell, GRUCell or SimpleRNNCell or a "
              "StackedRNNCells of them; this "
              "one has ",
              cell ? config::json_excerpt(*cell, 120) : std::string("no cell"));
  const auto cls = config::get<std::string>(*cell, "class_name", "", "RNN");
  if (cls == "StackedRNNCells") return StackedRNNImpl::from_config(c);
  const Json* cell_config = config::find(*cell, "config");
  using Factory = std::shared_ptr<Layer> (*)(const Json&);
  const std::pair<const char*, Factory> cells[] = {{"LSTMCell", &LSTMImpl::from_config},
                                                   {"GRUCell", &GRUImpl::from_config},
                                                   {"SimpleRNNCell", &SimpleRNNImpl::from_config}};
  const auto* match = std::ranges::find_if(cells, [&](const auto& e) { return cls == e.first; });
  KERAS_CHECK(match != std::end(cells) && cell_config != nullptr && cell_config->is_object(),
              NotImplementedError,
              "RNN: keras.cpp loads an RNN over one LSTMCell, GRUCell or SimpleRNNCell or a "
              "StackedRNNCells of them; this "
              "one's cell is ",
              cls.empty() ? config::json_excerpt(*cell, 120) : cls);
  // The cell's options, with the wrapper's flags, name and base config.
  Json merged = *cell_config;
  for (const char* key :
       {"name", "trainable", "dtype", "activity_regularizer", "return_sequences", "return_state",
        "go_backwards", "stateful", "unroll", "zero_output_for_mask", "time_major"}) {
    if (const Json* v = config::find(c, key)) {
      merged[key] = *v;
    } else {
      merged.erase(key);
    }
  }
  std::shared_ptr<Layer> layer = match->second(merged);
  std::static_pointer_cast<RecurrentImpl>(layer)->wraps_cell_ = true;
  return layer;
}

Json RecurrentImpl::wrap_cell_config(Json flat) const {
  if (!wraps_cell_) return flat;
  // Keras 3's RNN keeps these; the cell everything else (Keras's base keys, then its options).
  Json rnn = Json::object(), cell = Json::object();
  for (const char* key : {"name", "trainable", "dtype", "return_sequences", "return_state",
                          "go_backwards", "stateful", "unroll", "zero_output_for_mask"}) {
    if (flat.contains(key)) rnn[key] = flat[key];
  }
  cell["name"] = to_snake_case(cell_class_name());
  cell["trainable"] = flat.value("trainable", Json(true));
  cell["dtype"] = flat.value("dtype", Json(nullptr));
  for (auto& [key, value] : flat.items()) {
    if (rnn.contains(key) || key == "activity_regularizer") continue;
    cell[key] = value;
  }
  if (flat.contains("activity_regularizer") && !flat["activity_regularizer"].is_null()) {
    rnn["activity_regularizer"] = flat["activity_regularizer"];
  }
  Json wrapped{{"module", "keras.layers"},
               {"class_name", cell_class_name()},
               {"config", cell},
               {"registered_name", nullptr}};
  if (built()) config_util::set_cell_build_config(wrapped, build_input_shapes());
  rnn["cell"] = wrapped;
  return rnn;
}

}  // namespace keras::layers
