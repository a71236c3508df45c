// Optimizers by name and from Keras's serialized configs.
#include <algorithm>
#include <cctype>

#include "keras/config/json.h"
#include "keras/optimizers/optimizers.h"

namespace keras::optimizers {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

OptimizerPtr get(std::string_view name_in) {
  const std::string name = lower(name_in);
  if (name == "sgd") return SGD();
  if (name == "rmsprop") return RMSprop();
  if (name == "adam") return Adam();
  if (name == "adamw") return AdamW();
  if (name == "adagrad") return Adagrad();
  if (name == "adamax") return Adamax();
  if (name == "nadam") return Nadam();
  if (name == "adadelta") return Adadelta();
  if (name == "ftrl") return Ftrl();
  if (name == "lion") return Lion();
  if (name == "lamb") return Lamb();
  if (name == "adafactor") return Adafactor();
  if (name == "muon") return Muon();
  if (name == "schedulefreeadamw") return ScheduleFreeAdamW();
  throw ValueError(str("Could not interpret optimizer identifier: ", excerpt(name_in)));
}

Json serialize(const Optimizer& optimizer) {
  return Json{{"module", "keras.optimizers"},
              {"class_name", optimizer.name()},
              {"config", optimizer.get_config()},
              {"registered_name", nullptr}};
}

OptimizerPtr deserialize(const Json& j) {
  if (j.is_string()) return get(j.get<std::string>());
  auto cls = config::require<std::string>(j, "class_name", "optimizer");
  // tf_keras's .h5 names its (2.11 on) optimizers by their registered name, "Custom>Adam".
  if (cls.starts_with("Custom>")) cls.erase(0, 7);
  const Json config = config::value(j, "config", Json::object());
  // Keras wraps the optimizer of a mixed_float16 model in a LossScaleOptimizer; keras.cpp
  // computes that model in float32, where the scaling is not needed: the inner one is used.
  if (cls == "LossScaleOptimizer" || cls == "LossScaleOptimizerV3") {  // Keras 3, tf_keras
    return deserialize(config::require<Json>(config, "inner_optimizer", "LossScaleOptimizer"));
  }
  const char* w = "optimizer";
  // Keras 2 wrote "lr"; a dict is a serialized schedule.
  const Json* lr_json = config::find(config, "learning_rate");
  if (lr_json == nullptr) lr_json = config::find(config, "lr");
  std::optional<LearningRate> lr_given;
  if (lr_json != nullptr && lr_json->is_object()) {
    lr_given = LearningRate(schedules::deserialize(*lr_json));
  } else if (lr_json != nullptr) {
    lr_given = LearningRate(config::convert<double>(*lr_json, "learning_rate", w));
  }
  auto lr_or = [&](double fallback) { return lr_given.value_or(LearningRate(fallback)); };
  auto num = [&](const char* key, double fallback) {
    return config::get<double>(config, key, fallback, w);
  };
  auto flag = [&](const char* key, bool fallback) {
    return config::get<bool>(config, key, fallback, w);
  };
  auto opt = [&](const char* key) -> std::optional<double> {
    if (!config::find(config, key)) return std::nullopt;
    return config::require<double>(config, key, w);
  };
  auto opt_int = [&](const char* key) -> std::optional<int> {
    if (!config::find(config, key)) return std::nullopt;
    return config::require<int>(config, key, w);
  };
  // The base arguments, set on any options struct.
  auto base = [&](auto& o) {
    o.clip = ClipOptions{opt("clipnorm"), opt("clipvalue"), opt("global_clipnorm")};
    o.use_ema = flag("use_ema", false);
    o.ema_momentum = num("ema_momentum", 0.99);
    o.ema_overwrite_frequency = opt_int("ema_overwrite_frequency");
    o.gradient_accumulation_steps = opt_int("gradient_accumulation_steps");
    o.loss_scale_factor = opt("loss_scale_factor");
    return o;
  };
  auto with_decay = [&](auto o) {
    o.weight_decay = opt("weight_decay");
    return base(o);
  };
  const std::string name = lower(cls);
  if (name == "sgd") {
    return SGD(with_decay(SGDOptions{lr_or(0.01), num("momentum", 0.0), flag("nesterov", false)}));
  }
  if (name == "rmsprop") {
    return RMSprop(with_decay(RMSpropOptions{lr_or(0.001), num("rho", 0.9), num("momentum", 0.0),
                                             num("epsilon", 1e-7), flag("centered", false)}));
  }
  if (name == "adam") {
    return Adam(with_decay(AdamOptions{lr_or(0.001), num("beta_1", 0.9), num("beta_2", 0.999),
                                       num("epsilon", 1e-7), flag("amsgrad", false)}));
  }
  if (name == "adamw") {
    AdamWOptions o{lr_or(0.001),         num("weight_decay", 0.004), num("beta_1", 0.9),
                   num("beta_2", 0.999), num("epsilon", 1e-7),       flag("amsgrad", false)};
    return AdamW(base(o));
  }
  if (name == "adagrad") {
    return Adagrad(with_decay(
        AdagradOptions{lr_or(0.001), num("initial_accumulator_value", 0.1), num("epsilon", 1e-7)}));
  }
  if (name == "adamax") {
    return Adamax(with_decay(AdamaxOptions{lr_or(0.001), num("beta_1", 0.9), num("beta_2", 0.999),
                                           num("epsilon", 1e-7)}));
  }
  if (name == "nadam") {
    return Nadam(with_decay(NadamOptions{lr_or(0.001), num("beta_1", 0.9), num("beta_2", 0.999),
                                         num("epsilon", 1e-7)}));
  }
  if (name == "adadelta") {
    return Adadelta(
        with_decay(AdadeltaOptions{lr_or(0.001), num("rho", 0.95), num("epsilon", 1e-7)}));
  }
  if (name == "ftrl") {
    return Ftrl(with_decay(FtrlOptions{
        lr_or(0.001), num("learning_rate_power", -0.5), num("initial_accumulator_value", 0.1),
        num("l1_regularization_strength", 0.0), num("l2_regularization_strength", 0.0),
        num("l2_shrinkage_regularization_strength", 0.0), num("beta", 0.0)}));
  }
  if (name == "lion") {
    return Lion(with_decay(LionOptions{lr_or(0.001), num("beta_1", 0.9), num("beta_2", 0.99)}));
  }
  if (name == "lamb") {
    return Lamb(with_decay(
        LambOptions{lr_or(0.001), num("beta_1", 0.9), num("beta_2", 0.999), num("epsilon", 1e-7)}));
  }
  if (name == "adafactor") {
    return Adafactor(with_decay(AdafactorOptions{
        lr_or(0.001), num("beta_2_decay", -0.8), num("epsilon_1", 1e-30), num("epsilon_2", 1e-3),
        num("clip_threshold", 1.0), flag("relative_step", true)}));
  }
  if (name == "muon") {
    // Absent: Keras's default; null: off.
    auto or_null = [&](const char* key, double fallback) -> std::optional<double> {
      if (!config.is_object() || !config.contains(key)) return fallback;
      return opt(key);
    };
    MuonOptions o;
    o.learning_rate = lr_or(0.001);
    o.adam_beta_1 = num("adam_beta_1", 0.9);
    o.adam_beta_2 = num("adam_beta_2", 0.999);
    o.adam_weight_decay = or_null("adam_weight_decay", 0.004);
    o.epsilon = num("epsilon", 1e-7);
    o.weight_decay = or_null("weight_decay", 0.004);
    o.exclude_layers = config::get<std::vector<std::string>>(config, "exclude_layers", {}, "Muon");
    o.exclude_embeddings = flag("exclude_embeddings", true);
    o.muon_a = num("muon_a", 3.4445);
    o.muon_b = num("muon_b", -4.7750);
    o.muon_c = num("muon_c", 2.0315);
    o.adam_lr_ratio = num("adam_lr_ratio", 1.0);
    o.momentum = num("momentum", 0.95);
    o.ns_steps = config::get<int>(config, "ns_steps", 5, w);
    o.nesterov = flag("nesterov", true);
    o.rms_rate = or_null("rms_rate", 0.2);
    return Muon(base(o));
  }
  if (name == "schedulefreeadamw") {
    return ScheduleFreeAdamW(with_decay(ScheduleFreeAdamWOptions{
        lr_or(0.0025), num("beta_1", 0.9), num("beta_2", 0.999), num("epsilon", 1e-8),
        config::get<int>(config, "warmup_steps", 0, w)}));
  }
  throw ValueError(str("Could not interpret optimizer identifier: ", excerpt(cls)));
}

}  // namespace keras::optimizers
