// The optimizers whose updates are Keras 3's own op sequences (Adamax, Nadam, Adadelta, Ftrl, Lion,
// Lamb), built from keras::ops in Keras's order. Step-dependent factors (beta_1 ** step) are
// runtime scalars computed on the host in double when their kernel runs, then rounded to the
// variable's dtype; Keras computes them in that dtype (within an ulp of ours in float32, equal in
// float64).
#include <cmath>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/optimizers/optimizers.h"
#include "optimizers/base_options.h"

namespace keras::optimizers {
namespace {

using ops::add;
using ops::divide;
using ops::multiply;
using ops::subtract;

class AdamaxImpl final : public Optimizer {
 public:
  explicit AdamaxImpl(AdamaxOptions o)
      : Optimizer("Adamax", o.learning_rate, base_of(o)), o_(std::move(o)) {}
  void build_slots(const Variable& v) override {
    add_slot(v, "momentum");
    add_slot(v, "norm");
  }
  Json get_config() const override {
    Json c = Optimizer::get_config();
    c["beta_1"] = o_.beta_1;
    c["beta_2"] = o_.beta_2;
    c["epsilon"] = o_.epsilon;
    return c;
  }
  void update_step(size_t i, const Tensor& g, const Variable& v) override {
    const Tensor& w = v.value();
    const Tensor lr = learning_rate_scalar(w.dtype());
    const Tensor one_minus_power = runtime_scalar(w.dtype(), [this] {
      return 1.0 - std::pow(o_.beta_1, static_cast<double>(update_iterations() + 1));
    });
    const Tensor &m = slot(i, 0), &u = slot(i, 1);
    ops::assign_add(m, multiply(subtract(g, m), 1.0 - o_.beta_1));
    ops::assign(u, ops::maximum(multiply(u, o_.beta_2), ops::abs(g)));
    assign_sub(w, divide(multiply(lr, m), multiply(one_minus_power, add(u, o_.epsilon))));
  }

 private:
  AdamaxOptions o_;
};

class NadamImpl final : public Optimizer {
 public:
  explicit NadamImpl(NadamOptions o)
      : Optimizer("Nadam", o.learning_rate, base_of(o)), o_(std::move(o)) {}
  void build_slots(const Variable& v) override {
    if (!dtype_) {  // Keras: the u_product has the first variable's dtype
      dtype_ = v.dtype();
      device_ = v.value().device();
    }
    add_slot(v, "momentum");
    add_slot(v, "velocity");
  }
  void build_extra() override {
    const DType dtype = dtype_.value_or(float32);
    u_product_ = add_variable("variable", full({}, 1.0, dtype, device_)).value();
  }
  Json get_config() const override {
    Json c = Optimizer::get_config();
    c["beta_1"] = o_.beta_1;
    c["beta_2"] = o_.beta_2;
    c["epsilon"] = o_.epsilon;
    return c;
  }
  // u_t at step t (1-based): beta_1 * (1 - 0.5 * 0.96 ** t).
  double u(int64_t t) const {
    return o_.beta_1 * (1.0 - 0.5 * std::pow(0.96, static_cast<double>(t)));
  }
  void before_update_steps() override {
    const Tensor factor = runtime_scalar(u_product_.dtype(), [this] {
      return 1.0 - 0.5 * std::pow(0.96, static_cast<double>(update_iterations() + 1));
    });
    ops::assign(u_product_, multiply(multiply(u_product_, o_.beta_1), factor));
  }
  void update_step(size_t i, const Tensor& g, const Variable& v) override {
    const Tensor& w = v.value();
    const DType dt = w.dtype();
    const Tensor lr = learning_rate_scalar(dt);
    const Tensor u_t = runtime_scalar(dt, [this] { return u(update_iterations() + 1); });
    const Tensor u_t_1 = runtime_scalar(dt, [this] { return u(update_iterations() + 2); });
    const Tensor beta_2_power = runtime_scalar(
        dt, [this] { return std::pow(o_.beta_2, static_cast<double>(update_iterations() + 1)); });
    const Tensor u_product_t = ops::cast(u_product_, dt);
    const Tensor u_product_t_1 = multiply(u_product_t, u_t_1);
    const Tensor &m = slot(i, 0), &vel = slot(i, 1);
    ops::assign_add(m, multiply(subtract(g, m), 1.0 - o_.beta_1));
    ops::assign_add(vel, multiply(subtract(ops::square(g), vel), 1.0 - o_.beta_2));
    const Tensor m_hat = add(divide(multiply(u_t_1, m), subtract(1.0, u_product_t_1)),
                             divide(multiply(subtract(1.0, u_t), g), subtract(1.0, u_product_t)));
    const Tensor v_hat = divide(vel, subtract(1.0, beta_2_power));
    assign_sub(w, divide(multiply(m_hat, lr), add(ops::sqrt(v_hat), o_.epsilon)));
  }

 private:
  NadamOptions o_;
  std::optional<DType> dtype_;
  Device device_ = default_device();
  Tensor u_product_;
};

class AdadeltaImpl final : public Optimizer {
 public:
  explicit AdadeltaImpl(AdadeltaOptions o)
      : Optimizer("Adadelta", o.learning_rate, base_of(o)), o_(std::move(o)) {}
  void build_slots(const Variable& v) override {
    add_slot(v, "accumulated_grad");
    add_slot(v, "accumulated_delta_var");
  }
  Json get_config() const override {
    Json c = Optimizer::get_config();
    c["rho"] = o_.rho;
    c["epsilon"] = o_.epsilon;
    return c;
  }
  void update_step(size_t i, const Tensor& g, const Variable& v) override {
    const Tensor& w = v.value();
    const Tensor lr = learning_rate_scalar(w.dtype());
    const Tensor &acc_grad = slot(i, 0), &acc_delta = slot(i, 1);
    const double rho = o_.rho;
    auto rms = [this](const Tensor& x) { return ops::sqrt(add(x, o_.epsilon)); };
    ops::assign(acc_grad, add(multiply(acc_grad, rho), multiply(ops::square(g), 1.0 - rho)));
    const Tensor delta = ops::negative(divide(multiply(rms(acc_delta), g), rms(acc_grad)));
    ops::assign(acc_delta, add(multiply(acc_delta, rho), multiply(ops::square(delta), 1.0 - rho)));
    ops::assign_add(w, multiply(lr, delta));
  }

 private:
  AdadeltaOptions o_;
};

class FtrlImpl final : public Optimizer {
 public:
  explicit FtrlImpl(FtrlOptions o)
      : Optimizer("Ftrl", o.learning_rate, base_of(o)), o_(std::move(o)) {
    KERAS_CHECK(o_.initial_accumulator_value >= 0, ValueError,
                "`initial_accumulator_value` needs to be positive or zero. Received: "
                "initial_accumulator_value=",
                py_float(o_.initial_accumulator_value), ".");
    KERAS_CHECK(o_.learning_rate_power <= 0, ValueError,
                "`learning_rate_power` needs to be negative or zero. Received: "
                "learning_rate_power=",
                py_float(o_.learning_rate_power), ".");
    KERAS_CHECK(o_.l1_regularization_strength >= 0, ValueError,
                "`l1_regularization_strength` needs to be positive or zero. Received: "
                "l1_regularization_strength=",
                py_float(o_.l1_regularization_strength), ".");
    KERAS_CHECK(o_.l2_regularization_strength >= 0, ValueError,
                "`l2_regularization_strength` needs to be positive or zero. Received: "
                "l2_regularization_strength=",
                py_float(o_.l2_regularization_strength), ".");
    KERAS_CHECK(o_.l2_shrinkage_regularization_strength >= 0, ValueError,
                "`l2_shrinkage_regularization_strength` needs to be positive or zero. Received: "
                "l2_shrinkage_regularization_strength=",
                py_float(o_.l2_shrinkage_regularization_strength), ".");
  }
  void build_slots(const Variable& v) override {
    Variable acc = add_slot(v, "accumulator");
    acc.assign(full(v.shape(), o_.initial_accumulator_value, v.dtype(), v.value().device()));
    add_slot(v, "linear");
  }
  Json get_config() const override {
    Json c = Optimizer::get_config();
    c["learning_rate_power"] = o_.learning_rate_power;
    c["initial_accumulator_value"] = o_.initial_accumulator_value;
    c["l1_regularization_strength"] = o_.l1_regularization_strength;
    c["l2_regularization_strength"] = o_.l2_regularization_strength;
    c["l2_shrinkage_regularization_strength"] = o_.l2_shrinkage_regularization_strength;
    c["beta"] = o_.beta;
    return c;
  }
  void update_step(size_t i, const Tensor& g, const Variable& v) override {
    const Tensor& w = v.value();
    const Tensor lr = learning_rate_scalar(w.dtype());
    const Tensor &accum = slot(i, 0), &linear = slot(i, 1);
    const double power = -o_.learning_rate_power;
    const Tensor l2_reg = add(divide(o_.beta, multiply(lr, 2.0)), o_.l2_regularization_strength);
    const Tensor grad_to_use = add(g, multiply(w, 2 * o_.l2_shrinkage_regularization_strength));
    const Tensor new_accum = add(accum, ops::square(g));
    ops::assign_add(
        linear,
        subtract(
            grad_to_use,
            multiply(divide(subtract(ops::power(new_accum, power), ops::power(accum, power)), lr),
                     w)));
    const Tensor quadratic = add(divide(ops::power(new_accum, power), lr), multiply(l2_reg, 2.0));
    const double l1 = o_.l1_regularization_strength;
    const Tensor linear_clipped = ops::clip(linear, -l1, l1);
    ops::assign(w, divide(subtract(linear_clipped, linear), quadratic));
    ops::assign(accum, new_accum);
  }

 private:
  FtrlOptions o_;
};

class LionImpl final : public Optimizer {
 public:
  explicit LionImpl(LionOptions o)
      : Optimizer("Lion", o.learning_rate, base_of(o)), o_(std::move(o)) {
    KERAS_CHECK(o_.beta_1 > 0 && o_.beta_1 <= 1, ValueError,
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                "degenerates to SignSGD. Received: beta_1=",
                py_float(o_.beta_1), ".");
  }
  void build_slots(const Variable& v) override { add_slot(v, "momentum"); }
  Json get_config() const override {
    Json c = Optimizer::get_config();
    c["beta_1"] = o_.beta_1;
    c["beta_2"] = o_.beta_2;
    return c;
  }
  void update_step(size_t i, const Tensor& g, const Variable& v) override {
    const Tensor& w = v.value();
    const Tensor lr = learning_rate_scalar(w.dtype());
    const Tensor& m = slot(i, 0);
    assign_sub(w,
               multiply(lr, ops::sign(add(multiply(m, o_.beta_1), multiply(g, 1.0 - o_.beta_1)))));
    ops::assign(m, add(multiply(m, o_.beta_2), multiply(g, 1.0 - o_.beta_2)));
  }

 private:
  LionOptions o_;
};

class LambImpl final : public Optimizer {
 public:
  explicit LambImpl(LambOptions o)
      : Optimizer("Lamb", o.learning_rate, base_of(o)), o_(std::move(o)) {}
  void build_slots(const Variable& v) override {
    add_slot(v, "momentum");
    add_slot(v, "velocity");
  }
  Json get_config() const override {
    Json c = Optimizer::get_config();
    c["beta_1"] = o_.beta_1;
    c["beta_2"] = o_.beta_2;
    c["epsilon"] = o_.epsilon;
    return c;
  }
  void update_step(size_t i, const Tensor& g, const Variable& v) override {
    const Tensor& w = v.value();
    const DType dt = w.dtype();
    const Tensor lr = learning_rate_scalar(dt);
    auto power = [this, dt](double beta) {
      return runtime_scalar(dt, [this, beta] {
        return std::pow(beta, static_cast<double>(update_iterations() + 1));
      });
    };
    const Tensor beta_1_power = power(o_.beta_1), beta_2_power = power(o_.beta_2);
    const Tensor &m = slot(i, 0), &vel = slot(i, 1);
    ops::assign_add(m, multiply(subtract(g, m), 1.0 - o_.beta_1));
    ops::assign_add(vel, multiply(subtract(ops::square(g), vel), 1.0 - o_.beta_2));
    const Tensor m_hat = divide(m, subtract(1.0, beta_1_power));
    const Tensor v_sqrt = add(ops::sqrt(divide(vel, subtract(1.0, beta_2_power))), o_.epsilon);
    const Tensor update = divide(m_hat, v_sqrt);
    const Tensor w_norm = ops::sqrt(ops::sum(ops::power(w, 2.0)));
    const Tensor g_norm = ops::sqrt(ops::sum(ops::power(update, 2.0)));
    const Tensor one = ops::ones_like(w_norm);
    const Tensor ratio =
        ops::where(ops::greater(w_norm, 0.0),
                   ops::where(ops::greater(g_norm, 0.0), divide(w_norm, g_norm), one), one);
    assign_sub(w, multiply(multiply(ratio, lr), update));
  }

 private:
  LambOptions o_;
};

}  // namespace

OptimizerPtr Adamax(AdamaxOptions o) {
  return std::make_shared<AdamaxImpl>(std::move(o));
}
OptimizerPtr Nadam(NadamOptions o) {
  return std::make_shared<NadamImpl>(std::move(o));
}
OptimizerPtr Adadelta(AdadeltaOptions o) {
  return std::make_shared<AdadeltaImpl>(std::move(o));
}
OptimizerPtr Ftrl(FtrlOptions o) {
  return std::make_shared<FtrlImpl>(std::move(o));
}
OptimizerPtr Lion(LionOptions o) {
  return std::make_shared<LionImpl>(std::move(o));
}
OptimizerPtr Lamb(LambOptions o) {
  return std::make_shared<LambImpl>(std::move(o));
}

}  // namespace keras::optimizers
