// The keras.ops classes that save and load in functional graphs (internal to OpLayerImpl): one
// row per Keras 3 class, with its module, the config keys it reads and the function that checks
// a saved call and returns its computation.
#pragma once

#include <string>
#include <vector>

#include "keras/layers/op_layer.h"

namespace keras::layers::op_table {

// One saved call of an op, as Keras 3 writes it: the op's config ({"name": ..., "axis": -1}),
// the call's positional arguments (each tensor an object {"class_name": "__keras_tensor__"},
// numbered in depth-first order as the node's inputs; other values constants) and its keyword
// arguments (an object, maybe empty).
struct Call {
  const Json& config;
  const Json& args;
  const Json& kwargs;
  const std::string& what;  // "Op 'add_1' (Add)", for messages
  const char* cls;          // "Add"
};

struct Spec {
  const char* class_name;           // "Add"
  const char* module;               // "keras.src.ops.numpy"
  std::vector<std::string> keys;    // config keys besides "name"
  std::vector<std::string> kwargs;  // keyword arguments of its call that keras.cpp reads
  // Checks the call (ValueError naming the op and the argument) and returns the computation.
  OpLayerImpl::Fn (*build)(const Call&);
};

// Whether `j` is an object {"class_name": cls, ...}; a Keras tensor's is "__keras_tensor__".
bool has_class(const Json& j, const char* cls);
bool is_tensor(const Json& j);

// The rows of op_table_core.cpp (keras.ops' core functions: Scatter, ScatterUpdate,
// SliceUpdate, Rearrange, CTCLoss, CTCDecode), appended to the table's.
std::vector<Spec> core_rows();

// The row of `class_name`, or nullptr.
const Spec* find(const std::string& class_name);
// Every row, in the table's order.
const std::vector<Spec>& all();

// A tensor as Keras writes a NumPy constant: {"class_name": "__numpy__", "config": {"value":
// nested lists, "dtype": "float32"}}, and back, from that or Keras's __tensor__ form (a backend
// tensor, written the same way); ValueError on a malformed value.
Json numpy_to_json(const Tensor& t);
Tensor numpy_from_json(const Json& j, const std::string& what);

// The rows of op_table_image.cpp (keras.ops.image's later ops), appended to the table's.
std::vector<Spec> image_rows();

}  // namespace keras::layers::op_table
