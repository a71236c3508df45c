#include "keras/layers/time_distributed.h"

#include "keras/config/json.h"
#include "keras/layers/registry.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

// (batch, timesteps, rest...) -> (batch * timesteps or None, rest...).
Shape fold(const Shape& s) {
  Shape inner{s[0] == kNone || s[1] == kNone ? kNone : s[0] * s[1]};
  inner.insert(inner.end(), s.begin() + 2, s.end());
  return inner;
}

}  // namespace

TimeDistributedImpl::TimeDistributedImpl(LayerRef layer, TimeDistributedOptions options)
    : WrapperImpl(
          std::move(options.name),
          "time_distributed",
          options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt,
          std::move(layer)) {
  input_spec_ = {InputSpec{.min_ndim = 3}};
}

void TimeDistributedImpl::build(const std::vector<Shape>& input_shapes) {
  KERAS_CHECK(input_shapes.size() == 1, ValueError, "TimeDistributed ", name(),
              " takes one input, got ", input_shapes.size());
  inner_->maybe_build({fold(input_shapes[0])});
}

std::vector<Shape> TimeDistributedImpl::compute_output_shape(const std::vector<Shape>& in) const {
  const Shape& s = in[0];
  std::vector<Shape> inner = inner_->compute_output_shape({fold(s)});
  KERAS_CHECK(inner.size() == 1, ValueError, "TimeDistributed: the wrapped layer ", inner_.name(),
              " must have one output");
  Shape out{s[0], s[1]};
  out.insert(out.end(), inner[0].begin() + 1, inner[0].end());
  return {out};
}

std::vector<DType> TimeDistributedImpl::compute_output_dtype(const std::vector<DType>& in,
                                                             size_t n) const {
  return inner_->compute_output_dtype(in, n);
}

Tensors TimeDistributedImpl::call(const Tensors& inputs, bool training) {
  const Tensor& x = inputs[0];
  const int64_t batch = x.dim(0), steps = x.dim(1);
  // Keras 3 checks the mask against the input's batch and time dimensions.
  if (const Tensor& mask = x.keras_mask(); mask.defined()) {
    KERAS_CHECK(mask.rank() >= 2, ValueError,
                "The `mask` passed to the `TimeDistributed` layer must be at least 2D (e.g., "
                "`(batch_size, timesteps)`), but it has ",
                mask.rank(), " dimension(s) with shape ", shape_str(mask.shape()), ".");
    KERAS_CHECK(mask.dim(0) == batch && mask.dim(1) == steps, ValueError,
                "The `mask` passed to the `TimeDistributed` layer has a shape ",
                shape_str(mask.shape()), " that is incompatible with the input shape ",
                shape_str(x.shape()),
                ". The first two dimensions of the mask (batch size and timesteps) must match "
                "the input's first two dimensions. Expected mask shape prefix: (",
                batch, ", ", steps, ").");
  }
  // The inner layer's call() itself, as Keras 3 runs it: its own activity_regularizer does not
  // apply (its sublayers' do).
  Tensors y = inner_.layer()->call({ops::reshape(x, fold(x.shape()))}, training);
  Shape out{batch, steps};
  out.insert(out.end(), y[0].shape().begin() + 1, y[0].shape().end());
  return {ops::reshape(y[0], out)};
}

std::shared_ptr<Layer> TimeDistributedImpl::from_config(const Json& config) {
  auto layer = std::make_shared<TimeDistributedImpl>(
      layer_from_config(config, "TimeDistributed"),
      TimeDistributedOptions{.name =
                                 config::get<std::string>(config, "name", "", "TimeDistributed")});
  layer->apply_base_config(config);
  return layer;
}

}  // namespace keras::layers
