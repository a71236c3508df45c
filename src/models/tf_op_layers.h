// tf_keras's TFOpLambda and SlicingOpLambda layers (TensorFlow functions called on Keras tensors
// in a Keras 2 functional model: `x * 2`, `tf.concat([a, b], 1)`, `tf.reduce_mean(x, axis=1)`,
// `x[:, 1:]`) as the keras.ops operations that compute the same, both ways. Internal.
//
// A tf_keras file saves such a layer as {"class_name": "TFOpLambda", "config": {"name":
// "tf.math.multiply", "function": "math.multiply", ...}, "inbound_nodes": [node, ...]}, each node
// the call's first argument with its tensors as [layer, node, tensor, kwargs] (a constant first
// argument as ["_CONSTANT_VALUE", -1, value, kwargs]) and every other argument among the kwargs
// by the TensorFlow function's parameter names ({"y": ["dense", 0, 0], "name": null}).
// tf_op_layer_as_keras3 turns such an entry into Keras 3's entry of the matching keras.ops class
// (tf.math.multiply: Multiply, tf.math.reduce_mean: Mean, tf.__operators__.getitem: GetItem,
// ...; the list: tf_op_functions()), keeping the layer's name; keras3_op_as_tf_op_layer writes a
// keras.ops operation of those classes back as tf_keras's layer. Where TensorFlow and keras.ops
// differ (an argument keras.ops has no form for: tf.one_hot's on_value, tf.silu's beta), the
// translation refuses rather than computing something else.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "keras/config/json.h"

namespace keras::models::internal {

// Whether the layer entry is tf_keras's TFOpLambda or SlicingOpLambda.
bool is_tf_op_layer(const Json& entry);

// The entry as Keras 3's keras.ops entry ({"module", "class_name", "config", "name",
// "inbound_nodes": [{"args", "kwargs"}, ...]}, tensors as __keras_tensor__ objects whose
// keras_history is the Keras 2 reference as written). NotImplementedError naming the layer and the
// TensorFlow function for a function or an argument keras.cpp does not translate; ValueError for
// a malformed node.
Json tf_op_layer_as_keras3(const Json& entry);

// A Keras 3 keras.ops entry (as keras.cpp writes it) as tf_keras's TFOpLambda / SlicingOpLambda
// entry; `refs` turns a Keras 3 argument (a __keras_tensor__ object, or a structure holding some)
// into Keras 2's [layer, node, tensor] form. NotImplementedError naming the operation when its
// class or one of its arguments has no TensorFlow function here.
Json keras3_op_as_tf_op_layer(const Json& entry, const std::function<Json(const Json&)>& refs);

// The TensorFlow functions (as tf_keras names them: "math.reduce_mean") that load.
std::vector<std::string> tf_op_functions();

}  // namespace keras::models::internal
