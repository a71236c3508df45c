// get_layer's checks and Keras's messages, shared by Model (over layers(), which includes an
// unbuilt Sequential's) and FunctionalImpl (over its graph's layers).
#pragma once

#include <string>
#include <vector>

namespace keras::models::internal {

// Python's repr of a list of names: ['a', 'b'].
std::string names_list(const std::vector<std::string>& names);

// The position of Keras's layers[index] among n layers (negative counts from the end):
// ValueError when index >= n, IndexError when index < -n.
size_t layer_position(int index, size_t n);

// ValueError "No such layer: <name>. Existing layers are: [...]."
[[noreturn]] void throw_no_such_layer(const std::string& name,
                                      const std::vector<std::string>& existing);

}  // namespace keras::models::internal
