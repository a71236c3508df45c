#include "keras/io/idx.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <vector>

namespace keras::io {
namespace {

constexpr int kMaxRank = 16;
// Deflate cannot expand data by more than about 1032:1; the slack covers tiny streams.
constexpr uint64_t kMaxGzipRatio = 1032;
constexpr uint64_t kGzipSlack = 1024;

template <class... Args>
[[noreturn]] void fail(const std::string& path, Args&&... parts) {
  throw IOError(str(path, ": ", std::forward<Args>(parts)...));
}

struct TypeInfo {
  uint8_t code;
  size_t width;  // in the file
  DType dtype;   // in memory
  const char* name;
};
constexpr TypeInfo kTypes[] = {{0x08, 1, uint8, "unsigned byte"}, {0x09, 1, int32, "signed byte"},
                               {0x0B, 2, int32, "int16"},         {0x0C, 4, int32, "int32"},
                               {0x0D, 4, float32, "float32"},     {0x0E, 8, float64, "float64"}};

class GzFile {
 public:
  explicit GzFile(const std::string& path) : path_(path) {
    gz_ = gzopen(path.c_str(), "rb");
    if (gz_ == nullptr) fail(path, "cannot open for reading (", std::strerror(errno), ")");
    gzbuffer(gz_, 1 << 17);
  }
  ~GzFile() { gzclose(gz_); }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  // Reads up to n bytes; fewer only at the end of the data.
  size_t read(void* dst, size_t n) {
    auto* p = static_cast<char*>(dst);
    size_t done = 0;
    while (done < n) {
      const unsigned want = static_cast<unsigned>(std::min<size_t>(n - done, 1u << 30));
      const int got = gzread(gz_, p + done, want);
      if (got < 0) {
        int code;
        const char* msg = gzerror(gz_, &code);
        fail(path_, "corrupt gzip data (", msg ? msg : "zlib error", ")");
      }
      if (got == 0) break;
      done += static_cast<size_t>(got);
    }
    // gzread reports a cut-off gzip stream as a short read, not as an error.
    int code;
    gzerror(gz_, &code);
    if (code == Z_BUF_ERROR) fail(path_, "truncated gzip data");
    return done;
  }

  void read_exact(void* dst, size_t n, const char* what) {
    const size_t got = read(dst, n);
    if (got != n) {
      fail(path_, "truncated IDX file: expected ", n, " bytes of ", what, ", got ", got);
    }
  }

 private:
  std::string path_;
  gzFile gz_ = nullptr;
};

uint32_t be32(const unsigned char* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

void from_big_endian(void* data, size_t count, size_t width) {
  if (std::endian::native == std::endian::big || width == 1) return;
  auto* p = static_cast<unsigned char*>(data);
  for (size_t i = 0; i < count; ++i, p += width) std::reverse(p, p + width);
}

}  // namespace

Tensor load_idx(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, not a file");
  uint64_t file_size;
  bool gzipped;
  {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) fail(path, "cannot open for reading (", std::strerror(errno), ")");
    file_size = static_cast<uint64_t>(in.tellg());
    unsigned char magic[2] = {};
    in.seekg(0);
    in.read(reinterpret_cast<char*>(magic), 2);
    gzipped = in.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  }
  GzFile gz(path);
  unsigned char head[4];
  gz.read_exact(head, 4, "header");
  const TypeInfo* type = nullptr;
  for (const TypeInfo& t : kTypes) {
    if (t.code == head[2]) type = &t;
  }
  if (head[0] != 0 || head[1] != 0 || type == nullptr) {
    fail(path, "not an IDX file: expected magic 00 00 <type 08/09/0B/0C/0D/0E> <rank>, found ",
         std::hex, int{head[0]}, " ", int{head[1]}, " ", int{head[2]}, " ", int{head[3]});
  }
  const int rank = head[3];
  if (rank > kMaxRank) fail(path, "IDX rank ", rank, " is absurd (at most ", kMaxRank, ")");
  std::vector<unsigned char> dims(4 * static_cast<size_t>(rank));
  gz.read_exact(dims.data(), dims.size(), "dimensions");
  Shape shape;
  uint64_t count = 1;
  for (int i = 0; i < rank; ++i) {
    const uint32_t d = be32(&dims[4 * static_cast<size_t>(i)]);
    shape.push_back(d);
    if (d != 0 && count > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / 8 / d) {
      fail(path, "IDX dimensions ", shape_str(shape), "... have too many elements");
    }
    count *= d;
  }
  const uint64_t nbytes = count * type->width;
  const uint64_t header = 4 + dims.size();
  if (!gzipped && nbytes != file_size - header) {
    fail(path, "IDX header describes shape ", shape_str(shape), " of ", type->name, " (", nbytes,
         " bytes of data) but the file has ", file_size - header, " bytes after the header");
  }
  if (gzipped && nbytes > file_size * kMaxGzipRatio + kGzipSlack) {
    fail(path, "IDX header describes shape ", shape_str(shape), " of ", type->name, " (", nbytes,
         " bytes), more than a ", file_size, "-byte gzip file can hold");
  }

  Tensor t = Tensor::empty(shape, type->dtype, Device::cpu());
  if (type->width == dtype_size(type->dtype)) {
    gz.read_exact(t.host_data(), nbytes, "data");
    from_big_endian(t.host_data(), count, type->width);
  } else {
    std::vector<unsigned char> raw(nbytes);
    gz.read_exact(raw.data(), raw.size(), "data");
    int32_t* out = t.data<int32_t>();
    for (size_t i = 0; i < count; ++i) {
      out[i] = type->width == 1
                   ? static_cast<int8_t>(raw[i])
                   : static_cast<int16_t>(static_cast<uint16_t>(raw[2 * i] << 8 | raw[2 * i + 1]));
    }
  }
  // Reading past the end makes zlib check the gzip CRC and length.
  unsigned char extra;
  if (gz.read(&extra, 1) != 0) {
    fail(path, "IDX file has data beyond the ", nbytes, " bytes its header describes (shape ",
         shape_str(shape), ")");
  }
  return t;
}

}  // namespace keras::io
