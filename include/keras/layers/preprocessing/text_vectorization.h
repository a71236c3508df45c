// TextVectorization (keras.layers.TextVectorization): strings to token indices (or their
// multi_hot / count / tf_idf encodings): each string standardized, split into tokens, optionally
// into n-grams, and the tokens looked up in a vocabulary (a StringLookup with mask token "", so
// index 0 is padding and 1 the OOV token "[UNK]").
//
//   auto text = Input({.shape = {1}, .dtype = string_});
//   layers::TextVectorization vectorize({.max_tokens = 20000, .output_sequence_length = 200});
//   vectorize->adapt(Tensor::from_strings({"The cat sat.", "The dog!"}));
//   auto ids = vectorize(text);  // (batch, 200) int64
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"
#include "keras/layers/own_state.h"
#include "keras/layers/preprocessing/string_lookup.h"

namespace keras::layers {

struct TextVectorizationOptions {
  // The most indices (padding and OOV included), or no limit.
  std::optional<int64_t> max_tokens = std::nullopt;
  // "lower_and_strip_punctuation", "lower" (ASCII letters, as TensorFlow's strings.lower),
  // "strip_punctuation" (ASCII punctuation) or "" (none; Keras's None).
  std::string standardize = "lower_and_strip_punctuation";
  // "whitespace" (runs of ASCII whitespace, leading and trailing dropped), "character" (UTF-8
  // code points) or "" (none: each string is one token).
  std::string split = "whitespace";
  // N-grams of the tokens joined by " ": none, {n} for 1..n (Keras's integer), or the widths
  // themselves (Keras's tuple, ngrams_widths = true).
  std::vector<int64_t> ngrams = {};
  bool ngrams_widths = false;
  // "int" (int64 indices, (batch, output_sequence_length), 0-padded), "one_hot", "multi_hot",
  // "count" or "tf_idf" ((batch, vocabulary size) float32).
  std::string output_mode = "int";
  // "int" only: pads or truncates every row to this many tokens (none: the longest row's).
  std::optional<int64_t> output_sequence_length = std::nullopt;
  bool pad_to_max_tokens = false;
  std::optional<std::vector<std::string>> vocabulary = std::nullopt;
  std::optional<std::vector<double>> idf_weights = std::nullopt;  // tf_idf only
  bool sparse = false;  // not available (no sparse tensors)
  bool ragged = false;  // not available (no ragged tensors)
  std::string encoding = "utf-8";
  std::string name = {};
};

// Inputs: strings of shape (batch,) or (batch, 1) (any shape when split is ""). Errors in
// Keras's wording for another standardize, split or output_mode, output_sequence_length outside
// "int", a non-positive n-gram width, and a (batch, n > 1) input to split; sparse and ragged are
// NotImplementedError. Saving as StringLookup's: the vocabulary in assets (or in the config),
// tf_idf's weights as the layer's variables.
class TextVectorizationImpl final : public Layer, public OwnState {
 public:
  explicit TextVectorizationImpl(TextVectorizationOptions options);
  std::string class_name() const override { return "TextVectorization"; }
  // Rows are independent unless "int" pads them to the longest row of the batch; that case (and
  // the encodings', whose tokens' width is the batch's) is not traceable.
  bool batch_independent() const override;
  bool traceable() const override;
  bool takes_strings() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  Json get_config() const override;
  Json get_build_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

  // The tokens of `data` (strings, as call() splits them), counted as StringLookup::adapt counts
  // them (a row is a document).
  void adapt(const Tensor& data);
  void set_vocabulary(const std::vector<std::string>& vocabulary,
                      const std::optional<std::vector<double>>& idf_weights = std::nullopt);
  std::vector<std::string> get_vocabulary(bool include_special_tokens = true) const;
  int64_t vocabulary_size() const;
  // The tokens of each string, standardized, split and n-grammed, padded with "" to one length
  // (`length`, or the longest row's when none): (rows, length); the input itself when split is "".
  Tensor tokens(const Tensor& strings, std::optional<int64_t> length) const;

  std::map<std::string, Tensor> save_own_variables() const override;
  void load_own_variables(const std::map<std::string, Tensor>& store) override;
  std::map<std::string, std::string> save_assets() const override;
  void load_assets(const std::map<std::string, std::string>& files) override;

 private:
  TextVectorizationImpl(TextVectorizationOptions options, std::shared_ptr<StringLookupImpl> lookup);
  TextVectorizationOptions options_;
  std::shared_ptr<StringLookupImpl> lookup_;
};

class TextVectorization : public LayerHandle<TextVectorizationImpl> {
 public:
  explicit TextVectorization(TextVectorizationOptions options = {})
      : LayerHandle(std::make_shared<TextVectorizationImpl>(std::move(options))) {}
};

}  // namespace keras::layers
