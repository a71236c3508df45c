#include "keras/config/json.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

namespace keras::config {

namespace {

constexpr size_t kMaxRank = 64;
constexpr int kExcerptDepth = 4;

// The offset of the closing quote of the string that opens at text[i] (or the end of an
// unterminated one).
size_t string_end(std::string_view text, size_t i) {
  for (++i; i < text.size() && text[i] != '"'; ++i) {
    if (text[i] == '\\') ++i;
  }
  return i;
}

// The offset of the first '[' or '{' nested deeper than kMaxJsonDepth, or npos. Brackets inside
// strings do not count; malformed text is left for the parser to reject.
size_t too_deep_at(std::string_view text) {
  size_t depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      i = string_end(text, i);
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string::npos;
}

// Python's non-finite words, and the strings that stand for them while nlohmann (strict JSON)
// parses and dumps: a NUL first, which no Keras config string holds.
struct NonFinite {
  std::string_view word;
  double value;
};
constexpr double kInf = std::numeric_limits<double>::infinity();
const NonFinite kNonFinite[] = {
    {"NaN", std::numeric_limits<double>::quiet_NaN()}, {"Infinity", kInf}, {"-Infinity", -kInf}};
std::string stand_in(std::string_view word) {
  return std::string(1, '\0') + "keras:" + std::string(word);
}

// text with each non-finite word outside strings replaced by its stand-in string; false when it
// has none (then `out` is untouched).
bool quote_non_finite(std::string_view text, std::string& out) {
  bool any = false;
  size_t copied = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      i = string_end(text, i);
      continue;
    }
    if (c != 'N' && c != 'I' && c != '-') continue;
    for (const NonFinite& n : kNonFinite) {
      if (text.substr(i, n.word.size()) != n.word) continue;
      out.append(text.substr(copied, i - copied));
      out += Json(stand_in(n.word)).dump();
      i += n.word.size() - 1;
      copied = i + 1;
      any = true;
      break;
    }
  }
  if (any) out.append(text.substr(copied));
  return any;
}

// Replaces stand-in strings by their doubles (to_number) or non-finite doubles by stand-ins;
// true when it changed something.
bool swap_non_finite(Json& j, bool to_number) {
  bool changed = false;
  if (j.is_array() || j.is_object()) {
    for (Json& v : j) changed = swap_non_finite(v, to_number) || changed;
    return changed;
  }
  for (const NonFinite& n : kNonFinite) {
    if (to_number && j.is_string() && j.get_ref<const std::string&>() == stand_in(n.word)) {
      j = n.value;
      return true;
    }
    if (!to_number && j.is_number_float()) {
      const double v = j.get<double>();
      if (std::isnan(v) ? std::isnan(n.value) : v == n.value) {
        j = stand_in(n.word);
        return true;
      }
    }
  }
  return false;
}

bool has_non_finite(const Json& j) {
  if (j.is_array() || j.is_object()) {
    return std::any_of(j.begin(), j.end(), [](const Json& v) { return has_non_finite(v); });
  }
  return j.is_number_float() && !std::isfinite(j.get<double>());
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
    std::string quoted;
    if (!quote_non_finite(text, quoted)) return Json::parse(text);
    Json j = Json::parse(quoted);
    swap_non_finite(j, true);
    return j;
  } catch (const Json::exception& e) {
    // nlohmann quotes the token it stopped at, which may be a whole (huge) string.
    throw ValueError(str(what, ": invalid JSON: ", excerpt(e.what(), 300)));
  }
}

std::string dump_json(const Json& j) {
  if (!has_non_finite(j)) return j.dump();
  Json copy = j;
  swap_non_finite(copy, false);
  std::string text = copy.dump();
  for (const NonFinite& n : kNonFinite) {
    const std::string quoted = Json(stand_in(n.word)).dump();
    for (size_t at = text.find(quoted); at != std::string::npos;
         at = text.find(quoted, at + n.word.size())) {
      text.replace(at, quoted.size(), n.word);
    }
  }
  return text;
}

std::vector<std::string> sorted_keys(const Json& object) {
  std::vector<std::string> keys;
  if (!object.is_object()) return keys;
  for (const auto& [key, value] : object.items()) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  return keys;
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
