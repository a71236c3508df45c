// NestedTensors: a model's inputs or outputs as Keras 3 takes them in `keras.Model(inputs,
// outputs)`: one KerasTensor, a list, or a dict keyed by name, nested to any depth.
//
//   keras::Model({a, b}, y);                                   // a list, as before
//   keras::Model({{"a", a}, {"b", b}}, {{"out1", p}, {"out2", q}});   // dicts, keys as given
//   keras::Model(std::map<std::string, KerasTensor>{...}, y);          // a dict in key order
//   keras::Model({a, NestedTensors{b, c}}, {p, NestedTensors{q, r}});  // nested lists
//
// Keras flattens a structure with lists in order and dict entries by sorted key (its
// `tree.flatten`); the model's inputs(), outputs(), input_names(), predict()'s tensors and data
// given as lists follow that order. Dicts keep the order they were given in for saving, as Keras's
// config does (`"input_layers": {"b": [...], "a": [...]}`). A model whose input dict was given in
// another order than sorted refuses inputs given as a list (Keras 3's ValueError): give them by
// name.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "keras/layers/keras_tensor.h"

namespace keras {

class NestedTensors {
 public:
  enum class Kind { tensor, list, dict };
  using Item = std::pair<std::string, NestedTensors>;  // a dict entry (lists: empty keys)

  NestedTensors() = default;          // an empty list
  NestedTensors(KerasTensor tensor);  // NOLINT: one tensor
  NestedTensors(KerasTensors list);   // NOLINT: a list of tensors
  NestedTensors(std::initializer_list<KerasTensor> list);
  NestedTensors(std::initializer_list<NestedTensors> list);       // a list of structures
  NestedTensors(std::initializer_list<Item> dict);                // a dict, keys in this order
  NestedTensors(const std::map<std::string, KerasTensor>& dict);  // NOLINT: a dict
  static NestedTensors list(std::vector<NestedTensors> items);
  // ValueError for a repeated key.
  static NestedTensors dict(std::vector<Item> items);

  Kind kind() const { return kind_; }
  bool is_tensor() const { return kind_ == Kind::tensor; }
  bool is_list() const { return kind_ == Kind::list; }
  bool is_dict() const { return kind_ == Kind::dict; }
  const KerasTensor& tensor() const { return tensor_; }
  // A list's or dict's entries in the order given (a list's keys are empty).
  const std::vector<Item>& items() const { return items_; }

  // Keras's tree.flatten: the tensors, lists in order, dict entries by sorted key.
  KerasTensors flatten() const;
  // For a dict of single tensors: its keys in flattening (sorted) order; otherwise empty.
  std::vector<std::string> flat_keys() const;
  // A structure like this one with the given tensors (in flattening order) as its leaves.
  NestedTensors with_leaves(const KerasTensors& flat) const;
  // Python's text of the structure, as Keras prints one in its messages: "[a, {'x': b}]", each
  // leaf as leaf(tensor), an undefined one as None; dict entries in the order given.
  std::string str(const std::function<std::string(const KerasTensor&)>& leaf) const;

 private:
  void flatten_into(KerasTensors& out) const;
  NestedTensors with_leaves(const KerasTensors& flat, size_t& next) const;
  // Entries in flattening order.
  std::vector<const Item*> sorted_items() const;
  Kind kind_ = Kind::list;
  KerasTensor tensor_;
  std::vector<Item> items_;
};

}  // namespace keras
