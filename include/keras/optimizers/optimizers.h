// Optimizers (keras.optimizers) with Keras 3's update rules, defaults and variables.
//
// apply(grads, variables) does what Keras 3's base optimizer does, in its order:
//   - with gradient_accumulation_steps = n: every step adds the gradients to per-variable
//     accumulators; on every n-th step (iterations + 1 divisible by n) the update below runs on
//     (gradient + accumulated) / n and the accumulators are zeroed, on the others nothing else
//     changes (the update's kernels are recorded in a traced plan and run only on those steps);
//   - the gradients are clipped (clipnorm per tensor, or global_clipnorm, or clipvalue — at most
//     one, as Keras enforces);
//   - weight_decay: each variable not excluded becomes w - w * weight_decay * learning_rate;
//   - each variable's update (one fused kernel for SGD, RMSprop, Adam, AdamW and Adagrad; Keras's
//     op sequence for the others);
//   - use_ema: every variable's moving average becomes m * average + (1 - m) * w, m =
//     ema_momentum except 0 on the first update; with ema_overwrite_frequency = f the variables
//     are overwritten by their averages when the update count + 1 is divisible by f;
//   - `iterations` is incremented.
// All of it runs through launched kernels that read the hyperparameters and the step when they
// run, so a traced training step picks up learning-rate changes made by callbacks and a
// schedule's next value. Slots (momenta, velocities) are created on the first apply().
//
// Row-sparse gradients (an Embedding's, see Tensor::nonzero_rows) are applied to the touched rows
// only, by SGD without momentum, RMSprop without momentum and Adagrad, with results identical to
// the dense update: those rules leave untouched rows alone, except RMSprop's decay of their
// velocity, which is deferred per row and applied exactly when the row is next touched, before
// any dense update, and when variables() is read. Momentum and Adam update densely.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keras/config/json_fwd.h"
#include "keras/core/variable.h"
#include "keras/optimizers/schedules.h"

namespace keras::backend {
enum class RowGradient;
}

namespace keras::optimizers {

struct ClipOptions {
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
};

// An optimizer's learning rate: a number (Keras's `learning_rate` variable, settable) or a
// schedule evaluated at every step (not settable, as in Keras).
class LearningRate {
 public:
  LearningRate(double value) : value_(value) {}  // NOLINT(google-explicit-constructor)
  LearningRate(schedules::SchedulePtr schedule)  // NOLINT(google-explicit-constructor)
      : schedule_(std::move(schedule)) {}
  double value() const { return value_; }
  const schedules::SchedulePtr& schedule() const { return schedule_; }

 private:
  double value_ = 0.0;
  schedules::SchedulePtr schedule_;
};

// The arguments Keras 3's base optimizer takes, which every optimizer's options repeat.
struct BaseOptions {
  std::optional<double> weight_decay = std::nullopt;
  ClipOptions clip = {};
  bool use_ema = false;
  double ema_momentum = 0.99;
  std::optional<int> ema_overwrite_frequency = std::nullopt;
  std::optional<int> gradient_accumulation_steps = std::nullopt;
  // Kept and written back in the config. Keras multiplies the loss by it and divides the
  // gradients by it (against float16 underflow); keras.cpp trains in float32 and does neither,
  // which gives the same gradients.
  std::optional<double> loss_scale_factor = std::nullopt;
};

class Optimizer {
 public:
  // Throws ValueError with Keras's messages for more than one clip option, a bad
  // gradient_accumulation_steps (< 2), ema_momentum outside [0, 1] or ema_overwrite_frequency < 1
  // (with use_ema).
  Optimizer(std::string name, LearningRate learning_rate, BaseOptions base);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  const std::string& name() const { return name_; }
  // The current learning rate: the number, or the schedule's value at `iterations()`.
  double learning_rate() const;
  // Throws TypeError when the learning rate is a schedule (Keras's message).
  void set_learning_rate(double lr);
  const schedules::SchedulePtr& learning_rate_schedule() const { return schedule_; }
  // Keras's `learning_rate` variable exists (and is saved, second) only without a schedule.
  bool has_learning_rate_variable() const { return schedule_ == nullptr; }
  // Number of apply() calls so far: Keras's `iteration` variable (what files store), an int64
  // scalar on the variables' device that apply() increments with a launched kernel (so a
  // replayed step counts too); read here through the host accessor. Schedules see this count.
  int64_t iterations() const { return iterations_.item<int64_t>(); }
  // Keras's `optimizer.iterations` property: iterations() // gradient_accumulation_steps (the
  // updates made), or iterations(). Update rules (Adam's bias correction) and EMA use it.
  int64_t update_iterations() const;
  const BaseOptions& base_options() const { return base_; }

  // Undefined gradients are skipped (Keras drops None gradients).
  void apply(const Tensors& grads, const std::vector<Variable>& variables);
  // The optimizer's own state in Keras 3's order (the order its files store them in, after
  // `iterations` and the learning rate): the EMA averages (use_ema), then the gradient
  // accumulators, then each optimizer's slots grouped as its build() creates them in Keras —
  // Adam: momentum and velocity per variable, then every velocity_hat; RMSprop: every velocity,
  // then every momentum, then every average_gradient; Nadam ends with its u_product. Deferred
  // row updates are applied first.
  const std::vector<Variable>& variables() const;
  // Creates the slots for `variables` now (apply() does it on its first call), so that saved
  // state can be assigned before training resumes. No-op when built for the same variables;
  // throws ValueError when built for others.
  void build(const std::vector<Variable>& variables);
  bool built() const { return !built_for_.empty(); }
  // Sets the step counter (restoring a saved optimizer).
  void set_iterations(int64_t iterations);
  // For keras::distribution's tables shared by the processes of one machine: when an update of
  // variable `index` with a row hint (Tensor::nonzero_rows) writes only the hinted rows of the
  // variable and of the tensors returned (its slots, then its rows' last update steps), those
  // tensors; nullopt when such an update may write more (momentum, clipping, weight decay, EMA,
  // loss scaling, gradient accumulation, an optimizer without row updates) or has not run yet.
  std::optional<Tensors> row_update_state(size_t index) const;
  // Whether variables() first brings variable `index`'s deferred row decays up to date (the
  // default). Processes sharing the rows leave that to one of them.
  void set_catches_up(size_t index, bool catches_up);
  // For those shared tables: updates rows `rows` (int64, distinct ids) of variable `index` now,
  // not in a launched step, from `g` of shape [rows.size(), ...] holding one gradient row per id:
  // what this step's apply() does to those rows given a row-hinted gradient, and apply() then
  // skips them (their last update step is this one). For a variable row_update_state() accepts
  // (else ValueError); inside a traced step, call it from a launched function.
  void update_rows_now(size_t index, const Tensor& g, const Tensor& rows);
  // Keras's exclude_from_weight_decay: the given variables, and every variable whose name
  // contains a match of one of `var_names` (regular expressions, searched as Keras does), keep
  // their values under weight_decay. ValueError once the optimizer is built (its plan is fixed).
  void exclude_from_weight_decay(const std::vector<Variable>& var_list,
                                 const std::vector<std::string>& var_names = {});
  void exclude_from_weight_decay(const std::vector<std::string>& var_names) {
    exclude_from_weight_decay({}, var_names);
  }
  // With use_ema, assigns each variable its moving average (fit does this after training, as
  // Keras does); otherwise nothing. ValueError when `variables` are not the optimizer's.
  void finalize_variable_values(const std::vector<Variable>& variables);
  // With use_ema and once built: exchanges the values of the variables it was built for with
  // their moving averages (in place: compiled plans keep working). Otherwise ValueError with
  // Keras's SwapEMAWeights message.
  void swap_variables_with_averages();
  // Sets each moving average to its variable's value (SwapEMAWeights at the last epoch). The
  // same errors.
  void set_averages_to_variables();
  // Keras 3's config dict ({"name": "adam", "learning_rate": 0.001, ..., "beta_1": 0.9, ...}).
  virtual Json get_config() const;

 protected:
  // Creates the slots for variables[i]; called once per variable on the first apply().
  virtual void build_slots(const Variable& variable) = 0;
  // Called once after every variable's build_slots (Nadam's u_product).
  virtual void build_extra() {}
  // Launches the update of variables[index] with its gradient (cast to the variable's dtype).
  virtual void update_step(size_t index, const Tensor& grad, const Variable& variable) = 0;
  // Launched before the updates of one step (Nadam's u_product).
  virtual void before_update_steps() {}
  // True when update_step applies weight_decay itself (AdamW's fused kernel): see
  // weight_decay_for().
  virtual bool fuses_weight_decay() const { return false; }
  // weight_decay for variable `index`, 0 when none or excluded (Muon: per kind of variable).
  virtual double weight_decay_for(size_t index) const;
  // Whether exclude_from_weight_decay leaves `variable` to weight decay.
  bool use_weight_decay(const Variable& variable) const;
  // A zero-initialized slot shaped like `variable`, named as in Keras after the variable's path
  // ("dense_1/kernel" -> "dense_1_kernel_momentum"; its name when it has no path). `group`
  // places it in variables(): every slot of group 0 (in creation order), then group 1, ...
  Variable add_slot(const Variable& variable, const std::string& slot_name, int group = 0);
  // A slot of variables[index] (the one being built) with its own name and value (Adafactor's
  // factored moments), in group 0.
  Variable add_slot(const std::string& name, const Tensor& value);
  // The variable built at `index`.
  const Variable& built_variable(size_t index) const { return built_for_[index]; }
  // An optimizer variable not tied to a model variable (Nadam's u_product), after every slot.
  Variable add_variable(const std::string& name, const Tensor& value);
  // Slot `k` of variable `index` (slots are created in build_slots order).
  const Tensor& slot(size_t index, size_t k) const { return per_variable_slots_[index][k]; }
  // A scalar of `dtype` on the variables' device that a launched kernel sets to value() each
  // time it runs (hyperparameters and step-dependent factors for op-built updates).
  Tensor runtime_scalar(DType dtype, std::function<double()> value) const;
  // The learning rate as such a scalar (Keras's `ops.cast(learning_rate, variable.dtype)`).
  Tensor learning_rate_scalar(DType dtype) const;
  // For the row-sparse kernels: int64, one entry per row of variable `index`, the step each row
  // was last updated at (created on first use, all rows current as of now).
  const Tensor& row_steps(size_t index);
  // The row steps of variable `index`, undefined when it never had a row-sparse update.
  const Tensor& row_steps_if_any(size_t index) const { return row_steps_[index]; }
  // Applies deferred row work of variable `index` up to step `step` (now, not launched).
  virtual void catch_up(size_t /*index*/, int64_t /*step*/) const {}
  // Whether update_step(index, ...) with a row hint writes only the hinted rows (of the variable
  // and of its slots and row steps).
  virtual bool updates_only_hinted_rows(size_t /*index*/) const { return false; }
  // When g has a row hint and updates_only_hinted_rows(index): launches update_rows of the
  // hinted rows (gradients at their rows of g) and returns true.
  bool launch_row_update(size_t index, const Tensor& g, const Variable& variable);
  // That row update (now, not launched) of variable `index` (value w): rows `rows` from g, each
  // listed row's gradient where `layout` says. For a variable updates_only_hinted_rows accepts.
  virtual void update_rows(size_t /*index*/,
                           const Tensor& /*w*/,
                           const Tensor& /*g*/,
                           const Tensor& /*rows*/,
                           backend::RowGradient /*layout*/) {}

 private:
  Tensors clip_gradients(const Tensors& grads) const;
  void apply_update(const Tensors& grads, const std::vector<Variable>& variables);
  void apply_ema();
  // ValueError unless the moving averages exist (SwapEMAWeights).
  void require_averages() const;
  // Whether row updates of variable `index` write only their rows (row_update_state).
  bool writes_only_rows(size_t index) const;

  std::string name_;
  double learning_rate_ = 0.0;
  schedules::SchedulePtr schedule_;
  BaseOptions base_;
  Tensor iterations_;
  Tensor one_;  // the increment, on iterations_'s device
  std::vector<Variable> built_for_;
  std::vector<std::pair<int, Variable>> grouped_slots_;  // in creation order
  std::vector<Variable> extra_;                          // add_variable's, after the slots
  std::vector<Variable> slots_;                          // in Keras's order (variables())
  std::vector<Tensors> per_variable_slots_;
  std::vector<Tensor> averages_, accumulators_;  // use_ema, gradient accumulation
  std::vector<Tensor> row_steps_;
  std::vector<bool> no_catch_up_;  // set_catches_up(index, false)
  std::vector<Variable> excluded_;
  std::vector<std::string> excluded_names_;
};

using OptimizerPtr = std::shared_ptr<Optimizer>;

// Each optimizer's options: its own arguments (Keras's defaults), then the base arguments
// (BaseOptions, repeated so that `.weight_decay = 0.01` reads as in Keras).
#define KERAS_OPTIMIZER_BASE_OPTIONS                             \
  std::optional<double> weight_decay = std::nullopt;             \
  ClipOptions clip = {};                                         \
  bool use_ema = false;                                          \
  double ema_momentum = 0.99;                                    \
  std::optional<int> ema_overwrite_frequency = std::nullopt;     \
  std::optional<int> gradient_accumulation_steps = std::nullopt; \
  std::optional<double> loss_scale_factor = std::nullopt;

struct SGDOptions {
  LearningRate learning_rate = 0.01;
  double momentum = 0.0;
  bool nesterov = false;
  KERAS_OPTIMIZER_BASE_OPTIONS
};
struct RMSpropOptions {
  LearningRate learning_rate = 0.001;
  double rho = 0.9;
  double momentum = 0.0;
  double epsilon = 1e-7;
  bool centered = false;
  KERAS_OPTIMIZER_BASE_OPTIONS
};
struct AdamOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  bool amsgrad = false;
  KERAS_OPTIMIZER_BASE_OPTIONS
};
// AdamW is Adam with weight_decay (default 0.004), which it requires.
struct AdamWOptions {
  LearningRate learning_rate = 0.001;
  double weight_decay = 0.004;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  bool amsgrad = false;
  ClipOptions clip = {};
  bool use_ema = false;
  double ema_momentum = 0.99;
  std::optional<int> ema_overwrite_frequency = std::nullopt;
  std::optional<int> gradient_accumulation_steps = std::nullopt;
  std::optional<double> loss_scale_factor = std::nullopt;
};
struct AdagradOptions {
  LearningRate learning_rate = 0.001;
  double initial_accumulator_value = 0.1;
  double epsilon = 1e-7;
  KERAS_OPTIMIZER_BASE_OPTIONS
};
struct AdamaxOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  KERAS_OPTIMIZER_BASE_OPTIONS
};
struct NadamOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  KERAS_OPTIMIZER_BASE_OPTIONS
};
struct AdadeltaOptions {
  LearningRate learning_rate = 0.001;
  double rho = 0.95;
  double epsilon = 1e-7;
  KERAS_OPTIMIZER_BASE_OPTIONS
};
struct FtrlOptions {
  LearningRate learning_rate = 0.001;
  double learning_rate_power = -0.5;
  double initial_accumulator_value = 0.1;
  double l1_regularization_strength = 0.0;
  double l2_regularization_strength = 0.0;
  double l2_shrinkage_regularization_strength = 0.0;
  double beta = 0.0;
  KERAS_OPTIMIZER_BASE_OPTIONS
};
struct LionOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.99;
  KERAS_OPTIMIZER_BASE_OPTIONS
};
struct LambOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  KERAS_OPTIMIZER_BASE_OPTIONS
};

// Adafactor: factored second moments (a row and a column vector) for variables of 2 dimensions
// or more, an unfactored one below; the step size is min(learning_rate, 1 / sqrt(step)) times
// max(epsilon_2, rms(variable)) (relative_step is kept in the config: it changes nothing, as in
// Keras 3).
struct AdafactorOptions {
  LearningRate learning_rate = 0.001;
  double beta_2_decay = -0.8;
  double epsilon_1 = 1e-30;
  double epsilon_2 = 1e-3;
  double clip_threshold = 1.0;
  bool relative_step = true;
  KERAS_OPTIMIZER_BASE_OPTIONS
};
// Muon: momentum orthogonalized by ns_steps Newton-Schulz iterations (coefficients muon_a, _b, _c)
// for 2-D variables; AdamW steps (adam_beta_1, adam_beta_2, epsilon, learning_rate *
// adam_lr_ratio, adam_weight_decay) for every variable that is not 2-D, whose path contains
// "embedding" (exclude_embeddings) or matches one of exclude_layers (regular expressions searched
// in the variable's path, as Keras's re.search). weight_decay applies to the Muon variables;
// rms_rate (nullopt: off) scales a Muon update by rms_rate * sqrt(max(rows, columns)).
// The fields are in Keras's argument order.
struct MuonOptions {
  LearningRate learning_rate = 0.001;
  double adam_beta_1 = 0.9;
  double adam_beta_2 = 0.999;
  std::optional<double> adam_weight_decay = 0.004;
  double epsilon = 1e-7;
  std::optional<double> weight_decay = 0.004;
  ClipOptions clip = {};
  bool use_ema = false;
  double ema_momentum = 0.99;
  std::optional<int> ema_overwrite_frequency = std::nullopt;
  std::optional<double> loss_scale_factor = std::nullopt;
  std::optional<int> gradient_accumulation_steps = std::nullopt;
  std::vector<std::string> exclude_layers = {};
  bool exclude_embeddings = true;
  double muon_a = 3.4445;
  double muon_b = -4.7750;
  double muon_c = 2.0315;
  double adam_lr_ratio = 1.0;
  double momentum = 0.95;
  int ns_steps = 5;
  bool nesterov = true;
  std::optional<double> rms_rate = 0.2;
};
// ScheduleFreeAdamW (Defazio et al.): the variables hold the interpolation y of the averaged
// iterate x and the Adam-style iterate z (the "momentum" slot, which starts as a copy of the
// variable); the learning rate ramps up linearly over warmup_steps.
struct ScheduleFreeAdamWOptions {
  LearningRate learning_rate = 0.0025;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-8;
  int warmup_steps = 0;
  KERAS_OPTIMIZER_BASE_OPTIONS
};

#undef KERAS_OPTIMIZER_BASE_OPTIONS

OptimizerPtr SGD(SGDOptions options = {});
OptimizerPtr RMSprop(RMSpropOptions options = {});
OptimizerPtr Adam(AdamOptions options = {});
OptimizerPtr AdamW(AdamWOptions options = {});
OptimizerPtr Adagrad(AdagradOptions options = {});
OptimizerPtr Adamax(AdamaxOptions options = {});
OptimizerPtr Nadam(NadamOptions options = {});
OptimizerPtr Adadelta(AdadeltaOptions options = {});
// ValueError (Keras's messages) for a negative initial_accumulator_value or regularization
// strength, or a positive learning_rate_power.
OptimizerPtr Ftrl(FtrlOptions options = {});
// ValueError unless 0 < beta_1 <= 1.
OptimizerPtr Lion(LionOptions options = {});
OptimizerPtr Lamb(LambOptions options = {});
OptimizerPtr Adafactor(AdafactorOptions options = {});
// ValueError for an exclude_layers entry that is not a regular expression, or ns_steps over
// 1,000 (a bound on a loaded config's work per step; Keras uses 5).
OptimizerPtr Muon(MuonOptions options = {});
OptimizerPtr ScheduleFreeAdamW(ScheduleFreeAdamWOptions options = {});

// By Keras name ("sgd", "rmsprop", "adam", "adamw", "adagrad", "adamax", "nadam", "adadelta",
// "ftrl", "lion", "lamb", "adafactor", "muon", "schedulefreeadamw"; any case), with default
// settings.
OptimizerPtr get(std::string_view name);

// Keras 3's serialized form ({"module": "keras.optimizers", "class_name": "Adam", "config":
// {...}, "registered_name": null}).
Json serialize(const Optimizer& optimizer);
// From that form, Keras 2's {"class_name", "config"} or a name; a learning_rate given as a
// serialized schedule becomes that schedule. Unknown keys are ignored; throws ValueError for an
// unknown class or bad values.
OptimizerPtr deserialize(const Json& j);

}  // namespace keras::optimizers
