// The saver a model gives its trainer (models/model_saver.h), defined here with the rest of the
// Model methods that read and write files.
#include "models/model_saver.h"

#include "keras/models/model.h"
#include "saving/backup.h"

namespace keras {

namespace {

// How ModelCheckpoint and BackupAndRestore save a model: through Model's own methods.
Model as_model(layers::Layer& layer) {
  auto impl = std::dynamic_pointer_cast<models::FunctionalImpl>(layer.shared_from_this());
  KERAS_CHECK(impl != nullptr, TypeError, "saving: ", layer.name(), " is not a model");
  return Model(impl);
}

}  // namespace

callbacks::ModelSaver models::internal::model_saver() {
  return {
      .save_model = [](layers::Layer& m, const std::string& path) { as_model(m).save(path); },
      .save_weights = [](layers::Layer& m,
                         const std::string& path) { as_model(m).save_weights(path); },
      .load_weights = [](layers::Layer& m,
                         const std::string& path) { as_model(m).load_weights(path); },
      .save_backup =
          [](layers::Layer& m, const std::string& path, const std::string& state) {
            saving::internal::save_backup(as_model(m).impl(), path, state);
          },
      .load_backup =
          [](layers::Layer& m, const std::string& path) {
            return saving::internal::load_backup(as_model(m).impl(), path);
          },
  };
}

}  // namespace keras
