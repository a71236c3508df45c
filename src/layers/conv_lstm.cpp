#include "keras/layers/conv_lstm.h"

#include <algorithm>
#include <cctype>

#include "keras/config/json.h"
#include "keras/ops/conv.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/random.h"
#include "keras/ops/shape.h"
#include "layers/config_util.h"
#include "layers/recurrence.h"
#include "layers/recurrent_config.h"
#include "ops/conv_bias.h"

namespace keras::layers {
namespace {

bool active_rate(double rate) {
  return rate > 0.0 && rate < 1.0;
}

std::string lower(std::string s) {
  std::ranges::transform(s, s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Tensor maybe(const Variable& v) {
  return v.defined() ? v.value() : Tensor();
}

}  // namespace

ConvLSTMImpl::ConvLSTMImpl(int rank,
                           int64_t filters,
                           const IntOrTuple& kernel_size,
                           ConvLSTMOptions options)
    : RecurrentLayer(
          options.name,
          str("conv_lstm", rank, "d"),
          options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      rank_(rank),
      filters_(filters),
      options_(std::move(options)) {
  KERAS_CHECK(rank >= 1 && rank <= 3, ValueError, "Rank ", rank,
              " convolutions are not currently implemented. Received: rank=", rank);
  KERAS_CHECK(filters > 0, ValueError,
              "Invalid value for argument `filters`. Expected a strictly positive value. "
              "Received filters=",
              filters, ".");
  kernel_size_ = ops::expand_spatial(kernel_size.values, rank, "kernel_size");
  strides_ = ops::expand_spatial(options_.strides.values, rank, "strides");
  dilation_rate_ = ops::expand_spatial(options_.dilation_rate.values, rank, "dilation_rate");
  options_.padding = lower(options_.padding);
  KERAS_CHECK(options_.padding == "valid" || options_.padding == "same", ValueError,
              "The `padding` argument must be a list/tuple or one of {'valid', 'same'}. "
              "Received: ",
              options_.padding);
  KERAS_CHECK(
      options_.data_format == "channels_last" || options_.data_format == "channels_first",
      ValueError,
      "The `data_format` argument must be one of {'channels_first', 'channels_last'}. Received: "
      "data_format=",
      options_.data_format);
  KERAS_CHECK(std::ranges::max(strides_) == 1 || std::ranges::max(dilation_rate_) == 1, ValueError,
              "Specifying `strides > 1` is not compatible with `dilation_rate > 1`. Please provide "
              "`strides=1` or `dilation_rate=1`. Received: strides=",
              shape_str(strides_), " and dilation_rate=", shape_str(dilation_rate_));
  options_.dropout = std::clamp(options_.dropout, 0.0, 1.0);
  options_.recurrent_dropout = std::clamp(options_.recurrent_dropout, 0.0, 1.0);
  if (options_.seed) generator_.emplace(*options_.seed);
  set_activity_regularizer(options_.activity_regularizer);
  input_spec_ = {InputSpec{.ndim = rank + 3}};
}

std::string ConvLSTMImpl::class_name() const {
  return str("ConvLSTM", rank_, "D");
}

int ConvLSTMImpl::channel_axis_of_step() const {
  return options_.data_format == "channels_first" ? 1 : rank_ + 1;
}

Shape ConvLSTMImpl::state_shape(const Shape& in) const {
  const bool first = options_.data_format == "channels_first";
  const int spatial = first ? 3 : 2;  // in the input, with its time axis
  Shape out{in[0]};
  if (first) out.push_back(filters_);
  for (int i = 0; i < rank_; ++i) {
    const int64_t len = in[spatial + i];
    const int64_t n = ops::conv_output_length(len, kernel_size_[i], options_.padding, strides_[i],
                                              dilation_rate_[i]);
    if (len != kNone && n <= 0) {
      const int64_t c = in[first ? 2 : rank_ + 2];
      Shape k(kernel_size_.begin(), kernel_size_.end());
      k.insert(k.end(), {c, 4 * filters_});
      throw ValueError(str("Layer '", name(), "' (", class_name(),
                           "): Computed output size would be negative. Received `inputs shape=",
                           shape_str(in), "`, `kernel shape=", shape_str(k),
                           "`, `dilation_rate=", shape_str(dilation_rate_), "`."));
    }
    out.push_back(n);
  }
  if (!first) out.push_back(filters_);
  return out;
}

std::vector<Shape> ConvLSTMImpl::compute_output_shape(
    const std::vector<Shape>& input_shapes) const {
  const Shape& in = input_shapes[0];
  KERAS_CHECK(static_cast<int>(in.size()) == rank_ + 3, ValueError,
              "Input 0 is incompatible with layer ", name(), ": expected ndim=", rank_ + 3,
              ", found ndim=", in.size(), ". Full shape received: ", shape_str(in));
  const Shape state = state_shape(in);
  Shape out = state;
  if (options_.return_sequences) out.insert(out.begin() + 1, in[1]);
  std::vector<Shape> result{out};
  if (options_.return_state) result.insert(result.end(), {state, state});
  return result;
}

void ConvLSTMImpl::build(const std::vector<Shape>& input_shapes) {
  const Shape& in = input_shapes[0];
  const bool first = options_.data_format == "channels_first";
  const int channel = first ? 2 : rank_ + 2;
  Shape step(in);
  step.erase(step.begin() + 1);
  for (int i = 0; i < rank_; ++i) {
    KERAS_CHECK(in[(first ? 3 : 2) + i] != kNone, ValueError,
                "ConvLSTM layers only support static input shapes for the spatial dimension. "
                "Received invalid input shape: input_shape=",
                shape_str(step));
  }
  const int64_t c = in[channel];
  KERAS_CHECK(c != kNone, ValueError,
              "The channel dimension of the inputs (last axis) should be defined. Found None. "
              "Full input shape received: input_shape=",
              shape_str(step));
  const int64_t gates = checked_mul(4, filters_, "ConvLSTM filters");
  Shape k(kernel_size_.begin(), kernel_size_.end());
  Shape kernel_shape = k, recurrent_shape = k;
  kernel_shape.insert(kernel_shape.end(), {c, gates});
  recurrent_shape.insert(recurrent_shape.end(), {filters_, gates});
  kernel_ = add_weight("kernel", kernel_shape, options_.kernel_initializer, true,
                       options_.kernel_regularizer, options_.kernel_constraint);
  recurrent_kernel_ =
      add_weight("recurrent_kernel", recurrent_shape, options_.recurrent_initializer, true,
                 options_.recurrent_regularizer, options_.recurrent_constraint);
  if (options_.use_bias) {
    initializers::Initializer init = options_.bias_initializer;
    if (options_.unit_forget_bias) {
      // bias_initializer for i, ones for f, bias_initializer for c and o (as Keras).
      init = initializers::Initializer(
          "ConvLSTMBias", [base = options_.bias_initializer, f = filters_](const Shape&, DType dt) {
            return ops::concatenate({base({f}, dt), ones({f}, dt), base({2 * f}, dt)}, 0);
          });
    }
    bias_ = add_weight("bias", {gates}, init, true, options_.bias_regularizer,
                       options_.bias_constraint);
  }
  InputSpec spec{.ndim = rank_ + 3};
  for (int axis = 2; axis < rank_ + 3; ++axis) spec.axes[axis] = in[axis];
  input_spec_ = {spec};
  if (options_.stateful) {
    KERAS_CHECK(in[0] != kNone, ValueError,
                "When using `stateful=True` in a RNN, the batch size must be static. Found "
                "dynamic batch size: sequence.shape=",
                shape_str(in));
    const Shape s = state_shape(in);
    states_ = {zeros(s, dtype()), zeros(s, dtype())};
  }
}

std::vector<InputSpec> ConvLSTMImpl::state_specs() const {
  return std::vector<InputSpec>(
      2, InputSpec{.ndim = rank_ + 2, .axes = {{channel_axis_of_step(), filters_}}});
}

std::shared_ptr<RecurrentLayer> ConvLSTMImpl::reversed_copy(const std::string& name) const {
  return reversed_from_config(name);
}

Tensors ConvLSTMImpl::compute_mask(const Tensors&, const Tensors& masks, const Tensors&) const {
  if (!options_.return_sequences || masks.empty()) return {};
  return {masks[0]};
}

void ConvLSTMImpl::reset_state() {
  for (const Tensor& s : states_) ops::assign(s, ops::zeros_like(s));
}

// The inputs of every step go through one convolution (batch * time rows); the recurrence then
// adds the recurrent convolution of h step by step.
Tensors ConvLSTMImpl::call(const Tensors& inputs, bool training) {
  const Tensor& x = inputs[0];
  const int64_t batch = x.dim(0), steps = x.dim(1);
  KERAS_CHECK(steps > 0, ValueError, "Layer ", name(),
              " received an input with no timesteps. Full shape received: ", shape_str(x.shape()));
  const int axis = channel_axis_of_step();
  const Shape state = state_shape(x.shape());
  Shape step_in(x.shape());
  step_in.erase(step_in.begin() + 1);
  Shape merged = step_in;
  merged[0] = batch * steps;
  const ops::ConvOptions conv{.strides = strides_,
                              .padding = options_.padding,
                              .data_format = options_.data_format,
                              .dilation_rate = dilation_rate_};
  const ops::ConvOptions recurrent_conv{.padding = "same", .data_format = options_.data_format};
  const Tensor kernel = kernel_.value(), recurrent = recurrent_kernel_.value(), bias = maybe(bias_);
  auto gate = [&](const Tensor& t, int g) {  // gate g's slice of a kernel or bias
    return ops::slice_axis(t, t.rank() - 1, g * filters_, filters_);
  };
  // One mask per gate, drawn once per call (Keras's dropout_mask_count = 4).
  Generator* gen = generator_ ? &*generator_ : nullptr;
  auto draw = [&](const Shape& shape, double rate) {
    Tensors masks;
    for (int g = 0; g < 4; ++g) {
      masks.push_back(random::dropout(ones(shape, x.dtype(), x.device()), rate, gen));
    }
    return masks;
  };
  const Tensors input_masks =
      training && active_rate(options_.dropout) ? draw(step_in, options_.dropout) : Tensors();
  const Tensors state_masks = training && active_rate(options_.recurrent_dropout)
                                  ? draw(state, options_.recurrent_dropout)
                                  : Tensors();

  auto project = [&](const Tensor& in, const Tensor& k, const Tensor& b) {
    const Tensor rows = ops::reshape(in, merged);
    return b.defined() ? ops::internal::conv_bias(rows, k, b, conv) : ops::conv(rows, k, conv);
  };
  Tensor projected;
  if (input_masks.empty()) {
    projected = project(x, kernel, bias);
  } else {
    Tensors parts;
    for (int g = 0; g < 4; ++g) {
      const Tensor xm = ops::multiply(x, ops::expand_dims(input_masks[static_cast<size_t>(g)], 1));
      parts.push_back(project(xm, gate(kernel, g), bias.defined() ? gate(bias, g) : Tensor()));
    }
    projected = ops::concatenate(parts, axis);
  }
  Shape z_shape = state;
  z_shape[static_cast<size_t>(axis)] = 4 * filters_;
  Shape by_step = z_shape;
  by_step.insert(by_step.begin() + 1, steps);
  const Tensors per_step = ops::split(ops::reshape(projected, by_step), steps, 1);
  auto recurrent_part = [&](const Tensor& h) {
    if (state_masks.empty()) return ops::conv(h, recurrent, recurrent_conv);
    Tensors parts;
    for (int g = 0; g < 4; ++g) {
      parts.push_back(ops::conv(ops::multiply(h, state_masks[static_cast<size_t>(g)]),
                                gate(recurrent, g), recurrent_conv));
    }
    return ops::concatenate(parts, axis);
  };

  // States: passed as inputs, a stateful layer's (copies: the call writes them back before a
  // backward pass reads the initial ones), or zeros.
  Tensors states;
  if (inputs.size() == 3) {
    for (size_t i = 1; i < 3; ++i) {
      KERAS_CHECK(inputs[i].shape() == state, ValueError, "Layer ", name(), ": initial state ",
                  i - 1, " has shape ", shape_str(inputs[i].shape()), ", expected ",
                  shape_str(state));
      states.push_back(inputs[i].dtype() == x.dtype() ? inputs[i]
                                                      : ops::cast(inputs[i], x.dtype()));
    }
  } else if (options_.stateful) {
    KERAS_CHECK(states_[0].dim(0) == batch, ValueError,
                "If an RNN is stateful, the batch size of the input sequences must be the same as "
                "the batch size of the initial state. \n- Expected batch size: ",
                states_[0].dim(0), "\n- Received batch size: ", batch);
    for (const Tensor& s : states_) states.push_back(ops::copy(s));
  } else {
    const Tensor zero = ops::zeros_like(Tensor::empty(state, x.dtype(), x.device()));
    states = {zero, zero};
  }

  const Tensor mask = x.keras_mask();
  Tensors mask_steps;
  if (mask.defined()) {
    KERAS_CHECK(mask.rank() == 2 && mask.dim(0) == batch && mask.dim(1) == steps, ValueError,
                "Layer ", name(), ": the mask has shape ", shape_str(mask.shape()), ", expected (",
                batch, ", ", steps, ")");
    Shape m(state.size(), 1);
    m[0] = batch;
    for (const Tensor& column : ops::split(mask, steps, 1)) {
      mask_steps.push_back(ops::reshape(column, m));
    }
  }
  const ActivationFn& act = options_.activation;
  const ActivationFn& rec = options_.recurrent_activation;
  Tensors step_inputs;
  for (const Tensor& p : per_step) step_inputs.push_back(ops::reshape(p, z_shape));
  internal::Recurrence r = internal::recur(
      step_inputs, std::move(states), mask_steps, options_.go_backwards,
      options_.zero_output_for_mask, options_.return_sequences,
      [&](const Tensor& x_t, const Tensors& s) -> Tensors {
        const Tensors z = ops::split(ops::add(x_t, recurrent_part(s[0])), 4, axis);
        const Tensor i = rec(z[0]), f = rec(z[1]), o = rec(z[3]);
        const Tensor c = ops::add(ops::multiply(f, s[1]), ops::multiply(i, act(z[2])));
        return {ops::multiply(o, act(c)), c};
      });
  states = std::move(r.states);
  for (size_t s = 0; s < states_.size(); ++s) {
    ops::assign(states_[s], states[s].dtype() == states_[s].dtype()
                                ? states[s]
                                : ops::cast(states[s], states_[s].dtype()));
  }
  Tensors sequence;
  for (const Tensor& y : r.outputs) sequence.push_back(ops::expand_dims(y, 1));
  Tensors result{options_.return_sequences ? ops::concatenate(sequence, 1) : r.last_output};
  if (options_.return_state) result.insert(result.end(), states.begin(), states.end());
  return result;
}

std::vector<Layer::VariableGroup> ConvLSTMImpl::saved_variables() const {
  return {{"vars", {}}, {"cell/vars", weights()}};
}

Json ConvLSTMImpl::get_build_config() const {
  const std::vector<Shape>& shapes = build_input_shapes();
  return shapes.size() > 1 ? config_util::initial_state_build_config(shapes)
                           : Layer::get_build_config();
}

// Keras 3's keys in its order: the RNN's, the convolution's, then the cell's.
Json ConvLSTMImpl::get_config() const {
  using config_util::to_json;
  Json c = Layer::get_config();
  recurrent_config::write_flags(c, options_);
  c["filters"] = filters_;
  c["kernel_size"] = to_json(kernel_size_);
  c["strides"] = to_json(strides_);
  c["padding"] = options_.padding;
  c["data_format"] = options_.data_format;
  c["dilation_rate"] = to_json(dilation_rate_);
  recurrent_config::write_cell(c, options_);
  return c;
}

template <int rank>
std::shared_ptr<Layer> ConvLSTMImpl::from_config(const Json& c) {
  using config::get;
  const std::string cls = str("ConvLSTM", rank, "D");
  const char* w = cls.c_str();
  ConvLSTMOptions o;
  recurrent_config::read_flags(c, o, w);
  o.strides = config_util::int_list(c, "strides", {1}, w);
  o.padding = get<std::string>(c, "padding", "valid", w);
  o.data_format = get<std::string>(c, "data_format", "channels_last", w);
  o.dilation_rate = config_util::int_list(c, "dilation_rate", {1}, w);
  recurrent_config::read_cell(c, o, w);
  auto layer =
      std::make_shared<ConvLSTMImpl>(rank, config::require<int64_t>(c, "filters", w),
                                     config_util::require_int_list(c, "kernel_size", w), o);
  layer->apply_base_config(c);
  return layer;
}

template std::shared_ptr<Layer> ConvLSTMImpl::from_config<1>(const Json&);
template std::shared_ptr<Layer> ConvLSTMImpl::from_config<2>(const Json&);
template std::shared_ptr<Layer> ConvLSTMImpl::from_config<3>(const Json&);

}  // namespace keras::layers
