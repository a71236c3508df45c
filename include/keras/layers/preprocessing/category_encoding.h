// CategoryEncoding (keras.layers.CategoryEncoding): integer ids in [0, num_tokens) to one-hot,
// multi-hot or count vectors.
//
//   auto onehot = layers::CategoryEncoding(4, {.output_mode = "one_hot"})(ids);   // (b, 1) -> (b,
//   4) auto bag = layers::CategoryEncoding(10)(ids);  // multi_hot: (b, k) -> (b, 10)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct CategoryEncodingOptions {
  // "one_hot", "multi_hot" (Keras's default; "binary" is its old name) or "count".
  std::string output_mode = "multi_hot";
  bool sparse = false;  // Keras's sparse outputs: NotImplementedError (no sparse tensors)
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Ids of any integer or floating dtype (floats truncated, as Keras casts them); an id outside
// [0, num_tokens) is an IndexError when the batch runs (Keras's TensorFlow backend raises too).
// one_hot: shape + (num_tokens,), a trailing axis of 1 replaced. multi_hot / count: over the last
// axis of a rank-1 or rank-2 input, (num_tokens,) or (batch, num_tokens); a 1 where an id occurs
// (multi_hot) or the number of times it occurs (count). Higher ranks are a ValueError (Keras's
// backends disagree on them). Output in the layer's dtype (float32). No weights, no masks.
// ValueError (Keras's wording) for num_tokens < 1 or another output_mode.
class CategoryEncodingImpl final : public Layer {
 public:
  CategoryEncodingImpl(int64_t num_tokens, CategoryEncodingOptions options);
  std::string class_name() const override { return "CategoryEncoding"; }
  bool batch_independent() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  int64_t num_tokens_;
  CategoryEncodingOptions options_;
};

class CategoryEncoding : public LayerHandle<CategoryEncodingImpl> {
 public:
  explicit CategoryEncoding(int64_t num_tokens, CategoryEncodingOptions options = {})
      : LayerHandle(std::make_shared<CategoryEncodingImpl>(num_tokens, std::move(options))) {}
};

}  // namespace keras::layers
