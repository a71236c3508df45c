#include "keras/layers/pooling.h"

#include "keras/config/json.h"
#include "keras/ops/conv.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "layers/config_util.h"

namespace keras::layers {
namespace {

std::optional<Shape> optional_shape(const std::optional<std::vector<Dim>>& s) {
  if (s) return to_shape(*s);
  return std::nullopt;
}

std::string pooling_name(PoolingKind kind, int rank, bool global, bool snake) {
  const std::string r = std::to_string(rank);
  if (snake) {
    return std::string(global ? "global_" : "") + (kind == PoolingKind::max ? "max" : "average") +
           "_pooling" + r + "d";
  }
  return std::string(global ? "Global" : "") + (kind == PoolingKind::max ? "Max" : "Average") +
         "Pooling" + r + "D";
}

void check_data_format(const std::string& f) {
  KERAS_CHECK(f == "channels_last" || f == "channels_first", ValueError,
              "The `data_format` argument must be one of \"channels_first\", \"channels_last\". "
              "Received: data_format=",
              f);
}

}  // namespace

PoolingImpl::PoolingImpl(PoolingKind kind, int rank, const IntOrTuple& pool_size, PoolingOptions o)
    : Layer(o.name, pooling_name(kind, rank, false, true), optional_shape(o.input_shape)),
      kind_(kind),
      rank_(rank),
      pool_size_(ops::expand_spatial(pool_size.values, rank, "pool_size")),
      strides_(o.strides ? ops::expand_spatial(o.strides->values, rank, "strides") : pool_size_),
      padding_(o.padding),
      data_format_(o.data_format) {
  KERAS_CHECK(
      padding_ == "valid" || padding_ == "same", ValueError,
      "The `padding` argument must be one of \"valid\", \"same\". Received: padding=", padding_);
  check_data_format(data_format_);
  input_spec_ = {InputSpec{.ndim = rank + 2}};
}

std::string PoolingImpl::class_name() const {
  return pooling_name(kind_, rank_, false, false);
}

Tensors PoolingImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (!is_floating(x.dtype())) x = ops::cast(x, dtype());
  const ops::PoolOptions o{.strides = strides_, .padding = padding_, .data_format = data_format_};
  return {kind_ == PoolingKind::max ? ops::max_pool(x, pool_size_, o)
                                    : ops::average_pool(x, pool_size_, o)};
}

std::vector<Shape> PoolingImpl::compute_output_shape(const std::vector<Shape>& input_shapes) const {
  const Shape& in = input_shapes[0];
  Shape out = in;
  const int first = data_format_ == "channels_first" ? 2 : 1;
  for (int i = 0; i < rank_; ++i) {
    const int64_t len =
        ops::conv_output_length(in[first + i], pool_size_[i], padding_, strides_[i]);
    KERAS_CHECK(len == kNone || len > 0, ValueError, "Layer '", name(), "' (", class_name(),
                "): Computed output size would be negative. Received: `inputs.shape=",
                shape_str(in), "` and `pool_size=", shape_str(pool_size_), "`.");
    out[first + i] = len;
  }
  return {out};
}

GlobalPoolingImpl::GlobalPoolingImpl(PoolingKind kind, int rank, GlobalPoolingOptions o)
    : Layer(o.name, pooling_name(kind, rank, true, true), optional_shape(o.input_shape)),
      kind_(kind),
      rank_(rank),
      channels_first_(o.data_format == "channels_first"),
      keepdims_(o.keepdims) {
  check_data_format(o.data_format);
  input_spec_ = {InputSpec{.ndim = rank + 2}};
}

std::string GlobalPoolingImpl::class_name() const {
  return pooling_name(kind_, rank_, true, false);
}

std::vector<int> GlobalPoolingImpl::spatial_axes() const {
  std::vector<int> axes;
  for (int i = 0; i < rank_; ++i) axes.push_back((channels_first_ ? 2 : 1) + i);
  return axes;
}

Tensors GlobalPoolingImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (!is_floating(x.dtype())) x = ops::cast(x, dtype());
  const Tensor mask = inputs[0].keras_mask();
  if (takes_mask_argument() && mask.defined()) {
    KERAS_CHECK(
        mask.rank() == 2 && mask.dim(0) == x.dim(0) && mask.dim(1) == x.dim(spatial_axes()[0]),
        ValueError, "Layer ", name(), ": the mask has shape ", shape_str(mask.shape()),
        ", expected (", x.dim(0), ", ", x.dim(spatial_axes()[0]), ")");
    const Tensor keep = ops::expand_dims(mask, channels_first_ ? 1 : 2);
    const Tensor kept = ops::where(keep, x, ops::scalar_like(0.0, x));
    return {ops::divide(ops::sum(kept, spatial_axes(), keepdims_),
                        ops::sum(ops::cast(keep, x.dtype()), spatial_axes(), keepdims_))};
  }
  return {kind_ == PoolingKind::max ? ops::max(x, spatial_axes(), keepdims_)
                                    : ops::mean(x, spatial_axes(), keepdims_)};
}

std::vector<Shape> GlobalPoolingImpl::compute_output_shape(
    const std::vector<Shape>& input_shapes) const {
  const Shape& in = input_shapes[0];
  if (keepdims_) {
    Shape out = in;
    for (int a : spatial_axes()) out[a] = 1;
    return {out};
  }
  return {Shape{in[0], in[channels_first_ ? 1 : rank_ + 1]}};
}

// ---- saving ----

Json PoolingImpl::get_config() const {
  Json config = Layer::get_config();
  config["pool_size"] = config_util::to_json(pool_size_);
  config["padding"] = padding_;
  config["strides"] = config_util::to_json(strides_);
  config["data_format"] = data_format_;
  return config;
}

template <PoolingKind kind, int rank>
std::shared_ptr<Layer> PoolingImpl::from_config(const Json& c) {
  const std::string cls = pooling_name(kind, rank, false, false);
  const char* w = cls.c_str();
  PoolingOptions o{
      .padding = config::get<std::string>(c, "padding", "valid", w),
      .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
      .name = config::get<std::string>(c, "name", "", w),
  };
  if (config::find(c, "strides")) o.strides = config_util::require_int_list(c, "strides", w);
  auto layer = std::make_shared<PoolingImpl>(
      kind, rank, config_util::int_list(c, "pool_size", {2}, w), std::move(o));
  layer->apply_base_config(c);
  return layer;
}

Json GlobalPoolingImpl::get_config() const {
  Json config = Layer::get_config();
  config["data_format"] = channels_first_ ? "channels_first" : "channels_last";
  config["keepdims"] = keepdims_;
  return config;
}

template <PoolingKind kind, int rank>
std::shared_ptr<Layer> GlobalPoolingImpl::from_config(const Json& c) {
  const std::string cls = pooling_name(kind, rank, true, false);
  const char* w = cls.c_str();
  auto layer = std::make_shared<GlobalPoolingImpl>(
      kind, rank,
      GlobalPoolingOptions{
          .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
          .keepdims = config::get<bool>(c, "keepdims", false, w),
          .name = config::get<std::string>(c, "name", "", w),
      });
  layer->apply_base_config(c);
  return layer;
}

#define KERAS_POOLING_FROM_CONFIG(Impl)                                                    \
  template std::shared_ptr<Layer> Impl::from_config<PoolingKind::max, 1>(const Json&);     \
  template std::shared_ptr<Layer> Impl::from_config<PoolingKind::max, 2>(const Json&);     \
  template std::shared_ptr<Layer> Impl::from_config<PoolingKind::max, 3>(const Json&);     \
  template std::shared_ptr<Layer> Impl::from_config<PoolingKind::average, 1>(const Json&); \
  template std::shared_ptr<Layer> Impl::from_config<PoolingKind::average, 2>(const Json&); \
  template std::shared_ptr<Layer> Impl::from_config<PoolingKind::average, 3>(const Json&);
KERAS_POOLING_FROM_CONFIG(PoolingImpl)
KERAS_POOLING_FROM_CONFIG(GlobalPoolingImpl)
#undef KERAS_POOLING_FROM_CONFIG

}  // namespace keras::layers
