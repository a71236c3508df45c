#include "keras/models/model.h"

#include <iostream>
#include <sstream>

#include "keras/callbacks/saver.h"
#include "keras/layers/input_layer.h"
#include "keras/trainers/py_dataset.h"
#include "models/layer_lookup.h"

namespace keras {

const Tensor& Outputs::single() const {
  KERAS_CHECK(size() == 1, ValueError, "This model has ", size(),
              " outputs; index the result (outputs[i]) instead of using it as one tensor");
  return front();
}
Outputs::operator Tensor() const {
  return single();
}
Outputs::Outputs(std::vector<Tensor> v, std::vector<std::string> keys)
    : std::vector<Tensor>(std::move(v)), keys_(std::move(keys)) {
  KERAS_CHECK(keys_.empty() || keys_.size() == size(), ValueError, "Outputs: ", keys_.size(),
              " keys for ", size(), " tensors");
}
const Tensor& Outputs::at(const std::string& key) const {
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == key) return (*this)[i];
  }
  std::string known;
  for (const std::string& k : keys_) known += (known.empty() ? "'" : ", '") + k + "'";
  throw ValueError(str("No output named '", key, "'; ",
                       keys_.empty() ? std::string("the model's outputs are not a dict")
                                     : "the outputs are [" + known + "]"));
}
std::map<std::string, Tensor> Outputs::dict() const {
  std::map<std::string, Tensor> out;
  for (size_t i = 0; i < keys_.size(); ++i) out.emplace(keys_[i], (*this)[i]);
  return out;
}

Model::Model(std::shared_ptr<models::FunctionalImpl> impl) : LayerRef(std::move(impl)) {}

Model::Model(NestedTensors inputs, NestedTensors outputs, ModelOptions options)
    : LayerRef(std::make_shared<models::FunctionalImpl>(
          std::move(inputs), std::move(outputs), std::move(options.name))) {}

models::FunctionalImpl& Model::impl() const {
  return static_cast<models::FunctionalImpl&>(*layer_);
}

namespace {

const char* const kNotBuilt =
    "This model has not yet been built. Build the model first by calling build() or calling fit() "
    "with some data. Or specify input_shape or batch_input_shape in the first layer for automatic "
    "build.";

void check_built(const models::FunctionalImpl& impl) {
  auto* seq = dynamic_cast<const models::SequentialImpl*>(&impl);
  KERAS_CHECK(seq == nullptr || seq->graph_built(), ValueError, kNotBuilt);
}

// The tensors keyed by the output dict's keys when the outputs are a dict of tensors.
Outputs keyed(const models::FunctionalImpl& impl, Tensors tensors) {
  std::vector<std::string> keys = impl.output_structure().flat_keys();
  if (keys.size() != tensors.size()) keys.clear();
  return Outputs(std::move(tensors), std::move(keys));
}

}  // namespace

void Model::ensure_built(const Data& x) const {
  auto* seq = dynamic_cast<models::SequentialImpl*>(layer_.get());
  if (seq == nullptr || seq->graph_built() || x.empty()) return;
  // A dataset's first batch gives the shape, as Keras 3 builds from the first batch it reads.
  if (x.is_dataset()) return ensure_built(x.dataset()->get(0).x);
  const Tensor& t = x.is_map() ? x.map().begin()->second : x.list().at(0);
  Shape s = t.shape();
  KERAS_CHECK(!s.empty(), ValueError, "Sequential: input data must have a batch dimension");
  s[0] = kNone;
  seq->build(s, is_floating(t.dtype()) ? float32 : t.dtype());
}

std::vector<layers::LayerRef> Model::layers() const {
  std::vector<layers::LayerRef> out;
  if (auto* seq = dynamic_cast<models::SequentialImpl*>(layer_.get())) {
    for (const auto& l : seq->stack()) out.emplace_back(l);
    return out;
  }
  for (const auto& l : impl().layers()) out.emplace_back(l);
  return out;
}

// Over layers(), so that a Sequential's layers are found before it is built.
layers::LayerRef Model::get_layer(const std::string& name) const {
  const std::vector<layers::LayerRef> all = layers();
  for (const auto& l : all) {
    if (l.name() == name) return l;
  }
  std::vector<std::string> names;
  for (const auto& l : all) names.push_back(l.name());
  models::internal::throw_no_such_layer(name, names);
}
// As Keras indexes its list of layers: a negative index counts from the end.
layers::LayerRef Model::get_layer(int index) const {
  const std::vector<layers::LayerRef> all = layers();
  return all[models::internal::layer_position(index, all.size())];
}
const KerasTensors& Model::inputs() const {
  check_built(impl());
  return impl().inputs();
}
const KerasTensors& Model::outputs() const {
  check_built(impl());
  return impl().outputs();
}

void Model::summary(const SummaryOptions& options) const {
  check_built(impl());
  auto print = options.print_fn ? options.print_fn
                                : [](const std::string& line) { std::cout << line << '\n'; };
  impl().summary(print, options.line_length, options.positions);
  if (!options.print_fn) std::cout << std::flush;
}

std::string Model::summary_string(const SummaryOptions& options) const {
  std::ostringstream out;
  SummaryOptions o = options;
  o.print_fn = [&](const std::string& line) { out << line << '\n'; };
  summary(o);
  return out.str();
}

void Model::compile(const CompileOptions& options) {
  // An unbuilt Sequential keeps the options and compiles once its graph exists (Keras 2 allows
  // compile() before the first fit()).
  impl().trainer().compile(options);
}

callbacks::History Model::fit(const Data& x, const Data& y, const FitOptions& options) {
  ensure_built(x);
  check_built(impl());
  return impl().trainer().fit(x, y, options);
}

Results Model::evaluate(const Data& x, const Data& y, const EvaluateOptions& options) {
  ensure_built(x);
  check_built(impl());
  return impl().trainer().evaluate(x, y, options);
}

Results Model::train_on_batch(const Data& x, const Data& y, const TrainOnBatchOptions& options) {
  ensure_built(x);
  check_built(impl());
  return impl().trainer().train_on_batch(x, y, options);
}

Results Model::test_on_batch(const Data& x, const Data& y, const TestOnBatchOptions& options) {
  ensure_built(x);
  check_built(impl());
  return impl().trainer().test_on_batch(x, y, options);
}

Outputs Model::predict_on_batch(const Data& x) {
  ensure_built(x);
  check_built(impl());
  return keyed(impl(), impl().trainer().predict_on_batch(x));
}

Outputs Model::predict(const Data& x, const PredictOptions& options) {
  ensure_built(x);
  check_built(impl());
  return keyed(impl(), impl().trainer().predict(x, options));
}

std::vector<std::string> Model::metrics_names() const {
  return impl().trainer().metrics_names();
}

std::vector<metrics::MetricPtr> Model::metrics() const {
  return impl().trainer().metrics();
}

optimizers::Optimizer& Model::optimizer() const {
  return impl().trainer().optimizer();
}

Outputs Model::call(const Data& inputs, bool training) const {
  ensure_built(inputs);
  check_built(impl());
  const trainers::ModelSignature signature = impl().signature();
  trainers::check_input_structure(inputs, signature);
  return keyed(impl(), (*layer_)(inputs.flatten(signature.input_names, "input"), training));
}

// ---- Sequential ----

Sequential::Sequential(SequentialOptions options)
    : Model(std::make_shared<models::SequentialImpl>(std::move(options.name))) {}

Sequential::Sequential(const std::vector<layers::LayerRef>& layers, SequentialOptions options)
    : Sequential(std::move(options)) {
  for (const auto& l : layers) add(l);
}

void Sequential::add(const layers::LayerRef& layer) {
  KERAS_CHECK(static_cast<bool>(layer), ValueError, "Sequential.add: undefined layer");
  static_cast<models::SequentialImpl&>(impl()).add(layer.layer());
}

void Sequential::add(const KerasTensor& input) {
  KERAS_CHECK(input.defined() && input.layer()->class_name() == "InputLayer", ValueError,
              "Only instances of `keras.Layer` or `keras.Input` can be added to a Sequential "
              "model. Received: ",
              input.defined() ? to_string(input) : std::string("an undefined tensor"));
  static_cast<models::SequentialImpl&>(impl()).set_input(input.shape(), input.dtype(),
                                                         input.layer()->name());
}

void Sequential::pop() {
  static_cast<models::SequentialImpl&>(impl()).pop();
}

void Sequential::build(const Shape& batch_input_shape, DType dtype) {
  static_cast<models::SequentialImpl&>(impl()).build(batch_input_shape, dtype);
}

namespace models {

void SequentialImpl::add(std::shared_ptr<layers::Layer> layer) {
  for (const auto& l : stack_) {
    KERAS_CHECK(l->name() != layer->name(), ValueError,
                "All layers added to a Sequential model "
                "should have unique names. Name \"",
                layer->name(),
                "\" is already the name of a "
                "layer in this model. Update the `name` argument to pass a unique name.");
  }
  stack_.push_back(std::move(layer));
  if (!input_ && stack_.size() == 1 && stack_[0]->batch_input_shape()) {
    input_ = {*stack_[0]->batch_input_shape(), float32};
  }
  // A model as first layer: its input (Keras builds from the first layer's input_shape).
  auto* first = dynamic_cast<const FunctionalImpl*>(stack_[0].get());
  if (!input_ && stack_.size() == 1 && first != nullptr && !first->outputs().empty() &&
      first->inputs().size() == 1) {
    input_ = {first->inputs()[0].shape(), first->inputs()[0].dtype()};
  }
  if (input_) {
    try {
      rebuild(input_->first, input_->second);
    } catch (...) {
      stack_.pop_back();
      throw;
    }
  }
}

void SequentialImpl::set_input(const Shape& batch_input_shape,
                               DType dtype,
                               std::string input_name) {
  KERAS_CHECK(!input_, ValueError, "Sequential model '", name(),
              "' has already been configured to use input shape ", shape_str(input_->first),
              ". You cannot add a different Input layer to it.");
  input_ = {batch_input_shape, dtype};
  input_name_ = std::move(input_name);
  if (!stack_.empty()) rebuild(batch_input_shape, dtype);
}

std::vector<Shape> SequentialImpl::compute_output_shape(const std::vector<Shape>& in) const {
  if (has_graph()) return FunctionalImpl::compute_output_shape(in);
  std::vector<Shape> shapes = in;
  for (const auto& l : stack_) shapes = l->compute_output_shape(shapes);
  return shapes;
}

void SequentialImpl::pop() {
  KERAS_CHECK(!stack_.empty(), TypeError, "There are no layers in the model.");
  stack_.pop_back();
  if (stack_.empty()) {
    clear_graph();  // nothing to run until a layer is added (Keras 2.2.4 unbuilds the model)
  } else if (input_) {
    rebuild(input_->first, input_->second);
  }
}

void SequentialImpl::set_trainable(bool trainable) {
  FunctionalImpl::set_trainable(trainable);
  for (const auto& l : stack_) l->set_trainable(trainable);
}

void SequentialImpl::build(const std::vector<Shape>& input_shapes) {
  if (!has_graph() && input_shapes.size() == 1) build(input_shapes[0], float32);
  FunctionalImpl::build(input_shapes);
}

void SequentialImpl::build(const Shape& batch_input_shape, DType dtype) {
  KERAS_CHECK(!stack_.empty(), ValueError, "Sequential model ", name(),
              " cannot be built because it has no layers. Call `model.add(layer)`.");
  KERAS_CHECK(!input_ || input_->first == batch_input_shape, ValueError, "Sequential model '",
              name(), "' has already been configured to use input shape ", shape_str(input_->first),
              ". You cannot build it with input_shape ", shape_str(batch_input_shape));
  input_ = {batch_input_shape, dtype};
  rebuild(batch_input_shape, dtype);
}

void SequentialImpl::rebuild(const Shape& batch_input_shape, DType dtype) {
  std::vector<Dim> dims;
  for (size_t i = 1; i < batch_input_shape.size(); ++i) {
    dims.push_back(batch_input_shape[i] == kNone ? Dim() : Dim(batch_input_shape[i]));
  }
  InputOptions io;
  io.dtype = dtype;
  io.name = input_name_;
  if (!batch_input_shape.empty() && batch_input_shape[0] != kNone)
    io.batch_size = batch_input_shape[0];
  KerasTensor x = Input(dims, io);
  KerasTensor input = x;
  for (const auto& l : stack_) {
    KerasTensors out = (*l)(KerasTensors{x});
    KERAS_CHECK(out.size() == 1, ValueError,
                "All layers in a Sequential model should have a "
                "single output tensor. For multi-output layers, use the functional API.");
    x = out[0];
  }
  init_graph({input}, {x});
}

}  // namespace models
}  // namespace keras
