#include "models/keras2_config.h"

#include <set>

namespace keras::models::internal {

namespace {
void rename_keras2_activations(Json& j) {
  if (j.is_array()) {
    for (Json& v : j) rename_keras2_activations(v);
  } else if (j.is_object()) {
    for (auto& [key, v] : j.items()) {
      if ((key == "activation" || key == "recurrent_activation") && v.is_string() &&
          v.get<std::string>() == "hard_sigmoid") {
        v = "keras2_hard_sigmoid";
      } else {
        rename_keras2_activations(v);
      }
    }
  }
}

// Keras 2's merge layers combine masks with logical and (Keras 3's with or): each one of a Keras
// 2 file is told so (MergeImpl::set_keras2_masks).
void mark_keras2_merges(Json& j, int depth = 0) {
  static const std::set<std::string> merges = {"Add",     "Subtract", "Multiply",   "Average",
                                               "Maximum", "Minimum",  "Concatenate"};
  if (depth > 512) return;
  if (j.is_object()) {
    const auto cls = j.find("class_name");
    const auto config = j.find("config");
    if (cls != j.end() && cls->is_string() && merges.contains(cls->get<std::string>()) &&
        config != j.end() && config->is_object()) {
      (*config)["keras2_masks"] = true;
    }
  }
  if (j.is_object() || j.is_array()) {
    for (Json& v : j) mark_keras2_merges(v, depth + 1);
  }
}
}  // namespace

Json keras2_config(Json config, const std::string& keras_version) {
  if (keras_version.starts_with("2.")) {
    rename_keras2_activations(config);
    mark_keras2_merges(config);
  }
  return config;
}

}  // namespace keras::models::internal
