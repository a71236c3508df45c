#include "saving/backup.h"

#include "saving/h5_snapshot.h"
#include "saving/saving_internal.h"

namespace keras::saving::internal {

void save_backup(models::FunctionalImpl& model, const std::string& path, const std::string& state) {
  optimizers::Optimizer* opt = compiled_optimizer(model);
  KERAS_CHECK(opt != nullptr, RuntimeError, "BackupAndRestore: the model is not compiled");
  opt->build(model.trainable_weights());
  write_file_atomic(path, keras3_weights_image(model, opt, state), true);
}

std::string load_backup(models::FunctionalImpl& model, const std::string& path) {
  optimizers::Optimizer* opt = compiled_optimizer(model);
  KERAS_CHECK(opt != nullptr, RuntimeError, "BackupAndRestore: the model is not compiled");
  const std::string bytes = ::keras::internal::read_file(path);
  const h5::Node f = h5::read_untrusted(bytes, path);
  const std::optional<std::vector<std::string>> state =
      h5::read_string_attr(f, "training_metadata");
  KERAS_CHECK(state && state->size() == 1, IOError, path,
              " is not a complete BackupAndRestore backup: it has no training metadata");
  std::vector<Assignment> values =
      guarded(path, [&] { return read_keras3_weights(f, model, path); });
  const std::optional<h5::Node> group = h5::open_group(f, "optimizer/vars");
  KERAS_CHECK(group.has_value(), IOError, path,
              " is not a complete BackupAndRestore backup: it has no optimizer variables");
  const std::vector<Variable> trainable = model.trainable_weights();
  opt->build(trainable);
  const size_t found = h5::children(*group).size();
  KERAS_CHECK(found == opt->variables().size() + optimizer_fixed_count(*opt), ValueError, path,
              ": the backup holds ", found, " optimizer variables, the model's ", opt->name(),
              " optimizer has ", opt->variables().size() + optimizer_fixed_count(*opt),
              " (a different model or optimizer?)");
  std::vector<std::string> names;
  for (size_t i = 0; i < found; ++i) names.push_back(std::to_string(i));
  read_optimizer_variables(*group, names, *opt, trainable, path);  // checks, then assigns
  assign_all(values);
  return state->front();
}

}  // namespace keras::saving::internal
