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
  bool swap = false;  // data is in the opposite byte order to this machine's
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
  static constexpr std::pair<std::string_view, DType> kTypes[] = {
      {"f4", float32}, {"f8", float64}, {"i4", int32}, {"i8", int64}, {"u1", uint8}, {"b1", bool_}};
  const auto* it = std::find_if(std::begin(kTypes), std::end(kTypes),
                                [&](const auto& t) { return t.first == d; });
  if (it == std::end(kTypes)) {
    throw TypeError(str(what, ": unsupported .npy dtype '", excerpt(descr),
                        "'; supported: <f4 <f8 <i4 <i8 |u1 |b1 (any byte order)"));
  }
  h.dtype = it->second;
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

  const uint64_t width = dtype_size(h.dtype);
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

std::string npy_prefix(const Tensor& t) {
  const size_t width = dtype_size(t.dtype());
  const char order = width == 1 ? '|' : host_little() ? '<' : '>';
  const char kind = is_floating(t.dtype()) ? 'f'
                    : t.dtype() == bool_   ? 'b'
                    : t.dtype() == uint8   ? 'u'
                                           : 'i';
  std::string dict =
      str("{'descr': '", order, kind, width, "', 'fortran_order': False, 'shape': (");
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
  std::string out = npy_prefix(t);
  out.append(static_cast<const char*>(t.host_data()), t.nbytes());
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
    const std::string prefix = npy_prefix(t);
    write_all(out, prefix.data(), prefix.size(), path);
    write_all(out, t.host_data(), t.nbytes(), path);
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
      const std::string prefix = npy_prefix(t);
      writer.add(name + ".npy", {prefix, {static_cast<const char*>(t.host_data()), t.nbytes()}},
                 compressed);
    }
    writer.finish();
  });
}

}  // namespace keras::io
