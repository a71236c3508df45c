#include "keras/layers/activations/softmax.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "layers/config_util.h"

namespace keras::layers {

SoftmaxImpl::SoftmaxImpl(SoftmaxOptions options)
    : Layer(options.name,
            "softmax",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      options_(std::move(options)) {
  KERAS_CHECK(!options_.axis.empty(), ValueError, "Softmax: `axis` must name at least one axis");
}

namespace {

// The mask as a bool tensor of x's rank (leading 1s added), after Keras's broadcast checks.
Tensor broadcastable_mask(const Tensor& mask, const Tensor& x) {
  KERAS_CHECK(mask.rank() <= x.rank(), ValueError,
              "The `mask` must be broadcastable to `inputs` and must not have more dimensions. "
              "Received: inputs.shape=",
              shape_str(x.shape()), ", mask.shape=", shape_str(mask.shape()));
  const int offset = x.rank() - mask.rank();
  for (int d = 0; d < mask.rank(); ++d) {
    const int64_t m = mask.shape()[static_cast<size_t>(d)];
    const int64_t i = x.shape()[static_cast<size_t>(d + offset)];
    KERAS_CHECK(m == 1 || m == i, ValueError,
                "The `mask` must be broadcastable to `inputs`. Each mask dimension must be 1 or "
                "match the corresponding input dimension. Received: inputs.shape=",
                shape_str(x.shape()), ", mask.shape=", shape_str(mask.shape()));
  }
  Tensor m = mask.dtype() == bool_ ? mask : ops::greater(mask, 0.5);
  Shape shape(static_cast<size_t>(offset), 1);
  shape.insert(shape.end(), mask.shape().begin(), mask.shape().end());
  return ops::reshape(m, shape);
}

}  // namespace

Tensors SoftmaxImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (!is_floating(x.dtype())) x = ops::cast(x, dtype());
  const Tensor mask = inputs[0].keras_mask();
  Tensor m;
  if (mask.defined()) {
    m = broadcastable_mask(mask, x);
    // Keras's _large_negative_number for float32 and float64.
    x = ops::where(m, x, ops::full_like(x, -1e9));
  }
  Tensor y;
  if (options_.axis.size() == 1) {
    y = ops::softmax(x, options_.axis[0]);
  } else {
    y = ops::exp(ops::subtract(x, ops::logsumexp(x, options_.axis, /*keepdims=*/true)));
  }
  if (m.defined()) y = ops::where(m, y, ops::zeros_like(y));
  return {y};
}

std::vector<Shape> SoftmaxImpl::compute_output_shape(const std::vector<Shape>& in) const {
  return {in[0]};
}

Json SoftmaxImpl::get_config() const {
  Json config = Layer::get_config();
  config["axis"] = options_.axis.size() == 1 ? Json(options_.axis[0]) : Json(options_.axis);
  return config;
}

std::shared_ptr<Layer> SoftmaxImpl::from_config(const Json& c) {
  const char* w = "Softmax";
  SoftmaxOptions o{.name = config::get<std::string>(c, "name", "", w)};
  o.axis.clear();
  for (int64_t a : config_util::int_list(c, "axis", {-1}, w)) {
    KERAS_CHECK(a >= -64 && a < 64, ValueError, "Softmax: axis ", a, " is out of range");
    o.axis.push_back(static_cast<int>(a));
  }
  auto layer = std::make_shared<SoftmaxImpl>(std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
