#include "keras/ops/math.h"

#include <cmath>
#include <limits>
#include <numbers>

#include "keras/core/error.h"
#include "keras/ops/conv.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "ops/floating.h"
#include "ops/host_kernel.h"

namespace keras::ops {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr int64_t kMaxLength = int64_t{1} << 20;
// stft's DFT kernels are fft_length x (fft_length / 2 + 1) values each (fft_length up to 11,584);
// longer frames go through the FFT.
constexpr int64_t kMaxKernel = int64_t{1} << 26;

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
  const int64_t bins = fft_length / 2 + 1, left = (fft_length - sequence_length) / 2;
  if (fft_length * bins <= kMaxKernel) {
    // The DFT as one strided convolution with the windowed DFT kernels (BLAS-backed: 5-8x faster
    // than the host FFT below for the usual fft_length of a few hundred, measured).
    std::vector<double> re(static_cast<size_t>(fft_length * bins), 0.0), im(re.size(), 0.0);
    for (int64_t t = 0; t < sequence_length; ++t) {
      const double w = window[static_cast<size_t>(t)];
      for (int64_t f = 0; f < bins; ++f) {
        // exp(-2 pi i f t / fft_length) over the frame's positions; t*f reduced first for accuracy.
        const int64_t pos = left + t;
        const double angle = -2.0 * kPi * static_cast<double>((pos * f) % fft_length) /
                             static_cast<double>(fft_length);
        re[static_cast<size_t>(pos * bins + f)] = w * std::cos(angle);
        im[static_cast<size_t>(pos * bins + f)] = w * std::sin(angle);
      }
    }
    const Tensor frames = ops::reshape(signal, {rows, padded, 1});
    auto transform = [&](const std::vector<double>& kernel) {
      const Tensor k = ops::cast(Tensor::from_vector(kernel, {fft_length, 1, bins}), x.dtype());
      Tensor y = ops::conv(frames, k, {.strides = {sequence_stride}});
      Shape out(shape.begin(), shape.end() - 1);
      out.push_back(y.dim(1));
      out.push_back(bins);
      return ops::reshape(y, out);
    };
    return {transform(re), transform(im)};
  }
  // Longer frames: windowed frames (rows, frames, fft_length), the window centred in them with
  // zeros, through the FFT.
  std::vector<double> centred(static_cast<size_t>(fft_length), 0.0);
  std::copy(window.begin(), window.end(), centred.begin() + left);
  const Tensor w = ops::cast(Tensor::from_vector(centred, {fft_length}, x.device()), x.dtype());
  const Tensor frames = ops::multiply(extract_sequences(signal, fft_length, sequence_stride), w);
  auto [re, im] = rfft(frames, fft_length);
  Shape out(shape.begin(), shape.end() - 1);
  out.push_back(frames.dim(1));
  out.push_back(bins);
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

namespace keras::ops {

Tensor kaiser(int64_t length, double beta) {
  if (length <= 0) return zeros({0}, float32);
  if (length == 1) return ones({1}, float32);
  std::vector<double> r(static_cast<size_t>(length));
  for (int64_t n = 0; n < length; ++n) {
    const double u = 2.0 * static_cast<double>(n) / static_cast<double>(length - 1) - 1.0;
    r[static_cast<size_t>(n)] = beta * std::sqrt(std::max(0.0, 1.0 - u * u));
  }
  const Tensor b = Tensor::scalar<double>(beta);
  return cast(divide(i0(Tensor::from_vector(r, {length})), i0(b)), float32);
}

namespace {

// The values lie along axis 0 until the end; `dtype` is the result's (floating or not).
Tensor spaced(const Tensor& start_in,
              const Tensor& stop_in,
              int64_t num,
              bool endpoint,
              DType dtype,
              int axis,
              const char* name) {
  KERAS_CHECK(num >= 0, ValueError, name, ": Number of samples, ", num, ", must be non-negative.");
  const DType compute = is_floating(dtype) ? dtype : (dtype == int64 ? float64 : float32);
  const Shape bounds = broadcast_shapes(start_in.shape(), stop_in.shape());
  const Tensor start = broadcast_to(cast(start_in, compute), bounds);
  const Tensor stop = broadcast_to(cast(stop_in, compute), bounds);
  const int rank = static_cast<int>(bounds.size());
  KERAS_CHECK(axis >= -(rank + 1) && axis <= rank, ValueError, name, ": axis ", axis,
              " is out of bounds for a result of rank ", rank + 1);
  Tensor out;
  if (num == 0) {
    Shape empty = bounds;
    empty.insert(empty.begin(), 0);
    out = zeros(empty, compute, start.device());
  } else if (num == 1) {
    out = expand_dims(start, 0);
  } else {
    const int64_t div = endpoint ? num - 1 : num;
    Shape t_shape(bounds.size() + 1, 1);
    t_shape[0] = div;
    // t = i / div in the computation dtype, so that 1 - t rounds as JAX's does.
    const Tensor t =
        divide(cast(arange(div, float64, start.device()), compute), static_cast<double>(div));
    const Tensor step = reshape(t, t_shape);
    out = add(multiply(expand_dims(start, 0), subtract(1.0, step)),
              multiply(expand_dims(stop, 0), step));
    if (endpoint) out = concatenate({out, expand_dims(stop, 0)}, 0);
  }
  if (!is_floating(dtype)) out = floor(out);
  out = moveaxis(out, {0}, {axis < 0 ? axis + rank + 1 : axis});
  return cast(out, dtype);
}

DType space_dtype(const Tensor& start, const Tensor& stop, std::optional<DType> dtype) {
  return dtype.value_or(floating_result_type(start.dtype(), stop.dtype()));
}

}  // namespace

Tensor linspace(const Tensor& start,
                const Tensor& stop,
                int64_t num,
                bool endpoint,
                std::optional<DType> dtype,
                int axis) {
  return spaced(start, stop, num, endpoint, space_dtype(start, stop, dtype), axis, "linspace");
}
Tensor linspace(
    double start, double stop, int64_t num, bool endpoint, std::optional<DType> dtype, int axis) {
  // Python floats: float32 unless asked otherwise (kept in float64 until the dtype is known).
  return linspace(Tensor::scalar<double>(start), Tensor::scalar<double>(stop), num, endpoint,
                  dtype.value_or(float32), axis);
}

Tensor logspace(const Tensor& start,
                const Tensor& stop,
                int64_t num,
                bool endpoint,
                double base,
                std::optional<DType> dtype,
                int axis) {
  const DType out = space_dtype(start, stop, dtype);
  const DType compute = is_floating(out) ? out : (out == int64 ? float64 : float32);
  const Tensor exponents = spaced(start, stop, num, endpoint, compute, axis, "logspace");
  // Truncated toward zero for integer dtypes (a conversion, not linspace's floor).
  return cast(power(full_like(exponents, base), exponents), out);
}
Tensor logspace(double start,
                double stop,
                int64_t num,
                bool endpoint,
                double base,
                std::optional<DType> dtype,
                int axis) {
  return logspace(Tensor::scalar<double>(start), Tensor::scalar<double>(stop), num, endpoint, base,
                  dtype.value_or(float32), axis);
}

Tensor geomspace(const Tensor& start_in,
                 const Tensor& stop_in,
                 int64_t num,
                 bool endpoint,
                 std::optional<DType> dtype,
                 int axis) {
  const DType out = space_dtype(start_in, stop_in, dtype);
  const DType compute = is_floating(out) ? out : (out == int64 ? float64 : float32);
  const Tensor start = cast(start_in, compute), stop = cast(stop_in, compute);
  const Tensor s = sign(start);
  const Tensor powers =
      logspace(log10(divide(start, s)), log10(divide(stop, s)), num, endpoint, 10.0, compute, 0);
  const int rank = powers.rank();
  KERAS_CHECK(axis >= -rank && axis < rank, ValueError, "geomspace: axis ", axis,
              " is out of bounds for a result of rank ", rank);
  return cast(moveaxis(multiply(s, powers), {0}, {axis}), out);
}
Tensor geomspace(
    double start, double stop, int64_t num, bool endpoint, std::optional<DType> dtype, int axis) {
  return geomspace(Tensor::scalar<double>(start), Tensor::scalar<double>(stop), num, endpoint,
                   dtype.value_or(float32), axis);
}

Tensor correlate(const Tensor& x1, const Tensor& x2, const std::string& mode) {
  KERAS_CHECK(x1.rank() == 1, ValueError, "`x1` must be a 1-dimensional tensor, but receivedshape ",
              shape_str(x1.shape()));
  KERAS_CHECK(x2.rank() == 1, ValueError, "`x2` must be a 1-dimensional tensor, but receivedshape ",
              shape_str(x2.shape()));
  KERAS_CHECK(
      mode == "valid" || mode == "same" || mode == "full", ValueError,
      "`mode` must be either `valid`, `same`, or `full`, butreceived: ", mode.substr(0, 20));
  KERAS_CHECK(x1.size() > 0 && x2.size() > 0, ValueError,
              "correlate: inputs cannot be empty, got shapes ", shape_str(x1.shape()), " and ",
              shape_str(x2.shape()));
  const DType dtype = floating_result_type(x1.dtype(), x2.dtype());
  // The longer operand slides under the shorter; swapped operands give the reversed result.
  const bool swapped = x1.size() < x2.size();
  const Tensor a = cast(swapped ? x2 : x1, dtype), b = cast(swapped ? x1 : x2, dtype);
  const int64_t n = b.size();
  std::pair<int64_t, int64_t> pads{0, 0};
  if (mode == "same") pads = {n / 2, n - n / 2 - 1};
  if (mode == "full") pads = {n - 1, n - 1};
  const Tensor frames = extract_sequences(pad(a, {pads}), n, 1);  // (outputs, n)
  const Tensor out = reshape(matmul(frames, reshape(b, {n, 1})), {-1});
  return swapped ? flip(out) : out;
}

Tensor bincount(const Tensor& x_in, const Tensor& weights, int64_t minlength) {
  const Tensor x = x_in.dtype() == bool_ ? cast(x_in, int32) : x_in;
  KERAS_CHECK(is_integer(x.dtype()), TypeError,
              "x argument to bincount must have an integer type; got ", dtype_name(x.dtype()));
  KERAS_CHECK(x.rank() == 1 || x.rank() == 2, ValueError,
              "bincount: x must be 1-D or 2-D, got shape ", shape_str(x.shape()));
  KERAS_CHECK(minlength >= 0, ValueError, "bincount: minlength must be non-negative, got ",
              minlength);
  KERAS_CHECK(!weights.defined() || weights.shape() == x.shape(), ValueError,
              "bincount: weights of shape ", weights.defined() ? shape_str(weights.shape()) : "",
              " do not match x of shape ", shape_str(x.shape()));
  // The length depends on the values (as Keras says, bincount is never traceable).
  const Tensor ids = cast(maximum(x, scalar_like(0, x)), int64);
  int64_t length = minlength;
  if (ids.size() > 0) {
    length = std::max(length, internal::values_on_host<int64_t>(max(ids))[0] + 1);
  }
  const DType dtype = weights.defined() ? result_type(x.dtype(), weights.dtype()) : int32;
  const int64_t rows = x.rank() == 2 ? x.shape()[0] : 1;
  Shape out_shape = x.rank() == 2 ? Shape{rows, length} : Shape{length};
  if (length == 0 || ids.size() == 0) return zeros(out_shape, dtype, x.device());
  // Each row's ids shifted past the previous rows' bins: one segment sum over all of them.
  Tensor flat_ids = ids;
  if (x.rank() == 2) {
    const Tensor offsets = multiply(arange(rows, int64, x.device()),
                                    full({}, static_cast<double>(length), int64, x.device()));
    flat_ids = add(ids, expand_dims(offsets, 1));
  }
  const Tensor data = weights.defined() ? cast(weights, dtype) : ones(x.shape(), dtype, x.device());
  const Tensor counts = segment_reduce(reshape(data, {-1}), reshape(flat_ids, {-1}), rows * length,
                                       SegmentReduction::sum);
  return reshape(counts, out_shape);
}

}  // namespace keras::ops
