// ModelSaver: how ModelCheckpoint and BackupAndRestore write and read a model. The callbacks sit
// below the models module, so they cannot call model.save() themselves: they use the functions
// of their options' `saver`, else those of the trainer they run under (Trainer::saver()), which
// its model gave it: a keras::Model's trainer saves with Model::save / save_weights /
// load_weights and the backup functions of src/saving/backup.h, so ModelCheckpoint and
// BackupAndRestore save real files with no set-up.
// `model` is trainer().model(): the models::FunctionalImpl being trained. Each function must
// write atomically (the callbacks overwrite files in place) and throw keras::IOError naming the
// file and the reason on failure.
#pragma once

#include <functional>
#include <string>
#include <variant>

namespace keras::layers {
class Layer;
}

namespace keras::callbacks {

// "epoch", or a number of batches (Keras's save_freq / update_freq).
using Frequency = std::variant<std::string, int>;

using SaveFunction = std::function<void(layers::Layer& model, const std::string& filepath)>;
// BackupAndRestore's backup, one file: the model's weights, its optimizer's variables (slots,
// iterations, learning rate) and `state` (JSON text the callback gives and gets back: epoch,
// batch, random state), written in one atomic rename.
using SaveBackupFunction = std::function<void(
    layers::Layer& model, const std::string& filepath, const std::string& state)>;
// Restores such a file into the model and its optimizer, all or nothing, and returns `state`.
// IOError when the file cannot be read or is not such a backup; ValueError when its weights or
// optimizer do not fit the model.
using LoadBackupFunction =
    std::function<std::string(layers::Layer& model, const std::string& filepath)>;

struct ModelSaver {
  SaveFunction save_model = nullptr;    // model.save(filepath): the whole model, .keras
  SaveFunction save_weights = nullptr;  // model.save_weights(filepath): .weights.h5
  SaveFunction load_weights = nullptr;  // model.load_weights(filepath)
  SaveBackupFunction save_backup = nullptr;
  LoadBackupFunction load_backup = nullptr;
};

}  // namespace keras::callbacks
