// keras.ops.image's resampling ops: map_coordinates, affine_transform, perspective_transform,
// elastic_transform; extract_patches_3d and ssim.
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "keras/core/error.h"
#include "keras/core/random.h"
#include "keras/ops/conv.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/image.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "ops/image_sampling.h"

namespace keras::ops::image {
namespace {

namespace sampling = image_sampling;

bool is_fill_mode(const std::string& m) {
  return m == "constant" || m == "nearest" || m == "wrap" || m == "mirror" || m == "reflect";
}

void check_interpolation(const std::string& interpolation) {
  KERAS_CHECK(interpolation == "nearest" || interpolation == "bilinear", ValueError,
              "Invalid value for argument `interpolation`. Expected of one {'nearest', "
              "'bilinear'}. Received: interpolation=",
              interpolation);
}

void check_fill_mode(const std::string& fill_mode) {
  KERAS_CHECK(is_fill_mode(fill_mode), ValueError,
              "Invalid value for argument `fill_mode`. Expected of one {'constant', 'nearest', "
              "'wrap', 'mirror', 'reflect'}. Received: fill_mode=",
              fill_mode);
}

void check_images_rank(const Tensor& images, const char* name = "images") {
  KERAS_CHECK(images.rank() == 3 || images.rank() == 4, ValueError, "Invalid ", name,
              " rank: expected rank 3 (single image) or rank 4 (batch of images). Received "
              "input with shape: ",
              name, ".shape=", shape_str(images.shape()));
}

void check_data_format(const std::string& data_format) {
  KERAS_CHECK(data_format == "channels_last" || data_format == "channels_first", ValueError,
              "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
              "Received: data_format=",
              data_format);
}

// Images as a channels-last batch, and back.
Tensor to_batch(const Tensor& images, bool first) {
  Tensor t = images.rank() == 3 ? expand_dims(images, 0) : images;
  return first ? moveaxis(t, {1}, {-1}) : t;
}
Tensor from_batch(Tensor t, bool first, bool unbatched) {
  if (first) t = moveaxis(t, {-1}, {1});
  return unbatched ? squeeze(t, 0) : t;
}

// Rounded half away from zero (JAX's lax.round).
Tensor round_away(const Tensor& x) {
  return multiply(sign(x), floor(add(abs(x), 0.5)));
}

// map_coordinates' index fixers, on float64 indices.
Tensor mirror_index(const Tensor& index, int64_t size) {
  const auto s = static_cast<double>(size - 1);
  if (size == 1) return zeros_like(index);
  return abs(subtract(mod(add(index, s), 2.0 * s), s));
}
Tensor fix_index(const Tensor& index, int64_t size, const std::string& mode) {
  if (mode == "nearest") return clip(index, 0.0, static_cast<double>(size - 1));
  if (mode == "wrap") return mod(index, static_cast<double>(size));
  if (mode == "mirror") return mirror_index(index, size);
  if (mode == "reflect") {
    const Tensor m = mirror_index(add(multiply(index, 2.0), 1.0), 2 * size + 1);
    return floor(divide(subtract(m, 1.0), 2.0));
  }
  return index;
}

struct Node {
  Tensor index;   // float64, fixed into the axis (clamped later for the gather)
  Tensor valid;   // bool, or undefined when every node is valid
  Tensor weight;  // compute dtype, or undefined for 1
};

}  // namespace

Tensor map_coordinates(const Tensor& inputs,
                       const Tensor& coordinates,
                       int order,
                       const std::string& fill_mode,
                       double fill_value) {
  const int r = inputs.rank();
  KERAS_CHECK(coordinates.rank() >= 1 && coordinates.shape()[0] == r, ValueError,
              "First dim of `coordinates` must be the same as the rank of `inputs`. Received "
              "inputs with shape: ",
              shape_str(inputs.shape()), " and coordinate leading dim of ",
              coordinates.rank() >= 1 ? coordinates.shape()[0] : 0);
  KERAS_CHECK(coordinates.rank() >= 2, ValueError,
              "Invalid coordinates rank: expected at least rank 2. Received input with shape: ",
              shape_str(coordinates.shape()));
  KERAS_CHECK(is_fill_mode(fill_mode), ValueError,
              "Invalid value for argument `fill_mode`. Expected one of {'constant', 'nearest', "
              "'wrap', 'mirror', 'reflect'}. Received: fill_mode=",
              fill_mode);
  KERAS_CHECK(
      order == 0 || order == 1, ValueError,
      "Invalid value for argument `order`. Expected one of [0, 1]. Received: order=", order);
  const DType in_dtype = inputs.dtype();
  const DType coord_dtype = is_floating(coordinates.dtype()) ? coordinates.dtype() : float32;
  const DType compute = is_floating(in_dtype) && dtype_size(in_dtype) > dtype_size(coord_dtype)
                            ? in_dtype
                            : coord_dtype;
  const bool constant = fill_mode == "constant";
  // Per axis its interpolation nodes: (fixed index, validity, weight).
  std::vector<std::vector<Node>> axes(static_cast<size_t>(r));
  for (int d = 0; d < r; ++d) {
    const int64_t size = inputs.shape()[static_cast<size_t>(d)];
    const Tensor c = cast(squeeze(slice_axis(coordinates, 0, d, 1), 0), compute);
    std::vector<std::pair<Tensor, Tensor>> raw;  // (index, weight)
    if (order == 0) {
      raw.emplace_back(cast(stop_gradient(round_away(c)), float64), Tensor());
    } else {
      const Tensor lower = stop_gradient(floor(c));
      const Tensor upper_weight = subtract(c, lower);
      const Tensor index = cast(lower, float64);
      raw.emplace_back(index, subtract(1.0, upper_weight));
      raw.emplace_back(add(index, 1.0), upper_weight);
    }
    for (auto& [index, weight] : raw) {
      Node n;
      n.index = fix_index(index, size, fill_mode);
      if (constant) {
        n.valid = logical_and(greater_equal(index, scalar_like(0.0, index)),
                              less(index, scalar_like(static_cast<double>(size), index)));
      }
      n.weight = weight;
      axes[static_cast<size_t>(d)].push_back(std::move(n));
    }
  }
  const Tensor flat = cast(reshape(inputs, {-1}), compute);
  const Tensor fill = scalar_like(fill_value, flat);
  Tensor result;
  const size_t nodes = axes[0].size();
  size_t combinations = 1;
  for (int d = 0; d < r; ++d) combinations *= nodes;
  for (size_t k = 0; k < combinations; ++k) {
    Tensor index, valid, weight;
    size_t rest = k;
    int64_t stride = 1;
    for (int d = r - 1; d >= 0; --d) {
      const Node& n = axes[static_cast<size_t>(d)][rest % nodes];
      rest /= nodes;
      const int64_t size = inputs.shape()[static_cast<size_t>(d)];
      // Out-of-range gathers clamp, as XLA's do (their values are masked or never reached).
      const Tensor term =
          multiply(clip(n.index, 0.0, static_cast<double>(size - 1)), static_cast<double>(stride));
      index = index.defined() ? add(index, term) : term;
      stride *= size;
      if (n.valid.defined()) valid = valid.defined() ? logical_and(valid, n.valid) : n.valid;
      if (n.weight.defined()) weight = weight.defined() ? multiply(weight, n.weight) : n.weight;
    }
    Tensor contribution = take(flat, cast(index, int64));
    if (valid.defined()) contribution = where(valid, contribution, fill);
    if (weight.defined()) contribution = multiply(weight, contribution);
    result = result.defined() ? add(result, contribution) : contribution;
  }
  if (!is_floating(in_dtype)) result = round_away(result);
  return cast(result, in_dtype);
}

Tensor affine_transform(const Tensor& images,
                        const Tensor& transform,
                        const AffineTransformOptions& options) {
  check_interpolation(options.interpolation);
  check_fill_mode(options.fill_mode);
  check_images_rank(images);
  check_data_format(options.data_format);
  KERAS_CHECK(transform.rank() == 1 || transform.rank() == 2, ValueError,
              "Invalid transform rank: expected rank 1 (single transform) or rank 2 (batch of "
              "transforms). Received input with shape: transform.shape=",
              shape_str(transform.shape()));
  KERAS_CHECK(transform.shape().back() == 8, ValueError,
              "affine_transform: a transform has 8 values, got transform.shape=",
              shape_str(transform.shape()));
  const bool first = options.data_format == "channels_first";
  const Tensor x = to_batch(images, first);
  const int64_t batch = x.shape()[0];
  Tensor transforms = reshape(cast(transform, float64), {-1, 8});
  KERAS_CHECK(transforms.shape()[0] == 1 || transforms.shape()[0] == batch, ValueError,
              "affine_transform: ", transforms.shape()[0], " transforms for ", batch, " images");
  if (transforms.shape()[0] != batch) transforms = broadcast_to(transforms, {batch, 8});
  const Tensor draws = copy(transforms.cpu());
  const Tensor out = sampling::projective_transform(
      x, draws,
      [](const double* d) {
        std::array<double, 8> m{};
        std::copy_n(d, 8, m.begin());
        return m;
      },
      options.interpolation, options.fill_mode, options.fill_value, transform.dtype() == float32);
  return from_batch(out, first, images.rank() == 3);
}

Tensor perspective_transform(const Tensor& images,
                             const Tensor& start_points,
                             const Tensor& end_points,
                             const std::string& interpolation,
                             double fill_value,
                             const std::string& data_format) {
  check_interpolation(interpolation);
  check_images_rank(images);
  check_data_format(data_format);
  const auto points_ok = [](const Tensor& p) {
    return (p.rank() == 2 || p.rank() == 3) && p.shape()[static_cast<size_t>(p.rank() - 2)] == 4 &&
           p.shape().back() == 2;
  };
  KERAS_CHECK(points_ok(start_points), ValueError,
              "Invalid start_points shape: expected (4,2) for a single image or (N,4,2) for a "
              "batch. Received shape: ",
              shape_str(start_points.shape()));
  KERAS_CHECK(points_ok(end_points), ValueError,
              "Invalid end_points shape: expected (4,2) for a single image or (N,4,2) for a "
              "batch. Received shape: ",
              shape_str(end_points.shape()));
  KERAS_CHECK(start_points.shape() == end_points.shape(), ValueError,
              "start_points and end_points must have the same shape. Received "
              "start_points.shape=",
              shape_str(start_points.shape()),
              ", end_points.shape=", shape_str(end_points.shape()));
  const bool first = data_format == "channels_first";
  const Tensor x = to_batch(images, first);
  const int64_t batch = x.shape()[0];
  // Per image its 8 start and 8 end coordinates; the homography solved where the samples are.
  Tensor points = concatenate(
      {reshape(cast(start_points, float64), {-1, 8}), reshape(cast(end_points, float64), {-1, 8})},
      1);
  KERAS_CHECK(points.shape()[0] == 1 || points.shape()[0] == batch, ValueError,
              "perspective_transform: ", points.shape()[0], " sets of points for ", batch,
              " images");
  if (points.shape()[0] != batch) points = broadcast_to(points, {batch, 16});
  const Tensor draws = copy(points.cpu());
  const Tensor out = sampling::projective_transform(
      x, draws,
      [](const double* d) {
        std::array<double, 8> start{}, end{};
        std::copy_n(d, 8, start.begin());
        std::copy_n(d + 8, 8, end.begin());
        return sampling::homography(start, end);
      },
      interpolation, "constant", fill_value);
  return from_batch(out, first, images.rank() == 3);
}

Tensor elastic_transform(const Tensor& images, const ElasticTransformOptions& options) {
  check_interpolation(options.interpolation);
  check_fill_mode(options.fill_mode);
  check_images_rank(images);
  check_data_format(options.data_format);
  KERAS_CHECK(is_floating(images.dtype()), ValueError,
              "Invalid images dtype: expected float dtype. Received: images.dtype=",
              dtype_name(images.dtype()));
  const bool first = options.data_format == "channels_first";
  const Tensor x = to_batch(images, first);
  const int64_t batch = x.shape()[0], h = x.shape()[1], w = x.shape()[2];
  KERAS_CHECK(!(options.sigma > 0) || options.sigma <= (1 << 22), ValueError,
              "elastic_transform: `sigma` must be at most 2^22, got ", options.sigma);
  // One field of normals per image: with a seed the same at every call, so drawn now; without,
  // from the global generator inside a launched kernel, so a traced step draws anew each replay.
  const auto fill = [n = batch * h * w](Generator& g, double* d) {
    for (int64_t i = 0; i < n; ++i) d[i] = g.next_normal();
  };
  Tensor draws;
  if (options.seed) {
    Generator local(*options.seed);
    std::vector<double> normals(static_cast<size_t>(batch * h * w));
    fill(local, normals.data());
    draws = Tensor::from_vector(normals, {batch, h * w}, Device::cpu());
  } else {
    draws = sampling::host_draws({batch, h * w}, Device::cpu(), nullptr, fill);
  }
  const double alpha = options.alpha, sigma = options.sigma;
  sampling::DisplacementFn fields = [alpha, sigma](const double* d, int64_t fh, int64_t fw,
                                                   double* dy, double* dx) {
    const auto n = static_cast<size_t>(fh * fw);
    if (!(sigma > 0) || alpha == 0) {
      std::fill(dy, dy + n, 0.0);
      std::fill(dx, dx + n, 0.0);
      return;
    }
    std::vector<double> field(d, d + n);
    for (double& v : field) v *= sigma;
    sampling::gaussian_field_blur(field, fh, fw, sigma);
    // Keras draws dx and dy with one seed: the same field for both axes.
    for (size_t p = 0; p < n; ++p) dy[p] = dx[p] = alpha * field[p];
  };
  const Tensor out = sampling::displacement_transform(
      x, draws, std::move(fields), options.interpolation, options.fill_mode, options.fill_value);
  return from_batch(out, first, images.rank() == 3);
}

Tensor extract_patches_3d(const Tensor& volumes,
                          const std::vector<int64_t>& size,
                          const ExtractPatchesOptions& options) {
  KERAS_CHECK(size.size() == 1 || size.size() == 3, TypeError,
              "Invalid `size` argument. Expected an int or a tuple of length 3. Received: size of ",
              size.size(), " values");
  const std::vector<int64_t> cube =
      size.size() == 1 ? std::vector<int64_t>{size[0], size[0], size[0]} : size;
  return extract_patches(volumes, cube, options);
}

Tensor ssim(const Tensor& image1, const Tensor& image2, const SsimOptions& o) {
  check_images_rank(image1, "image1");
  check_images_rank(image2, "image2");
  check_data_format(o.data_format);
  const bool first_axes = o.data_format == "channels_first";
  KERAS_CHECK(image1.shape() == image2.shape(), ValueError,
              "ssim: image1 and image2 must have the same shape. Received image1.shape=",
              shape_str(image1.shape()), ", image2.shape=", shape_str(image2.shape()));
  const int64_t h_in = image1.shape()[static_cast<size_t>(image1.rank() - (first_axes ? 2 : 3))];
  const int64_t w_in = image1.shape()[static_cast<size_t>(image1.rank() - (first_axes ? 1 : 2))];
  KERAS_CHECK(o.filter_size >= 1 && o.filter_size <= h_in && o.filter_size <= w_in, ValueError,
              "ssim: `filter_size` must be positive and fit the images (", h_in, " x ", w_in,
              "), got ", o.filter_size);
  const DType dtype = image1.dtype();
  const DType compute = is_floating(dtype) ? dtype : float32;
  const bool first = o.data_format == "channels_first";
  const Tensor a = to_batch(cast(image1, compute), first);
  const Tensor b = to_batch(cast(image2, compute), first);
  const int64_t batch = a.shape()[0], h = a.shape()[1], w = a.shape()[2], c = a.shape()[3];
  // The normalized Gaussian window, as the outer product of its 1-D profile.
  const int64_t n = o.filter_size;
  std::vector<double> g(static_cast<size_t>(n));
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double x = static_cast<double>(i) - static_cast<double>(n - 1) / 2.0;
    total += g[static_cast<size_t>(i)] =
        std::exp(-(x * x) / (2.0 * o.filter_sigma * o.filter_sigma));
  }
  std::vector<double> window(static_cast<size_t>(n * n));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      window[static_cast<size_t>(i * n + j)] =
          g[static_cast<size_t>(i)] / total * (g[static_cast<size_t>(j)] / total);
    }
  }
  const Tensor kernel =
      cast(Tensor::from_vector(window, {n, n, 1, 1}, Device::cpu()).to(a.device()), compute);
  // Each channel as an image of its own: (batch * C, H, W, 1).
  const auto planes = [&](const Tensor& x) {
    return reshape(transpose(x, {0, 3, 1, 2}), {batch * c, h, w, 1});
  };
  const auto mean_of = [&](const Tensor& x) { return conv(x, kernel); };
  const Tensor x1 = planes(a), x2 = planes(b);
  const Tensor mu1 = mean_of(x1), mu2 = mean_of(x2);
  const Tensor mu1_sq = multiply(mu1, mu1), mu2_sq = multiply(mu2, mu2);
  const Tensor mu12 = multiply(mu1, mu2);
  const Tensor s1 = subtract(mean_of(multiply(x1, x1)), mu1_sq);
  const Tensor s2 = subtract(mean_of(multiply(x2, x2)), mu2_sq);
  const Tensor s12 = subtract(mean_of(multiply(x1, x2)), mu12);
  const double c1 = (o.k1 * o.max_val) * (o.k1 * o.max_val);
  const double c2 = (o.k2 * o.max_val) * (o.k2 * o.max_val);
  const Tensor numerator = multiply(add(multiply(mu12, 2.0), c1), add(multiply(s12, 2.0), c2));
  const Tensor denominator = multiply(add(add(mu1_sq, mu2_sq), c1), add(add(s1, s2), c2));
  const Tensor per_plane = mean(divide(numerator, denominator), {1, 2, 3});
  Tensor result = mean(reshape(per_plane, {batch, c}), {-1});
  if (image1.rank() == 3) result = squeeze(result, 0);
  return cast(result, dtype);
}

}  // namespace keras::ops::image
