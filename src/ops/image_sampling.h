// Resampling of image batches at positions computed on the host from random draws, inside a
// launched kernel so that a traced step redraws them at every replay (autodiff/trace.h). Used by
// RandomRotation, RandomZoom, RandomTranslation, RandomShear (Keras 3's affine_transform),
// RandomPerspective and RandomElasticTransform, and by keras.ops.image's affine_transform,
// perspective_transform and elastic_transform. Internal to src/ops and src/layers.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "keras/core/random.h"
#include "keras/core/tensor.h"

namespace keras::ops::image_sampling {

// One output pixel's sources: out = sum_k weight[k] * image[index[k]] + fill * fill_value,
// index a flat pixel index (row * width + col) into its own image.
struct PixelSamples {
  int64_t* index;  // k entries
  double* weight;  // k entries
  double* fill;    // one
};
// Fills the samples of every output pixel of one image from that image's row of draws.
using Sampler = std::function<void(const double* draws,
                                   int64_t out_h,
                                   int64_t out_w,
                                   int64_t in_h,
                                   int64_t in_w,
                                   int k,
                                   const std::function<PixelSamples(int64_t i, int64_t j)>& at)>;

// images: (B, H, W, C) channels-last. draws: host float64 (B, n) (or (B, 0)), written by earlier
// kernels. Returns (B, out_h, out_w, C) in images' dtype; differentiable in images (a gather and
// a weighted sum).
Tensor resample(const Tensor& images,
                int64_t out_h,
                int64_t out_w,
                int k,
                const Tensor& draws,
                Sampler sampler,
                double fill_value);

// Keras 3's affine_transform (the JAX backend's, through map_coordinates): output pixel (y, x)
// samples the input at (b0 x + b1 y + b2, a0 x + a1 y + a2) (row, col) for the transform
// {a0, a1, a2, b0, b1, b2}, with `interpolation` "bilinear" (order 1) or "nearest" (rounded half
// away from zero), `fill_mode` "reflect", "wrap", "constant" or "nearest" as map_coordinates
// extends the image. `transform` maps a row of draws to the image's transform.
using AffineFn = std::function<std::array<double, 6>(const double* draws)>;
Tensor affine_transform(const Tensor& images,
                        const Tensor& draws,
                        AffineFn transform,
                        const std::string& interpolation,
                        const std::string& fill_mode,
                        double fill_value);

// The projective generalization (Keras 3's perspective_transform): output pixel (y, x) samples
// the input at ((t3 x + t4 y + t5) / d, (t0 x + t1 y + t2) / d), d = t6 x + t7 y + 1, for the
// image's {t0, ..., t7}. An affine transform is the case t6 = t7 = 0 (the same arithmetic).
// `float32`: the source points computed as keras.ops.image.affine_transform computes them on
// JAX (its einsum in float32: row fl(fl(y t4) + fl(x t3)) + t5, column likewise), which decides
// "nearest" ties the same way), for the images whose t6 and t7 are 0.
using ProjectiveFn = std::function<std::array<double, 8>(const double* draws)>;
Tensor projective_transform(const Tensor& images,
                            const Tensor& draws,
                            ProjectiveFn transform,
                            const std::string& interpolation,
                            const std::string& fill_mode,
                            double fill_value,
                            bool float32 = false);

// Keras 3's elastic_transform's resampling: output pixel (y, x) samples the input at
// (y + dy, x + dx) (row, col), with the image's displacement fields that `fields` computes
// (h x w each) from its row of draws; interpolation and fill modes as affine_transform.
using DisplacementFn =
    std::function<void(const double* draws, int64_t h, int64_t w, double* dy, double* dx)>;
Tensor displacement_transform(const Tensor& images,
                              const Tensor& draws,
                              DisplacementFn fields,
                              const std::string& interpolation,
                              const std::string& fill_mode,
                              double fill_value);

// The homography taking the 4 `end` corners to the `start` ones (x, y pairs), as Keras's
// compute_homography_matrix: t with start = ((t0 x + t1 y + t2) / d, (t3 x + t4 y + t5) / d),
// d = t6 x + t7 y + 1 at each end point; solved in float64 by elimination with partial pivoting.
// A singular system (coinciding corners: an image 1 pixel wide) gives the identity.
std::array<double, 8> homography(const std::array<double, 8>& start,
                                 const std::array<double, 8>& end);

// A (h x w) field convolved with the normalized Gaussian of deviation sigma along both axes
// (kernel int(6 sigma) | 1, zeros beyond the field: Keras's gaussian_blur, "SAME" padding).
void gaussian_field_blur(std::vector<double>& field, int64_t h, int64_t w, double sigma);

// float64 values of `shape` on `device` that `fill` writes on the host from the generator (the
// global one when null), inside a launched kernel, so that a traced step draws them anew at every
// replay (autodiff/trace.h). The generator must outlive any plan the call is traced into.
Tensor host_draws(const Shape& shape,
                  Device device,
                  Generator* generator,
                  std::function<void(Generator&, double*)> fill);

}  // namespace keras::ops::image_sampling
