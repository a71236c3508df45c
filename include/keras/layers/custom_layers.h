// The user's entries of the layer registry (keras/layers/registry.h): what register_layer added,
// without keras.cpp's own classes. keras::saving::get_custom_objects reads them.
#pragma once

#include <map>
#include <string>

#include "keras/layers/registry.h"

namespace keras::layers {

// The factories registered with register_layer, by the name given there.
std::map<std::string, LayerFactory> custom_layers();

}  // namespace keras::layers
