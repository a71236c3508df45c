// ZeroPadding1D/2D/3D, Cropping1D/2D/3D and UpSampling1D/2D/3D (keras.layers): reshaping layers
// for sequences, images and volumes. No weights.
//
//   auto x = keras::Input({28, 28, 1});
//   auto p = layers::ZeroPadding2D(2)(x);                   // (None, 32, 32, 1)
//   auto c = layers::Cropping2D({{2, 2}, {4, 4}})(p);      // (None, 28, 24, 1)
//   auto u = layers::UpSampling2D({2, 3})(c);              // (None, 56, 72, 1)
//
// Spatial axes: for inputs of rank N + 2, axes 1..N in "channels_last" (batch, spatial...,
// channels) and axes 2..N+1 in "channels_first" (batch, channels, spatial...). Unknown (None) sizes
// stay unknown in output shapes. The input rank is checked at call (InputSpec, Keras's message).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

// (before, after) amounts along one axis; an int n means (n, n).
struct PadPair {
  int64_t before = 0;
  int64_t after = 0;
  PadPair(int64_t n = 0) : before(n), after(n) {}  // NOLINT(google-explicit-constructor)
  PadPair(int64_t before_, int64_t after_) : before(before_), after(after_) {}
};

// Amounts for the spatial axes of ZeroPadding2D/3D and Cropping2D/3D, as Keras takes them: an int
// (both sides of every axis), N ints (both sides of each axis: {1, 2}) or N pairs
// ({{1, 2}, {3, 4}}); ints and pairs may be mixed ({1, {2, 3}}).
// (The list is copied element by element: GCC 12.2 with -O2 -mavx512f miscompiles
// std::vector<PadPair>(list) for {{2, 2}, {0, 0}}, giving {(2, 2), (2, 2)}.)
struct SpatialPadding {
  SpatialPadding(int64_t n) : uniform(n) {}  // NOLINT(google-explicit-constructor)
  SpatialPadding(std::initializer_list<PadPair> per_axis_) {
    for (const PadPair& p : per_axis_) per_axis.push_back(p);
  }
  std::optional<int64_t> uniform;
  std::vector<PadPair> per_axis;
};

// Factors for UpSampling2D/3D: an int (every axis) or N ints ({2, 3}).
struct SpatialSize {
  SpatialSize(int64_t n) : uniform(n) {}  // NOLINT(google-explicit-constructor)
  SpatialSize(std::initializer_list<int64_t> per_axis_) {
    for (int64_t n : per_axis_) per_axis.push_back(n);
  }
  std::optional<int64_t> uniform;
  std::vector<int64_t> per_axis;
};

// ---- ZeroPadding ----

struct ZeroPaddingOptions {
  std::string data_format = "channels_last";  // or "channels_first"
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

// ZeroPadding<N>D: adds rows (columns, planes) of zeros before and after each spatial axis:
// spatial size d becomes before + d + after. ValueError for a wrong number of entries, a negative
// amount, or an unknown data_format.
template <int N>
class ZeroPaddingImpl final : public Layer {
 public:
  ZeroPaddingImpl(const SpatialPadding& padding, ZeroPaddingOptions options);
  std::string class_name() const override { return "ZeroPadding" + std::to_string(N) + "D"; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  const std::array<PadPair, N>& padding() const { return padding_; }
  const std::string& data_format() const { return data_format_; }
  // Saving: Keras 3's keys.
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  std::array<PadPair, N> padding_;
  std::string data_format_;
};

// ---- Cropping ----

struct CroppingOptions {
  std::string data_format = "channels_last";  // Cropping1D accepts only "channels_last"
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

// Cropping<N>D: removes `before` and `after` elements at the ends of each spatial axis. ValueError
// (Keras's message, naming the layer) when a crop leaves nothing of a known spatial size: at graph
// building for symbolic inputs, at the call for concrete ones.
template <int N>
class CroppingImpl final : public Layer {
 public:
  CroppingImpl(const SpatialPadding& cropping, CroppingOptions options);
  std::string class_name() const override { return "Cropping" + std::to_string(N) + "D"; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  const std::array<PadPair, N>& cropping() const { return cropping_; }
  const std::string& data_format() const { return data_format_; }
  // Saving: Keras 3's keys.
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  std::array<PadPair, N> cropping_;
  std::string data_format_;
};

// ---- UpSampling ----

struct UpSamplingOptions {
  std::string data_format = "channels_last";  // UpSampling1D accepts only "channels_last"
  std::string interpolation = "nearest";  // UpSampling2D: or "bilinear", "bicubic", "lanczos3/5"
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

// UpSampling<N>D: repeats every element `size` times along each spatial axis (nearest-neighbour
// upsampling): spatial size d becomes d * size. UpSampling2D's other interpolations resize to that
// size as ops::image::resize does (Keras 3 on JAX). ValueError for a factor < 1, a wrong number of
// factors, an unknown data_format, or an unknown interpolation (UpSampling1D and 3D: other than
// "nearest"); the name is read case-insensitively, as Keras lowercases it.
template <int N>
class UpSamplingImpl final : public Layer {
 public:
  UpSamplingImpl(const SpatialSize& size, UpSamplingOptions options);
  std::string class_name() const override { return "UpSampling" + std::to_string(N) + "D"; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  const std::array<int64_t, N>& size() const { return size_; }
  const std::string& data_format() const { return data_format_; }
  const std::string& interpolation() const { return interpolation_; }
  // Saving: Keras 3's keys.
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  std::array<int64_t, N> size_;
  std::string data_format_;
  std::string interpolation_;
};

extern template class ZeroPaddingImpl<1>;
extern template class ZeroPaddingImpl<2>;
extern template class ZeroPaddingImpl<3>;
extern template class CroppingImpl<1>;
extern template class CroppingImpl<2>;
extern template class CroppingImpl<3>;
extern template class UpSamplingImpl<1>;
extern template class UpSamplingImpl<2>;
extern template class UpSamplingImpl<3>;

// ---- handles (Keras's defaults) ----

// ZeroPadding1D(padding = 1): padding is an int or a (left, right) pair: ZeroPadding1D({1, 2}).
class ZeroPadding1D : public LayerHandle<ZeroPaddingImpl<1>> {
 public:
  explicit ZeroPadding1D(PadPair padding = 1, ZeroPaddingOptions options = {})
      : LayerHandle(
            std::make_shared<ZeroPaddingImpl<1>>(SpatialPadding{padding}, std::move(options))) {}
};
class ZeroPadding2D : public LayerHandle<ZeroPaddingImpl<2>> {
 public:
  explicit ZeroPadding2D(SpatialPadding padding = 1, ZeroPaddingOptions options = {})
      : LayerHandle(std::make_shared<ZeroPaddingImpl<2>>(padding, std::move(options))) {}
};
class ZeroPadding3D : public LayerHandle<ZeroPaddingImpl<3>> {
 public:
  explicit ZeroPadding3D(SpatialPadding padding = 1, ZeroPaddingOptions options = {})
      : LayerHandle(std::make_shared<ZeroPaddingImpl<3>>(padding, std::move(options))) {}
};

// Cropping1D(cropping = (1, 1)): an int or a (start, end) pair.
class Cropping1D : public LayerHandle<CroppingImpl<1>> {
 public:
  explicit Cropping1D(PadPair cropping = 1, CroppingOptions options = {})
      : LayerHandle(
            std::make_shared<CroppingImpl<1>>(SpatialPadding{cropping}, std::move(options))) {}
};
class Cropping2D : public LayerHandle<CroppingImpl<2>> {
 public:
  explicit Cropping2D(SpatialPadding cropping = 0, CroppingOptions options = {})
      : LayerHandle(std::make_shared<CroppingImpl<2>>(cropping, std::move(options))) {}
};
class Cropping3D : public LayerHandle<CroppingImpl<3>> {
 public:
  explicit Cropping3D(SpatialPadding cropping = 1, CroppingOptions options = {})
      : LayerHandle(std::make_shared<CroppingImpl<3>>(cropping, std::move(options))) {}
};

class UpSampling1D : public LayerHandle<UpSamplingImpl<1>> {
 public:
  explicit UpSampling1D(int64_t size = 2, UpSamplingOptions options = {})
      : LayerHandle(std::make_shared<UpSamplingImpl<1>>(SpatialSize{size}, std::move(options))) {}
};
class UpSampling2D : public LayerHandle<UpSamplingImpl<2>> {
 public:
  explicit UpSampling2D(SpatialSize size = 2, UpSamplingOptions options = {})
      : LayerHandle(std::make_shared<UpSamplingImpl<2>>(size, std::move(options))) {}
};
class UpSampling3D : public LayerHandle<UpSamplingImpl<3>> {
 public:
  explicit UpSampling3D(SpatialSize size = 2, UpSamplingOptions options = {})
      : LayerHandle(std::make_shared<UpSamplingImpl<3>>(size, std::move(options))) {}
};

}  // namespace keras::layers
