#include "ops/image_sampling.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "ops/host_kernel.h"

namespace keras::ops::image_sampling {

Tensor resample(const Tensor& images,
                int64_t out_h,
                int64_t out_w,
                int k,
                const Tensor& draws,
                Sampler sampler,
                double fill_value) {
  const Shape& s = images.shape();
  const int64_t b = s[0], h = s[1], w = s[2], c = s[3];
  const int64_t per_image = out_h * out_w;
  const Device dev = images.device();
  const Tensor idx = Tensor::empty({b * per_image * k}, int64, dev);
  const Tensor wt = Tensor::empty({b, out_h, out_w, k, 1}, float64, dev);
  const Tensor fl = Tensor::empty({b, out_h, out_w, 1}, float64, dev);
  const int64_t n = draws.defined() && draws.rank() == 2 ? draws.shape()[1] : 0;
  internal::launch_on_host({draws}, {idx, wt, fl}, [=](const Tensors& in, const Tensors& out) {
    int64_t* index = out[0].data<int64_t>();
    double* weight = out[1].data<double>();
    double* fill = out[2].data<double>();
    const double* d = n > 0 ? in[0].data<double>() : nullptr;
    for (int64_t img = 0; img < b; ++img) {
      const int64_t base = img * per_image;
      sampler(d == nullptr ? nullptr : d + img * n, out_h, out_w, h, w, k,
              [&](int64_t i, int64_t j) {
                const int64_t p = base + i * out_w + j;
                return PixelSamples{index + p * k, weight + p * k, fill + p};
              });
      // Flat pixel indices into the whole batch.
      for (int64_t p = base * k; p < (base + per_image) * k; ++p) index[p] += img * h * w;
    }
  });
  const Tensor rows = ops::reshape(images, {b * h * w, c});
  const Tensor gathered = ops::reshape(ops::take(rows, idx), {b, out_h, out_w, k, c});
  Tensor y = ops::sum(ops::multiply(gathered, ops::cast(wt, images.dtype())), 3);
  if (fill_value != 0.0) y = ops::add(y, ops::multiply(ops::cast(fl, images.dtype()), fill_value));
  return y;
}

namespace {

// map_coordinates' index fixers (JAX's, for Keras's fill modes) and their validity.
int64_t floor_mod(int64_t a, int64_t m) {
  const int64_t r = a % m;
  return r < 0 ? r + m : r;
}
int64_t mirror(int64_t index, int64_t size) {
  const int64_t s = size - 1;
  if (s == 0) return 0;
  return std::abs(floor_mod(index + s, 2 * s) - s);
}
int64_t fix_index(int64_t index, int64_t size, const std::string& mode) {
  if (mode == "nearest") return std::clamp<int64_t>(index, 0, size - 1);
  if (mode == "wrap") return floor_mod(index, size);
  if (mode == "mirror") return mirror(index, size);
  if (mode == "reflect") {
    const int64_t m = mirror(2 * index + 1, 2 * size + 1) - 1;
    return m >= 0 ? m / 2 : -((-m + 1) / 2);  // floor division by 2
  }
  return index;  // constant: only valid indices are read
}

// The map_coordinates samples of the point (row, col): one node per axis ("nearest", rounded
// half away from zero) or two (bilinear); in "constant" mode the nodes outside the image add
// their weight to the fill.
void sample_point(double row,
                  double col,
                  int64_t in_h,
                  int64_t in_w,
                  bool nearest,
                  bool constant,
                  const std::string& fill_mode,
                  const PixelSamples& ps) {
  *ps.fill = 0.0;
  // One-dimensional nodes per axis, as map_coordinates: (index, weight).
  int64_t ri[2], ci[2];
  double rw[2], cw[2];
  int nodes = 1;
  if (nearest) {
    ri[0] = static_cast<int64_t>(std::round(row));  // half away from zero
    ci[0] = static_cast<int64_t>(std::round(col));
    rw[0] = cw[0] = 1.0;
  } else {
    nodes = 2;
    const double r0 = std::floor(row), c0 = std::floor(col);
    ri[0] = static_cast<int64_t>(r0);
    ri[1] = ri[0] + 1;
    rw[1] = row - r0;
    rw[0] = 1.0 - rw[1];
    ci[0] = static_cast<int64_t>(c0);
    ci[1] = ci[0] + 1;
    cw[1] = col - c0;
    cw[0] = 1.0 - cw[1];
  }
  int slot = 0;
  for (int a = 0; a < nodes; ++a) {
    for (int c = 0; c < nodes; ++c, ++slot) {
      const double w = rw[a] * cw[c];
      const bool valid = !constant || (ri[a] >= 0 && ri[a] < in_h && ci[c] >= 0 && ci[c] < in_w);
      if (valid) {
        ps.index[slot] =
            fix_index(ri[a], in_h, fill_mode) * in_w + fix_index(ci[c], in_w, fill_mode);
        ps.weight[slot] = w;
      } else {
        ps.index[slot] = 0;
        ps.weight[slot] = 0.0;
        *ps.fill += w;
      }
    }
  }
}

// Resamples every image at the source points `points` gives for its row of draws: `points(d, h,
// w, i, j)` is the (row, col) that output pixel (i, j) samples; called for every pixel in order,
// after a call with i = -1 that lets it prepare the image (fields, a matrix).
using PointFn = std::function<std::pair<double, double>(
    const double* d, int64_t h, int64_t w, int64_t i, int64_t j)>;
Tensor point_transform(const Tensor& images,
                       const Tensor& draws,
                       std::function<PointFn()> make_points,
                       const std::string& interpolation,
                       const std::string& fill_mode,
                       double fill_value) {
  const bool nearest = interpolation == "nearest";
  const bool constant = fill_mode == "constant";
  Sampler sampler = [make_points, nearest, constant, fill_mode](const double* d, int64_t out_h,
                                                                int64_t out_w, int64_t in_h,
                                                                int64_t in_w, int, const auto& at) {
    // A degenerate transform (a point at the horizon, a NaN) samples far outside: the integer
    // conversions in sample_point need finite values in range.
    const auto bounded = [](double v) { return std::isnan(v) ? -1e9 : std::clamp(v, -1e9, 1e9); };
    PointFn points = make_points();
    (void)points(d, out_h, out_w, -1, -1);
    for (int64_t i = 0; i < out_h; ++i) {
      for (int64_t j = 0; j < out_w; ++j) {
        const auto [row, col] = points(d, out_h, out_w, i, j);
        sample_point(bounded(row), bounded(col), in_h, in_w, nearest, constant, fill_mode,
                     at(i, j));
      }
    }
  };
  const Shape& s = images.shape();
  return resample(images, s[1], s[2], nearest ? 1 : 4, draws, std::move(sampler), fill_value);
}

}  // namespace

Tensor affine_transform(const Tensor& images,
                        const Tensor& draws,
                        AffineFn transform,
                        const std::string& interpolation,
                        const std::string& fill_mode,
                        double fill_value) {
  ProjectiveFn projective = [transform](const double* d) {
    const std::array<double, 6> t = transform(d);
    return std::array<double, 8>{t[0], t[1], t[2], t[3], t[4], t[5], 0.0, 0.0};
  };
  return projective_transform(images, draws, std::move(projective), interpolation, fill_mode,
                              fill_value);
}

Tensor projective_transform(const Tensor& images,
                            const Tensor& draws,
                            ProjectiveFn transform,
                            const std::string& interpolation,
                            const std::string& fill_mode,
                            double fill_value,
                            bool float32) {
  auto make_points = [transform, float32]() -> PointFn {
    return [transform, float32, t = std::array<double, 8>{}](const double* d, int64_t, int64_t,
                                                             int64_t i, int64_t j) mutable {
      if (i < 0) {
        t = transform(d);
        return std::pair(0.0, 0.0);
      }
      if (float32 && t[6] == 0 && t[7] == 0) {
        const auto f = [&](int k) { return static_cast<float>(t[static_cast<size_t>(k)]); };
        const auto x = static_cast<float>(j), y = static_cast<float>(i);
        // Each product rounded to float32 (no fused multiply-add), as XLA's einsum rounds it.
        const auto product = [](float a, float b) {
          volatile float p = a * b;
          return static_cast<float>(p);
        };
        const float py = product(y, f(4)), px = product(x, f(3));
        const float qy = product(y, f(1)), qx = product(x, f(0));
        const float row = (py + px) + f(5), col = (qy + qx) + f(2);
        return std::pair(static_cast<double>(row), static_cast<double>(col));
      }
      const double x = static_cast<double>(j), y = static_cast<double>(i);
      const double denominator = t[6] * x + t[7] * y + 1.0;
      return std::pair((t[3] * x + t[4] * y + t[5]) / denominator,
                       (t[0] * x + t[1] * y + t[2]) / denominator);
    };
  };
  return point_transform(images, draws, make_points, interpolation, fill_mode, fill_value);
}

Tensor displacement_transform(const Tensor& images,
                              const Tensor& draws,
                              DisplacementFn fields,
                              const std::string& interpolation,
                              const std::string& fill_mode,
                              double fill_value) {
  auto make_points = [fields]() -> PointFn {
    return [fields, dy = std::vector<double>(), dx = std::vector<double>()](
               const double* d, int64_t h, int64_t w, int64_t i, int64_t j) mutable {
      if (i < 0) {
        dy.assign(static_cast<size_t>(h * w), 0.0);
        dx.assign(dy.size(), 0.0);
        fields(d, h, w, dy.data(), dx.data());
        return std::pair(0.0, 0.0);
      }
      const size_t p = static_cast<size_t>(i * w + j);
      return std::pair(static_cast<double>(i) + dy[p], static_cast<double>(j) + dx[p]);
    };
  };
  return point_transform(images, draws, make_points, interpolation, fill_mode, fill_value);
}

std::array<double, 8> homography(const std::array<double, 8>& start,
                                 const std::array<double, 8>& end) {
  double a[8][9] = {};
  for (int i = 0; i < 4; ++i) {
    const double sx = start[2 * i], sy = start[2 * i + 1], ex = end[2 * i], ey = end[2 * i + 1];
    const double x_row[9] = {ex, ey, 1, 0, 0, 0, -sx * ex, -sx * ey, sx};
    const double y_row[9] = {0, 0, 0, ex, ey, 1, -sy * ex, -sy * ey, sy};
    std::copy_n(x_row, 9, a[i]);
    std::copy_n(y_row, 9, a[4 + i]);
  }
  for (int c = 0; c < 8; ++c) {
    int pivot = c;
    for (int r = c + 1; r < 8; ++r) {
      if (std::fabs(a[r][c]) > std::fabs(a[pivot][c])) pivot = r;
    }
    if (std::fabs(a[pivot][c]) < 1e-12) return {1, 0, 0, 0, 1, 0, 0, 0};
    std::swap(a[c], a[pivot]);
    for (int r = 0; r < 8; ++r) {
      if (r == c) continue;
      const double f = a[r][c] / a[c][c];
      for (int k = c; k < 9; ++k) a[r][k] -= f * a[c][k];
    }
  }
  std::array<double, 8> t{};
  for (int i = 0; i < 8; ++i) t[static_cast<size_t>(i)] = a[i][8] / a[i][i];
  return t;
}

void gaussian_field_blur(std::vector<double>& field, int64_t h, int64_t w, double sigma) {
  const int64_t size = static_cast<int64_t>(6 * sigma) | 1, half = (size - 1) / 2;
  std::vector<double> kernel(static_cast<size_t>(size));
  double total = 0;
  for (int64_t i = 0; i < size; ++i) {
    const double x = (static_cast<double>(i) - static_cast<double>(size - 1) / 2) / sigma;
    total += kernel[static_cast<size_t>(i)] = std::exp(-0.5 * x * x);
  }
  for (double& k : kernel) k /= total;
  // One pass along each axis: `lines` lines of `n` values, `step` apart within a line.
  const auto pass = [&kernel, half](const std::vector<double>& in, std::vector<double>& out,
                                    int64_t lines, int64_t n, int64_t line_stride, int64_t step) {
    for (int64_t l = 0; l < lines; ++l) {
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t t = std::max<int64_t>(0, j - half); t <= std::min(n - 1, j + half); ++t)
          sum += kernel[static_cast<size_t>(t - j + half)] *
                 in[static_cast<size_t>(l * line_stride + t * step)];
        out[static_cast<size_t>(l * line_stride + j * step)] = sum;
      }
    }
  };
  std::vector<double> tmp(field.size(), 0.0);
  pass(field, tmp, h, w, w, 1);  // along rows
  pass(tmp, field, w, h, 1, w);  // along columns
}

Tensor host_draws(const Shape& shape,
                  Device device,
                  Generator* generator,
                  std::function<void(Generator&, double*)> fill) {
  const Tensor out = Tensor::empty(shape, float64, device);
  Generator* gen = generator != nullptr ? generator : &global_generator();
  internal::launch_on_host({}, {out}, [gen, fill](const Tensors&, const Tensors& host) {
    fill(*gen, host[0].data<double>());
  });
  return out;
}

}  // namespace keras::ops::image_sampling
