// Weight regularizers (keras.regularizers): penalties added to the training loss.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "keras/config/json_fwd.h"
#include "keras/core/tensor.h"

namespace keras::regularizers {

class Regularizer {
 public:
  using Fn = std::function<Tensor(const Tensor&)>;
  Regularizer() = default;  // none
  // "l1" / "L1" (0.01), "l2" / "L2" (0.01), "l1_l2" (0.01, 0.01; Keras 2), "l1l2" / "L1L2" (0,
  // 0), "orthogonal_regularizer" / "OrthogonalRegularizer" (0.01, rows); ValueError otherwise.
  Regularizer(const char* name);  // NOLINT(google-explicit-constructor): Keras spelling
  // A custom regularizer: serializable only with `config` and a class name deserialize() knows.
  Regularizer(std::string name, Fn fn, std::shared_ptr<const Json> config = nullptr)
      : name_(std::move(name)), fn_(std::move(fn)), config_(std::move(config)) {}

  explicit operator bool() const { return static_cast<bool>(fn_); }
  // The scalar penalty for `weight`.
  Tensor operator()(const Tensor& weight) const { return fn_(weight); }
  const std::string& name() const { return name_; }
  // The Keras config dict ({"l2": 0.01}); throws NotImplementedError for a custom function.
  Json get_config() const;

 private:
  std::string name_;
  Fn fn_;
  std::shared_ptr<const Json> config_;
};

// Keras 3's serialized form ({"module": "keras.regularizers", "class_name": "L2", "config":
// {"l2": 0.01}, "registered_name": null}); null for no regularizer.
Json serialize(const Regularizer& regularizer);
// From that form, Keras 2's {"class_name", "config"}, a name, or null (none). Throws ValueError
// for an unknown class.
Regularizer deserialize(const Json& j);

// l1 * sum(|w|).
Regularizer L1(double l1 = 0.01);
// l2 * sum(w²).
Regularizer L2(double l2 = 0.01);
Regularizer L1L2(double l1 = 0.0, double l2 = 0.0);
// keras.regularizers.OrthogonalRegularizer: for a rank-2 weight, the rows (mode "rows") or
// columns ("columns") are L2-normalized and the penalty is factor * 0.5 * the mean of |dot
// product| over the pairs of distinct rows (columns). The factor is kept in float32, as Keras
// keeps it. ValueError for another mode, for a negative or non-finite factor, and for a weight
// of another rank.
struct OrthogonalRegularizerOptions {
  double factor = 0.01;
  std::string mode = "rows";
};
Regularizer OrthogonalRegularizer(OrthogonalRegularizerOptions options = {});

}  // namespace keras::regularizers
