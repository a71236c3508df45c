#include "keras/core/variable.h"

namespace keras {

Variable::Variable(std::string name, Tensor value, bool trainable)
    : impl_(std::make_shared<Impl>()) {
  impl_->name = std::move(name);
  impl_->path = impl_->name;
  impl_->value = std::move(value);
  set_trainable(trainable);
}

void Variable::set_trainable(bool trainable) {
  impl_->trainable = trainable;
  impl_->value.set_requires_grad(trainable && is_floating(impl_->value.dtype()));
}

void Variable::assign(const Tensor& value) const {
  KERAS_CHECK(value.shape() == shape(), ValueError, "Variable '", path(),
              "': cannot assign a value of shape ", shape_str(value.shape()),
              " to a variable of shape ", shape_str(shape()));
  impl_->value.copy_from(value.astype(dtype()));
}

}  // namespace keras
