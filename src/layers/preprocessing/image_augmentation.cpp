#include "layers/preprocessing/image_augmentation.h"

#include <algorithm>
#include <cmath>

#include "keras/ops/elementwise.h"
#include "keras/ops/random_noise.h"
#include "ops/host_kernel.h"

namespace keras::layers::augmentation {

std::pair<double, double> factor_range(
    const std::vector<double>& factor, double lo, double hi, const char* what, const char* key) {
  const auto message = [&] {
    std::string values;
    for (double f : factor) values += (values.empty() ? "" : ", ") + str(f);
    return str(what, ": The `", key,
               "` argument should be a number (or a list of two numbers) in "
               "the range [",
               lo, ", ", hi,
               "]. Received: factor=", factor.size() == 1 ? values : "(" + values + ")");
  };
  if (factor.size() == 2) {
    KERAS_CHECK(!(factor[0] > hi || factor[1] < lo), ValueError, message());
    return factor[0] <= factor[1] ? std::pair(factor[0], factor[1])
                                  : std::pair(factor[1], factor[0]);
  }
  KERAS_CHECK(factor.size() == 1 && factor[0] >= lo && factor[0] <= hi, ValueError, message());
  const double f = std::abs(factor[0]);
  return {std::max(-f, lo) + 0.0, f};  // + 0.0: no -0.0 in configs
}

std::vector<double> factor_from_json(const Json& c, const char* what) {
  const Json* j = config::find(c, "factor");
  KERAS_CHECK(j != nullptr, ValueError, what, ": config has no 'factor'");
  if (!j->is_array()) return {config::convert<double>(*j, "factor", what)};
  KERAS_CHECK(j->size() == 2, ValueError, what, ": config key 'factor' must be a number or two");
  return {config::convert<double>((*j)[0], "factor", what),
          config::convert<double>((*j)[1], "factor", what)};
}

std::pair<double, double> signed_factor(const std::vector<double>& factor,
                                        bool open_lower,
                                        const std::string& message,
                                        const char* key) {
  const auto check = [&](double f) {
    KERAS_CHECK(f <= 1.0 && (open_lower ? f > -1.0 : f >= -1.0), ValueError, message,
                "Received: input_number=", f);
  };
  if (factor.size() == 2) {
    check(factor[0]);
    check(factor[1]);
    return {std::min(factor[0], factor[1]), std::max(factor[0], factor[1])};
  }
  KERAS_CHECK(factor.size() == 1, ValueError, message, "Received: ", key, " of ", factor.size(),
              " numbers");
  check(factor[0]);
  return {-std::abs(factor[0]), std::abs(factor[0])};
}

Json factor_to_json(const std::vector<double>& factor) {
  if (factor.size() == 1) return factor[0];
  return Json(factor);
}

std::vector<double> numbers_from_json(const Json& c,
                                      const char* key,
                                      const char* what,
                                      bool optional) {
  const Json* j = config::find(c, key);
  if (j == nullptr && optional) return {};
  KERAS_CHECK(j != nullptr, ValueError, what, ": config has no '", key, "'");
  if (!j->is_array()) return {config::convert<double>(*j, key, what)};
  KERAS_CHECK(j->size() == 2, ValueError, what, ": config key '", key, "' must be a number or two");
  return {config::convert<double>((*j)[0], key, what), config::convert<double>((*j)[1], key, what)};
}

std::vector<double> value_range_from_config(const Json& c, const char* what) {
  std::vector<double> r = numbers_from_json(c, "value_range", what, true);
  return r.empty() ? std::vector<double>{0.0, 255.0} : r;
}

std::pair<double, double> value_range(const std::vector<double>& range, const char* what) {
  KERAS_CHECK(range.size() == 2, ValueError, what,
              ": The `value_range` argument should be a list of two numbers.");
  return {std::min(range[0], range[1]), std::max(range[0], range[1])};
}

std::pair<int, int> image_axes(int rank, const std::string& data_format, const char* what) {
  KERAS_CHECK(rank == 3 || rank == 4, ValueError, what,
              ": Expected the input image to be rank 3 or 4. Received rank ", rank);
  const int h = data_format == "channels_first" ? rank - 2 : rank - 3;
  return {h, h + 1};
}

void check_data_format(const std::string& data_format) {
  KERAS_CHECK(data_format == "channels_last" || data_format == "channels_first", ValueError,
              "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
              "Received: data_format=",
              data_format);
}

int channel_axis(int rank, const std::string& data_format) {
  return data_format == "channels_last" ? rank - 1 : rank - 3;
}

Tensor positions(const Tensor& like, int axis, int64_t n) {
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<double>(i);
  Shape shape(static_cast<size_t>(like.rank()), 1);
  shape[static_cast<size_t>(axis)] = n;
  return ops::cast(Tensor::from_vector(v, shape), like.dtype()).to(like.device());
}

Tensor transform_value_range(const Tensor& x,
                             std::pair<double, double> from,
                             std::pair<double, double> to) {
  if (from == to) return x;
  const Tensor unit = ops::divide(ops::subtract(x, from.first), from.second - from.first);
  return ops::add(ops::multiply(unit, to.second - to.first), to.first);
}

Tensor per_image_uniform(const Tensor& images, double minval, double maxval, Generator* generator) {
  const Shape shape = images.rank() == 4 ? Shape{images.shape()[0], 1, 1, 1} : Shape{1, 1, 1};
  return random::uniform_noise(shape, images.dtype(), images.device(), minval, maxval, generator);
}

Tensor on_host_copy(const Tensor& src, std::function<void(float* data)> f) {
  const Tensor out = Tensor::empty(src.shape(), float32, src.device());
  ops::internal::launch_on_host({src}, {out}, [f](const Tensors& in, const Tensors& host) {
    host[0].copy_from(in[0]);
    f(host[0].data<float>());
  });
  return out;
}

namespace {

// log of a Gamma(a, 1) sample. Marsaglia and Tsang's squeeze accepts more than 95% of its tries
// for a >= 1; the bound on tries only guards against a broken generator.
double log_gamma_sample(Generator& g, double a) {
  if (a < 1.0) {
    // Gamma(a) = Gamma(a + 1) U^(1/a), in logarithms.
    const double u = 1.0 - g.next_double();  // (0, 1]
    return log_gamma_sample(g, a + 1.0) + std::log(u) / a;
  }
  const double d = a - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (int tries = 0; tries < 10000; ++tries) {
    const double x = g.next_normal();
    double v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    const double u = 1.0 - g.next_double();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return std::log(d * v);
  }
  return std::log(a);  // the mean
}

}  // namespace

double beta_sample(Generator& generator, double a, double b) {
  const double lx = log_gamma_sample(generator, a), ly = log_gamma_sample(generator, b);
  return 1.0 / (1.0 + std::exp(ly - lx));
}

void dirichlet_sample(Generator& generator, double alpha, int64_t n, double* out) {
  std::vector<double> logs(static_cast<size_t>(n));
  for (auto& l : logs) l = log_gamma_sample(generator, alpha);
  const double top = *std::max_element(logs.begin(), logs.end());
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += out[i] = std::exp(logs[static_cast<size_t>(i)] - top);
  for (int64_t i = 0; i < n; ++i) out[i] /= sum;
}

void shuffled_indices(Generator& generator, int64_t n, double* out, int64_t stride) {
  std::vector<int64_t> idx(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) idx[static_cast<size_t>(i)] = i;
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(generator.next_below(static_cast<uint64_t>(i + 1)));
    std::swap(idx[static_cast<size_t>(i)], idx[static_cast<size_t>(j)]);
  }
  for (int64_t i = 0; i < n; ++i)
    out[i * stride] = static_cast<double>(idx[static_cast<size_t>(i)]);
}

}  // namespace keras::layers::augmentation
