// Adaptive pooling layers (keras.layers.AdaptiveAveragePooling1D/2D/3D and
// AdaptiveMaxPooling1D/2D/3D): pool to a fixed spatial output size whatever the input's.
//
//   auto y = layers::AdaptiveAveragePooling2D({7, 7})(x);   // (None, 7, 7, C) from any H x W
//
// Inputs (batch, spatial..., C) for data_format "channels_last" (the default) or (batch, C,
// spatial...) for "channels_first"; output (batch, output_size..., C) (channels_first: (batch, C,
// output_size...)), whatever the input's spatial sizes (they may be None). Output index i of an
// input axis of length L pools the window [floor(i L / n), ceil((i + 1) L / n)) (n = its output
// size), as Keras 3 and PyTorch do: windows may overlap when L is not a multiple of n, and
// n > L repeats elements. Average pools take the mean of the window, max pools its maximum.
// output_size is an int (every spatial dim) or one value per spatial dim, each at least 1
// (TypeError for another count, as Keras; ValueError for a value below 1).
#pragma once

#include <string>
#include <vector>

#include "keras/layers/convolutional.h"
#include "keras/layers/layer.h"
#include "keras/layers/pooling.h"

namespace keras::layers {

struct AdaptivePoolingOptions {
  std::string data_format = "channels_last";
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

class AdaptivePoolingImpl final : public Layer {
 public:
  AdaptivePoolingImpl(PoolingKind kind,
                      int rank,
                      const IntOrTuple& output_size,
                      AdaptivePoolingOptions options);
  std::string class_name() const override;
  bool batch_independent() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  // from_config of one class: from_config<PoolingKind::max, 2> is AdaptiveMaxPooling2D's.
  template <PoolingKind kind, int rank>
  static std::shared_ptr<Layer> from_config(const Json& config);

  const std::vector<int64_t>& output_size() const { return output_size_; }

 private:
  PoolingKind kind_;
  int rank_;
  std::vector<int64_t> output_size_;
  bool channels_first_;
};

#define KERAS_ADAPTIVE_POOLING_LAYER(Name, kind, rank)                                \
  class Name : public LayerHandle<AdaptivePoolingImpl> {                              \
   public:                                                                            \
    explicit Name(const IntOrTuple& output_size, AdaptivePoolingOptions options = {}) \
        : LayerHandle(std::make_shared<AdaptivePoolingImpl>(                          \
              kind, rank, output_size, std::move(options))) {}                        \
  };
KERAS_ADAPTIVE_POOLING_LAYER(AdaptiveAveragePooling1D, PoolingKind::average, 1)
KERAS_ADAPTIVE_POOLING_LAYER(AdaptiveAveragePooling2D, PoolingKind::average, 2)
KERAS_ADAPTIVE_POOLING_LAYER(AdaptiveAveragePooling3D, PoolingKind::average, 3)
KERAS_ADAPTIVE_POOLING_LAYER(AdaptiveMaxPooling1D, PoolingKind::max, 1)
KERAS_ADAPTIVE_POOLING_LAYER(AdaptiveMaxPooling2D, PoolingKind::max, 2)
KERAS_ADAPTIVE_POOLING_LAYER(AdaptiveMaxPooling3D, PoolingKind::max, 3)
#undef KERAS_ADAPTIVE_POOLING_LAYER

}  // namespace keras::layers
