// BackupAndRestore's backup file (the saving side of callbacks::ModelSaver::save_backup and
// load_backup; not installed). One Keras 3 `.weights.h5` file: the model's weights
// (layers/<layer>/vars/...), the optimizer's variables (optimizer/vars/0..: iterations, learning
// rate, slots; always built, so every slot is there) and the callback's state as the root
// string attribute "training_metadata". Keras's load_weights reads it as a weights file.
#pragma once

#include <string>

namespace keras::models {
class FunctionalImpl;
}

namespace keras::saving::internal {

// Writes the backup in one atomic rename (a kill leaves the previous file or this one).
void save_backup(models::FunctionalImpl& model, const std::string& path, const std::string& state);
// Checks the whole file, then restores the weights and the optimizer (nothing is assigned when
// a check fails) and returns the state. IOError for an unreadable file or one without
// "training_metadata" or without the optimizer's variables; ValueError when the weights or the
// number of optimizer variables do not fit the model.
std::string load_backup(models::FunctionalImpl& model, const std::string& path);

}  // namespace keras::saving::internal
