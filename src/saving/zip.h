// A minimal zip reader and writer on top of zlib, enough for Keras's .keras archives: the writer
// stores entries uncompressed (as Keras does); the reader accepts stored and deflated entries,
// checks every offset, size and CRC, and refuses zip64, encryption and oversized entries with
// keras::IOError.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace keras::saving::zip {

struct Entry {
  std::string name;
  std::string data;
};

// The bytes of a zip archive holding `entries` in order.
std::string write(const std::vector<Entry>& entries);
// The entries of an archive by name. `max_entry_size` caps each uncompressed entry (a zip bomb
// cannot make us allocate more); `what` names the file in errors.
std::map<std::string, std::string> read(const std::string& bytes,
                                        const std::string& what,
                                        size_t max_entry_size);

}  // namespace keras::saving::zip
