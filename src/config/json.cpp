#include "keras/config/json.h"

#include <algorithm>
#include <string_view>

namespace keras::config {

namespace {

constexpr size_t kMaxRank = 64;
constexpr int kExcerptDepth = 4;

// The offset of the first '[' or '{' nested deeper than kMaxJsonDepth, or npos. Brackets inside
// strings do not count; malformed text is left for the parser to reject.
size_t too_deep_at(std::string_view text) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string::npos;
}

// The first n <= s.size() bytes of s, backed up so as not to end inside a UTF-8 character.
size_t utf8_prefix(std::string_view s, size_t n) {
  if (n >= s.size()) return s.size();
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

void write_string(const std::string& s, std::string& out, size_t max_chars) {
  const size_t n = utf8_prefix(s, max_chars);
  // Strings from files are not always valid UTF-8 (HDF5 attributes): replace, never throw.
  out += Json(s.substr(0, n)).dump(-1, ' ', false, Json::error_handler_t::replace);
  if (n < s.size()) out.insert(out.size() - 1, "...");
}

void write_excerpt(const Json& j, std::string& out, size_t max_chars, int depth) {
  if (j.is_string()) return write_string(j.get_ref<const std::string&>(), out, max_chars);
  if (!j.is_structured()) {
    out += j.dump(-1, ' ', false, Json::error_handler_t::replace);
    return;
  }
  const bool array = j.is_array();
  if (j.empty() || depth >= kExcerptDepth) {
    out += j.empty() ? (array ? "[]" : "{}") : (array ? "[...]" : "{...}");
    return;
  }
  out += array ? '[' : '{';
  bool first = true;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (out.size() > max_chars) {
      out += ",...";
      break;
    }
    if (!first) out += ',';
    first = false;
    if (!array) {
      write_string(it.key(), out, max_chars);
      out += ':';
    }
    write_excerpt(it.value(), out, max_chars, depth + 1);
  }
  out += array ? ']' : '}';
}

}  // namespace

std::string json_excerpt(const Json& j, size_t max_chars) {
  std::string out;
  write_excerpt(j, out, max_chars, 0);
  if (out.size() <= max_chars) return out;
  return out.substr(0, utf8_prefix(out, max_chars)) + "...";
}

Shape shape_from_json(const Json& j, const char* what) {
  KERAS_CHECK(j.is_array() && j.size() <= kMaxRank, ValueError, what,
              ": expected a list of dimensions, got ", json_excerpt(j));
  Shape out;
  for (const Json& d : j) {
    if (d.is_null()) {
      out.push_back(kNone);
      continue;
    }
    KERAS_CHECK(d.is_number_integer() && d.get<int64_t>() >= 0, ValueError, what,
                ": invalid dimension ", json_excerpt(d, 50));
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
  KERAS_CHECK(text.size() <= kMaxJsonBytes, ValueError, what, ": the JSON text is ", text.size(),
              " bytes; keras.cpp reads at most ", kMaxJsonBytes, " bytes");
  const size_t deep = too_deep_at(text);
  KERAS_CHECK(deep == std::string::npos, ValueError, what,
              ": invalid JSON: arrays and objects nested more than ", kMaxJsonDepth,
              " levels deep (at byte ", deep, ")");
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    // nlohmann quotes the token it stopped at, which may be a whole (huge) string.
    throw ValueError(str(what, ": invalid JSON: ", excerpt(e.what(), 300)));
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
  throw ValueError(str("Invalid dtype in config: ", json_excerpt(j)));
}

}  // namespace keras::config
