// Dropout, Flatten, Reshape, Masking and Identity (keras.layers).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/core/random.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct DropoutOptions {
  // The mask's shape, one entry per input dim, None (std::nullopt) for the input's: e.g.
  // {std::nullopt, 1, 1, 1} drops whole samples (EfficientNet's drop-connect). Default: the
  // input's shape. Each entry must be 1 or the input's dim (ValueError when called).
  OptionalDims noise_shape = std::nullopt;
  std::optional<uint64_t> seed = std::nullopt;
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

// Dropout(rate): during training, zeroes inputs with probability `rate` (whole slices where
// noise_shape has 1s) and scales the rest by 1 / (1 - rate); at inference, the identity.
class DropoutImpl final : public Layer {
 public:
  DropoutImpl(double rate, DropoutOptions options);
  std::string class_name() const override { return "Dropout"; }
  bool batch_independent() const override { return true; }
  bool supports_masking() const override { return true; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  double rate() const { return rate_; }
  std::vector<Generator*> seed_generators() override {
    return generator_ ? std::vector<Generator*>{&*generator_} : std::vector<Generator*>{};
  }

 private:
  double rate_;
  std::optional<uint64_t> seed_;
  OptionalDims noise_shape_;
  std::optional<Generator> generator_;  // when seeded
};

class Dropout : public LayerHandle<DropoutImpl> {
 public:
  explicit Dropout(double rate, DropoutOptions options = {})
      : LayerHandle(std::make_shared<DropoutImpl>(rate, std::move(options))) {}
};

struct FlattenOptions {
  // "channels_first": inputs of rank >= 3 are (batch, channels, ...) and are flattened in
  // channels_last order (channels moved last first), as Keras does.
  std::string data_format = "channels_last";
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

// Flatten: (batch, d1, d2, ...) -> (batch, d1 * d2 * ...). Non-batch dims must be known.
class FlattenImpl final : public Layer {
 public:
  explicit FlattenImpl(FlattenOptions options);
  std::string class_name() const override { return "Flatten"; }
  bool batch_independent() const override { return true; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;

 private:
  std::string data_format_;
};

class Flatten : public LayerHandle<FlattenImpl> {
 public:
  explicit Flatten(FlattenOptions options = {})
      : LayerHandle(std::make_shared<FlattenImpl>(std::move(options))) {}
};

struct ReshapeOptions {
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

// Reshape(target_shape): (batch, ...) -> (batch, *target_shape); one entry may be -1.
class ReshapeImpl final : public Layer {
 public:
  ReshapeImpl(Shape target_shape, ReshapeOptions options);
  std::string class_name() const override { return "Reshape"; }
  bool batch_independent() const override { return true; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;

 private:
  Shape target_shape_;
};

class Reshape : public LayerHandle<ReshapeImpl> {
 public:
  explicit Reshape(Shape target_shape, ReshapeOptions options = {})
      : LayerHandle(std::make_shared<ReshapeImpl>(std::move(target_shape), std::move(options))) {}
};

struct MaskingOptions {
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

// Masking(mask_value): masks the timesteps whose features all equal mask_value. The output is the
// input with those steps zeroed, carrying the Keras mask any(x != mask_value, axis=-1) that the
// recurrent layers downstream skip steps by. Input rank >= 2.
class MaskingImpl final : public Layer {
 public:
  MaskingImpl(double mask_value, MaskingOptions options);
  std::string class_name() const override { return "Masking"; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  bool batch_independent() const override { return true; }
  bool supports_masking() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  double mask_value() const { return mask_value_; }

 private:
  double mask_value_;
};

class Masking : public LayerHandle<MaskingImpl> {
 public:
  explicit Masking(double mask_value = 0.0, MaskingOptions options = {})
      : LayerHandle(std::make_shared<MaskingImpl>(mask_value, std::move(options))) {}
};

struct IdentityOptions {
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

// Identity: returns its inputs (any number, any dtype) as they are, masks included.
class IdentityImpl final : public Layer {
 public:
  explicit IdentityImpl(IdentityOptions options);
  std::string class_name() const override { return "Identity"; }
  static std::shared_ptr<Layer> from_config(const Json& config);
  bool batch_independent() const override { return true; }
  bool supports_masking() const override { return true; }
  Tensors compute_mask(const Tensors& inputs,
                       const Tensors& masks,
                       const Tensors& outputs) const override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
};

class Identity : public LayerHandle<IdentityImpl> {
 public:
  explicit Identity(IdentityOptions options = {})
      : LayerHandle(std::make_shared<IdentityImpl>(std::move(options))) {}
};

}  // namespace keras::layers
