#include "keras/ops/math.h"

#include <cmath>
#include <numbers>

#include "keras/core/error.h"
#include "keras/ops/conv.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::ops {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr int64_t kMaxLength = int64_t{1} << 20;
// The DFT kernels are fft_length x (fft_length / 2 + 1) values each (fft_length up to 11,584).
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
  KERAS_CHECK(fft_length * (fft_length / 2 + 1) <= kMaxKernel, ValueError, "stft: fft_length ",
              fft_length, " needs a DFT kernel of more than ", kMaxKernel, " values");
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
