// Where Keras 3 stores the variables of a list of layers (a model's, a Pipeline's): under
// "layers/<snake_case class name>/", deduplicated in order ("dense", "dense_1", ...), not under
// the layers' own names (Keras's saving_lib: names are often generated and not reproducible).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

// One name per layer; empty for an op (not among Keras 3's layers, no variables).
std::vector<std::string> container_names(const std::vector<std::shared_ptr<Layer>>& layers);
// {"vars": none} then each layer's saved_variables() under "layers/<its container name>/".
std::vector<Layer::VariableGroup> container_variables(
    const std::vector<std::shared_ptr<Layer>>& layers);

}  // namespace keras::layers
