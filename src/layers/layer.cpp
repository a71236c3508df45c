#include "keras/layers/layer.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "layers/weight_budget.h"

namespace keras::layers {
namespace {

std::mutex uid_mutex;
std::map<std::string, int, std::less<>>& uid_counters() {
  static std::map<std::string, int, std::less<>> counters;
  return counters;
}

std::string shapes_str(const std::vector<Shape>& shapes) {
  if (shapes.size() == 1) return shape_str(shapes[0]);
  std::string s = "[";
  for (size_t i = 0; i < shapes.size(); ++i) s += (i ? ", " : "") + shape_str(shapes[i]);
  return s + "]";
}

// A layer's dtype policy from its config. keras.cpp computes in float32 or float64: Keras's
// half-precision policies (mixed_float16 and mixed_bfloat16, whose variables are float32, and
// float16 / bfloat16) load as float32 (docs/differences.md); quantized layers are refused.
DType policy_dtype(const Json& policy, const std::string& layer) {
  std::string name;
  if (policy.is_string()) name = policy.get<std::string>();
  if (policy.is_object()) {
    const Json* cls = config::find(policy, "class_name");
    const Json* config = config::find(policy, "config");
    const bool quantized = cls != nullptr && cls->is_string() &&
                           cls->get<std::string>().find("Quantized") != std::string::npos;
    KERAS_CHECK(!quantized, NotImplementedError, "Layer '", layer,
                "' was quantized by Keras (dtype policy ", config::json_excerpt(policy),
                "); keras.cpp cannot load quantized layers: save the model before quantize()");
    if (config != nullptr && config->is_object()) {
      const Json* n = config::find(*config, "name");
      if (n != nullptr && n->is_string()) name = n->get<std::string>();
    }
  }
  for (const char* half : {"mixed_float16", "mixed_bfloat16", "float16", "bfloat16", "half"}) {
    if (name == half) return float32;
  }
  return config::dtype_from_json(policy);
}

}  // namespace

std::string unique_name(std::string_view prefix) {
  std::lock_guard lock(uid_mutex);
  auto it = uid_counters().find(prefix);
  if (it == uid_counters().end()) it = uid_counters().emplace(std::string(prefix), 0).first;
  return str(prefix, "_", ++it->second);
}

void reset_uids() {
  std::lock_guard lock(uid_mutex);
  uid_counters().clear();
}

KerasTensors Node::required_tensors() const {
  KerasTensors out = input_tensors;
  for (const KerasTensor& m : masks) {
    if (m.defined()) out.push_back(m);
  }
  return out;
}

Layer::Layer(std::string name, std::string_view prefix, std::optional<Shape> input_shape)
    : name_(name.empty() ? unique_name(prefix) : std::move(name)) {
  // Names are the keys of saved weights ("layers/<name>/vars"); Keras 3 refuses a `/` too.
  KERAS_CHECK(
      name_.find('/') == std::string::npos, ValueError,
      "Argument `name` must be a string and cannot contain character `/`. Received: name=", name_);
  if (input_shape) {
    Shape s = *input_shape;
    s.insert(s.begin(), kNone);
    batch_input_shape_ = s;
  }
}

void Layer::set_trainable(bool trainable) {
  trainable_ = trainable;
  // As Keras: only the weights created trainable follow the layer (moving statistics never do).
  for (size_t i = 0; i < weights_.size(); ++i) {
    weights_[i].set_trainable(trainable && created_trainable_[i]);
  }
}

void Layer::set_dtype(DType dtype) {
  KERAS_CHECK(!built_, ValueError, "Layer ", name_, ": set_dtype must be called before build");
  dtype_ = dtype;
}

void Layer::build(const std::vector<Shape>&) {
  built_ = true;
}

bool Layer::axes_miss_batch(const std::vector<int>& axes) const {
  for (int a : axes) {
    if (a == 0 || (a < 0 && inbound_nodes_.empty())) return false;
    for (const std::shared_ptr<Node>& node : inbound_nodes_) {
      if (a < 0 && !node->input_tensors.empty() && a + node->input_tensors[0].rank() == 0) {
        return false;
      }
    }
  }
  return true;
}

void Layer::maybe_build(const std::vector<Shape>& input_shapes) {
  if (built_) return;
  build_input_shapes_ = input_shapes;
  build(input_shapes);
  built_ = true;
}

Json Layer::get_config() const {
  Json config{
      {"name", name_}, {"trainable", trainable_}, {"dtype", config::dtype_policy_to_json(dtype_)}};
  if (activity_regularizer_) {
    config["activity_regularizer"] = regularizers::serialize(activity_regularizer_);
  }
  return config;
}

Json Layer::saved_initial_state(const Json& states) const {
  return states;
}

Json Layer::get_build_config() const {
  if (build_input_shapes_.empty()) return nullptr;
  if (build_input_shapes_.size() == 1) {
    return Json{{"input_shape", config::shape_to_json(build_input_shapes_[0])}};
  }
  Json shapes = Json::array();
  for (const Shape& s : build_input_shapes_) shapes.push_back(config::shape_to_json(s));
  return Json{{"input_shape", shapes}};
}

std::vector<Layer::VariableGroup> Layer::saved_variables() const {
  return {{"vars", weights()}};
}

void Layer::apply_base_config(const Json& config) {
  if (const Json* dtype = config::find(config, "dtype")) set_dtype(policy_dtype(*dtype, name_));
  // Only a frozen layer is set: "trainable": true on a wrapper or a model must not thaw the
  // sublayers its config lists as frozen (Keras's constructor does not propagate it either).
  if (!config::get<bool>(config, "trainable", true, name_.c_str())) set_trainable(false);
  if (const Json* reg = config::find(config, "activity_regularizer")) {
    activity_regularizer_ = regularizers::deserialize(*reg);
  }
}

std::vector<DType> Layer::compute_output_dtype(const std::vector<DType>&,
                                               size_t num_outputs) const {
  return std::vector<DType>(num_outputs, dtype_);
}

Variable Layer::add_weight(const std::string& name,
                           const Shape& shape,
                           const initializers::Initializer& initializer,
                           bool trainable,
                           regularizers::Regularizer regularizer,
                           const constraints::Constraint& constraint) {
  int64_t& budget = internal::weight_budget_bytes();
  if (budget >= 0) {
    int64_t bytes = static_cast<int64_t>(dtype_size(dtype_));
    for (int64_t d : shape) {
      KERAS_CHECK(d >= 0 && (d == 0 || bytes <= budget / d), ValueError, "Layer ", name_,
                  ": weight '", name, "' of shape ", shape_str(shape),
                  " is larger than the weights in the file being loaded");
      bytes *= d;
    }
    budget -= bytes;
  }
  Tensor value;
  try {
    value = initializer(shape, dtype_);
  } catch (const MemoryError& e) {
    throw MemoryError(str("Layer '", name_, "' cannot create its weight '", name, "' of shape ",
                          shape_str(shape), ": ", e.what()));
  } catch (const ValueError& e) {
    throw ValueError(str("Layer '", name_, "' cannot create its weight '", name, "' of shape ",
                         shape_str(shape), ": ", e.what()));
  }
  Variable v(name, value, trainable && trainable_);
  v.set_path(name_ + "/" + name);
  if (constraint) v.set_constraint(constraint.fn());
  weights_.push_back(v);
  created_trainable_.push_back(trainable);
  if (regularizer) regularized_.emplace_back(v, std::move(regularizer));
  return v;
}

int64_t& internal::weight_budget_bytes() {
  thread_local int64_t budget = -1;
  return budget;
}

std::vector<Variable> Layer::weights() const {
  return weights_;
}

std::vector<Variable> Layer::trainable_weights() const {
  if (!trainable_) return {};  // Keras: a frozen layer lists none, whatever its sublayers say
  std::vector<Variable> out;
  for (const Variable& v : weights()) {
    if (v.trainable()) out.push_back(v);
  }
  return out;
}

std::vector<Variable> Layer::non_trainable_weights() const {
  if (!trainable_) return weights();
  std::vector<Variable> out;
  for (const Variable& v : weights()) {
    if (!v.trainable()) out.push_back(v);
  }
  return out;
}

int64_t Layer::count_params() const {
  KERAS_CHECK(built_, ValueError, "You tried to call `count_params` on ", name_,
              ", but the layer isn't built. You can build it manually via: `", name_,
              ".build(batch_input_shape)`.");
  int64_t n = 0;
  for (const Variable& v : weights()) n += v.value().size();
  return n;
}

Tensors Layer::get_weights() const {
  Tensors out;
  for (const Variable& v : weights()) out.push_back(v.value().clone());
  return out;
}

void Layer::set_weights(const Tensors& values) {
  const std::vector<Variable> params = weights();
  KERAS_CHECK(values.size() == params.size(), ValueError,
              "You called `set_weights(weights)` on "
              "layer \"",
              name_, "\" with a weight list of length ", values.size(),
              ", but the layer was expecting ", params.size(), " weights.");
  for (size_t i = 0; i < params.size(); ++i) {
    KERAS_CHECK(values[i].defined(), ValueError, "You called `set_weights(weights)` on layer \"",
                name_, "\" with an undefined Tensor as weight ", i, " (", params[i].path(), ")");
    KERAS_CHECK(values[i].shape() == params[i].shape(), ValueError, "Layer weight shape ",
                shape_str(params[i].shape()), " not compatible with provided weight shape ",
                shape_str(values[i].shape()));
  }
  for (size_t i = 0; i < params.size(); ++i) params[i].assign(values[i]);
}

Tensors Layer::losses() const {
  Tensors out = activity_losses_;
  for (const auto& [v, reg] : regularized_) out.push_back(reg(v.value()));
  return out;
}

std::vector<InputSpec> Layer::input_spec_for(size_t) const {
  return input_spec_;
}

void Layer::assert_input_compatibility(const std::vector<TensorSpec>& inputs) const {
  const std::vector<InputSpec> specs = input_spec_for(inputs.size());
  if (specs.empty()) return;
  KERAS_CHECK(inputs.size() == specs.size(), ValueError, "Layer ", name_, " expects ", specs.size(),
              " inputs, but it received ", inputs.size(), " input tensors.");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const InputSpec& spec = specs[i];
    const Shape& s = inputs[i].shape;
    const int ndim = static_cast<int>(s.size());
    if (spec.allow_last_axis_squeeze && spec.ndim && ndim > 0) {
      const auto last = spec.axes.find(*spec.ndim - 1);
      if ((ndim == *spec.ndim + 1 && s.back() == 1) ||
          (ndim + 1 == *spec.ndim && last != spec.axes.end() && last->second == 1)) {
        continue;
      }
    }
    const std::string prefix = str("Input ", i, " is incompatible with layer ", name_, ": ");
    KERAS_CHECK(!spec.ndim || ndim == *spec.ndim, ValueError, prefix, "expected ndim=", *spec.ndim,
                ", found ndim=", ndim, ". Full shape received: ", shape_str(s));
    KERAS_CHECK(!spec.min_ndim || ndim >= *spec.min_ndim, ValueError, prefix,
                "expected min_ndim=", *spec.min_ndim, ", found ndim=", ndim,
                ". Full shape received: ", shape_str(s));
    KERAS_CHECK(!spec.max_ndim || ndim <= *spec.max_ndim, ValueError, prefix,
                "expected max_ndim=", *spec.max_ndim, ", found ndim=", ndim,
                ". Full shape received: ", shape_str(s));
    KERAS_CHECK(!spec.dtype || inputs[i].dtype == *spec.dtype, ValueError, prefix,
                "expected dtype=", *spec.dtype, ", found dtype=", inputs[i].dtype);
    for (const auto& [axis, value] : spec.axes) {
      const int a = axis < 0 ? axis + ndim : axis;
      const int64_t got = a >= 0 && a < ndim ? s[a] : kNone;
      KERAS_CHECK(got == kNone || got == value, ValueError, prefix, "expected axis ", axis,
                  " of input shape to have value ", value, " but got shape ", shape_str(s));
    }
  }
}

KerasTensors Layer::add_node(const KerasTensors& inputs,
                             std::vector<TensorSpec> outputs,
                             const KerasTensors& masks,
                             std::optional<bool> training) {
  set_node(static_cast<int>(inbound_nodes_.size()), inputs, std::move(outputs), masks, training);
  const Node& node = *inbound_nodes_.back();
  KerasTensors result;
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    result.emplace_back(shared_from_this(), node.index, static_cast<int>(i));
  }
  return result;
}

void Layer::set_node(int index,
                     const KerasTensors& inputs,
                     std::vector<TensorSpec> outputs,
                     const KerasTensors& masks,
                     std::optional<bool> training) {
  auto node = std::make_shared<Node>();
  node->outbound_layer = this;
  node->index = index;
  node->input_tensors = inputs;
  node->masks = masks;
  node->training = training;
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].name.empty()) {
      outputs[i].name = index == 0 ? str(name_, ":", i) : str(name_, "_", index, ":", i);
    }
  }
  node->outputs = std::move(outputs);
  if (index < static_cast<int>(inbound_nodes_.size())) {
    inbound_nodes_[index] = std::move(node);
  } else {
    inbound_nodes_.push_back(std::move(node));
  }
}

void Layer::set_node0(const KerasTensors& inputs, std::vector<TensorSpec> outputs) {
  set_node(0, inputs, std::move(outputs));
}

KerasTensors Layer::call_symbolic(const KerasTensors& inputs,
                                  const KerasTensors& masks,
                                  std::optional<bool> training) {
  KerasTensors explicit_masks = masks;
  while (!explicit_masks.empty() && !explicit_masks.back().defined()) explicit_masks.pop_back();
  if (!explicit_masks.empty()) {
    if (!takes_mask_argument()) {
      throw TypeError(str("Layer ", name_, " (", class_name(),
                          "): call() got an unexpected keyword argument 'mask'"));
    }
    KERAS_CHECK(explicit_masks.size() <= inputs.size(), ValueError, "Layer ", name_, " was given ",
                explicit_masks.size(), " masks (argument 'mask') for ", inputs.size(), " inputs");
    for (size_t i = 0; i < explicit_masks.size(); ++i) {
      const KerasTensor& m = explicit_masks[i];
      if (!m.defined() || !inputs[i].defined()) continue;
      const Shape& s = inputs[i].shape();
      bool ok = m.rank() >= 1 && m.rank() <= inputs[i].rank();
      for (int d = 0; ok && d < m.rank(); ++d) {
        ok = m.shape()[d] == kNone || s[d] == kNone || m.shape()[d] == s[d];
      }
      KERAS_CHECK(ok, ValueError, "Layer ", name_, ": the mask (argument 'mask') of input ", i,
                  " must have the input's leading dimensions; input shape ", shape_str(s),
                  ", mask shape ", shape_str(m.shape()));
    }
  }
  KERAS_CHECK(!inputs.empty(), ValueError, "Layer ", name_, " was called without any input tensor");
  std::vector<TensorSpec> specs;
  std::vector<Shape> shapes;
  std::vector<DType> dtypes;
  for (const KerasTensor& t : inputs) {
    KERAS_CHECK(t.defined(), ValueError, "Layer ", name_, " was called with an undefined tensor");
    specs.push_back(t.spec());
    shapes.push_back(t.shape());
    dtypes.push_back(autocast_dtype(t.dtype()));
  }
  check_string_inputs(specs);
  assert_input_compatibility(specs);
  if (!built_) {
    maybe_build(shapes);
    assert_input_compatibility(specs);  // build may have pinned axes
  }
  const std::vector<Shape> out_shapes = compute_output_shape(shapes);
  const std::vector<DType> out_dtypes = compute_output_dtype(dtypes, out_shapes.size());
  std::vector<TensorSpec> outputs;
  for (size_t i = 0; i < out_shapes.size(); ++i) {
    outputs.push_back({out_shapes[i], out_dtypes[i], ""});
  }
  return add_node(inputs, std::move(outputs), explicit_masks, training);
}

KerasTensors Layer::operator()(const KerasTensors& inputs) {
  return call_symbolic(inputs, {}, std::nullopt);
}

KerasTensors Layer::operator()(const KerasTensors& inputs, const KerasTensors& masks) {
  return call_symbolic(inputs, masks, std::nullopt);
}

KerasTensors Layer::operator()(const KerasTensors& inputs,
                               const KerasTensors& masks,
                               std::optional<bool> training) {
  return call_symbolic(inputs, masks, training);
}

void Layer::check_string_inputs(const std::vector<TensorSpec>& inputs) const {
  if (takes_strings()) return;
  for (const TensorSpec& t : inputs) {
    KERAS_CHECK(t.dtype != DType::string, TypeError, "Layer '", name_, "' (", class_name(),
                ") does not take strings; it received an input of dtype string and shape ",
                shape_str(t.shape), ". Turn strings into numbers first (StringLookup, Hashing)");
  }
}

Tensors Layer::operator()(const Tensors& inputs, bool training) {
  KERAS_CHECK(!inputs.empty(), ValueError, "Layer ", name_, " was called without any input tensor");
  std::vector<TensorSpec> specs;
  std::vector<Shape> shapes;
  for (const Tensor& t : inputs) {
    KERAS_CHECK(t.defined(), ValueError, "Layer ", name_, " was called with an undefined tensor");
    specs.push_back({t.shape(), t.dtype(), ""});
    Shape s = t.shape();
    if (!s.empty() && !builds_on_batch_size()) s[0] = kNone;
    shapes.push_back(s);
  }
  check_string_inputs(specs);
  assert_input_compatibility(specs);
  if (!built_) {
    maybe_build(shapes);
    assert_input_compatibility(specs);
  }
  return call_with_masks(inputs, training);
}

Tensors Layer::compute_mask(const Tensors&, const Tensors& masks, const Tensors& outputs) const {
  if (!supports_masking() || masks.empty()) return {};
  return Tensors(outputs.size(), masks[0]);
}

namespace {
thread_local int call_depth = 0;
}  // namespace

CallScope::CallScope(Layer& layer) {
  if (call_depth++ == 0) layer.clear_losses();
}

CallScope::~CallScope() {
  --call_depth;
}

DType Layer::autocast_dtype(DType dtype) const {
  return autocast_ && is_floating(dtype) && is_floating(dtype_) ? dtype_ : dtype;
}

Tensors Layer::call_with_masks(const Tensors& inputs, bool training) {
  const CallScope scope(*this);
  Tensors cast;  // the inputs autocast to the layer's dtype, when one needs it
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined() || autocast_dtype(inputs[i].dtype()) == inputs[i].dtype()) continue;
    if (cast.empty()) cast = inputs;
    cast[i] = ops::cast(inputs[i], dtype_);
    cast[i].set_keras_mask(inputs[i].keras_mask());
  }
  Tensors outputs = call(cast.empty() ? inputs : cast, training);
  if (activity_regularizer_) {
    for (const Tensor& y : outputs) {
      Tensor penalty = activity_regularizer_(y);
      // Keras 3: divide_no_nan by the batch size, so the strength does not depend on it.
      if (y.rank() > 0 && y.shape()[0] > 0) {
        penalty = ops::divide(penalty, static_cast<double>(y.shape()[0]));
      } else if (y.rank() > 0) {
        penalty = ops::multiply(penalty, 0.0);
      }
      activity_losses_.push_back(penalty);
    }
  }
  Tensors masks;
  bool any = false;
  for (const Tensor& t : inputs) {
    masks.push_back(t.keras_mask());
    any = any || masks.back().defined();
  }
  if (!any) return outputs;
  const Tensors out_masks = compute_mask(inputs, masks, outputs);
  for (size_t i = 0; i < outputs.size() && i < out_masks.size(); ++i) {
    if (out_masks[i].defined() && !outputs[i].keras_mask().defined()) {
      outputs[i].set_keras_mask(out_masks[i]);
    }
  }
  return outputs;
}

int Layer::node_index_at(int node_index, const char* what) const {
  if (inbound_nodes_.empty()) {
    throw RuntimeError(str("The layer has never been called and thus has no defined ", what, "."));
  }
  const int count = static_cast<int>(inbound_nodes_.size());
  if (node_index >= count) {
    throw ValueError(str("Asked to get ", what, " at node ", node_index,
                         ", but the layer has only ", count, " inbound nodes."));
  }
  if (node_index < -count) {  // Python's list[-k] past the front
    throw IndexError(str("list index out of range: asked to get ", what, " at node ", node_index,
                         ", but the layer has only ", count, " inbound nodes."));
  }
  return node_index < 0 ? node_index + count : node_index;
}

const Node& Layer::node_at(int node_index, const char* what) const {
  return *inbound_nodes_[static_cast<size_t>(node_index_at(node_index, what))];
}

KerasTensors Layer::get_outputs_at(int node_index) const {
  node_index = node_index_at(node_index, "output");
  const Node& node = *inbound_nodes_[static_cast<size_t>(node_index)];
  KerasTensors out;
  auto self = std::const_pointer_cast<Layer>(shared_from_this());
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    out.emplace_back(self, node_index, static_cast<int>(i));
  }
  return out;
}

KerasTensors Layer::get_inputs_at(int node_index) const {
  return node_at(node_index, "input").input_tensors;
}

KerasTensor Layer::get_output_at(int node_index) const {
  KerasTensors out = get_outputs_at(node_index);
  KERAS_CHECK(out.size() == 1, ValueError, "Layer ", name_, " has ", out.size(),
              " outputs at node ", node_index, "; use get_outputs_at(node_index)");
  return out[0];
}

KerasTensor Layer::get_input_at(int node_index) const {
  KerasTensors in = get_inputs_at(node_index);
  KERAS_CHECK(in.size() == 1, ValueError, "Layer ", name_, " has ", in.size(), " inputs at node ",
              node_index, "; use get_inputs_at(node_index)");
  return in[0];
}

Shape Layer::get_input_shape_at(int node_index) const {
  const Node& node = node_at(node_index, "input shape");
  KERAS_CHECK(node.input_tensors.size() == 1, ValueError, "Layer ", name_, " has ",
              node.input_tensors.size(), " inputs at node ", node_index);
  return node.input_tensors[0].shape();
}

Shape Layer::get_output_shape_at(int node_index) const {
  const Node& node = node_at(node_index, "output shape");
  KERAS_CHECK(node.outputs.size() == 1, ValueError, "Layer ", name_, " has ", node.outputs.size(),
              " outputs at node ", node_index);
  return node.outputs[0].shape;
}

KerasTensor Layer::input() const {
  if (inbound_nodes_.empty()) {
    throw AttributeError(str("Layer ", name_, " is not connected, no input to return."));
  }
  if (inbound_nodes_.size() > 1) {
    throw AttributeError(str("Layer ", name_,
                             " has multiple inbound nodes, hence the notion of "
                             "\"layer input\" is ill-defined. Use `get_input_at(node_index)` "
                             "instead."));
  }
  return get_input_at(0);
}

KerasTensor Layer::output() const {
  if (inbound_nodes_.empty()) {
    throw AttributeError(str("Layer ", name_, " has no inbound nodes."));
  }
  if (inbound_nodes_.size() > 1) {
    throw AttributeError(str("Layer ", name_,
                             " has multiple inbound nodes, hence the notion of "
                             "\"layer output\" is ill-defined. Use `get_output_at(node_index)` "
                             "instead."));
  }
  return get_output_at(0);
}

namespace {

template <class F>
Shape common_shape(const std::vector<std::shared_ptr<Node>>& nodes,
                   const std::string& name,
                   const char* what,
                   const char* method,
                   F&& shapes_of) {
  if (nodes.empty()) {
    throw AttributeError(
        str("The layer has never been called and thus has no defined ", what, "."));
  }
  const std::vector<Shape> first = shapes_of(*nodes[0]);
  for (const auto& node : nodes) {
    if (shapes_of(*node) != first) {
      throw AttributeError(str("The layer \"", name, " has multiple inbound nodes, with different ",
                               what, "s. Hence the notion of \"", what,
                               "\" is ill-defined for the layer. Use `", method,
                               "(node_index)` instead."));
    }
  }
  KERAS_CHECK(first.size() == 1, AttributeError, "Layer ", name, " has ", first.size(), " ", what,
              "s: ", shapes_str(first), "; use ", method, "(node_index)");
  return first[0];
}

}  // namespace

Shape Layer::input_shape() const {
  return common_shape(inbound_nodes_, name_, "input shape", "get_input_shape_at",
                      [](const Node& n) {
                        std::vector<Shape> s;
                        for (const KerasTensor& t : n.input_tensors) s.push_back(t.shape());
                        return s;
                      });
}

Shape Layer::output_shape() const {
  return common_shape(inbound_nodes_, name_, "output shape", "get_output_shape_at",
                      [](const Node& n) {
                        std::vector<Shape> s;
                        for (const TensorSpec& t : n.outputs) s.push_back(t.shape);
                        return s;
                      });
}

std::string Layer::output_shape_str() const {
  if (inbound_nodes_.empty()) return "multiple";
  std::vector<Shape> first;
  for (const TensorSpec& t : inbound_nodes_[0]->outputs) first.push_back(t.shape);
  for (const auto& node : inbound_nodes_) {
    std::vector<Shape> s;
    for (const TensorSpec& t : node->outputs) s.push_back(t.shape);
    if (s != first) return "multiple";
  }
  return shapes_str(first);
}

// ---- LayerRef ----

KerasTensor LayerRef::operator()(const KerasTensor& input) const {
  return (*this)(KerasTensors{input});
}

KerasTensor LayerRef::operator()(const KerasTensors& inputs) const {
  KerasTensors out = (*layer_)(inputs);
  KERAS_CHECK(out.size() == 1, ValueError, "Layer ", layer_->name(), " returned ", out.size(),
              " tensors; use call_multi() to get all of them");
  return out[0];
}

KerasTensor LayerRef::operator()(const KerasTensor& input, const CallOptions& options) const {
  return (*this)(KerasTensors{input}, options);
}

KerasTensor LayerRef::operator()(const KerasTensors& inputs, const CallOptions& options) const {
  KerasTensors out = (*layer_)(inputs, options.mask, options.training);
  KERAS_CHECK(out.size() == 1, ValueError, "Layer ", layer_->name(), " returned ", out.size(),
              " tensors; use call_multi() to get all of them");
  return out[0];
}

Tensor LayerRef::operator()(const Tensor& input, bool training) const {
  return (*this)(Tensors{input}, training);
}

Tensor LayerRef::operator()(const Tensors& inputs, bool training) const {
  Tensors out = (*layer_)(inputs, training);
  KERAS_CHECK(out.size() == 1, ValueError, "Layer ", layer_->name(), " returned ", out.size(),
              " tensors");
  return out[0];
}

}  // namespace keras::layers

namespace keras {

// ---- KerasTensor ----

KerasTensor::KerasTensor(std::shared_ptr<layers::Layer> layer, int node_index, int tensor_index)
    : layer_(std::move(layer)), node_index_(node_index), tensor_index_(tensor_index) {}

const TensorSpec& KerasTensor::spec() const {
  KERAS_CHECK(layer_ != nullptr, ValueError, "use of an undefined KerasTensor");
  return layer_->inbound_nodes().at(node_index_)->outputs.at(tensor_index_);
}

std::string to_string(const KerasTensor& t) {
  return str("Tensor(\"", t.name(), "\", shape=", shape_str(t.shape()), ", dtype=", t.dtype(), ")");
}

}  // namespace keras
