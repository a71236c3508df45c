// Exceptions thrown by keras.cpp. Named after the Python exceptions Keras raises, so a message
// and its type read the same as in Keras: ValueError for bad shapes and arguments, TypeError for
// bad dtypes, AttributeError for ill-defined layer properties, IOError for files,
// NotImplementedError for what cannot be done (serializing a C++ lambda), MemoryError for an
// allocation the machine refuses (Python's MemoryError, NumPy's wording).
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace keras {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class ValueError : public Error {
 public:
  using Error::Error;
};
class TypeError : public Error {
 public:
  using Error::Error;
};
class IndexError : public Error {
 public:
  using Error::Error;
};
class AttributeError : public Error {
 public:
  using Error::Error;
};
class IOError : public Error {
 public:
  using Error::Error;
};
class RuntimeError : public Error {
 public:
  using Error::Error;
};
class NotImplementedError : public Error {
 public:
  using Error::Error;
};
class MemoryError : public Error {
 public:
  using Error::Error;
};

// str(a, b, c) streams every argument into one string.
template <class... Args>
std::string str(Args&&... args) {
  std::ostringstream out;
  (out << ... << std::forward<Args>(args));
  return out.str();
}

// At most `max_bytes` of untrusted text (a name or a header read from a file) for an error
// message: control bytes escaped ("\n", "\x01"), cut at a UTF-8 character boundary and ended
// with "..." when longer. Messages quote file content only through this (or config::json_excerpt
// for JSON), so a hostile file cannot make an error message huge.
std::string excerpt(std::string_view text, size_t max_bytes = 100);

// "3.64 TiB": a byte count as NumPy's MemoryError ("Unable to allocate 3.64 TiB") says it.
std::string byte_size_str(size_t nbytes);

}  // namespace keras

// KERAS_CHECK(cond, ErrorType, parts...) throws ErrorType(str(parts...)) when cond is false.
#define KERAS_CHECK(cond, ErrorType, ...)         \
  do {                                            \
    if (!(cond)) [[unlikely]]                     \
      throw ErrorType(::keras::str(__VA_ARGS__)); \
  } while (0)
