// Pipeline(layers) (keras.layers.Pipeline): a plain layer that applies `layers` one after the
// other (typically an augmentation pipeline). Unlike a Sequential model it is not a Model: no
// compile/fit, no summary of its own layers; its weights are its layers' weights, in order.
//
// Each layer is built on the output shape of the one before, on the pipeline's first build.
// `training` is passed to every layer (in a functional model: the model's mode, as Keras 3's
// node default `training=True` means for a Pipeline called on a KerasTensor). Masks are not
// passed on. Config (Keras 3): {"layers": [...], "name": ...} only; weights saved under
// "layers/<snake_case class name, numbered>/vars", as Keras stores a list of layers.
//
// Errors: ValueError for an undefined layer in the list, for a config without a list under
// "layers" (Keras's words), and for a layer with other than one input and one output.
#pragma once

#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct PipelineOptions {
  std::string name = {};
};

class PipelineImpl final : public Layer {
 public:
  PipelineImpl(std::vector<LayerRef> layers, PipelineOptions options);
  std::string class_name() const override { return "Pipeline"; }
  bool batch_independent() const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  std::vector<VariableGroup> saved_variables() const override;
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  std::vector<Variable> weights() const override;
  void set_trainable(bool trainable) override;
  // Sets every layer's dtype too (Keras's Pipeline takes none; keras.cpp's float64 checks do).
  void set_dtype(DType dtype) override;
  Tensors losses() const override;
  void clear_losses() override;
  std::vector<Generator*> seed_generators() override;
  const std::vector<LayerRef>& layers() const { return layers_; }

 private:
  std::vector<LayerRef> layers_;
};

class Pipeline : public LayerHandle<PipelineImpl> {
 public:
  explicit Pipeline(std::vector<LayerRef> layers, PipelineOptions options = {})
      : LayerHandle(std::make_shared<PipelineImpl>(std::move(layers), std::move(options))) {}
};

}  // namespace keras::layers
