// Embedding: turns integer ids into dense vectors (keras.layers.Embedding).
//
//   auto ids = keras::Input({100}, {.dtype = keras::int32});
//   auto vectors = layers::Embedding(10000, 64)(ids);                       // (None, 100, 64)
//   layers::Embedding({.input_dim = 10000, .output_dim = 512, .input_length = 100});
//
// Input: ids of any shape (batch, ...), int32 or int64; other dtypes (floats included, as Keras
// accepts them) are cast to int32 first. Output: (batch, ..., output_dim) in the layer's dtype.
// Weight: "embeddings" (input_dim, output_dim). The output is embeddings[ids] (ops::take), so the
// gradient touches only the rows that were looked up.
// An id outside [0, input_dim) throws IndexError naming the layer, in eager calls and in the
// compiled steps of fit / evaluate / predict alike.
//
// With mask_zero, id 0 is padding: the output carries the Keras mask ids != 0
// (Tensor::keras_mask), which recurrent layers downstream use to skip those steps.
// The gradient names the rows it touches (Tensor::nonzero_rows), so SGD, RMSprop and Adagrad
// update only those rows of the table; an embeddings_constraint then projects the whole
// table after each step, as Keras does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

// Designated initializers must follow this order (C++ rule), e.g.
// Embedding({.input_dim = 1000, .output_dim = 64, .input_length = 10}).
struct EmbeddingOptions {
  int64_t input_dim = 0;   // vocabulary size: ids are in [0, input_dim)
  int64_t output_dim = 0;  // size of each vector
  initializers::Initializer embeddings_initializer = "uniform";  // RandomUniform(-0.05, 0.05)
  regularizers::Regularizer embeddings_regularizer = {};
  regularizers::Regularizer activity_regularizer = {};  // on the output, see Layer
  constraints::Constraint embeddings_constraint = {};
  bool mask_zero = false;  // id 0 is padding: the output carries a mask (see above)
  // Keras's weights=: the initial table (input_dim, output_dim); the layer is built at once.
  Tensor weights = {};
  // Keras 2's input_length: fixes the timestep dimension of the symbolic output, and acts as
  // input_shape=(input_length,) when input_shape is not given.
  std::optional<int64_t> input_length = std::nullopt;
  std::string name = {};
  OptionalDims input_shape = std::nullopt;  // Keras 2's input_shape=(...)
};

namespace internal {
// Puts the positional sizes of `layer`(input_dim, output_dim, options) into the options' fields,
// which must be left 0 or agree with them (ValueError naming `layer` otherwise).
void take_dims(const char* layer,
               int64_t input_dim,
               int64_t output_dim,
               int64_t& options_input_dim,
               int64_t& options_output_dim);
}  // namespace internal

class EmbeddingImpl : public Layer {
 public:
  explicit EmbeddingImpl(EmbeddingOptions options);
  std::string class_name() const override { return "Embedding"; }
  bool batch_independent() const override { return true; }
  // Keras's supports_masking = mask_zero (the mask is made in call).
  bool supports_masking() const override { return options_.mask_zero; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;

  int64_t input_dim() const { return options_.input_dim; }
  int64_t output_dim() const { return options_.output_dim; }
  bool mask_zero() const { return options_.mask_zero; }
  const std::optional<int64_t>& input_length() const { return options_.input_length; }
  const Variable& embeddings() const { return embeddings_; }

 protected:
  // The options a saved config gives (`who` names the class in errors).
  static EmbeddingOptions options_from_config(const Json& config, const char* who);

 private:
  EmbeddingOptions options_;
  Variable embeddings_;
};

class Embedding : public LayerHandle<EmbeddingImpl> {
 public:
  explicit Embedding(EmbeddingOptions options)
      : LayerHandle(std::make_shared<EmbeddingImpl>(std::move(options))) {}
  // Embedding(10000, 64) and Embedding(10000, 512, {.input_length = 100}). The positional sizes
  // are used; options.input_dim / output_dim must be left 0 or agree with them.
  Embedding(int64_t input_dim, int64_t output_dim, EmbeddingOptions options = {})
      : Embedding(with_dims(input_dim, output_dim, std::move(options))) {}

 private:
  static EmbeddingOptions with_dims(int64_t input_dim, int64_t output_dim, EmbeddingOptions o);
};

}  // namespace keras::layers
