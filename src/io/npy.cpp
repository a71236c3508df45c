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

namespace keras::io {
namespace {

constexpr std::string_view kMagic{"\x93NUMPY", 6};
// NumPy's own headers are a few hundred bytes; this only bounds a hostile one.
constexpr uint64_t kMaxHeaderLen = uint64_t{1} << 20;
constexpr int kMaxRank = 64;
constexpr int kMaxNesting = 32;
// Deflate cannot expand data by more than about 1032:1; the slack covers tiny streams.
constexpr uint64_t kMaxDeflateRatio = 1032;
constexpr uint64_t kDeflateSlack = 1024;
constexpr size_t kChunk = size_t{1} << 16;

constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEocdSig = 0x06054b50;
constexpr uint32_t kZip64EocdSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kLocalLen = 30;
constexpr size_t kCentralLen = 46;
constexpr size_t kEocdLen = 22;
constexpr size_t kZip64EocdLen = 56;
constexpr size_t kZip64LocatorLen = 20;
constexpr uint32_t kU32Max = 0xFFFFFFFF;
constexpr uint16_t kU16Max = 0xFFFF;
constexpr uint16_t kDosDate1980 = (0 << 9) | (1 << 5) | 1;  // 1980-01-01, for reproducible files

template <class... Args>
[[noreturn]] void fail(const std::string& what, Args&&... parts) {
  throw IOError(str(what, ": ", std::forward<Args>(parts)...));
}

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

uint16_t le16(const void* p) {
  const auto* b = static_cast<const unsigned char*>(p);
  return static_cast<uint16_t>(b[0] | b[1] << 8);
}
uint32_t le32(const void* p) {
  const auto* b = static_cast<const unsigned char*>(p);
  return uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24;
}
uint64_t le64(const void* p) {
  const auto* b = static_cast<const unsigned char*>(p);
  return uint64_t{le32(b)} | uint64_t{le32(b + 4)} << 32;
}
void put16(std::string& s, uint64_t v) {
  for (int i = 0; i < 2; ++i) s += static_cast<char>(v >> (8 * i));
}
void put32(std::string& s, uint64_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>(v >> (8 * i));
}
void put64(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s += static_cast<char>(v >> (8 * i));
}

uint32_t crc_update(uint32_t crc, const void* data, size_t n) {
  return static_cast<uint32_t>(crc32_z(crc, static_cast<const Bytef*>(data), n));
}

// ---- sequential byte sources: a whole file, a byte range of an archive, memory, inflate ----

class Source {
 public:
  explicit Source(bool track_crc) : track_crc_(track_crc) {}
  virtual ~Source() = default;
  // Exact number of bytes still to come.
  virtual uint64_t remaining() const = 0;
  // Reads exactly n <= remaining() bytes or throws IOError.
  void read(void* dst, size_t n) {
    if (n == 0) return;
    do_read(dst, n);
    if (track_crc_) crc_ = crc_update(crc_, dst, n);
  }
  uint32_t crc() const { return crc_; }

 protected:
  virtual void do_read(void* dst, size_t n) = 0;

 private:
  bool track_crc_;
  uint32_t crc_ = 0;
};

class MemorySource final : public Source {
 public:
  explicit MemorySource(std::string_view bytes) : Source(false), bytes_(bytes) {}
  uint64_t remaining() const override { return bytes_.size() - pos_; }

 private:
  void do_read(void* dst, size_t n) override {
    std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
  }
  std::string_view bytes_;
  size_t pos_ = 0;
};

// Reads [begin, begin + size) of an open file.
class FileSource final : public Source {
 public:
  FileSource(std::ifstream& in,
             uint64_t begin,
             uint64_t size,
             const std::string& what,
             bool track_crc = false)
      : Source(track_crc), in_(in), left_(size), what_(what) {
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(begin));
    if (!in_) fail(what_, "cannot seek to offset ", begin);
  }
  uint64_t remaining() const override { return left_; }

 private:
  void do_read(void* dst, size_t n) override {
    in_.read(static_cast<char*>(dst), static_cast<std::streamsize>(n));
    if (static_cast<size_t>(in_.gcount()) != n) {
      fail(what_, "read error or unexpected end of file (", errno_text(), ")");
    }
    left_ -= n;
  }
  std::ifstream& in_;
  uint64_t left_;
  const std::string& what_;
};

// Inflates a raw deflate stream of `compressed` bytes that must yield exactly `uncompressed`.
class InflateSource final : public Source {
 public:
  InflateSource(std::ifstream& in,
                uint64_t begin,
                uint64_t compressed,
                uint64_t uncompressed,
                const std::string& what)
      : Source(true),
        raw_(in, begin, compressed, what),
        left_(uncompressed),
        what_(what),
        buf_(kChunk) {
    if (inflateInit2(&zs_, -15) != Z_OK) fail(what_, "cannot initialize zlib");
  }
  ~InflateSource() override { inflateEnd(&zs_); }
  uint64_t remaining() const override { return left_; }

  // Checks that the stream ends exactly here and used every compressed byte.
  void finish() {
    if (!ended_) {
      unsigned char extra;
      zs_.next_out = &extra;
      zs_.avail_out = 1;
      while (!ended_ && zs_.avail_out == 1) step();
      if (zs_.avail_out == 0) fail(what_, "deflate data is longer than the declared size");
    }
    if (zs_.avail_in != 0 || raw_.remaining() != 0) {
      fail(what_, "deflate stream ends before the declared compressed size");
    }
  }

 private:
  void do_read(void* dst, size_t n) override {
    zs_.next_out = static_cast<Bytef*>(dst);
    while (n > 0) {
      const uInt want = static_cast<uInt>(std::min<size_t>(n, std::numeric_limits<uInt>::max()));
      zs_.avail_out = want;
      while (zs_.avail_out > 0) {
        if (ended_) fail(what_, "deflate data is shorter than the declared size");
        step();
      }
      n -= want;
    }
  }

  void step() {
    if (zs_.avail_in == 0 && raw_.remaining() > 0) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(raw_.remaining(), buf_.size()));
      raw_.read(buf_.data(), n);
      zs_.next_in = buf_.data();
      zs_.avail_in = static_cast<uInt>(n);
    }
    const uInt before = zs_.avail_out;
    const int ret = inflate(&zs_, Z_NO_FLUSH);
    left_ -= std::min<uint64_t>(left_, before - zs_.avail_out);
    if (ret == Z_STREAM_END) {
      ended_ = true;
    } else if (ret == Z_BUF_ERROR && zs_.avail_in == 0 && raw_.remaining() == 0) {
      fail(what_, "deflate data is truncated");
    } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
      fail(what_, "corrupt deflate data (", zs_.msg ? zs_.msg : "zlib error", ")");
    }
  }

  FileSource raw_;
  uint64_t left_;
  const std::string& what_;
  std::vector<unsigned char> buf_;
  z_stream zs_{};
  bool ended_ = false;
};

// ---- the .npy header: a Python dict literal ----

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

// ---- reading files ----

uint64_t open_for_reading(std::ifstream& in, const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, not a file");
  in.open(path, std::ios::binary);
  if (!in) fail(path, "cannot open for reading (", errno_text(), ")");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (!in || size < 0) fail(path, "cannot determine the file size");
  in.seekg(0);
  return static_cast<uint64_t>(size);
}

struct ZipEntry {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t compressed = 0;
  uint64_t uncompressed = 0;
  uint64_t offset = 0;  // of the local header
  uint64_t data = 0;    // of the member's bytes
};

// Replaces the 0xFFFFFFFF / 0xFFFF placeholders of `fields` from a zip64 extra field.
void apply_zip64(std::string_view extra,
                 std::initializer_list<std::pair<uint64_t*, int>> fields,
                 const std::string& what) {
  while (extra.size() >= 4) {
    const uint16_t id = le16(extra.data());
    const uint16_t size = le16(extra.data() + 2);
    if (size > extra.size() - 4) fail(what, "zip extra field overruns its header");
    std::string_view body = extra.substr(4, size);
    extra.remove_prefix(4 + size);
    if (id != 0x0001) continue;
    for (auto [field, width] : fields) {
      const uint64_t placeholder = width == 8 ? kU32Max : kU16Max;
      if (*field != placeholder) continue;
      const size_t n = width == 8 ? 8 : 4;
      if (body.size() < n) fail(what, "zip64 extra field is too short");
      *field = n == 8 ? le64(body.data()) : le32(body.data());
      body.remove_prefix(n);
    }
    return;
  }
}

class NpzReader {
 public:
  explicit NpzReader(const std::string& path) : path_(path) { size_ = open_for_reading(in_, path); }

  std::map<std::string, Tensor> load() {
    std::vector<ZipEntry> entries = central_directory();
    std::erase_if(entries, [](const ZipEntry& e) { return e.name.ends_with('/'); });
    std::map<std::string, const ZipEntry*> by_key;
    std::vector<std::pair<uint64_t, uint64_t>> spans;
    for (ZipEntry& e : entries) {
      if (!e.name.ends_with(".npy") || e.name.size() == 4) {
        fail(path_, "archive member ", quoted(e.name), " is not a .npy array");
      }
      if (!by_key.emplace(e.name.substr(0, e.name.size() - 4), &e).second) {
        fail(path_, "archive holds ", quoted(e.name), " twice");
      }
      locate(e);
      spans.emplace_back(e.offset, e.data + e.compressed);
    }
    std::sort(spans.begin(), spans.end());
    for (size_t i = 1; i < spans.size(); ++i) {
      if (spans[i].first < spans[i - 1].second) fail(path_, "corrupt zip: archive members overlap");
    }
    std::map<std::string, Tensor> out;
    for (const auto& [key, e] : by_key) out.emplace(key, read_member(*e));
    return out;
  }

 private:
  std::string read_at(uint64_t offset, uint64_t n, std::string_view purpose) {
    if (offset > size_ || n > size_ - offset) {
      fail(path_, "truncated or corrupt zip: ", purpose, " at offset ", offset, " (", n,
           " bytes) lies outside the ", size_, "-byte file");
    }
    std::string buf(static_cast<size_t>(n), '\0');
    FileSource(in_, offset, n, path_).read(buf.data(), buf.size());
    return buf;
  }

  std::vector<ZipEntry> central_directory() {
    if (size_ < kEocdLen) not_a_zip();
    const uint64_t tail_len = std::min<uint64_t>(size_, kEocdLen + kU16Max);
    const std::string tail = read_at(size_ - tail_len, tail_len, "end of archive");
    // The record is the last signature whose comment length reaches exactly the end of the file.
    size_t at = std::string::npos;
    for (size_t i = tail.size() - kEocdLen + 1; i-- > 0;) {
      if (le32(tail.data() + i) == kEocdSig && i + kEocdLen + le16(&tail[i + 20]) == tail.size()) {
        at = i;
        break;
      }
    }
    if (at == std::string::npos) not_a_zip();
    const char* r = tail.data() + at;
    const uint64_t eocd = size_ - tail_len + at;
    uint64_t disk = le16(r + 4), cd_disk = le16(r + 6), count = le16(r + 10);
    uint64_t cd_size = le32(r + 12), cd_offset = le32(r + 16);
    uint64_t cd_end_limit = eocd;
    if (eocd >= kZip64LocatorLen) {
      const std::string loc = read_at(eocd - kZip64LocatorLen, kZip64LocatorLen, "zip64 locator");
      if (le32(loc.data()) == kZip64LocatorSig) {
        const uint64_t z = le64(loc.data() + 8);
        if (z > eocd - kZip64LocatorLen || eocd - kZip64LocatorLen - z < kZip64EocdLen) {
          fail(path_, "corrupt zip64 end-of-central-directory locator");
        }
        const std::string rec = read_at(z, kZip64EocdLen, "zip64 end of central directory");
        if (le32(rec.data()) != kZip64EocdSig) {
          fail(path_, "corrupt zip: no zip64 end-of-central-directory record at offset ", z);
        }
        disk = le32(rec.data() + 16);
        cd_disk = le32(rec.data() + 20);
        count = le64(rec.data() + 32);
        cd_size = le64(rec.data() + 40);
        cd_offset = le64(rec.data() + 48);
        cd_end_limit = z;
      }
    }
    if (disk != 0 || cd_disk != 0) fail(path_, "multi-disk zip archives are not supported");
    if (cd_offset > cd_end_limit || cd_size > cd_end_limit - cd_offset) {
      fail(path_, "corrupt zip: central directory (offset ", cd_offset, ", ", cd_size,
           " bytes) does not fit before the end record at offset ", cd_end_limit);
    }
    if (count > cd_size / kCentralLen) {
      fail(path_, "corrupt zip: ", count, " entries cannot fit in a ", cd_size,
           "-byte central directory");
    }
    cd_offset_ = cd_offset;
    const std::string cd = read_at(cd_offset, cd_size, "central directory");
    std::vector<ZipEntry> entries;
    size_t pos = 0;
    for (uint64_t i = 0; i < count; ++i) {
      if (cd.size() - pos < kCentralLen || le32(&cd[pos]) != kCentralSig) {
        fail(path_, "corrupt zip: bad central directory entry ", i, " at offset ", cd_offset + pos);
      }
      const char* h = &cd[pos];
      ZipEntry e;
      e.flags = le16(h + 8);
      e.method = le16(h + 10);
      e.crc = le32(h + 16);
      e.compressed = le32(h + 20);
      e.uncompressed = le32(h + 24);
      const size_t name_len = le16(h + 28), extra_len = le16(h + 30), comment_len = le16(h + 32);
      uint64_t entry_disk = le16(h + 34);
      e.offset = le32(h + 42);
      if (cd.size() - pos - kCentralLen < name_len + extra_len + comment_len) {
        fail(path_, "corrupt zip: central directory entry ", i, " overruns the directory");
      }
      e.name = cd.substr(pos + kCentralLen, name_len);
      const std::string what = str(path_, ":", excerpt(e.name));
      apply_zip64(std::string_view(cd).substr(pos + kCentralLen + name_len, extra_len),
                  {{&e.uncompressed, 8}, {&e.compressed, 8}, {&e.offset, 8}, {&entry_disk, 4}},
                  what);
      if (entry_disk != 0) fail(what, "multi-disk zip archives are not supported");
      if (e.flags & 0x41) fail(what, "encrypted zip members are not supported");
      if (e.method != 0 && e.method != 8) {
        fail(what, "unsupported zip compression method ", e.method, " (expected 0 or 8)");
      }
      if (e.name.find('\0') != std::string::npos) fail(what, "zip member name contains NUL");
      if (e.method == 8 && e.uncompressed > kDeflateSlack &&
          (e.uncompressed - kDeflateSlack) / kMaxDeflateRatio > e.compressed) {
        fail(what, "claims ", e.uncompressed, " bytes from ", e.compressed,
             " compressed bytes, beyond what deflate can produce");
      }
      pos += kCentralLen + name_len + extra_len + comment_len;
      entries.push_back(std::move(e));
    }
    if (pos != cd.size()) fail(path_, "corrupt zip: central directory size disagrees with entries");
    return entries;
  }

  // Checks the local header against the central directory and finds the member's data.
  void locate(ZipEntry& e) {
    const std::string what = str(path_, ":", excerpt(e.name));
    if (e.offset > cd_offset_ || cd_offset_ - e.offset < kLocalLen) {
      fail(what, "local header offset ", e.offset, " lies outside the archive's data area");
    }
    const std::string h = read_at(e.offset, kLocalLen, "local header");
    if (le32(h.data()) != kLocalSig) fail(what, "bad local header signature at ", e.offset);
    const uint16_t flags = le16(h.data() + 6);
    const uint16_t method = le16(h.data() + 8);
    const size_t name_len = le16(h.data() + 26), extra_len = le16(h.data() + 28);
    if (method != e.method) fail(what, "local and central headers disagree on compression");
    if (cd_offset_ - e.offset - kLocalLen < name_len + extra_len) {
      fail(what, "local header overruns the central directory");
    }
    const std::string rest = read_at(e.offset + kLocalLen, name_len + extra_len, "local header");
    if (rest.compare(0, name_len, e.name) != 0) {
      fail(what, "local header names ", quoted(rest.substr(0, name_len)));
    }
    e.data = e.offset + kLocalLen + name_len + extra_len;
    if (e.compressed > cd_offset_ - e.data) {
      fail(what, "member data (", e.compressed, " bytes at offset ", e.data,
           ") runs into the central directory at offset ", cd_offset_);
    }
    if (!(flags & 0x08)) {  // without a data descriptor, the local sizes must be the real ones
      uint64_t compressed = le32(h.data() + 18), uncompressed = le32(h.data() + 22);
      apply_zip64(std::string_view(rest).substr(name_len), {{&uncompressed, 8}, {&compressed, 8}},
                  what);
      if (le32(h.data() + 14) != e.crc || compressed != e.compressed ||
          uncompressed != e.uncompressed) {
        fail(what, "local and central headers disagree on CRC or sizes");
      }
    }
  }

  Tensor read_member(const ZipEntry& e) {
    const std::string what = str(path_, ":", excerpt(e.name));
    Tensor t;
    uint32_t crc;
    if (e.method == 0) {
      if (e.compressed != e.uncompressed) fail(what, "stored member sizes disagree");
      FileSource src(in_, e.data, e.compressed, what, /*track_crc=*/true);
      t = read_npy(src, what);
      crc = src.crc();
    } else {
      InflateSource src(in_, e.data, e.compressed, e.uncompressed, what);
      t = read_npy(src, what);
      src.finish();
      crc = src.crc();
    }
    if (crc != e.crc) fail(what, "CRC-32 mismatch (data is corrupt)");
    return t;
  }

  [[noreturn]] void not_a_zip() {
    char head[6] = {};
    in_.clear();
    in_.seekg(0);
    in_.read(head, sizeof head);
    if (in_.gcount() == 6 && std::string_view(head, 6) == kMagic) {
      fail(path_, "is a .npy file, not an .npz archive (use load_npy)");
    }
    fail(path_, "not an .npz (zip) archive: no end-of-central-directory record");
  }

  std::string path_;
  std::ifstream in_;
  uint64_t size_ = 0;
  uint64_t cd_offset_ = 0;
};

// ---- writing .npz ----

struct Written {
  std::string name;
  uint16_t method;
  uint32_t crc;
  uint64_t compressed, uncompressed, offset;
};

void write_local_header(std::ofstream& out, const Written& w, const std::string& path) {
  std::string h;
  put32(h, kLocalSig);
  put16(h, 45);  // version needed: zip64
  put16(h, 0);
  put16(h, w.method);
  put16(h, 0);
  put16(h, kDosDate1980);
  put32(h, w.crc);
  // Sizes always go in a zip64 extra field, as NumPy does, so the header never changes length.
  put32(h, kU32Max);
  put32(h, kU32Max);
  put16(h, w.name.size());
  put16(h, 20);
  h += w.name;
  put16(h, 1);
  put16(h, 16);
  put64(h, w.uncompressed);
  put64(h, w.compressed);
  write_all(out, h.data(), h.size(), path);
}

uint64_t tell(std::ofstream& out, const std::string& path) {
  const std::streamoff pos = out.tellp();
  if (pos < 0) fail(path, "cannot tell the write position");
  return static_cast<uint64_t>(pos);
}

void write_member(
    std::ofstream& out, Written& w, const Tensor& array, bool compressed, const std::string& path) {
  const Tensor t = array.cpu();
  const std::string prefix = npy_prefix(t);
  const auto* data = static_cast<const unsigned char*>(t.host_data());
  const size_t nbytes = t.nbytes();
  w.method = compressed ? 8 : 0;
  w.uncompressed = prefix.size() + nbytes;
  w.crc = crc_update(crc_update(0, prefix.data(), prefix.size()), data, nbytes);
  w.offset = tell(out, path);
  if (!compressed) {
    w.compressed = w.uncompressed;
    write_local_header(out, w, path);
    write_all(out, prefix.data(), prefix.size(), path);
    write_all(out, data, nbytes, path);
    return;
  }
  w.compressed = 0;
  write_local_header(out, w, path);
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    fail(path, "cannot initialize zlib");
  }
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, deflateEnd);
  std::vector<unsigned char> buf(kChunk);
  auto pump = [&](const void* in, size_t n, bool last) {
    auto* p = static_cast<const unsigned char*>(in);
    do {
      const size_t take = std::min<size_t>(n, std::numeric_limits<uInt>::max());
      zs.next_in = const_cast<Bytef*>(p);
      zs.avail_in = static_cast<uInt>(take);
      p += take;
      n -= take;
      const int flush = last && n == 0 ? Z_FINISH : Z_NO_FLUSH;
      int ret;
      do {
        zs.next_out = buf.data();
        zs.avail_out = static_cast<uInt>(buf.size());
        ret = deflate(&zs, flush);
        if (ret == Z_STREAM_ERROR) fail(path, "zlib deflate failed");
        const size_t produced = buf.size() - zs.avail_out;
        write_all(out, buf.data(), produced, path);
        w.compressed += produced;
      } while (zs.avail_out == 0 || (flush == Z_FINISH && ret != Z_STREAM_END));
    } while (n > 0);
  };
  pump(prefix.data(), prefix.size(), false);
  pump(data, nbytes, true);
  const uint64_t end = tell(out, path);
  out.seekp(static_cast<std::streamoff>(w.offset));
  write_local_header(out, w, path);
  out.seekp(static_cast<std::streamoff>(end));
  if (!out) fail(path, "seek failed while writing");
}

void write_central_directory(std::ofstream& out,
                             const std::vector<Written>& members,
                             const std::string& path) {
  const uint64_t cd_offset = tell(out, path);
  std::string cd;
  for (const Written& w : members) {
    std::string extra;
    auto field = [&](uint64_t v) {
      if (v < kU32Max) return v;
      put64(extra, v);
      return uint64_t{kU32Max};
    };
    const uint64_t uncompressed = field(w.uncompressed);
    const uint64_t compressed = field(w.compressed);
    const uint64_t offset = field(w.offset);
    if (!extra.empty()) {
      extra = std::string("\x01\x00", 2) + std::string(2, '\0') + extra;
      extra[2] = static_cast<char>(extra.size() - 4);
    }
    put32(cd, kCentralSig);
    put16(cd, (3 << 8) | 45);  // made by Unix, zip 4.5
    put16(cd, 45);
    put16(cd, 0);
    put16(cd, w.method);
    put16(cd, 0);
    put16(cd, kDosDate1980);
    put32(cd, w.crc);
    put32(cd, compressed);
    put32(cd, uncompressed);
    put16(cd, w.name.size());
    put16(cd, extra.size());
    put16(cd, 0);               // comment
    put16(cd, 0);               // disk
    put16(cd, 0);               // internal attributes
    put32(cd, 0100644u << 16);  // regular file, rw-r--r--
    put32(cd, offset);
    cd += w.name;
    cd += extra;
  }
  const uint64_t cd_size = cd.size();
  const uint64_t count = members.size();
  if (count >= kU16Max || cd_size >= kU32Max || cd_offset >= kU32Max) {
    const uint64_t z = cd_offset + cd_size;
    put32(cd, kZip64EocdSig);
    put64(cd, kZip64EocdLen - 12);
    put16(cd, (3 << 8) | 45);
    put16(cd, 45);
    put32(cd, 0);
    put32(cd, 0);
    put64(cd, count);
    put64(cd, count);
    put64(cd, cd_size);
    put64(cd, cd_offset);
    put32(cd, kZip64LocatorSig);
    put32(cd, 0);
    put64(cd, z);
    put32(cd, 1);
  }
  put32(cd, kEocdSig);
  put16(cd, 0);
  put16(cd, 0);
  put16(cd, std::min<uint64_t>(count, kU16Max));
  put16(cd, std::min<uint64_t>(count, kU16Max));
  put32(cd, std::min<uint64_t>(cd_size, kU32Max));
  put32(cd, std::min<uint64_t>(cd_offset, kU32Max));
  put16(cd, 0);
  write_all(out, cd.data(), cd.size(), path);
}

}  // namespace

Tensor parse_npy(std::string_view bytes, const std::string& what) {
  MemorySource src(bytes);
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
  std::ifstream in;
  const uint64_t size = open_for_reading(in, path);
  FileSource src(in, 0, size, path);
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
  return NpzReader(path).load();
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
    std::vector<Written> members;
    for (const auto& [name, t] : arrays) {
      Written w{};
      w.name = name + ".npy";
      write_member(out, w, t, compressed, path);
      members.push_back(std::move(w));
    }
    write_central_directory(out, members, path);
  });
}

}  // namespace keras::io
