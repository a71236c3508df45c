#include "keras/layers/regularization/activity_regularization.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/regularizers/regularizers.h"

namespace keras::layers {

ActivityRegularizationImpl::ActivityRegularizationImpl(ActivityRegularizationOptions options)
    : Layer(options.name,
            "activity_regularization",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      options_(std::move(options)) {
  // Keras's validate_float_arg, as for the L1L2 regularizer it builds.
  regularizers::L1L2(options_.l1, options_.l2);
}

Tensors ActivityRegularizationImpl::call(const Tensors& inputs, bool) {
  const Tensor& x = inputs[0];
  if ((options_.l1 == 0 && options_.l2 == 0) || !is_floating(x.dtype())) {
    penalty_ = Tensor();
    return {x};
  }
  Tensor p;
  if (options_.l1 != 0) p = ops::multiply(ops::sum(ops::abs(x)), options_.l1);
  if (options_.l2 != 0) {
    const Tensor l2 = ops::multiply(ops::sum(ops::square(x)), options_.l2);
    p = p.defined() ? ops::add(p, l2) : l2;
  }
  // Keras divides by the batch size with divide_no_nan: an empty batch adds 0.
  const int64_t batch = x.rank() > 0 ? x.shape()[0] : 1;
  penalty_ = batch > 0 ? ops::divide(p, static_cast<double>(batch)) : ops::zeros_like(p);
  return {x};
}

Tensors ActivityRegularizationImpl::losses() const {
  Tensors out = Layer::losses();
  if (penalty_.defined()) out.push_back(penalty_);
  return out;
}

std::vector<Shape> ActivityRegularizationImpl::compute_output_shape(
    const std::vector<Shape>& in) const {
  return {in[0]};
}

Json ActivityRegularizationImpl::get_config() const {
  Json config = Layer::get_config();
  config["l1"] = options_.l1;
  config["l2"] = options_.l2;
  return config;
}

std::shared_ptr<Layer> ActivityRegularizationImpl::from_config(const Json& c) {
  const char* w = "ActivityRegularization";
  auto layer = std::make_shared<ActivityRegularizationImpl>(
      ActivityRegularizationOptions{.l1 = config::get<double>(c, "l1", 0.0, w),
                                    .l2 = config::get<double>(c, "l2", 0.0, w),
                                    .name = config::get<std::string>(c, "name", "", w)});
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
