#include "keras/saving/json.h"

namespace keras::saving {

namespace {
constexpr size_t kMaxRank = 64;
}

Shape shape_from_json(const Json& j, const char* what) {
  KERAS_CHECK(j.is_array() && j.size() <= kMaxRank, ValueError, what,
              ": expected a list of dimensions, got ", j.dump().substr(0, 200));
  Shape out;
  for (const Json& d : j) {
    if (d.is_null()) {
      out.push_back(kNone);
      continue;
    }
    KERAS_CHECK(d.is_number_integer() && d.get<int64_t>() >= 0, ValueError, what,
                ": invalid dimension ", d.dump().substr(0, 50));
    out.push_back(d.get<int64_t>());
  }
  return out;
}

Json shape_to_json(const Shape& shape) {
  Json out = Json::array();
  for (int64_t d : shape) out.push_back(d == kNone ? Json(nullptr) : Json(d));
  return out;
}

std::vector<Dim> dims_from_json(const Json& j, const char* what) {
  std::vector<Dim> out;
  for (int64_t d : shape_from_json(j, what)) out.push_back(d == kNone ? Dim() : Dim(d));
  return out;
}

Json parse_json(const std::string& text, const char* what) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    throw ValueError(str(what, ": invalid JSON: ", e.what()));
  }
}

Json dtype_policy_to_json(DType dtype) {
  return Json{{"module", "keras"},
              {"class_name", "DTypePolicy"},
              {"config", {{"name", std::string(dtype_name(dtype))}}},
              {"registered_name", nullptr}};
}

DType dtype_from_json(const Json& j) {
  try {
    if (j.is_string()) return dtype_from_name(j.get<std::string>());
    if (j.is_object()) {
      const Json* config = find(j, "config");
      if (config != nullptr) return dtype_from_name(require<std::string>(*config, "name", "dtype"));
    }
  } catch (const ValueError&) {
    throw;
  } catch (const std::exception&) {
  }
  throw ValueError(str("Invalid dtype in config: ", j.dump().substr(0, 200)));
}

}  // namespace keras::saving
