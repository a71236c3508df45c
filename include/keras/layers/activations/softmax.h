// Softmax (keras.layers.Softmax): softmax along `axis` (one axis or several together), with an
// optional mask.
//
//   auto p = layers::Softmax()(scores);                       // last axis
//   auto q = layers::Softmax({.axis = {1, 2}})(x);            // over axes 1 and 2 jointly
//   auto r = layers::Softmax()(scores, {.mask = {keep}});     // masked entries get 0
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct SoftmaxOptions {
  std::vector<int> axis = {-1};  // one axis, or several normalized together
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Any input shape; output the same. With a mask (the input's Keras mask, or `mask=` in a
// symbolic call; bool, or numbers kept where > 0.5), broadcast to the input from the right as
// Keras does: masked entries are replaced by -1e9 before the softmax and the outputs there set
// to 0 (a fully masked row gives zeros). ValueError (Keras's words) when the mask has more
// dimensions than the input or a dimension neither 1 nor the input's. Note: a symbolic call
// checks explicit masks against the input's leading dimensions first (layer.h), so a mask of
// lower rank must match the input's leading and trailing dimensions alike (usually: the same
// rank).
class SoftmaxImpl final : public Layer {
 public:
  explicit SoftmaxImpl(SoftmaxOptions options);
  std::string class_name() const override { return "Softmax"; }
  bool batch_independent() const override { return axes_miss_batch(options_.axis); }
  bool supports_masking() const override { return true; }
  bool takes_mask_argument() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  const std::vector<int>& axis() const { return options_.axis; }

 private:
  SoftmaxOptions options_;
};

class Softmax : public LayerHandle<SoftmaxImpl> {
 public:
  explicit Softmax(SoftmaxOptions options = {})
      : LayerHandle(std::make_shared<SoftmaxImpl>(std::move(options))) {}
};

}  // namespace keras::layers
