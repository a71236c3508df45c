#include "layers/container_variables.h"

#include <map>

#include "core/python_repr.h"
#include "keras/layers/op_layer.h"

namespace keras::layers {

std::vector<std::string> container_names(const std::vector<std::shared_ptr<Layer>>& layers) {
  std::vector<std::string> out;
  std::map<std::string, int> used;
  for (const auto& l : layers) {
    if (dynamic_cast<const layers::OpLayerImpl*>(l.get()) != nullptr) {
      out.emplace_back();  // an op: not among Keras 3's layers, has no variables
      continue;
    }
    // Keras names them by the Python class, which differs from the saved name for one alias.
    const std::string cls = l->saved_class_name();
    std::string name = to_snake_case(cls == "GroupQueryAttention" ? "GroupedQueryAttention" : cls);
    auto [it, fresh] = used.try_emplace(name, 0);
    if (!fresh) name = str(name, "_", ++it->second);
    out.push_back(name);
  }
  return out;
}

std::vector<Layer::VariableGroup> container_variables(
    const std::vector<std::shared_ptr<Layer>>& layers) {
  std::vector<Layer::VariableGroup> out{{"vars", {}}};
  const std::vector<std::string> names = container_names(layers);
  for (size_t i = 0; i < layers.size(); ++i) {
    for (const Layer::VariableGroup& g : layers[i]->saved_variables()) {
      out.push_back({str("layers/", names[i], "/", g.path), g.variables});
    }
  }
  return out;
}

}  // namespace keras::layers
