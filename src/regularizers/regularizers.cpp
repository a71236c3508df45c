#include "keras/regularizers/regularizers.h"

#include <cmath>

#include "core/python_repr.h"
#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"

namespace keras::regularizers {

Regularizer::Regularizer(const char* name) {
  const std::string n = name;
  if (n == "l1") {
    *this = L1();
  } else if (n == "l2") {
    *this = L2();
  } else if (n == "l1_l2") {
    *this = L1L2(0.01, 0.01);
  } else if (n == "l1l2") {  // Keras 3's name for L1L2(), whose factors are 0
    *this = L1L2(0.0, 0.0);
  } else {
    throw ValueError(str("Could not interpret regularizer identifier: ", excerpt(n)));
  }
}

namespace {

// Keras's validate_float_arg: a factor must be a finite, non-negative number.
void check_factor(double value, const char* name) {
  KERAS_CHECK(std::isfinite(value) && value >= 0, ValueError, "Invalid value for argument ", name,
              ": expected a non-negative float.Received: ", name, "=", python_float_repr(value));
}

}  // namespace

Regularizer L1(double l1) {
  check_factor(l1, "l1");
  return Regularizer(
      "L1", [l1](const Tensor& w) { return ops::multiply(ops::sum(ops::abs(w)), l1); },
      std::make_shared<const Json>(Json{{"l1", l1}}));
}

Regularizer L2(double l2) {
  check_factor(l2, "l2");
  return Regularizer(
      "L2", [l2](const Tensor& w) { return ops::multiply(ops::sum(ops::square(w)), l2); },
      std::make_shared<const Json>(Json{{"l2", l2}}));
}

Regularizer L1L2(double l1, double l2) {
  check_factor(l1, "l1");
  check_factor(l2, "l2");
  return Regularizer(
      "L1L2",
      [l1, l2](const Tensor& w) {
        return ops::add(ops::multiply(ops::sum(ops::abs(w)), l1),
                        ops::multiply(ops::sum(ops::square(w)), l2));
      },
      std::make_shared<const Json>(Json{{"l1", l1}, {"l2", l2}}));
}

Json Regularizer::get_config() const {
  KERAS_CHECK(config_ != nullptr, NotImplementedError, "Regularizer '", name_,
              "' is a C++ function and cannot be serialized");
  return *config_;
}

Json serialize(const Regularizer& regularizer) {
  if (!regularizer) return nullptr;
  return Json{{"module", "keras.regularizers"},
              {"class_name", regularizer.name()},
              {"config", regularizer.get_config()},
              {"registered_name", nullptr}};
}

Regularizer deserialize(const Json& j) {
  if (j.is_null()) return {};
  if (j.is_string()) return Regularizer(j.get<std::string>().c_str());
  const auto name = config::require<std::string>(j, "class_name", "regularizer");
  const Json config = config::find(j, "config") ? j["config"] : Json::object();
  const char* w = "regularizer";
  if (name == "L1") return L1(config::get<double>(config, "l1", 0.01, w));
  if (name == "L2") return L2(config::get<double>(config, "l2", 0.01, w));
  if (name == "L1L2") {
    return L1L2(config::get<double>(config, "l1", 0.0, w),
                config::get<double>(config, "l2", 0.0, w));
  }
  throw ValueError(str("Could not interpret regularizer identifier: ", excerpt(name)));
}

}  // namespace keras::regularizers
