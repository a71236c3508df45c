// Variable: a named, mutable tensor owned by a layer or an optimizer (keras.Variable).
// A cheap handle: copies share the same variable. assign() writes in place, so tensors that
// refer to the value (kernels recorded in an execution plan) see the new contents.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "keras/core/tensor.h"

namespace keras {

class Variable {
 public:
  Variable() = default;
  Variable(std::string name, Tensor value, bool trainable = true);

  bool defined() const { return impl_ != nullptr; }
  const std::string& name() const { return impl_->name; }
  // "layer_name/variable_name" once a layer owns it.
  const std::string& path() const { return impl_->path; }
  void set_path(std::string path) { impl_->path = std::move(path); }
  const Tensor& value() const { return impl_->value; }
  const Shape& shape() const { return impl_->value.shape(); }
  DType dtype() const { return impl_->value.dtype(); }
  bool trainable() const { return impl_->trainable; }
  void set_trainable(bool trainable);
  // Copies `value` into the variable; throws ValueError on a shape mismatch.
  void assign(const Tensor& value) const;
  // The projection the optimizer applies after each update (Keras's `variable.constraint`, set by
  // a layer's `kernel_constraint` & co.); empty for none.
  using Constraint = std::function<Tensor(const Tensor&)>;
  const Constraint& constraint() const { return impl_->constraint; }
  void set_constraint(Constraint constraint) { impl_->constraint = std::move(constraint); }
  // The same variable?
  friend bool operator==(const Variable& a, const Variable& b) { return a.impl_ == b.impl_; }

 private:
  struct Impl {
    std::string name, path;
    Tensor value;
    bool trainable = true;
    Constraint constraint;
  };
  std::shared_ptr<Impl> impl_;
};

}  // namespace keras
