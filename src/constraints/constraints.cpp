#include "keras/constraints/constraints.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"

namespace keras::constraints {
namespace {

constexpr double kEpsilon = 1e-7;  // keras.backend.epsilon()

Json axis_to_json(const Axis& axis) {
  if (!axis.is_list) return axis.axes[0];
  return Json(axis.axes);
}

Axis axis_from_json(const Json& config, const char* what) {
  const Json* j = config::find(config, "axis");
  if (j == nullptr) return 0;
  if (j->is_array()) return Axis(config::convert<std::vector<int>>(*j, "axis", what), true);
  return config::convert<int>(*j, "axis", what);
}

Tensor norms(const Tensor& w, const std::vector<int>& axes) {
  return ops::sqrt(ops::sum(ops::square(w), axes, /*keepdims=*/true));
}

std::string snake_to_class(const std::string& n) {
  if (n == "max_norm") return "MaxNorm";
  if (n == "min_max_norm") return "MinMaxNorm";
  if (n == "non_neg") return "NonNeg";
  if (n == "unit_norm") return "UnitNorm";
  return n;
}

}  // namespace

Constraint::Constraint(const char* name) {
  const std::string n = snake_to_class(name);
  if (n == "MaxNorm") {
    *this = MaxNorm();
  } else if (n == "MinMaxNorm") {
    *this = MinMaxNorm();
  } else if (n == "NonNeg") {
    *this = NonNeg();
  } else if (n == "UnitNorm") {
    *this = UnitNorm();
  } else {
    throw ValueError(str("Could not interpret constraint identifier: ", excerpt(name)));
  }
}

Constraint MaxNorm(double max_value, Axis axis) {
  return Constraint(
      "MaxNorm",
      [max_value, axes = axis.axes](const Tensor& w) {
        const Tensor n = norms(w, axes);
        return ops::multiply(w, ops::divide(ops::clip(n, 0.0, max_value), ops::add(n, kEpsilon)));
      },
      std::make_shared<const Json>(Json{{"max_value", max_value}, {"axis", axis_to_json(axis)}}));
}

Constraint MinMaxNorm(double min_value, double max_value, double rate, Axis axis) {
  return Constraint(
      "MinMaxNorm",
      [=, axes = axis.axes](const Tensor& w) {
        const Tensor n = norms(w, axes);
        const Tensor desired = ops::add(ops::multiply(ops::clip(n, min_value, max_value), rate),
                                        ops::multiply(n, 1.0 - rate));
        return ops::multiply(w, ops::divide(desired, ops::add(n, kEpsilon)));
      },
      std::make_shared<const Json>(Json{{"min_value", min_value},
                                        {"max_value", max_value},
                                        {"rate", rate},
                                        {"axis", axis_to_json(axis)}}));
}

Constraint NonNeg() {
  return Constraint(
      "NonNeg", [](const Tensor& w) { return ops::maximum(w, 0.0); },
      std::make_shared<const Json>(Json::object()));
}

Constraint UnitNorm(Axis axis) {
  return Constraint(
      "UnitNorm",
      [axes = axis.axes](const Tensor& w) {
        return ops::divide(w, ops::add(norms(w, axes), kEpsilon));
      },
      std::make_shared<const Json>(Json{{"axis", axis_to_json(axis)}}));
}

Json Constraint::get_config() const {
  KERAS_CHECK(config_ != nullptr, NotImplementedError, "Constraint '", name_,
              "' is a C++ function and cannot be serialized");
  return *config_;
}

Json serialize(const Constraint& constraint) {
  if (!constraint) return nullptr;
  return Json{{"module", "keras.constraints"},
              {"class_name", constraint.name()},
              {"config", constraint.get_config()},
              {"registered_name", nullptr}};
}

Constraint deserialize(const Json& j) {
  if (j.is_null()) return {};
  if (j.is_string()) return Constraint(j.get<std::string>().c_str());
  const auto name = snake_to_class(config::require<std::string>(j, "class_name", "constraint"));
  const Json config = config::find(j, "config") ? j["config"] : Json::object();
  KERAS_CHECK(config.is_object(), ValueError, "constraint ", excerpt(name),
              ": config must be a JSON object, got ", config::json_excerpt(config));
  const char* w = "constraint";
  if (name == "MaxNorm") {
    return MaxNorm(config::get<double>(config, "max_value", 2.0, w), axis_from_json(config, w));
  }
  if (name == "MinMaxNorm") {
    return MinMaxNorm(config::get<double>(config, "min_value", 0.0, w),
                      config::get<double>(config, "max_value", 1.0, w),
                      config::get<double>(config, "rate", 1.0, w), axis_from_json(config, w));
  }
  if (name == "NonNeg") return NonNeg();
  if (name == "UnitNorm") return UnitNorm(axis_from_json(config, w));
  throw ValueError(str("Could not interpret constraint identifier: ", excerpt(name)));
}

}  // namespace keras::constraints
