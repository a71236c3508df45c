// A small RAII wrapper over the HDF5 C API for what Keras's weight files need: groups, string
// attributes, and numeric datasets, read from / written to in-memory file images. Every HDF5
// failure becomes keras::IOError; reads check shapes and sizes before allocating, and links to
// other files (external links) are refused, never followed.
//
// Untrusted images are probed first (see probe() below): libhdf5 1.10 itself can crash or hang
// on damaged files, which no check of ours before the call can fully prevent.
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
  // Opens a file image (the bytes of an .h5 file) after probe(image, what). Throws IOError if
  // it is not HDF5 or the probe fails.
  static File open(const std::string& image, const std::string& what);
  // open() without the probe: for the probe's child, and images this process wrote itself.
  static File open_unprobed(const std::string& image, const std::string& what);
  // The bytes of the file (after flushing).
  std::string image() const;
  hid_t id() const { return file_.id(); }

 private:
  Handle file_;
};

// Runs libhdf5 on `image` in a child process (fork) that opens it and reads everything the
// loaders may read, the way they read it: every group's links, every object's string attributes
// (read_string_attr), every dataset's shape and type, its data as float32 (read_dataset; datasets
// larger than 8x the image + 64 MiB, which no loader could read into a model built from this
// file, only the first element) and one element as each other dtype. Throws IOError naming
// `what` when the child crashes (signal or sanitizer report), exits otherwise than after a full
// walk, grew its resident memory by more than 16x the image + 512 MiB (libhdf5 trusting damaged
// sizes), or has not finished after 30 s x (1 + image size / 128 MiB) (then it is killed). HDF5
// errors in the child are not failures: the caller then gets them as IOError itself (an image
// libhdf5 cannot open at all is reported here, sparing the caller libhdf5's leak on a failed
// open). Same bytes, same library, same calls: a probe that passes means the real reads are safe.
//
// Environment: KERAS_HDF5_PROBE=0 skips the probe (trusted files, or where fork is unavailable);
// KERAS_HDF5_PROBE_TIMEOUT=<seconds> replaces the 30 s (0: every probe times out, for tests).
// POSIX only (elsewhere a no-op).
// The child resets crash signals to their defaults (so a sanitizer or fuzzer in the process does
// not report libhdf5's crash as its own), never returns or runs atexit handlers (_exit), and is
// killed if this process dies; the waiting survives EINTR and a SIGCHLD set to SIG_IGN.
void probe(const std::string& image, const std::string& what);

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
