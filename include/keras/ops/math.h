// keras.ops.math: the Fourier transforms (fft, fft2, ifft2, rfft, irfft, stft, istft) and
// extract_sequences, scipy.signal.get_window's windows that stft and the STFTSpectrogram layer
// use, in_top_k, erfinv, logdet, cdist and the segment reductions; and NumPy's i0.
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

// Complex tensors as Keras passes them: (real, imaginary), two float tensors of one shape.
using ComplexPair = std::pair<Tensor, Tensor>;

// The Fourier transforms compute in float64 on the host (radix-2 for power-of-two lengths,
// Bluestein's chirp convolution for others, so any length is O(n log n)) and return the inputs'
// floating dtype (float32 and float32 give float32; float32 beside float64 gives float64). They
// are linear, and differentiable (their gradients are the adjoint transforms). A complex pair's
// errors, as Keras's: ValueError "Input `x` should be a tuple of two tensors - real and
// imaginary.Both the real and imaginary parts should have the same shape. ..." for shapes that
// differ, ValueError "At least one tensor in input `x` is not of type float." for integer or bool
// parts, ValueError "Input should have rank >= k." for too few axes. Lengths are at most 2^22.

// keras.ops.fft: the DFT sum_t x[t] exp(-2 pi i k t / n) along the last axis (n >= 0), x's shape.
ComplexPair fft(const ComplexPair& x);
// keras.ops.fft2 / ifft2: the DFT over the last two axes (rank >= 2); ifft2 the inverse, exponent
// +2 pi i and scaled by 1 / (m n).
ComplexPair fft2(const ComplexPair& x);
ComplexPair ifft2(const ComplexPair& x);
// keras.ops.rfft: the DFT of real x (..., T) (integers as float32) cut or zero-padded to
// fft_length samples (default T), its fft_length / 2 + 1 non-negative frequencies. ValueError
// "Shape should be positive." for an fft_length < 1.
ComplexPair rfft(const Tensor& x, std::optional<int64_t> fft_length = std::nullopt);
// keras.ops.irfft: the real signal (..., fft_length) whose rfft is x (..., m): x's first
// fft_length / 2 + 1 bins (zeros beyond m) extended by Hermitian symmetry, the imaginary parts of
// the zero and (even fft_length) Nyquist bins ignored, as NumPy and JAX. fft_length defaults to
// 2 (m - 1) (m = 1 gives an empty signal, as JAX); an explicit fft_length < 1 is a ValueError
// "Shape should be positive.".
Tensor irfft(const ComplexPair& x, std::optional<int64_t> fft_length = std::nullopt);

struct StftOptions {
  std::optional<std::string> window = "hann";  // "hann" or "hamming" (periodic), or none
  std::vector<double> window_values = {};      // when given: sequence_length values
  bool center = true;  // reflect-pad fft_length / 2 samples on both sides first
};

// keras.ops.stft: the short-time Fourier transform along the last axis of a float32/float64 x
// (..., T): frames of fft_length samples every sequence_stride, the window (sequence_length
// values, centred in fft_length with zeros) applied, then rfft's fft_length / 2 + 1 bins.
// Returns (real, imaginary), each (..., frames, fft_length / 2 + 1),
// frames = 1 + (T' - fft_length) / sequence_stride (T' = T + 2 (fft_length / 2) when centred).
// As Keras with JAX: a plain DFT (no scaling). Differentiable. TypeError for other dtypes;
// ValueError (Keras's words) for fft_length < sequence_length, another window name or a window of
// another length, and for a signal shorter than one frame.
std::pair<Tensor, Tensor> stft(const Tensor& x,
                               int64_t sequence_length,
                               int64_t sequence_stride,
                               int64_t fft_length,
                               const StftOptions& options = {});

struct IstftOptions {
  std::optional<int64_t> length = std::nullopt;  // the output cut to [start, start + length)
  std::optional<std::string> window = "hann";    // any get_window name (periodic), or none
  std::vector<double> window_values = {};        // when given: sequence_length values
  bool center = true;  // drop fft_length / 2 samples at both ends, as stft padded them
};

// keras.ops.istft (as Keras on JAX, jax.scipy.signal.istft): x (..., frames, bins) -> the signal
// (..., L). Each frame's irfft of fft_length samples, times the window (sequence_length values
// centred in fft_length with zeros; none: ones over all fft_length), overlap-added every
// sequence_stride into fft_length + sequence_stride (frames - 1) samples and divided by the
// overlap-added squared window where that exceeds 1e-10 (without a window, also multiplied by
// fft_length / sequence_stride, as Keras). The overlap-add is JAX's: when fft_length exceeds
// sequence_stride times the frame count, its frames wrap and L is cut to (2 frames - 1)
// sequence_stride (Keras's values, kept). Then samples [start, end): start = fft_length / 2 when
// centred, else 0; end = start + length, else L - fft_length / 2 when centred (Python's
// x[..., s:-0], empty, for fft_length 1), else L; clamped to L as Python slices. Differentiable.
// ValueError (Keras's words) for sequence_stride < 1, rank < 2, fft_length < sequence_length or
// a window of another length.
Tensor istft(const ComplexPair& x,
             int64_t sequence_length,
             int64_t sequence_stride,
             int64_t fft_length,
             const IstftOptions& options = {});

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

// keras.ops.logdet (as Keras on JAX: slogdet's log|det|, so a negative determinant gives the log
// of its absolute value, not NaN; a singular matrix -inf) of square matrices (..., n, n), in x's
// floating dtype (float32 for integers). Differentiable. ValueError "Argument to slogdet() must
// have shape [..., n, n], got (2,)" otherwise.
Tensor logdet(const Tensor& x);

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
// keras.ops.segment_sum(data, segment_ids, num_segments=None, sorted=False), segment_max,
// segment_min, segment_prod: segment_reduce with Keras's arguments and checks. Without
// num_segments it is max(segment_ids) + 1 (read on the host), as Keras documents it and its
// NumPy and TensorFlow backends compute it (its JAX backend raises instead). `sorted` only tells
// JAX the ids are sorted; the result is the same either way. ValueError (Keras's words)
// "Argument `segment_ids` should be an 1-D vector, got shape: 2. ..." and "Argument
// `segment_ids` and `data` should have same leading dimension. Got (3,) v.s. (4, 2).".
Tensor segment_sum(const Tensor& data,
                   const Tensor& segment_ids,
                   std::optional<int64_t> num_segments = std::nullopt,
                   bool sorted = false);
Tensor segment_max(const Tensor& data,
                   const Tensor& segment_ids,
                   std::optional<int64_t> num_segments = std::nullopt,
                   bool sorted = false);
Tensor segment_min(const Tensor& data,
                   const Tensor& segment_ids,
                   std::optional<int64_t> num_segments = std::nullopt,
                   bool sorted = false);
Tensor segment_prod(const Tensor& data,
                    const Tensor& segment_ids,
                    std::optional<int64_t> num_segments = std::nullopt,
                    bool sorted = false);

// keras.ops.bartlett / blackman / hamming / hanning (NumPy's): the symmetric window of M points,
// with n = 1 - M, 3 - M, ..., M - 1 and r = n / (M - 1): bartlett 1 - |r|; blackman
// 0.42 + 0.5 cos(pi r) + 0.08 cos(2 pi r); hamming 0.54 + 0.46 cos(pi r); hanning
// 0.5 + 0.5 cos(pi r). Computed in float64 and returned as float32 (Keras's floatx); M = 1 gives
// [1], M <= 0 an empty window (NumPy's; Keras on JAX rejects a negative M). Not differentiable
// (their argument is a number).
Tensor bartlett(int64_t M);
Tensor blackman(int64_t M);
Tensor hamming(int64_t M);
Tensor hanning(int64_t M);
// keras.ops.corrcoef: the Pearson correlation coefficients of the rows of x (N variables, D
// observations), (N, N), clipped to [-1, 1]; a 1-D x is one variable (a scalar 1). x's floating
// dtype (integers and bool: float32). Differentiable. ValueError "m has more than 2 dimensions"
// for a rank above 2.
Tensor corrcoef(const Tensor& x);
// keras.ops.histogram: the counts of 1-D x's values in `bins` equal bins over `range` (default
// [min(x), max(x)], widened by 0.5 on both sides when they are equal), and the bins + 1 edges, as
// jnp.histogram: each bin half-open [e_i, e_i+1) but the last closed, values outside the range
// not counted. Counts and edges in x's floating dtype (integers and bool: float32). The values
// are read on the host (not traceable). Not differentiable. ValueError (Keras's words) for x not
// 1-D, bins < 0 or a range whose second element is not greater than its first.
std::pair<Tensor, Tensor> histogram(const Tensor& x,
                                    int64_t bins = 10,
                                    std::optional<std::pair<double, double>> range = std::nullopt);
// keras.ops.trapezoid: the integral of y along `axis` by the trapezoidal rule,
// sum((y[1:] + y[:-1]) / 2 * d), with d the spacing: dx, or diff(x) for sample points x (1-D
// along the axis, or of y's shape). y's floating dtype (integers and bool: float32), promoted
// with x's. Differentiable in y and x. ValueError for an axis out of range or x of another
// length.
Tensor trapezoid(const Tensor& y, const Tensor& x = {}, double dx = 1.0, int axis = -1);

}  // namespace keras::ops
