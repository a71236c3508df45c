// keras::tree over a model's NestedTensors (keras/models/nested.h): the conversions to and from
// tree::Nested<KerasTensor>, so keras.tree's functions apply to model inputs and outputs.
//   auto s = keras::tree::from_nested_tensors(model.input_structure());
//   auto names = keras::tree::map_structure([](const KerasTensor& t) { return t.name(); }, s);
#pragma once

#include <utility>
#include <vector>

#include "keras/models/nested.h"
#include "keras/utils/tree.h"

namespace keras::tree {

inline Nested<KerasTensor> from_nested_tensors(const NestedTensors& structure) {
  using N = Nested<KerasTensor>;
  if (structure.is_tensor()) return N(structure.tensor());
  std::vector<N::Item> items;
  for (const auto& [key, value] : structure.items())
    items.emplace_back(key, from_nested_tensors(value));
  return N::from_kind(structure.is_dict() ? N::Kind::dict : N::Kind::list, std::move(items));
}

// Tuples become lists (NestedTensors has no tuples).
inline NestedTensors to_nested_tensors(const Nested<KerasTensor>& structure) {
  if (structure.is_leaf()) return NestedTensors(structure.leaf());
  std::vector<NestedTensors::Item> items;
  for (const auto& [key, value] : structure.items())
    items.emplace_back(key, to_nested_tensors(value));
  if (structure.is_dict()) return NestedTensors::dict(std::move(items));
  std::vector<NestedTensors> list;
  for (auto& item : items) list.push_back(std::move(item.second));
  return NestedTensors::list(std::move(list));
}

}  // namespace keras::tree
