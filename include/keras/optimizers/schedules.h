// Learning-rate schedules (keras.optimizers.schedules) with Keras 3's formulas, defaults, configs
// and errors. A schedule maps the optimizer's step (its `iterations`, counted from 0 before the
// first update) to a learning rate; give one as an optimizer's `learning_rate`:
//
//   auto lr = schedules::ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 100,
//                                          .decay_rate = 0.96});
//   auto opt = optimizers::SGD({.learning_rate = lr});
//
// As in Keras, the value is computed in float32 (Keras converts the Python float
// initial_learning_rate to a float32 tensor), so a float64 model sees the float32 rate widened.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keras/config/json_fwd.h"

namespace keras::optimizers::schedules {

class LearningRateSchedule {
 public:
  virtual ~LearningRateSchedule() = default;
  // The learning rate at `step` (the float32 value, widened).
  virtual double operator()(int64_t step) const = 0;
  // Keras's class name ("ExponentialDecay", ...).
  virtual std::string class_name() const = 0;
  // Keras 3's config dict, keys in Keras's order.
  virtual Json get_config() const = 0;
};

using SchedulePtr = std::shared_ptr<const LearningRateSchedule>;

struct ExponentialDecayOptions {
  double initial_learning_rate;
  double decay_steps;
  double decay_rate;
  bool staircase = false;
  std::string name = "ExponentialDecay";
};
// initial_learning_rate * decay_rate ^ (step / decay_steps) (the exponent floored if staircase).
SchedulePtr ExponentialDecay(ExponentialDecayOptions options);

struct PiecewiseConstantDecayOptions {
  std::vector<double> boundaries;
  std::vector<double> values;  // one more than boundaries
  std::string name = "PiecewiseConstant";
};
// values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <= boundaries[i],
// values.back() after the last boundary.
SchedulePtr PiecewiseConstantDecay(PiecewiseConstantDecayOptions options);

struct PolynomialDecayOptions {
  double initial_learning_rate;
  double decay_steps;
  double end_learning_rate = 0.0001;
  double power = 1.0;
  bool cycle = false;
  std::string name = "PolynomialDecay";
};
SchedulePtr PolynomialDecay(PolynomialDecayOptions options);

struct InverseTimeDecayOptions {
  double initial_learning_rate;
  double decay_steps;
  double decay_rate;
  bool staircase = false;
  std::string name = "InverseTimeDecay";
};
// initial_learning_rate / (1 + decay_rate * step / decay_steps).
SchedulePtr InverseTimeDecay(InverseTimeDecayOptions options);

struct CosineDecayOptions {
  double initial_learning_rate;
  double decay_steps;
  double alpha = 0.0;
  std::string name = "CosineDecay";
  // With a target, the rate rises linearly from initial_learning_rate to warmup_target over
  // warmup_steps, then decays from warmup_target.
  std::optional<double> warmup_target = std::nullopt;
  double warmup_steps = 0;
};
SchedulePtr CosineDecay(CosineDecayOptions options);

struct CosineDecayRestartsOptions {
  double initial_learning_rate;
  double first_decay_steps;
  double t_mul = 2.0;
  double m_mul = 1.0;
  double alpha = 0.0;
  std::string name = "SGDRDecay";
};
SchedulePtr CosineDecayRestarts(CosineDecayRestartsOptions options);

// {"module": "keras.optimizers.schedules", "class_name": ..., "config": {...},
//  "registered_name": null}, as keras.optimizers.schedules.serialize writes it.
Json serialize(const LearningRateSchedule& schedule);
// From that form or Keras 2's {"class_name", "config"}; ValueError for an unknown class or a bad
// value (with the constructor's message).
SchedulePtr deserialize(const Json& j);

}  // namespace keras::optimizers::schedules
