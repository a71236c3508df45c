// Reading untrusted bytes: random access to a whole file or a memory image (Bytes), and
// sequential streams over a byte range of it, stored or deflated (Source). Every read is checked
// against the real size; short data is an IOError naming `what`, never a read past the end.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "keras/core/error.h"

namespace keras::io {

// Throws IOError "<what>: <parts...>".
template <class... Args>
[[noreturn]] void fail(const std::string& what, Args&&... parts) {
  throw IOError(str(what, ": ", std::forward<Args>(parts)...));
}

uint16_t le16(const void* p);
uint32_t le32(const void* p);
uint64_t le64(const void* p);
void put16(std::string& s, uint64_t v);
void put32(std::string& s, uint64_t v);
void put64(std::string& s, uint64_t v);
uint32_t crc_update(uint32_t crc, const void* data, size_t n);

// Random access to the bytes of a file or of memory.
class Bytes {
 public:
  virtual ~Bytes() = default;
  virtual uint64_t size() const = 0;
  // Reads exactly [offset, offset + n), which the caller has checked lies within size().
  virtual void read(uint64_t offset, void* dst, size_t n) = 0;
  // The same, as a string, after checking the range: "<what>: truncated or corrupt <purpose> ...".
  std::string read_range(uint64_t offset, uint64_t n, std::string_view purpose);
  virtual const std::string& what() const = 0;
};

// A file opened for reading: IOError "cannot open for reading (No such file or directory)" or
// "is a directory, not a file".
class FileBytes final : public Bytes {
 public:
  explicit FileBytes(const std::string& path);
  uint64_t size() const override { return size_; }
  void read(uint64_t offset, void* dst, size_t n) override;
  const std::string& what() const override { return path_; }

 private:
  std::string path_;
  std::ifstream in_;
  uint64_t size_ = 0;
};

// A memory image, not copied: it must outlive this object.
class MemoryBytes final : public Bytes {
 public:
  MemoryBytes(std::string_view bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}
  uint64_t size() const override { return bytes_.size(); }
  void read(uint64_t offset, void* dst, size_t n) override;
  const std::string& what() const override { return what_; }

 private:
  std::string_view bytes_;
  std::string what_;
};

// A sequential stream of an exact number of bytes, with their CRC-32 when asked for.
class Source {
 public:
  explicit Source(bool track_crc) : track_crc_(track_crc) {}
  virtual ~Source() = default;
  // Exact number of bytes still to come.
  virtual uint64_t remaining() const = 0;
  // Reads exactly n <= remaining() bytes or throws IOError.
  void read(void* dst, size_t n);
  uint32_t crc() const { return crc_; }

 protected:
  virtual void do_read(void* dst, size_t n) = 0;

 private:
  bool track_crc_;
  uint32_t crc_ = 0;
};

// [begin, begin + size) of `bytes`, which must lie within it (checked).
class RangeSource final : public Source {
 public:
  RangeSource(Bytes& bytes, uint64_t begin, uint64_t size, std::string what, bool track_crc);
  uint64_t remaining() const override { return left_; }

 private:
  void do_read(void* dst, size_t n) override;
  Bytes& bytes_;
  uint64_t pos_, left_;
  std::string what_;
};

// Inflates the raw deflate stream in `compressed` bytes at `begin`, which must yield exactly
// `uncompressed` bytes; tracks their CRC-32.
class InflateSource final : public Source {
 public:
  InflateSource(
      Bytes& bytes, uint64_t begin, uint64_t compressed, uint64_t uncompressed, std::string what);
  ~InflateSource() override;
  InflateSource(const InflateSource&) = delete;
  InflateSource& operator=(const InflateSource&) = delete;
  uint64_t remaining() const override { return left_; }
  // Checks that the stream ends exactly here and used every compressed byte.
  void finish();

 private:
  void do_read(void* dst, size_t n) override;
  void step();

  RangeSource raw_;
  uint64_t left_;
  std::string what_;
  std::vector<unsigned char> buf_;
  z_stream zs_{};
  bool ended_ = false;
};

}  // namespace keras::io
