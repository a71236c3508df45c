#include "keras/layers/convolutional.h"

#include <algorithm>

#include "keras/config/json.h"
#include "keras/ops/conv.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"
#include "layers/config_util.h"
#include "ops/conv_bias.h"

namespace keras::layers {
namespace {

std::optional<Shape> spec_input_shape(const ConvSpec& s) {
  if (s.input_shape) return to_shape(*s.input_shape);
  return std::nullopt;
}

std::vector<int64_t> expand(const IntOrTuple& v, int rank, const char* what, int64_t min = 1) {
  return ops::expand_spatial(v.values, rank, what, min);
}

// The parts every convolution layer spells the same way.
template <class Options>
ConvSpec common_spec(ConvKind kind,
                     int rank,
                     int64_t filters,
                     const IntOrTuple& kernel_size,
                     const Options& o,
                     std::string class_name,
                     std::string prefix) {
  ConvSpec s;
  s.kind = kind;
  s.rank = rank;
  s.filters = filters;
  s.kernel_size = expand(kernel_size, rank, "kernel_size");
  s.strides = expand(o.strides, rank, "strides");
  s.dilation_rate = expand(o.dilation_rate, rank, "dilation_rate");
  s.padding = o.padding;
  s.data_format = o.data_format;
  s.activation = o.activation;
  s.use_bias = o.use_bias;
  s.bias_initializer = o.bias_initializer;
  s.bias_regularizer = o.bias_regularizer;
  s.activity_regularizer = o.activity_regularizer;
  s.bias_constraint = o.bias_constraint;
  s.class_name = std::move(class_name);
  s.prefix = std::move(prefix);
  s.name = o.name;
  s.input_shape = o.input_shape;
  return s;
}

ConvSpec conv_spec(int rank, int64_t filters, const IntOrTuple& kernel_size, const ConvOptions& o) {
  const std::string n = std::to_string(rank);
  ConvSpec s = common_spec(ConvKind::conv, rank, filters, kernel_size, o, "Conv" + n + "D",
                           "conv" + n + "d");
  s.groups = o.groups;
  s.kernel_initializer = o.kernel_initializer;
  s.kernel_regularizer = o.kernel_regularizer;
  s.kernel_constraint = o.kernel_constraint;
  return s;
}

ConvSpec separable_spec(int rank,
                        int64_t filters,
                        const IntOrTuple& kernel_size,
                        const SeparableConvOptions& o) {
  const std::string n = std::to_string(rank);
  ConvSpec s = common_spec(ConvKind::separable, rank, filters, kernel_size, o,
                           "SeparableConv" + n + "D", "separable_conv" + n + "d");
  s.depth_multiplier = o.depth_multiplier;
  s.kernel_initializer = o.depthwise_initializer;
  s.kernel_regularizer = o.depthwise_regularizer;
  s.pointwise_initializer = o.pointwise_initializer;
  s.pointwise_regularizer = o.pointwise_regularizer;
  s.kernel_constraint = o.depthwise_constraint;
  s.pointwise_constraint = o.pointwise_constraint;
  return s;
}

ConvSpec depthwise_spec(int rank, const IntOrTuple& kernel_size, const DepthwiseConvOptions& o) {
  ConvSpec s = common_spec(ConvKind::depthwise, rank, 0, kernel_size, o,
                           str("DepthwiseConv", rank, "D"), str("depthwise_conv", rank, "d"));
  s.depth_multiplier = o.depth_multiplier;
  s.kernel_initializer = o.depthwise_initializer;
  s.kernel_regularizer = o.depthwise_regularizer;
  s.kernel_constraint = o.depthwise_constraint;
  return s;
}

ConvSpec transpose_spec(int rank,
                        int64_t filters,
                        const IntOrTuple& kernel_size,
                        const ConvTransposeOptions& o) {
  ConvSpec s = common_spec(ConvKind::transpose, rank, filters, kernel_size, o,
                           str("Conv", rank, "DTranspose"), str("conv", rank, "d_transpose"));
  s.kernel_initializer = o.kernel_initializer;
  s.kernel_regularizer = o.kernel_regularizer;
  s.kernel_constraint = o.kernel_constraint;
  if (o.output_padding) s.output_padding = expand(*o.output_padding, rank, "output_padding", 0);
  return s;
}

}  // namespace

ConvImpl::ConvImpl(ConvSpec spec)
    : Layer(spec.name, spec.prefix, spec_input_shape(spec)), spec_(std::move(spec)) {
  const ConvSpec& s = spec_;
  set_activity_regularizer(s.activity_regularizer);
  if (s.kind != ConvKind::depthwise) {
    KERAS_CHECK(s.filters > 0, ValueError,
                "Invalid value for argument `filters`. Expected a strictly positive value. "
                "Received filters=",
                s.filters, ".");
  }
  KERAS_CHECK(s.groups > 0, ValueError,
              "The number of groups must be a positive integer. Received: groups=", s.groups, ".");
  if (s.kind == ConvKind::conv || s.kind == ConvKind::transpose) {
    auto above_one = [](const std::vector<int64_t>& v) {
      return std::ranges::any_of(v, [](int64_t x) { return x > 1; });
    };
    KERAS_CHECK(!above_one(s.strides) || !above_one(s.dilation_rate), ValueError,
                "`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: "
                "strides=",
                shape_str(s.strides), " and dilation_rate=", shape_str(s.dilation_rate));
  }
  KERAS_CHECK(s.filters % s.groups == 0, ValueError,
              "The number of filters must be evenly divisible by the number of groups. Received: "
              "groups=",
              s.groups, ", filters=", s.filters, ".");
  KERAS_CHECK(s.depth_multiplier > 0, ValueError,
              "Invalid value for argument `depth_multiplier`. Expected a strictly positive value. "
              "Received depth_multiplier=",
              s.depth_multiplier, ".");
  const bool causal_ok = s.kind == ConvKind::conv && s.rank == 1;
  KERAS_CHECK(s.padding == "valid" || s.padding == "same" || (causal_ok && s.padding == "causal"),
              ValueError,
              "The `padding` argument must be one of \"valid\", \"same\" (or \"causal\", only for "
              "`Conv1D`). Received: padding=",
              s.padding);
  KERAS_CHECK(s.data_format == "channels_last" || s.data_format == "channels_first", ValueError,
              "The `data_format` argument must be one of \"channels_first\", \"channels_last\". "
              "Received: data_format=",
              s.data_format);
  if (s.output_padding) {
    for (int i = 0; i < s.rank; ++i) {
      KERAS_CHECK((*s.output_padding)[i] < s.strides[i], ValueError,
                  "`output_padding` must be strictly less than `strides` for all dimensions. At "
                  "dimension ",
                  i, ", `output_padding` is ", (*s.output_padding)[i], " but `strides` is ",
                  s.strides[i], ". Received: output_padding=", shape_str(*s.output_padding),
                  ", strides=", shape_str(s.strides));
    }
  }
  input_spec_ = {InputSpec{.ndim = s.rank + 2}};
}

void ConvImpl::build(const std::vector<Shape>& input_shapes) {
  const ConvSpec& s = spec_;
  const int64_t c = input_shapes[0][channel_axis()];
  KERAS_CHECK(c != kNone, ValueError,
              "The channel dimension of the inputs should be defined. Found `None`. Full input "
              "shape received: ",
              shape_str(input_shapes[0]));
  KERAS_CHECK(c % s.groups == 0, ValueError,
              "The number of input channels must be evenly divisible by the number of groups. "
              "Received groups=",
              s.groups, ", but the input has ", c, " channels (full input shape is ",
              shape_str(input_shapes[0]), ").");
  Shape k(s.kernel_size.begin(), s.kernel_size.end());
  int64_t out_channels = s.filters;
  switch (s.kind) {
    case ConvKind::conv:
      k.insert(k.end(), {c / s.groups, s.filters});
      kernel_ = add_weight("kernel", k, s.kernel_initializer, true, s.kernel_regularizer,
                           s.kernel_constraint);
      break;
    case ConvKind::transpose:
      k.insert(k.end(), {s.filters, c});
      kernel_ = add_weight("kernel", k, s.kernel_initializer, true, s.kernel_regularizer,
                           s.kernel_constraint);
      break;
    case ConvKind::depthwise:
      k.insert(k.end(), {c, s.depth_multiplier});
      kernel_ = add_weight("kernel", k, s.kernel_initializer, true, s.kernel_regularizer,
                           s.kernel_constraint);
      out_channels = c * s.depth_multiplier;
      break;
    case ConvKind::separable: {
      k.insert(k.end(), {c, s.depth_multiplier});
      kernel_ = add_weight("depthwise_kernel", k, s.kernel_initializer, true, s.kernel_regularizer,
                           s.kernel_constraint);
      Shape pk(s.rank, 1);
      pk.insert(pk.end(), {c * s.depth_multiplier, s.filters});
      pointwise_kernel_ = add_weight("pointwise_kernel", pk, s.pointwise_initializer, true,
                                     s.pointwise_regularizer, s.pointwise_constraint);
      break;
    }
  }
  if (s.use_bias) {
    bias_ = add_weight("bias", {out_channels}, s.bias_initializer, true, s.bias_regularizer,
                       s.bias_constraint);
  }
  input_spec_ = {InputSpec{.ndim = s.rank + 2, .axes = {{channel_axis(), c}}}};
}

Tensors ConvImpl::call(const Tensors& inputs, bool) {
  const ConvSpec& s = spec_;
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  const ops::ConvOptions o{.strides = s.strides,
                           .padding = s.padding,
                           .data_format = s.data_format,
                           .dilation_rate = s.dilation_rate};
  if (s.kind == ConvKind::conv && bias_.defined()) {
    // relu in the convolution's output pass where the backend can (one tape entry in training).
    if (s.activation.builtin() && s.activation.name() == "relu") {
      return {ops::internal::conv_bias(x, kernel_.value(), bias_.value(), o, true)};
    }
    return {s.activation(ops::internal::conv_bias(x, kernel_.value(), bias_.value(), o))};
  }
  Tensor y;
  switch (s.kind) {
    case ConvKind::conv:
      y = ops::conv(x, kernel_.value(), o);
      break;
    case ConvKind::depthwise:
      y = ops::depthwise_conv(x, kernel_.value(), o);
      break;
    case ConvKind::separable:
      y = ops::separable_conv(x, kernel_.value(), pointwise_kernel_.value(), o);
      break;
    case ConvKind::transpose:
      y = ops::conv_transpose(x, kernel_.value(),
                              {.strides = s.strides,
                               .padding = s.padding,
                               .output_padding = s.output_padding,
                               .data_format = s.data_format,
                               .dilation_rate = s.dilation_rate});
      break;
  }
  if (bias_.defined()) y = ops::internal::add_channel_bias(y, bias_.value(), channel_axis() == 1);
  return {s.activation(y)};
}

std::vector<Shape> ConvImpl::compute_output_shape(const std::vector<Shape>& input_shapes) const {
  const ConvSpec& s = spec_;
  const Shape& in = input_shapes[0];
  Shape out = in;
  const int64_t c = in[channel_axis()];
  out[channel_axis()] = s.kind != ConvKind::depthwise ? s.filters
                        : c == kNone                  ? kNone
                                                      : c * s.depth_multiplier;
  const int first = channel_axis() == 1 ? 2 : 1;
  for (int i = 0; i < s.rank; ++i) {
    const int64_t len =
        s.kind == ConvKind::transpose
            ? ops::conv_transpose_output_length(
                  in[first + i], s.kernel_size[i], s.padding,
                  s.output_padding ? std::optional<int64_t>((*s.output_padding)[i]) : std::nullopt,
                  s.strides[i], s.dilation_rate[i])
            : ops::conv_output_length(in[first + i], s.kernel_size[i], s.padding, s.strides[i],
                                      s.dilation_rate[i]);
    if (in[first + i] != kNone && len <= 0) {  // len -1 is also kNone's value
      Shape k(s.kernel_size.begin(), s.kernel_size.end());
      if (s.kind == ConvKind::depthwise || s.kind == ConvKind::separable) {
        k.insert(k.end(), {c, s.depth_multiplier});
      } else {
        k.insert(k.end(), {c == kNone ? kNone : c / s.groups, s.filters});
      }
      throw ValueError(str("Layer '", name(), "' (", s.class_name,
                           "): Computed output size would be negative. Received `inputs shape=",
                           shape_str(in), "`, `kernel shape=", shape_str(k),
                           "`, `dilation_rate=", shape_str(s.dilation_rate), "`."));
    }
    out[first + i] = len;
  }
  return {out};
}

Conv1D::Conv1D(int64_t filters, IntOrTuple kernel_size, ConvOptions o)
    : LayerHandle(std::make_shared<ConvImpl>(conv_spec(1, filters, kernel_size, o))) {}
Conv2D::Conv2D(int64_t filters, IntOrTuple kernel_size, ConvOptions o)
    : LayerHandle(std::make_shared<ConvImpl>(conv_spec(2, filters, kernel_size, o))) {}
Conv3D::Conv3D(int64_t filters, IntOrTuple kernel_size, ConvOptions o)
    : LayerHandle(std::make_shared<ConvImpl>(conv_spec(3, filters, kernel_size, o))) {}
SeparableConv1D::SeparableConv1D(int64_t filters, IntOrTuple kernel_size, SeparableConvOptions o)
    : LayerHandle(std::make_shared<ConvImpl>(separable_spec(1, filters, kernel_size, o))) {}
SeparableConv2D::SeparableConv2D(int64_t filters, IntOrTuple kernel_size, SeparableConvOptions o)
    : LayerHandle(std::make_shared<ConvImpl>(separable_spec(2, filters, kernel_size, o))) {}

DepthwiseConv1D::DepthwiseConv1D(IntOrTuple kernel_size, DepthwiseConvOptions o)
    : LayerHandle(std::make_shared<ConvImpl>(depthwise_spec(1, kernel_size, o))) {}
DepthwiseConv2D::DepthwiseConv2D(IntOrTuple kernel_size, DepthwiseConvOptions o)
    : LayerHandle(std::make_shared<ConvImpl>(depthwise_spec(2, kernel_size, o))) {}

Conv1DTranspose::Conv1DTranspose(int64_t filters, IntOrTuple kernel_size, ConvTransposeOptions o)
    : LayerHandle(std::make_shared<ConvImpl>(transpose_spec(1, filters, kernel_size, o))) {}
Conv2DTranspose::Conv2DTranspose(int64_t filters, IntOrTuple kernel_size, ConvTransposeOptions o)
    : LayerHandle(std::make_shared<ConvImpl>(transpose_spec(2, filters, kernel_size, o))) {}
Conv3DTranspose::Conv3DTranspose(int64_t filters, IntOrTuple kernel_size, ConvTransposeOptions o)
    : LayerHandle(std::make_shared<ConvImpl>(transpose_spec(3, filters, kernel_size, o))) {}

// ---- saving ----

namespace {

// Keras 3's keys, in its order, for each kind (a separable layer's depthwise weights use the
// kernel fields of the spec).
Json conv_config(Json config, const ConvSpec& s) {
  using config_util::to_json;
  const bool depthwise_kernel = s.kind == ConvKind::separable || s.kind == ConvKind::depthwise;
  if (depthwise_kernel) config["depth_multiplier"] = s.depth_multiplier;
  if (s.kind != ConvKind::depthwise) config["filters"] = s.filters;
  config["kernel_size"] = to_json(s.kernel_size);
  config["strides"] = to_json(s.strides);
  config["padding"] = s.padding;
  if (s.kind == ConvKind::transpose) {
    config["output_padding"] = s.output_padding ? to_json(*s.output_padding) : Json(nullptr);
  }
  config["data_format"] = s.data_format;
  config["dilation_rate"] = to_json(s.dilation_rate);
  if (s.kind == ConvKind::conv) config["groups"] = s.groups;
  config["activation"] = serialize_activation(s.activation);
  config["use_bias"] = s.use_bias;
  const char* kernel = depthwise_kernel ? "depthwise" : "kernel";
  config[str(kernel, "_initializer")] = initializers::serialize(s.kernel_initializer);
  if (s.kind == ConvKind::separable) {
    config["pointwise_initializer"] = initializers::serialize(s.pointwise_initializer);
  }
  config["bias_initializer"] = initializers::serialize(s.bias_initializer);
  config[str(kernel, "_regularizer")] = regularizers::serialize(s.kernel_regularizer);
  if (s.kind == ConvKind::separable) {
    config["pointwise_regularizer"] = regularizers::serialize(s.pointwise_regularizer);
  }
  config["bias_regularizer"] = regularizers::serialize(s.bias_regularizer);
  config["activity_regularizer"] = config.value("activity_regularizer", Json(nullptr));
  config[str(kernel, "_constraint")] = constraints::serialize(s.kernel_constraint);
  if (s.kind == ConvKind::separable) {
    config["pointwise_constraint"] = constraints::serialize(s.pointwise_constraint);
  }
  config["bias_constraint"] = constraints::serialize(s.bias_constraint);
  return config;
}

// The options every convolution class reads the same way.
template <class Options>
Options common_options(const Json& c, const char* w) {
  using config::get;
  using config::value;
  Options o;
  o.strides = config_util::int_list(c, "strides", {1}, w);
  o.padding = get<std::string>(c, "padding", "valid", w);
  o.data_format = get<std::string>(c, "data_format", "channels_last", w);
  o.dilation_rate = config_util::int_list(c, "dilation_rate", {1}, w);
  o.activation = deserialize_activation(value(c, "activation", "linear"));
  o.use_bias = get<bool>(c, "use_bias", true, w);
  o.bias_initializer = initializers::deserialize(value(c, "bias_initializer", "zeros"));
  o.bias_regularizer = regularizers::deserialize(value(c, "bias_regularizer", nullptr));
  o.bias_constraint = constraints::deserialize(value(c, "bias_constraint", nullptr));
  o.name = get<std::string>(c, "name", "", w);
  return o;
}

}  // namespace

Json ConvImpl::get_config() const {
  return conv_config(Layer::get_config(), spec_);
}

template <ConvKind kind, int rank>
std::shared_ptr<Layer> ConvImpl::from_config(const Json& c) {
  using config::value;
  const std::string cls = kind == ConvKind::separable   ? str("SeparableConv", rank, "D")
                          : kind == ConvKind::depthwise ? str("DepthwiseConv", rank, "D")
                          : kind == ConvKind::transpose ? str("Conv", rank, "DTranspose")
                                                        : str("Conv", rank, "D");
  const char* w = cls.c_str();
  const IntOrTuple kernel_size = config_util::require_int_list(c, "kernel_size", w);
  std::shared_ptr<Layer> layer;
  if constexpr (kind == ConvKind::conv) {
    auto o = common_options<ConvOptions>(c, w);
    o.groups = config::get<int64_t>(c, "groups", 1, w);
    o.kernel_initializer =
        initializers::deserialize(value(c, "kernel_initializer", "glorot_uniform"));
    o.kernel_regularizer = regularizers::deserialize(value(c, "kernel_regularizer", nullptr));
    o.kernel_constraint = constraints::deserialize(value(c, "kernel_constraint", nullptr));
    layer = std::make_shared<ConvImpl>(
        conv_spec(rank, config::require<int64_t>(c, "filters", w), kernel_size, o));
  } else if constexpr (kind == ConvKind::separable) {
    auto o = common_options<SeparableConvOptions>(c, w);
    o.depth_multiplier = config::get<int64_t>(c, "depth_multiplier", 1, w);
    o.depthwise_initializer =
        initializers::deserialize(value(c, "depthwise_initializer", "glorot_uniform"));
    o.pointwise_initializer =
        initializers::deserialize(value(c, "pointwise_initializer", "glorot_uniform"));
    o.depthwise_regularizer = regularizers::deserialize(value(c, "depthwise_regularizer", nullptr));
    o.depthwise_constraint = constraints::deserialize(value(c, "depthwise_constraint", nullptr));
    o.pointwise_regularizer = regularizers::deserialize(value(c, "pointwise_regularizer", nullptr));
    o.pointwise_constraint = constraints::deserialize(value(c, "pointwise_constraint", nullptr));
    layer = std::make_shared<ConvImpl>(
        separable_spec(rank, config::require<int64_t>(c, "filters", w), kernel_size, o));
  } else if constexpr (kind == ConvKind::depthwise) {
    auto o = common_options<DepthwiseConvOptions>(c, w);
    o.depth_multiplier = config::get<int64_t>(c, "depth_multiplier", 1, w);
    o.depthwise_initializer =
        initializers::deserialize(value(c, "depthwise_initializer", "glorot_uniform"));
    o.depthwise_regularizer = regularizers::deserialize(value(c, "depthwise_regularizer", nullptr));
    o.depthwise_constraint = constraints::deserialize(value(c, "depthwise_constraint", nullptr));
    layer = std::make_shared<ConvImpl>(depthwise_spec(rank, kernel_size, o));
  } else {
    auto o = common_options<ConvTransposeOptions>(c, w);
    if (config::find(c, "output_padding")) {
      o.output_padding = config_util::require_int_list(c, "output_padding", w);
    }
    o.kernel_initializer =
        initializers::deserialize(value(c, "kernel_initializer", "glorot_uniform"));
    o.kernel_regularizer = regularizers::deserialize(value(c, "kernel_regularizer", nullptr));
    o.kernel_constraint = constraints::deserialize(value(c, "kernel_constraint", nullptr));
    layer = std::make_shared<ConvImpl>(
        transpose_spec(rank, config::require<int64_t>(c, "filters", w), kernel_size, o));
  }
  layer->apply_base_config(c);
  return layer;
}

template std::shared_ptr<Layer> ConvImpl::from_config<ConvKind::conv, 1>(const Json&);
template std::shared_ptr<Layer> ConvImpl::from_config<ConvKind::conv, 2>(const Json&);
template std::shared_ptr<Layer> ConvImpl::from_config<ConvKind::conv, 3>(const Json&);
template std::shared_ptr<Layer> ConvImpl::from_config<ConvKind::separable, 1>(const Json&);
template std::shared_ptr<Layer> ConvImpl::from_config<ConvKind::separable, 2>(const Json&);
template std::shared_ptr<Layer> ConvImpl::from_config<ConvKind::depthwise, 1>(const Json&);
template std::shared_ptr<Layer> ConvImpl::from_config<ConvKind::depthwise, 2>(const Json&);
template std::shared_ptr<Layer> ConvImpl::from_config<ConvKind::transpose, 1>(const Json&);
template std::shared_ptr<Layer> ConvImpl::from_config<ConvKind::transpose, 2>(const Json&);
template std::shared_ptr<Layer> ConvImpl::from_config<ConvKind::transpose, 3>(const Json&);

}  // namespace keras::layers
