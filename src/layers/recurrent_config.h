// The config keys Keras's recurrent layers share (LSTM, GRU, SimpleRNN and ConvLSTM*D), written
// and read in Keras 3's order: the RNN's flags, then the cell's options. Options are the layers'
// options structs; keys a struct lacks (recurrent_activation, unit_forget_bias, reset_after) are
// skipped. Internal to src/layers.
#pragma once

#include "keras/config/json.h"
#include "keras/layers/activation.h"

namespace keras::layers::recurrent_config {

// return_sequences, return_state, go_backwards, stateful, unroll, zero_output_for_mask.
template <class Options>
void write_flags(Json& c, const Options& o) {
  c["return_sequences"] = o.return_sequences;
  c["return_state"] = o.return_state;
  c["go_backwards"] = o.go_backwards;
  c["stateful"] = o.stateful;
  c["unroll"] = o.unroll;
  c["zero_output_for_mask"] = o.zero_output_for_mask;
}

// The same flags (and the layer's name); ValueError for Keras 2's time_major=True.
template <class Options>
void read_flags(const Json& c, Options& o, const char* w) {
  using config::get;
  KERAS_CHECK(!get<bool>(c, "time_major", false, w), ValueError, w,
              ": time_major is not supported");
  o.return_sequences = get<bool>(c, "return_sequences", false, w);
  o.return_state = get<bool>(c, "return_state", false, w);
  o.go_backwards = get<bool>(c, "go_backwards", false, w);
  o.stateful = get<bool>(c, "stateful", false, w);
  o.unroll = get<bool>(c, "unroll", false, w);
  o.zero_output_for_mask = get<bool>(c, "zero_output_for_mask", false, w);
  o.name = get<std::string>(c, "name", "", w);
}

// activation ... seed, after the layer's own keys (units, or filters and the convolution's).
template <class Options>
void write_cell(Json& c, const Options& o) {
  c["activation"] = serialize_activation(o.activation);
  if constexpr (requires { o.recurrent_activation; }) {
    c["recurrent_activation"] = serialize_activation(o.recurrent_activation);
  }
  c["use_bias"] = o.use_bias;
  c["kernel_initializer"] = initializers::serialize(o.kernel_initializer);
  c["recurrent_initializer"] = initializers::serialize(o.recurrent_initializer);
  c["bias_initializer"] = initializers::serialize(o.bias_initializer);
  if constexpr (requires { o.unit_forget_bias; }) c["unit_forget_bias"] = o.unit_forget_bias;
  c["kernel_regularizer"] = regularizers::serialize(o.kernel_regularizer);
  c["recurrent_regularizer"] = regularizers::serialize(o.recurrent_regularizer);
  c["bias_regularizer"] = regularizers::serialize(o.bias_regularizer);
  c["activity_regularizer"] = c.value("activity_regularizer", Json(nullptr));
  c["kernel_constraint"] = constraints::serialize(o.kernel_constraint);
  c["recurrent_constraint"] = constraints::serialize(o.recurrent_constraint);
  c["bias_constraint"] = constraints::serialize(o.bias_constraint);
  c["dropout"] = o.dropout;
  c["recurrent_dropout"] = o.recurrent_dropout;
  if constexpr (requires { o.reset_after; }) c["reset_after"] = o.reset_after;
  c["seed"] = o.seed ? Json(*o.seed) : Json(nullptr);
}

template <class Options>
void read_cell(const Json& c, Options& o, const char* w) {
  using config::get;
  using config::value;
  o.activation = deserialize_activation(value(c, "activation", "tanh"));
  if constexpr (requires { o.recurrent_activation; }) {
    o.recurrent_activation = deserialize_activation(value(c, "recurrent_activation", "sigmoid"));
  }
  o.use_bias = get<bool>(c, "use_bias", true, w);
  o.kernel_initializer =
      initializers::deserialize(value(c, "kernel_initializer", "glorot_uniform"));
  o.recurrent_initializer =
      initializers::deserialize(value(c, "recurrent_initializer", "orthogonal"));
  o.bias_initializer = initializers::deserialize(value(c, "bias_initializer", "zeros"));
  if constexpr (requires { o.unit_forget_bias; }) {
    o.unit_forget_bias = get<bool>(c, "unit_forget_bias", true, w);
  }
  o.kernel_regularizer = regularizers::deserialize(value(c, "kernel_regularizer", nullptr));
  o.recurrent_regularizer = regularizers::deserialize(value(c, "recurrent_regularizer", nullptr));
  o.bias_regularizer = regularizers::deserialize(value(c, "bias_regularizer", nullptr));
  o.kernel_constraint = constraints::deserialize(value(c, "kernel_constraint", nullptr));
  o.recurrent_constraint = constraints::deserialize(value(c, "recurrent_constraint", nullptr));
  o.bias_constraint = constraints::deserialize(value(c, "bias_constraint", nullptr));
  o.dropout = get<double>(c, "dropout", 0.0, w);
  o.recurrent_dropout = get<double>(c, "recurrent_dropout", 0.0, w);
  if (const Json* seed = config::find(c, "seed"); seed != nullptr && !seed->is_null()) {
    o.seed = config::require<uint64_t>(c, "seed", w);
  }
  if constexpr (requires { o.reset_after; }) o.reset_after = get<bool>(c, "reset_after", true, w);
}

}  // namespace keras::layers::recurrent_config
