// keras::Model and keras::Sequential: handles to functional models, with Keras's API.
//
//   auto inputs = keras::Input({784});
//   auto x = keras::layers::Dense(64, {.activation = "relu"})(inputs);
//   auto outputs = keras::layers::Dense(10, {.activation = "softmax"})(x);
//   keras::Model model(inputs, outputs);
//   model.compile({.optimizer = "rmsprop", .loss = "categorical_crossentropy",
//                  .metrics = {"accuracy"}});
//   model.fit(data, labels, {.epochs = 5, .batch_size = 32});
//
// Copying a Model shares it (like every layer handle). A model is a layer: `model(x)` on a
// KerasTensor adds a node, on a Tensor runs it eagerly.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "keras/layers/layer.h"
#include "keras/models/functional.h"
#include "keras/trainers/compile_options.h"

namespace keras {

namespace models {
// The graph behind keras::Sequential: rebuilt as layers are added.
class SequentialImpl final : public FunctionalImpl {
 public:
  explicit SequentialImpl(std::string name) : FunctionalImpl(std::move(name)) {}
  std::string class_name() const override { return "Sequential"; }
  std::string saved_class_name() const override { return "Sequential"; }
  void add(std::shared_ptr<layers::Layer> layer);
  // Keras's `add(keras.Input(...))`: fixes the input (before or after the layers are added),
  // keeping the Input's name (the model's input name; "<model>_input" when empty).
  void set_input(const Shape& batch_input_shape, DType dtype, std::string input_name = {});
  void pop();
  // Also the layers of a Sequential not built yet (as Keras sets it on every tracked layer).
  void set_trainable(bool trainable) override;
  // A first call on a tensor (symbolic or eager) builds the graph for its shape, as Keras 3's
  // Sequential.build(input_shape) does when the input shape was not known before.
  void build(const std::vector<Shape>& input_shapes) override;
  void build(const Shape& batch_input_shape, DType dtype);
  bool graph_built() const { return has_graph(); }
  const std::vector<std::shared_ptr<layers::Layer>>& stack() const { return stack_; }
  const std::optional<std::pair<Shape, DType>>& input() const { return input_; }
  // Keras 3's Sequential config: {"name", "trainable", "dtype", "layers": [InputLayer, ...],
  // "build_input_shape"}.
  Json get_config() const override;
  std::string module() const override { return "keras"; }
  std::vector<VariableGroup> saved_variables() const override;
  // Built: the graph's. Unbuilt: each layer's compute_output_shape in turn, as Keras 3 does.
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;

 private:
  void rebuild(const Shape& batch_input_shape, DType dtype);
  std::vector<std::shared_ptr<layers::Layer>> stack_;
  std::optional<std::pair<Shape, DType>> input_;
  std::string input_name_;  // of the Input added or loaded; empty: generated
};
}  // namespace models

struct SaveOptions {
  bool overwrite = true;          // false: throw IOError when the file exists
  bool include_optimizer = true;  // the optimizer's config and state (.keras and legacy .h5)
  // Legacy .h5 only: "keras3" writes Keras 3's legacy layout (Keras 3 loads it); "tf_keras"
  // writes Keras 2's, which tf_keras (and Keras 3) load: Keras 2's inbound nodes and InputLayer,
  // no Keras 3-only option (a non-default one, Keras 3's hard_sigmoid or a keras.ops node is a
  // NotImplementedError), and no training_config (tf_keras then loads the model uncompiled).
  std::string h5_format = "keras3";
};

struct LoadModelOptions {
  bool compile = true;  // compile with the saved compile_config and restore the optimizer state
};

struct LoadWeightsOptions {
  // Legacy .h5 only: match layers by name (Keras 2); ValueError with a Keras 3 file, as in Keras.
  bool by_name = false;
  // Skip (with a warning) layers whose weights differ in count or shape from the file's instead
  // of raising: .weights.h5 and .keras files, and legacy .h5 files with by_name.
  bool skip_mismatch = false;
};

struct ModelOptions {
  std::string name = {};  // default "model_1", "model_2", ...
};

struct SummaryOptions {
  int line_length = 0;                 // 0 = Keras's default (65 or 98)
  std::vector<double> positions = {};  // column ends, fractions of line_length or absolute
  std::function<void(const std::string&)> print_fn = nullptr;  // default: one line to std::cout
};

// What predict() returns: one tensor per output, in the model's flattening order (see
// nested.h); converts to Tensor for single-output models. When the model's outputs are a dict
// of tensors (Keras 3's predict returns a dict then), the tensors are also keyed by its keys:
// `out["out1"]`, `out.keys()`, `out.dict()`.
class Outputs : public std::vector<Tensor> {
 public:
  using std::vector<Tensor>::vector;
  using std::vector<Tensor>::operator[];
  using std::vector<Tensor>::at;
  explicit Outputs(std::vector<Tensor> v, std::vector<std::string> keys = {});
  operator Tensor() const;  // NOLINT: throws ValueError unless there is exactly one output
  const Shape& shape() const { return static_cast<const Tensor&>(single()).shape(); }
  bool is_dict() const { return !keys_.empty(); }
  // The dict's keys, in the order of the tensors (sorted); empty unless is_dict().
  const std::vector<std::string>& keys() const { return keys_; }
  // ValueError naming the keys when `key` is not one of them.
  const Tensor& at(const std::string& key) const;
  const Tensor& operator[](const std::string& key) const { return at(key); }
  std::map<std::string, Tensor> dict() const;

 private:
  const Tensor& single() const;
  std::vector<std::string> keys_;
};

class Model : public layers::LayerRef {
 public:
  // inputs and outputs: a KerasTensor, a list `{a, b}`, a dict `{{"a", a}, {"b", b}}` or a
  // nested structure of them (NestedTensors, nested.h), as Keras 3's Model(inputs, outputs).
  Model(NestedTensors inputs, NestedTensors outputs, ModelOptions options = {});

  // ---- graph ----
  std::vector<layers::LayerRef> layers() const;
  // By name (ValueError listing the layers' names when none has it) or by index into layers(),
  // negative from the end as Keras indexes its list (ValueError for index >= size, IndexError
  // below -size).
  layers::LayerRef get_layer(const std::string& name) const;
  layers::LayerRef get_layer(int index) const;
  // Flattened (lists in order, dict entries by sorted key).
  const KerasTensors& inputs() const;
  const KerasTensors& outputs() const;
  // As given to the constructor (or read from a saved config).
  const NestedTensors& input_structure() const { return impl().input_structure(); }
  const NestedTensors& output_structure() const { return impl().output_structure(); }
  std::vector<std::string> input_names() const { return impl().input_names(); }
  std::vector<std::string> output_names() const { return impl().output_names(); }
  void summary(const SummaryOptions& options = {}) const;
  std::string summary_string(const SummaryOptions& options = {}) const;

  // ---- training ----
  void compile(const CompileOptions& options);
  // Keras 3's compile config (what compile was given, as a saved model holds it: optimizer,
  // losses and metrics serialized), or null when the model is not compiled. NotImplementedError
  // when something given to compile cannot be serialized (a C++ loss function).
  Json get_compile_config() const;
  // Compiles the model from such a config, with new optimizer, loss and metric objects.
  // ValueError for a config keras.cpp cannot honour.
  void compile_from_config(const Json& config);
  callbacks::History fit(const Data& x, const Data& y = {}, const FitOptions& options = {});
  Results evaluate(const Data& x, const Data& y = {}, const EvaluateOptions& options = {});
  Outputs predict(const Data& x, const PredictOptions& options = {});
  // One batch, on the plans fit/evaluate/predict use (see Trainer): a gradient step and that
  // batch's loss and metrics; the loss and metrics without training; the outputs.
  Results train_on_batch(const Data& x,
                         const Data& y = {},
                         const TrainOnBatchOptions& options = {});
  Results test_on_batch(const Data& x, const Data& y = {}, const TestOnBatchOptions& options = {});
  Outputs predict_on_batch(const Data& x);
  // Keras 2's names of evaluate's results: "loss", the per-output losses, then the compiled
  // metrics ("accuracy", "<output>_accuracy", ...). Keras 3 reports ["loss", "compile_metrics"].
  std::vector<std::string> metrics_names() const;
  // The metric objects behind them, in that order: the loss trackers (Mean), then the compiled
  // metrics once the first batch of fit/evaluate/train_on_batch/test_on_batch has built them
  // (metrics given as objects are these objects: read their state with variables()).
  std::vector<metrics::MetricPtr> metrics() const;
  optimizers::Optimizer& optimizer() const;
  // Eager call on concrete tensors: one per input (a list in inputs() order, or a map keyed as
  // fit's data); returns one tensor per output (keyed too when the outputs are a dict).
  Outputs call(const Data& inputs, bool training = false) const;

  models::FunctionalImpl& impl() const;

  // ---- saving (src/saving/) ----
  // Keras 3's config ({"name", "layers", "input_layers", "output_layers"}; Sequential: "layers").
  Json get_config() const;
  // The serialized model ({"module", "class_name": "Functional", "config", ...}) as JSON text.
  std::string to_json() const;
  // By extension: ".keras" writes Keras 3's zip archive (config.json, metadata.json,
  // model.weights.h5), ".h5"/".hdf5" Keras 2's legacy HDF5 file. The file is written to a
  // temporary name and renamed, so a failed save leaves an existing file intact. Throws
  // NotImplementedError for models with unserializable layers (Lambda), IOError on I/O errors,
  // ValueError for other extensions.
  void save(const std::string& path, const SaveOptions& options = {}) const;
  // ".weights.h5": Keras 3's weights file; ".h5": Keras 2's layout (model_weights groups).
  void save_weights(const std::string& path, const SaveOptions& options = {}) const;
  // Loads weights saved by save_weights (either layout) or from a .keras archive. Throws
  // ValueError on missing or mis-shaped weights (nothing is assigned then), IOError for files
  // that cannot be read.
  void load_weights(const std::string& path, const LoadWeightsOptions& options = {});

  // Wraps an existing graph (what load_model and from_config return).
  explicit Model(std::shared_ptr<models::FunctionalImpl> impl);

 protected:
  // Builds a deferred (Sequential) graph from the shapes of x.
  void ensure_built(const Data& x) const;
};

struct SequentialOptions {
  std::string name = {};  // default "sequential_1", ...
};

// A linear stack of layers (keras.Sequential). The graph is built as soon as the input shape is
// known: an Input added first (`model.add(keras::Input({4}))`), the first layer's `input_shape`
// option, or a model (functional or Sequential) as first layer; else on first use with data or
// build().
class Sequential : public Model {
 public:
  explicit Sequential(SequentialOptions options = {});
  explicit Sequential(const std::vector<layers::LayerRef>& layers, SequentialOptions options = {});
  void add(const layers::LayerRef& layer);
  // An Input (Keras's `Sequential([keras.Input((4,)), ...])`): the model's input shape and dtype.
  // ValueError when the model already has an Input.
  void add(const KerasTensor& input);
  // Removes the last layer.
  void pop();
  // Builds the graph for inputs of shape `batch_input_shape` (batch dim kNone allowed).
  void build(const Shape& batch_input_shape, DType dtype = float32);
};

namespace models {
// Loads a model saved by Model::save (".keras" or legacy ".h5", from keras.cpp or Python Keras),
// weights and, unless options.compile is false, compile settings and optimizer state. Throws
// IOError for unreadable or corrupt files, ValueError for invalid contents (bad JSON, unknown
// layer classes, missing or mis-shaped weights, configs whose weights exceed the file). Damaged
// archives are caught by their CRCs; a crafted legacy .h5 file can still crash libhdf5 1.10 itself
// (see docs/differences.md), so load legacy .h5 files only from sources you trust.
Model load_model(const std::string& path, const LoadModelOptions& options = {});
// A new, freshly initialized model from Model::to_json() text (or Keras's model.to_json()).
// Throws ValueError for invalid JSON, JSON nested more than 512 levels or longer than 64 MiB
// (config::parse_json), and invalid configs; messages quote only a short excerpt of the text.
Model model_from_json(const std::string& json);
// From a serialized model ({"class_name": "Functional" | "Sequential" | "Model", "config"}) or
// a bare functional/Sequential config dict.
Model model_from_config(const Json& config);
}  // namespace models

}  // namespace keras
