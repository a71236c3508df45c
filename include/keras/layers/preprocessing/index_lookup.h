// IndexLookupImpl: what IntegerLookup and StringLookup share (Keras's IndexLookup): tokens to
// their index in a vocabulary, or, with invert, indices back to tokens; the indices optionally
// encoded (one_hot, multi_hot, count, tf_idf). The vocabulary is given or learned by adapt().
// `Options` is IntegerLookupOptions (int64 tokens) or StringLookupOptions (string tokens); see
// integer_lookup.h and string_lookup.h for the options and the layers' contracts.
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

template <class Options>
class IndexLookupImpl : public Layer, public OwnState {
 public:
  using Token = std::decay_t<decltype(Options{}.oov_token)>;

  bool batch_independent() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  Json get_config() const override;
  Json get_build_config() const override;

  // Keras's adapt(data): the distinct tokens of `data` (any shape; a 1-D tensor is one token per
  // row), mask and OOV tokens left out, most frequent first (ties: the larger token first, as
  // Keras's reversed lexsort; strings compare by their UTF-8 bytes), at most max_tokens minus the
  // special indices; in tf_idf mode their inverse document frequencies
  // log(1 + rows / (1 + rows holding the token)).
  void adapt(const Tensor& data);
  // Replaces the vocabulary (and tf_idf's weights), checked as the constructor checks it.
  void set_vocabulary(const std::vector<Token>& vocabulary,
                      const std::optional<std::vector<double>>& idf_weights = std::nullopt);
  // The token at each index (special tokens first unless include_special_tokens is false).
  std::vector<Token> get_vocabulary(bool include_special_tokens = true) const;
  int64_t vocabulary_size() const;

  std::map<std::string, Tensor> save_own_variables() const override;
  void load_own_variables(const std::map<std::string, Tensor>& store) override;
  std::map<std::string, std::string> save_assets() const override;
  void load_assets(const std::map<std::string, std::string>& files) override;

  struct Table;  // the lookup, shared with the kernels of traced plans

 protected:
  // `what` is the class name, for Keras's messages ("IntegerLookup", "StringLookup").
  IndexLookupImpl(Options options, const char* what, const char* default_name);
  // The common config keys into `o` (from_config of both layers).
  static void read_config(const Json& config, Options& o, const char* what);
  // Keras's vocabulary_size from a config: an adapted vocabulary that the archive's assets hold.
  void restore_vocabulary_size(const Json& size);
  const Options& options() const { return options_; }

 private:
  // The vocabulary (without the special tokens) and tf_idf's weights (one per index), after the
  // check that an encoding's size does not change.
  void install(const std::vector<Token>& tokens, std::vector<float> idf);
  int64_t oov_start() const;
  int64_t token_start() const;
  int64_t depth() const;
  const char* what_;
  Options options_;
  std::shared_ptr<Table> table_;
  std::optional<int64_t> frozen_size_;  // Keras's vocabulary_size in the config
  bool vocabulary_missing_ = false;     // from a config whose vocabulary was in assets
};

}  // namespace keras::layers
