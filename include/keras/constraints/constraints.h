// Weight constraints (keras.constraints): projections applied to a weight after each optimizer
// step (Keras 3's optimizer assigns `constraint(variable)` to every trainable variable that has
// one, right after applying the gradients).
//
// Norms are taken over `axis` (Keras's default 0: for a Dense kernel (input_dim, units), each
// unit's incoming weights). With norms = sqrt(sum(w², axis, keepdims)) and eps = 1e-7:
//   MaxNorm(max_value=2, axis=0):            w * clip(norms, 0, max_value) / (eps + norms)
//   MinMaxNorm(min_value=0, max_value=1, rate=1, axis=0):
//       w * (rate * clip(norms, min_value, max_value) + (1 - rate) * norms) / (eps + norms)
//   NonNeg():                                 max(w, 0)
//   UnitNorm(axis=0):                         w / (eps + norms)
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "keras/config/json_fwd.h"
#include "keras/core/tensor.h"

namespace keras::constraints {

// Keras's `axis`: one integer or a list of them (Conv2D filters: {0, 1, 2}); written back in the
// same form.
struct Axis {
  Axis(int axis) : axes{axis} {}  // NOLINT(google-explicit-constructor): Keras spelling
  Axis(std::initializer_list<int> list) : axes(list), is_list(true) {}
  Axis(std::vector<int> list, bool as_list) : axes(std::move(list)), is_list(as_list) {}
  std::vector<int> axes;
  bool is_list = false;
};

class Constraint {
 public:
  using Fn = std::function<Tensor(const Tensor&)>;
  Constraint() = default;  // none
  // "max_norm"/"MaxNorm", "min_max_norm"/"MinMaxNorm", "non_neg"/"NonNeg", "unit_norm"/"UnitNorm"
  // with their defaults; throws ValueError otherwise.
  Constraint(const char* name);  // NOLINT(google-explicit-constructor): Keras spelling
  // A custom constraint: serializable only with `config` and a class name deserialize() knows.
  Constraint(std::string name, Fn fn, std::shared_ptr<const Json> config = nullptr)
      : name_(std::move(name)), fn_(std::move(fn)), config_(std::move(config)) {}

  explicit operator bool() const { return static_cast<bool>(fn_); }
  // The projected weight (a new tensor; made of ops, so it can be traced into a plan).
  Tensor operator()(const Tensor& weight) const { return fn_(weight); }
  const std::string& name() const { return name_; }
  const Fn& fn() const { return fn_; }
  // The Keras config dict ({"max_value": 3, "axis": 0}); NotImplementedError for a C++ function.
  Json get_config() const;

 private:
  std::string name_;
  Fn fn_;
  std::shared_ptr<const Json> config_;
};

// Keras 3's serialized form ({"module": "keras.constraints", "class_name": "MaxNorm", "config":
// {"max_value": 3, "axis": 0}, "registered_name": null}); null for no constraint.
Json serialize(const Constraint& constraint);
// From that form, Keras 2's {"class_name", "config"}, a name, or null (none). Throws ValueError
// for an unknown class or a bad config value.
Constraint deserialize(const Json& j);

Constraint MaxNorm(double max_value = 2.0, Axis axis = 0);
Constraint MinMaxNorm(double min_value = 0.0,
                      double max_value = 1.0,
                      double rate = 1.0,
                      Axis axis = 0);
Constraint NonNeg();
Constraint UnitNorm(Axis axis = 0);

}  // namespace keras::constraints
