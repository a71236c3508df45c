#include "keras/layers/adaptive_pooling.h"

#include "keras/config/json.h"
#include "keras/ops/nn.h"
#include "layers/config_util.h"

namespace keras::layers {
namespace {

std::string adaptive_name(PoolingKind kind, int rank) {
  return str("Adaptive", kind == PoolingKind::max ? "Max" : "Average", "Pooling", rank, "D");
}

std::string adaptive_prefix(PoolingKind kind, int rank) {
  return str("adaptive_", kind == PoolingKind::max ? "max" : "average", "_pooling", rank, "d");
}

}  // namespace

AdaptivePoolingImpl::AdaptivePoolingImpl(PoolingKind kind,
                                         int rank,
                                         const IntOrTuple& output_size,
                                         AdaptivePoolingOptions options)
    : Layer(options.name,
            adaptive_prefix(kind, rank),
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      kind_(kind),
      rank_(rank),
      channels_first_(options.data_format == "channels_first") {
  KERAS_CHECK(options.data_format == "channels_first" || options.data_format == "channels_last",
              ValueError, "Invalid data_format: ", options.data_format,
              ". Expected 'channels_first' or 'channels_last'.");
  const std::vector<int64_t>& v = output_size.values;
  KERAS_CHECK(v.size() == 1 || static_cast<int>(v.size()) == rank, TypeError,
              "`output_size` must be an integer or a tuple of ", rank,
              " integers. Received: ", shape_str(v));
  output_size_ = v.size() == 1 ? std::vector<int64_t>(static_cast<size_t>(rank), v[0]) : v;
  for (int64_t n : output_size_) {
    KERAS_CHECK(n >= 1, ValueError,
                "`output_size` must be positive. Received: ", shape_str(output_size_));
  }
  input_spec_ = {InputSpec{.ndim = rank + 2}};
}

std::string AdaptivePoolingImpl::class_name() const {
  return adaptive_name(kind_, rank_);
}

std::vector<Shape> AdaptivePoolingImpl::compute_output_shape(
    const std::vector<Shape>& input_shapes) const {
  Shape out = input_shapes[0];
  const int first = channels_first_ ? 2 : 1;
  for (int i = 0; i < rank_; ++i) out[static_cast<size_t>(first + i)] = output_size_[i];
  return {out};
}

Tensors AdaptivePoolingImpl::call(const Tensors& inputs, bool) {
  const Tensor& x = inputs[0];
  const int first = channels_first_ ? 2 : 1;
  for (int i = 0; i < rank_; ++i) {
    KERAS_CHECK(x.dim(first + i) > 0, ValueError, "Layer ", name(), " (", class_name(),
                ") received an input with an empty spatial dimension: ", shape_str(x.shape()));
  }
  const std::string format = channels_first_ ? "channels_first" : "channels_last";
  return {kind_ == PoolingKind::max ? ops::adaptive_max_pool(x, output_size_, format)
                                    : ops::adaptive_average_pool(x, output_size_, format)};
}

Json AdaptivePoolingImpl::get_config() const {
  Json config = Layer::get_config();
  config["output_size"] = config_util::to_json(output_size_);
  config["data_format"] = channels_first_ ? "channels_first" : "channels_last";
  return config;
}

template <PoolingKind kind, int rank>
std::shared_ptr<Layer> AdaptivePoolingImpl::from_config(const Json& c) {
  const std::string cls = adaptive_name(kind, rank);
  const char* w = cls.c_str();
  std::string data_format = "channels_last";
  if (const Json* f = config::find(c, "data_format"); f != nullptr && !f->is_null()) {
    data_format = config::get<std::string>(c, "data_format", "channels_last", w);
  }
  auto layer = std::make_shared<AdaptivePoolingImpl>(
      kind, rank, config_util::require_int_list(c, "output_size", w),
      AdaptivePoolingOptions{.data_format = data_format,
                             .name = config::get<std::string>(c, "name", "", w)});
  layer->apply_base_config(c);
  return layer;
}

template std::shared_ptr<Layer> AdaptivePoolingImpl::from_config<PoolingKind::max, 1>(const Json&);
template std::shared_ptr<Layer> AdaptivePoolingImpl::from_config<PoolingKind::max, 2>(const Json&);
template std::shared_ptr<Layer> AdaptivePoolingImpl::from_config<PoolingKind::max, 3>(const Json&);
template std::shared_ptr<Layer> AdaptivePoolingImpl::from_config<PoolingKind::average, 1>(
    const Json&);
template std::shared_ptr<Layer> AdaptivePoolingImpl::from_config<PoolingKind::average, 2>(
    const Json&);
template std::shared_ptr<Layer> AdaptivePoolingImpl::from_config<PoolingKind::average, 3>(
    const Json&);

}  // namespace keras::layers
