#include "saving/zip.h"

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>

#include "keras/core/error.h"

namespace keras::saving::zip {
namespace {

void put16(std::string& s, uint32_t v) {
  s.push_back(static_cast<char>(v & 0xff));
  s.push_back(static_cast<char>((v >> 8) & 0xff));
}
void put32(std::string& s, uint32_t v) {
  put16(s, v & 0xffff);
  put16(s, v >> 16);
}

class Reader {
 public:
  Reader(const std::string& b, const std::string& what) : b_(b), what_(what) {}
  uint32_t u16(size_t at) const {
    need(at, 2);
    return static_cast<uint32_t>(byte(at)) | static_cast<uint32_t>(byte(at + 1)) << 8;
  }
  uint32_t u32(size_t at) const { return u16(at) | u16(at + 2) << 16; }
  void need(size_t at, size_t n) const {
    if (at > b_.size() || n > b_.size() - at) fail("truncated archive");
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw IOError(str(what_, ": not a valid .keras (zip) file: ", why));
  }
  const std::string& bytes() const { return b_; }

 private:
  unsigned char byte(size_t at) const { return static_cast<unsigned char>(b_[at]); }
  const std::string& b_;
  const std::string& what_;
};

}  // namespace

std::string write(const std::vector<Entry>& entries) {
  std::string out, central;
  for (const Entry& e : entries) {
    KERAS_CHECK(e.data.size() < 0xffffffffu && out.size() < 0xffffffffu, IOError,
                "zip: entries over 4 GiB are not supported");
    const uint32_t crc = static_cast<uint32_t>(
        crc32(0L, reinterpret_cast<const Bytef*>(e.data.data()), static_cast<uInt>(e.data.size())));
    const uint32_t offset = static_cast<uint32_t>(out.size());
    const uint32_t size = static_cast<uint32_t>(e.data.size());
    // Local file header: stored, no data descriptor, a fixed DOS date (1980-01-01).
    put32(out, 0x04034b50);
    put16(out, 20);
    put16(out, 0);
    put16(out, 0);
    put16(out, 0);
    put16(out, 0x21);
    put32(out, crc);
    put32(out, size);
    put32(out, size);
    put16(out, static_cast<uint32_t>(e.name.size()));
    put16(out, 0);
    out += e.name;
    out += e.data;
    put32(central, 0x02014b50);
    put16(central, 20);
    put16(central, 20);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0x21);
    put32(central, crc);
    put32(central, size);
    put32(central, size);
    put16(central, static_cast<uint32_t>(e.name.size()));
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put32(central, 0644u << 16);
    put32(central, offset);
    central += e.name;
  }
  const uint32_t cd_offset = static_cast<uint32_t>(out.size());
  out += central;
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<uint32_t>(entries.size()));
  put16(out, static_cast<uint32_t>(entries.size()));
  put32(out, static_cast<uint32_t>(central.size()));
  put32(out, cd_offset);
  put16(out, 0);
  return out;
}

std::map<std::string, std::string> read(const std::string& bytes,
                                        const std::string& what,
                                        size_t max_entry_size) {
  Reader r(bytes, what);
  if (bytes.size() < 22) r.fail("too short");
  // The end-of-central-directory record is in the last 22 + 65535 bytes.
  size_t eocd = std::string::npos;
  const size_t lowest = bytes.size() > 22 + 65535 ? bytes.size() - 22 - 65535 : 0;
  for (size_t at = bytes.size() - 22 + 1; at-- > lowest;) {
    if (r.u32(at) == 0x06054b50) {
      eocd = at;
      break;
    }
  }
  if (eocd == std::string::npos) r.fail("no end of central directory");
  const uint32_t count = r.u16(eocd + 10);
  const uint32_t cd_size = r.u32(eocd + 12);
  const uint32_t cd_offset = r.u32(eocd + 16);
  if (count == 0xffff || cd_offset == 0xffffffffu) r.fail("zip64 archives are not supported");
  r.need(cd_offset, cd_size);
  std::map<std::string, std::string> out;
  // [local header, end of data) of every entry: they may not overlap each other or the central
  // directory, so that no byte is inflated twice (a zip bomb's many entries sharing one stream).
  std::map<size_t, size_t> spans;  // start -> end
  size_t at = cd_offset;
  for (uint32_t i = 0; i < count; ++i) {
    if (r.u32(at) != 0x02014b50) r.fail("bad central directory entry");
    const uint32_t flags = r.u16(at + 8), method = r.u16(at + 10);
    const uint32_t crc = r.u32(at + 16), csize = r.u32(at + 20), usize = r.u32(at + 24);
    const uint32_t name_len = r.u16(at + 28), extra_len = r.u16(at + 30),
                   comment_len = r.u16(at + 32);
    const uint32_t local = r.u32(at + 42);
    r.need(at + 46, name_len);
    std::string name = bytes.substr(at + 46, name_len);
    at += 46 + static_cast<size_t>(name_len) + extra_len + comment_len;
    if (flags & 1) r.fail("encrypted entries are not supported");
    if (usize == 0xffffffffu || csize == 0xffffffffu || local == 0xffffffffu) {
      r.fail("zip64 entries are not supported");
    }
    if (usize > max_entry_size) {
      throw IOError(str(what, ": entry '", excerpt(name), "' is too large (", usize, " bytes)"));
    }
    if (r.u32(local) != 0x04034b50) r.fail("bad local header");
    const size_t data_at = local + 30 + static_cast<size_t>(r.u16(local + 26)) + r.u16(local + 28);
    r.need(data_at, csize);
    if (data_at + csize > cd_offset)
      r.fail(str("entry '", excerpt(name), "' overlaps the central directory"));
    // Deflate expands at most ~1032:1: a larger claim is a lie, refused before allocating.
    if (method == 8 && usize / 1032 > csize + 1) {
      r.fail(str("entry '", excerpt(name), "' claims ", usize, " bytes from ", csize,
                 " compressed bytes"));
    }
    const auto next = spans.lower_bound(local);
    if ((next != spans.end() && next->first < data_at + csize) ||
        (next != spans.begin() && std::prev(next)->second > local)) {
      r.fail(str("entry '", excerpt(name), "' overlaps another entry"));
    }
    spans.emplace(local, data_at + csize);
    std::string data;
    if (method == 0) {
      if (csize != usize) r.fail("stored entry with mismatched sizes");
      data = bytes.substr(data_at, csize);
    } else if (method == 8) {
      data.resize(usize);
      z_stream zs{};
      if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) r.fail("zlib init failed");
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + data_at));
      zs.avail_in = csize;
      zs.next_out = reinterpret_cast<Bytef*>(data.data());
      zs.avail_out = usize;
      const int rc = inflate(&zs, Z_FINISH);
      const uLong produced = zs.total_out;
      inflateEnd(&zs);
      if (rc != Z_STREAM_END || produced != usize)
        r.fail(str("corrupt deflated entry '", excerpt(name), "'"));
    } else {
      r.fail("unsupported compression method " + std::to_string(method));
    }
    const uint32_t actual = static_cast<uint32_t>(
        crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    if (actual != crc) r.fail(str("CRC mismatch in '", excerpt(name), "'"));
    out[name] = std::move(data);
  }
  return out;
}

}  // namespace keras::saving::zip
