// The zip archives keras.cpp reads and writes: NumPy's .npz and Keras's .keras.
//
// Reader accepts STORED and DEFLATE members, data descriptors, zip64 records and extra fields
// and an archive comment, and checks everything before a member is read: every signature, the
// central directory against the end record, each local header against its central entry (name,
// method, CRC and sizes), members that overlap each other or the central directory (no byte is
// inflated twice, as in a zip bomb's entries sharing one stream), and a DEFLATE member claiming
// more than deflate's maximum expansion (1032:1) of its compressed size. Encrypted members,
// other compression methods, multi-disk archives and NUL in names are refused. Reading a member
// checks its CRC-32 and its exact length. Errors are IOErrors: "<what>: not a valid <kind>:
// <why>" for the archive, "<what>:<member>: <why>" for one member.
//
// Writer streams members to an ostream, STORED or DEFLATE, with CRC-32s, a fixed DOS date
// (1980-01-01, so equal inputs give equal files), zip64 records where sizes or offsets need them
// and a zip64 extra field in every local header (as NumPy writes them); Python's zipfile, NumPy
// and Keras read them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "io/byte_source.h"

namespace keras::io::zip {

struct Entry {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;  // 0 stored, 8 deflate
  uint32_t crc = 0;
  uint64_t compressed = 0;
  uint64_t uncompressed = 0;
  uint64_t offset = 0;  // of the local header
  uint64_t data = 0;    // of the member's bytes
};

class Reader {
 public:
  // Reads and checks the directory of the archive in `bytes` (which must outlive the reader).
  // `kind` words errors: "npz (zip) archive", ".keras (zip) file".
  Reader(Bytes& bytes, std::string kind);
  // The members in central-directory order, directories ("sub/") included.
  const std::vector<Entry>& entries() const { return entries_; }
  // Streams `e`'s uncompressed bytes to `consume`, which must read all of them; then checks the
  // stream's end and the CRC-32. `what` ("<file>:<member>") is for consume's errors.
  void read(const Entry& e, const std::function<void(Source&, const std::string& what)>& consume);
  // The member's bytes; IOError "... is too large" when it has more than max_size. Memory grows
  // with the bytes actually inflated, not with the size the header claims.
  std::string read_all(const Entry& e, uint64_t max_size);

 private:
  [[noreturn]] void invalid(const std::string& why) const;
  void read_directory();
  void locate(Entry& e);

  Bytes& bytes_;
  std::string kind_;
  uint64_t cd_offset_ = 0;
  std::vector<Entry> entries_;
};

class Writer {
 public:
  // `what` names the file in errors.
  Writer(std::ostream& out, std::string what);
  // Adds a member whose bytes are `parts` one after the other (a header and a tensor's data
  // without copying them together).
  void add(const std::string& name, const std::vector<std::string_view>& parts, bool deflate);
  // Writes the central directory; the archive is complete after it.
  void finish();

 private:
  struct Written {
    std::string name;
    uint16_t method;
    uint32_t crc;
    uint64_t compressed, uncompressed, offset;
  };
  void write(const void* data, size_t n);
  uint64_t tell();
  void local_header(const Written& w);

  std::ostream& out_;
  std::string what_;
  std::vector<Written> members_;
};

// Whole archives in memory, for .keras files.
struct Member {
  std::string name;
  std::string data;
};
std::string write(const std::vector<Member>& members);
// The members of `reader` by name, directories skipped; a name twice is an IOError naming `what`.
// Read only those needed (Reader::read_all): the others are never inflated.
std::map<std::string, const Entry*> members(const Reader& reader, const std::string& what);
// Every member by name (directories skipped; a name twice is an IOError). `max_entry_size` caps
// each member, so a small archive cannot make us allocate more.
std::map<std::string, std::string> read(std::string_view bytes,
                                        const std::string& what,
                                        uint64_t max_entry_size);

}  // namespace keras::io::zip
