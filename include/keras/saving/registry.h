// keras::saving::register_layer: Keras's spelling (keras.saving.register_keras_serializable) of
// the layer registry, which lives in keras/layers/registry.h.
#pragma once

#include "keras/layers/registry.h"

namespace keras::saving {

using layers::is_registered;
using layers::LayerFactory;
using layers::register_layer;
using layers::registered_layers;

}  // namespace keras::saving
