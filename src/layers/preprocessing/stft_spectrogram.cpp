#include "keras/layers/preprocessing/stft_spectrogram.h"

#include <cmath>
#include <numbers>

#include "keras/config/json.h"
#include "keras/ops/conv.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/math.h"
#include "keras/ops/shape.h"
#include "layers/config_util.h"

namespace keras::layers {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kEpsilon = 1e-7;  // Keras's backend.epsilon()
constexpr int64_t kMaxFrame = int64_t{1} << 20;

}  // namespace

STFTSpectrogramImpl::STFTSpectrogramImpl(STFTSpectrogramOptions options)
    : Layer(options.name,
            "stft_spectrogram",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      options_(std::move(options)) {
  const STFTSpectrogramOptions& o = options_;
  KERAS_CHECK(o.frame_length >= 1 && o.frame_length <= kMaxFrame, ValueError,
              "STFTSpectrogram: frame_length must be in [1, ", kMaxFrame, "], received ",
              o.frame_length);
  KERAS_CHECK(!o.frame_step || (*o.frame_step >= 1 && *o.frame_step <= o.frame_length), ValueError,
              "`frame_step` should be a positive integer not greater than `frame_length`. "
              "Received frame_step=",
              o.frame_step.value_or(0), ", frame_length=", o.frame_length);
  KERAS_CHECK(!o.fft_length || *o.fft_length >= o.frame_length, ValueError,
              "`fft_length` should be not less than `frame_length`. Received fft_length=",
              o.fft_length.value_or(0), ", frame_length=", o.frame_length);
  KERAS_CHECK(!o.fft_length || *o.fft_length <= 2 * kMaxFrame, ValueError,
              "STFTSpectrogram: fft_length ", o.fft_length.value_or(0), " is too large");
  const std::vector<std::string> modes = {"log",  "magnitude", "psd", "real",
                                          "imag", "angle",     "stft"};
  KERAS_CHECK(std::find(modes.begin(), modes.end(), o.mode) != modes.end(), ValueError,
              "Output mode is invalid, it must be one of log, magnitude, psd, real, imag, angle, "
              "stft. Received: mode=",
              o.mode);
  KERAS_CHECK(!o.scaling || *o.scaling == "density" || *o.scaling == "spectrum", ValueError,
              "Scaling is invalid, it must be `None`, 'density' or 'spectrum'. Received scaling=",
              o.scaling.value_or("None"));
  KERAS_CHECK(o.padding == "valid" || o.padding == "same", ValueError,
              "Padding is invalid, it should be 'valid', 'same'. Received: padding=", o.padding);
  KERAS_CHECK(o.data_format == "channels_last" || o.data_format == "channels_first", ValueError,
              "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
              "Received: data_format=",
              o.data_format);
  if (o.window_values.empty() && o.window) (void)ops::get_window(*o.window, 1, o.periodic);
  KERAS_CHECK(
      o.window_values.empty() || static_cast<int64_t>(o.window_values.size()) == o.frame_length,
      ValueError,
      "The shape of `window` must be equal to [frame_length].Received: window "
      "shape=(",
      o.window_values.size(), ",)");
  frame_step_ = o.frame_step.value_or(o.frame_length / 2);
  KERAS_CHECK(frame_step_ >= 1, ValueError,
              "`frame_step` should be a positive integer not greater than `frame_length`. "
              "Received frame_step=",
              frame_step_, ", frame_length=", o.frame_length);
  int64_t power = 1;
  while (power < o.frame_length) power *= 2;
  fft_length_ = o.fft_length.value_or(power);
  input_spec_ = {InputSpec{.ndim = 3}};
}

Tensor STFTSpectrogramImpl::kernel_values(bool imag, DType dtype) const {
  const int64_t frame = options_.frame_length, bins = fft_length_ / 2 + 1;
  std::vector<double> window;
  if (!options_.window_values.empty()) {
    window = options_.window_values;
  } else if (options_.window) {
    window = ops::get_window(*options_.window, frame, options_.periodic);
  }
  double scale = 1.0;
  if (!window.empty() && options_.scaling) {
    double s = 0;
    for (double w : window) s += *options_.scaling == "density" ? w * w : std::abs(w);
    scale = *options_.scaling == "density" ? std::sqrt(s) : s;
  }
  // Keras's initializers.STFT: the angle -2 pi t f / ((bins - 1) * 2).
  const auto period = static_cast<double>((bins - 1) * 2);
  std::vector<double> values(static_cast<size_t>(frame * bins));
  for (int64_t t = 0; t < frame; ++t) {
    for (int64_t f = 0; f < bins; ++f) {
      const double angle = -2.0 * static_cast<double>(t) * (static_cast<double>(f) / period) * kPi;
      double v = imag ? std::sin(angle) : std::cos(angle);
      if (!window.empty()) v = v * window[static_cast<size_t>(t)] / scale;
      values[static_cast<size_t>(t * bins + f)] = v;
    }
  }
  return ops::cast(Tensor::from_vector(values, {frame, 1, bins}), dtype);
}

void STFTSpectrogramImpl::build(const std::vector<Shape>&) {
  const Shape shape{options_.frame_length, 1, fft_length_ / 2 + 1};
  auto initializer = [this](bool imag) {
    return initializers::Initializer(
        "STFT", [this, imag](const Shape&, DType dtype) { return kernel_values(imag, dtype); });
  };
  if (options_.mode != "imag") real_kernel_ = add_weight("real_kernel", shape, initializer(false));
  if (options_.mode != "real") imag_kernel_ = add_weight("imag_kernel", shape, initializer(true));
}

Tensor STFTSpectrogramImpl::apply_conv(const Tensor& x, const Tensor& kernel) const {
  const bool last = options_.data_format == "channels_last";
  const int64_t batch = x.dim(0), channels = last ? x.dim(2) : x.dim(1);
  const int64_t time = last ? x.dim(1) : x.dim(2);
  const Tensor framed =
      last ? ops::reshape(ops::transpose(x, {0, 2, 1}), {batch * channels, time, 1})
           : ops::reshape(x, {batch * channels, 1, time});
  Tensor y = ops::conv(
      framed, ops::cast(kernel, x.dtype()),
      {.strides = {frame_step_}, .padding = options_.padding, .data_format = options_.data_format});
  if (last) y = ops::transpose(y, {0, 2, 1});  // (batch * channels, freq, frames)
  return ops::reshape(y, {batch, channels, y.dim(1), y.dim(2)});
}

Tensor STFTSpectrogramImpl::adjust_shapes(const Tensor& y) const {
  const int64_t batch = y.dim(0), channels = y.dim(1), freq = y.dim(2), frames = y.dim(3);
  if (options_.data_format == "channels_last") {
    if (options_.expand_dims) return ops::transpose(y, {0, 3, 2, 1});
    return ops::transpose(ops::reshape(y, {batch, channels * freq, frames}), {0, 2, 1});
  }
  if (options_.expand_dims) return ops::transpose(y, {0, 1, 3, 2});
  return ops::reshape(y, {batch, channels * freq, frames});
}

Tensors STFTSpectrogramImpl::call(const Tensors& inputs, bool) {
  const Tensor& x = inputs[0];
  KERAS_CHECK(is_floating(x.dtype()), TypeError,
              "Invalid input type. Expected `float16`, `float32` or `float64`. Received: input "
              "type=",
              dtype_name(x.dtype()));
  (void)compute_output_shape({x.shape()});
  const std::string& mode = options_.mode;
  Tensor real, imag;
  if (mode != "imag") real = apply_conv(x, real_kernel_.value());
  if (mode != "real") imag = apply_conv(x, imag_kernel_.value());
  if (mode == "real") return {adjust_shapes(real)};
  if (mode == "imag") return {adjust_shapes(imag)};
  if (mode == "angle") return {adjust_shapes(ops::arctan2(imag, real))};
  if (mode == "stft") return {adjust_shapes(ops::concatenate({real, imag}, 2))};
  const Tensor power = ops::add(ops::square(real), ops::square(imag));
  if (mode == "psd") {
    const int64_t freq = power.dim(2);
    if (freq < 3) return {adjust_shapes(power)};
    const Tensor inner = ops::slice_axis(power, 2, 1, freq - 2);
    return {adjust_shapes(ops::add(power, ops::pad(inner, {{0, 0}, {0, 0}, {1, 1}, {0, 0}})))};
  }
  const Tensor magnitude = adjust_shapes(ops::sqrt(ops::maximum(power, kEpsilon)));
  if (mode == "magnitude") return {magnitude};
  return {ops::log(ops::maximum(magnitude, kEpsilon))};
}

std::vector<Shape> STFTSpectrogramImpl::compute_output_shape(const std::vector<Shape>& in) const {
  const Shape& s = in[0];
  KERAS_CHECK(s.size() == 3, ValueError, "Input 0 of layer ", name(),
              " is incompatible with the layer: expected ndim=3, found ndim=", s.size(),
              ". Full shape received: ", shape_str(s));
  const bool last = options_.data_format == "channels_last";
  const int64_t channels = last ? s[2] : s[1], time = last ? s[1] : s[2];
  int64_t freq = fft_length_ / 2 + 1;
  if (options_.mode == "stft") freq *= 2;
  const int64_t frames = time == kNone ? kNone
                                       : ops::conv_output_length(time, options_.frame_length,
                                                                 options_.padding, frame_step_);
  KERAS_CHECK(frames == kNone || frames >= 0, ValueError, "STFTSpectrogram ", name(),
              ": an input of ", time, " samples is shorter than frame_length ",
              options_.frame_length);
  if (options_.expand_dims) {
    return {last ? Shape{s[0], frames, freq, channels} : Shape{s[0], channels, frames, freq}};
  }
  const int64_t features = channels == kNone ? kNone : channels * freq;
  return {last ? Shape{s[0], frames, features} : Shape{s[0], features, frames}};
}

Json STFTSpectrogramImpl::get_config() const {
  const STFTSpectrogramOptions& o = options_;
  Json config = Layer::get_config();
  config["mode"] = o.mode;
  config["frame_length"] = o.frame_length;
  config["frame_step"] = o.frame_step ? Json(*o.frame_step) : Json(nullptr);
  config["fft_length"] = o.fft_length ? Json(*o.fft_length) : Json(nullptr);
  config["window"] = !o.window_values.empty() ? Json(o.window_values)
                     : o.window               ? Json(*o.window)
                                              : Json(nullptr);
  config["periodic"] = o.periodic;
  config["scaling"] = o.scaling ? Json(*o.scaling) : Json(nullptr);
  config["padding"] = o.padding;
  config["data_format"] = o.data_format;
  config["expand_dims"] = o.expand_dims;
  return config;
}

std::shared_ptr<Layer> STFTSpectrogramImpl::from_config(const Json& c) {
  const char* w = "STFTSpectrogram";
  STFTSpectrogramOptions o{
      .mode = config::get<std::string>(c, "mode", "log", w),
      .frame_length = config::get<int64_t>(c, "frame_length", 256, w),
      .periodic = config::get<bool>(c, "periodic", false, w),
      .padding = config::get<std::string>(c, "padding", "valid", w),
      .expand_dims = config::get<bool>(c, "expand_dims", false, w),
      .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
      .name = config::get<std::string>(c, "name", "", w)};
  if (const Json* v = config::find(c, "frame_step"))
    o.frame_step = config::convert<int64_t>(*v, "frame_step", w);
  if (const Json* v = config::find(c, "fft_length"))
    o.fft_length = config::convert<int64_t>(*v, "fft_length", w);
  if (const Json* v = config::find(c, "window"); v != nullptr && v->is_array()) {
    o.window_values = config::convert<std::vector<double>>(*v, "window", w);
  } else {
    o.window = config_util::optional_string(c, "window", "hann", w);
  }
  o.scaling = config_util::optional_string(c, "scaling", "density", w);
  auto layer = std::make_shared<STFTSpectrogramImpl>(std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
