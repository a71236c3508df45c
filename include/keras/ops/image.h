// keras.ops.image's colour-space conversions, for images (batch, H, W, C) or one image (H, W, C)
// (channels_first: C before H and W). Composed of elementwise ops, so they are differentiable
// wherever their pieces are. ValueError in Keras's words for another rank ("Invalid images
// rank: ..."), a channel count other than 3 (or 1 for rgb_to_grayscale), or integer images where
// a float is required.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/core/tensor.h"

namespace keras::ops::image {

// 0.2989 R + 0.5870 G + 0.1140 B, as one channel, in the input's dtype (integers computed in
// float32 and truncated back, as Keras). A one-channel image is returned as it is.
Tensor rgb_to_grayscale(const Tensor& images, const std::string& data_format = "channels_last");
// RGB to hue, saturation and value, each in [0, 1] for RGB in [0, 1] (value keeps the RGB scale);
// Keras 3's formulas: values within the dtype's epsilon of 0 count as 0, a grey pixel has hue 0.
// Float images only.
Tensor rgb_to_hsv(const Tensor& images, const std::string& data_format = "channels_last");
// The inverse: hue taken modulo 1. Float images only.
Tensor hsv_to_rgb(const Tensor& images, const std::string& data_format = "channels_last");

// Each channel convolved with a Gaussian of kernel_size (width, height) = (kx, ky) and sigma
// (sigma_x, sigma_y), normalized to sum 1, zero-padded to keep the size ("same"), as Keras 3.
// kernel_size[1] is the kernel's height, as Keras's outer(ky, kx). Float images (ValueError
// otherwise); differentiable in the images (and in sigma given as a tensor of 2).
Tensor gaussian_blur(const Tensor& images,
                     std::pair<int64_t, int64_t> kernel_size = {3, 3},
                     std::pair<double, double> sigma = {1.0, 1.0},
                     const std::string& data_format = "channels_last");
Tensor gaussian_blur(const Tensor& images,
                     std::pair<int64_t, int64_t> kernel_size,
                     const Tensor& sigma,
                     const std::string& data_format = "channels_last");

struct ResizeOptions {
  std::string interpolation = "bilinear";  // or "nearest", "bicubic", "lanczos3/5", "area", ...
  bool antialias = false;                  // widens the kernel by in / out on a shrinking axis
  bool crop_to_aspect_ratio = false;       // first the largest centred box of the target's ratio
  bool pad_to_aspect_ratio = false;        // first padded with fill_value, centred, to that ratio
  std::string fill_mode = "constant";      // the only mode Keras has
  double fill_value = 0.0;
  std::string data_format = "channels_last";
};

// keras.ops.image.resize: images resized to size (height, width) as Keras 3 on JAX
// (jax.image.resize, half-pixel centres): output pixel i samples the input at
// s = (i + 0.5) * in / out - 0.5. "nearest" takes the pixel floor((i + 0.5) * in / out); the
// others weigh the input pixels j by kernel(|s - j| / k), normalized to sum 1 over the pixels
// inside the image (jax.image.scale_and_translate): the triangle for "bilinear", Keys' cubic with
// a = -0.5 for "bicubic", Lanczos of radius 3 or 5 for "lanczos3"/"lanczos5"; k = in / out on a
// shrinking axis with antialias, else 1. Keras's TensorFlow backend's "area" weighs by the overlap
// of the pixels' spans (as jax.image's "area"); tf_keras's "gaussian" (radius 1.5, sigma 0.5) and
// "mitchellcubic" (B = C = 1/3) as TensorFlow's scale_and_translate. Integer images are resized in
// float32 and truncated back. Differentiable in the images. ValueError for a non-positive size,
// both aspect options, or another interpolation (Keras's words).
Tensor resize(const Tensor& images,
              std::pair<int64_t, int64_t> size,
              const ResizeOptions& options = {});
// The step resize() takes per axis: x resized along `axis` to `out` entries (bilinear, or nearest).
// Depends on shapes only.
Tensor resize_axis(const Tensor& x, int axis, int64_t out, bool nearest);
// Keras's ValueError unless resize() takes `interpolation`.
void check_resize_interpolation(const std::string& interpolation);

// keras.ops.image.pad_images: zeros added around the images. Exactly two of top, bottom and
// target_height (and of left, right and target_width) are given; the third follows.
struct PadImagesOptions {
  std::optional<int64_t> top_padding = std::nullopt;
  std::optional<int64_t> left_padding = std::nullopt;
  std::optional<int64_t> bottom_padding = std::nullopt;
  std::optional<int64_t> right_padding = std::nullopt;
  std::optional<int64_t> target_height = std::nullopt;
  std::optional<int64_t> target_width = std::nullopt;
  std::string data_format = "channels_last";
};
// ValueError in Keras's words when not exactly two of a side's three are given, or a padding is
// negative.
Tensor pad_images(const Tensor& images, const PadImagesOptions& options);

// keras.ops.image.crop_images: the box starting at (top, left) of target_height x target_width.
// Exactly two of top, bottom and target_height (and of left, right and target_width) are given.
struct CropImagesOptions {
  std::optional<int64_t> top_cropping = std::nullopt;
  std::optional<int64_t> left_cropping = std::nullopt;
  std::optional<int64_t> bottom_cropping = std::nullopt;
  std::optional<int64_t> right_cropping = std::nullopt;
  std::optional<int64_t> target_height = std::nullopt;
  std::optional<int64_t> target_width = std::nullopt;
  std::string data_format = "channels_last";
};
// ValueError in Keras's words as pad_images, and for a box outside the images.
Tensor crop_images(const Tensor& images, const CropImagesOptions& options);

// keras.ops.image.extract_patches: the size[0] x size[1] (x size[2] for volumes) patches of the
// images (batch, H, W, C) or one image (H, W, C) (volumes: one more spatial axis; channels_first:
// C before them), every `strides` (empty: the size) with the dilation, "valid" or "same" padding
// (conv.h's rules), each patch flattened into the channels in (row, column, channel) order:
// (batch, out_h, out_w, size[0] * size[1] * C). As Keras's convolution with an identity kernel,
// computed by gathers, so exact and differentiable. `size` has 2 entries (images) or 3
// (volumes); ValueError for other sizes, non-positive sizes, strides or dilations, another
// rank, or an output size under 1.
// keras.ops.image.sobel_edges (as Keras on JAX): each channel correlated with the 3x3 Sobel
// kernels, zero-padded to keep the size; (batch, H, W, C) -> (batch, H, W, C, 2) holding
// (dy, dx) (channels_first: (batch, C, H, W, 2)); one image (rank 3) the same without the batch.
// Differentiable (shifted slices). ValueError for another rank or data_format.
Tensor sobel_edges(const Tensor& images, const std::string& data_format = "channels_last");

struct ExtractPatchesOptions {
  std::vector<int64_t> strides = {};  // one per spatial axis, or one for all; empty: size
  std::vector<int64_t> dilation_rate = {1};
  std::string padding = "valid";  // or "same"
  std::string data_format = "channels_last";
};
Tensor extract_patches(const Tensor& images,
                       const std::vector<int64_t>& size,
                       const ExtractPatchesOptions& options = {});

// keras.ops.image.extract_patches_3d: extract_patches of volumes (batch, D, H, W, C) or one
// volume (D, H, W, C) with a cubic `size` (one int) or its three sizes.
Tensor extract_patches_3d(const Tensor& volumes,
                          const std::vector<int64_t>& size,
                          const ExtractPatchesOptions& options = {});

// keras.ops.image.map_coordinates (JAX's map_coordinates): inputs of any rank r sampled at the
// points `coordinates` (r, ...) gives, one coordinate per axis: output shape coordinates.shape
// without its first axis, in inputs' dtype. order 0 takes the nearest element (rounded half away
// from zero), order 1 interpolates linearly between the 2^r neighbours. Beyond the edges
// fill_mode "constant" reads fill_value, "nearest" the edge, "wrap" the opposite side, "mirror"
// (d c | a b c d | c b) and "reflect" (b a | a b c d | d c) reflect. Integer inputs: the
// interpolation rounded half away from zero. Differentiable in inputs, and with order 1 in the
// (float) coordinates. ValueError (Keras's words) for coordinates whose first axis is not r or
// of rank under 2, another fill_mode or order.
Tensor map_coordinates(const Tensor& inputs,
                       const Tensor& coordinates,
                       int order,
                       const std::string& fill_mode = "constant",
                       double fill_value = 0.0);

struct AffineTransformOptions {
  std::string interpolation = "bilinear";  // or "nearest"
  std::string fill_mode = "constant";      // "nearest", "wrap", "mirror", "reflect"
  double fill_value = 0.0;
  std::string data_format = "channels_last";
};
// keras.ops.image.affine_transform as Keras on JAX: images (batch, H, W, C) or (H, W, C), each
// moved by its row [a0, a1, a2, b0, b1, b2, c0, c1] of `transform` (8 values for all, or
// (batch, 8)): output pixel (x, y) samples the input at ((a0 x + a1 y + a2) / k,
// (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1, through map_coordinates. (Keras's JAX backend
// ignores c0 and c1; here they act as Keras documents and its TensorFlow backend does. A float32
// transform computes the points in float32 as JAX's einsum does, so "nearest" ties agree.)
// Differentiable in the images only, as Keras. ValueError (Keras's words) for another rank of
// images or transform, interpolation or fill_mode.
Tensor affine_transform(const Tensor& images,
                        const Tensor& transform,
                        const AffineTransformOptions& options = {});

// keras.ops.image.perspective_transform: images warped so that the 4 start_points (x, y) land on
// the end_points ((4, 2) for all images, or (batch, 4, 2)): output pixel (x, y) samples the input
// through the homography taking end points to start points (solved in float64; Keras solves in
// float32), bilinear or nearest, fill_value beyond the edges. Differentiable in the images.
// ValueError (Keras's words) for another rank, points shape or interpolation.
Tensor perspective_transform(const Tensor& images,
                             const Tensor& start_points,
                             const Tensor& end_points,
                             const std::string& interpolation = "bilinear",
                             double fill_value = 0.0,
                             const std::string& data_format = "channels_last");

struct ElasticTransformOptions {
  double alpha = 20.0;  // the displacement's scale, in pixels per unit of the smoothed field
  double sigma = 5.0;   // the Gaussian smoothing's deviation (kernel int(6 sigma) | 1)
  std::string interpolation = "bilinear";
  std::string fill_mode = "reflect";
  double fill_value = 0.0;
  std::optional<uint64_t> seed = std::nullopt;  // nullopt: the global generator
  std::string data_format = "channels_last";
};
// keras.ops.image.elastic_transform as Keras on JAX: per image, a field of standard normals
// times sigma, blurred with gaussian_blur's kernel; output pixel (y, x) samples the input at
// (y + alpha f, x + alpha f) through map_coordinates. As on JAX both axes take the same field
// (Keras draws dx and dy with one seed). The normals come from keras.cpp's generator, not JAX's
// (docs/differences.md). Float images; differentiable in the images. ValueError (Keras's words)
// for another rank, interpolation or fill_mode.
Tensor elastic_transform(const Tensor& images, const ElasticTransformOptions& options = {});

// keras.ops.image.scale_and_translate (jax.image.scale_and_translate): images resampled to
// output_shape (same rank) along spatial_dims: output position o along an axis samples input
// s = (o + 0.5 - translation) / scale - 0.5 with the kernel of `method` ("linear", "bilinear",
// "trilinear": the triangle; "cubic", "bicubic", "tricubic": Keys' a = -0.5; "lanczos3",
// "lanczos5"), widened by 1 / scale when antialias shrinks; the weights normalized, zero where s
// lies outside [-0.5, in - 0.5]; output_shape's other entries are not read (the images' stay),
// as JAX's. Integer images are computed and returned in float32.
// Differentiable in the images. ValueError (Keras's words) for another method.
Tensor scale_and_translate(const Tensor& images,
                           const std::vector<int64_t>& output_shape,
                           const std::vector<double>& scale,
                           const std::vector<double>& translation,
                           const std::vector<int>& spatial_dims,
                           const std::string& method,
                           bool antialias = true);

struct SsimOptions {
  double max_val = 1.0;
  int64_t filter_size = 11;
  double filter_sigma = 1.5;
  double k1 = 0.01;
  double k2 = 0.03;
  std::string data_format = "channels_last";
};
// keras.ops.image.ssim: the structural similarity of image1 and image2 (batch, H, W, C) or
// (H, W, C): per channel the means, variances and covariance under a normalized Gaussian window
// of filter_size and filter_sigma ("valid" positions only), SSIM = (2 m1 m2 + c1)(2 s12 + c2) /
// ((m1^2 + m2^2 + c1)(s1^2 + s2^2 + c2)), c = (k max_val)^2, averaged over positions and
// channels: shape (batch,) or a scalar, in image1's dtype (integers computed in float32).
// Differentiable. ValueError (Keras's words) for another rank.
Tensor ssim(const Tensor& image1, const Tensor& image2, const SsimOptions& options = {});

}  // namespace keras::ops::image
