// Pieces shared by the files of src/saving (not installed).
#pragma once

#include <hdf5.h>

#include <string>
#include <vector>

#include "core/file_util.h"
#include "keras/config/json.h"
#include "keras/models/model.h"
#include "saving/h5_snapshot.h"

namespace keras::saving::internal {

// What we tell Keras wrote the file: the Keras 3 version whose format this code was checked
// against (tools/fixtures/make_saving_fixtures.py).
inline constexpr const char* kKerasVersion = "3.15.1";
// The tf_keras version whose loader keras.cpp's Keras 2 layout (SaveOptions::h5_format) was
// checked against.
inline constexpr const char* kTfKerasVersion = "2.21.0";

inline bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Runs `f`, turning nlohmann's exceptions (wrong JSON types deep in a config) into ValueError.
template <class F>
auto guarded(const std::string& what, F&& f) {
  try {
    return f();
  } catch (const Json::exception& e) {
    throw ValueError(str(what, ": invalid config: ", excerpt(e.what(), 300)));
  }
}

// A value read from a file, assigned only once everything has been read and checked.
struct Assignment {
  Variable variable;
  Tensor value;
};
inline void assign_all(std::vector<Assignment>& values) {
  for (Assignment& a : values) a.variable.assign(a.value);
}

// Writes through a temporary renamed over `path` (core/file_util.h).
using ::keras::internal::write_file_atomic;
// The model of a file's config, its weights capped by the size of the file's weights.
Model build_model(const Json& config, size_t weights_file_bytes, const std::string& path);
// A config written by Keras 2 (keras_version "2.x": tf_keras's .h5 and .keras) as keras.cpp reads
// it (models/keras2_config.h: Keras 2's hard_sigmoid and mask merging). Other versions' configs
// are returned unchanged.
Json keras2_config(Json config, const std::string& keras_version);

// compile_config.cpp: Keras 3's compile_config of a compiled model (null otherwise), and
// compiling a loaded model from one (false, with a warning, when it cannot be honoured).
Json compile_config(models::FunctionalImpl& model);
bool restore_compile(Model& model, const Json& config, const std::string& what);

// saving_lib.cpp: Keras 3's .weights.h5 image of the model's weights and, with `opt`, of the
// optimizer's variables; a non-empty `training_metadata` becomes the root attribute
// "training_metadata" (BackupAndRestore's backups, saving/backup.h).
std::string keras3_weights_image(const models::FunctionalImpl& impl,
                                 const optimizers::Optimizer* opt,
                                 const std::string& training_metadata = "");
// The values of the model's weights in such a file (checked, not yet assigned).
std::vector<Assignment> read_keras3_weights(const h5::Node& root,
                                            const models::FunctionalImpl& impl,
                                            const std::string& what);

// saving_lib.cpp: the optimizer's state as Keras 3 lists it (optimizer.variables): iterations,
// learning rate (none with a schedule), then the slots in Keras 3's order. The optimizer of a
// compiled model, or null.
optimizers::Optimizer* compiled_optimizer(models::FunctionalImpl& impl);
// How many of those precede the slots: 2, or 1 when the learning rate is a schedule.
inline size_t optimizer_fixed_count(const optimizers::Optimizer& opt) {
  return opt.has_learning_rate_variable() ? 2 : 1;
}
// Keras 3's names for them ("adam/iteration", "adam/learning_rate", "adam/dense_kernel_momentum").
std::vector<std::string> optimizer_variable_paths(const optimizers::Optimizer& opt);
// Writes them as datasets `names` (paths under `group`; one per variable).
void write_optimizer_variables(hid_t group,
                               const optimizers::Optimizer& opt,
                               const std::vector<std::string>& names);
// Restores them from datasets `names` under `group` (building the optimizer's slots for
// `trainable` first); warns and leaves the optimizer fresh when their number does not fit, as
// Keras does. Throws (changing nothing) on a missing or mis-shaped dataset.
void read_optimizer_variables(const h5::Node& group,
                              const std::vector<std::string>& names,
                              optimizers::Optimizer& opt,
                              const std::vector<Variable>& trainable,
                              const std::string& what);

// legacy_h5.cpp: Keras 2's layout. `keras_version` and `backend` are the attributes written;
// own_state_as_weights lists a layer's own state (layers::OwnState) after its weights, as
// tf_keras does.
void write_legacy_weights(hid_t group,
                          const models::FunctionalImpl& impl,
                          const char* keras_version = kKerasVersion,
                          const char* backend = "keras.cpp",
                          bool own_state_as_weights = false);
// by_name matches saved layers to the model's by name (others are skipped, unless require_all:
// then every saved layer with weights and every layer of the model with weights must match);
// otherwise by position among the layers with weights.
std::vector<Assignment> read_legacy_weights(const h5::Node& group,
                                            const models::FunctionalImpl& impl,
                                            bool by_name,
                                            bool skip_mismatch,
                                            const std::string& what,
                                            bool require_all = false);
// tf_keras_config.cpp: a model's config (serialize_layer's) as tf_keras writes it.
Json tf_keras_model_config(const Json& model);
// A legacy training_config (optimizer_config, loss, metrics, ...) as tf_keras reads it.
Json tf_keras_training_config(Json training);
void save_legacy_h5(models::FunctionalImpl& impl,
                    const std::string& path,
                    const SaveOptions& options);
Model load_legacy_h5(const std::string& bytes,
                     const std::string& path,
                     const LoadModelOptions& options);

}  // namespace keras::saving::internal
