#include "core/python_repr.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <regex>

namespace keras {

std::string python_float_repr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // "-1.2345e-05": shortest round-trip digits
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  const size_t e = sci.find('e');
  const int exp = std::atoi(sci.c_str() + e + 1);
  std::string mant = sci.substr(0, e);
  mant.erase(std::remove(mant.begin(), mant.end(), '.'), mant.end());  // all significant digits
  if (exp >= -4 && exp < 16) {  // Python's repr uses exponents outside [1e-4, 1e16)
    std::string out;
    if (exp < 0) {
      out = "0." + std::string(static_cast<size_t>(-exp - 1), '0') + mant;
    } else if (static_cast<size_t>(exp) + 1 >= mant.size()) {
      out = mant + std::string(static_cast<size_t>(exp) + 1 - mant.size(), '0') + ".0";
    } else {
      out = mant.substr(0, static_cast<size_t>(exp) + 1) + "." +
            mant.substr(static_cast<size_t>(exp) + 1);
    }
    return sign + out;
  }
  std::string out = mant.substr(0, 1);
  if (mant.size() > 1) out += "." + mant.substr(1);
  char ebuf[16];
  std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
  return sign + out + ebuf;
}

std::string to_snake_case(const std::string& name) {
  std::string s = std::regex_replace(name, std::regex("[^A-Za-z0-9_]+"), "");
  s = std::regex_replace(s, std::regex("(.)([A-Z][a-z]+)"), "$1_$2");
  s = std::regex_replace(s, std::regex("([a-z])([A-Z])"), "$1_$2");
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace keras
