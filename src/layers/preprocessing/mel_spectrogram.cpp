#include "keras/layers/preprocessing/mel_spectrogram.h"

#include <cmath>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/math.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "layers/config_util.h"

namespace keras::layers {
namespace {

constexpr int64_t kMaxBins = int64_t{1} << 16;

double hertz_to_mel(double hertz) {
  return 1127.0 * std::log(1.0 + hertz / 700.0);
}

Json number(double v) {
  return std::trunc(v) == v && std::abs(v) < 1e15 ? Json(static_cast<int64_t>(v)) : Json(v);
}

}  // namespace

std::vector<double> linear_to_mel_weight_matrix(int64_t num_mel_bins,
                                                int64_t num_spectrogram_bins,
                                                double sampling_rate,
                                                double lower_edge_hertz,
                                                double upper_edge_hertz) {
  const int64_t bins = num_spectrogram_bins, mels = num_mel_bins;
  std::vector<double> edges(static_cast<size_t>(mels + 2));
  const double lo = hertz_to_mel(lower_edge_hertz), hi = hertz_to_mel(upper_edge_hertz);
  for (int64_t i = 0; i < mels + 2; ++i)
    edges[static_cast<size_t>(i)] =
        lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(mels + 1);
  std::vector<double> w(static_cast<size_t>(bins * mels), 0.0);  // row 0 (the DC bin) stays 0
  const double nyquist = sampling_rate / 2.0;
  for (int64_t b = 1; b < bins; ++b) {
    const double mel =
        hertz_to_mel(nyquist * static_cast<double>(b) / static_cast<double>(bins - 1));
    for (int64_t m = 0; m < mels; ++m) {
      const double lower = edges[static_cast<size_t>(m)],
                   center = edges[static_cast<size_t>(m + 1)],
                   upper = edges[static_cast<size_t>(m + 2)];
      const double v = std::min((mel - lower) / (center - lower), (upper - mel) / (upper - center));
      w[static_cast<size_t>(b * mels + m)] = std::max(0.0, v);
    }
  }
  return w;
}

MelSpectrogramImpl::MelSpectrogramImpl(MelSpectrogramOptions options)
    : Layer(options.name,
            "mel_spectrogram",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      options_(std::move(options)) {
  const MelSpectrogramOptions& o = options_;
  sequence_length_ = o.sequence_length.value_or(o.fft_length);
  KERAS_CHECK(o.fft_length >= sequence_length_, ValueError,
              "`fft_length` must be greater than or equal to   `sequence_length`. Received: "
              "`sequence_length`=",
              sequence_length_, ", `fft_length`=", o.fft_length, ".");
  KERAS_CHECK(o.fft_length >= 1 && o.fft_length <= kMaxBins && sequence_length_ >= 1 &&
                  o.sequence_stride >= 1 && o.num_mel_bins >= 1 && o.num_mel_bins <= kMaxBins,
              ValueError, "MelSpectrogram: fft_length ", o.fft_length, ", sequence_length ",
              sequence_length_, ", sequence_stride ", o.sequence_stride, " and num_mel_bins ",
              o.num_mel_bins, " must be positive (fft_length and num_mel_bins at most ", kMaxBins,
              ")");
  KERAS_CHECK((o.fft_length / 2 + 1) * o.num_mel_bins <= (int64_t{1} << 26), ValueError,
              "MelSpectrogram: a filter matrix of ", o.fft_length / 2 + 1, " x ", o.num_mel_bins,
              " values is too large");
  KERAS_CHECK(!o.window || *o.window == "hann" || *o.window == "hamming", ValueError,
              "If a string is passed to `window`, it must be one of `\"hann\"`, `\"hamming\"`. "
              "Received: window=",
              o.window.value_or("None"));
  KERAS_CHECK(std::isfinite(o.sampling_rate) && o.sampling_rate > 0, ValueError,
              "MelSpectrogram: sampling_rate must be positive, received ", o.sampling_rate);
  max_freq_ = o.max_freq.value_or(std::trunc(o.sampling_rate / 2));
  input_spec_ = {InputSpec{.min_ndim = 1, .max_ndim = 2}};
  autocast_ = false;  // Keras converts the input to the compute dtype itself, ints included
}

Tensors MelSpectrogramImpl::call(const Tensors& inputs, bool) {
  const MelSpectrogramOptions& o = options_;
  const DType dtype = this->dtype() == float64 ? float64 : float32;
  const Tensor x = ops::cast(inputs[0], dtype);
  (void)compute_output_shape({x.shape()});
  const auto [real, imag] =
      ops::stft(x, sequence_length_, o.sequence_stride, o.fft_length, {.window = o.window});
  Tensor spec = ops::sqrt(ops::add(ops::square(real), ops::square(imag)));
  if (o.mag_exp != 1.0) spec = ops::power(spec, o.mag_exp);
  const int64_t bins = o.fft_length / 2 + 1;
  const Tensor matrix = ops::cast(
      Tensor::from_vector(
          linear_to_mel_weight_matrix(o.num_mel_bins, bins, o.sampling_rate, o.min_freq, max_freq_),
          {bins, o.num_mel_bins}),
      dtype);
  Tensor mel = ops::matmul(spec, matrix);  // (..., frames, mel)
  if (o.power_to_db) {
    Tensor db = ops::multiply(ops::log10(ops::maximum(mel, o.min_power)), 10.0);
    db = ops::subtract(db, 10.0 * std::log10(std::max(std::abs(o.ref_power), o.min_power)));
    mel = ops::maximum(db, ops::subtract(ops::max(db), o.top_db));
  }
  return {ops::swapaxes(mel, -1, -2)};
}

std::vector<Shape> MelSpectrogramImpl::compute_output_shape(const std::vector<Shape>& in) const {
  const Shape& s = in[0];
  KERAS_CHECK(s.size() == 1 || s.size() == 2, ValueError, "Input 0 of layer ", name(),
              " is incompatible with the layer: expected a rank of 1 or 2, found ndim=", s.size(),
              ". Full shape received: ", shape_str(s));
  const int64_t time = s.back();
  const int64_t padded_extra = 2 * (options_.fft_length / 2) - options_.fft_length;
  int64_t frames = kNone;
  if (time != kNone) {
    KERAS_CHECK(time + 2 * (options_.fft_length / 2) >= options_.fft_length, ValueError,
                "MelSpectrogram ", name(), ": a signal of ", time,
                " samples is shorter than one frame of fft_length ", options_.fft_length);
    frames = 1 + (time + padded_extra) / options_.sequence_stride;
  }
  if (s.size() == 1) return {Shape{options_.num_mel_bins, frames}};
  return {Shape{s[0], options_.num_mel_bins, frames}};
}

Json MelSpectrogramImpl::get_config() const {
  const MelSpectrogramOptions& o = options_;
  Json config = Layer::get_config();
  config["fft_length"] = o.fft_length;
  config["sequence_stride"] = o.sequence_stride;
  config["sequence_length"] = sequence_length_;
  config["window"] = o.window ? Json(*o.window) : Json(nullptr);
  config["sampling_rate"] = number(o.sampling_rate);
  config["num_mel_bins"] = o.num_mel_bins;
  config["min_freq"] = o.min_freq;
  config["max_freq"] = number(max_freq_);
  config["power_to_db"] = o.power_to_db;
  config["top_db"] = o.top_db;
  config["mag_exp"] = o.mag_exp;
  config["min_power"] = o.min_power;
  config["ref_power"] = o.ref_power;
  return config;
}

std::shared_ptr<Layer> MelSpectrogramImpl::from_config(const Json& c) {
  const char* w = "MelSpectrogram";
  MelSpectrogramOptions o{.fft_length = config::get<int64_t>(c, "fft_length", 2048, w),
                          .sequence_stride = config::get<int64_t>(c, "sequence_stride", 512, w),
                          .sampling_rate = config::get<double>(c, "sampling_rate", 16000, w),
                          .num_mel_bins = config::get<int64_t>(c, "num_mel_bins", 128, w),
                          .min_freq = config::get<double>(c, "min_freq", 20.0, w),
                          .power_to_db = config::get<bool>(c, "power_to_db", true, w),
                          .top_db = config::get<double>(c, "top_db", 80.0, w),
                          .mag_exp = config::get<double>(c, "mag_exp", 2.0, w),
                          .min_power = config::get<double>(c, "min_power", 1e-10, w),
                          .ref_power = config::get<double>(c, "ref_power", 1.0, w),
                          .name = config::get<std::string>(c, "name", "", w)};
  if (const Json* v = config::find(c, "sequence_length"))
    o.sequence_length = config::convert<int64_t>(*v, "sequence_length", w);
  if (const Json* v = config::find(c, "max_freq"))
    o.max_freq = config::convert<double>(*v, "max_freq", w);
  o.window = config_util::optional_string(c, "window", "hann", w);
  auto layer = std::make_shared<MelSpectrogramImpl>(std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
