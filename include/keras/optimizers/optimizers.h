// Optimizers (keras.optimizers) with Keras 3's update rules and defaults.
//
// apply(grads, variables) clips the gradients (clipnorm per tensor, or global_clipnorm, or
// clipvalue — at most one, as Keras enforces), applies each variable's update with one fused
// kernel, and increments `iterations`. All of it runs through launched kernels that read the
// hyperparameters when they run, so a traced training step picks up learning-rate changes made
// by callbacks. Slots (momenta, velocities) are created on the first apply().
//
// Row-sparse gradients (an Embedding's, see Tensor::nonzero_rows) are applied to the touched rows
// only, by SGD without momentum, RMSprop without momentum and Adagrad, with results identical to
// the dense update: those rules leave untouched rows alone, except RMSprop's decay of their
// velocity, which is deferred per row and applied exactly when the row is next touched, before
// any dense update, and when variables() is read. Momentum and Adam update densely.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keras/config/json_fwd.h"
#include "keras/core/variable.h"

namespace keras::optimizers {

struct ClipOptions {
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
};

class Optimizer {
 public:
  Optimizer(std::string name, double learning_rate, ClipOptions clip);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  const std::string& name() const { return name_; }
  double learning_rate() const { return learning_rate_; }
  void set_learning_rate(double lr);
  // Number of apply() calls so far: Keras's `iterations`, an int64 scalar on the variables'
  // device that apply() increments with a launched kernel (so a replayed step counts too); read
  // here through the host accessor.
  int64_t iterations() const { return iterations_.item<int64_t>(); }

  // Undefined gradients are skipped (Keras drops None gradients).
  void apply(const Tensors& grads, const std::vector<Variable>& variables);
  // The optimizer's own state (slot variables) in Keras 3's order (the order its files store
  // them in, after `iterations` and the learning rate): slots are grouped as each optimizer's
  // build() creates them in Keras — Adam: momentum and velocity per variable, then every
  // velocity_hat; RMSprop: every velocity, then every momentum, then every average_gradient.
  // Deferred row updates are applied first.
  const std::vector<Variable>& variables() const;
  // Creates the slots for `variables` now (apply() does it on its first call), so that saved
  // state can be assigned before training resumes. No-op when built for the same variables;
  // throws ValueError when built for others.
  void build(const std::vector<Variable>& variables);
  bool built() const { return !built_for_.empty(); }
  // Sets the step counter (restoring a saved optimizer).
  void set_iterations(int64_t iterations);
  // Keras 3's config dict ({"name": "adam", "learning_rate": 0.001, ..., "beta_1": 0.9, ...}).
  virtual Json get_config() const;

 protected:
  // Creates the slots for variables[i]; called once per variable on the first apply().
  virtual void build_slots(const Variable& variable) = 0;
  // Launches the update of variables[index] with its gradient.
  virtual void update_step(size_t index, const Tensor& grad, const Variable& variable) = 0;
  // A zero-initialized slot shaped like `variable`, named as in Keras after the variable's path
  // ("dense_1/kernel" -> "dense_1_kernel_momentum"; its name when it has no path). `group`
  // places it in variables(): every slot of group 0 (in creation order), then group 1, ...
  Variable add_slot(const Variable& variable, const std::string& slot_name, int group = 0);
  // Slot `k` of variable `index` (slots are created in build_slots order).
  const Tensor& slot(size_t index, size_t k) const { return per_variable_slots_[index][k]; }
  // For the row-sparse kernels: int64, one entry per row of variable `index`, the step each row
  // was last updated at (created on first use, all rows current as of now).
  const Tensor& row_steps(size_t index);
  // The row steps of variable `index`, undefined when it never had a row-sparse update.
  const Tensor& row_steps_if_any(size_t index) const { return row_steps_[index]; }
  // Applies deferred row work of variable `index` up to step `step` (now, not launched).
  virtual void catch_up(size_t /*index*/, int64_t /*step*/) const {}

 private:
  Tensors clip_gradients(const Tensors& grads) const;

  std::string name_;
  double learning_rate_;
  ClipOptions clip_;
  Tensor iterations_;
  Tensor one_;  // the increment, on iterations_'s device
  std::vector<Variable> built_for_;
  std::vector<std::pair<int, Variable>> grouped_slots_;  // in creation order
  std::vector<Variable> slots_;                          // in Keras's order (variables())
  std::vector<Tensors> per_variable_slots_;
  std::vector<Tensor> row_steps_;
};

using OptimizerPtr = std::shared_ptr<Optimizer>;

struct SGDOptions {
  double learning_rate = 0.01;
  double momentum = 0.0;
  bool nesterov = false;
  ClipOptions clip = {};
};
struct RMSpropOptions {
  double learning_rate = 0.001;
  double rho = 0.9;
  double momentum = 0.0;
  double epsilon = 1e-7;
  bool centered = false;
  ClipOptions clip = {};
};
struct AdamOptions {
  double learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  bool amsgrad = false;
  ClipOptions clip = {};
};
struct AdamWOptions {
  double learning_rate = 0.001;
  double weight_decay = 0.004;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  bool amsgrad = false;
  ClipOptions clip = {};
};
struct AdagradOptions {
  double learning_rate = 0.001;
  double initial_accumulator_value = 0.1;
  double epsilon = 1e-7;
  ClipOptions clip = {};
};

OptimizerPtr SGD(SGDOptions options = {});
OptimizerPtr RMSprop(RMSpropOptions options = {});
OptimizerPtr Adam(AdamOptions options = {});
OptimizerPtr AdamW(AdamWOptions options = {});
OptimizerPtr Adagrad(AdagradOptions options = {});

// By Keras name ("sgd", "rmsprop", "adam", "adamw", "adagrad"), with default settings.
OptimizerPtr get(std::string_view name);

// Keras 3's serialized form ({"module": "keras.optimizers", "class_name": "Adam", "config":
// {...}, "registered_name": null}).
Json serialize(const Optimizer& optimizer);
// From that form, Keras 2's {"class_name", "config"} or a name. Unknown keys (use_ema, ...) are
// ignored; throws ValueError for an unknown class or bad values.
OptimizerPtr deserialize(const Json& j);

}  // namespace keras::optimizers
