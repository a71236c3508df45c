// The base of the image layers whose output has their input's shape (Keras 3's
// BaseImagePreprocessingLayer): images (batch, H, W, C) or unbatched (H, W, C) (channels_first:
// C first), output in the layer's dtype, an optional generator of their own, and data_format.
// Not a layer of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keras/core/random.h"
#include "keras/layers/layer.h"

namespace keras::layers {

class ImageLayerImpl : public Layer {
 public:
  // The input's shape; ValueError (naming the class) for a rank other than 3 or 4.
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  std::vector<Generator*> seed_generators() override {
    return generator_ ? std::vector<Generator*>{&*generator_} : std::vector<Generator*>{};
  }
  const std::string& data_format() const { return data_format_; }

 protected:
  // `what` is the class name, for messages; `prefix` the default name's prefix; a seed gives the
  // layer a generator of its own. ValueError (Keras's words) for another data_format.
  ImageLayerImpl(const std::string& name,
                 std::string_view prefix,
                 const std::optional<std::vector<Dim>>& input_shape,
                 const char* what,
                 std::string data_format,
                 std::optional<uint64_t> seed);
  // x in the layer's dtype, its rank checked; `axes` gets its height and width axes.
  Tensor images(const Tensor& x, std::pair<int, int>* axes = nullptr) const;
  // The layer's own generator, or nullptr for the global one.
  Generator* generator() { return generator_ ? &*generator_ : nullptr; }
  // Layer's config plus data_format: the keys every image layer writes first.
  Json image_config() const;
  // The seed as a config writes it (null when not seeded).
  Json seed_json() const;

 private:
  const char* what_;
  std::string data_format_;
  std::optional<uint64_t> seed_;
  std::optional<Generator> generator_;
};

}  // namespace keras::layers
