// Model::save / load_model / save_weights / load_weights: the Keras 3 ".keras" archive, Keras 3's
// ".weights.h5" layout and Keras 2's legacy ".h5" files.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <set>
#include <sstream>

#include "io/zip.h"
#include "keras/config/json.h"
#include "keras/distribution/distribution.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/registry.h"
#include "keras/models/model.h"
#include "layers/weight_budget.h"
#include "models/keras2_config.h"
#include "models/own_state_layers.h"
#include "saving/h5.h"
#include "saving/h5_snapshot.h"
#include "saving/saving_internal.h"

namespace keras {
namespace saving {
namespace {

using namespace internal;  // NOLINT

using layers::Layer;

constexpr size_t kMaxEntry = size_t{0xffffffffu};

using keras::internal::read_file;

bool is_zip(const std::string& bytes) {
  return bytes.size() >= 4 && bytes.compare(0, 4, "PK\x03\x04") == 0;
}

bool is_hdf5(const std::string& bytes) {
  return bytes.size() >= 8 && bytes.compare(0, 8, "\x89HDF\r\n\x1a\n") == 0;
}

// ---- Keras 3 weights (model.weights.h5) ----

void write_groups(hid_t root, const models::FunctionalImpl& impl) {
  for (const Layer::VariableGroup& g : impl.saved_variables()) {
    h5::Handle group = h5::make_group(root, g.path);
    for (size_t i = 0; i < g.variables.size(); ++i) {
      h5::write_dataset(group.id(), std::to_string(i), g.variables[i].value());
    }
  }
  // Keras 3's save_own_variables: named datasets in the layer's "vars".
  for (const models::internal::OwnStateLayer& l : models::internal::own_state_layers(impl)) {
    const std::map<std::string, Tensor> own = l.state->save_own_variables();
    if (own.empty()) continue;
    h5::Handle group = h5::make_group(root, l.path + "/vars");
    for (const auto& [key, value] : own) {
      const size_t slash = key.rfind('/');
      if (slash == std::string::npos) {
        h5::write_dataset(group.id(), key, value);
      } else {  // a sub-object's state: "<sub>/vars/<name>" beside the layer's own "vars"
        h5::Handle sub = h5::make_group(root, l.path + "/" + key.substr(0, slash));
        h5::write_dataset(sub.id(), key.substr(slash + 1), value);
      }
    }
  }
  // Keras 3 names each layer's "vars" after the layer.
  h5::write_string_attr(h5::make_group(root, "vars").id(), "name", impl.name());
  for (const auto& [path, name] : impl.saved_layer_names()) {
    h5::write_string_attr(h5::make_group(root, path + "/vars").id(), "name", name);
  }
}

// Groups holding datasets under `prefix` (a group path ending in '/', or empty for the root),
// except the optimizer's (restored when the model is compiled, ignored otherwise, as in Keras),
// tf_keras's compiled metrics' states (reset when fit or evaluate starts) and random generators'
// states (keras.cpp draws from its own generators).
void weight_groups(const h5::Node& group,
                   const std::string& prefix,
                   int depth,
                   std::set<std::string>& out) {
  KERAS_CHECK(depth < 64, ValueError, "weights file: groups nested too deeply at '",
              prefix.substr(0, 200), "'");
  for (const std::string& name : h5::children(group)) {
    if ((depth == 0 && (name == "optimizer" || name == "metrics")) || name == "seed_generator") {
      continue;
    }
    if (std::optional<h5::Node> child = h5::open_group(group, name)) {
      weight_groups(*child, prefix + name + "/", depth + 1, out);
    } else {
      out.insert(prefix.empty() ? std::string("/") : prefix.substr(0, prefix.size() - 1));
    }
  }
}

// Every group of weights in the file must belong to a variable group of the model (with
// skip_mismatch, the others are left out with a warning, as Keras 3 ignores them).
void check_all_claimed(const h5::Node& root,
                       const std::set<std::string>& claimed,
                       const std::string& what,
                       bool skip_mismatch) {
  std::set<std::string> unclaimed;
  weight_groups(root, "", 0, unclaimed);
  for (const std::string& path : claimed) unclaimed.erase(path);
  if (unclaimed.empty()) return;
  std::string names;
  int shown = 0;
  for (const std::string& path : unclaimed) {
    if (shown++ == 5) {
      names += str(" and ", unclaimed.size() - 5, " more");
      break;
    }
    names += (shown > 1 ? ", '" : "'") + path.substr(0, 200) + "'";
  }
  const std::string message =
      str(what, ": the file has weights that no layer of the model claims: ", names);
  if (skip_mismatch) {
    std::cerr << "UserWarning: " << message << " (skipped: skip_mismatch=True)\n";
    return;
  }
  throw ValueError(str(message, " (a different model?)"));
}

// Keras 3 names each layer's group after the layer: a different name means the file's layers
// are in another order than the model's, and weights of the same shapes would be swapped.
void check_layer_names(const h5::Node& root,
                       const models::FunctionalImpl& impl,
                       const std::string& what) {
  for (const auto& [path, name] : impl.saved_layer_names()) {
    std::optional<h5::Node> vars = h5::open_group(root, path + "/vars");
    if (!vars) continue;
    const auto saved = h5::read_string_attr(*vars, "name");
    if (!saved || saved->size() != 1) continue;  // older writers leave it out
    KERAS_CHECK(saved->front() == name, ValueError, what, ": the weights at '", path,
                "' belong to layer '", saved->front().substr(0, 200),
                "', but the model has layer '", name, "' there");
  }
}

// "'dense/kernel', 'dense/bias'": the paths of a layer's variables, for messages.
std::string variable_list(const std::vector<Variable>& variables) {
  std::string out;
  for (const Variable& v : variables) out += (out.empty() ? "'" : ", '") + v.path() + "'";
  return out;
}

// What layers::OwnState layers keep in their "vars" groups, read from a file and handed to them
// (load_own_variables) once every variable has been read.
using OwnVariables = std::vector<std::pair<layers::OwnState*, std::map<std::string, Tensor>>>;

void load_own_variables(const OwnVariables& own) {
  for (const auto& [state, store] : own) state->load_own_variables(store);
}

// skip_mismatch (load_weights): a group whose variable count or shapes differ from the model's,
// or that the file lacks, is left out with a warning, as Keras 3 leaves out such a layer; so are
// the file's groups no layer claims.
std::vector<Assignment> read_groups(const h5::Node& root,
                                    const models::FunctionalImpl& impl,
                                    const std::string& what,
                                    bool skip_mismatch = false,
                                    OwnVariables* own = nullptr) {
  const std::vector<Layer::VariableGroup> groups = impl.saved_variables();
  std::vector<Assignment> out;
  std::set<std::string> claimed;
  for (const models::internal::OwnStateLayer& l : models::internal::own_state_layers(impl)) {
    const std::string path = l.path + "/vars";
    claimed.insert(path);
    // The states of its tracked sub-objects are its own too (Keras 3 also writes a
    // TextVectorization's weights under its "_lookup_layer/vars").
    if (std::optional<h5::Node> layer = h5::open_group(root, l.path)) {
      for (const std::string& child : h5::children(*layer)) {
        if (!child.starts_with("_")) continue;
        if (std::optional<h5::Node> sub = h5::open_group(*layer, child)) {
          weight_groups(*sub, l.path + "/" + child + "/", 1, claimed);
        }
      }
    }
    std::optional<h5::Node> group = h5::open_group(root, path);
    if (!group || own == nullptr) continue;
    std::map<std::string, Tensor> store;
    for (const std::string& key : h5::children(*group)) {
      store[key] = h5::read_dataset(*group, key, h5::dataset_shape(*group, key), float32,
                                    str(what, ": ", path, "/", key, " (layer '", l.name, "')"));
    }
    own->emplace_back(l.state, std::move(store));
  }
  for (const Layer::VariableGroup& g : groups) {
    if (g.variables.empty()) continue;
    std::string path = g.path;
    std::optional<h5::Node> group = h5::open_group(root, path);
    // tf_keras's .keras keeps a sublayer's attribute name as it is: ".../_query_dense/vars".
    if (!group && path.ends_with("/vars") && std::ranges::count(path, '/') >= 3) {
      const size_t slash = path.rfind('/', path.size() - std::string("/vars").size() - 1);
      const std::string underscored = path.substr(0, slash + 1) + "_" + path.substr(slash + 1);
      if ((group = h5::open_group(root, underscored))) path = underscored;
    }
    // The first difference between the file and the model, if any: an error, or with
    // skip_mismatch a layer left as it is (Keras 3), with a warning.
    const size_t found = group ? h5::children(*group).size() : 0;
    std::string mismatch;
    if (found != g.variables.size()) {
      mismatch =
          str("'", g.path, "' expected ", g.variables.size(), " variables, but received ", found,
              " variables during loading",
              group ? std::string(".")
                    : str(": the file has no weights at '", g.path, "' for the model's variables ",
                          variable_list(g.variables), " (a different model?)"));
    }
    for (size_t i = 0; i < g.variables.size() && mismatch.empty(); ++i) {
      const Variable& v = g.variables[i];
      const Shape saved = h5::dataset_shape(*group, std::to_string(i));
      if (saved != v.shape()) {
        mismatch = str(g.path, "/", i, " (", v.path(), "): expected shape ", shape_str(v.shape()),
                       ", found ", shape_str(saved),
                       " in the file; the shapes must match (load_weights with skip_mismatch "
                       "leaves such a layer as it is)");
      }
    }
    if (group) claimed.insert(path);
    if (!mismatch.empty()) {
      KERAS_CHECK(skip_mismatch, ValueError, what, ": ", mismatch);
      std::cerr << "UserWarning: " << what << ": skipping the weights at '" << g.path
                << "' (skip_mismatch=True): " << mismatch << "\n";
      continue;
    }
    for (size_t i = 0; i < g.variables.size(); ++i) {
      const Variable& v = g.variables[i];
      out.push_back({v, h5::read_dataset(*group, std::to_string(i), v.shape(), v.dtype(),
                                         str(what, ": ", g.path, "/", i, " (", v.path(), ")"))});
    }
  }
  check_all_claimed(root, claimed, what, skip_mismatch);
  return out;
}

Tensor scalar(double value, DType dtype) {
  return full({}, value, dtype);
}

void write_optimizer(hid_t root, const optimizers::Optimizer& opt) {
  h5::Handle group = h5::make_group(root, "optimizer/vars");
  std::vector<std::string> names;
  for (size_t i = 0; i < opt.variables().size() + optimizer_fixed_count(opt); ++i)
    names.push_back(std::to_string(i));
  write_optimizer_variables(group.id(), opt, names);
}

void read_optimizer(const h5::Node& root,
                    optimizers::Optimizer& opt,
                    const std::vector<Variable>& trainable,
                    const std::string& what) {
  std::optional<h5::Node> group = h5::open_group(root, "optimizer/vars");
  if (!group) return;
  std::vector<std::string> names;
  for (size_t i = 0, n = h5::children(*group).size(); i < n; ++i) {
    names.push_back(std::to_string(i));
  }
  read_optimizer_variables(*group, names, opt, trainable, what);
}

// load_weights: the optimizer's variables of a compiled model, as Keras 3's load_weights (the
// slots only into an optimizer already built, else a warning).
void read_optimizer_for_load_weights(const h5::Node& root,
                                     models::FunctionalImpl& impl,
                                     const std::string& path) {
  optimizers::Optimizer* opt = compiled_optimizer(impl);
  std::optional<h5::Node> group = h5::open_group(root, "optimizer/vars");
  if (opt == nullptr || !group) return;
  const size_t found = h5::children(*group).size();
  if (!opt->built() && found != optimizer_fixed_count(*opt)) {
    std::string name = opt->name();
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::cerr << "UserWarning: Skipping variable loading for optimizer '" << name
              << "', because it has " << optimizer_fixed_count(*opt)
              << " variables whereas the saved optimizer has " << found
              << " variables. This is likely because the optimizer has not been called/built "
                 "yet.\n";
    return;
  }
  read_optimizer(root, *opt, impl.trainable_weights(), path);
}

std::string date_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d@%H:%M:%S", std::gmtime(&t));
  return buf;
}

// ---- entry points ----

// Keras 3's load_assets: each layers::OwnState layer gets the archive's files under
// assets/<its path>/ (directly there; at most kMaxAsset bytes each).
constexpr size_t kMaxAsset = size_t{64} << 20;

void load_assets(io::zip::Reader& reader,
                 const std::map<std::string, const io::zip::Entry*>& entries,
                 models::FunctionalImpl& impl) {
  for (const models::internal::OwnStateLayer& l : models::internal::own_state_layers(impl)) {
    const std::string prefix = str("assets/", l.path, "/");
    std::map<std::string, std::string> files;
    for (auto it = entries.lower_bound(prefix);
         it != entries.end() && it->first.starts_with(prefix); ++it) {
      const std::string file = it->first.substr(prefix.size());
      if (file.empty() || file.find('/') != std::string::npos) continue;
      files[file] = reader.read_all(*it->second, kMaxAsset);
    }
    l.state->load_assets(files);
  }
}

// The .keras archive at `path`, read in place: only the members loading needs are inflated, the
// JSON ones no larger than the JSON reader takes (an unused or oversized member costs nothing).
Model load_keras_archive(const std::string& path, const LoadModelOptions& options) {
  io::FileBytes file(path);
  io::zip::Reader reader(file, ".keras (zip) file");
  const auto entries = io::zip::members(reader, path);
  auto entry = [&](const char* name) -> const io::zip::Entry& {
    auto it = entries.find(name);
    KERAS_CHECK(it != entries.end(), IOError, path, ": the archive has no ", name);
    return *it->second;
  };
  auto json = [&](const char* name) {
    return config::parse_json(reader.read_all(entry(name), config::kMaxJsonBytes),
                              (path + ": " + name).c_str());
  };
  std::string version;
  if (entries.contains("metadata.json")) {
    version = config::get<std::string>(json("metadata.json"), "keras_version", "", "metadata.json");
  }
  const Json config = keras2_config(json("config.json"), version);
  const io::zip::Entry& weights_entry = entry("model.weights.h5");
  Model model = build_model(config, static_cast<size_t>(weights_entry.uncompressed), path);
  const h5::Node weights =
      h5::read_untrusted(reader.read_all(weights_entry, kMaxEntry), path + ": model.weights.h5");
  OwnVariables own;
  std::vector<Assignment> values = guarded(path, [&] {
    check_layer_names(weights, model.impl(), path);
    return read_groups(weights, model.impl(), path, false, &own);
  });
  assign_all(values);
  guarded(path, [&] {
    load_own_variables(own);
    load_assets(reader, entries, model.impl());
    return 0;
  });
  const Json* compile = config::find(config, "compile_config");
  if (options.compile && compile != nullptr && compile->is_object() && !compile->empty() &&
      restore_compile(model, *compile, path)) {
    read_optimizer(weights, model.optimizer(), model.impl().trainable_weights(), path);
  }
  return model;
}

}  // namespace

namespace internal {

std::string keras3_weights_image(const models::FunctionalImpl& impl,
                                 const optimizers::Optimizer* opt,
                                 const std::string& training_metadata) {
  h5::File f = h5::File::create();
  write_groups(f.id(), impl);
  if (opt != nullptr) write_optimizer(f.id(), *opt);
  if (!training_metadata.empty())
    h5::write_string_attr(f.id(), "training_metadata", training_metadata);
  return f.image();
}

std::vector<Assignment> read_keras3_weights(const h5::Node& root,
                                            const models::FunctionalImpl& impl,
                                            const std::string& what) {
  return read_groups(root, impl, what);
}

optimizers::Optimizer* compiled_optimizer(models::FunctionalImpl& impl) {
  trainers::Trainer& t = impl.trainer();
  return t.compiled() ? &t.optimizer() : nullptr;
}

std::vector<std::string> optimizer_variable_paths(const optimizers::Optimizer& opt) {
  std::string prefix = opt.name();
  for (char& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<std::string> names{prefix + "/iteration"};
  if (opt.has_learning_rate_variable()) names.push_back(prefix + "/learning_rate");
  std::set<std::string> seen(names.begin(), names.end());
  for (const Variable& slot : opt.variables()) {
    std::string n = prefix + "/" + slot.name();
    for (int i = 1; seen.contains(n); ++i) n = str(prefix, "/", slot.name(), "_", i);
    seen.insert(n);
    names.push_back(n);
  }
  return names;
}

void write_optimizer_variables(hid_t group,
                               const optimizers::Optimizer& opt,
                               const std::vector<std::string>& names) {
  const std::vector<Variable>& slots = opt.variables();
  const size_t fixed = optimizer_fixed_count(opt);
  KERAS_CHECK(names.size() == slots.size() + fixed, ValueError, "optimizer: ", names.size(),
              " names for ", slots.size() + fixed, " variables");
  auto write = [&](const std::string& name, const Tensor& value) {
    const size_t slash = name.rfind('/');
    if (slash == std::string::npos) return h5::write_dataset(group, name, value);
    h5::Handle parent = h5::make_group(group, name.substr(0, slash));
    h5::write_dataset(parent.id(), name.substr(slash + 1), value);
  };
  write(names[0], scalar(static_cast<double>(opt.iterations()), int64));
  if (fixed == 2) write(names[1], scalar(opt.learning_rate(), float32));
  for (size_t i = 0; i < slots.size(); ++i) write(names[i + fixed], slots[i].value());
}

void read_optimizer_variables(const h5::Node& group,
                              const std::vector<std::string>& names,
                              optimizers::Optimizer& opt,
                              const std::vector<Variable>& trainable,
                              const std::string& what) {
  const size_t found = names.size();
  const size_t fixed = optimizer_fixed_count(opt);
  if (found != fixed) opt.build(trainable);  // saved before the first step: no slots yet
  const std::vector<Variable>& slots = opt.variables();
  // tf_keras's optimizers (2.11 on) keep no learning_rate variable: the iteration count, then
  // the same slots in the same order, named "<Optimizer>/<slot>/<variable path>:0" in a legacy
  // .h5 (older tf.keras files order their slots otherwise and name them ".../<path>/<slot>:0";
  // tf_keras's .keras, 2.13 on, numbers them). The names, where there are any, and the shapes
  // must agree.
  size_t in_file = found == slots.size() + fixed ? fixed : 0;
  if (in_file == 0 && fixed == 2 && found == slots.size() + 1 && !trainable.empty() &&
      slots.size() % trainable.size() == 0) {
    in_file = 1;
    const size_t per_variable = slots.size() / trainable.size();
    for (size_t i = 0; i < slots.size() && in_file == 1; ++i) {
      const std::string want = "/" + trainable[i / per_variable].path() + ":0";
      const bool numbered =
          std::ranges::all_of(names[i + 1], [](char c) { return c >= '0' && c <= '9'; });
      if ((!numbered && !names[i + 1].ends_with(want)) ||
          h5::dataset_shape(group, names[i + 1]) != slots[i].shape()) {
        in_file = 0;
      }
    }
  }
  if (in_file == 0) {
    std::cerr << "WARNING: " << what << ": skipping the optimizer state: the file has " << found
              << " variables, the optimizer " << slots.size() + fixed << "\n";
    return;
  }
  const Tensor iterations =
      h5::read_dataset(group, names[0], {}, int64, what + ": optimizer iterations");
  const Tensor lr = in_file == 2
                        ? h5::read_dataset(group, names[1], {}, float64, what + ": learning_rate")
                        : Tensor();
  std::vector<Assignment> values;
  for (size_t i = 0; i < slots.size(); ++i) {
    values.push_back(
        {slots[i], h5::read_dataset(group, names[i + in_file], slots[i].shape(), slots[i].dtype(),
                                    str(what, ": ", names[i + in_file]))});
  }
  opt.set_iterations(iterations.item<int64_t>());
  // The file holds a float32 copy; keep the config's exact value unless a callback changed it.
  if (lr.defined() &&
      static_cast<float>(opt.learning_rate()) != static_cast<float>(lr.item<double>())) {
    opt.set_learning_rate(lr.item<double>());
  }
  assign_all(values);
}

Json keras2_config(Json config, const std::string& keras_version) {
  return models::internal::keras2_config(std::move(config), keras_version);
}

// The model of a file's config; its layers may create at most ~16x the weights file's bytes of
// weights, so a hostile config fails before allocating.
Model build_model(const Json& config, size_t weights_file_bytes, const std::string& path) {
  layers::internal::WeightBudget budget(static_cast<int64_t>(weights_file_bytes) * 16 + (1 << 20));
  return guarded(path, [&] { return models::model_from_config(config); });
}

}  // namespace internal
}  // namespace saving

void Model::save(const std::string& path, const SaveOptions& options) const {
  using namespace saving;            // NOLINT
  using namespace saving::internal;  // NOLINT
  models::FunctionalImpl& impl = this->impl();
  if (!distribution::is_chief()) return;  // only process 0 writes files
  if (ends_with(path, ".keras")) {
    KERAS_CHECK(options.h5_format == "keras3", ValueError,
                "SaveOptions h5_format applies to legacy .h5 files only; a .keras file is Keras "
                "3's format. Received: h5_format=",
                options.h5_format, " for filepath=", path);
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
    std::vector<io::zip::Member> members{{"metadata.json", metadata.dump()},
                                         {"config.json", config::dump_json(config)},
                                         {"model.weights.h5", weights}};
    for (const models::internal::OwnStateLayer& l : models::internal::own_state_layers(impl)) {
      for (auto& [file, contents] : l.state->save_assets()) {
        members.emplace_back(str("assets/", l.path, "/", file), std::move(contents));
      }
    }
    write_file_atomic(path, io::zip::write(members), options.overwrite);
    return;
  }
  save_legacy_h5(impl, path, options);
}

void Model::save_weights(const std::string& path, const SaveOptions& options) const {
  using namespace saving;            // NOLINT
  using namespace saving::internal;  // NOLINT
  KERAS_CHECK(impl().built(), ValueError,
              "You are saving a model that has not yet been built. Try building the model first "
              "by calling it on some data or by using `build()`.");
  if (!distribution::is_chief()) return;
  if (ends_with(path, ".weights.h5")) {
    // A compiled model's optimizer too, as Keras 3 writes it.
    write_file_atomic(path, keras3_weights_image(impl(), compiled_optimizer(impl())),
                      options.overwrite);
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
  using namespace saving;            // NOLINT
  using namespace saving::internal;  // NOLINT
  auto* seq = dynamic_cast<models::SequentialImpl*>(layer_.get());
  KERAS_CHECK(seq == nullptr || seq->graph_built(), ValueError,
              "You are loading weights into a model that has not yet been built. Try building "
              "the model first by calling it on some data or by using `build()`.");
  std::vector<Assignment> values;
  OwnVariables own;
  // Keras 3 layouts match weights by object path, never by name: refuse rather than ignore it.
  const auto refuse_by_name = [&] {
    KERAS_CHECK(!options.by_name, ValueError,
                "`by_name` only supports loading legacy '.h5' or '.hdf5' files. Received: ", path);
  };
  const std::string head = read_file(path, 8);
  if (is_zip(head)) {
    refuse_by_name();
    io::FileBytes file(path);
    io::zip::Reader reader(file, ".keras (zip) file");
    const auto entries = io::zip::members(reader, path);
    auto it = entries.find("model.weights.h5");
    KERAS_CHECK(it != entries.end(), IOError, path, ": the archive has no model.weights.h5");
    const h5::Node f = h5::read_untrusted(reader.read_all(*it->second, kMaxEntry), path);
    values = read_groups(f, impl(), path, options.skip_mismatch, &own);
    read_optimizer_for_load_weights(f, impl(), path);
  } else {
    KERAS_CHECK(is_hdf5(head), IOError, path, ": not a .keras archive or an HDF5 file");
    const h5::Node f = h5::read_untrusted(read_file(path), path);
    if (std::optional<h5::Node> g = h5::open_group(f, "model_weights")) {
      values = read_legacy_weights(*g, impl(), options.by_name, options.skip_mismatch, path);
    } else if (h5::read_string_attr(f, "layer_names")) {
      values = read_legacy_weights(f, impl(), options.by_name, options.skip_mismatch, path);
    } else {
      refuse_by_name();
      values = read_groups(f, impl(), path, options.skip_mismatch, &own);
      read_optimizer_for_load_weights(f, impl(), path);
    }
  }
  assign_all(values);
  load_own_variables(own);
}

namespace models {

Model load_model(const std::string& path, const LoadModelOptions& options) {
  using namespace saving;            // NOLINT
  using namespace saving::internal;  // NOLINT
  // The format from the first bytes, before anything large is read (a device never ends).
  const std::string head = read_file(path, 8);
  if (is_zip(head)) return load_keras_archive(path, options);
  KERAS_CHECK(is_hdf5(head), IOError, path, ": not a .keras archive or an HDF5 file");
  return load_legacy_h5(read_file(path), path, options);
}

}  // namespace models
}  // namespace keras
