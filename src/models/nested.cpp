#include "keras/models/nested.h"

#include <algorithm>
#include <set>

#include "keras/core/error.h"

namespace keras {

NestedTensors::NestedTensors(KerasTensor tensor)
    : kind_(Kind::tensor), tensor_(std::move(tensor)) {}

NestedTensors::NestedTensors(KerasTensors list) {
  for (KerasTensor& t : list) items_.emplace_back(std::string(), NestedTensors(std::move(t)));
}

NestedTensors::NestedTensors(std::initializer_list<KerasTensor> list)
    : NestedTensors(KerasTensors(list)) {}

NestedTensors::NestedTensors(std::initializer_list<NestedTensors> list) {
  for (const NestedTensors& n : list) items_.emplace_back(std::string(), n);
}

NestedTensors::NestedTensors(std::initializer_list<Item> dict)
    : NestedTensors(NestedTensors::dict(std::vector<Item>(dict))) {}

NestedTensors::NestedTensors(const std::map<std::string, KerasTensor>& dict)
    : NestedTensors(NestedTensors::dict(std::vector<Item>(dict.begin(), dict.end()))) {}

NestedTensors NestedTensors::list(std::vector<NestedTensors> items) {
  NestedTensors out;
  for (NestedTensors& n : items) out.items_.emplace_back(std::string(), std::move(n));
  return out;
}

NestedTensors NestedTensors::dict(std::vector<Item> items) {
  std::set<std::string> seen;
  for (const Item& item : items) {
    KERAS_CHECK(seen.insert(item.first).second, ValueError, "The key '", item.first,
                "' appears twice in a dict of model inputs or outputs");
  }
  NestedTensors out;
  out.kind_ = Kind::dict;
  out.items_ = std::move(items);
  return out;
}

std::vector<const NestedTensors::Item*> NestedTensors::sorted_items() const {
  std::vector<const Item*> out;
  for (const Item& item : items_) out.push_back(&item);
  if (is_dict()) {
    std::stable_sort(out.begin(), out.end(),
                     [](const Item* a, const Item* b) { return a->first < b->first; });
  }
  return out;
}

void NestedTensors::flatten_into(KerasTensors& out) const {
  if (is_tensor()) {
    out.push_back(tensor_);
    return;
  }
  for (const Item* item : sorted_items()) item->second.flatten_into(out);
}

KerasTensors NestedTensors::flatten() const {
  KerasTensors out;
  flatten_into(out);
  return out;
}

std::string NestedTensors::str(const std::function<std::string(const KerasTensor&)>& leaf) const {
  if (is_tensor()) return tensor_.defined() ? leaf(tensor_) : "None";
  std::string s = is_list() ? "[" : "{";
  for (size_t i = 0; i < items_.size(); ++i) {
    if (i > 0) s += ", ";
    if (is_dict()) s += "'" + items_[i].first + "': ";
    s += items_[i].second.str(leaf);
  }
  return s + (is_list() ? "]" : "}");
}

std::vector<std::string> NestedTensors::flat_keys() const {
  std::vector<std::string> out;
  if (!is_dict()) return out;
  for (const Item* item : sorted_items()) {
    if (!item->second.is_tensor()) return {};
    out.push_back(item->first);
  }
  return out;
}

NestedTensors NestedTensors::with_leaves(const KerasTensors& flat, size_t& next) const {
  if (is_tensor()) {
    KERAS_CHECK(next < flat.size(), ValueError, "NestedTensors: too few tensors for the structure");
    return NestedTensors(flat[next++]);
  }
  NestedTensors out = *this;
  std::vector<const Item*> order = sorted_items();
  for (const Item* item : order) {
    out.items_[static_cast<size_t>(item - items_.data())].second =
        item->second.with_leaves(flat, next);
  }
  return out;
}

NestedTensors NestedTensors::with_leaves(const KerasTensors& flat) const {
  size_t next = 0;
  NestedTensors out = with_leaves(flat, next);
  KERAS_CHECK(next == flat.size(), ValueError, "NestedTensors: ", flat.size(),
              " tensors for a structure of ", next);
  return out;
}

}  // namespace keras
