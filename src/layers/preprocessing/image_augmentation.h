// Shared by the image augmentation layers (RandomFlip, RandomContrast, RandomBrightness, ...):
// Keras 3's factor and value_range arguments, image axes, and one random draw per image.
// Internal to src/layers.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "keras/config/json.h"
#include "keras/core/random.h"
#include "keras/core/tensor.h"
#include "ops/image_sampling.h"

namespace keras::layers::augmentation {

// The resampling of images and the host draws (ops/image_sampling.h).
using namespace ops::image_sampling;  // NOLINT(google-build-using-namespace)

// Keras's _set_factor: a number f in [lo, hi] gives (max(-|f|, lo), |f|); a pair gives itself,
// sorted. ValueError with Keras's message otherwise.
// `key` names the argument in the message (RandomGaussianBlur's sigma, RandomErasing's scale).
std::pair<double, double> factor_range(const std::vector<double>& factor,
                                       double lo,
                                       double hi,
                                       const char* what,
                                       const char* key = "factor");
std::vector<double> factor_from_json(const Json& c, const char* what);
// RandomZoom's and RandomTranslation's factors: each number in [-1, 1] ((-1, 1] when
// `open_lower`); a number f gives (-|f|, |f|), a pair itself sorted. ValueError starting with
// `message` (Keras's _FACTOR_VALIDATION_ERROR) otherwise.
std::pair<double, double> signed_factor(const std::vector<double>& factor,
                                        bool open_lower,
                                        const std::string& message,
                                        const char* key);
// A factor as Keras's config keeps the argument: a number, or a list of two.
Json factor_to_json(const std::vector<double>& factor);
// config[key] as a number or two; `optional`: null or missing gives {}.
std::vector<double> numbers_from_json(const Json& c,
                                      const char* key,
                                      const char* what,
                                      bool optional = false);
// A config's value_range: its two numbers, or [0, 255] when null or missing.
std::vector<double> value_range_from_config(const Json& c, const char* what);
// A sorted pair; ValueError unless two numbers.
std::pair<double, double> value_range(const std::vector<double>& range, const char* what);
// The height and width axes of images of `rank` (3: unbatched, or 4); ValueError otherwise.
std::pair<int, int> image_axes(int rank, const std::string& data_format, const char* what);
void check_data_format(const std::string& data_format);
// The channel axis of images of `rank` (3 or 4).
int channel_axis(int rank, const std::string& data_format);
// 0, 1, ..., n - 1 along `axis` of a tensor of like's rank with ones elsewhere, in like's dtype
// and device: pixel positions to compare with per-image bounds.
Tensor positions(const Tensor& like, int axis, int64_t n);
// x mapped linearly from the range `from` to `to` (Keras's _transform_value_range: unchanged when
// the two are equal).
Tensor transform_value_range(const Tensor& x,
                             std::pair<double, double> from,
                             std::pair<double, double> to);
// Uniform values in [minval, maxval), one per image: shape (batch, 1, 1, 1), or (1, 1, 1) for an
// unbatched image; drawn anew each time the op runs (random::uniform_noise).
Tensor per_image_uniform(const Tensor& images, double minval, double maxval, Generator* generator);

// src (float32) transformed in place by `f` on a host copy, inside a launched kernel so that a
// traced plan runs it on every replay's values (autodiff/trace.h); the result on src's device.
Tensor on_host_copy(const Tensor& src, std::function<void(float* data)> f);

// A Beta(a, b) sample (a, b > 0), through the logarithms of two Gamma samples (Marsaglia and
// Tsang), so that tiny parameters give 0 or 1 rather than 0 / 0.
double beta_sample(Generator& generator, double a, double b);
// A Dirichlet(alpha, ..., alpha) sample of n weights (summing to 1), written at out.
void dirichlet_sample(Generator& generator, double alpha, int64_t n, double* out);
// A uniformly random permutation of 0..n-1, written as doubles.
void shuffled_indices(Generator& generator, int64_t n, double* out, int64_t stride = 1);

}  // namespace keras::layers::augmentation
