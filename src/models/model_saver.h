// The saver a model gives its trainer (not installed): ModelCheckpoint and BackupAndRestore save
// and restore through keras::Model's own save / save_weights / load_weights and the backup file.
// Declared by the models module, defined by the saving module (src/saving/model_saver.cpp) with
// the Model methods that read and write files: models never includes saving.
#pragma once

#include "keras/callbacks/saver.h"

namespace keras::models::internal {

callbacks::ModelSaver model_saver();

}  // namespace keras::models::internal
