// Python's str.format for the file names of ModelCheckpoint ("{epoch:02d}-{val_loss:.2f}") and
// Python's repr(float) for the numbers CSVLogger writes: the text Keras would produce.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "core/python_repr.h"

namespace keras::callbacks {

// An int (epoch, batch) or a float (a log value).
using FormatArg = std::variant<int64_t, double>;

// Python's format(value, spec) for ints and floats: [[fill]align][sign][#][0][width][,|_]
// [.precision][type] with types d n (ints only), e E f F g G % and none. Throws ValueError for a
// code Python rejects ("Unknown format code 'd' for object of type 'float'").
std::string python_format_value(const FormatArg& value, std::string_view spec);

// Python's pattern.format(**args): {name}, {name:spec}, {{ and }}. Throws ValueError naming a
// missing key or a malformed pattern.
std::string python_format(std::string_view pattern, const std::map<std::string, FormatArg>& args);

using keras::python_float_repr;  // core/python_repr.h

}  // namespace keras::callbacks
