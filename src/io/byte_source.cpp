#include "io/byte_source.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>

namespace keras::io {
namespace {

constexpr size_t kChunk = size_t{1} << 16;

std::string errno_text() {
  return std::strerror(errno);
}

}  // namespace

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

std::string Bytes::read_range(uint64_t offset, uint64_t n, std::string_view purpose) {
  if (offset > size() || n > size() - offset) {
    fail(what(), "truncated or corrupt: ", purpose, " at offset ", offset, " (", n,
         " bytes) lies outside the ", size(), "-byte file");
  }
  std::string buf(static_cast<size_t>(n), '\0');
  read(offset, buf.data(), buf.size());
  return buf;
}

FileBytes::FileBytes(const std::string& path) : path_(path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, not a file");
  in_.open(path, std::ios::binary);
  if (!in_) fail(path, "cannot open for reading (", errno_text(), ")");
  in_.seekg(0, std::ios::end);
  const std::streamoff size = in_.tellg();
  if (!in_ || size < 0) fail(path, "cannot determine the file size");
  size_ = static_cast<uint64_t>(size);
}

void FileBytes::read(uint64_t offset, void* dst, size_t n) {
  in_.clear();
  in_.seekg(static_cast<std::streamoff>(offset));
  if (!in_) fail(path_, "cannot seek to offset ", offset);
  in_.read(static_cast<char*>(dst), static_cast<std::streamsize>(n));
  if (static_cast<size_t>(in_.gcount()) != n) {
    fail(path_, "read error or unexpected end of file (", errno_text(), ")");
  }
}

void MemoryBytes::read(uint64_t offset, void* dst, size_t n) {
  std::memcpy(dst, bytes_.data() + offset, n);
}

void Source::read(void* dst, size_t n) {
  if (n == 0) return;
  do_read(dst, n);
  if (track_crc_) crc_ = crc_update(crc_, dst, n);
}

RangeSource::RangeSource(
    Bytes& bytes, uint64_t begin, uint64_t size, std::string what, bool track_crc)
    : Source(track_crc), bytes_(bytes), pos_(begin), left_(size), what_(std::move(what)) {
  if (begin > bytes.size() || size > bytes.size() - begin) {
    fail(what_, "truncated: ", size, " bytes at offset ", begin, " lie outside the ", bytes.size(),
         "-byte file");
  }
}

void RangeSource::do_read(void* dst, size_t n) {
  if (n > left_) fail(what_, "truncated: ", n, " bytes wanted, ", left_, " remain");
  bytes_.read(pos_, dst, n);
  pos_ += n;
  left_ -= n;
}

InflateSource::InflateSource(
    Bytes& bytes, uint64_t begin, uint64_t compressed, uint64_t uncompressed, std::string what)
    : Source(true),
      raw_(bytes, begin, compressed, what, false),
      left_(uncompressed),
      what_(std::move(what)),
      buf_(kChunk) {
  if (inflateInit2(&zs_, -15) != Z_OK) fail(what_, "cannot initialize zlib");
}

InflateSource::~InflateSource() {
  inflateEnd(&zs_);
}

void InflateSource::finish() {
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

void InflateSource::do_read(void* dst, size_t n) {
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

void InflateSource::step() {
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

}  // namespace keras::io
