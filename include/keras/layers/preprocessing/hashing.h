// Hashing (keras.layers.Hashing): strings, or integers (or numbers, truncated to integers), to
// one of num_bins bins by a stable hash of their bytes (a number's: its decimal text), optionally
// encoded.
//
//   auto bins = layers::Hashing(3)(ids);                      // int64 in [0, 3)
//   auto hot = layers::Hashing(8, {.mask_value = 0, .output_mode = "multi_hot"})(ids);
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct HashingOptions {
  // A value that goes to bin 0 (the others then share bins 1 .. num_bins - 1).
  std::optional<double> mask_value = std::nullopt;
  // The same for string inputs: a string that goes to bin 0 (Keras's mask_value="...").
  std::optional<std::string> mask_string = std::nullopt;
  // No salt (FarmHash's Fingerprint64, TensorFlow's to_hash_bucket_fast), or one value (used
  // twice) or two: the key of SipHash-2-4 (to_hash_bucket_strong).
  std::vector<int64_t> salt = {};
  // "int" (bin indices in the layer's dtype, int64 unless int32 is asked for), "one_hot",
  // "multi_hot" or "count" (float32 vectors of num_bins entries, as CategoryEncoding encodes).
  std::string output_mode = "int";
  bool sparse = false;  // Keras's sparse outputs: not available (no sparse tensors)
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Keras 3 (and TensorFlow) hash the decimal text of each value (tf.as_string): integers as they
// are, floating-point values truncated to int64 first (NaN and values out of range: the smallest
// int64, as x86's conversion gives), strings as their bytes; the bin is hash % bins, so keras.cpp
// gives Keras's bins. A numeric mask_value never matches a string, nor mask_string a number.
// ValueError in Keras's wording for
// num_bins < 1, another output_mode, sparse with "int", a salt of other than one or two values,
// and a non-integer dtype with "int".
class HashingImpl final : public Layer {
 public:
  HashingImpl(int64_t num_bins, HashingOptions options);
  std::string class_name() const override { return "Hashing"; }
  bool batch_independent() const override { return true; }
  bool takes_strings() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  int64_t num_bins_;
  HashingOptions options_;
};

class Hashing : public LayerHandle<HashingImpl> {
 public:
  explicit Hashing(int64_t num_bins, HashingOptions options = {})
      : LayerHandle(std::make_shared<HashingImpl>(num_bins, std::move(options))) {}
};

}  // namespace keras::layers
