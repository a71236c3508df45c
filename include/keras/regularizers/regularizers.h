// Weight regularizers (keras.regularizers): penalties added to the training loss.
#pragma once

#include <functional>
#include <string>

#include "keras/core/tensor.h"

namespace keras::regularizers {

class Regularizer {
 public:
  using Fn = std::function<Tensor(const Tensor&)>;
  Regularizer() = default;  // none
  // "l1" (0.01), "l2" (0.01), "l1_l2" (0.01, 0.01); throws ValueError otherwise.
  Regularizer(const char* name);  // NOLINT(google-explicit-constructor): Keras spelling
  Regularizer(std::string name, Fn fn) : name_(std::move(name)), fn_(std::move(fn)) {}

  explicit operator bool() const { return static_cast<bool>(fn_); }
  // The scalar penalty for `weight`.
  Tensor operator()(const Tensor& weight) const { return fn_(weight); }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  Fn fn_;
};

// l1 * sum(|w|).
Regularizer L1(double l1 = 0.01);
// l2 * sum(w²).
Regularizer L2(double l2 = 0.01);
Regularizer L1L2(double l1 = 0.0, double l2 = 0.0);

}  // namespace keras::regularizers
