// keras.ops' Fourier transforms. One primitive, the unscaled complex DFT along the last axis (a
// float64 host kernel), whose gradient is the DFT of the other sign; fft, fft2, ifft2, rfft,
// irfft, istft (and stft, in math.cpp) are compositions of it with differentiable ops.
#include <algorithm>
#include <complex>
#include <numbers>

#include "keras/autodiff/tape.h"
#include "keras/core/error.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/math.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "ops/floating.h"
#include "ops/host_kernel.h"

namespace keras::ops {
namespace {

using Complex = std::complex<double>;
constexpr double kPi = std::numbers::pi;
constexpr int64_t kMaxLength = int64_t{1} << 22;

// exp(sign 2 pi i k / n) for k < n / 2.
std::vector<Complex> roots(int64_t n, double sign) {
  std::vector<Complex> w(static_cast<size_t>(n / 2));
  for (int64_t k = 0; k < n / 2; ++k)
    w[static_cast<size_t>(k)] =
        std::polar(1.0, sign * 2 * kPi * static_cast<double>(k) / static_cast<double>(n));
  return w;
}

// In-place iterative radix-2 DFT of a power-of-two n, with w = roots(n, sign).
void radix2(Complex* a, int64_t n, const std::vector<Complex>& w) {
  for (int64_t i = 1, j = 0; i < n; ++i) {
    int64_t bit = n >> 1;
    for (; (j & bit) != 0; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (int64_t len = 2; len <= n; len <<= 1) {
    const int64_t half = len / 2, step = n / len;
    for (int64_t i = 0; i < n; i += len) {
      for (int64_t k = 0; k < half; ++k) {
        const Complex v = a[i + k + half] * w[static_cast<size_t>(k * step)];
        a[i + k + half] = a[i + k] - v;
        a[i + k] += v;
      }
    }
  }
}

// The unscaled DFT of n points, sum_t a[t] exp(sign 2 pi i k t / n), in place.
class Dft {
 public:
  Dft(int64_t n, double sign) : n_(n) {
    if ((n & (n - 1)) == 0) {
      w_ = roots(n, sign);
      return;
    }
    // Bluestein: k t = (k^2 + t^2 - (k - t)^2) / 2 makes the DFT a circular convolution with the
    // chirp, done by power-of-two DFTs of m >= 2 n - 1 points.
    m_ = 1;
    while (m_ < 2 * n - 1) m_ <<= 1;
    w_ = roots(m_, -1.0);
    inverse_ = roots(m_, 1.0);
    chirp_.resize(static_cast<size_t>(n));
    kernel_.assign(static_cast<size_t>(m_), 0.0);
    for (int64_t t = 0; t < n; ++t) {
      // t^2 reduced mod 2n first: the angle stays exact for long signals.
      const auto phase = static_cast<double>((t * t) % (2 * n));
      chirp_[static_cast<size_t>(t)] = std::polar(1.0, sign * kPi * phase / static_cast<double>(n));
      kernel_[static_cast<size_t>(t)] = std::conj(chirp_[static_cast<size_t>(t)]);
      if (t > 0) kernel_[static_cast<size_t>(m_ - t)] = kernel_[static_cast<size_t>(t)];
    }
    radix2(kernel_.data(), m_, w_);
  }

  void operator()(Complex* a) {
    if (m_ == 0) {
      radix2(a, n_, w_);
      return;
    }
    buffer_.assign(static_cast<size_t>(m_), 0.0);
    for (int64_t t = 0; t < n_; ++t)
      buffer_[static_cast<size_t>(t)] = a[t] * chirp_[static_cast<size_t>(t)];
    radix2(buffer_.data(), m_, w_);
    for (int64_t i = 0; i < m_; ++i)
      buffer_[static_cast<size_t>(i)] *= kernel_[static_cast<size_t>(i)];
    radix2(buffer_.data(), m_, inverse_);
    const double scale = 1.0 / static_cast<double>(m_);
    for (int64_t k = 0; k < n_; ++k)
      a[k] = buffer_[static_cast<size_t>(k)] * chirp_[static_cast<size_t>(k)] * scale;
  }

 private:
  int64_t n_, m_ = 0;
  std::vector<Complex> w_, inverse_, chirp_, kernel_, buffer_;
};

// The kernel: rows of (re, im), host tensors, into (ro, io).
void dft_kernel(
    const Tensor& re, const Tensor& im, const Tensor& ro, const Tensor& io, bool inverse) {
  const int64_t n = re.shape().back(), rows = re.size() / n;
  Dft dft(n, inverse ? 1.0 : -1.0);
  std::vector<Complex> row(static_cast<size_t>(n));
  visit_dtype(re.dtype(), [&]<class T>() {
    const T* pr = static_cast<const T*>(re.raw_data());
    const T* pi = static_cast<const T*>(im.raw_data());
    T* qr = static_cast<T*>(ro.raw_data());
    T* qi = static_cast<T*>(io.raw_data());
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t t = 0; t < n; ++t)
        row[static_cast<size_t>(t)] = {static_cast<double>(pr[r * n + t]),
                                       static_cast<double>(pi[r * n + t])};
      dft(row.data());
      for (int64_t k = 0; k < n; ++k) {
        qr[r * n + k] = static_cast<T>(row[static_cast<size_t>(k)].real());
        qi[r * n + k] = static_cast<T>(row[static_cast<size_t>(k)].imag());
      }
    }
  });
}

// The unscaled DFT along the last axis of re + i im (one floating dtype, shape and device). The
// adjoint of a DFT is the DFT of the other sign: its gradient.
ComplexPair dft(const Tensor& re, const Tensor& im, bool inverse) {
  KERAS_CHECK(re.rank() == 0 || re.shape().back() <= kMaxLength, ValueError, "fft: a transform of ",
              re.shape().back(), " points exceeds ", kMaxLength);
  const Tensor ro = Tensor::empty(re.shape(), re.dtype(), re.device());
  const Tensor io = Tensor::empty(re.shape(), re.dtype(), re.device());
  if (re.size() > 0)
    internal::launch_on_host({re, im}, {ro, io}, [inverse](const Tensors& in, const Tensors& out) {
      dft_kernel(in[0], in[1], out[0], out[1], inverse);
    });
  if (autodiff::any_tracked({re, im})) {
    autodiff::record(inverse ? "idft" : "dft", {re, im}, {ro, io}, [inverse](const Tensors& dys) {
      auto [gr, gi] = dft(dys[0], dys[1], !inverse);
      return autodiff::Grads{gr, gi};
    });
  }
  return {ro, io};
}

std::string dtypes_of(const ComplexPair& x) {
  return str("(", dtype_name(x.first.dtype()), ", ", dtype_name(x.second.dtype()), ")");
}

// Keras's checks of a complex pair; both parts in their common dtype.
ComplexPair complex_input(const ComplexPair& x, int min_rank) {
  const auto& [re, im] = x;
  KERAS_CHECK(re.shape() == im.shape(), ValueError,
              "Input `x` should be a tuple of two tensors - real and imaginary.Both the real and "
              "imaginary parts should have the same shape. Received: x[0].shape = ",
              shape_str(re.shape()), ", x[1].shape = ", shape_str(im.shape()));
  KERAS_CHECK(is_floating(re.dtype()) && is_floating(im.dtype()), ValueError,
              "At least one tensor in input `x` is not of type float.Received: x of dtypes ",
              dtypes_of(x), ".");
  KERAS_CHECK(re.rank() >= min_rank, ValueError, "Input should have rank >= ", min_rank,
              ". Received: input.shape = ", shape_str(re.shape()));
  const DType d = result_type(re.dtype(), im.dtype());
  return {cast(re, d), cast(im, d)};
}

// x's last axis cut or zero-padded to n.
Tensor fit_last(const Tensor& x, int64_t n) {
  const int64_t have = x.shape().back();
  if (have >= n) return have == n ? x : slice_axis(x, x.rank() - 1, 0, n);
  std::vector<std::pair<int64_t, int64_t>> width(static_cast<size_t>(x.rank()), {0, 0});
  width.back().second = n - have;
  return pad(x, width);
}

ComplexPair swap_last(const ComplexPair& x) {
  return {swapaxes(x.first, -1, -2), swapaxes(x.second, -1, -2)};
}

Tensor constant(const std::vector<double>& values, const Tensor& like) {
  return cast(Tensor::from_vector(values, {static_cast<int64_t>(values.size())}, like.device()),
              like.dtype());
}

// Frames (..., f, n) added up with their starts `step` apart, as JAX's istft does it
// (tf.signal.overlap_and_add's reshaping): cut into q = ceil(n / step) pieces of step samples,
// the frame axis padded by f and the (q, 2 f) blocks re-read as rows of 2 f - 1 blocks, which
// shifts row i by i blocks, then summed. When q > f the rows wrap into the next one and the
// output stops at (2 f - 1) step samples (short of n + step (f - 1)): JAX's values, kept.
Tensor overlap_add(const Tensor& frames, int64_t step) {
  const Shape& shape = frames.shape();
  const int64_t f = shape[shape.size() - 2], n = shape.back();
  const int64_t q = (n + step - 1) / step, rows = 2 * f - 1;
  Shape batch(shape.begin(), shape.end() - 2);
  int64_t count = 1;
  for (int64_t d : batch) count *= d;
  Tensor x = fit_last(reshape(frames, {count, f, n}), q * step);
  x = transpose(reshape(x, {count, f, q, step}), {0, 2, 1, 3});  // (count, q, f, step)
  x = reshape(pad(x, {{0, 0}, {0, 0}, {0, f}, {0, 0}}), {count, q * 2 * f * step});
  x = reshape(slice_axis(x, 1, 0, q * rows * step), {count, q, rows * step});
  batch.push_back(std::min(n + step * (f - 1), rows * step));
  return reshape(slice_axis(sum(x, {1}), 1, 0, batch.back()), batch);
}

}  // namespace

ComplexPair fft(const ComplexPair& x) {
  const auto [re, im] = complex_input(x, 1);
  return dft(re, im, false);
}

ComplexPair fft2(const ComplexPair& x) {
  const auto [re, im] = complex_input(x, 2);
  const auto [r, i] = dft(re, im, false);
  const auto [r2, i2] = swap_last({r, i});
  const auto [r3, i3] = dft(r2, i2, false);
  return swap_last({r3, i3});
}

ComplexPair ifft2(const ComplexPair& x) {
  const auto [re, im] = complex_input(x, 2);
  const auto [r, i] = dft(re, im, true);
  const auto [r2, i2] = swap_last({r, i});
  const auto [r3, i3] = dft(r2, i2, true);
  const auto [r4, i4] = swap_last({r3, i3});
  const int64_t points = re.shape().back() * re.shape()[re.shape().size() - 2];
  const double scale = points > 0 ? 1.0 / static_cast<double>(points) : 1.0;
  return {multiply(r4, scale), multiply(i4, scale)};
}

ComplexPair rfft(const Tensor& x_in, std::optional<int64_t> fft_length) {
  KERAS_CHECK(x_in.rank() >= 1, ValueError,
              "Input should have rank >= 1. Received: input.shape = ", shape_str(x_in.shape()));
  const Tensor x = floating(x_in);
  const int64_t n = fft_length.value_or(x.shape().back());
  KERAS_CHECK(n >= 1, ValueError, "Shape should be positive.");
  const Tensor signal = fit_last(x, n);
  const auto [re, im] = dft(signal, zeros_like(signal), false);
  const int bins_axis = x.rank() - 1;
  return {slice_axis(re, bins_axis, 0, n / 2 + 1), slice_axis(im, bins_axis, 0, n / 2 + 1)};
}

Tensor irfft(const ComplexPair& x, std::optional<int64_t> fft_length) {
  const auto [re, im] = complex_input(x, 1);
  const int64_t n = fft_length.value_or(2 * (re.shape().back() - 1));
  KERAS_CHECK(fft_length ? n >= 1 : n >= 0, ValueError, "Shape should be positive.");
  if (n == 0) return fit_last(re, 0);
  // The full spectrum: bin k is x[k] for k <= n / 2, conj(x[n - k]) above.
  const int64_t half = n / 2;
  std::vector<int64_t> index(static_cast<size_t>(n));
  std::vector<double> sign(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) {
    index[static_cast<size_t>(k)] = k <= half ? k : n - k;
    sign[static_cast<size_t>(k)] = k <= half ? 1.0 : -1.0;
  }
  // A real signal's zero and Nyquist bins are real: their imaginary parts are dropped (NumPy's).
  sign[0] = 0;
  if (n % 2 == 0) sign[static_cast<size_t>(half)] = 0;
  const Tensor idx = Tensor::from_vector(index, {n}, re.device());
  const int axis = re.rank() - 1;
  const Tensor full_re = take(fit_last(re, half + 1), idx, axis);
  const Tensor full_im = multiply(take(fit_last(im, half + 1), idx, axis), constant(sign, re));
  return multiply(dft(full_re, full_im, true).first, 1.0 / static_cast<double>(n));
}

Tensor istft(const ComplexPair& x,
             int64_t sequence_length,
             int64_t sequence_stride,
             int64_t fft_length,
             const IstftOptions& options) {
  KERAS_CHECK(
      sequence_stride >= 1, ValueError,
      "`sequence_stride` must be a positive integer. Received: sequence_stride=", sequence_stride);
  const auto [re, im] = complex_input(x, 0);
  KERAS_CHECK(re.rank() >= 2, ValueError,
              "Input `x` must have at least 2 dimensions. Received shape: ", shape_str(re.shape()));
  KERAS_CHECK(fft_length >= sequence_length, ValueError,
              "`fft_length` must equal or larger than `sequence_length`. Received: "
              "sequence_length=",
              sequence_length, ", fft_length=", fft_length);
  KERAS_CHECK(sequence_length >= 1 && fft_length <= kMaxLength, ValueError,
              "istft: sequence_length ", sequence_length, " and fft_length ", fft_length,
              " must be in [1, ", kMaxLength, "]");
  // The window over fft_length samples: sequence_length values centred with zeros.
  std::vector<double> window(static_cast<size_t>(fft_length), 1.0);
  const bool windowed = options.window.has_value() || !options.window_values.empty();
  if (windowed) {
    std::vector<double> values = options.window_values;
    if (values.empty()) values = get_window(*options.window, sequence_length, true);
    KERAS_CHECK(static_cast<int64_t>(values.size()) == sequence_length, ValueError,
                "The shape of `window` must be equal to [sequence_length].Received: window "
                "shape=(",
                values.size(), ",)");
    const int64_t left = (fft_length - sequence_length) / 2;
    std::fill(window.begin(), window.end(), 0.0);
    std::copy(values.begin(), values.end(), window.begin() + left);
  }
  const int64_t frames = re.shape()[re.shape().size() - 2];
  KERAS_CHECK(frames >= 1, ValueError, "istft: expected at least one frame, got shape ",
              shape_str(re.shape()));
  // Divided by the overlap-added squared window where it is not ~0 (Keras's scale without one).
  std::vector<double> squared(window.size());
  for (size_t t = 0; t < window.size(); ++t) squared[t] = window[t] * window[t];
  const Tensor signal = irfft({re, im}, fft_length);
  const Tensor norm =
      overlap_add(broadcast_to(constant(squared, signal), {frames, fft_length}), sequence_stride);
  const double scale =
      windowed ? 1.0 : static_cast<double>(fft_length) / static_cast<double>(sequence_stride);
  const Tensor factor =
      divide(scale, where(greater(norm, scalar_like(1e-10, norm)), norm, ones_like(norm)));
  const Tensor y = multiply(
      overlap_add(windowed ? multiply(signal, constant(window, signal)) : signal, sequence_stride),
      factor);
  const int64_t total = y.shape().back();
  // Python's y[..., start:end]; Keras's end -(fft_length // 2) is 0 for fft_length 1: empty.
  const int64_t start = options.center ? fft_length / 2 : 0;
  int64_t end = total;
  if (options.length) {
    end = start + *options.length;
  } else if (options.center) {
    end = -(fft_length / 2);
  }
  if (end < 0) end += total;
  end = std::clamp<int64_t>(end, 0, total);
  const int64_t begin = std::min(start, total);
  return slice_axis(y, y.rank() - 1, begin, std::max<int64_t>(end - begin, 0));
}

}  // namespace keras::ops
