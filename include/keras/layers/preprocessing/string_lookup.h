// StringLookup (keras.layers.StringLookup): strings to their index in a vocabulary, or, with
// invert, indices back to strings; the indices optionally encoded (one_hot, multi_hot, count,
// tf_idf). The vocabulary is given or learned from data by adapt().
//
//   auto x = Input({.shape = {1}, .dtype = string_});
//   auto ids = layers::StringLookup({.vocabulary = std::vector<std::string>{"a", "b", "c"}})(x);
//   // "a" -> 1, "b" -> 2, "c" -> 3, anything else -> 0 (the OOV index, "[UNK]")
//   layers::StringLookup lookup({.max_tokens = 1000, .output_mode = "multi_hot"});
//   lookup->adapt(Tensor::from_strings({"the", "cat", "the"}));  // most frequent first
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/preprocessing/index_lookup.h"

namespace keras::layers {

struct StringLookupOptions {
  // The most indices (OOV and mask indices included; at least 2), or no limit.
  std::optional<int64_t> max_tokens = std::nullopt;
  // How many OOV indices: 0 (a string outside the vocabulary is an error when the layer runs),
  // 1 (all map to one index) or more (a string goes to OOV index FarmHash Fingerprint64(bytes)
  // modulo n, or with a salt SipHash-2-4 keyed by it, as TensorFlow's to_hash_bucket_fast /
  // _strong).
  int64_t num_oov_indices = 1;
  // A string that maps to index 0 (output_mode "int") or to nothing (the encodings), and back.
  std::optional<std::string> mask_token = std::nullopt;
  std::string oov_token = "[UNK]";  // what invert gives for an OOV index
  // The vocabulary (distinct strings, optionally preceded by the mask and OOV tokens in that
  // order), or none: set_vocabulary() or adapt() before the first call.
  std::optional<std::vector<std::string>> vocabulary = std::nullopt;
  // tf_idf only, one weight per vocabulary entry (required with a vocabulary in tf_idf mode).
  std::optional<std::vector<double>> idf_weights = std::nullopt;
  bool invert = false;  // indices to strings (output_mode "int" only)
  // "int" (int64 indices, the input's shape), "one_hot", "multi_hot" ("binary"), "count" or
  // "tf_idf" ("tf-idf"): vectors of vocabulary_size() entries in the layer's dtype (float32), as
  // IntegerLookup's.
  std::string output_mode = "int";
  bool sparse = false;  // Keras's sparse outputs: not available (no sparse tensors)
  bool pad_to_max_tokens = false;
  std::string encoding = "utf-8";  // the strings' encoding: UTF-8 only
  std::vector<int64_t> salt = {};  // OOV hashing: none, one value (used twice) or two
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Inputs of dtype string (Input({.dtype = string_}), Tensor::from_strings), any shape; a string
// matches a vocabulary entry when their bytes are equal. Outputs, index layout, encodings, errors
// and saving (assets/<layer path>/vocabulary.txt, one string per line) as IntegerLookup's; invert
// gives strings. A numeric input is a TypeError.
class StringLookupImpl final : public IndexLookupImpl<StringLookupOptions> {
 public:
  explicit StringLookupImpl(StringLookupOptions options);
  std::string class_name() const override { return "StringLookup"; }
  bool takes_strings() const override { return true; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
};

class StringLookup : public LayerHandle<StringLookupImpl> {
 public:
  explicit StringLookup(StringLookupOptions options = {})
      : LayerHandle(std::make_shared<StringLookupImpl>(std::move(options))) {}
};

}  // namespace keras::layers
