#include "models/layer_lookup.h"

#include "keras/core/error.h"

namespace keras::models::internal {

std::string names_list(const std::vector<std::string>& names) {
  std::string s = "[";
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", '" : "'") + names[i] + "'";
  return s + "]";
}

size_t layer_position(int index, size_t size) {
  const auto n = static_cast<int>(size);
  KERAS_CHECK(index < n, ValueError, "Was asked to retrieve layer at index ", index,
              " but model only has ", n, " layers.");
  KERAS_CHECK(index >= -n, IndexError, "Was asked to retrieve layer at index ", index,
              " but model only has ", n, " layers: list index out of range.");
  return static_cast<size_t>(index < 0 ? index + n : index);
}

void throw_no_such_layer(const std::string& name, const std::vector<std::string>& existing) {
  throw ValueError(
      str("No such layer: ", name, ". Existing layers are: ", names_list(existing), "."));
}

}  // namespace keras::models::internal
