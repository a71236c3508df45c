// Exceptions thrown by keras.cpp. Named after the Python exceptions Keras raises, so a message
// and its type read the same as in Keras: ValueError for bad shapes and arguments, TypeError for
// bad dtypes, AttributeError for ill-defined layer properties, IOError for files,
// NotImplementedError for what cannot be done (serializing a C++ lambda), MemoryError for an
// allocation the machine refuses (Python's MemoryError, NumPy's wording).
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
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

}  // namespace keras

// KERAS_CHECK(cond, ErrorType, parts...) throws ErrorType(str(parts...)) when cond is false.
#define KERAS_CHECK(cond, ErrorType, ...)         \
  do {                                            \
    if (!(cond)) [[unlikely]]                     \
      throw ErrorType(::keras::str(__VA_ARGS__)); \
  } while (0)
