#include "keras/layers/stacked_rnn.h"

#include <algorithm>
#include <map>

#include "core/python_repr.h"
#include "keras/config/json.h"
#include "keras/ops/shape.h"
#include "layers/config_util.h"
#include "layers/recurrence.h"

namespace keras::layers {
namespace {

const char* const kFlags[] = {"return_sequences", "return_state", "go_backwards",
                              "stateful",         "unroll",       "zero_output_for_mask"};

}  // namespace

StackedRNNImpl::StackedRNNImpl(std::vector<LayerRef> cells, RNNOptions options)
    : RecurrentLayer(std::move(options.name), "rnn"), options_(std::move(options)) {
  KERAS_CHECK(!cells.empty(), ValueError, "RNN: expected at least one cell, received none");
  for (size_t i = 0; i < cells.size(); ++i) {
    auto cell = std::dynamic_pointer_cast<RecurrentImpl>(cells[i].layer());
    KERAS_CHECK(cell != nullptr, ValueError,
                "RNN: each cell must be an LSTM, GRU or SimpleRNN layer (its options are the "
                "cell's). Received at index ",
                i, ": ", cells[i] ? cells[i].class_name() : std::string("an undefined layer"));
    KERAS_CHECK(!cell->built(), ValueError, "RNN: cell ", i, " (", cell->name(),
                ") is already built; give the stack new layers");
    const RecurrentImpl::Config& c = cell->config_;
    KERAS_CHECK(!c.return_sequences && !c.return_state && !c.go_backwards && !c.stateful,
                ValueError, "RNN: cell ", i, " (", cell->name(),
                ") sets return_sequences, return_state, go_backwards or stateful; these are the "
                "RNN's options");
    for (size_t j = 0; j < cells_.size(); ++j) {
      KERAS_CHECK(cells_[j] != cell, ValueError, "RNN: cells ", j, " and ", i,
                  " are the same layer (", cell->name(), "); each cell needs its own");
    }
    cells_.push_back(std::move(cell));
  }
  // Every cell runs forwards over the (once reversed) sequence; all but the last return theirs.
  for (size_t i = 0; i < cells_.size(); ++i) {
    RecurrentImpl::Config& c = cells_[i]->config_;
    c.return_sequences = i + 1 < cells_.size() || options_.return_sequences;
    c.return_state = options_.return_state;
    c.stateful = options_.stateful;
    c.unroll = options_.unroll;
    c.zero_output_for_mask = options_.zero_output_for_mask;
    cells_[i]->wraps_cell_ = true;
  }
  input_spec_ = {InputSpec{.ndim = 3}};
}

void StackedRNNImpl::set_trainable(bool trainable) {
  Layer::set_trainable(trainable);
  for (const auto& c : cells_) c->set_trainable(trainable);
}

void StackedRNNImpl::set_dtype(DType dtype) {
  Layer::set_dtype(dtype);
  for (const auto& c : cells_) c->set_dtype(dtype);
}

void StackedRNNImpl::reset_state() {
  for (const auto& c : cells_) c->reset_state();
}

std::vector<InputSpec> StackedRNNImpl::state_specs() const {
  std::vector<InputSpec> specs;
  for (const auto& c : cells_) {
    for (const InputSpec& s : c->state_specs()) specs.push_back(s);
  }
  return specs;
}

void StackedRNNImpl::set_zero_output_for_mask(bool zero) {
  options_.zero_output_for_mask = zero;
  for (const auto& c : cells_) c->set_zero_output_for_mask(zero);
}

std::shared_ptr<RecurrentLayer> StackedRNNImpl::reversed_copy(const std::string& name) const {
  return reversed_from_config(name);
}

// Keras's nesting of a stack's states: a list per cell, as its get_initial_state makes them (a
// bare tensor for a one-state last cell makes Keras 3's masked loop read the tensor's first row as
// the previous output).
Json StackedRNNImpl::saved_initial_state(const Json& states) const {
  if (!states.is_array() || states.size() != static_cast<size_t>(initial_state_count())) {
    return states;
  }
  Json nested = Json::array();
  size_t k = 0;
  for (const auto& c : cells_) {
    Json group = Json::array();
    for (int s = 0; s < c->num_states(); ++s) group.push_back(states[k++]);
    nested.push_back(group);
  }
  return nested;
}

void StackedRNNImpl::build(const std::vector<Shape>& input_shapes) {
  Shape shape = input_shapes[0];
  KERAS_CHECK(shape.size() == 3, ValueError, "Input 0 is incompatible with layer ", name(),
              ": expected ndim=3, found ndim=", shape.size(),
              ". Full shape received: ", shape_str(shape));
  for (const auto& c : cells_) {
    c->maybe_build({shape});
    shape = {shape[0], shape[1], c->units()};
  }
  input_spec_ = {InputSpec{.ndim = 3, .axes = {{-1, input_shapes[0].back()}}}};
}

Json StackedRNNImpl::get_build_config() const {
  const std::vector<Shape>& shapes = build_input_shapes();
  if (shapes.size() <= 1) return Layer::get_build_config();
  Json config = config_util::initial_state_build_config(shapes);
  Json& states = config["shapes_dict"]["initial_state_shape"];
  states = saved_initial_state(states);
  return config;
}

std::vector<Variable> StackedRNNImpl::weights() const {
  std::vector<Variable> w;
  for (const auto& c : cells_) {
    for (const Variable& v : c->weights()) w.push_back(v);
  }
  return w;
}

std::vector<Generator*> StackedRNNImpl::seed_generators() {
  std::vector<Generator*> g;
  for (const auto& c : cells_) {
    for (Generator* x : c->seed_generators()) g.push_back(x);
  }
  return g;
}

Tensors StackedRNNImpl::losses() const {
  Tensors l = Layer::losses();
  for (const auto& c : cells_) {
    for (const Tensor& t : c->losses()) l.push_back(t);
  }
  return l;
}

void StackedRNNImpl::clear_losses() {
  Layer::clear_losses();
  for (const auto& c : cells_) c->clear_losses();
}

std::vector<Shape> StackedRNNImpl::compute_output_shape(const std::vector<Shape>& in) const {
  Shape shape = in[0];
  std::vector<Shape> out{Shape{}}, states;
  for (const auto& c : cells_) {
    const std::vector<Shape> o = c->compute_output_shape({shape});
    states.insert(states.end(), o.begin() + 1, o.end());
    shape = o[0];
  }
  out[0] = shape;
  out.insert(out.end(), states.begin(), states.end());
  return out;
}

Tensors StackedRNNImpl::compute_mask(const Tensors&, const Tensors& masks, const Tensors&) const {
  if (!options_.return_sequences || masks.empty()) return {};
  return {masks[0]};
}

Tensors StackedRNNImpl::call(const Tensors& inputs, bool training) {
  Tensor x = inputs[0];
  if (options_.go_backwards) {
    const Tensor mask = x.keras_mask();
    x = internal::reverse_time(x);
    if (mask.defined()) x.set_keras_mask(internal::reverse_time(mask));
  }
  const bool given_states = inputs.size() > 1;
  size_t next = 1;
  Tensors states;
  for (const auto& c : cells_) {
    Tensors cell_inputs{x};
    if (given_states) {
      for (int s = 0; s < c->num_states(); ++s) cell_inputs.push_back(inputs.at(next++));
    }
    // Called as a layer: its output sequence carries the mask on to the next cell.
    Tensors out = c->call_with_masks(cell_inputs, training);
    x = out[0];
    states.insert(states.end(), out.begin() + 1, out.end());
  }
  Tensors result{x};
  result.insert(result.end(), states.begin(), states.end());
  return result;
}

Json StackedRNNImpl::get_config() const {
  Json config = Layer::get_config();
  const bool flags[] = {options_.return_sequences, options_.return_state,
                        options_.go_backwards,     options_.stateful,
                        options_.unroll,           options_.zero_output_for_mask};
  for (size_t i = 0; i < std::size(kFlags); ++i) config[kFlags[i]] = flags[i];
  Json cells = Json::array();
  for (const auto& c : cells_) {
    Json cell = c->get_config().at("cell");  // the RNN(cell) form's cell
    cell["config"]["name"] = c->name();
    cells.push_back(std::move(cell));
  }
  Json stacked{{"module", "keras.layers"},
               {"class_name", "StackedRNNCells"},
               {"config",
                {{"name", cells_name_},
                 {"trainable", trainable()},
                 {"dtype", config.value("dtype", Json(nullptr))},
                 {"cells", std::move(cells)}}},
               {"registered_name", nullptr}};
  if (built()) config_util::set_cell_build_config(stacked, build_input_shapes());
  config["cell"] = std::move(stacked);
  return config;
}

std::shared_ptr<Layer> StackedRNNImpl::from_config(const Json& config) {
  const Json* cell = config::find(config, "cell");
  const Json* stacked =
      cell != nullptr && cell->is_object() ? config::find(*cell, "config") : nullptr;
  const Json* list =
      stacked != nullptr && stacked->is_object() ? config::find(*stacked, "cells") : nullptr;
  KERAS_CHECK(list != nullptr && list->is_array() && !list->empty() && list->size() <= 1000,
              ValueError, "RNN: a StackedRNNCells config needs a list of cells, received ",
              cell != nullptr ? config::json_excerpt(*cell, 120) : std::string("no cell"));
  using Factory = std::shared_ptr<Layer> (*)(const Json&);
  const std::map<std::string, Factory, std::less<>> factories = {
      {"LSTMCell", &LSTMImpl::from_config},
      {"GRUCell", &GRUImpl::from_config},
      {"SimpleRNNCell", &SimpleRNNImpl::from_config}};
  std::vector<LayerRef> cells;
  for (const Json& c : *list) {
    const std::string cls =
        c.is_object() ? config::get<std::string>(c, "class_name", "", "RNN") : std::string();
    const auto factory = factories.find(cls);
    const Json* cell_config = c.is_object() ? config::find(c, "config") : nullptr;
    KERAS_CHECK(factory != factories.end(), NotImplementedError,
                "RNN: keras.cpp loads a StackedRNNCells of LSTMCell, GRUCell and SimpleRNNCell; "
                "this one has ",
                cls.empty() ? config::json_excerpt(c, 120) : cls);
    KERAS_CHECK(cell_config != nullptr && cell_config->is_object(), ValueError, "RNN: cell ",
                cells.size(), " (", cls, ") has no config object: ", config::json_excerpt(c, 120));
    Json flat = *cell_config;
    for (const char* key : kFlags) flat.erase(key);
    cells.emplace_back(factory->second(flat));
  }
  RNNOptions options{.name = config::get<std::string>(config, "name", "", "RNN")};
  bool* flags[] = {&options.return_sequences, &options.return_state, &options.go_backwards,
                   &options.stateful,         &options.unroll,       &options.zero_output_for_mask};
  for (size_t i = 0; i < std::size(kFlags); ++i) {
    *flags[i] = config::get<bool>(config, kFlags[i], false, "RNN");
  }
  auto layer = std::make_shared<StackedRNNImpl>(std::move(cells), std::move(options));
  layer->cells_name_ = config::get<std::string>(*stacked, "name", "stacked_rnn_cells", "RNN");
  layer->apply_base_config(config);
  return layer;
}

std::vector<Layer::VariableGroup> StackedRNNImpl::saved_variables() const {
  // Keras names a list's layers by class, as a model's: lstm_cell, lstm_cell_1, gru_cell, ...
  std::map<std::string, int> used;
  std::vector<VariableGroup> out{{"vars", {}}, {"cell/vars", {}}};
  for (const auto& c : cells_) {
    std::string name = to_snake_case(c->cell_class_name());
    auto [it, fresh] = used.try_emplace(name, 0);
    if (!fresh) name = str(name, "_", ++it->second);
    out.push_back({str("cell/cells/", name, "/vars"), c->weights()});
  }
  return out;
}

}  // namespace keras::layers
