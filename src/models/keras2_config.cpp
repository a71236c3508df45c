#include "models/keras2_config.h"

#include <set>

#include "keras/core/error.h"

namespace keras::models::internal {

namespace {
// One walk over the config: Keras 2's "hard_sigmoid" activations become keras2_hard_sigmoid, and
// each merge layer is told to combine masks as Keras 2's do (MergeImpl::set_keras2_masks).
void keras2_walk(Json& j, int depth = 0) {
  if (depth > 512) return;
  if (j.is_object()) {
    const auto cls = j.find("class_name");
    const auto config = j.find("config");
    if (cls != j.end() && cls->is_string() && is_merge_class(cls->get<std::string>()) &&
        config != j.end() && config->is_object()) {
      (*config)["keras2_masks"] = true;
    }
    for (auto& [key, v] : j.items()) {
      if ((key == "activation" || key == "recurrent_activation") && v.is_string() &&
          v.get<std::string>() == "hard_sigmoid") {
        v = "keras2_hard_sigmoid";
      } else {
        keras2_walk(v, depth + 1);
      }
    }
  } else if (j.is_array()) {
    for (Json& v : j) keras2_walk(v, depth + 1);
  }
}

Json tensor_refs(const Json& j, int depth) {
  KERAS_CHECK(depth < 8, ValueError, "Model config: inbound node too deep");
  if (j.is_array() && j.size() == 3 && j[0].is_string() && j[1].is_number() && j[2].is_number()) {
    return Json{{"class_name", "__keras_tensor__"}, {"config", {{"keras_history", j}}}};
  }
  if (!j.is_array() && !j.is_object()) return j;
  Json out = j;
  for (Json& x : out) x = tensor_refs(x, depth + 1);
  return out;
}

}  // namespace

Json keras3_tensor_refs(const Json& j) {
  return tensor_refs(j, 0);
}

bool is_merge_class(const std::string& class_name) {
  static const std::set<std::string> merges = {"Add",     "Subtract", "Multiply",   "Average",
                                               "Maximum", "Minimum",  "Concatenate"};
  return merges.contains(class_name);
}

Json keras2_config(Json config, const std::string& keras_version) {
  if (keras_version.starts_with("2.")) keras2_walk(config);
  return config;
}

}  // namespace keras::models::internal
