#include "keras/ops/math.h"

#include <cmath>
#include <limits>
#include <numbers>

#include "keras/core/error.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::ops {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr int64_t kMaxLength = int64_t{1} << 20;

// scipy's general_cosine: sum_k a_k cos(k x), x from -pi to pi over m points.
std::vector<double> general_cosine(int64_t m, std::initializer_list<double> a) {
  std::vector<double> w(static_cast<size_t>(m), 0.0);
  for (int64_t n = 0; n < m; ++n) {
    const double x = -kPi + 2 * kPi * static_cast<double>(n) / static_cast<double>(m - 1);
    int k = 0;
    for (double ak : a) w[static_cast<size_t>(n)] += ak * std::cos(k++ * x);
  }
  return w;
}

bool is_one_of(const std::string& name, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (name == n) return true;
  }
  return false;
}

// The symmetric window of m >= 2 points.
std::vector<double> symmetric_window(const std::string& name, int64_t m) {
  const auto md = static_cast<double>(m);
  std::vector<double> w(static_cast<size_t>(m));
  if (is_one_of(name, {"hann", "han", "hanning"})) return general_cosine(m, {0.5, 0.5});
  if (is_one_of(name, {"hamming", "hamm", "ham"})) return general_cosine(m, {0.54, 0.46});
  if (is_one_of(name, {"blackman", "black", "blk"})) return general_cosine(m, {0.42, 0.50, 0.08});
  if (is_one_of(name, {"blackmanharris", "blackharr", "bkh"}))
    return general_cosine(m, {0.35875, 0.48829, 0.14128, 0.01168});
  if (is_one_of(name, {"nuttall", "nutl", "nut"}))
    return general_cosine(m, {0.3635819, 0.4891775, 0.1365995, 0.0106411});
  if (is_one_of(name, {"flattop", "flat", "flt"}))
    return general_cosine(m, {0.21557895, 0.41663158, 0.277263158, 0.083578947, 0.006947368});
  if (is_one_of(name, {"boxcar", "box", "ones", "rect", "rectangular"})) {
    std::fill(w.begin(), w.end(), 1.0);
    return w;
  }
  if (is_one_of(name, {"bartlett", "bart", "brt"})) {
    for (int64_t n = 0; n < m; ++n) {
      const double v = 2.0 * static_cast<double>(n) / (md - 1);
      w[static_cast<size_t>(n)] = static_cast<double>(n) <= (md - 1) / 2 ? v : 2.0 - v;
    }
    return w;
  }
  if (is_one_of(name, {"triang", "triangle", "tri"})) {
    for (int64_t n = 1; n <= (m + 1) / 2; ++n) {
      const double v = m % 2 == 0 ? (2.0 * static_cast<double>(n) - 1) / md
                                  : 2.0 * static_cast<double>(n) / (md + 1);
      w[static_cast<size_t>(n - 1)] = v;
      w[static_cast<size_t>(m - n)] = v;
    }
    return w;
  }
  if (is_one_of(name, {"cosine", "halfcosine"})) {
    for (int64_t n = 0; n < m; ++n)
      w[static_cast<size_t>(n)] = std::sin(kPi / md * (static_cast<double>(n) + 0.5));
    return w;
  }
  throw ValueError("Unknown window type.");
}

// NumPy's "reflect" index of position i of a signal of n samples padded by `pad` on the left.
int64_t reflect(int64_t i, int64_t n) {
  if (n == 1) return 0;
  const int64_t period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

}  // namespace

std::vector<double> get_window(const std::string& name, int64_t length, bool periodic) {
  KERAS_CHECK(length >= 0 && length <= kMaxLength, ValueError,
              "Window length M must be a non-negative integer up to ", kMaxLength, ", received ",
              length);
  (void)symmetric_window(name, 2);  // the name first, as scipy checks it
  if (length <= 1) return std::vector<double>(static_cast<size_t>(length), 1.0);
  // scipy's fftbins: a periodic window is the symmetric one of length + 1, truncated.
  std::vector<double> w = symmetric_window(name, periodic ? length + 1 : length);
  w.resize(static_cast<size_t>(length));
  return w;
}

std::pair<Tensor, Tensor> stft(const Tensor& x,
                               int64_t sequence_length,
                               int64_t sequence_stride,
                               int64_t fft_length,
                               const StftOptions& options) {
  KERAS_CHECK(x.dtype() == float32 || x.dtype() == float64, TypeError,
              "Invalid input type. Expected `float32` or `float64`. Received: input type=",
              dtype_name(x.dtype()));
  KERAS_CHECK(fft_length >= sequence_length, ValueError,
              "`fft_length` must equal or larger than `sequence_length`. Received: "
              "sequence_length=",
              sequence_length, ", fft_length=", fft_length);
  KERAS_CHECK(sequence_length >= 1 && fft_length <= kMaxLength && sequence_stride >= 1, ValueError,
              "stft: sequence_length ", sequence_length, ", sequence_stride ", sequence_stride,
              " and fft_length ", fft_length, " must be positive (fft_length at most ", kMaxLength,
              ")");
  KERAS_CHECK(x.rank() >= 1, ValueError, "stft: the signal must have at least one axis");
  std::vector<double> window(static_cast<size_t>(sequence_length), 1.0);
  if (!options.window_values.empty()) {
    KERAS_CHECK(static_cast<int64_t>(options.window_values.size()) == sequence_length, ValueError,
                "The shape of `window` must be equal to [sequence_length].Received: window "
                "shape=(",
                options.window_values.size(), ",)");
    window = options.window_values;
  } else if (options.window) {
    KERAS_CHECK(*options.window == "hann" || *options.window == "hamming", ValueError,
                "If a string is passed to `window`, it must be one of `\"hann\"`, `\"hamming\"`. "
                "Received: window=",
                *options.window);
    window = get_window(*options.window, sequence_length, true);
  }
  // (N, T) rows; reflect-padded by fft_length / 2 on both sides when centred.
  const Shape& shape = x.shape();
  const int64_t length = shape.back();
  const int64_t rows = x.size() / std::max<int64_t>(length, 1);
  Tensor signal = ops::reshape(x, {rows, length});
  if (options.center && fft_length / 2 > 0) {
    KERAS_CHECK(length >= 1, ValueError, "stft: cannot centre an empty signal");
    const int64_t pad = fft_length / 2;
    std::vector<int64_t> index(static_cast<size_t>(length + 2 * pad));
    for (int64_t i = 0; i < length + 2 * pad; ++i)
      index[static_cast<size_t>(i)] = reflect(i - pad, length);
    signal = ops::take(signal, Tensor::from_vector(index), 1);
  }
  const int64_t padded = signal.dim(1);
  KERAS_CHECK(padded >= fft_length, ValueError, "stft: a signal of ", length,
              " samples is shorter than one frame of fft_length ", fft_length);
  // Windowed frames (rows, frames, fft_length), the window centred in them with zeros.
  const int64_t left = (fft_length - sequence_length) / 2;
  std::vector<double> centred(static_cast<size_t>(fft_length), 0.0);
  std::copy(window.begin(), window.end(), centred.begin() + left);
  const Tensor w = ops::cast(Tensor::from_vector(centred, {fft_length}, x.device()), x.dtype());
  const Tensor frames = ops::multiply(extract_sequences(signal, fft_length, sequence_stride), w);
  auto [re, im] = rfft(frames, fft_length);
  Shape out(shape.begin(), shape.end() - 1);
  out.push_back(frames.dim(1));
  out.push_back(fft_length / 2 + 1);
  return {ops::reshape(re, out), ops::reshape(im, out)};
}

Tensor extract_sequences(const Tensor& x, int64_t sequence_length, int64_t sequence_stride) {
  KERAS_CHECK(sequence_length >= 1 && sequence_stride >= 1, ValueError,
              "extract_sequences: sequence_length and sequence_stride must be >= 1, got ",
              sequence_length, " and ", sequence_stride);
  KERAS_CHECK(x.rank() >= 1, ValueError, "extract_sequences: expected a tensor of rank >= 1");
  const int64_t length = x.shape().back();
  const int64_t frames =
      length < sequence_length ? 0 : 1 + (length - sequence_length) / sequence_stride;
  // One gather along the last axis of the (frames, sequence_length) sample positions.
  std::vector<int64_t> idx(static_cast<size_t>(frames * sequence_length));
  for (int64_t f = 0; f < frames; ++f) {
    for (int64_t t = 0; t < sequence_length; ++t) {
      idx[static_cast<size_t>(f * sequence_length + t)] = f * sequence_stride + t;
    }
  }
  return take(x, Tensor::from_vector(idx, {frames, sequence_length}, x.device()), x.rank() - 1);
}

Tensor in_top_k(const Tensor& targets, const Tensor& predictions, int64_t k) {
  KERAS_CHECK(predictions.rank() == 2 && targets.rank() == 1 &&
                  targets.shape()[0] == predictions.shape()[0],
              ValueError,
              "in_top_k: expected targets (batch,) and predictions (batch, classes), got ",
              shape_str(targets.shape()), " and ", shape_str(predictions.shape()));
  const Tensor ids = is_integer(targets.dtype()) ? targets : cast(targets, int64);
  Tensor at = take_along_axis(predictions, expand_dims(ids, -1), -1);  // (batch, 1)
  at = where(isnan(at), scalar_like(-INFINITY, at), at);
  const Tensor larger = cast(greater(predictions, at), int64);
  const Tensor rank = add(sum(larger, {-1}), scalar_like(1, larger));
  return less_equal(rank, scalar_like(static_cast<double>(k), rank));
}

}  // namespace keras::ops

namespace keras::ops {

namespace {

// Horner's rule: c[0] + t (c[1] + t (c[2] + ...)) for coefficients listed from the highest
// power down (as Giles writes them).
Tensor horner(const Tensor& t, std::initializer_list<double> highest_first) {
  auto it = highest_first.begin();
  Tensor p = full_like(t, *it++);
  for (; it != highest_first.end(); ++it) p = add(multiply(p, t), *it);
  return p;
}

DType float_result(const Tensor& x) {
  return is_floating(x.dtype()) ? x.dtype() : float32;
}

}  // namespace

Tensor erfinv(const Tensor& x_in) {
  const Tensor x = cast(x_in, float64);
  const Tensor w = negative(log(multiply(subtract(1.0, x), add(x, 1.0))));
  // Giles, "Approximating the erfinv function" (2010), the single-precision branches.
  const Tensor central = horner(
      subtract(w, 2.5), {2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                         0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941});
  const Tensor tail = horner(subtract(sqrt(w), 3.0),
                             {-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                              0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682});
  const Tensor guess = multiply(where(less(w, scalar_like(5.0, w)), central, tail), x);
  // Newton on erf(y) = x: the guess's 1e-7 relative error becomes float64's.
  Tensor y = guess;
  const double two_over_sqrt_pi = 2.0 / std::sqrt(kPi);
  for (int step = 0; step < 2; ++step) {
    const Tensor slope = multiply(exp(negative(square(y))), two_over_sqrt_pi);
    y = subtract(y, divide(subtract(erf(y), x), slope));
  }
  // +-infinity at +-1 (where Newton's step is 0 / 0), NaN beyond.
  const Tensor edge = equal(abs(x), scalar_like(1.0, x));
  y = where(edge, stop_gradient(multiply(x, std::numeric_limits<double>::infinity())), y);
  return cast(y, float_result(x_in));
}

Tensor i0(const Tensor& x_in) {
  constexpr double kSwitch = 30.0;
  const Tensor x = abs(cast(x_in, float64));
  // Power series sum_k (x^2 / 4)^k / (k!)^2 (positive terms, no cancellation), 100 terms:
  // within float64's rounding for x <= 30.
  const Tensor t = divide(square(minimum(x, scalar_like(kSwitch, x))), 4.0);
  std::vector<double> c(100);
  c[0] = 1.0;
  for (size_t k = 1; k < c.size(); ++k)
    c[k] = c[k - 1] / (static_cast<double>(k) * static_cast<double>(k));
  Tensor series = full_like(t, c.back());
  for (size_t k = c.size() - 1; k-- > 0;) series = add(multiply(series, t), c[k]);
  // Asymptotic series e^x / sqrt(2 pi x) sum_k ((2k-1)!!)^2 / (k! (8x)^k) beyond, 20 terms.
  const Tensor big = maximum(x, scalar_like(kSwitch, x));
  const Tensor u = divide(1.0, multiply(big, 8.0));
  Tensor term = full_like(u, 1.0), asym = full_like(u, 1.0);
  for (int k = 1; k <= 20; ++k) {
    const double odd = 2.0 * k - 1.0;
    term = multiply(term, multiply(u, odd * odd / k));
    asym = add(asym, term);
  }
  asym = divide(multiply(exp(big), asym), sqrt(multiply(big, 2.0 * kPi)));
  return cast(where(less_equal(x, scalar_like(kSwitch, x)), series, asym), float_result(x_in));
}

Tensor logdet(const Tensor& x) {
  KERAS_CHECK(x.rank() >= 2 && x.shape()[x.rank() - 1] == x.shape()[x.rank() - 2], ValueError,
              "Argument to slogdet() must have shape [..., n, n], got ", shape_str(x.shape()));
  return slogdet(x).second;
}

Tensor cdist(const Tensor& x, const Tensor& y) {
  KERAS_CHECK(x.rank() >= 2 && y.rank() >= 2, ValueError,
              "Inputs to `cdist` must have rank >= 2. Received shapes: x.shape=",
              shape_str(x.shape()), ", y.shape=", shape_str(y.shape()));
  KERAS_CHECK(x.shape().back() == y.shape().back(), ValueError,
              "The last dimension of inputs to `cdist` must match. Received shapes: x.shape=",
              shape_str(x.shape()), ", y.shape=", shape_str(y.shape()));
  const Tensor diff = subtract(expand_dims(x, -2), expand_dims(y, -3));
  return sqrt(sum(square(diff), {-1}));
}

Tensor segment_reduce(const Tensor& data,
                      const Tensor& segment_ids,
                      int64_t num_segments,
                      SegmentReduction reduction) {
  KERAS_CHECK(num_segments >= 1 && num_segments <= (int64_t{1} << 20), ValueError,
              "segment reduction: `num_segments` must be in [1, 2^20], got ", num_segments);
  KERAS_CHECK(data.rank() >= 1 && is_integer(segment_ids.dtype()) && segment_ids.rank() == 1 &&
                  segment_ids.shape()[0] == data.shape()[0],
              ValueError, "segment reduction: `segment_ids` must be integers of shape (",
              data.rank() >= 1 ? data.shape()[0] : 0, ",), got ", shape_str(segment_ids.shape()),
              " of dtype ", dtype_name(segment_ids.dtype()));
  // (rows, segments, 1...): whether row i belongs to segment k.
  const Tensor ids = reshape(cast(segment_ids, int64), {-1, 1});
  const Tensor segments = reshape(arange(num_segments, int64, data.device()), {1, -1});
  Shape mask_shape{data.shape()[0], num_segments};
  for (int d = 1; d < data.rank(); ++d) mask_shape.push_back(1);
  const Tensor member = reshape(equal(ids, segments), mask_shape);
  const Tensor rows = expand_dims(data, 1);
  double identity = 0.0;
  switch (reduction) {
    case SegmentReduction::sum:
      return sum(where(member, rows, scalar_like(0.0, data)), {0});
    case SegmentReduction::prod:
      return prod(where(member, rows, scalar_like(1.0, data)), {0});
    case SegmentReduction::max:
      identity = visit_dtype(data.dtype(), []<class T>() {
        return static_cast<double>(std::numeric_limits<T>::has_infinity
                                       ? -std::numeric_limits<T>::infinity()
                                       : std::numeric_limits<T>::lowest());
      });
      return max(where(member, rows, scalar_like(identity, data)), {0});
    case SegmentReduction::min:
      identity = visit_dtype(data.dtype(), []<class T>() {
        return static_cast<double>(std::numeric_limits<T>::has_infinity
                                       ? std::numeric_limits<T>::infinity()
                                       : std::numeric_limits<T>::max());
      });
      return min(where(member, rows, scalar_like(identity, data)), {0});
  }
  return {};
}

}  // namespace keras::ops
