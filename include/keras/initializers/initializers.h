// Weight initializers (keras.initializers), with Keras 3's formulas and defaults.
//
// An Initializer is a value: construct it from a Keras name ("glorot_uniform", "zeros", ...) or
// from a factory below (GlorotUniform({.seed = 1}), Constant(0.5), ...). Calling it makes a new
// tensor. Fans follow Keras: rank 1 -> fan_in = fan_out = shape[0]; rank 2 -> shape[0],
// shape[1]; higher ranks multiply the receptive field (shape[:-2]) into both.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "keras/config/json_fwd.h"
#include "keras/core/tensor.h"

namespace keras::initializers {

class Initializer {
 public:
  using Fn = std::function<Tensor(const Shape&, DType)>;
  // Looks the name up; throws ValueError ("Could not interpret initializer identifier: ...").
  Initializer(const char* name);         // NOLINT(google-explicit-constructor): Keras spelling
  Initializer(const std::string& name);  // NOLINT(google-explicit-constructor)
  // The values of `value` (Keras's initializers.get(tensor)): calling it with another shape is a
  // ValueError; the result is a copy cast to the requested dtype. Not serializable.
  explicit Initializer(const Tensor& value);
  // A custom initializer: not serializable unless `config` (its Keras config dict) is given and
  // `name` is a class that deserialize() knows.
  Initializer(std::string name, Fn fn, std::shared_ptr<const Json> config = nullptr)
      : name_(std::move(name)), fn_(std::move(fn)), config_(std::move(config)) {}

  Tensor operator()(const Shape& shape, DType dtype = float32) const { return fn_(shape, dtype); }
  // The Keras class name, e.g. "GlorotUniform".
  const std::string& name() const { return name_; }
  // The Keras config dict ({"seed": null} for GlorotUniform); throws NotImplementedError for a
  // custom initializer made from a C++ function.
  Json get_config() const;

 private:
  std::string name_;
  Fn fn_;
  std::shared_ptr<const Json> config_;
};

struct SeedOptions {
  std::optional<uint64_t> seed = std::nullopt;
};
struct RandomOptions {
  double mean = 0.0;
  double stddev = 0.05;
  std::optional<uint64_t> seed = std::nullopt;
};
struct UniformOptions {
  double minval = -0.05;
  double maxval = 0.05;
  std::optional<uint64_t> seed = std::nullopt;
};
struct VarianceScalingOptions {
  double scale = 1.0;
  std::string mode = "fan_in";                    // fan_in, fan_out, fan_avg
  std::string distribution = "truncated_normal";  // truncated_normal, untruncated_normal, uniform
  std::optional<uint64_t> seed = std::nullopt;
};
struct OrthogonalOptions {
  double gain = 1.0;
  std::optional<uint64_t> seed = std::nullopt;
};

Initializer Zeros();
Initializer Ones();
Initializer Constant(double value);
Initializer RandomUniform(UniformOptions options = {});
Initializer RandomNormal(RandomOptions options = {});
Initializer TruncatedNormal(RandomOptions options = {});
Initializer VarianceScaling(VarianceScalingOptions options = {});
Initializer GlorotUniform(SeedOptions options = {});
Initializer GlorotNormal(SeedOptions options = {});
Initializer HeUniform(SeedOptions options = {});
Initializer HeNormal(SeedOptions options = {});
Initializer LecunUniform(SeedOptions options = {});
Initializer LecunNormal(SeedOptions options = {});
Initializer Orthogonal(OrthogonalOptions options = {});
// gain times the identity matrix (keras.initializers.Identity): 2-D shapes only (ValueError
// otherwise), any dtype.
struct IdentityOptions {
  double gain = 1.0;
};
Initializer Identity(IdentityOptions options = {});

// Keras 3's serialized form: {"module": "keras.initializers", "class_name": "GlorotUniform",
// "config": {"seed": null}, "registered_name": null}.
Json serialize(const Initializer& initializer);
// From that form, Keras 2's {"class_name", "config"} or a name string. Throws ValueError for an
// unknown class or bad config values.
Initializer deserialize(const Json& j);

// (fan_in, fan_out) as Keras computes them.
std::pair<double, double> compute_fans(const Shape& shape);

}  // namespace keras::initializers
