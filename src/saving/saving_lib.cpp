// Model::save / load_model / save_weights / load_weights: the Keras 3 ".keras" archive, Keras 3's
// ".weights.h5" layout and Keras 2's legacy ".h5" files.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <set>
#include <sstream>

#include "keras/layers/input_layer.h"
#include "keras/models/model.h"
#include "keras/saving/json.h"
#include "keras/saving/registry.h"
#include "layers/weight_budget.h"
#include "saving/h5.h"
#include "saving/zip.h"

namespace keras {
namespace saving {
namespace {

using layers::Layer;

// What we tell Keras wrote the file: the Keras 3 version whose format this code was checked
// against (tools/fixtures/make_saving_fixtures.py).
constexpr const char* kKerasVersion = "3.15.1";
constexpr size_t kMaxEntry = size_t{0xffffffffu};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  KERAS_CHECK(in.good(), IOError, "Unable to open file: ", path);
  std::ostringstream buf;
  buf << in.rdbuf();
  KERAS_CHECK(!in.bad(), IOError, "Error reading file: ", path);
  return buf.str();
}

// Writes to "<path>.tmp<random>" and renames it over `path`: readers see the old file or the new
// one, never a partial write.
void write_file_atomic(const std::string& path, const std::string& bytes, bool overwrite) {
  KERAS_CHECK(overwrite || !std::ifstream(path).good(), IOError, "File ", path,
              " exists and overwrite is false");
  std::random_device rd;
  const std::string tmp = path + ".tmp" + std::to_string(rd());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    KERAS_CHECK(out.good(), IOError, "Unable to create file: ", tmp);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out.good()) {
      out.close();
      std::remove(tmp.c_str());
      throw IOError(str("Error writing file: ", tmp));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw IOError(str("Unable to rename ", tmp, " to ", path));
  }
}

bool is_zip(const std::string& bytes) {
  return bytes.size() >= 4 && bytes.compare(0, 4, "PK\x03\x04") == 0;
}

// Runs `f`, turning nlohmann's exceptions (wrong JSON types deep in a config) into ValueError.
template <class F>
auto guarded(const std::string& what, F&& f) {
  try {
    return f();
  } catch (const Json::exception& e) {
    throw ValueError(str(what, ": invalid config: ", e.what()));
  }
}

// ---- Keras 3 weights (model.weights.h5) ----

struct Assignment {
  Variable variable;
  Tensor value;
};

void write_groups(hid_t root, const std::vector<Layer::VariableGroup>& groups) {
  for (const Layer::VariableGroup& g : groups) {
    h5::Handle group = h5::make_group(root, g.path);
    for (size_t i = 0; i < g.variables.size(); ++i) {
      h5::write_dataset(group.id(), std::to_string(i), g.variables[i].value());
    }
  }
}

std::vector<Assignment> read_groups(hid_t root,
                                    const std::vector<Layer::VariableGroup>& groups,
                                    const std::string& what) {
  std::vector<Assignment> out;
  for (const Layer::VariableGroup& g : groups) {
    if (g.variables.empty()) continue;
    std::optional<h5::Handle> group = h5::open_group(root, g.path);
    KERAS_CHECK(group.has_value(), ValueError, what, ": the file has no weights at '", g.path,
                "' (a different model?)");
    const size_t found = h5::children(group->id()).size();
    KERAS_CHECK(found == g.variables.size(), ValueError, what, ": '", g.path, "' expected ",
                g.variables.size(), " variables, but received ", found,
                " variables during loading.");
    for (size_t i = 0; i < g.variables.size(); ++i) {
      const Variable& v = g.variables[i];
      out.push_back({v, h5::read_dataset(group->id(), std::to_string(i), v.shape(), v.dtype(),
                                         str(what, ": ", g.path, "/", i, " (", v.path(), ")"))});
    }
  }
  return out;
}

Tensor scalar(double value, DType dtype) {
  return full({}, value, dtype);
}

bool has_suffix(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The slots in Keras 3's order. keras.cpp keeps them per variable (m0 v0 m1 v1 ...); Keras
// creates them in groups: Adam's momentum/velocity interleaved, then every velocity_hat;
// RMSprop's velocities, then momentums, then average gradients.
std::vector<Variable> keras_slot_order(const optimizers::Optimizer& opt) {
  auto phase = [&](const Variable& v) {
    if (opt.name() == "RMSprop") {
      if (has_suffix(v.name(), "_momentum")) return 1;
      if (has_suffix(v.name(), "_average_gradient")) return 2;
      return 0;
    }
    return has_suffix(v.name(), "_velocity_hat") ? 1 : 0;
  };
  std::vector<Variable> out = opt.variables();
  std::stable_sort(out.begin(), out.end(),
                   [&](const Variable& a, const Variable& b) { return phase(a) < phase(b); });
  return out;
}

void write_optimizer(hid_t root, const optimizers::Optimizer& opt) {
  h5::Handle group = h5::make_group(root, "optimizer/vars");
  h5::write_dataset(group.id(), "0", scalar(static_cast<double>(opt.iterations()), int64));
  h5::write_dataset(group.id(), "1", scalar(opt.learning_rate(), float32));
  const std::vector<Variable> slots = keras_slot_order(opt);
  for (size_t i = 0; i < slots.size(); ++i) {
    h5::write_dataset(group.id(), std::to_string(i + 2), slots[i].value());
  }
}

// Restores iterations, learning rate and slots; warns and leaves the optimizer fresh when the
// file's state does not fit (as Keras does).
void read_optimizer(hid_t root,
                    optimizers::Optimizer& opt,
                    const std::vector<Variable>& trainable,
                    const std::string& what) {
  std::optional<h5::Handle> group = h5::open_group(root, "optimizer/vars");
  if (!group) return;
  const size_t found = h5::children(group->id()).size();
  if (found != 2) opt.build(trainable);  // 2: saved before the first step, no slots yet
  const std::vector<Variable> slots = keras_slot_order(opt);
  if (found != slots.size() + 2) {
    std::cerr << "WARNING: " << what << ": skipping the optimizer state: the file has " << found
              << " variables, the optimizer " << slots.size() + 2 << "\n";
    return;
  }
  const Tensor iterations = h5::read_dataset(group->id(), "0", {}, int64, what + ": iterations");
  const Tensor lr = h5::read_dataset(group->id(), "1", {}, float64, what + ": learning_rate");
  std::vector<Assignment> values;
  for (size_t i = 0; i < slots.size(); ++i) {
    values.push_back(
        {slots[i], h5::read_dataset(group->id(), std::to_string(i + 2), slots[i].shape(),
                                    slots[i].dtype(), str(what, ": optimizer/vars/", i + 2))});
  }
  opt.set_iterations(iterations.item<int64_t>());
  // The file holds a float32 copy; keep the config's exact value unless a callback changed it.
  if (static_cast<float>(opt.learning_rate()) != static_cast<float>(lr.item<double>())) {
    opt.set_learning_rate(lr.item<double>());
  }
  for (Assignment& a : values) a.variable.assign(a.value);
}

// ---- compile config ----

Json loss_item_json(const LossItem& item) {
  if (!item.name().empty()) return item.name();
  return item.loss() ? Json(item.loss()->name()) : Json(nullptr);
}

Json metric_item_json(const MetricItem& item) {
  if (!item.name().empty()) return item.name();
  return item.metric() ? Json(item.metric()->name()) : Json(nullptr);
}

Json compile_config(models::FunctionalImpl& model) {
  trainers::Trainer& trainer = model.trainer();
  const auto& options = trainer.compile_options();
  if (!options || !trainer.compiled()) return nullptr;
  Json loss = nullptr;
  if (options->loss.single()) {
    loss = loss_item_json(*options->loss.single());
  } else if (!options->loss.list().empty()) {
    loss = Json::array();
    for (const LossItem& l : options->loss.list()) loss.push_back(loss_item_json(l));
  } else if (!options->loss.map().empty()) {
    loss = Json::object();
    for (const auto& [k, l] : options->loss.map()) loss[k] = loss_item_json(l);
  }
  Json loss_weights = nullptr;
  if (!options->loss_weights.list().empty()) loss_weights = options->loss_weights.list();
  if (!options->loss_weights.map().empty()) {
    loss_weights = Json::object();
    for (const auto& [k, w] : options->loss_weights.map()) loss_weights[k] = w;
  }
  Json metrics = nullptr;
  const size_t outputs = model.outputs().size();
  if (!options->metrics.list().empty()) {
    Json list = Json::array();
    for (const MetricItem& m : options->metrics.list()) list.push_back(metric_item_json(m));
    // Keras 3 wants one list per output for several outputs.
    if (outputs > 1) {
      metrics = Json::array();
      for (size_t i = 0; i < outputs; ++i) metrics.push_back(list);
    } else {
      metrics = list;
    }
  } else if (!options->metrics.map().empty()) {
    metrics = Json::object();
    for (const auto& [k, items] : options->metrics.map()) {
      Json list = Json::array();
      for (const MetricItem& m : items) list.push_back(metric_item_json(m));
      metrics[k] = list;
    }
  }
  return Json{{"optimizer", optimizers::serialize(trainer.optimizer())},
              {"loss", loss},
              {"loss_weights", loss_weights},
              {"metrics", metrics},
              {"weighted_metrics", nullptr},
              {"run_eagerly", options->run_eagerly},
              {"steps_per_execution", 1},
              {"jit_compile", false}};
}

// A loss or metric given by name, or as Keras's serialized object (its snake_case class name).
std::string identifier(const Json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object()) {
    std::string cls = require<std::string>(j, "class_name", "compile_config");
    std::string out;
    for (size_t i = 0; i < cls.size(); ++i) {
      const char c = cls[i];
      if (std::isupper(static_cast<unsigned char>(c)) && i > 0) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
  }
  throw ValueError(str("compile_config: cannot interpret ", j.dump().substr(0, 100)));
}

std::vector<MetricItem> metric_list(const Json& j) {
  std::vector<MetricItem> out;
  KERAS_CHECK(j.is_array(), ValueError, "compile_config: metrics must be lists");
  for (const Json& m : j) {
    const std::string name = identifier(m);
    out.emplace_back(name.c_str());
  }
  return out;
}

CompileOptions compile_options_from(const Json& c, const std::vector<std::string>& output_names) {
  CompileOptions o;
  if (const Json* opt = find(c, "optimizer")) o.optimizer = optimizers::deserialize(*opt);
  if (const Json* loss = find(c, "loss")) {
    if (loss->is_array()) {
      std::vector<LossItem> items;
      for (const Json& l : *loss) items.emplace_back(identifier(l).c_str());
      o.loss = items;
    } else if (loss->is_object() && !loss->contains("class_name")) {
      std::map<std::string, LossItem> items;
      for (const auto& [k, l] : loss->items()) items.emplace(k, LossItem(identifier(l).c_str()));
      o.loss = items;
    } else {
      o.loss = LossSpec(LossItem(identifier(*loss).c_str()).resolve());
    }
  }
  if (const Json* w = find(c, "loss_weights")) {
    if (w->is_array()) {
      o.loss_weights = w->get<std::vector<double>>();
    } else {
      o.loss_weights = w->get<std::map<std::string, double>>();
    }
  }
  if (const Json* m = find(c, "metrics")) {
    if (m->is_object()) {
      std::map<std::string, std::vector<MetricItem>> map;
      for (const auto& [k, v] : m->items())
        map.emplace(k, metric_list(v.is_array() ? v : Json::array({v})));
      o.metrics = map;
    } else if (m->is_array() && !m->empty() && (*m)[0].is_array()) {
      std::map<std::string, std::vector<MetricItem>> map;  // one list per output
      for (size_t i = 0; i < m->size() && i < output_names.size(); ++i) {
        map.emplace(output_names[i], metric_list((*m)[i]));
      }
      o.metrics = map;
    } else {
      o.metrics = metric_list(*m);
    }
  }
  o.run_eagerly = get<bool>(c, "run_eagerly", false, "compile_config");
  return o;
}

// Compiles `model` from a compile config; a config we cannot honour leaves the model
// uncompiled with a warning (as Keras does), instead of failing the load.
bool restore_compile(Model& model, const Json& config, const std::string& what) {
  try {
    model.compile(
        guarded(what, [&] { return compile_options_from(config, model.output_names()); }));
    return true;
  } catch (const Error& e) {
    std::cerr << "WARNING: " << what << ": the model was not compiled: " << e.what() << "\n";
    return false;
  }
}

std::string date_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d@%H:%M:%S", std::gmtime(&t));
  return buf;
}

// ---- legacy (Keras 2) HDF5 ----

std::vector<std::string> legacy_weight_names(const Layer& layer) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const Variable& v : layer.weights()) {
    std::string n =
        v.path().rfind(layer.name() + "/", 0) == 0 ? v.path() : layer.name() + "/" + v.path();
    for (int i = 1; seen.contains(n); ++i) n = str(n, "_", i);
    seen.insert(n);
    names.push_back(n);
  }
  return names;
}

const std::vector<std::shared_ptr<Layer>>& model_layers(const models::FunctionalImpl& impl) {
  if (auto* seq = dynamic_cast<const models::SequentialImpl*>(&impl)) return seq->stack();
  return impl.layers();
}

void write_legacy_weights(hid_t group, const models::FunctionalImpl& impl) {
  std::vector<std::string> layer_names;
  for (const auto& l : model_layers(impl)) layer_names.push_back(l->name());
  h5::write_string_list_attr(group, "layer_names", layer_names);
  h5::write_string_attr(group, "backend", "keras.cpp");
  h5::write_string_attr(group, "keras_version", kKerasVersion);
  for (const auto& l : model_layers(impl)) {
    h5::Handle g = h5::make_group(group, l->name());
    const std::vector<std::string> names = legacy_weight_names(*l);
    h5::write_string_list_attr(g.id(), "weight_names", names);
    const std::vector<Variable> weights = l->weights();
    for (size_t i = 0; i < names.size(); ++i) {
      const size_t slash = names[i].rfind('/');
      if (slash == std::string::npos) {
        h5::write_dataset(g.id(), names[i], weights[i].value());
      } else {
        h5::Handle parent = h5::make_group(g.id(), names[i].substr(0, slash));
        h5::write_dataset(parent.id(), names[i].substr(slash + 1), weights[i].value());
      }
    }
  }
}

std::vector<Assignment> read_legacy_weights(hid_t group,
                                            const models::FunctionalImpl& impl,
                                            bool by_name,
                                            bool skip_mismatch,
                                            const std::string& what) {
  const auto layer_names = h5::read_string_attr(group, "layer_names");
  KERAS_CHECK(layer_names.has_value(), ValueError, what, ": no 'layer_names' attribute");
  // The saved layers that have weights, with their weight names.
  std::vector<std::pair<std::string, std::vector<std::string>>> saved;
  for (const std::string& name : *layer_names) {
    std::optional<h5::Handle> g = h5::open_group(group, name);
    KERAS_CHECK(g.has_value(), ValueError, what, ": missing group for layer '", name, "'");
    auto names = h5::read_string_attr(g->id(), "weight_names").value_or(std::vector<std::string>{});
    if (!names.empty()) saved.emplace_back(name, std::move(names));
  }
  std::vector<std::shared_ptr<Layer>> targets;
  for (const auto& l : model_layers(impl)) {
    if (!l->weights().empty()) targets.push_back(l);
  }
  std::vector<Assignment> out;
  auto load_layer = [&](const Layer& layer, const std::string& saved_name,
                        const std::vector<std::string>& names) {
    const std::vector<Variable> weights = layer.weights();
    if (names.size() != weights.size()) {
      if (skip_mismatch) return;
      throw ValueError(str(what, ": layer '", layer.name(), "' expects ", weights.size(),
                           " weights, but the saved weights have ", names.size(), " elements."));
    }
    h5::Handle g = *h5::open_group(group, saved_name);
    for (size_t i = 0; i < names.size(); ++i) {
      if (skip_mismatch && h5::dataset_shape(g.id(), names[i]) != weights[i].shape()) return;
    }
    for (size_t i = 0; i < names.size(); ++i) {
      out.push_back(
          {weights[i], h5::read_dataset(g.id(), names[i], weights[i].shape(), weights[i].dtype(),
                                        str(what, ": weight ", names[i]))});
    }
  };
  if (by_name) {
    for (const auto& [name, names] : saved) {
      for (const auto& l : targets) {
        if (l->name() == name) load_layer(*l, name, names);
      }
    }
    return out;
  }
  KERAS_CHECK(saved.size() == targets.size(), ValueError, what,
              ": you are trying to load a weight file containing ", saved.size(),
              " layers into a model with ", targets.size(), " layers.");
  for (size_t i = 0; i < saved.size(); ++i)
    load_layer(*targets[i], saved[i].first, saved[i].second);
  return out;
}

// ---- entry points ----

void assign_all(std::vector<Assignment>& values) {
  for (Assignment& a : values) a.variable.assign(a.value);
}

std::string keras3_weights_image(const models::FunctionalImpl& impl,
                                 const optimizers::Optimizer* opt) {
  h5::File f = h5::File::create();
  write_groups(f.id(), impl.saved_variables());
  if (opt != nullptr) write_optimizer(f.id(), *opt);
  return f.image();
}

optimizers::Optimizer* compiled_optimizer(models::FunctionalImpl& impl) {
  trainers::Trainer& t = impl.trainer();
  return t.compiled() ? &t.optimizer() : nullptr;
}

// The model of a file's config; its layers may create at most ~16x the weights file's bytes of
// weights, so a hostile config fails before allocating.
Model build_model(const Json& config, size_t weights_file_bytes, const std::string& path) {
  layers::internal::WeightBudget budget(static_cast<int64_t>(weights_file_bytes) * 16 + (1 << 20));
  return guarded(path, [&] { return models::model_from_config(config); });
}

Model load_keras_archive(const std::string& bytes,
                         const std::string& path,
                         const LoadModelOptions& options) {
  const auto entries = zip::read(bytes, path, kMaxEntry);
  auto entry = [&](const char* name) -> const std::string& {
    auto it = entries.find(name);
    KERAS_CHECK(it != entries.end(), IOError, path, ": the archive has no ", name);
    return it->second;
  };
  const Json config = parse_json(entry("config.json"), (path + ": config.json").c_str());
  Model model = build_model(config, entry("model.weights.h5").size(), path);
  h5::File weights = h5::File::open(entry("model.weights.h5"), path + ": model.weights.h5");
  std::vector<Assignment> values = guarded(
      path, [&] { return read_groups(weights.id(), model.impl().saved_variables(), path); });
  assign_all(values);
  const Json* compile = find(config, "compile_config");
  if (options.compile && compile != nullptr && compile->is_object() && !compile->empty() &&
      restore_compile(model, *compile, path)) {
    read_optimizer(weights.id(), model.optimizer(), model.impl().trainable_weights(), path);
  }
  return model;
}

Model load_legacy_h5(const std::string& bytes,
                     const std::string& path,
                     const LoadModelOptions& options) {
  h5::File f = h5::File::open(bytes, path);
  const auto config_text = h5::read_string_attr(f.id(), "model_config");
  KERAS_CHECK(config_text && config_text->size() == 1, ValueError, path,
              ": no model found in config file (a weights-only file? use load_weights).");
  const Json config = parse_json(config_text->front(), (path + ": model_config").c_str());
  Model model = build_model(config, bytes.size(), path);
  std::optional<h5::Handle> weights = h5::open_group(f.id(), "model_weights");
  KERAS_CHECK(weights.has_value(), ValueError, path, ": no 'model_weights' group");
  std::vector<Assignment> values = guarded(
      path, [&] { return read_legacy_weights(weights->id(), model.impl(), true, false, path); });
  assign_all(values);
  const auto training = h5::read_string_attr(f.id(), "training_config");
  if (options.compile && training && training->size() == 1) {
    Json c = parse_json(training->front(), (path + ": training_config").c_str());
    if (const Json* opt = find(c, "optimizer_config")) c["optimizer"] = *opt;
    restore_compile(model, c, path);
  }
  return model;
}

}  // namespace
}  // namespace saving

void Model::save(const std::string& path, const SaveOptions& options) const {
  using namespace saving;  // NOLINT
  models::FunctionalImpl& impl = this->impl();
  if (ends_with(path, ".keras")) {
    Json config = serialize_layer(impl);
    if (options.include_optimizer) {
      Json compile = compile_config(impl);
      if (!compile.is_null()) config["compile_config"] = compile;
    }
    const Json metadata{{"keras_version", kKerasVersion},
                        {"date_saved", date_now()},
                        {"keras_cpp_version", "0.1.0"}};
    const std::string weights =
        keras3_weights_image(impl, options.include_optimizer ? compiled_optimizer(impl) : nullptr);
    write_file_atomic(path,
                      zip::write({{"metadata.json", metadata.dump()},
                                  {"config.json", config.dump()},
                                  {"model.weights.h5", weights}}),
                      options.overwrite);
    return;
  }
  KERAS_CHECK(ends_with(path, ".h5") || ends_with(path, ".hdf5"), ValueError,
              "Invalid filepath extension for saving. Please add either a `.keras` extension for "
              "the native Keras format (recommended) or a `.h5` extension. Received: filepath=",
              path);
  h5::File f = h5::File::create();
  h5::write_string_attr(f.id(), "model_config", serialize_layer(impl).dump());
  h5::write_string_attr(f.id(), "backend", "keras.cpp");
  h5::write_string_attr(f.id(), "keras_version", kKerasVersion);
  if (options.include_optimizer) {
    Json compile = compile_config(impl);
    if (!compile.is_null()) {
      // Keras 3 cannot compile a legacy file whose losses are strings ("mse"), not even its own;
      // it can from class names.
      std::function<Json(const Json&)> classes = [&](const Json& j) -> Json {
        if (j.is_array() || j.is_object()) {
          Json out = j;
          for (auto& v : out) v = classes(v);
          return out;
        }
        if (!j.is_string()) return j;
        const std::string n = j.get<std::string>();
        const char* cls = n == "mse" || n == "mean_squared_error"    ? "MeanSquaredError"
                          : n == "mae" || n == "mean_absolute_error" ? "MeanAbsoluteError"
                          : n == "binary_crossentropy"               ? "BinaryCrossentropy"
                          : n == "categorical_crossentropy"          ? "CategoricalCrossentropy"
                          : n == "sparse_categorical_crossentropy" ? "SparseCategoricalCrossentropy"
                                                                   : nullptr;
        return cls ? Json{{"class_name", cls}, {"config", Json::object()}} : j;
      };
      compile["loss"] = classes(compile["loss"]);
      compile["optimizer_config"] = compile["optimizer"];
      compile.erase("optimizer");
      h5::write_string_attr(f.id(), "training_config", compile.dump());
    }
  }
  h5::Handle weights = h5::make_group(f.id(), "model_weights");
  write_legacy_weights(weights.id(), impl);
  write_file_atomic(path, f.image(), options.overwrite);
}

void Model::save_weights(const std::string& path, const SaveOptions& options) const {
  using namespace saving;  // NOLINT
  if (ends_with(path, ".weights.h5")) {
    write_file_atomic(path, keras3_weights_image(impl(), nullptr), options.overwrite);
    return;
  }
  KERAS_CHECK(ends_with(path, ".h5") || ends_with(path, ".hdf5"), ValueError,
              "The filename must end in `.weights.h5` (or `.h5` for Keras 2's layout). Received: "
              "filepath=",
              path);
  h5::File f = h5::File::create();
  write_legacy_weights(f.id(), impl());
  write_file_atomic(path, f.image(), options.overwrite);
}

void Model::load_weights(const std::string& path, const LoadWeightsOptions& options) {
  using namespace saving;  // NOLINT
  auto* seq = dynamic_cast<models::SequentialImpl*>(layer_.get());
  KERAS_CHECK(seq == nullptr || seq->graph_built(), ValueError,
              "Unable to load weights into a Sequential model that has not been built; call "
              "build() first.");
  const std::string bytes = read_file(path);
  std::vector<Assignment> values;
  if (is_zip(bytes)) {
    const auto entries = zip::read(bytes, path, kMaxEntry);
    auto it = entries.find("model.weights.h5");
    KERAS_CHECK(it != entries.end(), IOError, path, ": the archive has no model.weights.h5");
    h5::File f = h5::File::open(it->second, path);
    values = read_groups(f.id(), impl().saved_variables(), path);
  } else {
    h5::File f = h5::File::open(bytes, path);
    if (std::optional<h5::Handle> g = h5::open_group(f.id(), "model_weights")) {
      values = read_legacy_weights(g->id(), impl(), options.by_name, options.skip_mismatch, path);
    } else if (h5::read_string_attr(f.id(), "layer_names")) {
      values = read_legacy_weights(f.id(), impl(), options.by_name, options.skip_mismatch, path);
    } else {
      values = read_groups(f.id(), impl().saved_variables(), path);
    }
  }
  assign_all(values);
}

namespace models {

Model load_model(const std::string& path, const LoadModelOptions& options) {
  using namespace saving;  // NOLINT
  const std::string bytes = read_file(path);
  if (is_zip(bytes)) return load_keras_archive(bytes, path, options);
  KERAS_CHECK(bytes.size() >= 8 && bytes.compare(0, 8, "\x89HDF\r\n\x1a\n") == 0, IOError, path,
              ": not a .keras archive or an HDF5 file");
  return load_legacy_h5(bytes, path, options);
}

}  // namespace models
}  // namespace keras
