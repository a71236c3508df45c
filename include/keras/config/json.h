// keras::Json with its full definition (see json_fwd.h), and small helpers for reading configs
// that throw keras::ValueError naming the key instead of nlohmann's exceptions.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "keras/config/json_fwd.h"
#include "keras/core/dtype.h"
#include "keras/core/error.h"
#include "keras/core/shape.h"

namespace keras::config {

// A short compact JSON rendering of a value read from an untrusted source, for error messages:
// like j.dump(), but at most about `max_chars` characters (then "..."), long strings cut, and
// arrays and objects nested more than 4 levels shown as [...] / {...}. Error messages show
// config content only through this: dump() recurses once per level and copies everything.
std::string json_excerpt(const Json& j, size_t max_chars = 200);

namespace detail {
template <class T>
inline constexpr bool kIsVector = false;
template <class E, class A>
inline constexpr bool kIsVector<std::vector<E, A>> = true;
}  // namespace detail

// j converted to T; throws ValueError ("<what>: config key 'units' has an invalid value ...")
// on a type mismatch (a float with a fraction for an integer, a string for a number, ...) and on
// a number T cannot hold (5e9 for an int, -1 for a size_t, 1e300 for a float); a std::vector
// is converted element by element.
template <class T>
T convert(const Json& j, const char* key, const char* what) {
  try {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (j.is_number_float()) {
        // Casting a double T cannot hold is undefined behaviour: check first (NaN fails too).
        const double d = j.get<double>();
        const double end = 2.0 * static_cast<double>(std::numeric_limits<T>::max() / 2 + 1);
        if (!(d >= static_cast<double>(std::numeric_limits<T>::min()) && d < end) ||
            d != std::trunc(d)) {
          throw ValueError("not an integer");
        }
        return static_cast<T>(d);
      }
      if (j.is_number_unsigned() && std::in_range<T>(j.get<uint64_t>())) {
        return static_cast<T>(j.get<uint64_t>());
      }
      if (j.is_number_integer() && !j.is_number_unsigned() && std::in_range<T>(j.get<int64_t>())) {
        return static_cast<T>(j.get<int64_t>());
      }
      throw ValueError("not an integer");
    } else if constexpr (detail::kIsVector<T>) {  // element by element, with the checks above
      if (!j.is_array()) throw ValueError("not a list");
      T out;
      for (const Json& e : j) out.push_back(convert<typename T::value_type>(e, key, what));
      return out;
    } else if constexpr (std::is_same_v<T, float>) {
      if (j.is_number() && std::abs(j.get<double>()) > std::numeric_limits<float>::max() &&
          std::isfinite(j.get<double>())) {
        throw ValueError("out of range");
      }
    }
    return j.get<T>();
  } catch (const std::exception& e) {
    throw ValueError(str(what, ": config key '", key, "' has an invalid value ", json_excerpt(j)));
  }
}
// config[key] converted to T; `fallback` when config has no such key or it is null.
template <class T>
T get(const Json& config, const char* key, T fallback, const char* what = "config") {
  if (!config.is_object()) throw ValueError(str(what, ": config must be a JSON object"));
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return fallback;
  return convert<T>(*it, key, what);
}
// config[key] converted to T; throws ValueError when it is missing.
template <class T>
T require(const Json& config, const char* key, const char* what = "config") {
  if (!config.is_object()) throw ValueError(str(what, ": config must be a JSON object"));
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) {
    throw ValueError(str(what, ": config has no '", key, "'"));
  }
  return convert<T>(*it, key, what);
}
// config[key] when present and not null, else nullptr.
inline const Json* find(const Json& config, const char* key) {
  if (!config.is_object()) return nullptr;
  auto it = config.find(key);
  return it == config.end() || it->is_null() ? nullptr : &*it;
}

// A shape as Keras writes it ([null, 4]): None becomes kNone. Throws ValueError on anything
// other than a list of non-negative integers or nulls (at most 64 entries).
Shape shape_from_json(const Json& j, const char* what = "shape");
Json shape_to_json(const Shape& shape);
// Optional dimensions, as layer options take them ([null, 4] -> {nullopt, 4}).
std::vector<Dim> dims_from_json(const Json& j, const char* what = "shape");

// config[key] as JSON, or `fallback` when missing or null.
inline Json value(const Json& config, const char* key, Json fallback) {
  const Json* j = find(config, key);
  return j != nullptr ? *j : fallback;
}

// Parses JSON text from a file or a caller (config.json, a legacy .h5 model_config,
// model_from_json): every JSON keras.cpp reads goes through here. Throws
// ValueError("<what>: invalid JSON: ...") on a syntax error, and, before building anything, when
// arrays and objects nest deeper than kMaxJsonDepth levels (Keras configs nest about 10; deeper
// values would overflow the stack of the recursive code that copies, compares and prints JSON) or
// the text is longer than kMaxJsonBytes (a value costs up to ~16 times its text in memory, and a
// small compressed .keras file can hold a huge config.json).
inline constexpr size_t kMaxJsonDepth = 512;
inline constexpr size_t kMaxJsonBytes = size_t{64} << 20;
// Python's json also reads and writes NaN, Infinity and -Infinity (bare words, outside strings),
// which Keras configs hold (a NaN or -inf constant in a graph, an infinite bound): parse_json
// reads them as those doubles, and dump_json writes them so (where Json::dump writes null).
Json parse_json(const std::string& text, const char* what);
std::string dump_json(const Json& j);

// An object's keys in sorted order (empty for other values): the order in which Keras flattens
// a call's keyword arguments, and so numbers the tensors among them.
std::vector<std::string> sorted_keys(const Json& object);

// The Keras 3 dtype entry: {"module": "keras", "class_name": "DTypePolicy", ...}.
Json dtype_policy_to_json(DType dtype);
// Reads a dtype given as a DTypePolicy dict or a plain name ("float32", Keras 2).
DType dtype_from_json(const Json& j);

}  // namespace keras::config
