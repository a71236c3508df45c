#include "keras/optimizers/schedules.h"

#include <cmath>
#include <numbers>

#include "keras/config/json.h"

namespace keras::optimizers::schedules {
namespace {

// Keras computes schedules on float32 tensors: every step below is float arithmetic.
constexpr float kPi = std::numbers::pi_v<float>;

// Steps and boundaries as Keras writes them: an int when integral (Keras keeps the user's int).
Json step_json(double v) {
  if (std::isfinite(v) && v == std::trunc(v) && std::abs(v) < 9e15) return static_cast<int64_t>(v);
  return v;
}

void check_decay_steps(double steps, const char* arg) {
  KERAS_CHECK(steps > 0, ValueError, "Argument `", arg, "` must be > 0. Received: ", arg, "=",
              steps);
}

class ExponentialDecayImpl final : public LearningRateSchedule {
 public:
  explicit ExponentialDecayImpl(ExponentialDecayOptions o) : o_(std::move(o)) {
    check_decay_steps(o_.decay_steps, "decay_steps");
  }
  double operator()(int64_t step) const override {
    float p = static_cast<float>(step) / static_cast<float>(o_.decay_steps);
    if (o_.staircase) p = std::floor(p);
    return static_cast<float>(o_.initial_learning_rate) *
           std::pow(static_cast<float>(o_.decay_rate), p);
  }
  std::string class_name() const override { return "ExponentialDecay"; }
  Json get_config() const override {
    return Json{{"initial_learning_rate", o_.initial_learning_rate},
                {"decay_steps", step_json(o_.decay_steps)},
                {"decay_rate", o_.decay_rate},
                {"staircase", o_.staircase},
                {"name", o_.name}};
  }

 private:
  ExponentialDecayOptions o_;
};

class PiecewiseConstantDecayImpl final : public LearningRateSchedule {
 public:
  explicit PiecewiseConstantDecayImpl(PiecewiseConstantDecayOptions o) : o_(std::move(o)) {
    auto list = [](const std::vector<double>& v) {
      std::string s = "[";
      for (size_t i = 0; i < v.size(); ++i) s += str(i ? ", " : "", v[i]);
      return s + "]";
    };
    KERAS_CHECK(!o_.values.empty() && o_.boundaries.size() == o_.values.size() - 1, ValueError,
                "The length of boundaries should be 1 less than the length of values. Received: "
                "boundaries=",
                list(o_.boundaries), " of length ", o_.boundaries.size(),
                ", and values=", list(o_.values), " of length ", o_.values.size(), ".");
  }
  double operator()(int64_t step) const override {
    // Keras casts the boundaries to the step's integer dtype (truncating).
    size_t i = 0;
    while (i < o_.boundaries.size() && step > static_cast<int64_t>(std::trunc(o_.boundaries[i]))) {
      ++i;
    }
    return static_cast<float>(o_.values[i]);
  }
  std::string class_name() const override { return "PiecewiseConstantDecay"; }
  Json get_config() const override {
    Json b = Json::array();
    for (double v : o_.boundaries) b.push_back(step_json(v));
    return Json{{"boundaries", b}, {"values", o_.values}, {"name", o_.name}};
  }

 private:
  PiecewiseConstantDecayOptions o_;
};

class PolynomialDecayImpl final : public LearningRateSchedule {
 public:
  explicit PolynomialDecayImpl(PolynomialDecayOptions o) : o_(std::move(o)) {
    check_decay_steps(o_.decay_steps, "decay_steps");
  }
  double operator()(int64_t step_in) const override {
    const float lr0 = static_cast<float>(o_.initial_learning_rate);
    const float end = static_cast<float>(o_.end_learning_rate);
    float step = static_cast<float>(step_in);
    float steps = static_cast<float>(o_.decay_steps);
    if (o_.cycle) {
      steps *= step == 0 ? 1.0f : std::ceil(step / steps);
    } else {
      step = std::min(step, steps);
    }
    const float p = step / steps;
    return (lr0 - end) * std::pow(1.0f - p, static_cast<float>(o_.power)) + end;
  }
  std::string class_name() const override { return "PolynomialDecay"; }
  Json get_config() const override {
    return Json{{"initial_learning_rate", o_.initial_learning_rate},
                {"decay_steps", step_json(o_.decay_steps)},
                {"end_learning_rate", o_.end_learning_rate},
                {"power", o_.power},
                {"cycle", o_.cycle},
                {"name", o_.name}};
  }

 private:
  PolynomialDecayOptions o_;
};

class InverseTimeDecayImpl final : public LearningRateSchedule {
 public:
  explicit InverseTimeDecayImpl(InverseTimeDecayOptions o) : o_(std::move(o)) {
    check_decay_steps(o_.decay_steps, "decay_steps");
  }
  double operator()(int64_t step) const override {
    float p = static_cast<float>(step) / static_cast<float>(o_.decay_steps);
    if (o_.staircase) p = std::floor(p);
    return static_cast<float>(o_.initial_learning_rate) /
           (1.0f + static_cast<float>(o_.decay_rate) * p);
  }
  std::string class_name() const override { return "InverseTimeDecay"; }
  Json get_config() const override {
    return Json{{"initial_learning_rate", o_.initial_learning_rate},
                {"decay_steps", step_json(o_.decay_steps)},
                {"decay_rate", o_.decay_rate},
                {"staircase", o_.staircase},
                {"name", o_.name}};
  }

 private:
  InverseTimeDecayOptions o_;
};

class CosineDecayImpl final : public LearningRateSchedule {
 public:
  explicit CosineDecayImpl(CosineDecayOptions o) : o_(std::move(o)) {
    check_decay_steps(o_.decay_steps, "decay_steps");
  }
  double operator()(int64_t step_in) const override {
    const float lr0 = static_cast<float>(o_.initial_learning_rate);
    const float steps = static_cast<float>(o_.decay_steps);
    const float step = static_cast<float>(step_in);
    if (!o_.warmup_target) return decay(std::min(step, steps), steps, lr0);
    const float target = static_cast<float>(*o_.warmup_target);
    const float warmup = static_cast<float>(o_.warmup_steps);
    const float s = std::min(step, steps + warmup);
    if (s < warmup) return (target - lr0) * (s / warmup) + lr0;
    return decay(s - warmup, steps, target);
  }
  std::string class_name() const override { return "CosineDecay"; }
  Json get_config() const override {
    return Json{{"initial_learning_rate", o_.initial_learning_rate},
                {"decay_steps", step_json(o_.decay_steps)},
                {"alpha", o_.alpha},
                {"name", o_.name},
                {"warmup_target", o_.warmup_target ? Json(*o_.warmup_target) : Json(nullptr)},
                {"warmup_steps", step_json(o_.warmup_steps)}};
  }

 private:
  float decay(float step, float steps, float from) const {
    const float cosine = 0.5f * (1.0f + std::cos(kPi * (step / steps)));
    // (1 - alpha) is a Python float in Keras, alpha too: each rounds to float32 on its own.
    const float decayed =
        static_cast<float>(1.0 - o_.alpha) * cosine + static_cast<float>(o_.alpha);
    return from * decayed;
  }
  CosineDecayOptions o_;
};

class CosineDecayRestartsImpl final : public LearningRateSchedule {
 public:
  explicit CosineDecayRestartsImpl(CosineDecayRestartsOptions o) : o_(std::move(o)) {
    check_decay_steps(o_.first_decay_steps, "first_decay_steps");
  }
  double operator()(int64_t step) const override {
    const float alpha = static_cast<float>(o_.alpha);
    const float t_mul = static_cast<float>(o_.t_mul);
    const float m_mul = static_cast<float>(o_.m_mul);
    float fraction = static_cast<float>(step) / static_cast<float>(o_.first_decay_steps);
    float restart;
    if (t_mul == 1.0f) {
      restart = std::floor(fraction);
      fraction -= restart;
    } else {
      restart = std::floor(std::log(1.0f - fraction * (1.0f - t_mul)) / std::log(t_mul));
      const float sum_r = (1.0f - std::pow(t_mul, restart)) / (1.0f - t_mul);
      fraction = (fraction - sum_r) / std::pow(t_mul, restart);
    }
    const float m_fac = std::pow(m_mul, restart);
    const float cosine = 0.5f * m_fac * (1.0f + std::cos(kPi * fraction));
    return static_cast<float>(o_.initial_learning_rate) * ((1.0f - alpha) * cosine + alpha);
  }
  std::string class_name() const override { return "CosineDecayRestarts"; }
  Json get_config() const override {
    return Json{{"initial_learning_rate", o_.initial_learning_rate},
                {"first_decay_steps", step_json(o_.first_decay_steps)},
                {"t_mul", o_.t_mul},
                {"m_mul", o_.m_mul},
                {"alpha", o_.alpha},
                {"name", o_.name}};
  }

 private:
  CosineDecayRestartsOptions o_;
};

}  // namespace

SchedulePtr ExponentialDecay(ExponentialDecayOptions o) {
  return std::make_shared<ExponentialDecayImpl>(std::move(o));
}
SchedulePtr PiecewiseConstantDecay(PiecewiseConstantDecayOptions o) {
  return std::make_shared<PiecewiseConstantDecayImpl>(std::move(o));
}
SchedulePtr PolynomialDecay(PolynomialDecayOptions o) {
  return std::make_shared<PolynomialDecayImpl>(std::move(o));
}
SchedulePtr InverseTimeDecay(InverseTimeDecayOptions o) {
  return std::make_shared<InverseTimeDecayImpl>(std::move(o));
}
SchedulePtr CosineDecay(CosineDecayOptions o) {
  return std::make_shared<CosineDecayImpl>(std::move(o));
}
SchedulePtr CosineDecayRestarts(CosineDecayRestartsOptions o) {
  return std::make_shared<CosineDecayRestartsImpl>(std::move(o));
}

Json serialize(const LearningRateSchedule& schedule) {
  return Json{{"module", "keras.optimizers.schedules"},
              {"class_name", schedule.class_name()},
              {"config", schedule.get_config()},
              {"registered_name", nullptr}};
}

SchedulePtr deserialize(const Json& j) {
  const char* w = "learning rate schedule";
  const auto cls = config::require<std::string>(j, "class_name", w);
  const Json c = config::value(j, "config", Json::object());
  using config::get;
  using config::require;
  auto name = [&](const char* fallback) { return get<std::string>(c, "name", fallback, w); };
  if (cls == "ExponentialDecay") {
    return ExponentialDecay({require<double>(c, "initial_learning_rate", w),
                             require<double>(c, "decay_steps", w),
                             require<double>(c, "decay_rate", w),
                             get<bool>(c, "staircase", false, w), name("ExponentialDecay")});
  }
  if (cls == "PiecewiseConstantDecay") {
    return PiecewiseConstantDecay({require<std::vector<double>>(c, "boundaries", w),
                                   require<std::vector<double>>(c, "values", w),
                                   name("PiecewiseConstant")});
  }
  if (cls == "PolynomialDecay") {
    return PolynomialDecay(
        {require<double>(c, "initial_learning_rate", w), require<double>(c, "decay_steps", w),
         get<double>(c, "end_learning_rate", 0.0001, w), get<double>(c, "power", 1.0, w),
         get<bool>(c, "cycle", false, w), name("PolynomialDecay")});
  }
  if (cls == "InverseTimeDecay") {
    return InverseTimeDecay({require<double>(c, "initial_learning_rate", w),
                             require<double>(c, "decay_steps", w),
                             require<double>(c, "decay_rate", w),
                             get<bool>(c, "staircase", false, w), name("InverseTimeDecay")});
  }
  if (cls == "CosineDecay") {
    const Json* target = config::find(c, "warmup_target");
    return CosineDecay(
        {require<double>(c, "initial_learning_rate", w), require<double>(c, "decay_steps", w),
         get<double>(c, "alpha", 0.0, w), name("CosineDecay"),
         target ? std::optional<double>(config::convert<double>(*target, "warmup_target", w))
                : std::nullopt,
         get<double>(c, "warmup_steps", 0.0, w)});
  }
  if (cls == "CosineDecayRestarts") {
    return CosineDecayRestarts({require<double>(c, "initial_learning_rate", w),
                                require<double>(c, "first_decay_steps", w),
                                get<double>(c, "t_mul", 2.0, w), get<double>(c, "m_mul", 1.0, w),
                                get<double>(c, "alpha", 0.0, w), name("SGDRDecay")});
  }
  throw ValueError(str("Could not interpret decay identifier: ", excerpt(cls)));
}

}  // namespace keras::optimizers::schedules
