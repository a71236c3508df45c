#include "io/zip.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <set>
#include <sstream>

namespace keras::io::zip {
namespace {

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
constexpr uint16_t kDosDate1980 = (0 << 9) | (1 << 5) | 1;
// Deflate cannot expand data by more than about 1032:1; the slack covers tiny streams.
constexpr uint64_t kMaxDeflateRatio = 1032;
constexpr uint64_t kDeflateSlack = 1024;
constexpr size_t kChunk = size_t{1} << 16;

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

// Where the central directory is, from the end record (and its zip64 form when present).
struct Directory {
  uint64_t disk = 0, cd_disk = 0, count = 0, size = 0, offset = 0;
  uint64_t end = 0;  // where the records after it start: the directory must end by here
};

// One central-directory entry at cd[pos], checked on its own; pos moves past it.
Entry parse_central_entry(const std::string& cd,
                          size_t& pos,
                          uint64_t index,
                          uint64_t cd_offset,
                          const std::string& what) {
  if (cd.size() - pos < kCentralLen || le32(&cd[pos]) != kCentralSig) {
    fail(what, "bad central directory entry ", index, " at offset ", cd_offset + pos);
  }
  const char* h = &cd[pos];
  Entry e;
  e.flags = le16(h + 8);
  e.method = le16(h + 10);
  e.crc = le32(h + 16);
  e.compressed = le32(h + 20);
  e.uncompressed = le32(h + 24);
  const size_t name_len = le16(h + 28), extra_len = le16(h + 30), comment_len = le16(h + 32);
  uint64_t entry_disk = le16(h + 34);
  e.offset = le32(h + 42);
  if (cd.size() - pos - kCentralLen < name_len + extra_len + comment_len) {
    fail(what, "central directory entry ", index, " overruns the directory");
  }
  e.name = cd.substr(pos + kCentralLen, name_len);
  const std::string member = str(what, ":", excerpt(e.name));
  apply_zip64(std::string_view(cd).substr(pos + kCentralLen + name_len, extra_len),
              {{&e.uncompressed, 8}, {&e.compressed, 8}, {&e.offset, 8}, {&entry_disk, 4}}, member);
  if (entry_disk != 0) fail(member, "multi-disk zip archives are not supported");
  if (e.flags & 0x41) fail(member, "encrypted zip members are not supported");
  if (e.method != 0 && e.method != 8) {
    fail(member, "unsupported zip compression method ", e.method, " (expected 0 or 8)");
  }
  if (e.name.find('\0') != std::string::npos) fail(member, "zip member name contains NUL");
  if (e.method == 8 && e.uncompressed > kDeflateSlack &&
      (e.uncompressed - kDeflateSlack) / kMaxDeflateRatio > e.compressed) {
    fail(member, "claims ", e.uncompressed, " bytes from ", e.compressed,
         " compressed bytes, beyond what deflate can produce");
  }
  if (e.method == 0 && e.compressed != e.uncompressed) fail(member, "stored member sizes disagree");
  pos += kCentralLen + name_len + extra_len + comment_len;
  return e;
}

}  // namespace

// ---- Reader ----

Reader::Reader(Bytes& bytes, std::string kind) : bytes_(bytes), kind_(std::move(kind)) {
  read_directory();
  std::vector<std::pair<uint64_t, uint64_t>> spans;  // [local header, end of data)
  for (Entry& e : entries_) {
    locate(e);
    spans.emplace_back(e.offset, e.data + e.compressed);
  }
  std::sort(spans.begin(), spans.end());
  for (size_t i = 1; i < spans.size(); ++i) {
    if (spans[i].first < spans[i - 1].second) {
      auto it = std::find_if(entries_.begin(), entries_.end(),
                             [&](const Entry& e) { return e.offset == spans[i].first; });
      fail(str(bytes_.what(), ":", excerpt(it->name)), "overlaps another entry");
    }
  }
}

void Reader::invalid(const std::string& why) const {
  fail(bytes_.what(), "not a valid ", kind_, ": ", why);
}

void Reader::read_directory() {
  const uint64_t size = bytes_.size();
  if (size < kEocdLen) invalid("too short");
  const uint64_t tail_len = std::min<uint64_t>(size, kEocdLen + kU16Max);
  const std::string tail = bytes_.read_range(size - tail_len, tail_len, "end of archive");
  // The record is the last signature whose comment length reaches exactly the end of the file.
  size_t at = std::string::npos;
  for (size_t i = tail.size() - kEocdLen + 1; i-- > 0;) {
    if (le32(tail.data() + i) == kEocdSig && i + kEocdLen + le16(&tail[i + 20]) == tail.size()) {
      at = i;
      break;
    }
  }
  if (at == std::string::npos) invalid("no end-of-central-directory record");
  const char* r = tail.data() + at;
  Directory d;
  d.end = size - tail_len + at;
  d.disk = le16(r + 4);
  d.cd_disk = le16(r + 6);
  d.count = le16(r + 10);
  d.size = le32(r + 12);
  d.offset = le32(r + 16);
  if (d.end >= kZip64LocatorLen) {
    const uint64_t loc_at = d.end - kZip64LocatorLen;
    const std::string loc = bytes_.read_range(loc_at, kZip64LocatorLen, "zip64 locator");
    if (le32(loc.data()) == kZip64LocatorSig) {
      const uint64_t z = le64(loc.data() + 8);
      if (z > loc_at || loc_at - z < kZip64EocdLen) invalid("corrupt zip64 locator");
      const std::string rec = bytes_.read_range(z, kZip64EocdLen, "zip64 end record");
      if (le32(rec.data()) != kZip64EocdSig) invalid(str("no zip64 end record at offset ", z));
      d.disk = le32(rec.data() + 16);
      d.cd_disk = le32(rec.data() + 20);
      d.count = le64(rec.data() + 32);
      d.size = le64(rec.data() + 40);
      d.offset = le64(rec.data() + 48);
      d.end = z;
    }
  }
  if (d.disk != 0 || d.cd_disk != 0) invalid("multi-disk zip archives are not supported");
  if (d.offset > d.end || d.size > d.end - d.offset) {
    invalid(str("the central directory (offset ", d.offset, ", ", d.size,
                " bytes) does not fit before the end record at offset ", d.end));
  }
  if (d.count > d.size / kCentralLen) {
    invalid(str(d.count, " entries cannot fit in a ", d.size, "-byte central directory"));
  }
  cd_offset_ = d.offset;
  const std::string cd = bytes_.read_range(d.offset, d.size, "central directory");
  size_t pos = 0;
  for (uint64_t i = 0; i < d.count; ++i) {
    entries_.push_back(parse_central_entry(cd, pos, i, d.offset, bytes_.what()));
  }
  if (pos != cd.size()) invalid("the central directory's size disagrees with its entries");
}

// Checks the local header against the central directory and finds the member's data.
void Reader::locate(Entry& e) {
  const std::string what = str(bytes_.what(), ":", excerpt(e.name));
  if (e.offset > cd_offset_ || cd_offset_ - e.offset < kLocalLen) {
    fail(what, "local header offset ", e.offset, " lies outside the archive's data area");
  }
  const std::string h = bytes_.read_range(e.offset, kLocalLen, "local header");
  if (le32(h.data()) != kLocalSig) fail(what, "bad local header signature at ", e.offset);
  const uint16_t flags = le16(h.data() + 6);
  const uint16_t method = le16(h.data() + 8);
  const size_t name_len = le16(h.data() + 26), extra_len = le16(h.data() + 28);
  if (method != e.method) fail(what, "local and central headers disagree on compression");
  if (cd_offset_ - e.offset - kLocalLen < name_len + extra_len) {
    fail(what, "local header overruns the central directory");
  }
  const std::string rest =
      bytes_.read_range(e.offset + kLocalLen, name_len + extra_len, "local header");
  if (rest.compare(0, name_len, e.name) != 0) {
    fail(what, "local header names \"", excerpt(rest.substr(0, name_len)), "\"");
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

void Reader::read(const Entry& e,
                  const std::function<void(Source&, const std::string& what)>& consume) {
  const std::string what = str(bytes_.what(), ":", excerpt(e.name));
  uint32_t crc;
  if (e.method == 0) {
    RangeSource src(bytes_, e.data, e.compressed, what, /*track_crc=*/true);
    consume(src, what);
    if (src.remaining() != 0) fail(what, src.remaining(), " bytes left unread");
    crc = src.crc();
  } else {
    InflateSource src(bytes_, e.data, e.compressed, e.uncompressed, what);
    consume(src, what);
    if (src.remaining() != 0) fail(what, src.remaining(), " bytes left unread");
    src.finish();
    crc = src.crc();
  }
  if (crc != e.crc) fail(what, "CRC-32 mismatch (data is corrupt)");
}

std::string Reader::read_all(const Entry& e, uint64_t max_size) {
  if (e.uncompressed > max_size) {
    fail(str(bytes_.what(), ":", excerpt(e.name)), "is too large (", e.uncompressed, " bytes)");
  }
  // Grown as the data arrives rather than sized by the header up front: a member that claims
  // gigabytes but holds little fails when its data runs out, having taken only what it held.
  std::string data;
  read(e, [&](Source& src, const std::string&) {
    constexpr uint64_t kChunk = uint64_t{16} << 20;
    while (src.remaining() > 0) {
      const size_t n = static_cast<size_t>(std::min(src.remaining(), kChunk));
      const size_t used = data.size();
      if (data.capacity() < used + n) {
        data.reserve(static_cast<size_t>(
            std::min<uint64_t>(e.uncompressed, std::max<uint64_t>(used + n, 2 * used))));
      }
      data.resize(used + n);
      src.read(data.data() + used, n);
    }
  });
  return data;
}

// ---- Writer ----

Writer::Writer(std::ostream& out, std::string what) : out_(out), what_(std::move(what)) {}

void Writer::write(const void* data, size_t n) {
  out_.write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
  if (!out_) fail(what_, "write failed");
}

uint64_t Writer::tell() {
  const std::streamoff pos = out_.tellp();
  if (pos < 0) fail(what_, "cannot tell the write position");
  return static_cast<uint64_t>(pos);
}

void Writer::local_header(const Written& w) {
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
  write(h.data(), h.size());
}

void Writer::add(const std::string& name,
                 const std::vector<std::string_view>& parts,
                 bool deflate) {
  KERAS_CHECK(!name.empty() && name.size() < kU16Max && name.find('\0') == std::string::npos,
              ValueError, what_, ": invalid zip member name \"", excerpt(name), "\"");
  Written w{name, static_cast<uint16_t>(deflate ? 8 : 0), 0, 0, 0, tell()};
  for (std::string_view p : parts) {
    w.crc = crc_update(w.crc, p.data(), p.size());
    w.uncompressed += p.size();
  }
  if (!deflate) {
    w.compressed = w.uncompressed;
    local_header(w);
    for (std::string_view p : parts) write(p.data(), p.size());
    members_.push_back(std::move(w));
    return;
  }
  local_header(w);  // rewritten below, once the compressed size is known
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    fail(what_, "cannot initialize zlib");
  }
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, deflateEnd);
  std::vector<unsigned char> buf(kChunk);
  for (size_t i = 0; i < parts.size() || i == 0; ++i) {
    const bool last = i + 1 >= parts.size();
    const char* p = parts.empty() ? nullptr : parts[i].data();
    size_t n = parts.empty() ? 0 : parts[i].size();
    do {
      const size_t take = std::min<size_t>(n, std::numeric_limits<uInt>::max());
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(p));
      zs.avail_in = static_cast<uInt>(take);
      p += take;
      n -= take;
      const int flush = last && n == 0 ? Z_FINISH : Z_NO_FLUSH;
      int ret;
      do {
        zs.next_out = buf.data();
        zs.avail_out = static_cast<uInt>(buf.size());
        ret = ::deflate(&zs, flush);
        if (ret == Z_STREAM_ERROR) fail(what_, "zlib deflate failed");
        const size_t produced = buf.size() - zs.avail_out;
        write(buf.data(), produced);
        w.compressed += produced;
      } while (zs.avail_out == 0 || (flush == Z_FINISH && ret != Z_STREAM_END));
    } while (n > 0);
  }
  const uint64_t end = tell();
  out_.seekp(static_cast<std::streamoff>(w.offset));
  local_header(w);
  out_.seekp(static_cast<std::streamoff>(end));
  if (!out_) fail(what_, "seek failed while writing");
  members_.push_back(std::move(w));
}

void Writer::finish() {
  const uint64_t cd_offset = tell();
  std::string cd;
  for (const Written& w : members_) {
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
  const uint64_t count = members_.size();
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
  write(cd.data(), cd.size());
}

// ---- whole archives in memory ----

std::string write(const std::vector<Member>& members) {
  std::ostringstream out(std::ios::binary);
  Writer writer(out, "zip");
  for (const Member& m : members) writer.add(m.name, {m.data}, /*deflate=*/false);
  writer.finish();
  return std::move(out).str();
}

std::map<std::string, const Entry*> members(const Reader& reader, const std::string& what) {
  std::map<std::string, const Entry*> out;
  for (const Entry& e : reader.entries()) {
    if (e.name.ends_with('/')) continue;
    if (!out.emplace(e.name, &e).second) {
      fail(what, "the archive holds \"", excerpt(e.name), "\" twice");
    }
  }
  return out;
}

std::map<std::string, std::string> read(std::string_view bytes,
                                        const std::string& what,
                                        uint64_t max_entry_size) {
  MemoryBytes image(bytes, what);
  Reader reader(image, ".keras (zip) file");
  std::map<std::string, std::string> out;
  for (const auto& [name, e] : members(reader, what))
    out.emplace(name, reader.read_all(*e, max_entry_size));
  return out;
}

}  // namespace keras::io::zip
