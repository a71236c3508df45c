// What a Keras 2 (tf_keras) model config means in keras.cpp's terms, applied where such a config
// is read (legacy .h5 and .keras files whose keras_version is 2.x, and model_from_json of
// tf_keras's to_json): its "hard_sigmoid" activations are Keras 2's (keras2_hard_sigmoid), and
// its merge layers combine masks as Keras 2's do (MergeImpl::set_keras2_masks). Internal.
#pragma once

#include <string>

#include "keras/config/json.h"

namespace keras::models::internal {

// `config` as above when keras_version starts with "2.", else unchanged.
Json keras2_config(Json config, const std::string& keras_version);
// A Keras 2 argument with its tensors ([name, node_index, tensor_index], in lists and dicts) as
// Keras 3's {"class_name": "__keras_tensor__", "config": {"keras_history": [...]}}; other values
// as they are. ValueError past 8 levels of nesting.
Json keras3_tensor_refs(const Json& j);
// The merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate), whose mask
// merging differs between Keras 2 (logical and) and Keras 3 (logical or).
bool is_merge_class(const std::string& class_name);

}  // namespace keras::models::internal
