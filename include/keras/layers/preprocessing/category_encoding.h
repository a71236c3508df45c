// CategoryEncoding (keras.layers.CategoryEncoding): integer ids in [0, num_tokens) to one-hot,
// multi-hot or count vectors.
//
//   auto onehot = layers::CategoryEncoding(4, {.output_mode = "one_hot"})(ids);  // (b, 1) -> (b,
//   4) auto bag = layers::CategoryEncoding(10)(ids);  // multi_hot: (b, k) -> (b, 10) auto weighted
//   = layers::CategoryEncoding(10, {.output_mode = "count"})(
//       ids, {.count_weights = weights});  // Keras's layer(ids, count_weights=weights)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/call_arguments.h"
#include "keras/layers/keras_tensor.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct CategoryEncodingOptions {
  // "one_hot", "multi_hot" (Keras's default; "binary" is its old name) or "count".
  std::string output_mode = "multi_hot";
  bool sparse = false;  // Keras's sparse outputs: NotImplementedError (no sparse tensors)
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// The call argument besides the ids: Keras's count_weights, a tensor of the ids' shape whose
// entries are summed in place of 1 for each id (output_mode "count" only).
struct CategoryEncodingCallOptions {
  KerasTensor count_weights;  // undefined: none
};

// Ids of any integer or floating dtype (floats truncated, as Keras casts them); an id outside
// [0, num_tokens) is an IndexError when the batch runs (Keras's TensorFlow backend raises too).
// one_hot: shape + (num_tokens,), a trailing axis of 1 replaced. multi_hot / count: over the last
// axis of a rank-1 or rank-2 input, (num_tokens,) or (batch, num_tokens); a 1 where an id occurs
// (multi_hot) or the number of times it occurs (count), or with count_weights the sum of the
// weights at its positions (the layer may also be called on the list {ids, count_weights}; a
// functional model saves the weights as the call's `count_weights` keyword, as Keras does:
// ValueError in Keras's wording for count_weights with another output_mode, or of another shape).
// Higher ranks are a ValueError (Keras's backends disagree on them). Output in the layer's dtype
// (float32). No weights, no masks. ValueError (Keras's wording) for num_tokens < 1 or another
// output_mode.
class CategoryEncodingImpl final : public Layer, public CustomCallArguments {
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

  SavedCallTensors bind_saved_call(const Json& args, const Json& kwargs) override;
  Json saved_call(const Node& node,
                  const std::vector<Json>& inputs,
                  const std::vector<Json>& masks) const override;
  Tensors call_node(const Node& node, const Tensors& inputs, bool training) override;
  bool same_call(const Node& a, const Node& b) const override;

 private:
  int64_t num_tokens_;
  CategoryEncodingOptions options_;
};

class CategoryEncoding : public LayerHandle<CategoryEncodingImpl> {
 public:
  explicit CategoryEncoding(int64_t num_tokens, CategoryEncodingOptions options = {})
      : LayerHandle(std::make_shared<CategoryEncodingImpl>(num_tokens, std::move(options))) {}
  using LayerRef::operator();
  KerasTensor operator()(const KerasTensor& ids, const CategoryEncodingCallOptions& call) const {
    return call.count_weights.defined()
               ? LayerRef::operator()(KerasTensors{ids, call.count_weights})
               : LayerRef::operator()(ids);
  }
  // Eager, with count_weights.
  Tensor operator()(const Tensor& ids, const Tensor& count_weights) const {
    return (*layer())(Tensors{ids, count_weights}).at(0);
  }
};

}  // namespace keras::layers
