// keras.ops.math: the signal functions stft and extract_sequences, scipy.signal.get_window's
// windows that stft and the STFTSpectrogram layer use, in_top_k, erfinv, cdist and the segment
// reductions; and NumPy's i0.
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

// keras.ops.extract_sequences: the frames of sequence_length samples every sequence_stride along
// x's last axis, (..., T) -> (..., 1 + (T - sequence_length) / sequence_stride, sequence_length)
// (no frame when T < sequence_length). Differentiable. ValueError for a length or stride < 1.
Tensor extract_sequences(const Tensor& x, int64_t sequence_length, int64_t sequence_stride);

// keras.ops.in_top_k: for each row of predictions (batch, classes), whether the class targets[i]
// (integers, (batch,)) is among the k largest, ties counted in its favour (its rank is 1 plus the
// count of strictly larger predictions), a NaN prediction for it counting as -infinity (JAX's).
// Bool (batch,).
// ValueError for mismatched shapes; IndexError for a target outside [0, classes).
Tensor in_top_k(const Tensor& targets, const Tensor& predictions, int64_t k);

// keras.ops.erfinv: the inverse of erf on (-1, 1) (+-infinity at +-1, NaN outside), computed in
// float64 (Giles' approximation refined by two Newton steps) and returned in x's floating dtype
// (float32 for integers). Differentiable as the composition it is.
Tensor erfinv(const Tensor& x);

// keras.ops.i0 (NumPy's): the modified Bessel function of the first kind, order 0, computed in
// float64 (its power series up to |x| = 30, its asymptotic series beyond) and returned in x's
// floating dtype (float32 for integers). Differentiable as the composition it is.
Tensor i0(const Tensor& x);

// keras.ops.cdist: the Euclidean distances between the rows of x (..., m, d) and of y (..., n, d),
// (..., m, n), the leading dimensions broadcast. ValueError (Keras's words) for a rank under 2 or
// last dimensions that differ.
Tensor cdist(const Tensor& x, const Tensor& y);

// keras.ops.segment_sum / segment_max / segment_min / segment_prod: data's rows (axis 0) reduced
// by segment: output row k reduces the rows i with segment_ids[i] == k, (num_segments,) +
// data.shape[1:]; a segment no row names holds the reduction's identity (0, the dtype's lowest,
// its highest, 1, as JAX); ids outside [0, num_segments) are dropped. segment_ids: integers of
// shape (data.shape[0],). Differentiable in data. ValueError for num_segments < 1 or ids of
// another shape or dtype.
enum class SegmentReduction : uint8_t { sum, max, min, prod };
Tensor segment_reduce(const Tensor& data,
                      const Tensor& segment_ids,
                      int64_t num_segments,
                      SegmentReduction reduction);

}  // namespace keras::ops
