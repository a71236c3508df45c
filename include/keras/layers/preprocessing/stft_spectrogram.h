// STFTSpectrogram (keras.layers.STFTSpectrogram): the short-time Fourier transform of signals,
// computed as Keras 3 does, by a strided 1-D convolution with DFT kernels.
//
// Input (batch, time, channels) (channels_first: (batch, channels, time)), floating point; time
// may be None. Each channel is framed separately: frames of frame_length samples every
// frame_step (default frame_length / 2), "valid" or "same" padding, fft_length bins (default the
// next power of two >= frame_length; only the fft_length / 2 + 1 non-negative frequencies).
// Output (batch, frames, channels * freq) (channels_first: (batch, channels * freq, frames)),
// or with expand_dims (batch, frames, freq, channels) ((batch, channels, frames, freq));
// freq doubles in mode "stft" (real parts, then imaginary parts, per channel).
//
// Modes (Keras's): "real", "imag", "stft" (both), "angle" (arctan2(imag, real)), "psd" (power,
// the inner frequencies doubled), "magnitude" (sqrt(max(power, 1e-7))), "log" (log(max(
// magnitude, 1e-7))), the default.
//
// Weights: real_kernel (unless mode "imag") and imag_kernel (unless mode "real"), each
// (frame_length, 1, fft_length / 2 + 1), trainable as in Keras, initialized to cos / sin(-2 pi t
// f / fft_length) times the window, divided by sqrt(sum w²) ("density") or sum |w| ("spectrum")
// or 1 (no scaling). Windows: ops::get_window's (scipy.signal.get_window; periodic = its
// fftbins), none (nullopt), or explicit values (window_values, frame_length of them).
//
// Errors, in Keras's words: ValueError for frame_step outside [1, frame_length], fft_length <
// frame_length, an unknown mode, scaling, padding or window, a window_values of another length;
// TypeError for a non-floating input; the input must have rank 3.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct STFTSpectrogramOptions {
  std::string mode = "log";
  int64_t frame_length = 256;
  std::optional<int64_t> frame_step = std::nullopt;
  std::optional<int64_t> fft_length = std::nullopt;
  std::optional<std::string> window = "hann";
  std::vector<double> window_values = {};  // when given, used instead of `window`
  bool periodic = false;
  std::optional<std::string> scaling = "density";
  std::string padding = "valid";
  bool expand_dims = false;
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

class STFTSpectrogramImpl final : public Layer {
 public:
  explicit STFTSpectrogramImpl(STFTSpectrogramOptions options);
  std::string class_name() const override { return "STFTSpectrogram"; }
  bool batch_independent() const override { return true; }
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  int64_t frame_step() const { return frame_step_; }
  int64_t fft_length() const { return fft_length_; }

 private:
  Tensor apply_conv(const Tensor& x,
                    const Tensor& kernel) const;  // (batch, channels, freq, frames)
  Tensor adjust_shapes(const Tensor& y) const;
  Tensor kernel_values(bool imag, DType dtype) const;
  STFTSpectrogramOptions options_;
  int64_t frame_step_, fft_length_;
  Variable real_kernel_, imag_kernel_;
};

class STFTSpectrogram : public LayerHandle<STFTSpectrogramImpl> {
 public:
  explicit STFTSpectrogram(STFTSpectrogramOptions options = {})
      : LayerHandle(std::make_shared<STFTSpectrogramImpl>(std::move(options))) {}
};

}  // namespace keras::layers
