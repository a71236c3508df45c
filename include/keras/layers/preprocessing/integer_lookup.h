// IntegerLookup (keras.layers.IntegerLookup): integers to their index in a vocabulary, or, with
// invert, indices back to integers; the indices optionally encoded (one_hot, multi_hot, count,
// tf_idf). The vocabulary is given or learned from data by adapt().
//
//   auto ids = layers::IntegerLookup({.vocabulary = std::vector<int64_t>{12, 36, 1138, 42}})(x);
//   // 12 -> 1, 36 -> 2, 1138 -> 3, 42 -> 4, anything else -> 0 (the OOV index)
//   layers::IntegerLookup lookup({.max_tokens = 1000, .output_mode = "multi_hot"});
//   lookup->adapt(samples);  // the most frequent values, most frequent first
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/preprocessing/index_lookup.h"

namespace keras::layers {

struct IntegerLookupOptions {
  // The most indices (OOV and mask indices included; at least 2), or no limit.
  std::optional<int64_t> max_tokens = std::nullopt;
  // How many OOV indices: 0 (an integer outside the vocabulary is an error when the layer runs),
  // 1 (all map to one index) or more (integer x goes to OOV index floormod(x, n)).
  int64_t num_oov_indices = 1;
  // An integer that maps to index 0 (output_mode "int") or to nothing (the encodings), and back.
  std::optional<int64_t> mask_token = std::nullopt;
  int64_t oov_token = -1;  // what invert gives for an OOV index
  // The vocabulary (distinct integers, optionally preceded by the mask and OOV tokens in that
  // order), or none: set_vocabulary() or adapt() before the first call.
  std::optional<std::vector<int64_t>> vocabulary = std::nullopt;
  // tf_idf only, one weight per vocabulary entry (required with a vocabulary in tf_idf mode).
  std::optional<std::vector<double>> idf_weights = std::nullopt;
  bool invert = false;  // indices to integers (output_mode "int" only)
  // "int" (int64 indices, the input's shape), "one_hot", "multi_hot" ("binary"), "count" or
  // "tf_idf" ("tf-idf"): vectors of vocabulary_size() entries in the layer's dtype (float32)
  // (max_tokens with pad_to_max_tokens), as CategoryEncoding encodes the indices; tf_idf is count x
  // idf_weights.
  std::string output_mode = "int";
  bool sparse = false;  // Keras's sparse outputs: not available (no sparse tensors)
  bool pad_to_max_tokens = false;
  // How an OOV integer picks one of several OOV indices: "floormod" (Keras's default for
  // integers) or "farmhash" (FarmHash's Fingerprint64 of its decimal text modulo n, or with a
  // salt SipHash-2-4 keyed by it, as TensorFlow's to_hash_bucket_fast / _strong).
  std::string oov_method = "floormod";
  std::vector<int64_t> salt = {};  // "farmhash" only: none, one value (used twice) or two
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Inputs of any integer dtype (int32, int64, uint8); floating-point ones are a TypeError.
// Index layout, as Keras's: [mask (output_mode "int" with a mask_token)] [num_oov_indices OOV
// indices] [the vocabulary, in order]. The encodings leave out masked values (a row of zeros for
// one_hot) and reduce multi_hot / count / tf_idf over the last axis of a rank-1 or rank-2 input.
// Errors in Keras's wording: max_tokens <= 1, num_oov_indices < 0, pad_to_max_tokens without
// max_tokens, invert with an encoding, idf_weights outside tf_idf (or missing there), a repeated
// or misplaced vocabulary entry, a vocabulary larger than max_tokens, an encoding called before
// its vocabulary is set, adapt() after a vocabulary was given, and (when the layer runs) an OOV
// integer with num_oov_indices = 0.
//
// Saving: a vocabulary given to the constructor is in get_config(); one set by adapt() or
// set_vocabulary() is written, as Keras 3 writes it, to the .keras archive as
// assets/<layer path>/vocabulary.txt, and tf_idf's weights to the layer's vars/idf_weights.
// The members (adapt, set_vocabulary, get_vocabulary, vocabulary_size) are IndexLookupImpl's.
class IntegerLookupImpl final : public IndexLookupImpl<IntegerLookupOptions> {
 public:
  explicit IntegerLookupImpl(IntegerLookupOptions options);
  std::string class_name() const override { return "IntegerLookup"; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
};

class IntegerLookup : public LayerHandle<IntegerLookupImpl> {
 public:
  explicit IntegerLookup(IntegerLookupOptions options = {})
      : LayerHandle(std::make_shared<IntegerLookupImpl>(std::move(options))) {}
};

}  // namespace keras::layers
