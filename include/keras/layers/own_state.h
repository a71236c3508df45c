// OwnState: what a layer keeps beside its variables, saved as Keras 3 saves it. Keras 3 calls a
// layer's save_own_variables(store) and save_assets(dir) when it writes a model: tensors under
// names of the layer's choosing in its "vars" group of model.weights.h5, and files under
// assets/<layer path>/ in the .keras archive. A layer with such state (IntegerLookup: its
// vocabulary as assets/.../vocabulary.txt, its tf_idf weights as vars/idf_weights) implements
// this interface beside Layer; saving finds it there (Model::save, load_model, save_weights and
// load_weights of .weights.h5 files, which hold the variables but no assets).
#pragma once

#include <map>
#include <string>

#include "keras/core/tensor.h"

namespace keras::layers {

class OwnState {
 public:
  virtual ~OwnState() = default;
  // Named tensors for the layer's "vars" group (none: an empty map); a name with slashes,
  // "<sub>/vars/<name>", goes to a tracked sub-object's group beside it, as Keras 3 writes them
  // (and is not read back: load_own_variables gets the layer's own "vars").
  virtual std::map<std::string, Tensor> save_own_variables() const = 0;
  // The tensors a file holds in the layer's "vars" group, under their names, read as float32;
  // the layer checks what it needs and throws ValueError for what is wrong. Called once every
  // variable of the file has been read (from a Keras 2 .h5 file: when its layer is reached).
  virtual void load_own_variables(const std::map<std::string, Tensor>& store) = 0;
  // Files for the archive's assets/<layer path>/, name -> contents.
  virtual std::map<std::string, std::string> save_assets() const = 0;
  // The files the archive holds under assets/<layer path>/ (none: an empty map).
  virtual void load_assets(const std::map<std::string, std::string>& files) = 0;
};

// While one exists on this thread, get_config() of an OwnState layer also writes what it would
// save as assets, for a format without assets: Keras 2's .h5 (IntegerLookup's adapted
// vocabulary as its config's "vocabulary", which Keras reads as a given vocabulary).
class AssetsInConfig {
 public:
  AssetsInConfig();
  ~AssetsInConfig();
  AssetsInConfig(const AssetsInConfig&) = delete;
  AssetsInConfig& operator=(const AssetsInConfig&) = delete;
  static bool active();
};

}  // namespace keras::layers
