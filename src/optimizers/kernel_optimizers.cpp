// The optimizers Keras 3 ships whose updates are fused backend kernels.
#include <cmath>

#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/optimizers/optimizers.h"
#include "optimizers/base_options.h"

namespace keras::optimizers {

namespace {

using backend::backend_for;

class SGDImpl final : public Optimizer {
 public:
  explicit SGDImpl(SGDOptions o) : Optimizer("SGD", o.learning_rate, base_of(o)), o_(o) {
    KERAS_CHECK(o.momentum >= 0 && o.momentum <= 1, ValueError,
                "`momentum` must be a float between [0, 1]. Received: momentum=", o.momentum);
  }
  void build_slots(const Variable& v) override {
    if (o_.momentum != 0) add_slot(v, "momentum");
  }
  Json get_config() const override {
    Json c = Optimizer::get_config();
    c["momentum"] = o_.momentum;
    c["nesterov"] = o_.nesterov;
    return c;
  }
  bool updates_only_hinted_rows(size_t) const override { return o_.momentum == 0; }
  void update_rows(size_t i,
                   const Tensor& w,
                   const Tensor& g,
                   const Tensor& rows,
                   backend::RowGradient layout) override {
    backend_for(g).sgd_update_rows(w, g, rows, layout, row_steps_if_any(i), update_iterations() + 1,
                                   {learning_rate()});
  }
  void update_step(size_t i, const Tensor& g, const Variable& v) override {
    if (launch_row_update(i, g, v)) return;
    Tensor m = o_.momentum != 0 ? slot(i, 0) : Tensor();
    backend::Backend& be = backend_for(g);
    autodiff::launch([this, &be, w = v.value(), g, m] {
      be.sgd_update(w, g, m, {learning_rate(), o_.momentum, o_.nesterov});
    });
  }

 private:
  SGDOptions o_;
};

class RMSpropImpl final : public Optimizer {
 public:
  explicit RMSpropImpl(RMSpropOptions o)
      : Optimizer("RMSprop", o.learning_rate, base_of(o)), o_(o) {}
  void build_slots(const Variable& v) override {
    add_slot(v, "velocity");
    if (o_.momentum > 0) add_slot(v, "momentum", 1);
    if (o_.centered) add_slot(v, "average_gradient", 2);
  }
  Json get_config() const override {
    Json c = Optimizer::get_config();
    c["rho"] = o_.rho;
    c["momentum"] = o_.momentum;
    c["epsilon"] = o_.epsilon;
    c["centered"] = o_.centered;
    return c;
  }
  bool updates_only_hinted_rows(size_t) const override { return o_.momentum == 0; }
  void update_step(size_t i, const Tensor& g, const Variable& v) override {
    if (launch_row_update(i, g, v)) return;
    const Slots slots = slots_of(i);
    const Tensor velocity = slots.velocity, momentum = slots.momentum, average = slots.average;
    backend::Backend& be = backend_for(g);
    autodiff::launch([this, &be, w = v.value(), g, velocity, momentum, average, i] {
      // Rows with deferred decays catch up first; after the dense step every row is current.
      const Tensor& steps = row_steps_if_any(i);
      if (steps.defined()) catch_up(i, update_iterations());
      be.rmsprop_update(w, g, velocity, momentum, average, params());
      if (steps.defined()) be.fill(steps, static_cast<double>(update_iterations() + 1));
    });
  }
  void update_rows(size_t i,
                   const Tensor& w,
                   const Tensor& g,
                   const Tensor& rows,
                   backend::RowGradient layout) override {
    const Slots s = slots_of(i);
    backend_for(g).rmsprop_update_rows(w, g, rows, layout, s.velocity, s.average,
                                       row_steps_if_any(i), update_iterations() + 1, params());
  }
  void catch_up(size_t i, int64_t step) const override {
    const Slots s = slots_of(i);
    backend_for(s.velocity)
        .rmsprop_catch_up(s.velocity, s.average, row_steps_if_any(i), step, params());
  }
  // Variable i's velocity, momentum and average gradient slots (undefined when unused), in
  // build_slots order.
  struct Slots {
    Tensor velocity, momentum, average;
  };
  Slots slots_of(size_t i) const {
    size_t k = 0;
    Slots s;
    s.velocity = slot(i, k++);
    if (o_.momentum > 0) s.momentum = slot(i, k++);
    if (o_.centered) s.average = slot(i, k++);
    return s;
  }
  backend::RmspropParams params() const {
    return {learning_rate(), o_.rho, o_.momentum, o_.epsilon, o_.centered};
  }

 private:
  RMSpropOptions o_;
};

class AdamImpl final : public Optimizer {
 public:
  AdamImpl(std::string name, AdamOptions o)
      : Optimizer(std::move(name), o.learning_rate, base_of(o)), o_(std::move(o)) {}
  void build_slots(const Variable& v) override {
    add_slot(v, "momentum");
    add_slot(v, "velocity");
    if (o_.amsgrad) add_slot(v, "velocity_hat", 1);
  }
  Json get_config() const override {
    Json c = Optimizer::get_config();
    c["beta_1"] = o_.beta_1;
    c["beta_2"] = o_.beta_2;
    c["epsilon"] = o_.epsilon;
    c["amsgrad"] = o_.amsgrad;
    return c;
  }
  void update_step(size_t i, const Tensor& g, const Variable& v) override {
    Tensor m = slot(i, 0), vel = slot(i, 1);
    Tensor v_hat = o_.amsgrad ? slot(i, 2) : Tensor();
    backend::Backend& be = backend_for(g);
    autodiff::launch([this, &be, w = v.value(), g, m, vel, v_hat, decay = weight_decay_for(i)] {
      be.adam_update(w, g, m, vel, v_hat,
                     {learning_rate(), o_.beta_1, o_.beta_2, o_.epsilon, o_.amsgrad,
                      update_iterations() + 1, decay});
    });
  }
  // The kernel decays before its update, as Keras's base optimizer does.
  bool fuses_weight_decay() const override { return true; }

 private:
  AdamOptions o_;
};

class AdagradImpl final : public Optimizer {
 public:
  explicit AdagradImpl(AdagradOptions o)
      : Optimizer("Adagrad", o.learning_rate, base_of(o)), o_(o) {}
  void build_slots(const Variable& v) override {
    Variable acc = add_slot(v, "accumulator");
    acc.assign(full(v.shape(), o_.initial_accumulator_value, v.dtype(), v.value().device()));
  }
  Json get_config() const override {
    Json c = Optimizer::get_config();
    c["initial_accumulator_value"] = o_.initial_accumulator_value;
    c["epsilon"] = o_.epsilon;
    return c;
  }
  bool updates_only_hinted_rows(size_t) const override { return true; }
  void update_rows(size_t i,
                   const Tensor& w,
                   const Tensor& g,
                   const Tensor& rows,
                   backend::RowGradient layout) override {
    backend_for(g).adagrad_update_rows(w, g, rows, layout, slot(i, 0), row_steps_if_any(i),
                                       update_iterations() + 1, {learning_rate(), o_.epsilon});
  }
  void update_step(size_t i, const Tensor& g, const Variable& v) override {
    if (launch_row_update(i, g, v)) return;
    Tensor acc = slot(i, 0);
    backend::Backend& be = backend_for(g);
    autodiff::launch([this, &be, w = v.value(), g, acc] {
      be.adagrad_update(w, g, acc, {learning_rate(), o_.epsilon});
    });
  }

 private:
  AdagradOptions o_;
};

}  // namespace

OptimizerPtr SGD(SGDOptions o) {
  return std::make_shared<SGDImpl>(std::move(o));
}
OptimizerPtr RMSprop(RMSpropOptions o) {
  return std::make_shared<RMSpropImpl>(o);
}
OptimizerPtr Adam(AdamOptions o) {
  return std::make_shared<AdamImpl>("Adam", std::move(o));
}
OptimizerPtr AdamW(AdamWOptions o) {
  return std::make_shared<AdamImpl>(
      "AdamW", AdamOptions{.learning_rate = o.learning_rate,
                           .beta_1 = o.beta_1,
                           .beta_2 = o.beta_2,
                           .epsilon = o.epsilon,
                           .amsgrad = o.amsgrad,
                           .weight_decay = o.weight_decay,
                           .clip = o.clip,
                           .use_ema = o.use_ema,
                           .ema_momentum = o.ema_momentum,
                           .ema_overwrite_frequency = o.ema_overwrite_frequency,
                           .gradient_accumulation_steps = o.gradient_accumulation_steps,
                           .loss_scale_factor = o.loss_scale_factor});
}
OptimizerPtr Adagrad(AdagradOptions o) {
  return std::make_shared<AdagradImpl>(o);
}

}  // namespace keras::optimizers
