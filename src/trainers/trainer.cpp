#include "keras/trainers/trainer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <type_traits>
#include <utility>

#include "keras/autodiff/tape.h"
#include "keras/callbacks/callback_list.h"
#include "keras/core/random.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"

namespace keras::trainers {

struct Trainer::Output {
  std::string name;
  losses::LossPtr loss;
  double weight = 1.0;
  // compile's metrics, then its weighted_metrics (updated with the sample weights).
  std::vector<MetricItem> metric_items;
  size_t num_unweighted = 0;
  std::vector<metrics::MetricPtr> metrics;
  std::shared_ptr<metrics::Mean> loss_tracker;  // per-output loss, with several outputs
  std::vector<std::string> log_keys;            // per metric: "accuracy", "<output>_accuracy", ...
  bool weighted(size_t k) const { return k >= num_unweighted; }
};

// A traced step: input buffers and the kernels that read them.
struct Trainer::Plan {
  Tensors x, y;
  Tensor sample_weight;
  Tensors y_pred;
  Tensor loss;
  std::vector<autodiff::Kernel> kernels;
};

// The whole dataset of one call of fit/evaluate/predict, as arrays: tensors in model order, all
// with n rows.
struct Trainer::ArrayData {
  Tensors x, y;
  Tensor sample_weight;
  int64_t n = 0;

  // Rows [begin, end) of every array (views).
  ArrayData rows(int64_t begin, int64_t end) const {
    ArrayData out;
    for (const Tensor& t : x) out.x.push_back(t.slice_rows(begin, end));
    for (const Tensor& t : y) out.y.push_back(t.slice_rows(begin, end));
    if (sample_weight.defined()) out.sample_weight = sample_weight.slice_rows(begin, end);
    out.n = end - begin;
    return out;
  }
};

namespace {

// Rows 0..n-1 in order: every row of the data, unshuffled.
std::vector<int64_t> in_order(int64_t n) {
  std::vector<int64_t> rows(static_cast<size_t>(n));
  std::iota(rows.begin(), rows.end(), int64_t{0});
  return rows;
}

Shape with_batch(const Tensor& t, int64_t batch) {
  Shape s = t.shape();
  s[0] = batch;
  return s;
}

void check_against_spec(const Tensor& t,
                        const TensorSpec& spec,
                        const std::string& name,
                        const char* what) {
  const Shape& want = spec.shape;
  Shape want_tail(want.begin() + (want.empty() ? 0 : 1), want.end());
  Shape got_tail(t.shape().begin() + (t.rank() == 0 ? 0 : 1), t.shape().end());
  KERAS_CHECK(t.rank() == static_cast<int>(want.size()), ValueError, "Error when checking ", what,
              ": expected ", name, " to have ", want.size(),
              " dimensions, but got array with shape ", shape_str(t.shape()));
  for (size_t i = 0; i < want_tail.size(); ++i) {
    KERAS_CHECK(want_tail[i] == kNone || want_tail[i] == got_tail[i], ValueError,
                "Error when checking ", what, ": expected ", name, " to have shape ",
                shape_str(want_tail), " but got array with shape ", shape_str(got_tail));
  }
}

// True when every value is finite: the exponent bits of an inf or NaN are all ones. An integer
// OR over blocks vectorizes (the per-element early exit of std::isfinite does not).
template <class T>
bool all_finite(const T* p, int64_t n) {
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  constexpr Bits exponent =
      static_cast<Bits>(sizeof(T) == 4 ? 0x7f800000ull : 0x7ff0000000000000ull);
  for (int64_t i0 = 0; i0 < n; i0 += 4096) {
    const int64_t i1 = std::min(n, i0 + 4096);
    Bits bad = 0;
    for (int64_t i = i0; i < i1; ++i) {
      Bits b;
      std::memcpy(&b, p + i, sizeof(b));
      bad |= static_cast<Bits>((b & exponent) == exponent);
    }
    if (bad != 0) return false;
  }
  return true;
}

void check_finite(const Tensor& data, const std::string& name) {
  if (!is_floating(data.dtype())) return;
  const Tensor t = data.cpu();
  visit_dtype(t.dtype(), [&]<class T>() {
    const T* p = t.data<T>();
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      if (all_finite(p, t.size())) return;
    }
    for (int64_t i = 0; i < t.size(); ++i) {
      KERAS_CHECK(std::isfinite(static_cast<double>(p[i])), ValueError, "Data for \"", name,
                  "\" contains a NaN or infinite value (element ", i, " of an array of shape ",
                  shape_str(t.shape()), ")");
    }
  });
}

}  // namespace

Trainer::Trainer(layers::Layer& model, callbacks::ModelSaver saver)
    : model_(model), saver_(std::move(saver)) {}
Trainer::~Trainer() = default;

void Trainer::set_signature(ModelSignature signature) {
  const bool changed = signature.input_names != signature_.input_names ||
                       signature.output_names != signature_.output_names ||
                       signature.input_specs.size() != signature_.input_specs.size();
  signature_ = std::move(signature);
  if (changed) {
    plans_.clear();
    if (compile_options_) compile(*compile_options_);
  }
}

optimizers::Optimizer& Trainer::optimizer() const {
  KERAS_CHECK(optimizer_ != nullptr, RuntimeError,
              "You must compile your model before training/testing. Use `model.compile(optimizer, "
              "loss)`.");
  return *optimizer_;
}

void Trainer::compile(const CompileOptions& options) {
  KERAS_CHECK(options.steps_per_execution >= 1, ValueError,
              "steps_per_execution must be a positive integer, got ", options.steps_per_execution);
  compile_options_ = options;
  if (signature_.output_names.empty()) return;  // a Sequential without layers yet: deferred
  const std::vector<std::string>& names = signature_.output_names;
  std::vector<losses::LossPtr> losses = options.loss.resolve(names);
  const std::vector<double> weights = options.loss_weights.resolve(names);
  const std::vector<std::vector<MetricItem>> metric_items = options.metrics.resolve(names);
  const std::vector<std::vector<MetricItem>> weighted_items =
      options.weighted_metrics.resolve(names);
  optimizers::OptimizerPtr optimizer = options.optimizer.resolve();
  std::vector<Output> outputs(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    outputs[i].name = names[i];
    outputs[i].loss = losses.empty() ? nullptr : losses[i];
    outputs[i].weight = weights[i];
    outputs[i].metric_items = metric_items[i];
    outputs[i].num_unweighted = metric_items[i].size();
    outputs[i].metric_items.insert(outputs[i].metric_items.end(), weighted_items[i].begin(),
                                   weighted_items[i].end());
    if (names.size() > 1 && outputs[i].loss) {
      outputs[i].loss_tracker = std::make_shared<metrics::Mean>(names[i] + "_loss");
    }
  }
  optimizer_ = std::move(optimizer);
  outputs_ = std::move(outputs);
  loss_tracker_ = std::make_shared<metrics::Mean>("loss");
  metrics_built_ = false;
  run_eagerly_ = options.run_eagerly;
  plans_.clear();
}

namespace {

// Keras 3's names for the compiled metrics' results (CompileMetrics.result): "<output>_<name>"
// with several outputs; a name seen before gets "_1", "_2", ...; a weighted metric whose name an
// unweighted one took becomes "weighted_<name>". `name_of(o, k)` names metric k of output o.
template <class Outputs, class NameOf>
std::vector<std::vector<std::string>> compiled_metric_keys(const Outputs& outputs,
                                                           const NameOf& name_of) {
  std::vector<std::vector<std::string>> keys(outputs.size());
  std::map<std::string, int> seen;
  auto prefixed = [&](size_t o, const std::string& name) {
    return outputs.size() > 1 ? outputs[o].name + "_" + name : name;
  };
  for (bool weighted : {false, true}) {
    for (size_t o = 0; o < outputs.size(); ++o) {
      keys[o].resize(outputs[o].metric_items.size());
      for (size_t k = 0; k < outputs[o].metric_items.size(); ++k) {
        if (outputs[o].weighted(k) != weighted) continue;
        const std::string name = name_of(o, k);
        std::string key = prefixed(o, name);
        if (seen.contains(key) && weighted) key = prefixed(o, "weighted_" + name);
        if (auto it = seen.find(key); it != seen.end()) {
          key = str(key, "_", it->second++);
        } else {
          seen.emplace(key, 1);
        }
        keys[o][k] = key;
      }
    }
  }
  return keys;
}

}  // namespace

void Trainer::build_metrics(const Tensors& y, const Tensors& y_pred) {
  for (size_t i = 0; i < outputs_.size(); ++i) {
    Output& o = outputs_[i];
    o.metrics.clear();
    for (const MetricItem& item : o.metric_items) {
      o.metrics.push_back(item.metric()
                              ? item.metric()
                              : metrics::get(item.name(), y[i].shape(), y_pred[i].shape()));
    }
  }
  const auto keys = compiled_metric_keys(
      outputs_, [&](size_t o, size_t k) { return outputs_[o].metrics[k]->name(); });
  for (size_t i = 0; i < outputs_.size(); ++i) outputs_[i].log_keys = keys[i];
  metrics_built_ = true;
}

Tensor Trainer::compute_loss(const Tensors& y, const Tensors& y_pred, const Tensor& sw) {
  Tensor total;
  const double batch = y_pred.empty() ? 0.0 : static_cast<double>(y_pred[0].shape()[0]);
  const Tensor batch_weight =
      full({}, batch, float64, y_pred.empty() ? default_device() : y_pred[0].device());
  for (size_t i = 0; i < outputs_.size(); ++i) {
    const Output& o = outputs_[i];
    if (!o.loss) continue;
    Tensor value = (*o.loss)(y[i], y_pred[i], sw);
    if (o.loss_tracker) o.loss_tracker->update_values(value, batch_weight);
    if (o.weight != 1.0) value = ops::multiply(value, o.weight);
    total = total.defined() ? ops::add(total, value) : value;
  }
  KERAS_CHECK(total.defined(), ValueError,
              "The model cannot be trained: no loss to optimize. "
              "Pass a `loss` to `compile()`.");
  for (const Tensor& penalty : model_.losses())
    total = ops::add(total, ops::cast(penalty, total.dtype()));
  loss_tracker_->update_values(total, batch_weight);
  return total;
}

void Trainer::update_metrics(const Tensors& y, const Tensors& y_pred, const Tensor& sw) {
  // As Keras 3: compile's metrics ignore the sample weights, weighted_metrics use them.
  for (size_t i = 0; i < outputs_.size(); ++i) {
    const Output& o = outputs_[i];
    for (size_t k = 0; k < o.metrics.size(); ++k) {
      o.metrics[k]->update_state(y[i], y_pred[i], o.weighted(k) ? sw : Tensor());
    }
  }
}

Tensors Trainer::step(Mode mode, const Tensors& x, const Tensors& y, const Tensor& sw) {
  if (mode == Mode::predict) return model_.call(x, false);
  Tensors y_pred;
  if (mode == Mode::train) {
    std::vector<Variable> vars = model_.trainable_weights();
    Tensors values;
    for (const Variable& v : vars) values.push_back(v.value());
    Tensors grads;
    {
      autodiff::GradientTape tape;
      y_pred = model_.call(x, true);
      if (!metrics_built_) build_metrics(y, y_pred);
      last_loss_ = compute_loss(y, y_pred, sw);
      // As in Keras with JAX: per-sample losses (reduction "none") cannot be trained on.
      KERAS_CHECK(last_loss_.rank() == 0, TypeError,
                  "Gradient only defined for scalar-output functions. Output had shape: ",
                  shape_str(last_loss_.shape()),
                  " (a loss with reduction=\"none\" or None is not "
                  "reduced to a scalar)");
      grads = tape.gradient(last_loss_, values);
    }
    optimizer_->apply(grads, vars);
    // As Keras 3's optimizer: each constraint projects its variable after the update.
    for (const Variable& v : vars) {
      if (v.constraint()) ops::assign(v.value(), v.constraint()(v.value()));
    }
  } else {
    y_pred = model_.call(x, false);
    if (!metrics_built_) build_metrics(y, y_pred);
    last_loss_ = compute_loss(y, y_pred, sw);
  }
  update_metrics(y, y_pred, sw);
  return y_pred;
}

const Tensors& Trainer::run_batch(Mode mode,
                                  const ArrayData& data,
                                  const int64_t* rows,
                                  int64_t count) {
  auto make_buffers = [&](const Tensors& src) {
    Tensors out;
    for (const Tensor& t : src) out.push_back(Tensor::empty(with_batch(t, count), t.dtype()));
    return out;
  };
  const std::span<const int64_t> batch_rows(rows, static_cast<size_t>(count));
  auto fill = [&](const Tensors& src, const Tensors& dst) {
    for (size_t i = 0; i < src.size(); ++i) dst[i].copy_rows_from(src[i], batch_rows);
  };
  if (run_eagerly_) {
    Tensors x = make_buffers(data.x), y = make_buffers(data.y);
    fill(data.x, x);
    fill(data.y, y);
    Tensor sw;
    if (data.sample_weight.defined()) {
      sw = Tensor::empty(with_batch(data.sample_weight, count), data.sample_weight.dtype());
      sw.copy_rows_from(data.sample_weight, batch_rows);
    }
    eager_y_pred_ = step(mode, x, y, sw);
    return eager_y_pred_;
  }
  // The plan traced for batches of this shape (compared in place: no allocation per step).
  auto same_dims = [](const Tensors& a, const Tensors& b) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (!std::equal(a[i].shape().begin() + 1, a[i].shape().end(), b[i].shape().begin() + 1,
                      b[i].shape().end())) {
        return false;
      }
    }
    return true;
  };
  auto& candidates = plans_[{static_cast<int>(mode) * 2 + data.sample_weight.defined(), count}];
  Plan* plan = nullptr;
  for (const auto& p : candidates) {
    if (same_dims(p->x, data.x) && same_dims(p->y, data.y)) plan = p.get();
  }
  const bool fresh = plan == nullptr;
  if (fresh) {
    plan = candidates.emplace_back(std::make_unique<Plan>()).get();
    plan->x = make_buffers(data.x);
    plan->y = make_buffers(data.y);
    if (data.sample_weight.defined()) {
      plan->sample_weight =
          Tensor::empty(with_batch(data.sample_weight, count), data.sample_weight.dtype());
    }
  }
  fill(data.x, plan->x);
  fill(data.y, plan->y);
  if (data.sample_weight.defined())
    plan->sample_weight.copy_rows_from(data.sample_weight, batch_rows);
  if (fresh) {
    autodiff::KernelTrace trace;
    plan->y_pred = step(mode, plan->x, plan->y, plan->sample_weight);
    plan->loss = last_loss_;
    plan->kernels = trace.take();
  } else {
    for (const autodiff::Kernel& k : plan->kernels) k();
    last_loss_ = plan->loss;
  }
  return plan->y_pred;
}

double Trainer::last_loss() const {
  return last_loss_.defined() ? last_loss_.item<double>() : 0.0;
}

void Trainer::reset_metrics() {
  loss_tracker_->reset_state();
  for (Output& o : outputs_) {
    if (o.loss_tracker) o.loss_tracker->reset_state();
    for (const auto& m : o.metrics) m->reset_state();
  }
}

callbacks::Logs Trainer::collect_logs() const {
  callbacks::Logs logs;
  update_logs(logs);
  return logs;
}

void Trainer::update_logs(callbacks::Logs& logs) const {
  auto put = [&logs](const std::string& key, double value) {
    auto it = logs.find(key);
    if (it != logs.end()) {
      it->second = value;
    } else {
      logs.emplace(key, value);
    }
  };
  put(loss_tracker_->name(), loss_tracker_->result());
  for (const Output& o : outputs_) {
    if (o.loss_tracker) put(o.loss_tracker->name(), o.loss_tracker->result());
    for (size_t k = 0; k < o.metrics.size(); ++k) put(o.log_keys[k], o.metrics[k]->result());
  }
}

std::vector<std::string> Trainer::metrics_names() const {
  std::vector<std::string> names{"loss"};
  for (const Output& o : outputs_) {
    if (o.loss_tracker) names.push_back(o.loss_tracker->name());
  }
  const auto keys = compiled_metric_keys(outputs_, [&](size_t o, size_t k) {
    const Output& out = outputs_[o];
    return out.metrics.size() > k         ? out.metrics[k]->name()
           : out.metric_items[k].metric() ? out.metric_items[k].metric()->name()
                                          : out.metric_items[k].name();
  });
  for (bool weighted : {false, true}) {
    for (size_t o = 0; o < outputs_.size(); ++o) {
      for (size_t k = 0; k < keys[o].size(); ++k) {
        if (outputs_[o].weighted(k) == weighted) names.push_back(keys[o][k]);
      }
    }
  }
  return names;
}

Trainer::ArrayData Trainer::prepare(const Data& x,
                                    const Data& y,
                                    const Data& sample_weight,
                                    bool need_y) const {
  ArrayData b;
  KERAS_CHECK(!x.empty(), ValueError, "Expected input data `x` to be provided.");
  b.x = x.flatten(signature_.input_names, "input");
  if (need_y) {
    KERAS_CHECK(!y.empty(), ValueError,
                "Expected target data `y` to be provided: the model has a "
                "loss to compute.");
    b.y = y.flatten(signature_.output_names, "target");
  }
  if (!sample_weight.empty()) {
    Tensors sw = sample_weight.flatten({"sample_weight"}, "sample_weight");
    b.sample_weight = sw[0];
  }
  auto sizes = [](const Tensors& ts) {
    std::string out;
    for (const Tensor& t : ts)
      out += (out.empty() ? "" : ", ") + (t.rank() ? std::to_string(t.shape()[0]) : "scalar");
    return out;
  };
  const int64_t n = b.x[0].rank() > 0 ? b.x[0].shape()[0] : 0;
  auto same_n = [&](const Tensor& t) { return t.rank() > 0 && t.shape()[0] == n; };
  bool ok =
      std::all_of(b.x.begin(), b.x.end(), same_n) && std::all_of(b.y.begin(), b.y.end(), same_n);
  if (b.sample_weight.defined()) ok = ok && same_n(b.sample_weight);
  KERAS_CHECK(ok, ValueError,
              "Data cardinality is ambiguous. Make sure all arrays contain the same "
              "number of samples. 'x' sizes: ",
              sizes(b.x), (b.y.empty() ? "" : ", 'y' sizes: "), sizes(b.y),
              (b.sample_weight.defined() ? ", 'sample_weight' sizes: " : ""),
              (b.sample_weight.defined() ? sizes({b.sample_weight}) : ""));
  KERAS_CHECK(n > 0, ValueError, "Expected input data to be non-empty.");
  for (size_t i = 0; i < b.x.size(); ++i) {
    check_against_spec(b.x[i], signature_.input_specs[i], signature_.input_names[i], "input");
    if (b.x[i].dtype() != signature_.input_specs[i].dtype) {
      b.x[i] = b.x[i].astype(signature_.input_specs[i].dtype);
    }
    check_finite(b.x[i], signature_.input_names[i]);
  }
  for (size_t i = 0; i < b.y.size(); ++i) {
    KERAS_CHECK(b.y[i].rank() >= 1, ValueError, "Error when checking target: expected ",
                signature_.output_names[i], " to have at least 1 dimension");
    check_finite(b.y[i], signature_.output_names[i]);
  }
  if (b.sample_weight.defined()) check_finite(b.sample_weight, "sample_weight");
  b.n = n;
  return b;
}

namespace {

void check_fit_options(const FitOptions& options) {
  KERAS_CHECK(options.batch_size > 0, ValueError, "batch_size must be positive, got ",
              options.batch_size);
  KERAS_CHECK(options.epochs >= 0, ValueError, "epochs must be non-negative, got ", options.epochs);
  KERAS_CHECK(options.validation_split >= 0 && options.validation_split < 1, ValueError,
              "validation_split must be in [0, 1), got ", options.validation_split);
  KERAS_CHECK(options.verbose >= 0 && options.verbose <= 2, ValueError,
              "verbose must be 0, 1 or 2, got ", options.verbose);
  KERAS_CHECK(!options.steps_per_epoch || *options.steps_per_epoch > 0, ValueError,
              "steps_per_epoch must be a positive integer or None, got ",
              options.steps_per_epoch.value_or(0));
  KERAS_CHECK(options.initial_epoch >= 0, ValueError, "initial_epoch must be non-negative, got ",
              options.initial_epoch);
}

// Where validation_split cuts n samples: the first rows train, the rest validate.
int64_t validation_split_point(int64_t n, double validation_split) {
  const auto split_at = static_cast<int64_t>(std::floor(n * (1.0 - validation_split)));
  KERAS_CHECK(split_at > 0 && split_at < n, ValueError, "Training data contains ", n,
              " samples, which is not sufficient to split it into a validation and training set "
              "as specified by `validation_split=",
              validation_split, "`.");
  return split_at;
}

// The epoch's order of the rows: 0..n-1, shuffled by the global generator (Fisher-Yates) when
// `shuffle`, from `from` instead of the generator's current state when given (a resumed epoch;
// the generator is then left as it was).
void epoch_order(std::vector<int64_t>& order, bool shuffle, const Generator::State* from) {
  std::iota(order.begin(), order.end(), int64_t{0});
  Generator& g = global_generator();
  const Generator::State now = g.state();
  if (from != nullptr) g.set_state(*from);
  if (shuffle) {
    for (size_t i = order.size(); i-- > 1;) {
      std::swap(order[i], order[static_cast<size_t>(g.next_below(i + 1))]);
    }
  }
  if (from != nullptr) g.set_state(now);
}

}  // namespace

callbacks::History Trainer::fit(const Data& x, const Data& y, const FitOptions& options) {
  optimizer();  // throws if not compiled
  check_fit_options(options);
  ArrayData train =
      prepare_weighted(x, y, options.sample_weight, options.class_weight,
                       "You cannot `class_weight` and `sample_weight` at the same time.");
  std::optional<ArrayData> val;
  if (options.validation_data) {
    val = prepare(options.validation_data->x, options.validation_data->y,
                  options.validation_data->sample_weight, true);
  } else if (options.validation_split > 0) {
    const int64_t split_at = validation_split_point(train.n, options.validation_split);
    val = train.rows(split_at, train.n);
    train = train.rows(0, split_at);
  }

  const int64_t bs = options.batch_size;
  int64_t steps = (train.n + bs - 1) / bs;
  if (options.steps_per_epoch) steps = std::min<int64_t>(steps, *options.steps_per_epoch);
  callbacks::CallbackList cbs(options.callbacks, {.add_history = true,
                                                  .add_progbar = options.verbose != 0,
                                                  .trainer = this,
                                                  .params = {{"epochs", options.epochs},
                                                             {"steps", static_cast<int>(steps)},
                                                             {"verbose", options.verbose}}});
  stop_training = false;
  initial_epoch.reset();
  resume_within_epoch.reset();
  const callbacks::Logs no_logs;
  callbacks::Logs batch_logs, epoch_logs;  // reused: a steady-state step allocates nothing
  cbs.on_train_begin(no_logs);
  const int first_epoch = initial_epoch.value_or(options.initial_epoch);
  initial_epoch.reset();
  const std::optional<ResumePoint> resume = std::exchange(resume_within_epoch, std::nullopt);
  KERAS_CHECK(!resume || (resume->step >= 0 && resume->step <= steps), ValueError,
              "fit: cannot resume epoch ", first_epoch + 1, " at batch ", resume ? resume->step : 0,
              ": an epoch has ", steps,
              " batches (were fit's arguments changed since the backup?)");
  std::vector<int64_t> order(static_cast<size_t>(train.n));
  for (int epoch = first_epoch; epoch < options.epochs; ++epoch) {
    reset_metrics();
    cbs.on_epoch_begin(epoch, no_logs);
    const bool resuming = resume && epoch == first_epoch;
    epoch_shuffle_state_ = resuming ? resume->shuffle_state : global_generator().state();
    epoch_order(order, options.shuffle, resuming ? &resume->shuffle_state : nullptr);
    train_epoch(train, order, bs, resuming ? resume->step : 0, steps, cbs, batch_logs);
    epoch_logs = collect_logs();
    if (val && options.validation_freq.should_validate(epoch)) {
      for (const auto& [name, value] : test_loop(*val, bs, cbs)) epoch_logs["val_" + name] = value;
    }
    cbs.on_epoch_end(epoch, epoch_logs);
    if (stop_training) break;
  }
  cbs.on_train_end(epoch_logs);
  return *cbs.history();
}

void Trainer::train_epoch(const ArrayData& train,
                          const std::vector<int64_t>& order,
                          int64_t batch_size,
                          int64_t first_step,
                          int64_t steps,
                          callbacks::CallbackList& cbs,
                          callbacks::Logs& logs) {
  const callbacks::Logs no_logs;
  for (int64_t s = first_step; s < steps; ++s) {
    const int64_t start = s * batch_size, count = std::min(batch_size, train.n - start);
    cbs.on_train_batch_begin(static_cast<int>(s), no_logs);
    run_batch(Mode::train, train, order.data() + start, count);
    const double loss = last_loss();
    if (cbs.wants_batch_logs()) update_logs(logs);
    cbs.on_train_batch_end(static_cast<int>(s), logs);
    // A callback (TerminateOnNaN) may stop training on a bad loss; otherwise it is an error.
    if (!std::isfinite(loss) && !stop_training) {
      throw RuntimeError(str("Batch ", s, ": Invalid loss (", loss,
                             "), terminating training. "
                             "Check the data and the learning rate."));
    }
    if (stop_training) break;
  }
}

callbacks::Logs Trainer::test_loop(const ArrayData& data,
                                   int64_t bs,
                                   callbacks::CallbackList& cbs) {
  const int64_t steps = (data.n + bs - 1) / bs;
  const std::vector<int64_t> rows = in_order(data.n);
  const callbacks::Logs no_logs;
  callbacks::Logs logs;
  cbs.on_test_begin(no_logs);
  reset_metrics();
  for (int64_t s = 0; s < steps; ++s) {
    const int64_t start = s * bs, count = std::min(bs, data.n - start);
    cbs.on_test_batch_begin(static_cast<int>(s), no_logs);
    run_batch(Mode::test, data, rows.data() + start, count);
    if (cbs.wants_batch_logs()) update_logs(logs);
    cbs.on_test_batch_end(static_cast<int>(s), logs);
  }
  logs = collect_logs();
  cbs.on_test_end(logs);
  return logs;
}

Results Trainer::evaluate(const Data& x, const Data& y, const EvaluateOptions& options) {
  optimizer();
  KERAS_CHECK(options.batch_size > 0, ValueError, "batch_size must be positive, got ",
              options.batch_size);
  ArrayData data = prepare(x, y, options.sample_weight, true);
  const int64_t bs = options.batch_size, steps = (data.n + bs - 1) / bs;
  callbacks::CallbackList cbs(options.callbacks, {.add_progbar = options.verbose != 0,
                                                  .trainer = this,
                                                  .params = {{"epochs", 1},
                                                             {"steps", static_cast<int>(steps)},
                                                             {"verbose", options.verbose}}});
  test_loop(data, bs, cbs);
  return results();
}

Results Trainer::results() const {
  const callbacks::Logs logs = collect_logs();
  std::vector<std::string> names = metrics_names();
  std::vector<double> values;
  for (const std::string& name : names) values.push_back(logs.at(name));
  return Results(std::move(names), std::move(values));
}

namespace {

// Keras's class_weight_to_sample_weights: each sample weighs class_weight[its class] (1 when not
// listed); its class is the argmax of a target with several columns, else the rounded target.
Tensor class_weight_to_sample_weight(const Tensor& y, const ClassWeight& class_weight) {
  const int64_t n = y.shape()[0];
  const int64_t columns = y.rank() > 1 ? y.size() / std::max<int64_t>(n, 1) : 1;
  const Tensor values = y.astype(float64).cpu();  // host work, once per call
  const double* v = values.data<double>();
  Tensor weights = Tensor::empty({n}, float32, Device::cpu());
  float* w = weights.data<float>();
  for (int64_t i = 0; i < n; ++i) {
    const double* row = v + i * columns;
    const int64_t label = columns > 1 ? std::max_element(row, row + columns) - row
                                      : static_cast<int64_t>(std::nearbyint(row[0]));
    auto it = class_weight.find(label);
    w[i] = static_cast<float>(it != class_weight.end() ? it->second : 1.0);
  }
  return weights.to(y.device());
}

}  // namespace

Trainer::ArrayData Trainer::prepare_weighted(const Data& x,
                                             const Data& y,
                                             const Data& sample_weight,
                                             const ClassWeight& class_weight,
                                             const char* both_given_error) const {
  if (class_weight.empty()) return prepare(x, y, sample_weight, true);
  KERAS_CHECK(sample_weight.empty(), ValueError, both_given_error);
  ArrayData data = prepare(x, y, Data(), true);
  KERAS_CHECK(data.y.size() == 1, ValueError,
              "`class_weight` is only supported for Models with a single output.");
  data.sample_weight = class_weight_to_sample_weight(data.y[0], class_weight);
  return data;
}

Results Trainer::train_on_batch(const Data& x, const Data& y, const TrainOnBatchOptions& options) {
  optimizer();
  return one_batch(Mode::train,
                   prepare_weighted(x, y, options.sample_weight, options.class_weight,
                                    "Arguments `sample_weight` and `class_weight` cannot be "
                                    "specified at the same time."));
}

Results Trainer::one_batch(Mode mode, const ArrayData& data) {
  const std::vector<int64_t> rows = in_order(data.n);
  reset_metrics();
  run_batch(mode, data, rows.data(), data.n);
  return results();
}

Results Trainer::test_on_batch(const Data& x, const Data& y, const TestOnBatchOptions& options) {
  optimizer();
  return one_batch(Mode::test, prepare(x, y, options.sample_weight, true));
}

Tensors Trainer::predict_on_batch(const Data& x) {
  ArrayData data = prepare(x, Data(), Data(), false);
  const std::vector<int64_t> rows = in_order(data.n);
  Tensors out;
  for (const Tensor& t : run_batch(Mode::predict, data, rows.data(), data.n)) {
    out.push_back(t.clone());  // the plan's buffer is reused by the next batch
  }
  return out;
}

Tensors Trainer::predict(const Data& x, const PredictOptions& options) {
  KERAS_CHECK(options.batch_size > 0, ValueError, "batch_size must be positive, got ",
              options.batch_size);
  ArrayData data = prepare(x, Data(), Data(), false);
  const int64_t bs = options.batch_size, steps = (data.n + bs - 1) / bs;
  const std::vector<int64_t> rows = in_order(data.n);
  Tensors results;
  callbacks::CallbackList cbs(options.callbacks, {.add_history = true,
                                                  .add_progbar = options.verbose != 0,
                                                  .trainer = this,
                                                  .params = {{"epochs", 1},
                                                             {"steps", static_cast<int>(steps)},
                                                             {"verbose", options.verbose}}});
  const callbacks::Logs no_logs;
  cbs.on_predict_begin(no_logs);
  for (int64_t s = 0; s < steps; ++s) {
    const int64_t start = s * bs, count = std::min(bs, data.n - start);
    cbs.on_predict_batch_begin(static_cast<int>(s), no_logs);
    const Tensors& y_pred = run_batch(Mode::predict, data, rows.data() + start, count);
    if (results.empty()) {
      for (const Tensor& t : y_pred)
        results.push_back(Tensor::empty(with_batch(t, data.n), t.dtype()));
    }
    for (size_t i = 0; i < y_pred.size(); ++i) {
      results[i].slice_rows(start, start + count).copy_from(y_pred[i]);
    }
    cbs.on_predict_batch_end(static_cast<int>(s), no_logs);
  }
  cbs.on_predict_end(no_logs);
  return results;
}

}  // namespace keras::trainers
