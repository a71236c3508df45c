// Builders of keras.ops nodes on KerasTensors (internal to src/layers/op_layer*.cpp): a node of
// Keras 3's class `cls` with its config and call arguments, as Keras saves them.
#pragma once

#include <memory>

#include "keras/config/json.h"
#include "keras/layers/op_layer.h"

namespace keras::ops::internal {

// A positional or keyword argument that is one of the node's input tensors.
inline Json tensor_arg() {
  return Json{{"class_name", "__keras_tensor__"}};
}

// The outputs of a new node of class `cls` called on `inputs` (the tensors of `args` and
// `kwargs`, in order).
inline KerasTensors node(const char* cls,
                         const Json& config,
                         const Json& args,
                         const KerasTensors& inputs,
                         const Json& kwargs = Json::object()) {
  return std::make_shared<layers::OpLayerImpl>(cls, config, args, kwargs)->apply(inputs);
}

}  // namespace keras::ops::internal
