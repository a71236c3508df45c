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

// keras.ops.kaiser (NumPy's): the Kaiser window of `length` points with shape parameter beta,
// I0(beta sqrt(1 - (2n / (length - 1) - 1)^2)) / I0(beta), computed in float64 and returned as
// float32 (Keras's floatx); length 1 gives [1], length <= 0 an empty window. Not differentiable
// (its arguments are numbers).
Tensor kaiser(int64_t length, double beta);

// keras.ops.linspace: `num` evenly spaced values from start to stop (included unless
// !endpoint), start (1 - t) + stop t for t = i / (num - 1) (i / num without the endpoint), the
// last value stop itself. start and stop broadcast; the values lie along `axis` of the result
// (rank + 1). Dtype: `dtype`, else start's (float32 for an integer or bool start, as
// result_type(start, float)); integer dtypes get the values floored. Differentiable in start and
// stop. ValueError for num < 0. (retstep is not offered: the step is (stop - start) / (num - 1).)
Tensor linspace(const Tensor& start,
                const Tensor& stop,
                int64_t num = 50,
                bool endpoint = true,
                std::optional<DType> dtype = std::nullopt,
                int axis = 0);
// Python numbers as start and stop: float32 unless `dtype`.
Tensor linspace(double start,
                double stop,
                int64_t num = 50,
                bool endpoint = true,
                std::optional<DType> dtype = std::nullopt,
                int axis = 0);
// keras.ops.logspace: base ** linspace(start, stop, ...), in the same dtype (integer dtypes: the
// powers truncated).
Tensor logspace(const Tensor& start,
                const Tensor& stop,
                int64_t num = 50,
                bool endpoint = true,
                double base = 10.0,
                std::optional<DType> dtype = std::nullopt,
                int axis = 0);
Tensor logspace(double start,
                double stop,
                int64_t num = 50,
                bool endpoint = true,
                double base = 10.0,
                std::optional<DType> dtype = std::nullopt,
                int axis = 0);
// keras.ops.geomspace: a geometric progression from start to stop, sign(start) times
// 10 ** linspace(log10 |start|, log10 |stop|) (NaN where start and stop differ in sign; a zero
// end gives NaN or infinity, as JAX), the dtype as linspace's.
Tensor geomspace(const Tensor& start,
                 const Tensor& stop,
                 int64_t num = 50,
                 bool endpoint = true,
                 std::optional<DType> dtype = std::nullopt,
                 int axis = 0);
Tensor geomspace(double start,
                 double stop,
                 int64_t num = 50,
                 bool endpoint = true,
                 std::optional<DType> dtype = std::nullopt,
                 int axis = 0);

// keras.ops.correlate (NumPy's): the cross-correlation of 1-D x1 (M) and x2 (N),
// c[k] = sum_n x1[n + k - (N - 1)] x2[n] over the "full" range k in [0, M + N - 1), of which
// "valid" keeps the max(M, N) - min(M, N) + 1 where one fully overlaps the other and "same" the
// max(M, N) centred ones. Dtype: the operands' floating result_type (float32 for integers and
// bool). Differentiable in both. ValueError (Keras's words) for other ranks or another mode.
Tensor correlate(const Tensor& x1, const Tensor& x2, const std::string& mode = "valid");

// keras.ops.bincount (sparse=False): for 1-D non-negative integers x, out[i] = the number of
// x == i (or the sum of their weights), of length max(max(x) + 1, minlength); a 2-D x counts
// each row, (rows, length) with one length for all rows. Dtype: int32 without weights, else
// the weights' dtype promoted with x's (result_type). Differentiable in the weights. The length
// depends on x's values, which are read on the host (Keras: "never traceable"). ValueError for x
// of rank 0 or > 2, weights of another shape or a negative value; TypeError for non-integer x.
Tensor bincount(const Tensor& x, const Tensor& weights = {}, int64_t minlength = 0);

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
