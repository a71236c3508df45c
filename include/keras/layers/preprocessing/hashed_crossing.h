// HashedCrossing (keras.layers.HashedCrossing): a feature cross of two or more integer features,
// hashed into num_bins bins as TensorFlow's tf.sparse.cross_hashed does.
//
//   auto crossed = layers::HashedCrossing(32)({age_bucket, country_id});          // int64 bins
//   auto hot = layers::HashedCrossing(8, {.output_mode = "one_hot"})({a, b});   // (batch, 8)
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct HashedCrossingOptions {
  std::string output_mode = "int";  // "int" (int64 bins) or "one_hot" (float32)
  bool sparse = false;              // Keras's sparse outputs: not available (no sparse tensors)
  std::string name = {};
};

// Inputs: at least two integer or string tensors of one shape, () or (batch,) or (batch, 1). The
// bin of a sample is FingerprintCat64(... FingerprintCat64(0xDECAFCAFFE, x1) ..., xn) % num_bins
// (a string's x: its Fingerprint64), TensorFlow's
// cross hash, so keras.cpp gives Keras's bins. Output: the inputs' shape ("int") or their
// leading dimensions + (num_bins,) ("one_hot"). Errors in Keras's wording: fewer than two
// inputs, shapes that differ or are not one value per sample, floating-point inputs, another
// output_mode.
class HashedCrossingImpl final : public Layer {
 public:
  HashedCrossingImpl(int64_t num_bins, HashedCrossingOptions options);
  std::string class_name() const override { return "HashedCrossing"; }
  bool batch_independent() const override { return true; }
  bool takes_strings() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  int64_t num_bins_;
  HashedCrossingOptions options_;
};

class HashedCrossing : public LayerHandle<HashedCrossingImpl> {
 public:
  explicit HashedCrossing(int64_t num_bins, HashedCrossingOptions options = {})
      : LayerHandle(std::make_shared<HashedCrossingImpl>(num_bins, std::move(options))) {}
};

}  // namespace keras::layers
