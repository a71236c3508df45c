#include "keras/io/npy.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

#include "core/file_util.h"
#include "io/byte_source.h"
#include "io/zip.h"

namespace keras::io {
namespace {

constexpr std::string_view kMagic{"\x93NUMPY", 6};
// NumPy's own headers are a few hundred bytes; this only bounds a hostile one.
constexpr uint64_t kMaxHeaderLen = uint64_t{1} << 20;
constexpr int kMaxRank = 64;
constexpr int kMaxNesting = 32;
constexpr uint16_t kU16Max = 0xFFFF;

std::string errno_text() {
  return std::strerror(errno);
}

// Quotes at most `max` bytes of possibly binary text for an error message.
std::string quoted(std::string_view s, size_t max = 120) {
  std::string out = "\"";
  for (size_t i = 0; i < std::min(s.size(), max); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += s.size() > max ? "\"..." : "\"";
  return out;
}

// ---- parsing the header ----

struct PyValue {
  enum class Kind { kNone, kStr, kBool, kInt, kTuple, kList, kDict };
  Kind kind = Kind::kNone;
  std::string text;
  bool boolean = false;
  int64_t integer = 0;
  std::vector<PyValue> items;  // tuple/list elements; dict: key, value, key, value, ...
};

class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& what) : text_(text), what_(what) {}

  PyValue parse() {
    skip_space();
    PyValue v = value(0);
    skip_space();
    if (pos_ != text_.size()) error("unexpected text after the dictionary");
    return v;
  }

 private:
  [[noreturn]] void error(std::string_view msg) {
    fail(what_, "malformed .npy header: ", msg, " at offset ", pos_, " of ", quoted(text_));
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
      ++pos_;
    }
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) error(str("expected '", c, "'"));
    ++pos_;
  }

  PyValue value(int depth) {
    if (depth > kMaxNesting) error("nesting too deep");
    skip_space();
    const char c = peek();
    if (c == '\'' || c == '"') return string();
    if (c == '(' || c == '[') return sequence(depth);
    if (c == '{') return dict(depth);
    if (c == '-' || c == '+' || (c >= '0' && c <= '9')) return integer();
    for (auto [word, kind, b] : {std::tuple{"True", PyValue::Kind::kBool, true},
                                 std::tuple{"False", PyValue::Kind::kBool, false},
                                 std::tuple{"None", PyValue::Kind::kNone, false}}) {
      if (text_.substr(pos_).starts_with(word)) {
        pos_ += std::strlen(word);
        PyValue v;
        v.kind = kind;
        v.boolean = b;
        return v;
      }
    }
    error("expected a Python literal");
  }

  PyValue string() {
    const char quote = text_[pos_++];
    PyValue v;
    v.kind = PyValue::Kind::kStr;
    while (true) {
      if (at_end()) error("unterminated string");
      char c = text_[pos_++];
      if (c == quote) break;
      if (c == '\\') {
        if (at_end()) error("unterminated string");
        c = text_[pos_++];
      }
      v.text += c;
    }
    return v;
  }

  PyValue integer() {
    const bool negative = peek() == '-';
    if (peek() == '-' || peek() == '+') ++pos_;
    if (!(peek() >= '0' && peek() <= '9')) error("expected a digit");
    uint64_t n = 0;
    while (peek() >= '0' && peek() <= '9') {
      const auto digit = static_cast<uint64_t>(peek() - '0');
      if (n > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - digit) / 10) {
        error("integer too big");
      }
      n = n * 10 + digit;
      ++pos_;
    }
    if (peek() == 'L' || peek() == 'l') ++pos_;  // Python 2 longs, in files from old NumPy
    PyValue v;
    v.kind = PyValue::Kind::kInt;
    v.integer = negative ? -static_cast<int64_t>(n) : static_cast<int64_t>(n);
    return v;
  }

  // "(a, b)", "(a,)", "()", "[a, b]"; "(a)" is just a, as in Python.
  PyValue sequence(int depth) {
    const char close = text_[pos_++] == '(' ? ')' : ']';
    PyValue v;
    v.kind = close == ')' ? PyValue::Kind::kTuple : PyValue::Kind::kList;
    bool comma = false;
    skip_space();
    while (peek() != close) {
      v.items.push_back(value(depth + 1));
      skip_space();
      comma = false;
      if (peek() == ',') {
        ++pos_;
        comma = true;
        skip_space();
      } else if (peek() != close) {
        error(str("expected ',' or '", close, "'"));
      }
    }
    ++pos_;
    if (close == ')' && v.items.size() == 1 && !comma) return std::move(v.items[0]);
    return v;
  }

  PyValue dict(int depth) {
    ++pos_;
    PyValue v;
    v.kind = PyValue::Kind::kDict;
    skip_space();
    while (peek() != '}') {
      v.items.push_back(value(depth + 1));
      expect(':');
      v.items.push_back(value(depth + 1));
      skip_space();
      if (peek() == ',') {
        ++pos_;
        skip_space();
      } else if (peek() != '}') {
        error("expected ',' or '}'");
      }
    }
    ++pos_;
    return v;
  }

  std::string_view text_;
  const std::string& what_;
  size_t pos_ = 0;
};

struct NpyHeader {
  DType dtype = float32;
  char text = 0;       // 'U' (UTF-32 code points) or 'S' (bytes) for a string dtype
  uint64_t width = 0;  // bytes per element
  bool swap = false;   // data is in the opposite byte order to this machine's
  bool fortran = false;
  Shape shape;
};

bool host_little() {
  return std::endian::native == std::endian::little;
}

void parse_descr(const std::string& descr, NpyHeader& h, const std::string& what) {
  std::string_view d = descr;
  char order = '=';
  if (!d.empty() && std::string_view("<>|=").find(d[0]) != std::string_view::npos) {
    order = d[0];
    d.remove_prefix(1);
  }
  if (d.size() >= 2 && (d[0] == 'U' || d[0] == 'S') &&
      d.find_first_not_of("0123456789", 1) == std::string_view::npos && d.size() <= 10) {
    const uint64_t chars = std::stoull(std::string(d.substr(1)));
    if (chars == 0) fail(what, ".npy dtype '", excerpt(descr), "' has no characters");
    h.dtype = string_;
    h.text = d[0];
    h.width = d[0] == 'U' ? 4 * chars : chars;
    if (d[0] == 'U' && order == '|') {
      throw TypeError(
          str(what, ": .npy dtype '", excerpt(descr), "' needs a byte order ('<', '>' or '=')"));
    }
    h.swap = d[0] == 'U' && ((order == '<' && !host_little()) || (order == '>' && host_little()));
    return;
  }
  static constexpr std::pair<std::string_view, DType> kTypes[] = {
      {"f4", float32}, {"f8", float64}, {"i4", int32}, {"i8", int64}, {"u1", uint8}, {"b1", bool_}};
  const auto* it = std::find_if(std::begin(kTypes), std::end(kTypes),
                                [&](const auto& t) { return t.first == d; });
  if (it == std::end(kTypes)) {
    throw TypeError(str(what, ": unsupported .npy dtype '", excerpt(descr),
                        "'; supported: <f4 <f8 <i4 <i8 |u1 |b1 <U|S<n> (any byte order)"));
  }
  h.dtype = it->second;
  h.width = dtype_size(h.dtype);
  if (dtype_size(h.dtype) > 1) {
    if (order == '|') {
      throw TypeError(
          str(what, ": .npy dtype '", excerpt(descr), "' needs a byte order ('<', '>' or '=')"));
    }
    h.swap = (order == '<' && !host_little()) || (order == '>' && host_little());
  }
}

NpyHeader parse_header(std::string_view text, const std::string& what) {
  const PyValue v = HeaderParser(text, what).parse();
  if (v.kind != PyValue::Kind::kDict) fail(what, ".npy header is not a dictionary: ", quoted(text));
  const PyValue* descr = nullptr;
  const PyValue* fortran = nullptr;
  const PyValue* shape = nullptr;
  for (size_t i = 0; i < v.items.size(); i += 2) {
    const PyValue& key = v.items[i];
    const PyValue** slot = nullptr;
    if (key.kind == PyValue::Kind::kStr) {
      if (key.text == "descr") slot = &descr;
      if (key.text == "fortran_order") slot = &fortran;
      if (key.text == "shape") slot = &shape;
    }
    if (slot == nullptr) fail(what, ".npy header has an unexpected key: ", quoted(text));
    if (*slot != nullptr) fail(what, ".npy header repeats key '", excerpt(key.text), "'");
    *slot = &v.items[i + 1];
  }
  if (!descr || !fortran || !shape) {
    fail(what, ".npy header lacks 'descr', 'fortran_order' or 'shape': ", quoted(text));
  }
  NpyHeader h;
  if (descr->kind != PyValue::Kind::kStr) {
    throw TypeError(
        str(what, ": unsupported .npy dtype (structured or not a string): ", quoted(text)));
  }
  parse_descr(descr->text, h, what);
  if (fortran->kind != PyValue::Kind::kBool) fail(what, "'fortran_order' is not True or False");
  h.fortran = fortran->boolean;
  if (shape->kind != PyValue::Kind::kTuple) fail(what, "'shape' is not a tuple: ", quoted(text));
  if (shape->items.size() > kMaxRank) fail(what, "'shape' has more than ", kMaxRank, " dimensions");
  for (const PyValue& d : shape->items) {
    if (d.kind != PyValue::Kind::kInt || d.integer < 0) {
      fail(what, "'shape' must hold non-negative integers: ", quoted(text));
    }
    h.shape.push_back(d.integer);
  }
  return h;
}

void byteswap(void* data, size_t count, size_t width) {
  auto* p = static_cast<unsigned char*>(data);
  for (size_t i = 0; i < count; ++i, p += width) std::reverse(p, p + width);
}

// Column-major `src` of `shape` -> row-major `dst`.
void fortran_to_c(const char* src, char* dst, const Shape& shape, size_t width) {
  const size_t rank = shape.size();
  std::vector<int64_t> stride(rank), index(rank, 0);
  for (size_t k = 0, s = 1; k < rank; s *= static_cast<size_t>(shape[k]), ++k) {
    stride[k] = static_cast<int64_t>(s);
  }
  const int64_t n = num_elements(shape);
  int64_t offset = 0;
  for (int64_t i = 0; i < n; ++i, dst += width) {
    std::memcpy(dst, src + static_cast<size_t>(offset) * width, width);
    for (size_t k = rank; k-- > 0;) {
      if (++index[k] < shape[k]) {
        offset += stride[k];
        break;
      }
      index[k] = 0;
      offset -= stride[k] * (shape[k] - 1);
    }
  }
}

// One element of a 'U' (UTF-32 code points) or 'S' (bytes) array as UTF-8, trailing NULs
// dropped as NumPy drops them.
std::string decode_text(const char* p, uint64_t width, char kind, const std::string& what) {
  std::string out;
  if (kind == 'S') {
    out.assign(p, width);
  } else {
    for (uint64_t i = 0; i < width; i += 4) {
      uint32_t c = 0;
      std::memcpy(&c, p + i, 4);
      if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        fail(what, "a string holds an invalid code point ", c);
      }
      if (c < 0x80) {
        out += static_cast<char>(c);
      } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
      } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
      } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
      }
    }
  }
  while (!out.empty() && out.back() == '\0') out.pop_back();
  return out;
}

// UTF-8 `s` as code points; false when it is not valid UTF-8.
bool utf8_code_points(const std::string& s, std::vector<uint32_t>& out) {
  out.clear();
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const int n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + static_cast<size_t>(n) > s.size()) return false;
    uint32_t c = n == 1 ? b : b & (0x7F >> n);
    for (int k = 1; k < n; ++k) {
      const auto cont = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
      if ((cont >> 6) != 2) return false;
      c = (c << 6) | (cont & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < kMin[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
    out.push_back(c);
    i += static_cast<size_t>(n);
  }
  return true;
}

Tensor read_npy(Source& src, const std::string& what) {
  if (src.remaining() < 10) fail(what, "too short to be a .npy file (", src.remaining(), " bytes)");
  char prefix[12];
  src.read(prefix, 8);
  if (std::string_view(prefix, 6) != kMagic) {
    fail(what, "not a .npy file: expected the magic \\x93NUMPY, found ",
         quoted(std::string_view(prefix, 6)));
  }
  const int major = static_cast<unsigned char>(prefix[6]);
  const int minor = static_cast<unsigned char>(prefix[7]);
  if (minor != 0 || major < 1 || major > 3) {
    fail(what, "unsupported .npy format version ", major, ".", minor, " (expected 1.0, 2.0, 3.0)");
  }
  uint64_t header_len;
  if (major == 1) {
    src.read(prefix + 8, 2);
    header_len = le16(prefix + 8);
  } else {
    if (src.remaining() < 4) fail(what, "truncated .npy header");
    src.read(prefix + 8, 4);
    header_len = le32(prefix + 8);
  }
  if (header_len > kMaxHeaderLen) fail(what, ".npy header length ", header_len, " is absurd");
  if (header_len > src.remaining()) {
    fail(what, "truncated: the .npy header needs ", header_len, " bytes but only ", src.remaining(),
         " remain");
  }
  std::string text(header_len, '\0');
  src.read(text.data(), text.size());
  const NpyHeader h = parse_header(text, what);

  const uint64_t width = h.width;
  uint64_t nonzero = 1;
  bool empty = false;
  for (int64_t d : h.shape) {
    if (d == 0) {
      empty = true;
    } else if (nonzero > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / width /
                             static_cast<uint64_t>(d)) {
      fail(what, "shape ", shape_str(h.shape), " has too many elements");
    } else {
      nonzero *= static_cast<uint64_t>(d);
    }
  }
  const uint64_t nbytes = empty ? 0 : nonzero * width;
  if (nbytes != src.remaining()) {
    fail(what, "header describes shape ", shape_str(h.shape), " of dtype ", h.dtype, " (", nbytes,
         " bytes of data) but ", src.remaining(), " bytes follow the header",
         nbytes > src.remaining() ? " (truncated file?)" : "");
  }
  Tensor t = Tensor::empty(h.shape, h.dtype, Device::cpu());
  const size_t count = static_cast<size_t>(t.size());
  if (h.dtype == string_) {
    std::vector<char> buf(nbytes), ordered(h.fortran && t.rank() > 1 ? nbytes : 0);
    src.read(buf.data(), buf.size());
    if (!ordered.empty()) {
      fortran_to_c(buf.data(), ordered.data(), h.shape, width);
      buf.swap(ordered);
    }
    if (h.swap) byteswap(buf.data(), nbytes / 4, 4);
    const std::span<std::string> out = t.strings();
    for (size_t i = 0; i < count; ++i) {
      out[i] = decode_text(buf.data() + i * width, width, h.text, what);
    }
    return t;
  }
  if (h.fortran && t.rank() > 1) {
    std::vector<char> buf(nbytes);
    src.read(buf.data(), buf.size());
    fortran_to_c(buf.data(), static_cast<char*>(t.host_data()), h.shape, width);
  } else {
    src.read(t.host_data(), nbytes);
  }
  if (h.swap) byteswap(t.host_data(), count, width);
  if (h.dtype == bool_) {
    // A bool holding anything but 0 or 1 is undefined behaviour in C++.
    auto* p = static_cast<unsigned char*>(t.host_data());
    for (size_t i = 0; i < count; ++i) p[i] = p[i] != 0;
  }
  return t;
}

// ---- writing ----

void check_writable(const Tensor& t, std::string_view fn) {
  KERAS_CHECK(t.defined(), ValueError, fn, ": cannot save an undefined tensor");
}

// What a tensor's .npy holds after its header: its dtype's descr and its bytes (a string
// tensor's as NumPy's '<U<n>' of UTF-32 code points, or '|S<n>' bytes when one is not UTF-8).
struct Payload {
  std::string descr;
  std::string text;  // a string tensor's bytes
  const char* data = nullptr;
  size_t size = 0;
};

Payload payload(const Tensor& t) {
  Payload p;
  if (t.dtype() != string_) {
    const size_t width = dtype_size(t.dtype());
    const char order = width == 1 ? '|' : host_little() ? '<' : '>';
    const char kind = is_floating(t.dtype()) ? 'f'
                      : t.dtype() == bool_   ? 'b'
                      : t.dtype() == uint8   ? 'u'
                                             : 'i';
    p.descr = str(order, kind, width);
    p.data = static_cast<const char*>(t.host_data());
    p.size = t.nbytes();
    return p;
  }
  const std::span<std::string> values = t.strings();
  std::vector<std::vector<uint32_t>> points(values.size());
  bool utf8 = true;
  size_t chars = 1, bytes = 1;
  for (size_t i = 0; i < values.size(); ++i) {
    utf8 = utf8 && utf8_code_points(values[i], points[i]);
    chars = std::max(chars, points[i].size());
    bytes = std::max(bytes, values[i].size());
  }
  if (utf8) {
    p.descr = str(host_little() ? '<' : '>', 'U', chars);
    p.text.assign(values.size() * chars * 4, '\0');
    for (size_t i = 0; i < values.size(); ++i) {
      std::memcpy(p.text.data() + i * chars * 4, points[i].data(), points[i].size() * 4);
    }
  } else {
    p.descr = str("|S", bytes);
    p.text.assign(values.size() * bytes, '\0');
    for (size_t i = 0; i < values.size(); ++i) {
      std::memcpy(p.text.data() + i * bytes, values[i].data(), values[i].size());
    }
  }
  p.data = p.text.data();
  p.size = p.text.size();
  return p;
}

std::string npy_prefix(const Tensor& t, const std::string& descr) {
  std::string dict = str("{'descr': '", descr, "', 'fortran_order': False, 'shape': (");
  for (int i = 0; i < t.rank(); ++i) dict += str(i ? ", " : "", t.shape()[i]);
  dict += t.rank() == 1 ? ",), }" : "), }";
  // Pad with spaces so the data starts at a multiple of 64 bytes, as NumPy does.
  int major = 1;
  size_t fixed = 10;
  size_t len = (dict.size() + 1 + fixed + 63) / 64 * 64 - fixed;
  if (len > kU16Max) {
    major = 2;
    fixed = 12;
    len = (dict.size() + 1 + fixed + 63) / 64 * 64 - fixed;
  }
  std::string out(kMagic);
  out += static_cast<char>(major);
  out += '\0';
  if (major == 1) {
    put16(out, len);
  } else {
    put32(out, len);
  }
  out += dict;
  out.append(len - dict.size() - 1, ' ');
  out += '\n';
  return out;
}

void write_all(std::ofstream& out, const void* data, size_t n, const std::string& path) {
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
  if (!out) fail(path, "write failed (", errno_text(), ")");
}

// Runs `body` on a temporary file next to `path` and renames it over `path` when it succeeds.
void write_atomically(const std::string& path, const std::function<void(std::ofstream&)>& body) {
  internal::AtomicFile file(path);
  std::ofstream out(file.temp_path(), std::ios::binary | std::ios::trunc);
  if (!out) fail(path, "cannot open for writing (", errno_text(), ")");
  body(out);
  out.close();
  if (out.fail()) fail(path, "write failed (", errno_text(), ")");
  file.commit();
}

}  // namespace

Tensor parse_npy(std::string_view bytes, const std::string& what) {
  MemoryBytes image(bytes, what);
  RangeSource src(image, 0, bytes.size(), what, false);
  return read_npy(src, what);
}

std::string serialize_npy(const Tensor& array) {
  check_writable(array, "serialize_npy");
  const Tensor t = array.cpu();
  const Payload p = payload(t);
  std::string out = npy_prefix(t, p.descr);
  out.append(p.data, p.size);
  return out;
}

Tensor load_npy(const std::string& path) {
  FileBytes file(path);
  RangeSource src(file, 0, file.size(), path, false);
  return read_npy(src, path);
}

void save_npy(const std::string& path, const Tensor& array) {
  check_writable(array, "save_npy");
  const Tensor t = array.cpu();
  write_atomically(path, [&](std::ofstream& out) {
    const Payload p = payload(t);
    const std::string prefix = npy_prefix(t, p.descr);
    write_all(out, prefix.data(), prefix.size(), path);
    write_all(out, p.data, p.size, path);
  });
}

std::map<std::string, Tensor> load_npz(const std::string& path) {
  FileBytes file(path);
  if (file.size() >= kMagic.size() && file.read_range(0, kMagic.size(), "magic") == kMagic) {
    fail(path, "is a .npy file, not an .npz archive (use load_npy)");
  }
  zip::Reader reader(file, "npz (zip) archive");
  std::map<std::string, Tensor> out;
  for (const zip::Entry& e : reader.entries()) {
    if (e.name.ends_with('/')) continue;  // a directory
    if (!e.name.ends_with(".npy") || e.name.size() == 4) {
      fail(path, "archive member ", quoted(e.name), " is not a .npy array");
    }
    const std::string key = e.name.substr(0, e.name.size() - 4);
    if (out.contains(key)) fail(path, "archive holds ", quoted(e.name), " twice");
    reader.read(
        e, [&](Source& src, const std::string& what) { out.emplace(key, read_npy(src, what)); });
  }
  return out;
}

void save_npz(const std::string& path,
              const std::map<std::string, Tensor>& arrays,
              bool compressed) {
  for (const auto& [name, t] : arrays) {
    KERAS_CHECK(!name.empty() && name.find('\0') == std::string::npos && name.size() + 4 <= kU16Max,
                ValueError, "save_npz: invalid array name ", quoted(name));
    check_writable(t, "save_npz");
  }
  write_atomically(path, [&](std::ofstream& out) {
    zip::Writer writer(out, path);
    for (const auto& [name, array] : arrays) {
      const Tensor t = array.cpu();
      const Payload p = payload(t);
      const std::string prefix = npy_prefix(t, p.descr);
      writer.add(name + ".npy", {prefix, {p.data, p.size}}, compressed);
    }
    writer.finish();
  });
}

}  // namespace keras::io
