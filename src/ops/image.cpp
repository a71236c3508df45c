#include "keras/ops/image.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <numbers>
#include <string_view>
#include <vector>

#include "keras/core/error.h"
#include "keras/ops/conv.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::ops::image {
namespace {

// The channel axis of rank-3 or rank-4 images; Keras's ValueError for another rank.
int channel_axis(const Tensor& images, const std::string& data_format) {
  KERAS_CHECK(images.rank() == 3 || images.rank() == 4, ValueError,
              "Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). "
              "Received input with shape: images.shape=",
              shape_str(images.shape()));
  KERAS_CHECK(data_format == "channels_last" || data_format == "channels_first", ValueError,
              "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
              "Received: data_format=",
              data_format);
  return data_format == "channels_last" ? images.rank() - 1 : images.rank() - 3;
}

// The height and width axes of rank-3 or rank-4 images (checked as channel_axis does).
std::pair<int, int> spatial_axes(const Tensor& images, const std::string& data_format) {
  (void)channel_axis(images, data_format);
  const int ha = data_format == "channels_last" ? images.rank() - 3 : images.rank() - 2;
  return {ha, ha + 1};
}

void check_float(const Tensor& images) {
  KERAS_CHECK(is_floating(images.dtype()), ValueError,
              "Invalid images dtype: expected float dtype. Received: images.dtype=",
              dtype_name(images.dtype()));
}

void check_three(const Tensor& images, int axis) {
  KERAS_CHECK(images.shape()[static_cast<size_t>(axis)] == 3, ValueError,
              "Invalid channel size: expected 3 (HSV or RGB). Received input with shape: "
              "images.shape=",
              shape_str(images.shape()));
}

Tensor plane(const Tensor& x, int axis, int64_t i) {
  return slice_axis(x, axis, i, 1);
}

}  // namespace

Tensor rgb_to_grayscale(const Tensor& images, const std::string& data_format) {
  const int axis = channel_axis(images, data_format);
  const int64_t channels = images.shape()[static_cast<size_t>(axis)];
  KERAS_CHECK(channels == 1 || channels == 3, ValueError,
              "Invalid channel size: expected 3 (RGB) or 1 (Grayscale). Received input with "
              "shape: images.shape=",
              shape_str(images.shape()));
  if (channels == 1) return images;
  const DType compute = is_floating(images.dtype()) ? images.dtype() : float32;
  const Tensor x = cast(images, compute);
  const Tensor gray =
      add(add(multiply(plane(x, axis, 0), 0.2989), multiply(plane(x, axis, 1), 0.5870)),
          multiply(plane(x, axis, 2), 0.1140));
  return cast(gray, images.dtype());
}

Tensor rgb_to_hsv(const Tensor& images, const std::string& data_format) {
  const int axis = channel_axis(images, data_format);
  check_float(images);
  check_three(images, axis);
  const double eps = images.dtype() == float64 ? std::numeric_limits<double>::epsilon()
                                               : std::numeric_limits<float>::epsilon();
  const Tensor zero = scalar_like(0.0, images), one = scalar_like(1.0, images);
  const Tensor x = where(less(abs(images), scalar_like(eps, images)), zero, images);
  const Tensor r = plane(x, axis, 0), g = plane(x, axis, 1), b = plane(x, axis, 2);
  const Tensor value = maximum(maximum(r, g), b);
  const Tensor range = subtract(value, minimum(minimum(r, g), b));
  const Tensor positive_value = greater(value, 0.0), positive_range = greater(range, 0.0);
  const Tensor saturation =
      where(positive_value, divide(range, where(positive_value, value, one)), zero);
  const Tensor norm = divide(1.0, multiply(where(positive_range, range, one), 6.0));
  Tensor hue = where(equal(value, g), add(multiply(norm, subtract(b, r)), 2.0 / 6.0),
                     add(multiply(norm, subtract(r, g)), 4.0 / 6.0));
  hue = where(equal(value, r), multiply(norm, subtract(g, b)), hue);
  hue = add(where(positive_range, hue, zero), cast(less(hue, zero), hue.dtype()));
  return concatenate({hue, saturation, value}, axis);
}

Tensor hsv_to_rgb(const Tensor& images, const std::string& data_format) {
  const int axis = channel_axis(images, data_format);
  check_float(images);
  check_three(images, axis);
  const Tensor h = plane(images, axis, 0), s = plane(images, axis, 1), v = plane(images, axis, 2);
  const Tensor dh = multiply(mod(h, 1.0), 6.0);
  const Tensor dr = clip(subtract(abs(subtract(dh, 3.0)), 1.0), 0.0, 1.0);
  const Tensor dg = clip(subtract(2.0, abs(subtract(dh, 2.0))), 0.0, 1.0);
  const Tensor db = clip(subtract(2.0, abs(subtract(dh, 4.0))), 0.0, 1.0);
  const Tensor one_minus_s = subtract(1.0, s);
  const auto channel = [&](const Tensor& d) {
    return multiply(v, add(one_minus_s, multiply(s, d)));
  };
  return concatenate({channel(dr), channel(dg), channel(db)}, axis);
}

namespace {

// exp(-x^2 / (2 sigma^2)) at x = i - (size - 1) / 2, normalized; sigma a tensor of one value.
Tensor gaussian_1d(int64_t size, const Tensor& sigma) {
  std::vector<double> x(static_cast<size_t>(size));
  for (int64_t i = 0; i < size; ++i)
    x[static_cast<size_t>(i)] = static_cast<double>(i) - static_cast<double>(size - 1) / 2;
  const Tensor grid = cast(Tensor::from_vector(x, {size}), sigma.dtype()).to(sigma.device());
  const Tensor k = exp(multiply(square(divide(grid, sigma)), -0.5));
  return divide(k, sum(k));
}

}  // namespace

Tensor gaussian_blur(const Tensor& images,
                     std::pair<int64_t, int64_t> kernel_size,
                     std::pair<double, double> sigma,
                     const std::string& data_format) {
  const Tensor s =
      cast(Tensor::from_vector(std::vector<double>{sigma.first, sigma.second}, {2}), images.dtype())
          .to(images.device());
  return gaussian_blur(images, kernel_size, s, data_format);
}

Tensor gaussian_blur(const Tensor& images,
                     std::pair<int64_t, int64_t> kernel_size,
                     const Tensor& sigma,
                     const std::string& data_format) {
  const int axis = channel_axis(images, data_format);
  check_float(images);
  const auto [kx, ky] = kernel_size;
  KERAS_CHECK(kx >= 1 && ky >= 1 && kx <= 4096 && ky <= 4096, ValueError,
              "gaussian_blur: kernel_size must be positive (at most 4096), got (", kx, ", ", ky,
              ")");
  KERAS_CHECK(sigma.size() == 2, ValueError, "gaussian_blur: sigma must be two numbers, got ",
              shape_str(sigma.shape()));
  const Tensor s = cast(reshape(sigma, {2}), images.dtype());
  const Tensor along_x = gaussian_1d(kx, slice_axis(s, 0, 0, 1));
  const Tensor along_y = gaussian_1d(ky, slice_axis(s, 0, 1, 1));
  const int64_t channels = images.shape()[static_cast<size_t>(axis)];
  const Tensor kernel = broadcast_to(
      reshape(multiply(reshape(along_y, {ky, 1}), reshape(along_x, {1, kx})), {ky, kx, 1, 1}),
      {ky, kx, channels, 1});
  const bool batched = images.rank() == 4;
  const Tensor x = batched ? images : expand_dims(images, 0);
  const Tensor y = depthwise_conv(x, kernel, {.padding = "same", .data_format = data_format});
  return batched ? y : squeeze(y, {0});
}

namespace {

// x gathered at `indices` along `axis` (a take with that axis moved first).
Tensor take_along(const Tensor& x, const std::vector<int64_t>& indices, int axis) {
  const Tensor idx =
      Tensor::from_vector(indices, {static_cast<int64_t>(indices.size())}, Device::cpu())
          .to(x.device());
  std::vector<int> perm{axis};
  for (int d = 0; d < x.rank(); ++d) {
    if (d != axis) perm.push_back(d);
  }
  std::vector<int> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    inverse[static_cast<size_t>(perm[i])] = static_cast<int>(i);
  return transpose(take(transpose(x, perm), idx), inverse);
}

}  // namespace

Tensor resize_axis(const Tensor& x, int axis, int64_t out, bool nearest) {
  const int64_t in = x.shape()[static_cast<size_t>(axis)];
  if (in == out) return x;
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  std::vector<int64_t> lo(static_cast<size_t>(out)), hi(static_cast<size_t>(out));
  std::vector<double> w(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) {
    const size_t k = static_cast<size_t>(i);
    if (nearest) {
      lo[k] = std::min(in - 1, static_cast<int64_t>(std::floor((i + 0.5) * scale)));
      continue;
    }
    const double s = std::clamp((i + 0.5) * scale - 0.5, 0.0, static_cast<double>(in - 1));
    lo[k] = static_cast<int64_t>(std::floor(s));
    hi[k] = std::min(lo[k] + 1, in - 1);
    w[k] = s - static_cast<double>(lo[k]);
  }
  if (nearest) return take_along(x, lo, axis);
  Shape wshape(static_cast<size_t>(x.rank()), 1);
  wshape[static_cast<size_t>(axis)] = out;
  const Tensor weight =
      cast(Tensor::from_vector(w, wshape, Device::cpu()).to(x.device()), x.dtype());
  const Tensor a = take_along(x, lo, axis), b = take_along(x, hi, axis);
  return add(a, multiply(subtract(b, a), weight));
}

void check_resize_interpolation(const std::string& interpolation) {
  static const std::array<std::string_view, 8> kMethods = {"bilinear", "nearest",      "lanczos3",
                                                           "lanczos5", "bicubic",      "area",
                                                           "gaussian", "mitchellcubic"};
  KERAS_CHECK(std::find(kMethods.begin(), kMethods.end(), interpolation) != kMethods.end(),
              ValueError,
              "Invalid value for argument `interpolation`. Expected of one ('bilinear', "
              "'nearest', 'lanczos3', 'lanczos5', 'bicubic', 'area', 'gaussian', "
              "'mitchellcubic'). Received: interpolation=",
              interpolation);
}

namespace {

template <int radius>
double lanczos(double x) {
  if (x > radius) return 0.0;
  if (x <= 1e-3) return 1.0;
  return radius * std::sin(std::numbers::pi * x) * std::sin(std::numbers::pi * x / radius) /
         (std::numbers::pi * std::numbers::pi * x * x);
}

// The kernel of |distance| for `method`, chosen once per resize: jax.image's (its _fill_*_kernel
// functions), and TensorFlow's gaussian (radius 1.5, sigma 0.5) and Mitchell-Netravali cubic
// (B = C = 1/3).
double (*resize_kernel(const std::string& method))(double) {
  if (method == "gaussian") {
    return [](double x) { return x >= 1.5 ? 0.0 : std::exp(-x * x / (2 * 0.5 * 0.5)); };
  }
  if (method == "mitchellcubic") {
    return [](double x) {
      if (x >= 2.0) return 0.0;
      return x >= 1.0 ? (((-7.0 / 18.0) * x + 2.0) * x - 10.0 / 3.0) * x + 16.0 / 9.0
                      : (((7.0 / 6.0) * x - 2.0) * x) * x + 8.0 / 9.0;
    };
  }
  if (method == "bicubic") {
    return [](double x) {
      if (x >= 2.0) return 0.0;
      return x >= 1.0 ? ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0 : ((1.5 * x - 2.5) * x) * x + 1.0;
    };
  }
  if (method == "lanczos3") return lanczos<3>;
  if (method == "lanczos5") return lanczos<5>;
  return [](double x) { return std::max(0.0, 1.0 - x); };  // bilinear's triangle
}

// x resized along `axis` as a product with jax.image.scale_and_translate's (in, out) weights:
// column o weighs input j by kernel(|s - j| / k) for s = (o + 0.5) in / out - 0.5, normalized over
// the inputs (zero when they sum to about nothing), k = in / out when antialias shrinks the axis;
// "area" by the overlap of input pixel [j, j + 1) with output pixel o's [o, o + 1) in / out.
Tensor resize_axis_weighted(
    const Tensor& x, int axis, int64_t out, const std::string& method, bool antialias) {
  const int64_t in = x.shape()[static_cast<size_t>(axis)];
  if (in == out) return x;
  const double inv_scale = static_cast<double>(in) / static_cast<double>(out);
  const double kernel_scale = antialias ? std::max(inv_scale, 1.0) : 1.0;
  const bool area = method == "area";
  double (*const kernel)(double) = resize_kernel(method);
  std::vector<double> weights(static_cast<size_t>(in * out), 0.0);
  for (int64_t o = 0; o < out; ++o) {
    const double sample = (static_cast<double>(o) + 0.5) * inv_scale - 0.5;
    double total = 0;
    for (int64_t i = 0; i < in; ++i) {
      const auto j = static_cast<double>(i);
      const double v =
          area ? std::max(0.0, std::min((static_cast<double>(o) + 1) * inv_scale, j + 1) -
                                   std::max(static_cast<double>(o) * inv_scale, j))
               : kernel(std::abs(sample - j) / kernel_scale);
      weights[static_cast<size_t>(i * out + o)] = v;
      total += v;
    }
    const bool normalizable = std::abs(total) > 1000.0 * std::numeric_limits<float>::epsilon();
    for (int64_t i = 0; i < in; ++i) {
      double& v = weights[static_cast<size_t>(i * out + o)];
      v = normalizable ? v / total : 0.0;
    }
  }
  const Tensor w =
      cast(Tensor::from_vector(weights, {in, out}, Device::cpu()).to(x.device()), x.dtype());
  const int last = x.rank() - 1;
  return moveaxis(matmul(moveaxis(x, {axis}, {last}), w), {last}, {axis});
}

// One axis of resize(): the gathers for nearest and plain bilinear (two taps, clamped at the
// edges, which is what the normalized triangle gives), the weight product otherwise.
Tensor resize_one_axis(
    const Tensor& x, int axis, int64_t out, const std::string& method, bool antialias) {
  const int64_t in = x.shape()[static_cast<size_t>(axis)];
  if (method == "nearest") return resize_axis(x, axis, out, true);
  if (method == "bilinear" && (!antialias || in <= out)) return resize_axis(x, axis, out, false);
  return resize_axis_weighted(x, axis, out, method, antialias);
}

}  // namespace

Tensor resize(const Tensor& images,
              std::pair<int64_t, int64_t> size,
              const ResizeOptions& options) {
  const auto [ha, wa] = spatial_axes(images, options.data_format);
  const auto [th, tw] = size;
  KERAS_CHECK(th >= 1 && tw >= 1, ValueError, "resize: size must be positive, got (", th, ", ", tw,
              ")");
  const std::string& method = options.interpolation;
  check_resize_interpolation(method);
  KERAS_CHECK(!(options.crop_to_aspect_ratio && options.pad_to_aspect_ratio), ValueError,
              "Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be True.");
  Tensor x = is_floating(images.dtype()) ? images : cast(images, float32);
  int64_t h = x.shape()[static_cast<size_t>(ha)], w = x.shape()[static_cast<size_t>(wa)];
  if (options.crop_to_aspect_ratio) {
    const int64_t ch = std::max<int64_t>(
        std::min<int64_t>(
            h, static_cast<int64_t>(static_cast<double>(w * th) / static_cast<double>(tw))),
        1);
    const int64_t cw = std::max<int64_t>(
        std::min<int64_t>(
            w, static_cast<int64_t>(static_cast<double>(h * tw) / static_cast<double>(th))),
        1);
    x = slice_axis(slice_axis(x, ha, (h - ch) / 2, ch), wa, (w - cw) / 2, cw);
    h = ch;
    w = cw;
  } else if (options.pad_to_aspect_ratio) {
    // Keras pads the same count on both sides (one short of the ratio when the gap is odd).
    const int64_t ph =
        std::max(h, static_cast<int64_t>(static_cast<double>(w * th) / static_cast<double>(tw)));
    const int64_t pw =
        std::max(w, static_cast<int64_t>(static_cast<double>(h * tw) / static_cast<double>(th)));
    const int64_t hstart = (ph - h) / 2, wstart = (pw - w) / 2;
    std::vector<std::pair<int64_t, int64_t>> widths(static_cast<size_t>(x.rank()), {0, 0});
    if (hstart > 0) {
      widths[static_cast<size_t>(ha)] = {hstart, hstart};
    } else if (wstart > 0) {
      widths[static_cast<size_t>(wa)] = {wstart, wstart};
    }
    x = pad(x, widths, options.fill_value);
    h = x.shape()[static_cast<size_t>(ha)];
    w = x.shape()[static_cast<size_t>(wa)];
  }
  const Tensor y = resize_one_axis(resize_one_axis(x, ha, th, method, options.antialias), wa, tw,
                                   method, options.antialias);
  return y.dtype() == images.dtype() ? y : cast(y, images.dtype());
}

Tensor scale_and_translate(const Tensor& images,
                           const std::vector<int64_t>& output_shape,
                           const std::vector<double>& scale,
                           const std::vector<double>& translation,
                           const std::vector<int>& spatial_dims,
                           const std::string& method,
                           bool antialias) {
  static const std::array<std::pair<const char*, const char*>, 8> kMethods = {{
      {"linear", "bilinear"},
      {"bilinear", "bilinear"},
      {"trilinear", "bilinear"},
      {"cubic", "bicubic"},
      {"bicubic", "bicubic"},
      {"tricubic", "bicubic"},
      {"lanczos3", "lanczos3"},
      {"lanczos5", "lanczos5"},
  }};
  const auto found = std::find_if(kMethods.begin(), kMethods.end(),
                                  [&](const auto& m) { return method == m.first; });
  KERAS_CHECK(found != kMethods.end(), ValueError,
              "Invalid value for argument `method`. Expected of one {'linear', 'bilinear', "
              "'trilinear', 'cubic', 'bicubic', 'tricubic', 'lanczos3', 'lanczos5'}. Received: "
              "method=",
              method);
  KERAS_CHECK(static_cast<int>(output_shape.size()) == images.rank(), ValueError,
              "scale_and_translate: output_shape must have one size per axis of the images (",
              images.rank(), "), got ", output_shape.size());
  KERAS_CHECK(scale.size() == spatial_dims.size() && translation.size() == spatial_dims.size(),
              ValueError,
              "scale_and_translate: scale and translation must have one value per spatial "
              "dimension (",
              spatial_dims.size(), "), got ", scale.size(), " and ", translation.size());
  double (*const kernel)(double) = resize_kernel(found->second);
  Tensor x = is_floating(images.dtype()) ? images : cast(images, float32);
  for (size_t k = 0; k < spatial_dims.size(); ++k) {
    const int axis = spatial_dims[k] < 0 ? spatial_dims[k] + x.rank() : spatial_dims[k];
    KERAS_CHECK(axis >= 0 && axis < x.rank(), ValueError, "scale_and_translate: spatial dim ",
                spatial_dims[k], " out of range for rank ", x.rank());
    const int64_t in = x.shape()[static_cast<size_t>(axis)];
    const int64_t out = output_shape[static_cast<size_t>(axis)];
    KERAS_CHECK(out >= 1 && out <= (int64_t{1} << 24) && in * out <= (int64_t{1} << 28), ValueError,
                "scale_and_translate: output sizes must be positive (and a weight ",
                "matrix of at most 2^28 entries), got ", out, " from ", in);
    // jax.image's compute_weight_mat: output o samples s = (o + 0.5 - t) / scale - 0.5 with the
    // kernel widened by 1 / scale when antialias shrinks, the weights normalized per output and
    // zero where s falls outside [-0.5, in - 0.5].
    const double inv_scale = 1.0 / scale[k];
    const double kernel_scale = antialias ? std::max(inv_scale, 1.0) : 1.0;
    std::vector<double> weights(static_cast<size_t>(in * out), 0.0);
    for (int64_t o = 0; o < out; ++o) {
      const double sample =
          (static_cast<double>(o) + 0.5) * inv_scale - translation[k] * inv_scale - 0.5;
      double total = 0;
      for (int64_t i = 0; i < in; ++i) {
        const double v = kernel(std::abs(sample - static_cast<double>(i)) / kernel_scale);
        weights[static_cast<size_t>(i * out + o)] = v;
        total += v;
      }
      const bool inside = sample >= -0.5 && sample <= static_cast<double>(in) - 0.5;
      const bool normalizable = std::abs(total) > 1000.0 * std::numeric_limits<float>::epsilon();
      for (int64_t i = 0; i < in; ++i) {
        double& v = weights[static_cast<size_t>(i * out + o)];
        v = inside && normalizable ? v / total : 0.0;
      }
    }
    const Tensor w =
        cast(Tensor::from_vector(weights, {in, out}, Device::cpu()).to(x.device()), x.dtype());
    const int last = x.rank() - 1;
    x = moveaxis(matmul(moveaxis(x, {axis}, {last}), w), {last}, {axis});
  }
  return x;
}

namespace {

std::string maybe(const std::optional<int64_t>& v) {
  return v ? str(*v) : "None";
}

// Keras's check that exactly two of a side's three numbers are given, none negative.
void check_two_of(const std::array<const char*, 3>& names,
                  const std::array<std::optional<int64_t>, 3>& values) {
  int given = 0;
  for (const auto& v : values) given += v ? 1 : 0;
  KERAS_CHECK(given == 2, ValueError, "Must specify exactly two of ", names[0], ", ", names[1],
              ", ", names[2], ". Received: ", names[0], "=", maybe(values[0]), ", ", names[1], "=",
              maybe(values[1]), ", ", names[2], "=", maybe(values[2]));
  for (size_t i = 0; i < 3; ++i) {
    KERAS_CHECK(!values[i] || *values[i] >= 0, ValueError, names[i],
                " must be >= 0. Received: ", names[i], "=", *values[i]);
  }
}

}  // namespace

Tensor pad_images(const Tensor& images, const PadImagesOptions& o) {
  const auto [ha, wa] = spatial_axes(images, o.data_format);
  check_two_of({"top_padding", "bottom_padding", "target_height"},
               {o.top_padding, o.bottom_padding, o.target_height});
  check_two_of({"left_padding", "right_padding", "target_width"},
               {o.left_padding, o.right_padding, o.target_width});
  const int64_t h = images.shape()[static_cast<size_t>(ha)],
                w = images.shape()[static_cast<size_t>(wa)];
  const int64_t top = o.top_padding ? *o.top_padding : *o.target_height - *o.bottom_padding - h;
  const int64_t bottom = o.bottom_padding ? *o.bottom_padding : *o.target_height - top - h;
  const int64_t left = o.left_padding ? *o.left_padding : *o.target_width - *o.right_padding - w;
  const int64_t right = o.right_padding ? *o.right_padding : *o.target_width - left - w;
  const std::array<std::pair<const char*, int64_t>, 4> sides{{{"top_padding", top},
                                                              {"left_padding", left},
                                                              {"right_padding", right},
                                                              {"bottom_padding", bottom}}};
  for (const auto& [name, v] : sides) {
    KERAS_CHECK(v >= 0, ValueError, name, " must be >= 0. Received: ", name, "=", v);
  }
  std::vector<std::pair<int64_t, int64_t>> widths(static_cast<size_t>(images.rank()), {0, 0});
  widths[static_cast<size_t>(ha)] = {top, bottom};
  widths[static_cast<size_t>(wa)] = {left, right};
  return pad(images, widths);
}

Tensor crop_images(const Tensor& images, const CropImagesOptions& o) {
  const auto [ha, wa] = spatial_axes(images, o.data_format);
  check_two_of({"top_cropping", "bottom_cropping", "target_height"},
               {o.top_cropping, o.bottom_cropping, o.target_height});
  check_two_of({"left_cropping", "right_cropping", "target_width"},
               {o.left_cropping, o.right_cropping, o.target_width});
  const int64_t h = images.shape()[static_cast<size_t>(ha)],
                w = images.shape()[static_cast<size_t>(wa)];
  const int64_t top = o.top_cropping ? *o.top_cropping : h - *o.target_height - *o.bottom_cropping;
  const int64_t height = o.target_height ? *o.target_height : h - *o.bottom_cropping - top;
  const int64_t left = o.left_cropping ? *o.left_cropping : w - *o.target_width - *o.right_cropping;
  const int64_t width = o.target_width ? *o.target_width : w - *o.right_cropping - left;
  const std::array<std::pair<const char*, int64_t>, 4> checks{{{"top_cropping", top},
                                                               {"target_height", height},
                                                               {"left_cropping", left},
                                                               {"target_width", width}}};
  for (const auto& [name, v] : checks) {
    KERAS_CHECK(v >= 0, ValueError, name, " must be >= 0. Received: ", name, "=", v);
  }
  KERAS_CHECK(top + height <= h && left + width <= w, ValueError, "crop_images: the box (top ", top,
              ", left ", left, ", ", height, "x", width, ") does not fit images of ", h, "x", w);
  return slice_axis(slice_axis(images, ha, top, height), wa, left, width);
}

}  // namespace keras::ops::image

namespace keras::ops::image {

Tensor sobel_edges(const Tensor& images, const std::string& data_format) {
  (void)channel_axis(images, data_format);  // checks the rank and data_format
  const bool first = data_format == "channels_first";
  const bool unbatched = images.rank() == 3;
  Tensor x = unbatched ? expand_dims(images, 0) : images;
  if (first) x = moveaxis(x, {1}, {-1});  // (N, H, W, C)
  const Shape s = x.shape();
  const Tensor padded = pad(x, {{0, 0}, {1, 1}, {1, 1}, {0, 0}});
  // The input shifted by (dy, dx): padded[:, 1 + dy : 1 + dy + H, 1 + dx : 1 + dx + W, :].
  const auto at = [&](int64_t dy, int64_t dx) {
    return slice(padded, {0, 1 + dy, 1 + dx, 0}, {s[0], s[1], s[2], s[3]});
  };
  const Tensor nw = at(-1, -1), n = at(-1, 0), ne = at(-1, 1), w = at(0, -1), e = at(0, 1);
  const Tensor sw = at(1, -1), so = at(1, 0), se = at(1, 1);
  // Correlation with [[-1, -2, -1], [0, 0, 0], [1, 2, 1]] and its transpose.
  const Tensor dy =
      subtract(add(add(sw, multiply(so, 2.0)), se), add(add(nw, multiply(n, 2.0)), ne));
  const Tensor dx =
      subtract(add(add(ne, multiply(e, 2.0)), se), add(add(nw, multiply(w, 2.0)), sw));
  Tensor edges = concatenate({expand_dims(dy, 4), expand_dims(dx, 4)}, 4);
  if (first) edges = moveaxis(edges, {3}, {1});
  return unbatched ? squeeze(edges, 0) : edges;
}

Tensor extract_patches(const Tensor& images,
                       const std::vector<int64_t>& size,
                       const ExtractPatchesOptions& options) {
  const size_t n = size.size();
  KERAS_CHECK(n == 2 || n == 3, ValueError,
              "Invalid `size` argument. Expected an int or a tuple of length 2 (or 3 for "
              "volumes). Received: size of length ",
              n);
  const bool first = options.data_format == "channels_first";
  KERAS_CHECK(first || options.data_format == "channels_last", ValueError,
              "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
              "Received: data_format=",
              options.data_format);
  const int spatial = static_cast<int>(n);
  KERAS_CHECK(images.rank() == spatial + 1 || images.rank() == spatial + 2, ValueError,
              "extract_patches: expected ", n == 2 ? "images" : "volumes", " of rank ", spatial + 1,
              " or ", spatial + 2, ", received shape ", shape_str(images.shape()));
  auto per_axis = [&](const std::vector<int64_t>& v, const char* what) {
    KERAS_CHECK(v.size() == 1 || v.size() == n, ValueError, "extract_patches: `", what,
                "` needs 1 or ", n, " values, got ", v.size());
    std::vector<int64_t> out = v.size() == 1 ? std::vector<int64_t>(n, v[0]) : v;
    for (int64_t x : out)
      KERAS_CHECK(x >= 1, ValueError, "extract_patches: `", what, "` must be positive, got ", x);
    return out;
  };
  const std::vector<int64_t> k = per_axis(size, "size");
  const std::vector<int64_t> s =
      per_axis(options.strides.empty() ? size : options.strides, "strides");
  const std::vector<int64_t> d = per_axis(options.dilation_rate, "dilation_rate");
  std::string padding = options.padding;
  std::transform(padding.begin(), padding.end(), padding.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  KERAS_CHECK(padding == "valid" || padding == "same", ValueError,
              "extract_patches: `padding` must be 'valid' or 'same', got '", options.padding, "'");

  const bool unbatched = images.rank() == spatial + 1;
  Tensor x = unbatched ? expand_dims(images, 0) : images;
  if (first) x = moveaxis(x, {1}, {-1});  // channels last while gathering
  std::vector<std::pair<int64_t, int64_t>> pads(static_cast<size_t>(x.rank()), {0, 0});
  std::vector<int64_t> out(n);
  for (size_t a = 0; a < n; ++a) {
    const int64_t in = x.shape()[a + 1];
    out[a] = conv_output_length(in, k[a], padding, s[a], d[a]);
    KERAS_CHECK(out[a] >= 1, ValueError, "extract_patches: a patch of ", k[a], " (dilation ", d[a],
                ") does not fit an axis of ", in, " with padding '", padding, "'");
    const int64_t before = conv_padding_before(in, k[a], padding, s[a], d[a]);
    const int64_t needed = (out[a] - 1) * s[a] + (k[a] - 1) * d[a] + 1;
    pads[a + 1] = {before, std::max<int64_t>(needed - in - before, 0)};
  }
  x = pad(x, pads);
  // One gather per axis per kernel position, the positions in row-major order (the identity
  // kernel's output channels).
  Tensors pieces;
  std::vector<int64_t> pos(n, 0);
  for (;;) {
    Tensor piece = x;
    for (size_t a = 0; a < n; ++a) {
      std::vector<int64_t> idx(static_cast<size_t>(out[a]));
      for (int64_t i = 0; i < out[a]; ++i) idx[static_cast<size_t>(i)] = pos[a] * d[a] + i * s[a];
      piece = take(piece, Tensor::from_vector(idx, {out[a]}, x.device()), static_cast<int>(a) + 1);
    }
    pieces.push_back(piece);
    size_t a = n;
    while (a > 0 && ++pos[a - 1] == k[a - 1]) pos[--a] = 0;
    if (a == 0) break;
  }
  Tensor patches = concatenate(pieces, x.rank() - 1);
  if (first) patches = moveaxis(patches, {-1}, {1});
  return unbatched ? squeeze(patches, 0) : patches;
}

}  // namespace keras::ops::image
