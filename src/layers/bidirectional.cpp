#include "keras/layers/bidirectional.h"

#include <algorithm>

#include "keras/config/json.h"
#include "keras/layers/registry.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"
#include "layers/config_util.h"
#include "layers/recurrence.h"

namespace keras::layers {

BidirectionalImpl::BidirectionalImpl(LayerRef layer, BidirectionalOptions options)
    : Layer(std::move(options.name), "bidirectional"), merge_mode_(std::move(options.merge_mode)) {
  forward_ = std::dynamic_pointer_cast<RecurrentLayer>(layer.layer());
  KERAS_CHECK(forward_ != nullptr, ValueError,
              "Please initialize `Bidirectional` layer with a "
              "recurrent layer (LSTM, GRU, SimpleRNN, RNN or ConvLSTM). Received: ",
              layer ? layer.class_name() : std::string("an undefined layer"));
  KERAS_CHECK(merge_mode_ == "concat" || merge_mode_ == "sum" || merge_mode_ == "mul" ||
                  merge_mode_ == "ave" || merge_mode_.empty(),
              ValueError,
              "Invalid merge mode. Merge mode should be one of {\"sum\", \"mul\", "
              "\"ave\", \"concat\", \"\"}. Received: ",
              merge_mode_);
  if (options.backward_layer) {
    backward_ = std::dynamic_pointer_cast<RecurrentLayer>(options.backward_layer.layer());
    KERAS_CHECK(backward_ != nullptr, ValueError,
                "`backward_layer` need to be a recurrent layer (LSTM, GRU, SimpleRNN, RNN or "
                "ConvLSTM). "
                "Received: ",
                options.backward_layer.class_name());
    verify_backward_layer();
  } else {
    backward_ = forward_->reversed_copy("backward_" + forward_->name());
    // Keras builds the backward layer from the forward one's config, activity_regularizer
    // included (a loaded layer has it from its base config, outside its options).
    backward_->set_activity_regularizer(forward_->activity_regularizer());
    backward_->set_trainable(forward_->trainable());
  }
  // As Keras (2 and 3): a returned sequence is zero at masked steps in both directions.
  forward_->set_zero_output_for_mask(forward_->return_sequences());
  backward_->set_zero_output_for_mask(backward_->return_sequences());
  input_spec_ = {InputSpec{.ndim = forward_->sequence_ndim()}};
}

void BidirectionalImpl::verify_backward_layer() const {
  auto py = [](bool b) { return b ? "True" : "False"; };
  KERAS_CHECK(forward_->go_backwards() != backward_->go_backwards(), ValueError,
              "Forward layer and backward layer should have different `go_backwards` value. "
              "Received: forward_layer.go_backwards ",
              py(forward_->go_backwards()),
              ", backward_layer.go_backwards=", py(backward_->go_backwards()));
  const std::pair<const char*, bool (RecurrentLayer::*)() const> common[] = {
      {"stateful", &RecurrentLayer::stateful},
      {"return_sequences", &RecurrentLayer::return_sequences},
      {"return_state", &RecurrentLayer::return_state}};
  for (const auto& [attribute, get] : common) {
    const bool f = ((*forward_).*get)(), b = ((*backward_).*get)();
    KERAS_CHECK(f == b, ValueError,
                "Forward layer and backward layer are expected to have the same value for "
                "attribute \"",
                attribute, "\", got \"", py(f), "\" for forward layer and \"", py(b),
                "\" for backward layer");
  }
}

void BidirectionalImpl::set_trainable(bool trainable) {
  Layer::set_trainable(trainable);
  forward_->set_trainable(trainable);
  backward_->set_trainable(trainable);
}

void BidirectionalImpl::set_dtype(DType dtype) {
  Layer::set_dtype(dtype);
  forward_->set_dtype(dtype);
  backward_->set_dtype(dtype);
}

void BidirectionalImpl::build(const std::vector<Shape>& input_shapes) {
  forward_->maybe_build({input_shapes[0]});
  backward_->maybe_build({input_shapes[0]});
}

void BidirectionalImpl::reset_state() {
  KERAS_CHECK(forward_->stateful(), AttributeError, "Layer must be stateful.");
  forward_->reset_state();
  backward_->reset_state();
}

std::vector<InputSpec> BidirectionalImpl::input_spec_for(size_t num_inputs) const {
  std::vector<InputSpec> specs = input_spec_;
  std::vector<InputSpec> states = forward_->state_specs();
  for (const InputSpec& s : backward_->state_specs()) states.push_back(s);
  if (num_inputs == 1 + states.size()) specs.insert(specs.end(), states.begin(), states.end());
  return specs;
}

Json BidirectionalImpl::get_build_config() const {
  const std::vector<Shape>& shapes = build_input_shapes();
  return shapes.size() > 1 ? config_util::initial_state_build_config(shapes)
                           : Layer::get_build_config();
}

std::vector<Variable> BidirectionalImpl::weights() const {
  std::vector<Variable> w = forward_->weights();
  for (const Variable& v : backward_->weights()) w.push_back(v);
  return w;
}

std::vector<Generator*> BidirectionalImpl::seed_generators() {
  std::vector<Generator*> g = forward_->seed_generators();
  for (Generator* b : backward_->seed_generators()) g.push_back(b);
  return g;
}

Tensors BidirectionalImpl::losses() const {
  Tensors l = Layer::losses();  // its own activity penalties
  for (const Tensor& t : forward_->losses()) l.push_back(t);
  for (const Tensor& t : backward_->losses()) l.push_back(t);
  return l;
}

void BidirectionalImpl::clear_losses() {
  Layer::clear_losses();
  forward_->clear_losses();
  backward_->clear_losses();
}

std::vector<Shape> BidirectionalImpl::compute_output_shape(const std::vector<Shape>& in) const {
  // Each half from its own layer: a given backward_layer may have other units.
  const std::vector<Shape> f = forward_->compute_output_shape({in[0]});
  const std::vector<Shape> b = backward_->compute_output_shape({in[0]});
  std::vector<Shape> out;
  if (merge_mode_.empty()) {
    out = {f[0], b[0]};
  } else {
    Shape merged = f[0];
    if (merge_mode_ == "concat")
      merged.back() = checked_add(merged.back(), b[0].back(), "Bidirectional");
    out = {merged};
  }
  out.insert(out.end(), f.begin() + 1, f.end());  // states, forward then backward
  out.insert(out.end(), b.begin() + 1, b.end());
  return out;
}

Tensors BidirectionalImpl::compute_mask(const Tensors& inputs,
                                        const Tensors& masks,
                                        const Tensors& outputs) const {
  return forward_->compute_mask(inputs, masks, outputs);
}

Tensors BidirectionalImpl::call(const Tensors& inputs, bool training) {
  // Initial states (input_spec_for): the forward layer's come first.
  const auto half =
      inputs.size() > 1 ? static_cast<std::ptrdiff_t>(forward_->initial_state_count()) : 0;
  Tensors forward_inputs(inputs.begin(), inputs.begin() + 1 + half);
  Tensors backward_inputs{inputs[0]};
  backward_inputs.insert(backward_inputs.end(), inputs.begin() + 1 + half, inputs.end());
  // Called as layers, as Keras 3 calls them: their activity_regularizer applies.
  Tensors f = forward_->call_with_masks(forward_inputs, training);
  Tensors b = backward_->call_with_masks(backward_inputs, training);
  Tensor yf = f[0], yb = forward_->return_sequences() ? internal::reverse_time(b[0]) : b[0];
  Tensors out;
  if (merge_mode_ == "concat") {
    out = {ops::concatenate({yf, yb}, -1)};
  } else if (merge_mode_ == "sum") {
    out = {ops::add(yf, yb)};
  } else if (merge_mode_ == "mul") {
    out = {ops::multiply(yf, yb)};
  } else if (merge_mode_ == "ave") {
    out = {ops::multiply(ops::add(yf, yb), 0.5)};
  } else {
    out = {yf, yb};
  }
  out.insert(out.end(), f.begin() + 1, f.end());
  out.insert(out.end(), b.begin() + 1, b.end());
  return out;
}

Json BidirectionalImpl::get_config() const {
  Json config = Layer::get_config();
  config["merge_mode"] = merge_mode_.empty() ? Json(nullptr) : Json(merge_mode_);
  config["layer"] = layers::serialize_layer(*forward_);
  config["backward_layer"] = layers::serialize_layer(*backward_);
  return config;
}

std::shared_ptr<Layer> BidirectionalImpl::from_config(const Json& config) {
  const Json* inner = config::find(config, "layer");
  KERAS_CHECK(inner != nullptr, ValueError, "Bidirectional config has no 'layer'");
  // As Keras: the saved backward_layer (Keras 3 always writes it; tf_keras when one was given),
  // else the forward one mirrored.
  const Json* mode = config::find(config, "merge_mode");
  const Json* backward = config::find(config, "backward_layer");
  auto layer = std::make_shared<BidirectionalImpl>(
      layers::deserialize_layer(*inner),
      BidirectionalOptions{
          .merge_mode = mode ? config::convert<std::string>(*mode, "merge_mode", "Bidirectional")
                             : std::string(),
          .backward_layer = backward ? layers::deserialize_layer(*backward) : LayerRef(),
          .name = config::get<std::string>(config, "name", "", "Bidirectional")});
  layer->apply_base_config(config);
  return layer;
}

std::vector<Layer::VariableGroup> BidirectionalImpl::saved_variables() const {
  std::vector<VariableGroup> out{{"vars", {}}};
  for (const VariableGroup& g : forward_->saved_variables()) {
    out.push_back({"forward_layer/" + g.path, g.variables});
  }
  for (const VariableGroup& g : backward_->saved_variables()) {
    out.push_back({"backward_layer/" + g.path, g.variables});
  }
  return out;
}

}  // namespace keras::layers
