// Python's text for numbers, for messages in Keras's wording, and Keras's names for classes.
#pragma once

#include <string>

namespace keras {

// Python's repr(float): the shortest text that reads back to v ("0.1", "1e-05", "1.0", "nan").
std::string python_float_repr(double v);

// Keras's naming.to_snake_case, which names layers and optimizers after their class
// ("SimpleRNN" -> "simple_rnn", "RMSprop" -> "rm_sprop").
std::string to_snake_case(const std::string& name);

}  // namespace keras
