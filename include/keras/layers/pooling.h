// Pooling layers (keras.layers.MaxPooling1D/2D/3D, AveragePooling1D/2D/3D,
// GlobalMaxPooling1D/2D/3D, GlobalAveragePooling1D/2D/3D).
//
//   auto y = layers::MaxPooling2D()(x);                                   // 2x2 windows
//   auto z = layers::MaxPooling2D({3, 3}, {.strides = 1, .padding = "same"})(x);
//   auto g = layers::GlobalAveragePooling2D({.keepdims = true})(x);        // (None, 1, 1, C)
//
// Inputs (batch, spatial..., C) for data_format "channels_last" (default) or (batch, C,
// spatial...) for "channels_first". Windowed pooling keeps the channels; spatial output lengths
// are floor((in - pool) / stride) + 1 for "valid" and floor((in - 1) / stride) + 1 for "same";
// strides default to pool_size. An input smaller than the window raises ValueError when the
// layer is called. "same" average pooling divides by the number of in-bounds elements only.
// Global pooling reduces every spatial dim: (batch, C), or size-1 spatial dims with keepdims.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/convolutional.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct PoolingOptions {
  std::optional<IntOrTuple> strides = std::nullopt;  // default: pool_size
  std::string padding = "valid";                     // "valid" or "same"
  std::string data_format = "channels_last";
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

enum class PoolingKind { max, average };

class PoolingImpl final : public Layer {
 public:
  PoolingImpl(PoolingKind kind, int rank, const IntOrTuple& pool_size, PoolingOptions options);
  std::string class_name() const override;
  bool batch_independent() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  const std::vector<int64_t>& pool_size() const { return pool_size_; }
  const std::vector<int64_t>& strides() const { return strides_; }
  PoolingKind kind() const { return kind_; }
  int rank() const { return rank_; }
  const std::string& padding() const { return padding_; }
  const std::string& data_format() const { return data_format_; }

  Json get_config() const override;
  // from_config of one class: from_config<PoolingKind::max, 2> is MaxPooling2D's.
  template <PoolingKind kind, int rank>
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  PoolingKind kind_;
  int rank_;
  std::vector<int64_t> pool_size_, strides_;
  std::string padding_, data_format_;
};

#define KERAS_POOLING_LAYER(Name, kind, rank, default_pool)                                        \
  class Name : public LayerHandle<PoolingImpl> {                                                   \
   public:                                                                                         \
    explicit Name(IntOrTuple pool_size = default_pool, PoolingOptions options = {})                \
        : LayerHandle(std::make_shared<PoolingImpl>(kind, rank, pool_size, std::move(options))) {} \
    explicit Name(PoolingOptions options) : Name(default_pool, std::move(options)) {}              \
  };
KERAS_POOLING_LAYER(MaxPooling1D, PoolingKind::max, 1, 2)
KERAS_POOLING_LAYER(MaxPooling2D, PoolingKind::max, 2, 2)
KERAS_POOLING_LAYER(MaxPooling3D, PoolingKind::max, 3, 2)
KERAS_POOLING_LAYER(AveragePooling1D, PoolingKind::average, 1, 2)
KERAS_POOLING_LAYER(AveragePooling2D, PoolingKind::average, 2, 2)
KERAS_POOLING_LAYER(AveragePooling3D, PoolingKind::average, 3, 2)
#undef KERAS_POOLING_LAYER

// Keras 2 aliases.
using MaxPool1D = MaxPooling1D;
using MaxPool2D = MaxPooling2D;
using MaxPool3D = MaxPooling3D;
using AvgPool1D = AveragePooling1D;
using AvgPool2D = AveragePooling2D;
using AvgPool3D = AveragePooling3D;

struct GlobalPoolingOptions {
  std::string data_format = "channels_last";
  bool keepdims = false;
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

class GlobalPoolingImpl final : public Layer {
 public:
  GlobalPoolingImpl(PoolingKind kind, int rank, GlobalPoolingOptions options);
  std::string class_name() const override;
  bool batch_independent() const override { return true; }
  // GlobalAveragePooling1D averages over the unmasked steps only, as Keras 3 does (a row whose
  // steps are all masked gives 0 / 0 = NaN, as in Keras); its output has no mask.
  bool takes_mask_argument() const override { return kind_ == PoolingKind::average && rank_ == 1; }
  bool supports_masking() const override { return takes_mask_argument(); }  // as Keras 3's
  Tensors compute_mask(const Tensors&, const Tensors&, const Tensors&) const override { return {}; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;

  Json get_config() const override;
  // from_config of one class: from_config<PoolingKind::max, 2> is GlobalMaxPooling2D's.
  template <PoolingKind kind, int rank>
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  std::vector<int> spatial_axes() const;
  PoolingKind kind_;
  int rank_;
  bool channels_first_, keepdims_;
};

#define KERAS_GLOBAL_POOLING_LAYER(Name, kind, rank)                                          \
  class Name : public LayerHandle<GlobalPoolingImpl> {                                        \
   public:                                                                                    \
    explicit Name(GlobalPoolingOptions options = {})                                          \
        : LayerHandle(std::make_shared<GlobalPoolingImpl>(kind, rank, std::move(options))) {} \
  };
KERAS_GLOBAL_POOLING_LAYER(GlobalMaxPooling1D, PoolingKind::max, 1)
KERAS_GLOBAL_POOLING_LAYER(GlobalMaxPooling2D, PoolingKind::max, 2)
KERAS_GLOBAL_POOLING_LAYER(GlobalMaxPooling3D, PoolingKind::max, 3)
KERAS_GLOBAL_POOLING_LAYER(GlobalAveragePooling1D, PoolingKind::average, 1)
KERAS_GLOBAL_POOLING_LAYER(GlobalAveragePooling2D, PoolingKind::average, 2)
KERAS_GLOBAL_POOLING_LAYER(GlobalAveragePooling3D, PoolingKind::average, 3)
#undef KERAS_GLOBAL_POOLING_LAYER

using GlobalMaxPool1D = GlobalMaxPooling1D;
using GlobalMaxPool2D = GlobalMaxPooling2D;
using GlobalMaxPool3D = GlobalMaxPooling3D;
using GlobalAvgPool1D = GlobalAveragePooling1D;
using GlobalAvgPool2D = GlobalAveragePooling2D;
using GlobalAvgPool3D = GlobalAveragePooling3D;

}  // namespace keras::layers
