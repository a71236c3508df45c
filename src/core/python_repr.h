// Python's text for numbers, for messages in Keras's wording.
#pragma once

#include <string>

namespace keras {

// Python's repr(float): the shortest text that reads back to v ("0.1", "1e-05", "1.0", "nan").
std::string python_float_repr(double v);

}  // namespace keras
