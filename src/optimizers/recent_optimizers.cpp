// Keras 3's later optimizers (Adafactor, Muon, ScheduleFreeAdamW), built from keras::ops in
// Keras's order as op_optimizers.cpp's are; step-dependent factors are host scalars the same way.
#include <algorithm>
#include <cmath>
#include <regex>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "keras/optimizers/optimizers.h"
#include "optimizers/base_options.h"

namespace keras::optimizers {
namespace {

using ops::add;
using ops::divide;
using ops::multiply;
using ops::subtract;

Json opt_json(const std::optional<double>& v) {
  return v ? Json(*v) : Json(nullptr);
}

double step_of(const Optimizer& o) {
  return static_cast<double>(o.update_iterations() + 1);
}

class AdafactorImpl final : public Optimizer {
 public:
  explicit AdafactorImpl(AdafactorOptions o)
      : Optimizer("Adafactor", o.learning_rate, base_of(o)), o_(std::move(o)) {}
  void build_slots(const Variable& v) override {
    const Shape& s = v.shape();
    const Device device = v.value().device();
    if (s.size() < 2) {  // Keras's placeholders: int32 zeros named after the variable
      add_slot(v.name(), zeros({}, int32, device));
      add_slot(v.name(), zeros({}, int32, device));
    } else {
      Shape r(s.begin(), s.end() - 1);
      Shape c(s.begin(), s.end() - 2);
      c.push_back(s.back());
      add_slot(v.name(), zeros(r, v.dtype(), device));
      add_slot(v.name(), zeros(c, v.dtype(), device));
    }
    add_slot(v, "velocity");
  }
  Json get_config() const override {
    Json c = Optimizer::get_config();
    c["beta_2_decay"] = o_.beta_2_decay;
    c["epsilon_1"] = o_.epsilon_1;
    c["epsilon_2"] = o_.epsilon_2;
    c["clip_threshold"] = o_.clip_threshold;
    c["relative_step"] = o_.relative_step;
    return c;
  }
  void update_step(size_t i, const Tensor& g, const Variable& v) override {
    const Tensor& w = v.value();
    const DType dt = w.dtype();
    auto rms = [](const Tensor& x) { return ops::sqrt(ops::mean(ops::square(x))); };
    // Keras: lr = min(lr, 1 / sqrt(step)) (relative_step) and rho_t = min(lr, 1 / sqrt(step)).
    const Tensor inv_sqrt_step =
        runtime_scalar(dt, [this] { return 1.0 / std::sqrt(step_of(*this)); });
    const Tensor rho_t = ops::minimum(learning_rate_scalar(dt), inv_sqrt_step);
    const Tensor alpha_t = multiply(ops::maximum(rms(w), o_.epsilon_2), rho_t);
    const Tensor regulated = add(ops::square(g), o_.epsilon_1);
    const Tensor beta_2_t =
        runtime_scalar(dt, [this] { return 1.0 - std::pow(step_of(*this), o_.beta_2_decay); });
    const Tensor one_minus_beta = subtract(1.0, beta_2_t);
    const Tensor& vel = slot(i, 2);
    if (w.shape().size() >= 2) {
      const Tensor &r = slot(i, 0), &c = slot(i, 1);
      ops::assign(r,
                  add(multiply(beta_2_t, r), multiply(one_minus_beta, ops::mean(regulated, {-1}))));
      ops::assign(c,
                  add(multiply(beta_2_t, c), multiply(one_minus_beta, ops::mean(regulated, {-2}))));
      ops::assign(vel, multiply(ops::expand_dims(divide(r, ops::mean(r, {-1}, true)), -1),
                                ops::expand_dims(c, -2)));
    } else {
      ops::assign(vel, add(multiply(beta_2_t, vel), multiply(one_minus_beta, regulated)));
    }
    const Tensor u = divide(g, ops::sqrt(vel));
    const Tensor u_hat = divide(u, ops::maximum(divide(rms(u), o_.clip_threshold), 1.0));
    assign_sub(w, multiply(alpha_t, u_hat));
  }

 private:
  AdafactorOptions o_;
};

class MuonImpl final : public Optimizer {
 public:
  explicit MuonImpl(MuonOptions o)
      : Optimizer("Muon", o.learning_rate, base_of(o)), o_(std::move(o)) {
    KERAS_CHECK(o_.ns_steps <= 1000, ValueError,
                "Muon: ns_steps must be at most 1000. Received: ns_steps=", o_.ns_steps);
    for (const std::string& k : o_.exclude_layers) {
      try {
        patterns_.emplace_back(k);
      } catch (const std::regex_error& e) {
        throw ValueError(
            str("Muon: exclude_layers holds an invalid pattern ", excerpt(k), ": ", e.what()));
      }
    }
  }
  void build_slots(const Variable& v) override {
    add_slot(v, "momentum");
    const bool adam = uses_adamw(v);
    adam_.push_back(adam);
    if (adam) add_slot(v, "velocity");
  }
  Json get_config() const override {
    Json c = Optimizer::get_config();
    c["adam_beta_1"] = o_.adam_beta_1;
    c["adam_beta_2"] = o_.adam_beta_2;
    c["epsilon"] = o_.epsilon;
    c["exclude_layers"] = o_.exclude_layers;
    c["muon_a"] = o_.muon_a;
    c["muon_b"] = o_.muon_b;
    c["muon_c"] = o_.muon_c;
    c["adam_lr_ratio"] = o_.adam_lr_ratio;
    c["momentum"] = o_.momentum;
    c["ns_steps"] = o_.ns_steps;
    c["nesterov"] = o_.nesterov;
    c["exclude_embeddings"] = o_.exclude_embeddings;
    c["adam_weight_decay"] = opt_json(o_.adam_weight_decay);
    c["rms_rate"] = opt_json(o_.rms_rate);
    return c;
  }
  double weight_decay_for(size_t index) const override {
    if (!use_weight_decay(built_variable(index))) return 0.0;
    const std::optional<double>& wd = adam_[index] ? o_.adam_weight_decay : o_.weight_decay;
    return wd.value_or(0.0);
  }
  void update_step(size_t i, const Tensor& g, const Variable& v) override {
    if (adam_[i]) {
      adamw_step(i, g, v.value());
    } else {
      muon_step(i, g, v.value());
    }
  }

 private:
  // Keras's _should_use_adamw.
  bool uses_adamw(const Variable& v) const {
    if (v.shape().size() != 2) return true;
    std::string lower = v.path();
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (o_.exclude_embeddings && lower.find("embedding") != std::string::npos) return true;
    return std::ranges::any_of(patterns_,
                               [&](const std::regex& p) { return std::regex_search(v.path(), p); });
  }
  void adamw_step(size_t i, const Tensor& g, const Tensor& w) {
    const DType dt = w.dtype();
    const Tensor lr = runtime_scalar(dt, [this] { return learning_rate() * o_.adam_lr_ratio; });
    auto power = [this, dt](double beta) {
      return runtime_scalar(dt, [this, beta] { return std::pow(beta, step_of(*this)); });
    };
    const Tensor alpha = divide(multiply(lr, ops::sqrt(subtract(1.0, power(o_.adam_beta_2)))),
                                subtract(1.0, power(o_.adam_beta_1)));
    const Tensor &m = slot(i, 0), &vel = slot(i, 1);
    ops::assign_add(m, multiply(subtract(g, m), 1.0 - o_.adam_beta_1));
    ops::assign_add(vel, multiply(subtract(ops::square(g), vel), 1.0 - o_.adam_beta_2));
    assign_sub(w, divide(multiply(m, alpha), add(ops::sqrt(vel), o_.epsilon)));
  }
  void muon_step(size_t i, const Tensor& g, const Tensor& w) {
    const Tensor& m = slot(i, 0);
    ops::assign_add(m, add(g, multiply(m, o_.momentum - 1.0)));
    const Tensor update = newton_schulz(o_.nesterov ? add(g, multiply(m, o_.momentum)) : m);
    Tensor step = multiply(learning_rate_scalar(w.dtype()), update);
    if (o_.rms_rate) {
      const auto& s = w.shape();
      step = multiply(multiply(step, std::sqrt(static_cast<double>(std::max(s[0], s[1])))),
                      *o_.rms_rate);
    }
    assign_sub(w, step);
  }
  // Keras's zeropower_via_newtonschulz5 on a 2-D x.
  Tensor newton_schulz(Tensor x) const {
    const bool tall = x.shape()[0] > x.shape()[1];
    if (tall) x = ops::transpose(x);
    x = divide(x, add(ops::sqrt(ops::sum(ops::square(x))), 1e-7));
    for (int k = 0; k < o_.ns_steps; ++k) {
      const Tensor a = ops::matmul(x, ops::transpose(x));
      const Tensor b = add(multiply(a, o_.muon_b), ops::matmul(multiply(a, o_.muon_c), a));
      x = add(multiply(x, o_.muon_a), ops::matmul(b, x));
    }
    return tall ? ops::transpose(x) : x;
  }

  MuonOptions o_;
  std::vector<std::regex> patterns_;
  std::vector<bool> adam_;  // per variable, as built
};

class ScheduleFreeAdamWImpl final : public Optimizer {
 public:
  explicit ScheduleFreeAdamWImpl(ScheduleFreeAdamWOptions o)
      : Optimizer("ScheduleFreeAdamW", o.learning_rate, base_of(o)), o_(std::move(o)) {}
  void build_slots(const Variable& v) override {
    add_slot(v, "momentum").value().copy_from(v.value());
    add_slot(v, "velocity");
  }
  Json get_config() const override {
    Json c = Optimizer::get_config();
    c["beta_1"] = o_.beta_1;
    c["beta_2"] = o_.beta_2;
    c["epsilon"] = o_.epsilon;
    c["warmup_steps"] = o_.warmup_steps;
    return c;
  }
  void update_step(size_t i, const Tensor& g, const Variable& v) override {
    const Tensor& w = v.value();
    const DType dt = w.dtype();
    // Keras casts beta_1, beta_2 and epsilon to the variable's dtype first: 1 - beta_1 is then
    // computed in that dtype (0.100000024 for 0.9 in float32), so here too.
    const Tensor b1 = full({}, o_.beta_1, dt, w.device()), b2 = full({}, o_.beta_2, dt, w.device());
    const Tensor one_minus_b1 = subtract(1.0, b1), one_minus_b2 = subtract(1.0, b2);
    Tensor lr = learning_rate_scalar(dt);
    if (o_.warmup_steps > 0) {
      lr = multiply(lr, runtime_scalar(dt, [this] {
                      return std::min(step_of(*this) / o_.warmup_steps, 1.0);
                    }));
    }
    const double beta_2 = o_.beta_2;
    const Tensor bias_correction_2 = runtime_scalar(dt, [this, beta_2, dt] {
      return 1.0 - std::pow(dt == float32 ? static_cast<float>(beta_2) : beta_2, step_of(*this));
    });
    const Tensor weight = runtime_scalar(dt, [this] { return 1.0 / step_of(*this); });
    const Tensor &z = slot(i, 0), &vel = slot(i, 1);
    // x from y and the momentum before this step's update.
    const Tensor x_old = divide(subtract(w, multiply(one_minus_b1, z)), b1);
    ops::assign_add(vel, multiply(subtract(ops::square(g), vel), one_minus_b2));
    const Tensor denom =
        add(ops::sqrt(divide(vel, bias_correction_2)), full({}, o_.epsilon, dt, w.device()));
    assign_sub(z, divide(multiply(lr, g), denom));
    const Tensor x_new = add(multiply(subtract(1.0, weight), x_old), multiply(weight, z));
    ops::assign(w, add(multiply(one_minus_b1, z), multiply(b1, x_new)));
  }

 private:
  ScheduleFreeAdamWOptions o_;
};

}  // namespace

OptimizerPtr Adafactor(AdafactorOptions o) {
  return std::make_shared<AdafactorImpl>(std::move(o));
}
OptimizerPtr Muon(MuonOptions o) {
  return std::make_shared<MuonImpl>(std::move(o));
}
OptimizerPtr ScheduleFreeAdamW(ScheduleFreeAdamWOptions o) {
  return std::make_shared<ScheduleFreeAdamWImpl>(std::move(o));
}

}  // namespace keras::optimizers
