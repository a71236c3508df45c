// The data_format argument of the image and convolution ops (internal to src/ops).
#pragma once

#include <string_view>

#include "keras/core/error.h"

namespace keras::ops::internal {

// Whether data_format is "channels_first"; ValueError naming `op` unless it is that or
// "channels_last".
inline bool channels_first(std::string_view data_format, const char* op) {
  KERAS_CHECK(data_format == "channels_last" || data_format == "channels_first", ValueError, op,
              ": data_format must be 'channels_last' or 'channels_first', got '", data_format, "'");
  return data_format == "channels_first";
}

}  // namespace keras::ops::internal
