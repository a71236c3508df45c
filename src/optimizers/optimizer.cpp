// The base optimizer: Keras 3's BaseOptimizer.apply (with the JAX backend's accumulation and EMA),
// its variables and config. Update rules live in kernel_optimizers.cpp and op_optimizers.cpp.
#include <algorithm>
#include <cmath>
#include <regex>

#include "core/python_repr.h"
#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/optimizers/optimizers.h"
#include "optimizers/base_options.h"

namespace keras::optimizers {
namespace {

std::string opt_str(const std::optional<double>& v) {
  return v ? py_float(*v) : std::string("None");
}

// Runs `then_body` when cond() holds, else `else_body`, now and in every replay of the active
// trace. Under a trace both bodies are recorded: launch() runs kernels as it records them, so the
// state they may write (`state`) is restored after each, and the chosen branch is then replayed.
void run_if(const std::function<bool()>& cond,
            const std::function<void()>& then_body,
            const std::function<void()>& else_body,
            const std::vector<Tensor>& state) {
  autodiff::KernelTrace* outer = autodiff::active_trace();
  if (outer == nullptr) {
    (cond() ? then_body : else_body)();
    return;
  }
  std::vector<Tensor> saved;
  for (const Tensor& t : state) saved.push_back(t.clone());
  auto record = [&](const std::function<void()>& body) {
    std::vector<autodiff::Kernel> kernels;
    {
      autodiff::KernelTrace inner;
      body();
      kernels = inner.take();
    }
    for (size_t i = 0; i < state.size(); ++i) state[i].copy_from(saved[i]);
    return kernels;
  };
  auto then_kernels = std::make_shared<std::vector<autodiff::Kernel>>(record(then_body));
  auto else_kernels = std::make_shared<std::vector<autodiff::Kernel>>(record(else_body));
  autodiff::Kernel branch = [cond, then_kernels, else_kernels] {
    for (const autodiff::Kernel& k : cond() ? *then_kernels : *else_kernels) k();
  };
  branch();
  outer->add(std::move(branch));
}

}  // namespace

Optimizer::Optimizer(std::string name, LearningRate learning_rate, BaseOptions base)
    : name_(std::move(name)),
      schedule_(learning_rate.schedule()),
      base_(base),
      iterations_(zeros({}, int64)),
      one_(ones({}, int64)) {
  const ClipOptions& clip = base.clip;
  const int set =
      clip.clipnorm.has_value() + clip.clipvalue.has_value() + clip.global_clipnorm.has_value();
  KERAS_CHECK(set <= 1, ValueError,
              "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
              "clipnorm=",
              opt_str(clip.clipnorm), ", clipvalue=", opt_str(clip.clipvalue),
              ", global_clipnorm=", opt_str(clip.global_clipnorm));
  if (base.gradient_accumulation_steps && *base.gradient_accumulation_steps != 0) {
    KERAS_CHECK(*base.gradient_accumulation_steps >= 2, ValueError,
                "`gradient_accumulation_steps` must be an integer >= 2. Received: "
                "gradient_accumulation_steps=",
                *base.gradient_accumulation_steps);
  } else {
    base_.gradient_accumulation_steps.reset();  // 0 is falsy in Keras: no accumulation
  }
  if (base.use_ema) {
    KERAS_CHECK(
        base.ema_momentum >= 0 && base.ema_momentum <= 1, ValueError,
        "`ema_momentum` must be in the range [0, 1]. Received: ema_momentum=", base.ema_momentum);
    KERAS_CHECK(!base.ema_overwrite_frequency || *base.ema_overwrite_frequency >= 0, ValueError,
                "`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
                "ema_overwrite_frequency=",
                *base.ema_overwrite_frequency);
  }
  if (base.weight_decay) {
    KERAS_CHECK(std::isfinite(*base.weight_decay), ValueError, name_,
                ": weight_decay must be a finite number, got ", *base.weight_decay);
  }
  if (!schedule_) set_learning_rate(learning_rate.value());
}

double Optimizer::learning_rate() const {
  return schedule_ ? (*schedule_)(iterations()) : learning_rate_;
}

void Optimizer::set_learning_rate(double lr) {
  KERAS_CHECK(schedule_ == nullptr, TypeError,
              "This optimizer was created with a `LearningRateSchedule` object as its "
              "`learning_rate` constructor argument, hence its learning rate is not settable. If "
              "you need the learning rate to be settable, you should instantiate the optimizer "
              "with a float `learning_rate` argument.");
  KERAS_CHECK(std::isfinite(lr) && lr >= 0, ValueError, name_,
              ": learning_rate must be a non-negative number, got ", lr);
  learning_rate_ = lr;
}

int64_t Optimizer::update_iterations() const {
  const int64_t n = iterations();
  return base_.gradient_accumulation_steps ? n / *base_.gradient_accumulation_steps : n;
}

const std::vector<Variable>& Optimizer::variables() const {
  for (size_t i = 0; i < row_steps_.size(); ++i) {
    const bool skip = i < no_catch_up_.size() && no_catch_up_[i];
    if (row_steps_[i].defined() && !skip) catch_up(i, update_iterations());
  }
  return slots_;
}

bool Optimizer::writes_only_rows(size_t index) const {
  const bool plain = !base_.clip.clipnorm && !base_.clip.clipvalue && !base_.clip.global_clipnorm &&
                     !base_.use_ema && !base_.gradient_accumulation_steps &&
                     !base_.loss_scale_factor;
  return plain && index < row_steps_.size() && row_steps_[index].defined() &&
         weight_decay_for(index) == 0.0 && updates_only_hinted_rows(index);
}

std::optional<Tensors> Optimizer::row_update_state(size_t index) const {
  if (!writes_only_rows(index)) return std::nullopt;
  Tensors state = per_variable_slots_[index];
  state.push_back(row_steps_[index]);
  return state;
}

bool Optimizer::launch_row_update(size_t index, const Tensor& g, const Variable& variable) {
  Tensor rows = g.nonzero_rows();
  if (!rows.defined() || !updates_only_hinted_rows(index)) return false;
  row_steps(index);  // created now: the launched update (and row_update_state) find it
  autodiff::launch([this, index, w = variable.value(), g, rows] {
    update_rows(index, w, g, rows, backend::RowGradient::table);
  });
  return true;
}

void Optimizer::update_rows_now(size_t index, const Tensor& g, const Tensor& rows) {
  KERAS_CHECK(writes_only_rows(index), ValueError, name_,
              ": update_rows_now needs a variable whose row updates write only their rows");
  update_rows(index, built_for_[index].value(), g, rows, backend::RowGradient::compact);
}

void Optimizer::set_catches_up(size_t index, bool catches_up) {
  if (no_catch_up_.size() <= index) no_catch_up_.resize(index + 1, false);
  no_catch_up_[index] = !catches_up;
}

const Tensor& Optimizer::row_steps(size_t index) {
  Tensor& steps = row_steps_[index];
  if (!steps.defined()) {
    const Shape& shape = built_for_[index].shape();
    steps = full({shape.empty() ? 1 : shape[0]}, static_cast<double>(update_iterations()), int64,
                 built_for_[index].value().device());
  }
  return steps;
}

Variable Optimizer::add_slot(const Variable& variable, const std::string& slot_name, int group) {
  // Keras names a slot after its variable's path: "dense_1_kernel_momentum".
  std::string owner = variable.path().empty() ? variable.name() : variable.path();
  std::replace(owner.begin(), owner.end(), '/', '_');
  Variable v(owner + "_" + slot_name,
             zeros(variable.shape(), variable.dtype(), variable.value().device()), false);
  grouped_slots_.emplace_back(group, v);
  if (group >= 0) per_variable_slots_.back().push_back(v.value());
  return v;
}

Variable Optimizer::add_slot(const std::string& name, const Tensor& value) {
  Variable v(name, value, false);
  grouped_slots_.emplace_back(0, v);
  per_variable_slots_.back().push_back(v.value());
  return v;
}

Variable Optimizer::add_variable(const std::string& name, const Tensor& value) {
  Variable v(name, value, false);
  extra_.push_back(v);
  return v;
}

Tensor Optimizer::runtime_scalar(DType dtype, std::function<double()> value) const {
  Tensor t = Tensor::empty({}, dtype, iterations_.device());
  autodiff::launch([t, value = std::move(value)] { backend::backend_for(t).fill(t, value()); });
  return t;
}

Tensor Optimizer::learning_rate_scalar(DType dtype) const {
  // Keras's learning-rate variable has floatx's dtype: the fill rounds it to `dtype` as Keras's
  // cast does (a schedule's value is already float32).
  return runtime_scalar(dtype, [this] { return learning_rate(); });
}

Tensors Optimizer::clip_gradients(const Tensors& grads) const {
  Tensors out = grads;
  const ClipOptions& clip = base_.clip;
  if (clip.clipnorm && *clip.clipnorm > 0) {
    const double c = *clip.clipnorm;
    for (Tensor& g : out) {
      if (!g.defined()) continue;
      Tensor norm = ops::sqrt(ops::sum(ops::square(g)));
      g = ops::multiply(g, ops::divide(c, ops::maximum(norm, c)));
    }
  } else if (clip.global_clipnorm && *clip.global_clipnorm > 0) {
    const double c = *clip.global_clipnorm;
    Tensor total;
    for (const Tensor& g : out) {
      if (!g.defined()) continue;
      Tensor s = ops::sum(ops::square(g));
      total = total.defined() ? ops::add(total, s) : s;
    }
    if (total.defined()) {
      Tensor scale = ops::divide(c, ops::maximum(ops::sqrt(total), c));
      for (Tensor& g : out) {
        if (g.defined()) g = ops::multiply(g, scale);
      }
    }
  } else if (clip.clipvalue && *clip.clipvalue > 0) {
    const double v = *clip.clipvalue;
    for (Tensor& g : out) {
      if (g.defined()) g = ops::clip(g, -v, v);
    }
  }
  return out;
}

void Optimizer::build(const std::vector<Variable>& variables) {
  if (built_for_.empty()) {
    if (!variables.empty()) {  // the step counter lives with the variables
      const Device device = variables[0].value().device();
      iterations_ = iterations_.to(device);
      one_ = one_.to(device);
    }
    // Keras's base build: every EMA average, then every gradient accumulator.
    for (const Variable& v : variables) {
      if (base_.use_ema) averages_.push_back(add_slot(v, "average", -2).value());
    }
    for (const Variable& v : variables) {
      if (base_.gradient_accumulation_steps) {
        accumulators_.push_back(add_slot(v, "gradient_accumulator", -1).value());
      }
    }
    for (const Variable& v : variables) {
      built_for_.push_back(v);
      per_variable_slots_.emplace_back();
      row_steps_.emplace_back();
      build_slots(v);
    }
    build_extra();
    std::stable_sort(grouped_slots_.begin(), grouped_slots_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [group, slot] : grouped_slots_) slots_.push_back(slot);
    for (const Variable& v : extra_) slots_.push_back(v);
  }
  KERAS_CHECK(built_for_ == variables, ValueError, name_,
              ": apply() was called with different "
              "variables than the ones the optimizer was built for");
}

void Optimizer::set_iterations(int64_t iterations) {
  KERAS_CHECK(iterations >= 0, ValueError, name_, ": iterations must be >= 0, got ", iterations);
  iterations_.copy_from(Tensor::scalar(iterations, Device::cpu()));
  // Restored slots are current as of `iterations` in every row (in place: plans hold these).
  for (const Tensor& steps : row_steps_) {
    if (steps.defined()) {
      backend::backend_for(steps).fill(steps, static_cast<double>(update_iterations()));
    }
  }
}

void Optimizer::exclude_from_weight_decay(const std::vector<Variable>& var_list,
                                          const std::vector<std::string>& var_names) {
  KERAS_CHECK(!built(), ValueError,
              "`exclude_from_weight_decay()` can only be configured before the optimizer is "
              "built.");
  for (const std::string& n : var_names) {
    try {
      std::regex check(n);
    } catch (const std::regex_error& e) {
      throw ValueError(
          str("exclude_from_weight_decay: invalid pattern ", excerpt(n), ": ", e.what()));
    }
  }
  excluded_ = var_list;
  excluded_names_ = var_names;
}

bool Optimizer::use_weight_decay(const Variable& variable) const {
  if (std::find(excluded_.begin(), excluded_.end(), variable) != excluded_.end()) return false;
  return std::none_of(excluded_names_.begin(), excluded_names_.end(), [&](const std::string& n) {
    return std::regex_search(variable.name(), std::regex(n));
  });
}

double Optimizer::weight_decay_for(size_t index) const {
  return base_.weight_decay && use_weight_decay(built_for_[index]) ? *base_.weight_decay : 0.0;
}

void Optimizer::finalize_variable_values(const std::vector<Variable>& variables) {
  if (!base_.use_ema) return;
  KERAS_CHECK(variables.size() == averages_.size(), ValueError, "The length of model variables (",
              variables.size(),
              ") to override does not match the length of model variables stored in the "
              "optimizer (",
              averages_.size(), "). Please check if the optimizer was called on your model.");
  for (size_t i = 0; i < variables.size(); ++i) variables[i].value().copy_from(averages_[i]);
}

void Optimizer::require_averages() const {
  KERAS_CHECK(base_.use_ema && averages_.size() == built_for_.size() && built(), ValueError,
              "SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. "
              "Received: use_ema=",
              base_.use_ema ? "True" : "False");
}

void Optimizer::swap_variables_with_averages() {
  require_averages();
  for (size_t i = 0; i < built_for_.size(); ++i) {
    const Tensor& w = built_for_[i].value();
    const Tensor old = w.clone();
    w.copy_from(averages_[i]);
    averages_[i].copy_from(old);
  }
}

void Optimizer::set_averages_to_variables() {
  require_averages();
  for (size_t i = 0; i < built_for_.size(); ++i) averages_[i].copy_from(built_for_[i].value());
}

Json Optimizer::get_config() const {
  auto opt = [](const auto& v) { return v ? Json(*v) : Json(nullptr); };
  return Json{
      {"name", to_snake_case(name_)},  // Keras's default: "adam", "rm_sprop", "adam_w"
      {"learning_rate", schedule_ ? schedules::serialize(*schedule_) : Json(learning_rate_)},
      {"weight_decay", opt(base_.weight_decay)},
      {"clipnorm", opt(base_.clip.clipnorm)},
      {"global_clipnorm", opt(base_.clip.global_clipnorm)},
      {"clipvalue", opt(base_.clip.clipvalue)},
      {"use_ema", base_.use_ema},
      {"ema_momentum", base_.ema_momentum},
      {"ema_overwrite_frequency", opt(base_.ema_overwrite_frequency)},
      {"loss_scale_factor", opt(base_.loss_scale_factor)},
      {"gradient_accumulation_steps", opt(base_.gradient_accumulation_steps)}};
}

void Optimizer::apply(const Tensors& grads, const std::vector<Variable>& variables) {
  KERAS_CHECK(grads.size() == variables.size(), ValueError, name_, ".apply: got ", grads.size(),
              " gradients for ", variables.size(), " variables");
  KERAS_CHECK(
      variables.empty() || std::ranges::any_of(grads, [](const Tensor& g) { return g.defined(); }),
      ValueError, "No gradients provided for any variable.");
  build(variables);
  Tensors cast(grads.size());
  for (size_t i = 0; i < variables.size(); ++i) {
    if (!grads[i].defined()) continue;
    KERAS_CHECK(grads[i].shape() == variables[i].shape(), ValueError, name_, ": gradient of shape ",
                shape_str(grads[i].shape()), " for variable ", variables[i].path(), " of shape ",
                shape_str(variables[i].shape()));
    // Keras's loss scaling: the gradients are of the loss times the factor.
    cast[i] = base_.loss_scale_factor ? ops::divide(grads[i], *base_.loss_scale_factor) : grads[i];
  }
  if (const auto steps = base_.gradient_accumulation_steps) {
    // Keras (JAX): the update on (g + accumulated) / steps every steps-th call, else accumulate.
    std::vector<Tensor> state;
    for (const Variable& v : variables) state.push_back(v.value());
    for (const Variable& v : slots_) state.push_back(v.value());
    const int64_t n = *steps;
    run_if(
        [this, n] { return (iterations() + 1) % n == 0; },
        [&] {
          Tensors averaged(cast.size());
          for (size_t i = 0; i < cast.size(); ++i) {
            if (!cast[i].defined()) continue;
            averaged[i] =
                ops::divide(ops::add(ops::cast(cast[i], variables[i].dtype()), accumulators_[i]),
                            static_cast<double>(n));
          }
          apply_update(averaged, variables);
          for (size_t i = 0; i < cast.size(); ++i) {
            if (!cast[i].defined()) continue;
            autodiff::launch([acc = accumulators_[i]] { backend::backend_for(acc).fill(acc, 0); });
          }
        },
        [&] {
          for (size_t i = 0; i < cast.size(); ++i) {
            if (!cast[i].defined()) continue;
            ops::assign(accumulators_[i],
                        ops::add(ops::cast(cast[i], variables[i].dtype()), accumulators_[i]));
          }
        },
        state);
  } else {
    apply_update(cast, variables);
  }
  if (base_.use_ema) apply_ema();
  ops::assign_add(iterations_, one_);
}

void Optimizer::apply_update(const Tensors& grads, const std::vector<Variable>& variables) {
  const Tensors clipped = clip_gradients(grads);
  if (!fuses_weight_decay()) {
    for (size_t i = 0; i < variables.size(); ++i) {
      const double decay = weight_decay_for(i);
      if (!clipped[i].defined() || decay == 0.0) continue;
      const Tensor& w = variables[i].value();
      const Tensor lr = learning_rate_scalar(w.dtype());
      ops::assign(w, ops::subtract(w, ops::multiply(ops::multiply(w, decay), lr)));
    }
  }
  before_update_steps();
  for (size_t i = 0; i < variables.size(); ++i) {
    if (!clipped[i].defined()) continue;
    update_step(i, ops::cast(clipped[i], variables[i].dtype()), variables[i]);
  }
}

void Optimizer::apply_ema() {
  const double momentum = base_.ema_momentum;
  for (size_t i = 0; i < built_for_.size(); ++i) {
    const Tensor& w = built_for_[i].value();
    const Tensor m = runtime_scalar(
        w.dtype(), [this, momentum] { return update_iterations() != 0 ? momentum : 0.0; });
    ops::assign(averages_[i],
                ops::add(ops::multiply(m, averages_[i]), ops::multiply(ops::subtract(1.0, m), w)));
  }
  const int f = base_.ema_overwrite_frequency.value_or(0);
  if (f <= 0) return;
  autodiff::launch([this, f] {
    if ((update_iterations() + 1) % f != 0) return;
    for (size_t i = 0; i < built_for_.size(); ++i) {
      backend::backend_for(averages_[i]).copy(averages_[i], built_for_[i].value());
    }
  });
}

}  // namespace keras::optimizers
