// Wrapper (keras.layers.Wrapper): the base of the layers that wrap one other layer
// (TimeDistributed, SpectralNormalization). The wrapped layer follows the wrapper's dtype and
// trainability (freezing the wrapper freezes it); its losses and seed generators are the
// wrapper's; its config is saved under "layer" and its variables under "layer/" (Keras 3's
// layout), after the wrapper's own under "vars". Not a layer of its own.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

class WrapperImpl : public Layer {
 public:
  const LayerRef& layer() const { return inner_; }
  void set_dtype(DType dtype) override;
  void set_trainable(bool trainable) override;
  // Its own activity penalties, then the wrapped layer's.
  Tensors losses() const override;
  void clear_losses() override;
  std::vector<Generator*> seed_generators() override { return inner_->seed_generators(); }
  std::vector<VariableGroup> saved_variables() const override;
  // Layer's config plus "layer": the wrapped layer's serialization.
  Json get_config() const override;

 protected:
  // ValueError (Keras's words) for an undefined layer.
  WrapperImpl(std::string name,
              std::string_view prefix,
              std::optional<Shape> input_shape,
              LayerRef layer);
  // The variables Keras saves under the wrapper's own "vars" (none by default).
  virtual std::vector<Variable> wrapper_variables() const { return {}; }
  // The layer a wrapper's config describes under "layer" (ValueError naming `what` without one).
  static LayerRef layer_from_config(const Json& config, const char* what);

  LayerRef inner_;
};

}  // namespace keras::layers
