#include "keras/layers/locally_connected.h"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "keras/config/json.h"
#include "keras/ops/conv.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/shape.h"
#include "layers/config_util.h"

namespace keras::layers {
namespace {

// Keras's conv_output_length for "valid" and "same" (dilation 1).
int64_t output_length(int64_t in, int64_t k, const std::string& padding, int64_t stride) {
  if (in == kNone) return kNone;
  const int64_t covered = padding == "same" ? in : in - k + 1;
  return covered <= 0 ? covered : (covered + stride - 1) / stride;
}

// Row-major multi-index of `flat` in `dims`.
std::vector<int64_t> unravel(int64_t flat, const std::vector<int64_t>& dims) {
  std::vector<int64_t> at(dims.size());
  for (size_t d = dims.size(); d-- > 0;) {
    at[d] = flat % dims[d];
    flat /= dims[d];
  }
  return at;
}

int64_t ravel(const std::vector<int64_t>& at, const std::vector<int64_t>& dims) {
  int64_t flat = 0;
  for (size_t d = 0; d < dims.size(); ++d) flat = flat * dims[d] + at[d];
  return flat;
}

}  // namespace

LocallyConnectedImpl::LocallyConnectedImpl(int rank,
                                           int64_t filters,
                                           const IntOrTuple& kernel_size,
                                           LocallyConnectedOptions options)
    : Layer(options.name,
            rank == 1 ? "locally_connected1d" : "locally_connected2d",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      rank_(rank),
      filters_(filters),
      kernel_size_(ops::expand_spatial(kernel_size.values, rank, "kernel_size")),
      strides_(ops::expand_spatial(options.strides.values, rank, "strides")),
      options_(std::move(options)) {
  input_spec_ = {InputSpec{.ndim = rank + 2}};
  std::string& padding = options_.padding;
  std::transform(padding.begin(), padding.end(), padding.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  KERAS_CHECK(filters_ > 0, ValueError, class_name(),
              ": filters must be a positive integer, received filters=", filters_);
  KERAS_CHECK(
      padding == "valid" || padding == "same", ValueError,
      "The `padding` argument must be one of \"valid\", \"same\". Received: padding=", padding);
  KERAS_CHECK(options_.data_format == "channels_last" || options_.data_format == "channels_first",
              ValueError,
              "The `data_format` argument must be one of \"channels_first\", \"channels_last\". "
              "Received: data_format=",
              options_.data_format);
  KERAS_CHECK(options_.implementation >= 1 && options_.implementation <= 3, ValueError,
              "Unrecognized implementation mode: ", options_.implementation, ".");
  KERAS_CHECK(padding == "valid" || options_.implementation != 1, ValueError,
              "Invalid border mode for ", class_name(),
              " (only \"valid\" is supported if implementation is 1): ", padding);
  set_activity_regularizer(options_.activity_regularizer);
}

std::string LocallyConnectedImpl::class_name() const {
  return rank_ == 1 ? "LocallyConnected1D" : "LocallyConnected2D";
}

std::vector<Shape> LocallyConnectedImpl::compute_output_shape(
    const std::vector<Shape>& input_shapes) const {
  const Shape& in = input_shapes[0];
  KERAS_CHECK(static_cast<int>(in.size()) == rank_ + 2, ValueError, "Input 0 of layer ", name(),
              " is incompatible with the layer: expected ndim=", rank_ + 2,
              ", found ndim=", in.size(), ". Full shape received: ", shape_str(in));
  const bool first = options_.data_format == "channels_first";
  Shape out{in[0]};
  if (first) out.push_back(filters_);
  for (int d = 0; d < rank_; ++d) {
    out.push_back(
        output_length(in[first ? d + 2 : d + 1], kernel_size_[d], options_.padding, strides_[d]));
  }
  if (!first) out.push_back(filters_);
  return {out};
}

void LocallyConnectedImpl::build(const std::vector<Shape>& input_shapes) {
  const Shape& shape = input_shapes[0];
  const Shape out = compute_output_shape(input_shapes)[0];
  const bool first = options_.data_format == "channels_first";
  const int64_t channels = first ? shape[1] : shape[rank_ + 1];
  std::vector<int64_t> in_spatial(shape.begin() + (first ? 2 : 1),
                                  shape.begin() + (first ? 2 : 1) + rank_);
  const std::vector<int64_t> out_spatial(out.begin() + (first ? 2 : 1),
                                         out.begin() + (first ? 2 : 1) + rank_);
  KERAS_CHECK(is_fully_defined(Shape(shape.begin() + 1, shape.end())), ValueError,
              "The spatial dimensions and the channels of the inputs to a ", class_name(),
              " layer should be fully-defined, but layer received the inputs shape ",
              shape_str(shape));
  KERAS_CHECK(std::all_of(out_spatial.begin(), out_spatial.end(), [](int64_t d) { return d > 0; }),
              ValueError, "One of the dimensions in the output is <= 0 due to downsampling in ",
              name(), ". Consider increasing the input size. Received input shape ",
              shape_str(shape),
              " which would produce output shape with a zero or negative value in a dimension.");
  const int64_t positions = num_elements(out_spatial), window = num_elements(kernel_size_);
  const int64_t in_positions = num_elements(in_spatial), in_size = in_positions * channels;
  window_values_ = window * channels;
  output_spatial_ = out_spatial;

  // Each position's window, slot by slot in the order tf_keras flattens it: (k..., C) channels
  // last, (C, k...) channels first.
  std::vector<int64_t> window_index(static_cast<size_t>(positions * window_values_));
  std::vector<int64_t> in_at(rank_);
  for (int64_t p = 0; p < positions; ++p) {
    const std::vector<int64_t> out_at = unravel(p, out_spatial);
    for (int64_t s = 0; s < window_values_; ++s) {
      const int64_t c = first ? s / window : s % channels;
      const std::vector<int64_t> offset = unravel(first ? s % window : s / channels, kernel_size_);
      bool inside = true;
      for (int d = 0; d < rank_; ++d) {
        const int64_t start =
            out_at[d] * strides_[d] - (options_.padding == "same" ? kernel_size_[d] / 2 : 0);
        in_at[d] = start + offset[d];
        inside = inside && in_at[d] >= 0 && in_at[d] < in_spatial[d];
      }
      const int64_t pos = inside ? ravel(in_at, in_spatial) : 0;
      window_index[p * window_values_ + s] = !inside ? in_size
                                             : first ? c * in_positions + pos
                                                     : pos * channels + c;
    }
  }
  window_index_ = Tensor::from_vector(window_index, {positions, window_values_});

  Shape kernel_shape;
  if (options_.implementation == 1) {
    kernel_shape = {positions, window_values_, filters_};
  } else {
    // The flat kernel index of each (position, slot, filter), the kernel's size where the slot is
    // outside the input.
    std::vector<int64_t> kernel_index(static_cast<size_t>(positions * window_values_ * filters_));
    // Implementation 3: (output index, input index, our slot) of every connection, sorted.
    std::vector<std::tuple<int64_t, int64_t, int64_t>> connections;
    for (int64_t p = 0; p < positions; ++p) {
      for (int64_t s = 0; s < window_values_; ++s) {
        const int64_t in_index = window_index[p * window_values_ + s];
        for (int64_t f = 0; f < filters_; ++f) {
          const int64_t slot = (p * window_values_ + s) * filters_ + f;
          if (in_index == in_size) {
            kernel_index[slot] = -1;
          } else if (options_.implementation == 2) {
            // (in..., C, out..., filters) or (C, in..., filters, out...): both are the input's
            // flat index, then the output's.
            kernel_index[slot] = first ? (in_index * filters_ + f) * positions + p
                                       : (in_index * positions + p) * filters_ + f;
          } else {
            connections.emplace_back(first ? f * positions + p : p * filters_ + f, in_index, slot);
          }
        }
      }
    }
    std::sort(connections.begin(), connections.end());
    for (size_t i = 0; i < connections.size(); ++i) {
      kernel_index[std::get<2>(connections[i])] = static_cast<int64_t>(i);
    }
    const int64_t size = options_.implementation == 2 ? in_size * positions * filters_
                                                      : static_cast<int64_t>(connections.size());
    for (int64_t& i : kernel_index) i = i < 0 ? size : i;
    kernel_index_ = Tensor::from_vector(kernel_index, {positions, window_values_, filters_});
    if (options_.implementation == 2) {
      kernel_shape = first ? Shape{channels} : Shape{};
      kernel_shape.insert(kernel_shape.end(), in_spatial.begin(), in_spatial.end());
      if (first) {
        kernel_shape.push_back(filters_);
        kernel_shape.insert(kernel_shape.end(), out_spatial.begin(), out_spatial.end());
      } else {
        kernel_shape.push_back(channels);
        kernel_shape.insert(kernel_shape.end(), out_spatial.begin(), out_spatial.end());
        kernel_shape.push_back(filters_);
      }
    } else {
      kernel_shape = {size};
    }
  }
  kernel_ = add_weight("kernel", kernel_shape, options_.kernel_initializer, true,
                       options_.kernel_regularizer, options_.kernel_constraint);
  if (options_.use_bias) {
    Shape bias_shape = out_spatial;
    bias_shape.push_back(filters_);
    bias_ = add_weight("bias", bias_shape, options_.bias_initializer, true,
                       options_.bias_regularizer, options_.bias_constraint);
  }
  input_spec_ = {InputSpec{.ndim = rank_ + 2, .axes = {{first ? 1 : -1, channels}}}};
}

Tensors LocallyConnectedImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  const int64_t batch = x.dim(0), positions = window_index_.dim(0);
  // (batch, inputs + a zero) -> each position's window: (positions, batch, W * C).
  const Tensor flat = ops::pad(ops::reshape(x, {batch, -1}), {{0, 0}, {0, 1}});
  const Tensor windows = ops::transpose(ops::take(flat, window_index_, 1), {1, 0, 2});
  Tensor kernel = kernel_.value();
  if (options_.implementation == 1) {
    kernel = ops::reshape(kernel, {positions, window_values_, filters_});
  } else {
    kernel = ops::take(ops::pad(ops::reshape(kernel, {-1}), {{0, 1}}), kernel_index_);
  }
  // (positions, batch, filters) -> (batch, out..., filters) or (batch, filters, out...).
  Tensor y = ops::transpose(ops::matmul(windows, kernel), {1, 0, 2});
  Shape out{batch};
  const bool first = options_.data_format == "channels_first";
  if (first) {
    y = ops::transpose(y, {0, 2, 1});
    out.push_back(filters_);
  }
  out.insert(out.end(), output_spatial_.begin(), output_spatial_.end());
  if (!first) out.push_back(filters_);
  y = ops::reshape(y, out);
  if (bias_.defined()) {
    Shape bias_shape(out.begin() + 1, out.end());
    y = ops::add(y, ops::reshape(bias_.value(), bias_shape));
  }
  return {options_.activation(y)};
}

Json LocallyConnectedImpl::get_config() const {
  using config_util::to_json;
  Json config = Layer::get_config();
  config["filters"] = filters_;
  config["kernel_size"] = to_json(kernel_size_);
  config["strides"] = to_json(strides_);
  config["padding"] = options_.padding;
  config["data_format"] = options_.data_format;
  config["activation"] = serialize_activation(options_.activation);
  config["use_bias"] = options_.use_bias;
  config["kernel_initializer"] = initializers::serialize(options_.kernel_initializer);
  config["bias_initializer"] = initializers::serialize(options_.bias_initializer);
  config["kernel_regularizer"] = regularizers::serialize(options_.kernel_regularizer);
  config["bias_regularizer"] = regularizers::serialize(options_.bias_regularizer);
  if (!config.contains("activity_regularizer")) config["activity_regularizer"] = nullptr;
  config["kernel_constraint"] = constraints::serialize(options_.kernel_constraint);
  config["bias_constraint"] = constraints::serialize(options_.bias_constraint);
  config["implementation"] = options_.implementation;
  return config;
}

template <int rank>
std::shared_ptr<Layer> LocallyConnectedImpl::from_config(const Json& c) {
  using config::get;
  using config::value;
  const std::string cls = str("LocallyConnected", rank, "D");
  const char* w = cls.c_str();
  LocallyConnectedOptions o{
      .strides = config_util::int_list(c, "strides", {1}, w),
      .padding = get<std::string>(c, "padding", "valid", w),
      .data_format = get<std::string>(c, "data_format", "channels_last", w),
      .activation = deserialize_activation(value(c, "activation", "linear")),
      .use_bias = get<bool>(c, "use_bias", true, w),
      .kernel_initializer =
          initializers::deserialize(value(c, "kernel_initializer", "glorot_uniform")),
      .bias_initializer = initializers::deserialize(value(c, "bias_initializer", "zeros")),
      .kernel_regularizer = regularizers::deserialize(value(c, "kernel_regularizer", nullptr)),
      .bias_regularizer = regularizers::deserialize(value(c, "bias_regularizer", nullptr)),
      .kernel_constraint = constraints::deserialize(value(c, "kernel_constraint", nullptr)),
      .bias_constraint = constraints::deserialize(value(c, "bias_constraint", nullptr)),
      .implementation = get<int>(c, "implementation", 1, w),
      .name = get<std::string>(c, "name", "", w),
  };
  auto layer = std::make_shared<LocallyConnectedImpl>(
      rank, config::require<int64_t>(c, "filters", w),
      config_util::require_int_list(c, "kernel_size", w), std::move(o));
  layer->apply_base_config(c);
  return layer;
}

template std::shared_ptr<Layer> LocallyConnectedImpl::from_config<1>(const Json&);
template std::shared_ptr<Layer> LocallyConnectedImpl::from_config<2>(const Json&);

}  // namespace keras::layers
