// Reading untrusted HDF5 files (a .weights.h5, a legacy .h5, a .keras archive's
// model.weights.h5, a BackupAndRestore backup): libhdf5 reads them in a child process and this
// process gets what the loaders need as plain data; it never runs libhdf5 on those bytes.
//
// libhdf5 1.10 crashes, hangs, overruns its buffers or allocates gigabytes on some damaged files
// (tests/data/saving/hdf5_crashers), no check of the bytes beforehand can foresee every such
// path, and how it fails depends on the order of the calls and on its caches: a file that a child
// read without trouble could still hang when this process read it again in another order.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keras/core/tensor.h"

namespace keras::saving::h5 {

namespace detail {
struct Contents;
}

// A group or dataset of a file read by read_untrusted. Cheap to copy; keeps the contents alive.
class Node {
 public:
  Node(std::shared_ptr<const detail::Contents> contents, uint32_t index)
      : contents_(std::move(contents)), index_(index) {}
  const detail::Contents& contents() const { return *contents_; }
  const std::shared_ptr<const detail::Contents>& shared() const { return contents_; }
  uint32_t index() const { return index_; }

 private:
  std::shared_ptr<const detail::Contents> contents_;
  uint32_t index_;
};

// Reads `image` (the bytes of an HDF5 file) and returns its root group. A forked child opens the
// image with libhdf5 and reads every group's links, every object's string attributes and every
// dataset's shape and numeric data (float elements of at most 4 bytes as float32, other floats as
// float64, integers as int64; at most 8x the image + 64 MiB of data in all), and sends them
// through a pipe. What libhdf5 or our checks refuse inside the file (a damaged attribute, dataset
// or group) is kept as an error, which the accessor below that reaches it throws as IOError: a
// damaged part the loader never asks for is no error.
//
// Throws IOError naming `what` when the image is not HDF5 or libhdf5 cannot open it; when the
// child crashes (a signal, or a sanitizer report), exits otherwise, needs more than 16x the image
// + 512 MiB of memory (an address-space limit makes libhdf5's larger allocations fail: a damaged
// size can make it ask for 16 GiB), finds more objects (4x the image's bytes + 1e6 links) or
// deeper nesting (256 groups) than it reads, sends more than 16x the image + 128 MiB, or has not
// finished after 30 s x (1 + image size / 128 MiB) (then it is killed).
//
// Environment: KERAS_HDF5_PROBE=0 reads in this process instead (trusted files, or where fork is
// unavailable); KERAS_HDF5_PROBE_TIMEOUT=<seconds> replaces the 30 s (0: every read times out,
// for tests). Only POSIX systems fork (elsewhere the read runs in this process).
// The child resets crash signals to their defaults (so a sanitizer or fuzzer in the process does
// not report libhdf5's crash as its own), never returns or runs atexit handlers (_exit), and is
// killed if this process dies; the waiting survives EINTR and a SIGCHLD set to SIG_IGN.
Node read_untrusted(const std::string& image, const std::string& what);

// The reads of h5.h, on a file read by read_untrusted. Paths are slash-separated names of links,
// relative to `loc` (an empty name or "." is no link).

// The group at `path`, or nullopt when there is none (or something else is there).
std::optional<Node> open_group(const Node& loc, const std::string& path);
// True when every component of `path` is a link (the last may lead nowhere readable).
bool exists(const Node& loc, const std::string& path);
// The names of a group's links, in HDF5's (alphabetical) order.
std::vector<std::string> children(const Node& group);
// A string or list-of-strings attribute, or nullopt when absent (see h5::read_string_attr).
std::optional<std::vector<std::string>> read_string_attr(const Node& obj, const std::string& name);
// Dataset `name` converted to `dtype` (float32, float64, int32, int64 or uint8) as libhdf5
// converts: floats and integers to integers saturate; NaN becomes 0 (libhdf5 1.10 leaves it to
// the C cast, undefined). ValueError naming `what` when it is missing, not numeric or not of
// shape `expected`; IOError when it is damaged.
Tensor read_dataset(const Node& loc,
                    const std::string& name,
                    const Shape& expected,
                    DType dtype,
                    const std::string& what);
// The shape of dataset `name`.
Shape dataset_shape(const Node& loc, const std::string& name);

}  // namespace keras::saving::h5
