// The layers of a model that keep state beside their variables (layers::OwnState), with the path
// Keras 3 gives each: "layers/<name>" as its variables' group (layers/container_variables.h),
// nested models' layers under their model's path.
#pragma once

#include <string>
#include <vector>

#include "keras/layers/own_state.h"

namespace keras::models {
class FunctionalImpl;
}

namespace keras::models::internal {

struct OwnStateLayer {
  std::string path;  // "layers/integer_lookup", "layers/functional/layers/integer_lookup", ...
  std::string name;  // the layer's name, for messages
  layers::OwnState* state;
};

std::vector<OwnStateLayer> own_state_layers(const FunctionalImpl& model);

}  // namespace keras::models::internal
