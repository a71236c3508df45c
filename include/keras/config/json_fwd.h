// keras::Json: the JSON value of configs (get_config / from_config) and of the saved files.
// It is nlohmann::ordered_json (Debian's nlohmann-json3-dev, header-only), which keeps keys in
// insertion order as Python's dicts do. This header only declares it; include
// "keras/config/json.h" to build or read values.
#pragma once

#include <nlohmann/json_fwd.hpp>

namespace keras {
using Json = nlohmann::ordered_json;
}
