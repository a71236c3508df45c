// Signal functions of keras.ops.math: stft, and scipy.signal.get_window's windows that it and
// the STFTSpectrogram layer use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/core/tensor.h"

namespace keras::ops {

// scipy.signal.get_window(name, length, fftbins=periodic): hann, hamming, blackman,
// blackmanharris, nuttall, flattop, bartlett, triang, cosine, boxcar (and scipy's short
// aliases). ValueError "Unknown window type." for other names; lengths 0 and 1 give ones.
std::vector<double> get_window(const std::string& name, int64_t length, bool periodic);

struct StftOptions {
  std::optional<std::string> window = "hann";  // "hann" or "hamming" (periodic), or none
  std::vector<double> window_values = {};      // when given: sequence_length values
  bool center = true;  // reflect-pad fft_length / 2 samples on both sides first
};

// keras.ops.stft: the short-time Fourier transform along the last axis of a float32/float64 x
// (..., T): frames of fft_length samples every sequence_stride, the window (sequence_length
// values, centred in fft_length with zeros) applied, then the DFT's fft_length / 2 + 1
// non-negative frequencies. Returns (real, imaginary), each (..., frames, fft_length / 2 + 1),
// frames = 1 + (T' - fft_length) / sequence_stride (T' = T + 2 (fft_length / 2) when centred).
// As Keras with JAX: a plain DFT (no scaling). Differentiable (a strided convolution with DFT
// kernels). TypeError for other dtypes; ValueError (Keras's words) for fft_length <
// sequence_length, another window name or a window of another length, for a signal shorter
// than one frame, and for an fft_length over 11,584 (its DFT kernels would exceed 2^26 values).
std::pair<Tensor, Tensor> stft(const Tensor& x,
                               int64_t sequence_length,
                               int64_t sequence_stride,
                               int64_t fft_length,
                               const StftOptions& options = {});

}  // namespace keras::ops
