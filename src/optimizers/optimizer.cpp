#include <algorithm>
#include <cctype>
#include <cmath>

#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/optimizers/optimizers.h"

namespace keras::optimizers {

Optimizer::Optimizer(std::string name, double learning_rate, ClipOptions clip)
    : name_(std::move(name)),
      learning_rate_(learning_rate),
      clip_(clip),
      iterations_(zeros({}, int64)),
      one_(ones({}, int64)) {
  const int set =
      clip.clipnorm.has_value() + clip.clipvalue.has_value() + clip.global_clipnorm.has_value();
  KERAS_CHECK(set <= 1, ValueError,
              "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` "
              "can be set. Received: clipnorm=",
              clip.clipnorm.value_or(NAN), ", clipvalue=", clip.clipvalue.value_or(NAN),
              ", global_clipnorm=", clip.global_clipnorm.value_or(NAN));
  set_learning_rate(learning_rate);
}

void Optimizer::set_learning_rate(double lr) {
  KERAS_CHECK(std::isfinite(lr) && lr >= 0, ValueError, name_,
              ": learning_rate must be a non-negative number, got ", lr);
  learning_rate_ = lr;
}

const std::vector<Variable>& Optimizer::variables() const {
  for (size_t i = 0; i < row_steps_.size(); ++i) {
    if (row_steps_[i].defined()) catch_up(i, iterations());
  }
  return slots_;
}

const Tensor& Optimizer::row_steps(size_t index) {
  Tensor& steps = row_steps_[index];
  if (!steps.defined()) {
    const Shape& shape = built_for_[index].shape();
    steps = full({shape.empty() ? 1 : shape[0]}, static_cast<double>(iterations()), int64,
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
  per_variable_slots_.back().push_back(v.value());
  return v;
}

Tensors Optimizer::clip_gradients(const Tensors& grads) const {
  Tensors out = grads;
  if (clip_.clipnorm) {
    const double c = *clip_.clipnorm;
    for (Tensor& g : out) {
      if (!g.defined()) continue;
      Tensor norm = ops::sqrt(ops::sum(ops::square(g)));
      g = ops::multiply(g, ops::divide(c, ops::maximum(norm, c)));
    }
  } else if (clip_.global_clipnorm) {
    const double c = *clip_.global_clipnorm;
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
  } else if (clip_.clipvalue) {
    const double v = *clip_.clipvalue;
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
    for (const Variable& v : variables) {
      built_for_.push_back(v);
      per_variable_slots_.emplace_back();
      row_steps_.emplace_back();
      build_slots(v);
    }
    std::stable_sort(grouped_slots_.begin(), grouped_slots_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [group, slot] : grouped_slots_) slots_.push_back(slot);
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
    if (steps.defined()) backend::backend_for(steps).fill(steps, static_cast<double>(iterations));
  }
}

Json Optimizer::get_config() const {
  auto opt = [](const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); };
  std::string lower;
  for (char c : name_) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return Json{{"name", lower},
              {"learning_rate", learning_rate_},
              {"weight_decay", nullptr},
              {"clipnorm", opt(clip_.clipnorm)},
              {"global_clipnorm", opt(clip_.global_clipnorm)},
              {"clipvalue", opt(clip_.clipvalue)},
              {"use_ema", false},
              {"ema_momentum", 0.99},
              {"ema_overwrite_frequency", nullptr},
              {"loss_scale_factor", nullptr},
              {"gradient_accumulation_steps", nullptr}};
}

void Optimizer::apply(const Tensors& grads, const std::vector<Variable>& variables) {
  KERAS_CHECK(grads.size() == variables.size(), ValueError, name_, ".apply: got ", grads.size(),
              " gradients for ", variables.size(), " variables");
  build(variables);
  const Tensors clipped = clip_gradients(grads);
  for (size_t i = 0; i < variables.size(); ++i) {
    if (!clipped[i].defined()) continue;
    KERAS_CHECK(clipped[i].shape() == variables[i].shape(), ValueError, name_,
                ": gradient of shape ", shape_str(clipped[i].shape()), " for variable ",
                variables[i].path(), " of shape ", shape_str(variables[i].shape()));
    update_step(i, ops::cast(clipped[i], variables[i].dtype()), variables[i]);
  }
  ops::assign_add(iterations_, one_);
}

namespace {

using backend::backend_for;

class SGDImpl final : public Optimizer {
 public:
  explicit SGDImpl(SGDOptions o) : Optimizer("SGD", o.learning_rate, o.clip), o_(o) {
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
  void update_step(size_t i, const Tensor& g, const Variable& v) override {
    Tensor m = o_.momentum != 0 ? slot(i, 0) : Tensor();
    backend::Backend& be = backend_for(g);
    if (Tensor rows = g.nonzero_rows(); rows.defined() && o_.momentum == 0) {
      autodiff::launch([this, &be, w = v.value(), g, rows, steps = row_steps(i)] {
        be.sgd_update_rows(w, g, rows, steps, iterations() + 1, {learning_rate()});
      });
      return;
    }
    autodiff::launch([this, &be, w = v.value(), g, m] {
      be.sgd_update(w, g, m, {learning_rate(), o_.momentum, o_.nesterov});
    });
  }

 private:
  SGDOptions o_;
};

class RMSpropImpl final : public Optimizer {
 public:
  explicit RMSpropImpl(RMSpropOptions o) : Optimizer("RMSprop", o.learning_rate, o.clip), o_(o) {}
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
  void update_step(size_t i, const Tensor& g, const Variable& v) override {
    const Slots slots = slots_of(i);
    const Tensor velocity = slots.velocity, momentum = slots.momentum, average = slots.average;
    backend::Backend& be = backend_for(g);
    if (Tensor rows = g.nonzero_rows(); rows.defined() && o_.momentum == 0) {
      autodiff::launch([this, &be, w = v.value(), g, rows, velocity, average, s = row_steps(i)] {
        be.rmsprop_update_rows(w, g, rows, velocity, average, s, iterations() + 1, params());
      });
      return;
    }
    autodiff::launch([this, &be, w = v.value(), g, velocity, momentum, average, i] {
      // Rows with deferred decays catch up first; after the dense step every row is current.
      const Tensor& steps = row_steps_if_any(i);
      if (steps.defined()) catch_up(i, iterations());
      be.rmsprop_update(w, g, velocity, momentum, average, params());
      if (steps.defined()) be.fill(steps, static_cast<double>(iterations() + 1));
    });
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
  AdamImpl(std::string name, double lr, double weight_decay, AdamOptions o)
      : Optimizer(std::move(name), lr, o.clip), o_(o), weight_decay_(weight_decay) {}
  void build_slots(const Variable& v) override {
    add_slot(v, "momentum");
    add_slot(v, "velocity");
    if (o_.amsgrad) add_slot(v, "velocity_hat", 1);
  }
  Json get_config() const override {
    Json c = Optimizer::get_config();
    if (name() == "AdamW") c["weight_decay"] = weight_decay_;
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
    autodiff::launch([this, &be, w = v.value(), g, m, vel, v_hat] {
      be.adam_update(w, g, m, vel, v_hat,
                     {learning_rate(), o_.beta_1, o_.beta_2, o_.epsilon, o_.amsgrad,
                      iterations() + 1, weight_decay_});
    });
  }

 private:
  AdamOptions o_;
  double weight_decay_;
};

class AdagradImpl final : public Optimizer {
 public:
  explicit AdagradImpl(AdagradOptions o) : Optimizer("Adagrad", o.learning_rate, o.clip), o_(o) {}
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
  void update_step(size_t i, const Tensor& g, const Variable& v) override {
    Tensor acc = slot(i, 0);
    backend::Backend& be = backend_for(g);
    if (Tensor rows = g.nonzero_rows(); rows.defined()) {
      autodiff::launch([this, &be, w = v.value(), g, rows, acc, steps = row_steps(i)] {
        be.adagrad_update_rows(w, g, rows, acc, steps, iterations() + 1,
                               {learning_rate(), o_.epsilon});
      });
      return;
    }
    autodiff::launch([this, &be, w = v.value(), g, acc] {
      be.adagrad_update(w, g, acc, {learning_rate(), o_.epsilon});
    });
  }

 private:
  AdagradOptions o_;
};

}  // namespace

OptimizerPtr SGD(SGDOptions o) {
  return std::make_shared<SGDImpl>(o);
}
OptimizerPtr RMSprop(RMSpropOptions o) {
  return std::make_shared<RMSpropImpl>(o);
}
OptimizerPtr Adam(AdamOptions o) {
  return std::make_shared<AdamImpl>("Adam", o.learning_rate, 0.0, o);
}
OptimizerPtr AdamW(AdamWOptions o) {
  return std::make_shared<AdamImpl>(
      "AdamW", o.learning_rate, o.weight_decay,
      AdamOptions{o.learning_rate, o.beta_1, o.beta_2, o.epsilon, o.amsgrad, o.clip});
}
OptimizerPtr Adagrad(AdagradOptions o) {
  return std::make_shared<AdagradImpl>(o);
}

OptimizerPtr get(std::string_view name_in) {
  std::string name(name_in);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name == "sgd") return SGD();
  if (name == "rmsprop") return RMSprop();
  if (name == "adam") return Adam();
  if (name == "adamw") return AdamW();
  if (name == "adagrad") return Adagrad();
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
  const auto cls = config::require<std::string>(j, "class_name", "optimizer");
  const Json config = config::value(j, "config", Json::object());
  const char* w = "optimizer";
  using config::get;
  // Keras 2 wrote "lr"; learning-rate schedules are not supported.
  const Json* lr_json = config::find(config, "learning_rate");
  if (lr_json == nullptr) lr_json = config::find(config, "lr");
  KERAS_CHECK(lr_json == nullptr || lr_json->is_number(), ValueError,
              "optimizer: learning-rate schedules are not supported: ",
              lr_json ? config::json_excerpt(*lr_json, 100) : "");
  const bool has_lr = lr_json != nullptr;
  const double lr_given = has_lr ? lr_json->get<double>() : 0.0;
  auto lr_or = [&](double fallback) { return has_lr ? lr_given : fallback; };
  auto opt = [&](const char* key) -> std::optional<double> {
    if (!config::find(config, key)) return std::nullopt;
    return config::require<double>(config, key, w);
  };
  const ClipOptions clip{opt("clipnorm"), opt("clipvalue"), opt("global_clipnorm")};
  std::string name = cls;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name == "sgd") {
    return SGD({lr_or(0.01), get<double>(config, "momentum", 0.0, w),
                get<bool>(config, "nesterov", false, w), clip});
  }
  if (name == "rmsprop") {
    return RMSprop(
        {lr_or(0.001), get<double>(config, "rho", 0.9, w), get<double>(config, "momentum", 0.0, w),
         get<double>(config, "epsilon", 1e-7, w), get<bool>(config, "centered", false, w), clip});
  }
  if (name == "adam") {
    return Adam({lr_or(0.001), get<double>(config, "beta_1", 0.9, w),
                 get<double>(config, "beta_2", 0.999, w), get<double>(config, "epsilon", 1e-7, w),
                 get<bool>(config, "amsgrad", false, w), clip});
  }
  if (name == "adamw") {
    return AdamW({lr_or(0.001), get<double>(config, "weight_decay", 0.004, w),
                  get<double>(config, "beta_1", 0.9, w), get<double>(config, "beta_2", 0.999, w),
                  get<double>(config, "epsilon", 1e-7, w), get<bool>(config, "amsgrad", false, w),
                  clip});
  }
  if (name == "adagrad") {
    return Adagrad({lr_or(0.001), get<double>(config, "initial_accumulator_value", 0.1, w),
                    get<double>(config, "epsilon", 1e-7, w), clip});
  }
  throw ValueError(str("Could not interpret optimizer identifier: ", excerpt(cls)));
}

}  // namespace keras::optimizers
