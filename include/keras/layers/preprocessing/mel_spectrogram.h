// MelSpectrogram (keras.layers.MelSpectrogram): audio (batch, time) or (time,) -> a mel
// spectrogram (batch, num_mel_bins, frames) or (num_mel_bins, frames), as Keras 3 computes it:
// ops::stft (centred, reflect-padded; frames of fft_length every sequence_stride, the window
// over sequence_length samples, default fft_length), the magnitude to the power mag_exp, HTK
// mel filters (triangles of peak 1 between min_freq and max_freq, default sampling_rate / 2,
// mel(f) = 1127 ln(1 + f / 700)), then, with power_to_db, 10 log10(max(x, min_power)) minus
// 10 log10(max(|ref_power|, min_power)), floored at the largest value minus top_db. That
// largest value is over the whole batch, as in Keras, so with power_to_db a sample's output
// depends on the others in its batch. No weights; computes in float32 (float64 for a float64
// layer). frames = 1 + time / sequence_stride for an even fft_length (Keras 3.15's
// compute_output_shape says (time + sequence_stride + 1) / sequence_stride, which is one more
// when sequence_stride divides time + 1; keras.cpp gives the real count).
//
// Errors: ValueError (Keras's words) for fft_length < sequence_length; ValueError for a window
// other than "hann" or "hamming" (ops::stft), for an input of another rank or shorter than one
// frame.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct MelSpectrogramOptions {
  int64_t fft_length = 2048;
  int64_t sequence_stride = 512;
  std::optional<int64_t> sequence_length = std::nullopt;
  std::optional<std::string> window = "hann";
  double sampling_rate = 16000;
  int64_t num_mel_bins = 128;
  double min_freq = 20.0;
  std::optional<double> max_freq = std::nullopt;
  bool power_to_db = true;
  double top_db = 80.0;
  double mag_exp = 2.0;
  double min_power = 1e-10;
  double ref_power = 1.0;
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// The (num_spectrogram_bins, num_mel_bins) matrix Keras's linear_to_mel_weight_matrix returns
// (its first row, the DC bin, zero).
std::vector<double> linear_to_mel_weight_matrix(int64_t num_mel_bins,
                                                int64_t num_spectrogram_bins,
                                                double sampling_rate,
                                                double lower_edge_hertz,
                                                double upper_edge_hertz);

class MelSpectrogramImpl final : public Layer {
 public:
  explicit MelSpectrogramImpl(MelSpectrogramOptions options);
  std::string class_name() const override { return "MelSpectrogram"; }
  bool batch_independent() const override { return !options_.power_to_db; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  MelSpectrogramOptions options_;
  int64_t sequence_length_;
  double max_freq_;
};

class MelSpectrogram : public LayerHandle<MelSpectrogramImpl> {
 public:
  explicit MelSpectrogram(MelSpectrogramOptions options = {})
      : LayerHandle(std::make_shared<MelSpectrogramImpl>(std::move(options))) {}
};

}  // namespace keras::layers
