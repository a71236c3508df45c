#include "keras/initializers/initializers.h"

#include <cmath>
#include <vector>

#include "keras/config/json.h"
#include "keras/ops/random.h"

namespace keras::initializers {
namespace {

std::shared_ptr<const Json> cfg(Json j) {
  return std::make_shared<const Json>(std::move(j));
}
Json seed_json(std::optional<uint64_t> seed) {
  return seed ? Json(*seed) : Json(nullptr);
}

void check_float(DType dtype, const std::string& name) {
  KERAS_CHECK(is_floating(dtype), TypeError, name, " initializer: expected a float dtype, got ",
              dtype);
}

Initializer variance_scaling(const std::string& name,
                             double scale,
                             const std::string& mode,
                             const std::string& distribution,
                             std::optional<uint64_t> seed,
                             Json config) {
  KERAS_CHECK(scale > 0, ValueError,
              "Argument `scale` must be positive float. Received: scale=", scale);
  KERAS_CHECK(mode == "fan_in" || mode == "fan_out" || mode == "fan_avg", ValueError,
              "Invalid `mode` argument: expected one of {'fan_in', 'fan_out', 'fan_avg'}. "
              "Received: mode=",
              mode);
  KERAS_CHECK(distribution == "truncated_normal" || distribution == "untruncated_normal" ||
                  distribution == "uniform" || distribution == "normal",
              ValueError,
              "Invalid `distribution` argument: expected one of {'normal', "
              "'uniform', 'truncated_normal', 'untruncated_normal'}. Received: distribution=",
              distribution);
  return Initializer(
      name,
      [=](const Shape& shape, DType dtype) {
        check_float(dtype, name);
        auto [fan_in, fan_out] = compute_fans(shape);
        double n = mode == "fan_in" ? fan_in : mode == "fan_out" ? fan_out : (fan_in + fan_out) / 2;
        const double s = scale / std::max(1.0, n);
        if (distribution == "uniform") {
          const double limit = std::sqrt(3.0 * s);
          return random::uniform(shape, -limit, limit, dtype, seed);
        }
        if (distribution == "untruncated_normal") {
          return random::normal(shape, 0.0, std::sqrt(s), dtype, seed);
        }
        // 0.879... is the stddev of a standard normal truncated to [-2, 2].
        return random::truncated_normal(shape, 0.0, std::sqrt(s) / 0.87962566103423978, dtype,
                                        seed);
      },
      cfg(std::move(config)));
}

// Orthogonal matrix by modified Gram–Schmidt on a normal matrix, signs fixed as in QR.
Tensor orthogonal(const Shape& shape, DType dtype, double gain, std::optional<uint64_t> seed) {
  KERAS_CHECK(shape.size() >= 2, ValueError,
              "Orthogonal initializer requires a shape of rank >= 2, got ", shape_str(shape));
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < shape.size(); ++i) rows *= shape[i];
  const int64_t cols = shape.back();
  const bool flip = rows < cols;
  const int64_t n = flip ? cols : rows, k = flip ? rows : cols;  // n x k, n >= k
  // Gram-Schmidt runs on the host: initializers run once, outside any traced step.
  Tensor a = random::normal({n, k}, 0.0, 1.0, float64, seed).cpu();
  double* q = a.data<double>();  // column j: q[i * k + j]
  for (int64_t j = 0; j < k; ++j) {
    for (int64_t p = 0; p < j; ++p) {
      double dot = 0;
      for (int64_t i = 0; i < n; ++i) dot += q[i * k + p] * q[i * k + j];
      for (int64_t i = 0; i < n; ++i) q[i * k + j] -= dot * q[i * k + p];
    }
    double norm = 0;
    for (int64_t i = 0; i < n; ++i) norm += q[i * k + j] * q[i * k + j];
    norm = std::sqrt(norm);
    for (int64_t i = 0; i < n; ++i) q[i * k + j] /= norm > 0 ? norm : 1.0;
  }
  Tensor out = Tensor::empty(shape, dtype, Device::cpu());
  visit_dtype(dtype, [&]<class T>() {
    T* o = out.data<T>();
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < cols; ++c) {
        o[r * cols + c] = static_cast<T>(gain * (flip ? q[c * k + r] : q[r * k + c]));
      }
    }
  });
  return out.to(default_device());
}

Initializer lookup(const std::string& name) {
  if (name == "zeros" || name == "Zeros" || name == "zero") return Zeros();
  if (name == "ones" || name == "Ones" || name == "one") return Ones();
  if (name == "constant" || name == "Constant") return Constant(0.0);
  if (name == "glorot_uniform" || name == "GlorotUniform") return GlorotUniform();
  if (name == "glorot_normal" || name == "GlorotNormal") return GlorotNormal();
  if (name == "he_uniform" || name == "HeUniform") return HeUniform();
  if (name == "he_normal" || name == "HeNormal") return HeNormal();
  if (name == "lecun_uniform" || name == "LecunUniform") return LecunUniform();
  if (name == "lecun_normal" || name == "LecunNormal") return LecunNormal();
  if (name == "random_uniform" || name == "RandomUniform" || name == "uniform") {
    return RandomUniform();
  }
  if (name == "random_normal" || name == "RandomNormal" || name == "normal") return RandomNormal();
  if (name == "truncated_normal" || name == "TruncatedNormal") return TruncatedNormal();
  if (name == "orthogonal" || name == "Orthogonal" || name == "OrthogonalInitializer") {
    return Orthogonal();
  }
  if (name == "identity" || name == "Identity" || name == "IdentityInitializer") return Identity();
  if (name == "variance_scaling" || name == "VarianceScaling") return VarianceScaling();
  throw ValueError(str("Could not interpret initializer identifier: ", excerpt(name)));
}

}  // namespace

Initializer::Initializer(const char* name) : Initializer(std::string(name)) {}
Initializer::Initializer(const std::string& name) : Initializer(lookup(name)) {}

Initializer::Initializer(const Tensor& value)
    : name_("Tensor"), fn_([value](const Shape& shape, DType dtype) {
        KERAS_CHECK(shape == value.shape(), ValueError, "Expected `shape` to be ",
                    shape_str(value.shape()),
                    " for direct tensor as initializer. Received shape=", shape_str(shape));
        return value.dtype() == dtype ? value.clone() : value.astype(dtype);
      }) {}

std::pair<double, double> compute_fans(const Shape& shape) {
  if (shape.empty()) return {1.0, 1.0};
  if (shape.size() == 1) return {double(shape[0]), double(shape[0])};
  if (shape.size() == 2) return {double(shape[0]), double(shape[1])};
  double receptive = 1;
  for (size_t i = 0; i + 2 < shape.size(); ++i) receptive *= double(shape[i]);
  return {double(shape[shape.size() - 2]) * receptive, double(shape.back()) * receptive};
}

Initializer Zeros() {
  return Initializer(
      "Zeros", [](const Shape& s, DType d) { return zeros(s, d); }, cfg(Json::object()));
}
Initializer Ones() {
  return Initializer(
      "Ones", [](const Shape& s, DType d) { return ones(s, d); }, cfg(Json::object()));
}
Initializer Constant(double value) {
  return Initializer(
      "Constant", [value](const Shape& s, DType d) { return full(s, value, d); },
      cfg({{"value", value}}));
}
Initializer RandomUniform(UniformOptions o) {
  return Initializer(
      "RandomUniform",
      [o](const Shape& s, DType d) {
        check_float(d, "RandomUniform");
        return random::uniform(s, o.minval, o.maxval, d, o.seed);
      },
      cfg({{"seed", seed_json(o.seed)}, {"minval", o.minval}, {"maxval", o.maxval}}));
}
Initializer RandomNormal(RandomOptions o) {
  return Initializer(
      "RandomNormal",
      [o](const Shape& s, DType d) {
        check_float(d, "RandomNormal");
        return random::normal(s, o.mean, o.stddev, d, o.seed);
      },
      cfg({{"seed", seed_json(o.seed)}, {"mean", o.mean}, {"stddev", o.stddev}}));
}
Initializer TruncatedNormal(RandomOptions o) {
  return Initializer(
      "TruncatedNormal",
      [o](const Shape& s, DType d) {
        check_float(d, "TruncatedNormal");
        return random::truncated_normal(s, o.mean, o.stddev, d, o.seed);
      },
      cfg({{"seed", seed_json(o.seed)}, {"mean", o.mean}, {"stddev", o.stddev}}));
}
Initializer VarianceScaling(VarianceScalingOptions o) {
  return variance_scaling("VarianceScaling", o.scale, o.mode, o.distribution, o.seed,
                          {{"seed", seed_json(o.seed)},
                           {"scale", o.scale},
                           {"mode", o.mode},
                           {"distribution", o.distribution}});
}
Initializer GlorotUniform(SeedOptions o) {
  return variance_scaling("GlorotUniform", 1.0, "fan_avg", "uniform", o.seed,
                          {{"seed", seed_json(o.seed)}});
}
Initializer GlorotNormal(SeedOptions o) {
  return variance_scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal", o.seed,
                          {{"seed", seed_json(o.seed)}});
}
Initializer HeUniform(SeedOptions o) {
  return variance_scaling("HeUniform", 2.0, "fan_in", "uniform", o.seed,
                          {{"seed", seed_json(o.seed)}});
}
Initializer HeNormal(SeedOptions o) {
  return variance_scaling("HeNormal", 2.0, "fan_in", "truncated_normal", o.seed,
                          {{"seed", seed_json(o.seed)}});
}
Initializer LecunUniform(SeedOptions o) {
  return variance_scaling("LecunUniform", 1.0, "fan_in", "uniform", o.seed,
                          {{"seed", seed_json(o.seed)}});
}
Initializer LecunNormal(SeedOptions o) {
  return variance_scaling("LecunNormal", 1.0, "fan_in", "truncated_normal", o.seed,
                          {{"seed", seed_json(o.seed)}});
}
Initializer Orthogonal(OrthogonalOptions o) {
  return Initializer(
      "Orthogonal",
      [o](const Shape& s, DType d) {
        check_float(d, "Orthogonal");
        return orthogonal(s, d, o.gain, o.seed);
      },
      cfg({{"seed", seed_json(o.seed)}, {"gain", o.gain}}));
}

Initializer Identity(IdentityOptions o) {
  return Initializer(
      "Identity",
      [o](const Shape& s, DType d) {
        KERAS_CHECK(s.size() == 2, ValueError,
                    "Identity matrix initializer can only be used for 2D matrices. Received: "
                    "shape=",
                    shape_str(s), " of rank ", s.size(), ".");
        Tensor eye = zeros(s, float64, Device::cpu());
        auto* p = eye.data<double>();
        for (int64_t i = 0; i < std::min(s[0], s[1]); ++i) p[i * s[1] + i] = o.gain;
        return eye.astype(d).to(default_device());
      },
      cfg({{"gain", o.gain}}));  // Keras writes {} (and loses the gain); it reads this back
}

Json Initializer::get_config() const {
  KERAS_CHECK(config_ != nullptr, NotImplementedError, "Initializer '", name_,
              "' is a C++ function and cannot be serialized; give it a config or use a Keras "
              "initializer");
  return *config_;
}

Json serialize(const Initializer& initializer) {
  return Json{{"module", "keras.initializers"},
              {"class_name", initializer.name()},
              {"config", initializer.get_config()},
              {"registered_name", nullptr}};
}

Initializer deserialize(const Json& j) {
  if (j.is_string()) return Initializer(j.get<std::string>());
  KERAS_CHECK(j.is_object(), ValueError,
              "Could not interpret initializer: ", config::json_excerpt(j));
  const auto name = config::require<std::string>(j, "class_name", "initializer");
  const Json config = config::find(j, "config") ? j["config"] : Json::object();
  const char* w = "initializer";
  auto seed = [&]() -> std::optional<uint64_t> {
    if (!config::find(config, "seed")) return std::nullopt;
    return config::require<uint64_t>(config, "seed", w);
  };
  if (name == "Zeros") return Zeros();
  if (name == "Ones") return Ones();
  if (name == "Constant") return Constant(config::get<double>(config, "value", 0.0, w));
  if (name == "RandomUniform") {
    return RandomUniform({config::get<double>(config, "minval", -0.05, w),
                          config::get<double>(config, "maxval", 0.05, w), seed()});
  }
  if (name == "RandomNormal" || name == "TruncatedNormal") {
    RandomOptions o{config::get<double>(config, "mean", 0.0, w),
                    config::get<double>(config, "stddev", 0.05, w), seed()};
    return name == "RandomNormal" ? RandomNormal(o) : TruncatedNormal(o);
  }
  if (name == "VarianceScaling") {
    return VarianceScaling({config::get<double>(config, "scale", 1.0, w),
                            config::get<std::string>(config, "mode", "fan_in", w),
                            config::get<std::string>(config, "distribution", "truncated_normal", w),
                            seed()});
  }
  if (name == "GlorotUniform") return GlorotUniform({seed()});
  if (name == "GlorotNormal") return GlorotNormal({seed()});
  if (name == "HeUniform") return HeUniform({seed()});
  if (name == "HeNormal") return HeNormal({seed()});
  if (name == "LecunUniform") return LecunUniform({seed()});
  if (name == "LecunNormal") return LecunNormal({seed()});
  if (name == "Identity" || name == "IdentityInitializer") {
    return Identity({config::get<double>(config, "gain", 1.0, w)});
  }
  if (name == "Orthogonal" || name == "OrthogonalInitializer") {
    return Orthogonal({config::get<double>(config, "gain", 1.0, w), seed()});
  }
  return Initializer(name);  // snake_case names; throws ValueError for unknown ones
}

}  // namespace keras::initializers
