// A small RAII wrapper over the HDF5 C API for what Keras's weight files need: groups, string
// attributes, and numeric datasets, read from / written to in-memory file images. Every HDF5
// failure becomes keras::IOError; reads check shapes and sizes before allocating, and links to
// other files (external links) are refused, never followed.
//
// These calls run libhdf5 in this process: only on files this process writes or wrote itself.
// libhdf5 1.10 can crash, hang or allocate gigabytes on damaged files, which no check of ours
// before the call can fully prevent; untrusted files are read with h5::read_untrusted
// (saving/h5_snapshot.h), which runs these reads in a child process.
#pragma once

#include <hdf5.h>

#include <optional>
#include <string>
#include <vector>

#include "keras/core/tensor.h"

namespace keras::saving::h5 {

class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept;
  ~Handle();
  hid_t id() const { return id_; }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

class File {
 public:
  // A new, empty file in memory.
  static File create();
  // Opens a file image (the bytes of an .h5 file) that this process wrote itself, or inside
  // read_untrusted's child. Throws IOError naming `what` when libhdf5 cannot open it.
  static File open_trusted(const std::string& image, const std::string& what);
  // The bytes of the file (after flushing).
  std::string image() const;
  hid_t id() const { return file_.id(); }

 private:
  Handle file_;
};

// Throws IOError naming `what` when a global heap collection of `image` (where variable-length
// strings live) claims a size past the image or holds an object past its end: libhdf5 1.10
// trusts those sizes and copies past the collection.
void check_global_heaps(const std::string& image, const std::string& what);

// The access property lists of every lookup here (links, group opens, dataset opens): they
// refuse to traverse external links.
hid_t link_access();
hid_t group_access();
hid_t dataset_access();

// Group at `path` (slash-separated, relative to `loc`), created with its parents.
Handle make_group(hid_t loc, const std::string& path);
// Group at `path`, or nullopt when it does not exist.
std::optional<Handle> open_group(hid_t loc, const std::string& path);
bool exists(hid_t loc, const std::string& path);
// Names of the direct children of a group, in HDF5's (alphabetical) order. At most 1e6, and
// no more names than the file has bytes.
std::vector<std::string> children(hid_t group);

void write_string_attr(hid_t obj, const std::string& name, const std::string& value);
void write_string_list_attr(hid_t obj,
                            const std::string& name,
                            const std::vector<std::string>& values);
// A string or list-of-strings attribute (fixed or variable length), or nullopt when absent.
// Throws IOError when it is not a string (an empty float array reads as an empty list) or claims
// more elements (at most 1e6) or bytes than the file holds.
std::optional<std::vector<std::string>> read_string_attr(hid_t obj, const std::string& name);

void write_dataset(hid_t loc, const std::string& name, const Tensor& value);
// Throws IOError when dataset `ds` claims elements of more than 16 bytes or chunks much larger
// than its data: libhdf5 would allocate buffers of those sizes to read it.
void check_storage(hid_t ds, const std::string& what);
// Keras 3 writes bfloat16 variables as 2-byte opaque data marked by a "dtype" attribute;
// read_dataset widens them to float32.
bool is_bfloat16(hid_t ds, hid_t type);
// Reads dataset `name` as `dtype`; throws ValueError unless its shape is `expected` (what names
// the weight in messages) and IOError on a damaged dataset (check_storage included).
Tensor read_dataset(hid_t loc,
                    const std::string& name,
                    const Shape& expected,
                    DType dtype,
                    const std::string& what);
// The shape of dataset `name` (rank at most 32).
Shape dataset_shape(hid_t loc, const std::string& name);

}  // namespace keras::saving::h5
