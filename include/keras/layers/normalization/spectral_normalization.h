// SpectralNormalization(layer) (keras.layers.SpectralNormalization): wraps a layer with a `kernel`
// (Dense, Conv*, ...) or `embeddings` (Embedding) and, in training calls, divides that weight by
// an estimate of its largest singular value before the wrapped layer runs.
//
// Weights: the wrapped layer's, plus `vector_u` (1, kernel.shape[-1]), not trainable, drawn from
// TruncatedNormal(stddev 0.02). weights() lists [kernel, vector_u, the wrapped layer's others]
// as Keras 3 does (the wrapper tracks the kernel as its own); saved under "vars" (kernel,
// vector_u) and "layer/vars" (the wrapped layer's).
//
// Training call, Keras 3's formula: W = kernel reshaped to (-1, units), u = vector_u, then
// power_iterations times v = normalize(u W^T), u = normalize(v W) (normalize(x) = x * min(1 /
// |x|, 1e7)); sigma = v W u^T; then vector_u <- u and kernel <- kernel / sigma, unless every
// kernel entry is 0 (then neither changes). Both are assignments in launched kernels, outside
// the gradient: the wrapped layer then runs with the new kernel, and gradients flow to it as to
// the plain layer. Inference calls the wrapped layer unchanged.
//
// Errors (Keras's words): ValueError for power_iterations <= 0, for an undefined layer, and at
// build for a layer with neither a `kernel` nor an `embeddings` weight. Output: the wrapped
// layer's (shape and dtype; Keras casts an eager result to the input's dtype, which makes an
// Embedding's integer; keras.cpp keeps Keras's symbolic float dtype).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/wrapper.h"

namespace keras::layers {

struct SpectralNormalizationOptions {
  int power_iterations = 1;
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

class SpectralNormalizationImpl final : public WrapperImpl {
 public:
  SpectralNormalizationImpl(LayerRef layer, SpectralNormalizationOptions options);
  std::string class_name() const override { return "SpectralNormalization"; }
  bool batch_independent() const override { return inner_->batch_independent(); }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  std::vector<Variable> weights() const override;
  int power_iterations() const { return options_.power_iterations; }
  // The normalized (vector_u, kernel) for the current weights, as the training call assigns them.
  std::pair<Tensor, Tensor> normalized_weights() const;

 private:
  std::vector<Variable> wrapper_variables() const override;
  SpectralNormalizationOptions options_;
  Variable kernel_;    // the wrapped layer's kernel or embeddings
  Variable vector_u_;  // (1, units)
};

class SpectralNormalization : public LayerHandle<SpectralNormalizationImpl> {
 public:
  explicit SpectralNormalization(LayerRef layer, SpectralNormalizationOptions options = {})
      : LayerHandle(
            std::make_shared<SpectralNormalizationImpl>(std::move(layer), std::move(options))) {}
};

}  // namespace keras::layers
