#include "callbacks/python_format.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "keras/core/error.h"

namespace keras::callbacks {
namespace {

constexpr int kMaxWidth = 4096;

struct Spec {
  char fill = ' ', align = 0, sign = '-', grouping = 0, type = 0;
  bool alternate = false;
  int width = 0, precision = -1;
};

Spec parse_spec(std::string_view s) {
  Spec p;
  size_t i = 0;
  auto is_align = [](char c) { return c == '<' || c == '>' || c == '=' || c == '^'; };
  if (s.size() >= 2 && is_align(s[1])) {
    p.fill = s[0];
    p.align = s[1];
    i = 2;
  } else if (!s.empty() && is_align(s[0])) {
    p.align = s[0];
    i = 1;
  }
  if (i < s.size() && (s[i] == '+' || s[i] == '-' || s[i] == ' ')) p.sign = s[i++];
  if (i < s.size() && s[i] == '#') {
    p.alternate = true;
    ++i;
  }
  if (i < s.size() && s[i] == '0') {
    if (!p.align) {
      p.fill = '0';
      p.align = '=';
    }
    ++i;
  }
  // Widths and precisions are bounded: Python builds any size it can allocate; a file name or a
  // log line gains nothing from more.
  auto number = [&](int& out) {
    out = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      out = out * 10 + (s[i++] - '0');
      KERAS_CHECK(out <= kMaxWidth, ValueError,
                  "Too many decimal digits in format string (keras.cpp formats widths and "
                  "precisions up to ",
                  kMaxWidth, ")");
    }
  };
  number(p.width);
  if (i < s.size() && (s[i] == ',' || s[i] == '_')) p.grouping = s[i++];
  if (i < s.size() && s[i] == '.') {
    ++i;
    KERAS_CHECK(i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])), ValueError,
                "Format specifier missing precision");
    number(p.precision);
  }
  if (i < s.size()) p.type = s[i++];
  KERAS_CHECK(i == s.size(), ValueError, "Invalid format specifier '", s, "'");
  return p;
}

std::string printf_double(const char* conv, int precision, double v) {
  char fmt[16];
  std::snprintf(fmt, sizeof fmt, "%%.%d%s", precision, conv);
  std::string out(static_cast<size_t>(std::snprintf(nullptr, 0, fmt, v)), '\0');
  std::snprintf(out.data(), out.size() + 1, fmt, v);
  return out;
}

// |v| in base 16, 8 or 2 for Python's x X o b.
std::string int_digits(uint64_t v, char type) {
  char buf[64];  // 64 binary digits at most
  const auto res = std::to_chars(buf, buf + sizeof buf, v, type == 'o' ? 8 : type == 'b' ? 2 : 16);
  std::string out(buf, res.ptr);
  if (type == 'X') {
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// Digits of |v| (no sign) as Python formats them for `type`.
std::string float_digits(double av, const Spec& p) {
  const bool upper = p.type == 'E' || p.type == 'F' || p.type == 'G';
  if (std::isnan(av)) return upper ? "NAN" : "nan";
  if (std::isinf(av)) return upper ? "INF" : "inf";
  const int prec = p.precision < 0 ? 6 : p.precision;
  switch (p.type) {
    case 'f':
    case 'F':
      return printf_double(p.alternate ? "#f" : "f", prec, av);
    case 'e':
    case 'E':
      return printf_double(p.type == 'e' ? "e" : "E", prec, av);
    case 'g':
    case 'G':
    case 'n':
      return printf_double(p.type == 'G' ? "G" : "g", prec == 0 ? 1 : prec, av);
    case '%':
      return printf_double("f", prec, av * 100) + "%";
    case 0: {
      if (p.precision < 0) return python_float_repr(av);
      std::string out = printf_double("g", prec == 0 ? 1 : prec, av);
      if (out.find_first_of(".e") == std::string::npos) out += ".0";
      return out;
    }
    default:
      throw ValueError(str("Unknown format code '", p.type, "' for object of type 'float'"));
  }
}

std::string group(const std::string& digits, char sep) {
  const size_t end = digits.find_first_of(".eE%");
  const size_t int_len = end == std::string::npos ? digits.size() : end;
  std::string out;
  for (size_t i = 0; i < int_len; ++i) {
    if (i > 0 && (int_len - i) % 3 == 0) out += sep;
    out += digits[i];
  }
  return out + digits.substr(int_len);
}

}  // namespace

std::string python_format_value(const FormatArg& value, std::string_view spec_text) {
  const Spec p = parse_spec(spec_text);
  bool negative = false;
  std::string digits, prefix;  // prefix: "0x" for '#x', after the sign
  if (const int64_t* i = std::get_if<int64_t>(&value)) {
    negative = *i < 0;
    const uint64_t magnitude = negative ? -static_cast<uint64_t>(*i) : static_cast<uint64_t>(*i);
    const bool based = p.type == 'x' || p.type == 'X' || p.type == 'o' || p.type == 'b';
    if (p.type == 0 || p.type == 'd' || p.type == 'n' || based) {
      KERAS_CHECK(p.precision < 0, ValueError, "Precision not allowed in integer format specifier");
      digits = based ? int_digits(magnitude, p.type) : std::to_string(magnitude);
      if (based && p.alternate) prefix = std::string("0") + p.type;
    } else {
      const std::string_view float_types = "eEfFgG%";
      KERAS_CHECK(float_types.find(p.type) != std::string_view::npos, ValueError,
                  "Unknown format code '", p.type, "' for object of type 'int'");
      digits = float_digits(std::abs(static_cast<double>(*i)), p);
    }
  } else {
    const double d = std::get<double>(value);
    KERAS_CHECK(p.type != 'd', ValueError, "Unknown format code 'd' for object of type 'float'");
    negative = std::signbit(d) && !std::isnan(d);
    digits = float_digits(std::abs(d), p);
  }
  if (p.grouping) digits = group(digits, p.grouping);
  const std::string sign = (negative        ? "-"
                            : p.sign == '+' ? "+"
                            : p.sign == ' ' ? " "
                                            : "") +
                           prefix;
  const size_t len = sign.size() + digits.size();
  if (static_cast<size_t>(p.width) <= len) return sign + digits;
  const size_t pad = static_cast<size_t>(p.width) - len;
  switch (p.align ? p.align : '>') {
    case '<':
      return sign + digits + std::string(pad, p.fill);
    case '^':
      return std::string(pad / 2, p.fill) + sign + digits + std::string(pad - pad / 2, p.fill);
    case '=':
      return sign + std::string(pad, p.fill) + digits;
    default:
      return std::string(pad, p.fill) + sign + digits;
  }
}

std::string python_format(std::string_view pattern, const std::map<std::string, FormatArg>& args) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '}') {
      KERAS_CHECK(i + 1 < pattern.size() && pattern[i + 1] == '}', ValueError,
                  "Single '}' encountered in format string");
      out += '}';
      ++i;
    } else if (c == '{') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '{') {
        out += '{';
        ++i;
        continue;
      }
      const size_t close = pattern.find('}', i);
      KERAS_CHECK(close != std::string_view::npos, ValueError,
                  "Single '{' encountered in format string");
      const std::string_view field = pattern.substr(i + 1, close - i - 1);
      const size_t colon = field.find(':');
      const std::string name(field.substr(0, colon));
      auto it = args.find(name);
      KERAS_CHECK(it != args.end(), ValueError, "'", name, "'");
      out += python_format_value(it->second,
                                 colon == std::string_view::npos ? "" : field.substr(colon + 1));
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace keras::callbacks
