// Helpers for the configs of layers with per-axis arguments (kernel_size, strides, pool_size,
// padding, size): Keras writes them as lists and accepts an int. Internal to src/layers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/config/json.h"

namespace keras::layers::config_util {

// Per-axis lists are short; a hostile config must not make them long.
inline constexpr size_t kMaxAxes = 8;

// j as a list of ints: an int n gives {n}, a list its entries. ValueError otherwise.
inline std::vector<int64_t> int_list(const Json& j, const char* key, const char* what) {
  if (!j.is_array()) return {config::convert<int64_t>(j, key, what)};
  KERAS_CHECK(j.size() <= kMaxAxes, ValueError, what, ": config key '", key, "' has ", j.size(),
              " entries, at most ", kMaxAxes, " are accepted");
  std::vector<int64_t> out;
  for (const Json& e : j) out.push_back(config::convert<int64_t>(e, key, what));
  return out;
}

// config[key] as a list of ints (see above); `fallback` when missing or null.
inline std::vector<int64_t> int_list(const Json& config,
                                     const char* key,
                                     std::vector<int64_t> fallback,
                                     const char* what) {
  const Json* j = config::find(config, key);
  return j != nullptr ? int_list(*j, key, what) : fallback;
}

// config[key] as a list of ints; ValueError when missing.
inline std::vector<int64_t> require_int_list(const Json& config,
                                             const char* key,
                                             const char* what) {
  const Json* j = config::find(config, key);
  KERAS_CHECK(j != nullptr, ValueError, what, ": config has no '", key, "'");
  return int_list(*j, key, what);
}

// A string option that Keras writes as null for None: `fallback` when the key is missing,
// nullopt when null, else the string.
inline std::optional<std::string> optional_string(const Json& config,
                                                  const char* key,
                                                  std::optional<std::string> fallback,
                                                  const char* what) {
  const auto it = config.find(key);
  if (it == config.end()) return fallback;
  if (it->is_null()) return std::nullopt;
  return config::convert<std::string>(*it, key, what);
}

inline Json to_json(const std::vector<int64_t>& values) {
  Json out = Json::array();
  for (int64_t v : values) out.push_back(v);
  return out;
}

// Keras's build_config of a recurrent layer or Bidirectional built with initial states (`shapes`:
// the sequence's, then the states'): the named arguments of their build().
inline Json initial_state_build_config(const std::vector<Shape>& shapes) {
  Json states = Json::array();
  for (size_t i = 1; i < shapes.size(); ++i) states.push_back(config::shape_to_json(shapes[i]));
  return Json{{"shapes_dict",
               {{"sequences_shape", config::shape_to_json(shapes.at(0))},
                {"initial_state_shape", states}}}};
}

// Keras's build_config of an RNN's cell, {"input_shape": [null, features]}, set in `cell` when the
// layer was built on sequences (batch, steps, features).
inline void set_cell_build_config(Json& cell, const std::vector<Shape>& build_input_shapes) {
  if (build_input_shapes.empty() || build_input_shapes[0].size() != 3) return;
  const int64_t features = build_input_shapes[0].back();
  cell["build_config"] = {
      {"input_shape", Json::array({nullptr, features == kNone ? Json(nullptr) : Json(features)})}};
}

}  // namespace keras::layers::config_util
