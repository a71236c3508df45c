#include "saving/h5_records.h"

#include <cstring>
#include <limits>

#include "keras/core/error.h"

namespace keras::saving::h5::detail {

void RecordWriter::u32(uint32_t v) {
  unsigned char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
  sink_.write(b, 4);
}

void RecordWriter::u64(uint64_t v) {
  unsigned char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
  sink_.write(b, 8);
}

void RecordWriter::str(const std::string& s) {
  // Names and attribute strings come from a file the size of an int at most (read_string_attr
  // and children() check them against the file); a longer one would be cut, never wrapped.
  const uint32_t n = static_cast<uint32_t>(std::min<size_t>(s.size(), UINT32_MAX));
  u32(n);
  sink_.write(s.data(), n);
}

void RecordWriter::refused() {
  u8('R');
}

uint32_t RecordWriter::object(Kind kind) {
  u8('O');
  u8(static_cast<uint8_t>(kind));
  return objects_++;
}

void RecordWriter::attribute(uint32_t obj,
                             const std::string& name,
                             const std::vector<std::string>& value) {
  u8('A');
  u32(obj);
  str(name);
  u8(0);
  u32(static_cast<uint32_t>(value.size()));  // at most 1e6 (read_string_attr)
  for (const std::string& s : value) str(s);
}

void RecordWriter::attribute_error(uint32_t obj, const std::string& name, const std::string& e) {
  u8('A');
  u32(obj);
  str(name);
  u8(1);
  str(e);
}

void RecordWriter::attributes_error(uint32_t obj, const std::string& error) {
  u8('a');
  u32(obj);
  str(error);
}

void RecordWriter::link(uint32_t obj, const std::string& name, int64_t target) {
  u8('L');
  u32(obj);
  str(name);
  u64(static_cast<uint64_t>(target));
}

void RecordWriter::links_error(uint32_t obj, const std::string& error) {
  u8('l');
  u32(obj);
  str(error);
}

void RecordWriter::shape(uint32_t obj, const Shape& shape) {
  u8('S');
  u32(obj);
  u8(0);
  u8(static_cast<uint8_t>(shape.size()));  // at most 32 (dataset_shape)
  for (int64_t d : shape) u64(static_cast<uint64_t>(d));
}

void RecordWriter::shape_error(uint32_t obj, const std::string& error) {
  u8('S');
  u32(obj);
  u8(1);
  str(error);
}

void RecordWriter::data(uint32_t obj, DType dtype, const void* bytes, uint64_t size) {
  u8('D');
  u32(obj);
  u8(0);
  u8(static_cast<uint8_t>(dtype));
  u64(size);
  sink_.write(bytes, size);
}

void RecordWriter::data_error(uint32_t obj, Status status, const std::string& error) {
  u8('D');
  u32(obj);
  u8(static_cast<uint8_t>(status));
  str(error);
}

void RecordWriter::end() {
  u8('E');
}

namespace {

class Reader {
 public:
  Reader(const std::string& s, const std::string& what) : s_(s), what_(what) {}
  bool done() const { return at_ == s_.size(); }
  uint8_t u8() { return static_cast<uint8_t>(take(1)[0]); }
  uint32_t u32() {
    const char* p = take(4);
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(p[i]);
    return v;
  }
  uint64_t u64() {
    const char* p = take(8);
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(p[i]);
    return v;
  }
  std::string str() {
    const uint32_t n = u32();
    return std::string(take(n), n);
  }
  const char* take(uint64_t n) {
    check(n <= s_.size() - at_);
    const char* p = s_.data() + at_;
    at_ += n;
    return p;
  }
  void check(bool ok) const {
    KERAS_CHECK(ok, IOError, what_, ": reading the HDF5 file failed (malformed answer of the ",
                "reading process)");
  }

 private:
  const std::string& s_;
  const std::string& what_;
  size_t at_ = 0;
};

}  // namespace

std::shared_ptr<const Contents> parse_records(const std::string& stream, const std::string& what) {
  auto out = std::make_shared<Contents>();
  out->what = what;
  Reader r(stream, what);
  auto object = [&](uint32_t i) -> Object& {
    r.check(i < out->objects.size());
    return out->objects[i];
  };
  while (true) {
    const uint8_t tag = r.u8();
    if (tag == 'E') break;
    switch (tag) {
      case 'R':
        out->refused = true;
        break;
      case 'O': {
        const uint8_t kind = r.u8();
        r.check(kind <= 2 && out->objects.size() < std::numeric_limits<uint32_t>::max());
        out->objects.emplace_back().kind = static_cast<Kind>(kind);
        break;
      }
      case 'A': {
        Object& o = object(r.u32());
        const std::string name = r.str();
        Attribute a;
        if (r.u8() == 0) {
          const uint32_t n = r.u32();
          for (uint32_t i = 0; i < n; ++i) a.value.push_back(r.str());
        } else {
          a.error = r.str();
        }
        o.attributes.emplace(name, std::move(a));  // the first of equal names, as libhdf5 finds
        break;
      }
      case 'a': {
        Object& o = object(r.u32());  // before the string: `a = b` evaluates b first
        o.attributes_error = r.str();
        break;
      }
      case 'L': {
        Object& o = object(r.u32());
        std::string name = r.str();
        const int64_t target = static_cast<int64_t>(r.u64());
        r.check(target >= -1 && target < static_cast<int64_t>(out->objects.size()));
        if (o.links.emplace(name, target).second) o.link_names.push_back(std::move(name));
        break;
      }
      case 'l': {
        Object& o = object(r.u32());
        o.links_error = r.str();
        break;
      }
      case 'S': {
        Object& o = object(r.u32());
        if (r.u8() == 0) {
          const uint8_t rank = r.u8();
          Shape shape;
          for (uint8_t i = 0; i < rank; ++i) {
            const uint64_t d = r.u64();
            r.check(d <= (uint64_t{1} << 40));
            shape.push_back(static_cast<int64_t>(d));
          }
          o.shape = std::move(shape);
        } else {
          o.shape_error = r.str();
        }
        break;
      }
      case 'D': {
        Object& o = object(r.u32());
        const uint8_t status = r.u8();
        r.check(status <= 2);
        o.data_status = static_cast<Status>(status);
        if (o.data_status == Status::ok) {
          const uint8_t dtype = r.u8();
          r.check(dtype == static_cast<uint8_t>(float32) ||
                  dtype == static_cast<uint8_t>(float64) || dtype == static_cast<uint8_t>(int64));
          o.data_dtype = static_cast<DType>(dtype);
          const uint64_t size = r.u64();
          o.data.assign(r.take(size), size);
        } else {
          o.data_error = r.str();
        }
        break;
      }
      default:
        r.check(false);
    }
  }
  r.check(r.done() &&
          (out->refused || (!out->objects.empty() && out->objects[0].kind == Kind::group)));
  return out;
}

}  // namespace keras::saving::h5::detail
