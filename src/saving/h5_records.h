// Internal to h5::read_untrusted (saving/h5_snapshot.h): what a child process reads from an HDF5
// file, as a stream of records it writes to a pipe, and the contents this process builds from
// them. Little-endian; strings are a u32 length and the bytes.
//   'R'                                  libhdf5 cannot open the file (then 'E')
//   'O' kind:u8                          the next object (0 group, 1 dataset, 2 other); the root
//                                        is object 0
//   'A' obj:u32 name:str 0 n:u32 str*n   a string attribute (read_string_attr's value)
//   'A' obj:u32 name:str 1 error:str     an attribute read_string_attr refused or failed on
//   'a' obj:u32 error:str                the object's attributes cannot all be listed
//   'L' obj:u32 name:str target:i64      a link of a group to an earlier object (-1: to nothing
//                                        readable: dangling, external, or failing to open)
//   'l' obj:u32 error:str                the group's links cannot be listed (children() threw)
//   'S' obj:u32 0 rank:u8 dim:u64*rank   a dataset's shape (dataset_shape)
//   'S' obj:u32 1 error:str              ... or why it has none
//   'D' obj:u32 0 dtype:u8 bytes:u64 ... a dataset's data, as float32 (float elements of at most
//                                        4 bytes), float64 (other floats) or int64 (integers)
//   'D' obj:u32 status:u8 error:str      ... or why not (1: IOError, 2: ValueError)
//   'E'                                  the end
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keras/core/tensor.h"

namespace keras::saving::h5::detail {

enum class Kind : uint8_t { group = 0, dataset = 1, other = 2 };
enum class Status : uint8_t { ok = 0, io_error = 1, value_error = 2 };

struct Attribute {
  std::vector<std::string> value;
  std::optional<std::string> error;
};

struct Object {
  Kind kind = Kind::other;
  std::map<std::string, Attribute> attributes;
  std::optional<std::string> attributes_error;
  std::vector<std::string> link_names;  // in HDF5's (alphabetical) order, as children() lists
  std::map<std::string, int64_t> links;
  std::optional<std::string> links_error;
  // Datasets only.
  std::optional<Shape> shape;
  std::string shape_error = "HDF5: the dataset could not be read";
  Status data_status = Status::io_error;
  std::string data_error = "HDF5: the dataset could not be read";
  DType data_dtype = float32;
  std::string data;
};

struct Contents {
  std::string what;             // the file, for messages
  bool refused = false;         // libhdf5 cannot open the file
  std::vector<Object> objects;  // [0]: the root group
};

// Where records go: a pipe in the child, a string in this process.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(const void* data, size_t size) = 0;
};

class RecordWriter {
 public:
  explicit RecordWriter(Sink& sink) : sink_(sink) {}
  void refused();
  uint32_t object(Kind kind);  // the new object's index
  void attribute(uint32_t obj, const std::string& name, const std::vector<std::string>& value);
  void attribute_error(uint32_t obj, const std::string& name, const std::string& error);
  void attributes_error(uint32_t obj, const std::string& error);
  void link(uint32_t obj, const std::string& name, int64_t target);
  void links_error(uint32_t obj, const std::string& error);
  void shape(uint32_t obj, const Shape& shape);
  void shape_error(uint32_t obj, const std::string& error);
  void data(uint32_t obj, DType dtype, const void* bytes, uint64_t size);
  void data_error(uint32_t obj, Status status, const std::string& error);
  void end();

 private:
  void u8(uint8_t v) { sink_.write(&v, 1); }
  void u32(uint32_t v);
  void u64(uint64_t v);
  void str(const std::string& s);
  Sink& sink_;
  uint32_t objects_ = 0;
};

// The contents a complete record stream describes; IOError naming `what` when it is malformed
// (cut short, or an index out of range).
std::shared_ptr<const Contents> parse_records(const std::string& stream, const std::string& what);

// Runs the reads in a child process (or here, see read_untrusted) and returns its records.
std::string read_records(const std::string& image, const std::string& what);

}  // namespace keras::saving::h5::detail
