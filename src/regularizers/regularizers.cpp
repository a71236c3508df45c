#include "keras/regularizers/regularizers.h"

#include <cmath>
#include <vector>

#include "core/python_repr.h"
#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"

namespace keras::regularizers {

Regularizer::Regularizer(const char* name) {
  const std::string n = name;
  if (n == "l1" || n == "L1") {
    *this = L1();
  } else if (n == "l2" || n == "L2") {
    *this = L2();
  } else if (n == "orthogonal_regularizer" || n == "OrthogonalRegularizer") {
    *this = OrthogonalRegularizer();
  } else if (n == "l1_l2") {
    *this = L1L2(0.01, 0.01);
  } else if (n == "l1l2" || n == "L1L2") {  // Keras 3's name for L1L2(), whose factors are 0
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

Regularizer OrthogonalRegularizer(OrthogonalRegularizerOptions o) {
  check_factor(o.factor, "factor");
  KERAS_CHECK(o.mode == "rows" || o.mode == "columns", ValueError,
              "Invalid value for argument `mode`. Expected one of {\"rows\", \"columns\"}. "
              "Received: mode=",
              o.mode);
  const double factor = static_cast<float>(o.factor);
  const bool rows = o.mode == "rows";
  return Regularizer(
      "OrthogonalRegularizer",
      [factor, rows](const Tensor& w) {
        KERAS_CHECK(w.rank() == 2, ValueError,
                    "Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape=",
                    shape_str(w.shape()));
        const Tensor x = ops::normalize(w, rows ? 1 : 0);
        const Tensor product = ops::matmul_t(x, x, !rows, rows);
        const int64_t size = w.shape()[rows ? 0 : 1];
        std::vector<double> mask(static_cast<size_t>(size * size), 1.0);
        for (int64_t i = 0; i < size; ++i) mask[static_cast<size_t>(i * size + i)] = 0.0;
        const Tensor off_diagonal =
            Tensor::from_vector(mask, {size, size}).astype(product.dtype()).to(product.device());
        const double pairs = static_cast<double>(size) * (static_cast<double>(size) - 1.0) / 2.0;
        return ops::divide(
            ops::multiply(ops::sum(ops::abs(ops::multiply(product, off_diagonal))), factor * 0.5),
            pairs);
      },
      std::make_shared<const Json>(Json{{"factor", factor}, {"mode", o.mode}}));
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
  if (name == "OrthogonalRegularizer") {
    return OrthogonalRegularizer({config::get<double>(config, "factor", 0.01, w),
                                  config::get<std::string>(config, "mode", "rows", w)});
  }
  throw ValueError(str("Could not interpret regularizer identifier: ", excerpt(name)));
}

}  // namespace keras::regularizers
