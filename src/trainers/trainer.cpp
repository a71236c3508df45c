#include "keras/trainers/trainer.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <span>
#include <tuple>
#include <utility>

#include "keras/autodiff/tape.h"
#include "keras/backend/inference.h"
#include "keras/backend/lanes.h"
#include "keras/callbacks/callback_list.h"
#include "keras/callbacks/terminate_on_nan.h"
#include "keras/config/json.h"
#include "keras/config/settings.h"
#include "keras/core/random.h"
#include "keras/distribution/distribution.h"
#include "keras/metrics/serialization.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "trainers/data_parallel.h"
#include "trainers/epoch_iterator.h"
#include "trainers/shared_table.h"
#include "trainers/trainer_output.h"

namespace keras::trainers {

using internal::ArrayData;
using internal::ArrayIterator;
using internal::BatchRows;
using internal::EpochIterator;

namespace internal {

// Plan input buffers pointed at a caller's rows (Storage::exchange_data); destroying it points
// them back at their own memory.
struct BorrowedRows {
  BorrowedRows() = default;
  BorrowedRows(const BorrowedRows&) = delete;
  BorrowedRows& operator=(const BorrowedRows&) = delete;
  ~BorrowedRows() {
    for (auto& [storage, own] : held) storage->exchange_data(own);
  }
  std::vector<std::pair<Storage*, void*>> held;
};

}  // namespace internal

// A traced step: input buffers and the kernels that read them.
struct Trainer::Plan {
  Tensors x, y;
  Tensors sample_weight;
  Tensors y_pred;
  Tensor loss;
  std::vector<autodiff::Kernel> kernels;
};

namespace {

// Whether batches run the model eagerly instead of replaying traced plans: when asked
// (compile's run_eagerly), or when a layer's shapes depend on the data (Layer::traceable).
bool eager(bool run_eagerly, const layers::Layer& model) {
  return run_eagerly || !model.traceable();
}

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
  // As Keras 3: per-output losses are tracked when more than one output has a loss.
  const auto with_loss = std::count_if(losses.begin(), losses.end(),
                                       [](const losses::LossPtr& l) { return l != nullptr; });
  for (size_t i = 0; i < names.size(); ++i) {
    outputs[i].name = names[i];
    outputs[i].loss = losses.empty() ? nullptr : losses[i];
    outputs[i].weight = weights[i];
    outputs[i].metric_items = metric_items[i];
    outputs[i].num_unweighted = metric_items[i].size();
    outputs[i].metric_items.insert(outputs[i].metric_items.end(), weighted_items[i].begin(),
                                   weighted_items[i].end());
    if (with_loss > 1 && outputs[i].loss) {
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

Tensors Trainer::flatten_targets(const Data& y) const {
  const std::vector<std::string>& names = signature_.output_names;
  if (outputs_.size() != names.size() || !(y.is_list() || y.is_map())) {
    return y.flatten(names, "target");
  }
  auto require = [&](size_t i, const std::string& key) {
    const char* argument = outputs_[i].loss                    ? "loss"
                           : !outputs_[i].metric_items.empty() ? "metrics"
                                                               : nullptr;
    if (argument == nullptr) return;
    throw ValueError(str("The path: (", key, ",) in the `", argument,
                         "` argument, can't be found in either the model's output (`y_pred`) or in "
                         "the labels (`y_true`)."));
  };
  Tensors out(names.size());
  if (y.is_map()) {
    std::map<std::string, Tensor> present;
    for (const auto& [key, value] : y.map()) present[key] = value;
    for (const std::string& n : names) present.try_emplace(n, Tensor());
    Data(present).flatten(names, "target");  // unknown keys: its ValueError
    for (size_t i = 0; i < names.size(); ++i) {
      auto it = y.map().find(names[i]);
      if (it != y.map().end()) out[i] = it->second;
      if (!out[i].defined()) require(i, "'" + names[i] + "'");
    }
    return out;
  }
  const Tensors& list = y.list();
  // Longer lists, and shorter ones missing a target that is needed: Data::flatten's ValueError.
  bool short_ok = list.size() < names.size();
  for (size_t i = list.size(); short_ok && i < names.size(); ++i) {
    short_ok = !outputs_[i].loss && outputs_[i].metric_items.empty();
  }
  if (list.size() < names.size() && !short_ok) {
    // Keras (2.2.4 and 3): targets for just the outputs that have a loss, in order, when those
    // are the only outputs that need one.
    std::vector<size_t> needed;
    bool metrics_without_loss = false;
    for (size_t i = 0; i < names.size(); ++i) {
      if (outputs_[i].loss) needed.push_back(i);
      metrics_without_loss |= !outputs_[i].loss && !outputs_[i].metric_items.empty();
    }
    if (list.size() == needed.size() && !metrics_without_loss) {
      for (size_t k = 0; k < needed.size(); ++k) {
        out[needed[k]] = list[k];
        if (!list[k].defined()) require(needed[k], std::to_string(k));
      }
      return out;
    }
  }
  if (list.size() != names.size() && !short_ok) return y.flatten(names, "target");
  for (size_t i = 0; i < list.size(); ++i) {
    out[i] = list[i];
    if (!out[i].defined()) require(i, std::to_string(i));
  }
  return out;
}

void Trainer::build_metrics(const Tensors& y, const Tensors& y_pred) {
  // A metric object given for several outputs (a flat list on a multi-output model) or twice
  // measures each with its own copy, as Keras copies it per output; the first use keeps it.
  std::set<const metrics::Metric*> used;
  auto own = [&](const metrics::MetricPtr& m) -> metrics::MetricPtr {
    if (used.insert(m.get()).second) return m;
    try {
      return metrics::deserialize(metrics::serialize(*m));
    } catch (const Error& e) {
      throw ValueError(str("The metric object '", m->name(),
                           "' is given for more than one output (or twice) and keras.cpp cannot "
                           "copy it for each (",
                           e.what(), "): pass one metric object per output"));
    }
  };
  for (size_t i = 0; i < outputs_.size(); ++i) {
    Output& o = outputs_[i];
    o.metrics.clear();
    for (const MetricItem& item : o.metric_items) {
      o.metrics.push_back(item.metric()
                              ? own(item.metric())
                              : metrics::get(item.name(), y[i].shape(), y_pred[i].shape()));
    }
  }
  const auto keys = compiled_metric_keys(
      outputs_, [&](size_t o, size_t k) { return outputs_[o].metrics[k]->name(); });
  for (size_t i = 0; i < outputs_.size(); ++i) outputs_[i].log_keys = keys[i];
  metrics_built_ = true;
}

namespace {

// Output i's sample weights: none, the ones for every output, or its own.
Tensor weights_of(const Tensors& sw, size_t i) {
  if (sw.empty()) return Tensor();
  return sw.size() == 1 ? sw[0] : sw[i];
}

}  // namespace

Tensor Trainer::compute_loss(const Tensors& y, const Tensors& y_pred, const Tensors& sw) {
  Tensor total;
  const double batch = y_pred.empty() ? 0.0 : static_cast<double>(y_pred[0].shape()[0]);
  const Tensor batch_weight =
      full({}, batch, float64, y_pred.empty() ? default_device() : y_pred[0].device());
  for (size_t i = 0; i < outputs_.size(); ++i) {
    const Output& o = outputs_[i];
    if (!o.loss) continue;
    Tensor value = (*o.loss)(y[i], y_pred[i], weights_of(sw, i));
    if (o.loss_tracker) o.loss_tracker->update_values(value, batch_weight);
    if (o.weight != 1.0) value = ops::multiply(value, o.weight);
    total = total.defined() ? ops::add(total, value) : value;
  }
  // As Keras 3: the model's own losses (add_loss, regularizers) count with or without a
  // compiled loss; with neither there is nothing to compute.
  for (const Tensor& penalty : model_.losses()) {
    total = total.defined() ? ops::add(total, ops::cast(penalty, total.dtype()))
                            : ops::cast(penalty, float32);
  }
  KERAS_CHECK(total.defined(), ValueError,
              "No loss to compute. Provide a `loss` argument in `compile()`.");
  loss_tracker_->update_values(total, batch_weight);
  return total;
}

void Trainer::update_metrics(const Tensors& y, const Tensors& y_pred, const Tensors& sw) {
  // As Keras 3: compile's metrics ignore the sample weights, weighted_metrics use them.
  for (size_t i = 0; i < outputs_.size(); ++i) {
    const Output& o = outputs_[i];
    for (size_t k = 0; k < o.metrics.size(); ++k) {
      o.metrics[k]->update_state(y[i], y_pred[i], o.weighted(k) ? weights_of(sw, i) : Tensor());
    }
  }
}

Tensors Trainer::step(Mode mode, const Tensors& x, const Tensors& y, const Tensors& sw) {
  if (mode == Mode::predict) return model_.call(x, false);
  if (distribution::data_parallel_active()) {
    std::vector<losses::LossPtr> losses;
    for (const Output& o : outputs_) losses.push_back(o.loss);
    internal::check_data_parallel_losses(losses);
  }
  Tensors y_pred;
  if (mode == Mode::train) {
    std::vector<Variable> vars = model_.trainable_weights();
    Tensors values;
    for (const Variable& v : vars) values.push_back(v.value());
    Tensors grads;
    // Under DataParallel the gradients' all-reduce starts in buckets during the backward pass.
    internal::GradientExchange exchange(vars, optimizer_);
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
      // As Keras: the gradients of the loss times loss_scale_factor, which apply() divides out.
      const std::optional<double> scale = optimizer_->base_options().loss_scale_factor;
      const Tensor target = scale ? ops::multiply(last_loss_, *scale) : last_loss_;
      grads = exchange.active()
                  ? tape.gradient(target, values,
                                  [&](size_t i, const Tensor& g) { exchange.ready(i, g); })
                  : tape.gradient(target, values);
    }
    optimizer_->apply(exchange.finish(grads), vars);
    // As Keras 3's optimizer: each constraint projects its variable after the update.
    for (const Variable& v : vars) {
      if (v.constraint()) ops::assign(v.value(), v.constraint()(v.value()));
    }
    exchange.after_update();
  } else {
    y_pred = model_.call(x, false);
    if (!metrics_built_) build_metrics(y, y_pred);
    last_loss_ = compute_loss(y, y_pred, sw);
  }
  update_metrics(y, y_pred, sw);
  return y_pred;
}

namespace {

// Uninitialized buffers shaped as `src` with `batch` rows.
Tensors make_buffers(const Tensors& src, int64_t batch) {
  Tensors out;
  for (const Tensor& t : src) {
    out.push_back(t.defined() ? Tensor::empty(with_batch(t, batch), t.dtype()) : Tensor());
  }
  return out;
}

// Copies the rows `rows` of each defined tensor of `src` into `dst`.
void fill(const Tensors& src, const Tensors& dst, std::span<const int64_t> rows) {
  for (size_t i = 0; i < src.size(); ++i) {
    if (src[i].defined()) dst[i].copy_rows_from(src[i], rows);
  }
}

// Whether a and b agree in every dimension but the first.
bool same_dims(const Tensors& a, const Tensors& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].defined() != b[i].defined()) return false;
    if (!a[i].defined()) continue;
    if (!std::equal(a[i].shape().begin() + 1, a[i].shape().end(), b[i].shape().begin() + 1,
                    b[i].shape().end())) {
      return false;
    }
  }
  return true;
}

// The key of plans_ for a batch run in `mode` (Trainer::Mode as an int) in `lane`.
std::tuple<int, int64_t, int> plan_key(int mode, const BatchRows& batch, int lane) {
  return {mode * 2 + !batch.data->sample_weight.empty(), batch.count, lane};
}

}  // namespace

Trainer::Plan* Trainer::find_plan(Mode mode, const BatchRows& batch, int lane) const {
  const ArrayData& data = *batch.data;
  const auto it = plans_.find(plan_key(static_cast<int>(mode), batch, lane));
  if (it == plans_.end()) return nullptr;
  for (const auto& p : it->second) {  // compared in place: no allocation per step
    if (same_dims(p->x, data.x) && same_dims(p->y, data.y) &&
        same_dims(p->sample_weight, data.sample_weight)) {
      return p.get();
    }
  }
  return nullptr;
}

const Tensors& Trainer::replay(Plan& plan, const BatchRows& batch, internal::BorrowedRows* borrow) {
  const ArrayData& data = *batch.data;
  const int64_t count = batch.count;
  const std::span<const int64_t> batch_rows(batch.rows, static_cast<size_t>(count));
  // Rows in order from one tensor (predict's batches): the plan reads them where they are,
  // which saves a pass through memory over the whole input (the mlp's batch is 800 KB).
  const bool contiguous =
      borrow != nullptr && count > 0 && batch_rows.back() - batch_rows.front() == count - 1 &&
      std::adjacent_find(batch_rows.begin(), batch_rows.end(),
                         [](int64_t a, int64_t b) { return b != a + 1; }) == batch_rows.end();
  for (size_t i = 0; i < data.x.size(); ++i) {
    const Tensor& src = data.x[i];
    if (!src.defined()) continue;
    const Tensor& dst = plan.x[i];
    if (contiguous && src.device() == dst.device() && src.dtype() == dst.dtype() &&
        dst.dtype() != DType::string && dst.storage()->nbytes() == dst.nbytes() &&
        batch_rows.back() < src.shape()[0]) {
      void* rows = static_cast<char*>(src.raw_data()) +
                   batch_rows.front() * static_cast<int64_t>(dst.nbytes()) / count;
      borrow->held.emplace_back(dst.storage().get(), dst.storage()->exchange_data(rows));
    } else {
      dst.copy_rows_from(src, batch_rows);
    }
  }
  fill(data.y, plan.y, batch_rows);
  fill(data.sample_weight, plan.sample_weight, batch_rows);
  for (const autodiff::Kernel& k : plan.kernels) k();
  return plan.y_pred;
}

const Tensors& Trainer::run_batch(Mode mode,
                                  const BatchRows& global_batch,
                                  internal::BorrowedRows* borrow,
                                  int lane) {
  // Under DataParallel each process runs its share of the batch (predict shares its batches
  // itself; predict_on_batch runs all of it).
  const BatchRows batch = mode == Mode::predict
                              ? global_batch
                              : internal::shard_batch(global_batch, mode == Mode::train);
  std::optional<backend::InferenceScope> inference;  // predict's kernels may allocate
  if (mode == Mode::predict) inference.emplace();
  const ArrayData& data = *batch.data;
  const int64_t count = batch.count;
  const std::span<const int64_t> batch_rows(batch.rows, static_cast<size_t>(count));
  if (eager(run_eagerly_ || steps_read_values_, model_)) {
    Tensors x = make_buffers(data.x, count), y = make_buffers(data.y, count),
            sw = make_buffers(data.sample_weight, count);
    fill(data.x, x, batch_rows);
    fill(data.y, y, batch_rows);
    fill(data.sample_weight, sw, batch_rows);
    eager_y_pred_ = step(mode, x, y, sw);
    return eager_y_pred_;
  }
  // The plan traced for batches of this shape, else a new one traced on this batch.
  if (Plan* plan = find_plan(mode, batch, lane)) {
    const Tensors& y_pred = replay(*plan, batch, borrow);
    last_loss_ = plan->loss;
    return y_pred;
  }
  auto plan = std::make_unique<Plan>();
  plan->x = make_buffers(data.x, count);
  plan->y = make_buffers(data.y, count);
  plan->sample_weight = make_buffers(data.sample_weight, count);
  fill(data.x, plan->x, batch_rows);
  fill(data.y, plan->y, batch_rows);
  fill(data.sample_weight, plan->sample_weight, batch_rows);
  {
    autodiff::KernelTrace trace;
    plan->y_pred = step(mode, plan->x, plan->y, plan->sample_weight);
    plan->loss = last_loss_;
    plan->kernels = trace.take();
    if (!trace.replayable()) {
      // An op read values on the host (autodiff::depends_on_values): this batch's step has run,
      // and every step from now on runs eagerly.
      steps_read_values_ = true;
      eager_y_pred_ = plan->y_pred;
      return eager_y_pred_;
    }
  }
  // Kept only once traced whole: a step that threw (a bad index, say) leaves no half-recorded
  // plan for the next batch of this shape to replay.
  return plans_[plan_key(static_cast<int>(mode), batch, lane)]
      .emplace_back(std::move(plan))
      ->y_pred;
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
  std::optional<internal::GlobalMetricState> global;  // the sums over processes, while logging
  if (distribution::data_parallel_active()) global.emplace(metrics());
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

std::vector<metrics::MetricPtr> Trainer::metrics() const {
  std::vector<metrics::MetricPtr> out;
  if (loss_tracker_) out.push_back(loss_tracker_);
  for (const Output& o : outputs_) {
    if (o.loss_tracker) out.push_back(o.loss_tracker);
  }
  for (bool weighted : {false, true}) {
    for (const Output& o : outputs_) {
      for (size_t k = 0; k < o.metrics.size(); ++k) {
        if (o.weighted(k) == weighted) out.push_back(o.metrics[k]);
      }
    }
  }
  return out;
}

namespace {

void check_fit_options(const FitOptions& options) {
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

// Python's warnings.warn: each message once per process.
void warn_once(const std::string& message) {
  static std::mutex mutex;
  static std::set<std::string> shown;
  const std::lock_guard lock(mutex);
  if (shown.insert(message).second) std::cerr << "UserWarning: " << message << std::endl;
}

// keras.config.max_epochs / max_steps_per_epoch (0 caps nothing, as in Keras).
int capped_epochs(int epochs) {
  const std::optional<int> cap = config::max_epochs();
  if (!cap || *cap == 0 || *cap >= epochs) return epochs;
  warn_once(str("Limiting epochs to ", *cap));
  return *cap;
}

int64_t capped_steps(int64_t steps) {
  const std::optional<int64_t> cap = config::max_steps_per_epoch();
  if (!cap || *cap == 0 || *cap >= steps) return steps;
  warn_once(str("Limiting steps_per_epoch to ", *cap));
  return *cap;
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

}  // namespace

void Trainer::fit_iterators(const Data& x,
                            const Data& y,
                            const FitOptions& options,
                            std::unique_ptr<EpochIterator>& train,
                            std::unique_ptr<EpochIterator>& val) const {
  const bool split = options.validation_split > 0 && !options.validation_data;
  KERAS_CHECK(!split || !x.is_dataset(), ValueError,
              "Argument `validation_split` is only supported for tensors or NumPy arrays. Found "
              "incompatible type in the input: [PyDataset]");
  train =
      make_iterator(x, y, options.sample_weight, options.batch_size, options.class_weight, true);
  if (split) {
    // Arrays: the last rows validate, cut before any shuffling.
    ArrayData data = static_cast<ArrayIterator&>(*train).data();
    const int64_t split_at = validation_split_point(data.n, options.validation_split);
    const int64_t bs = options.batch_size.value_or(32);
    val = std::make_unique<ArrayIterator>(data.rows(split_at, data.n), bs);
    train = std::make_unique<ArrayIterator>(data.rows(0, split_at), bs);
  } else if (options.validation_data) {
    const ValidationData& v = *options.validation_data;
    val = make_iterator(v.x, v.y, v.sample_weight,
                        v.x.is_dataset() ? std::nullopt : options.batch_size, {}, true);
  }
}

callbacks::History Trainer::fit(const Data& x, const Data& y, const FitOptions& options) {
  optimizer();  // throws if not compiled
  check_fit_options(options);
  // With TerminateOnNaN, NaN or inf in the data are the callback's to handle, as in Keras: the
  // loss they make stops training (or raises) there instead of a ValueError up front.
  non_finite_data_ok_ = std::ranges::any_of(options.callbacks, [](const auto& c) {
    return dynamic_cast<const callbacks::TerminateOnNaNImpl*>(c.get()) != nullptr;
  });
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset_data_check{non_finite_data_ok_};
  std::unique_ptr<EpochIterator> train, val;
  fit_iterators(x, y, options, train, val);
  int64_t steps = train->num_batches();
  if (options.steps_per_epoch) steps = std::min<int64_t>(steps, *options.steps_per_epoch);
  steps = capped_steps(steps);
  const int epochs = capped_epochs(options.epochs);
  callbacks::CallbackList cbs(options.callbacks, {.add_history = true,
                                                  .add_progbar = options.verbose != 0,
                                                  .trainer = this,
                                                  .params = {{"epochs", epochs},
                                                             {"steps", static_cast<int>(steps)},
                                                             {"verbose", options.verbose}}});
  stop_training = false;
  initial_epoch.reset();
  resume_within_epoch.reset();
  const callbacks::Logs no_logs;
  callbacks::Logs batch_logs, epoch_logs;          // reused: a steady-state step allocates nothing
  internal::sync_from_chief(model_, *optimizer_);  // under DataParallel: start from process 0's
  internal::SharedTablesScope shared_tables;       // and share tables while the steps run
  internal::BalancedShares balanced_shares;        // (DataParallel::balance_shares())
  cbs.on_train_begin(no_logs);
  const int first_epoch = initial_epoch.value_or(options.initial_epoch);
  initial_epoch.reset();
  const std::optional<ResumePoint> resume = std::exchange(resume_within_epoch, std::nullopt);
  KERAS_CHECK(!resume || (resume->step >= 0 && resume->step <= steps), ValueError,
              "fit: cannot resume epoch ", first_epoch + 1, " at batch ", resume ? resume->step : 0,
              ": an epoch has ", steps,
              " batches (were fit's arguments changed since the backup?)");
  for (int epoch = first_epoch; epoch < epochs; ++epoch) {
    reset_metrics();
    cbs.on_epoch_begin(epoch, no_logs);
    const bool resuming = resume && epoch == first_epoch;
    epoch_shuffle_state_ = resuming ? resume->shuffle_state : global_generator().state();
    const int64_t first_step = resuming ? resume->step : 0;
    train->begin_epoch(options.shuffle, resuming ? &resume->shuffle_state : nullptr, first_step);
    train_epoch(*train, first_step, steps, cbs, batch_logs);
    train->end_epoch();
    epoch_logs = collect_logs();
    if (val && options.validation_freq.should_validate(epoch)) {
      for (const auto& [name, value] : test_loop(*val, cbs)) epoch_logs["val_" + name] = value;
    }
    cbs.on_epoch_end(epoch, epoch_logs);
    if (stop_training) break;
  }
  shared_tables.close();
  balanced_shares.close();
  // As Keras: with use_ema the variables take their moving averages when training ends.
  if (epochs > 0 && optimizer_->built()) {
    optimizer_->finalize_variable_values(model_.trainable_weights());
  }
  cbs.on_train_end(epoch_logs);
  return *cbs.history();
}

void Trainer::train_epoch(EpochIterator& batches,
                          int64_t first_step,
                          int64_t steps,
                          callbacks::CallbackList& cbs,
                          callbacks::Logs& logs) {
  const callbacks::Logs no_logs;
  for (int64_t s = first_step; s < steps; ++s) {
    cbs.on_train_batch_begin(static_cast<int>(s), no_logs);
    run_batch(Mode::train, batches.batch(s));
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

callbacks::Logs Trainer::test_loop(EpochIterator& batches, callbacks::CallbackList& cbs) {
  const callbacks::Logs no_logs;
  callbacks::Logs logs;
  cbs.on_test_begin(no_logs);
  reset_metrics();
  batches.begin_epoch(false, nullptr, 0);
  const int64_t steps = capped_steps(batches.num_batches());
  for (int64_t s = 0; s < steps; ++s) {
    cbs.on_test_batch_begin(static_cast<int>(s), no_logs);
    run_batch(Mode::test, batches.batch(s));
    if (cbs.wants_batch_logs()) update_logs(logs);
    cbs.on_test_batch_end(static_cast<int>(s), logs);
  }
  batches.end_epoch();
  logs = collect_logs();
  cbs.on_test_end(logs);
  return logs;
}

Results Trainer::evaluate(const Data& x, const Data& y, const EvaluateOptions& options) {
  optimizer();
  std::unique_ptr<EpochIterator> data =
      make_iterator(x, y, options.sample_weight, options.batch_size, {}, true);
  callbacks::CallbackList cbs(
      options.callbacks, {.add_progbar = options.verbose != 0,
                          .trainer = this,
                          .params = {{"epochs", 1},
                                     {"steps", static_cast<int>(capped_steps(data->num_batches()))},
                                     {"verbose", options.verbose}}});
  test_loop(*data, cbs);
  return results();
}

Results Trainer::results() const {
  const callbacks::Logs logs = collect_logs();
  std::vector<std::string> names = metrics_names();
  std::vector<double> values;
  for (const std::string& name : names) values.push_back(logs.at(name));
  return Results(std::move(names), std::move(values));
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
  run_batch(mode, {&data, rows.data(), data.n});
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
  internal::BorrowedRows borrowed;
  for (const Tensor& t : run_batch(Mode::predict, {&data, rows.data(), data.n}, &borrowed)) {
    out.push_back(t.clone());  // the plan's buffer is reused by the next batch
  }
  return out;
}

namespace {

// `results` as one chunk of n rows for outputs like `y_pred` (a batch's predictions).
void size_predictions(const Tensors& y_pred, int64_t n, std::vector<Tensors>& results) {
  Tensors all;
  for (const Tensor& t : y_pred) all.push_back(Tensor::empty(with_batch(t, n), t.dtype()));
  results.push_back(std::move(all));
}

// Batch predictions `y_pred` (rows [start, start + count) of the outputs) into `results`: the
// outputs of all n rows when n is known, else one chunk per batch, which predict concatenates
// along the first axis as Keras does. An output whose first dimension is not the batch's (a
// quantile's q axis) makes n unknown from then on: the rows collected so far become a chunk.
void collect_predictions(const Tensors& y_pred,
                         std::optional<int64_t>& n,
                         int64_t start,
                         int64_t count,
                         std::vector<Tensors>& results) {
  for (size_t i = 0; i < y_pred.size(); ++i) {  // a reduction over the batch, say
    KERAS_CHECK(y_pred[i].rank() >= 1, ValueError, "predict: output ", i,
                " of the model is a scalar, without the batch dimension that predict "
                "concatenates its batches along");
  }
  const bool aligned = std::all_of(y_pred.begin(), y_pred.end(),
                                   [count](const Tensor& t) { return t.shape()[0] == count; });
  if (n && !aligned) {
    n.reset();
    if (!results.empty()) {
      for (Tensor& t : results[0]) t = t.slice_rows(0, start).clone();
    }
  }
  if (!n) {
    Tensors chunk;
    for (const Tensor& t : y_pred) chunk.push_back(t.clone());
    results.push_back(std::move(chunk));
    return;
  }
  if (results.empty()) size_predictions(y_pred, *n, results);
  for (size_t i = 0; i < y_pred.size(); ++i) {
    results[0][i].slice_rows(start, start + y_pred[i].shape()[0]).copy_from(y_pred[i]);
  }
}

// Calls f(part, first row of the part in the batch) for rows [begin, end) of `batch` in parts of
// at most `rows` rows, in order.
template <class F>
void for_each_part(const BatchRows& batch, int64_t begin, int64_t end, int64_t rows, F&& f) {
  for (int64_t b = begin; b < end; b += rows) {
    f(BatchRows{batch.data, batch.rows + b, std::min(rows, end - b)}, b);
  }
}

}  // namespace

void Trainer::predict_batch(const BatchRows& batch,
                            std::optional<int64_t>& n,
                            int64_t start,
                            std::vector<Tensors>& results) {
  // Lane l predicts rows [share[l], share[l + 1]) of the batch with its own plans, on its own
  // thread, start to end: no thread waits for another between layers, as they do when each
  // kernel splits its work. A lane runs its share in parts of at most predict_rows rows.
  const int lanes = predict_lanes(batch.count);
  std::vector<int64_t> share(static_cast<size_t>(lanes) + 1);
  for (int l = 0; l < lanes; ++l) share[l] = batch.count * l / lanes / kLaneGranule * kLaneGranule;
  share[lanes] = batch.count;
  const int64_t most_rows = signature_.predict_rows;
  // Calls f(part, first row) for the parts of lane l's share, in order.
  auto for_parts = [&](int l, auto&& f) {
    for_each_part(batch, share[l], share[l + 1],
                  most_rows > 0 ? most_rows : share[l + 1] - share[l], f);
  };
  // Predictions go straight into `results` from the lanes once every lane's plans are traced;
  // the first batch of a size traces them one after another.
  bool traced = lanes > 1 && n;
  const Plan* first = nullptr;
  for (int l = 0; traced && l < lanes; ++l) {
    for_parts(l, [&](const BatchRows& part, int64_t) {
      const Plan* plan = find_plan(Mode::predict, part, l);
      traced = traced && plan != nullptr;
      if (first == nullptr) first = plan;
    });
  }
  if (traced && results.empty()) {
    // `results` takes all n rows in the shapes of the plans' outputs (as in predict_in_turn), so
    // that a predict's first batch runs in lanes too: with two batches on two threads it ran
    // one lane after the other, half the work on one thread.
    const int64_t rows = std::min(most_rows > 0 ? most_rows : share[1], share[1]);
    for (const Tensor& t : first->y_pred) traced = traced && t.rank() > 0 && t.shape()[0] == rows;
    if (traced) size_predictions(first->y_pred, *n, results);
  }
  auto run_lane = [&](int l) {
    for_parts(l, [&](const BatchRows& part, int64_t b) {
      internal::BorrowedRows borrowed;  // until the predictions are copied out
      collect_predictions(traced ? replay(*find_plan(Mode::predict, part, l), part, &borrowed)
                                 : run_batch(Mode::predict, part, &borrowed, l),
                          n, start + b, part.count, results);
    });
  };
  if (traced) {
    const backend::InferenceScope inference;  // replay() runs the predict plans directly
    backend::run_lanes(lanes, run_lane);
  } else if (lanes > 1) {
    const backend::OnOneThread one;  // as in a lane: the replays' bits
    for (int l = 0; l < lanes; ++l) run_lane(l);
  } else {
    run_lane(0);
  }
}

int64_t Trainer::predict_in_turn(ArrayIterator& data,
                                 std::optional<int64_t>& n,
                                 std::vector<Tensors>& results) {
  if (!n || *n == 0) return 0;
  const int64_t full = data.batch(0).count, whole = *n / full;
  const int lanes = static_cast<int>(std::min<int64_t>(backend::num_threads(), whole / 2));
  if (eager(run_eagerly_ || steps_read_values_, model_) || lanes < 2 || !model_.batch_independent())
    return 0;
  const int64_t most_rows =
      signature_.predict_rows > 0
          ? signature_.predict_rows
          : std::max<int64_t>(kLaneGranule, full / lanes / kLaneGranule * kLaneGranule);
  auto for_parts = [most_rows](const BatchRows& batch, auto&& f) {
    for_each_part(batch, 0, batch.count, most_rows, f);
  };
  auto traced = [&](int lane) {
    bool found = true;
    for_parts(data.batch(0), [&](const BatchRows& part, int64_t) {
      found = found && find_plan(Mode::predict, part, lane) != nullptr;
    });
    return found;
  };
  // Lanes without plans trace them one after another on the first batches, each on one thread
  // as in a lane (then a batch has the same bits whichever lane runs it, in any call).
  int64_t step = 0;
  for (int l = 0; l < lanes && n; ++l) {
    if (traced(l)) continue;
    const backend::OnOneThread one;
    for_parts(data.batch(step), [&](const BatchRows& part, int64_t b) {
      internal::BorrowedRows borrowed;  // until the predictions are copied out
      collect_predictions(run_batch(Mode::predict, part, &borrowed, l), n, step * full + b,
                          part.count, results);
    });
    ++step;
  }
  if (!n || steps_read_values_) return step;  // the rest in predict's own loop, eagerly
  if (results.empty()) {  // every lane had its plans: `results` takes the shapes of their outputs
    const BatchRows first{data.batch(0).data, data.batch(0).rows, std::min(most_rows, full)};
    const Tensors& y_pred = find_plan(Mode::predict, first, 0)->y_pred;
    for (const Tensor& t : y_pred) {
      if (t.rank() == 0 || t.shape()[0] != first.count) return 0;  // predict's own loop reports
    }
    size_predictions(y_pred, *n, results);
  }
  std::atomic<int64_t> next{step};
  const backend::InferenceScope inference;  // replay() runs the predict plans directly
  // ArrayIterator::batch only reads: the lanes call it at once.
  backend::run_lanes(lanes, [&](int l) {
    try {
      for (int64_t s; (s = next.fetch_add(1, std::memory_order_relaxed)) < whole;) {
        for_parts(data.batch(s), [&](const BatchRows& part, int64_t b) {
          internal::BorrowedRows borrowed;  // until the predictions are copied out
          // `results` holds all n rows and the outputs are aligned: this only copies.
          collect_predictions(replay(*find_plan(Mode::predict, part, l), part, &borrowed), n,
                              s * full + b, part.count, results);
        });
      }
    } catch (...) {
      next.store(whole);  // the other lanes stop after their current batch
      throw;
    }
  });
  return whole;
}

int Trainer::predict_lanes(int64_t rows) const {
  if (eager(run_eagerly_ || steps_read_values_, model_) || rows < 2 * kMinLaneRows ||
      !model_.batch_independent()) {
    return 1;
  }
  return static_cast<int>(std::min<int64_t>(backend::num_threads(), rows / kMinLaneRows));
}

Tensors Trainer::predict(const Data& x, const PredictOptions& options) {
  std::unique_ptr<EpochIterator> data =
      make_iterator(x, Data(), Data(), options.batch_size, {}, false);
  const int64_t steps = capped_steps(data->num_batches());
  std::vector<Tensors> results;
  callbacks::CallbackList cbs(options.callbacks, {.add_history = true,
                                                  .add_progbar = options.verbose != 0,
                                                  .trainer = this,
                                                  .params = {{"epochs", 1},
                                                             {"steps", static_cast<int>(steps)},
                                                             {"verbose", options.verbose}}});
  const callbacks::Logs no_logs;
  cbs.on_predict_begin(no_logs);
  data->begin_epoch(false, nullptr, 0);
  int64_t start = 0;
  std::optional<int64_t> n = data->num_samples();
  if (steps < data->num_batches()) n.reset();  // capped: the predictions of the batches run
  const bool shared = distribution::data_parallel_active();
  int64_t s = 0;
  auto* arrays = dynamic_cast<ArrayIterator*>(data.get());
  if (!shared && arrays != nullptr && options.callbacks.empty() && options.verbose == 0 && n) {
    // Nothing observes the batches one by one: lanes may take them in any order.
    s = predict_in_turn(*arrays, n, results);
    start = s * arrays->batch(0).count;
  }
  for (; s < steps; ++s) {
    cbs.on_predict_batch_begin(static_cast<int>(s), no_logs);
    const BatchRows batch = data->batch(s);
    if (shared) {
      internal::BorrowedRows borrowed;  // until the predictions are copied out
      // Under DataParallel: this process predicts its share and every process gets every share.
      collect_predictions(
          internal::gather_predictions(
              run_batch(Mode::predict, internal::predict_share(batch), &borrowed), batch.count),
          n, start, batch.count, results);
    } else {
      predict_batch(batch, n, start, results);
    }
    start += batch.count;
    cbs.on_predict_batch_end(static_cast<int>(s), no_logs);
  }
  data->end_epoch();
  cbs.on_predict_end(no_logs);
  if (results.size() == 1) return results[0];
  Tensors out;
  for (size_t i = 0; i < results[0].size(); ++i) {
    Tensors parts;
    for (const Tensors& chunk : results) parts.push_back(chunk[i]);
    out.push_back(ops::concatenate(parts, 0));
  }
  return out;
}

}  // namespace keras::trainers
