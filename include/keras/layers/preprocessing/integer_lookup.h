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

#include "keras/layers/layer.h"
#include "keras/layers/own_state.h"

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
class IntegerLookupImpl final : public Layer, public OwnState {
 public:
  explicit IntegerLookupImpl(IntegerLookupOptions options);
  std::string class_name() const override { return "IntegerLookup"; }
  bool batch_independent() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  Json get_config() const override;
  Json get_build_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

  // Keras's adapt(data): the distinct values of `data` (integers of any shape; a 1-D tensor is
  // one value per row), mask and OOV tokens left out, most frequent first (ties: the larger
  // value first), at most max_tokens minus the special indices; in tf_idf mode their inverse
  // document frequencies log(1 + rows / (1 + rows holding the value)).
  void adapt(const Tensor& data);
  // Replaces the vocabulary (and tf_idf's weights), checked as the constructor checks it.
  void set_vocabulary(const std::vector<int64_t>& vocabulary,
                      const std::optional<std::vector<double>>& idf_weights = std::nullopt);
  // The integer at each index (special tokens first unless include_special_tokens is false).
  std::vector<int64_t> get_vocabulary(bool include_special_tokens = true) const;
  int64_t vocabulary_size() const;

  std::map<std::string, Tensor> save_own_variables() const override;
  void load_own_variables(const std::map<std::string, Tensor>& store) override;
  std::map<std::string, std::string> save_assets() const override;
  void load_assets(const std::map<std::string, std::string>& files) override;

  struct Table;  // the lookup, shared with the kernels of traced plans

 private:
  // The vocabulary (without the special tokens) and tf_idf's weights (one per index), after the
  // check that an encoding's size does not change.
  void install(const std::vector<int64_t>& tokens, std::vector<float> idf);
  int64_t oov_start() const;
  int64_t token_start() const;
  int64_t depth() const;
  IntegerLookupOptions options_;
  std::shared_ptr<Table> table_;
  std::optional<int64_t> frozen_size_;  // Keras's vocabulary_size in the config
  bool vocabulary_missing_ = false;     // from a config whose vocabulary was in assets
};

class IntegerLookup : public LayerHandle<IntegerLookupImpl> {
 public:
  explicit IntegerLookup(IntegerLookupOptions options = {})
      : LayerHandle(std::make_shared<IntegerLookupImpl>(std::move(options))) {}
};

}  // namespace keras::layers
