// Arguments of Model::compile / fit / evaluate / predict as options structs.
//
// Fields follow Keras's keyword names. C++ designated initializers must appear in declaration
// order, which is the order of the fields below, e.g.
//   model.compile({.optimizer = "rmsprop", .loss = "categorical_crossentropy",
//                  .metrics = {"accuracy"}});
//   model.fit(x, y, {.epochs = 5, .batch_size = 32, .validation_split = 0.1});
#pragma once

#include <concepts>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keras/callbacks/callback.h"
#include "keras/losses/losses.h"
#include "keras/metrics/metrics.h"
#include "keras/optimizers/optimizers.h"
#include "keras/trainers/data.h"

namespace keras {

// An optimizer by name ("rmsprop") or object (keras::optimizers::Adam({...})).
class OptimizerSpec {
 public:
  OptimizerSpec(const char* name) : name_(name) {}                             // NOLINT
  OptimizerSpec(optimizers::OptimizerPtr opt) : optimizer_(std::move(opt)) {}  // NOLINT
  template <std::derived_from<optimizers::Optimizer> T>
  OptimizerSpec(std::shared_ptr<T> opt) : optimizer_(std::move(opt)) {}  // NOLINT
  optimizers::OptimizerPtr resolve() const;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  optimizers::OptimizerPtr optimizer_;
};

// A loss by name or object, or std::nullopt (Python's None): no loss for that output, which
// then has no "<output>_loss" either (its metrics, if any, are still computed), as in Keras 3:
//   .loss = {"mse", std::nullopt}   .loss = {{"main", "mse"}, {"aux", std::nullopt}}
// (No std::string constructor: a braced pair of strings would otherwise be read as an iterator
// range.)
class LossItem {
 public:
  LossItem(const char* name) : name_(name) {}                 // NOLINT
  LossItem(losses::LossPtr loss) : loss_(std::move(loss)) {}  // NOLINT
  // A shared pointer to a loss class of one's own (std::make_shared<MyLoss>()).
  template <std::derived_from<losses::Loss> T>
  LossItem(std::shared_ptr<T> loss) : loss_(std::move(loss)) {}  // NOLINT
  LossItem(std::nullopt_t) {}                                    // NOLINT
  // The loss, or nullptr for None.
  losses::LossPtr resolve() const;
  const std::string& name() const { return name_; }  // empty when given as an object or None
  const losses::LossPtr& loss() const { return loss_; }
  bool is_none() const { return name_.empty() && !loss_; }

 private:
  std::string name_;
  losses::LossPtr loss_;
};

// One loss for every output, a list in output order, or a map keyed by output name.
class LossSpec {
 public:
  LossSpec() = default;
  LossSpec(const char* name) : single_(LossItem(name)) {}                 // NOLINT
  LossSpec(losses::LossPtr loss) : single_(LossItem(std::move(loss))) {}  // NOLINT
  template <std::derived_from<losses::Loss> T>
  LossSpec(std::shared_ptr<T> loss) : single_(LossItem(std::move(loss))) {}  // NOLINT
  LossSpec(std::initializer_list<LossItem> list) : list_(list) {}
  LossSpec(std::vector<LossItem> list) : list_(std::move(list)) {}  // NOLINT
  LossSpec(std::initializer_list<std::pair<const std::string, LossItem>> map) : map_(map) {}
  LossSpec(std::map<std::string, LossItem> map) : map_(std::move(map)) {}  // NOLINT

  // One loss (or none) per output name; throws ValueError for unknown names or bad lengths.
  std::vector<losses::LossPtr> resolve(const std::vector<std::string>& output_names) const;
  bool empty() const { return !single_ && list_.empty() && map_.empty(); }
  const std::optional<LossItem>& single() const { return single_; }
  const std::vector<LossItem>& list() const { return list_; }
  const std::map<std::string, LossItem>& map() const { return map_; }

 private:
  std::optional<LossItem> single_;
  std::vector<LossItem> list_;
  std::map<std::string, LossItem> map_;
};

// Loss weights as a list in output order or a map keyed by output name (missing = 1).
class LossWeights {
 public:
  LossWeights() = default;
  LossWeights(std::initializer_list<double> list) : list_(list) {}
  LossWeights(std::vector<double> list) : list_(std::move(list)) {}  // NOLINT
  LossWeights(std::initializer_list<std::pair<const std::string, double>> map) : map_(map) {}
  LossWeights(std::map<std::string, double> map) : map_(std::move(map)) {}  // NOLINT
  std::vector<double> resolve(const std::vector<std::string>& output_names) const;
  const std::vector<double>& list() const { return list_; }
  const std::map<std::string, double>& map() const { return map_; }

 private:
  std::vector<double> list_;
  std::map<std::string, double> map_;
};

// A metric by name ("accuracy", "mae", ...) or object: a factory's MetricPtr
// (metrics::Precision()) or a shared pointer to any metric class (std::make_shared<metrics::AUC>(),
// a user's own Metric subclass), next to names in one list:
//   .metrics = {metrics::Precision({.name = "p"}), std::make_shared<metrics::AUC>(), "accuracy"}
class MetricItem {
 public:
  MetricItem(const char* name) : name_(name) {}                          // NOLINT
  MetricItem(metrics::MetricPtr metric) : metric_(std::move(metric)) {}  // NOLINT
  template <std::derived_from<metrics::Metric> T>
  MetricItem(std::shared_ptr<T> metric) : metric_(std::move(metric)) {}  // NOLINT
  const std::string& name() const { return name_; }
  const metrics::MetricPtr& metric() const { return metric_; }

 private:
  std::string name_;
  metrics::MetricPtr metric_;
};

// Metrics: one list for every output, one list per output (in output order, as Keras 3's list
// of lists), or a list per output name (a map of lists):
//   .metrics = {"accuracy", "mae"}                    every output: accuracy and mae
//   .metrics = {{"mae"}, {"mae", "mse"}}              output 0: mae; output 1: mae and mse
//   .metrics = {{"out_a", {"mae"}}, {"out_b", {}}}   by name; outputs not named get none
// A list per output must have one entry per output (ValueError); braces give it for 2 to 8
// outputs, a std::vector<std::vector<MetricItem>> for any number.
class MetricsSpec {
 public:
  using List = std::vector<MetricItem>;
  MetricsSpec() = default;
  template <class... Items>
  requires(sizeof...(Items) > 0 && (std::convertible_to<Items, MetricItem> && ...))
      MetricsSpec(Items&&... items)  // NOLINT: one list for every output
      : list_{MetricItem(std::forward<Items>(items))...} {}
  MetricsSpec(std::vector<MetricItem> list) : list_(std::move(list)) {}  // NOLINT
  MetricsSpec(std::vector<List> per_output)                              // NOLINT
      : per_output_(std::move(per_output)), nested_(true) {}
  MetricsSpec(List a, List b) : MetricsSpec(std::vector<List>{a, b}) {}
  MetricsSpec(List a, List b, List c) : MetricsSpec(std::vector<List>{a, b, c}) {}
  MetricsSpec(List a, List b, List c, List d) : MetricsSpec(std::vector<List>{a, b, c, d}) {}
  MetricsSpec(List a, List b, List c, List d, List e)
      : MetricsSpec(std::vector<List>{a, b, c, d, e}) {}
  MetricsSpec(List a, List b, List c, List d, List e, List f)
      : MetricsSpec(std::vector<List>{a, b, c, d, e, f}) {}
  MetricsSpec(List a, List b, List c, List d, List e, List f, List g)
      : MetricsSpec(std::vector<List>{a, b, c, d, e, f, g}) {}
  MetricsSpec(List a, List b, List c, List d, List e, List f, List g, List h)
      : MetricsSpec(std::vector<List>{a, b, c, d, e, f, g, h}) {}
  MetricsSpec(std::initializer_list<std::pair<const std::string, std::vector<MetricItem>>> map)
      : map_(map) {}
  MetricsSpec(std::map<std::string, std::vector<MetricItem>> map)
      : map_(std::move(map)) {}  // NOLINT
  std::vector<std::vector<MetricItem>> resolve(const std::vector<std::string>& output_names) const;
  const std::vector<MetricItem>& list() const { return list_; }
  const std::vector<List>& per_output() const { return per_output_; }
  bool is_per_output() const { return nested_; }
  const std::map<std::string, std::vector<MetricItem>>& map() const { return map_; }

 private:
  std::vector<MetricItem> list_;
  std::vector<List> per_output_;
  bool nested_ = false;
  std::map<std::string, std::vector<MetricItem>> map_;
};

struct CompileOptions {
  OptimizerSpec optimizer = "rmsprop";
  LossSpec loss = {};
  LossWeights loss_weights = {};
  // Updated without sample weights, as in Keras 3.
  MetricsSpec metrics = {};
  // Updated with the sample weights (or class weights); a name an unweighted metric has is
  // logged as "weighted_<name>".
  MetricsSpec weighted_metrics = {};
  // Run each step op by op instead of replaying a compiled plan (for debugging).
  bool run_eagerly = false;
  // Keras runs this many batches per compiled call; keras.cpp replays a compiled plan per batch
  // at no per-call cost, so any positive value behaves as 1 (saved in the compile config).
  int steps_per_execution = 1;
};

// Keras's class_weight: {class index: weight}. A sample's class is argmax(y) when its target has
// more than one column, else round(y); classes not listed weigh 1. Single-output models only, and
// not together with sample_weight (ValueError, as in Keras).
using ClassWeight = std::map<int64_t, double>;

// How often fit() validates: every `every` epochs (Keras's int validation_freq: after epochs
// every, 2 * every, ...), or after the listed 1-based epochs ({1, 3, 10}).
class ValidationFreq {
 public:
  ValidationFreq(int every = 1) : every_(every) {}  // NOLINT
  ValidationFreq(std::initializer_list<int> epochs) : every_(0), epochs_(epochs) {}
  // Whether to validate after `epoch` (0-based); ValueError for an int below 1.
  bool should_validate(int epoch) const;

 private:
  int every_;
  std::vector<int> epochs_;
};

// batch_size: rows per batch for arrays, None (std::nullopt) for 32; not given with a PyDataset,
// whose get() returns whole batches.
struct FitOptions {
  int epochs = 1;
  std::optional<int> batch_size = std::nullopt;
  int verbose = 1;  // 0 silent, 1 progress bar, 2 one line per epoch
  std::vector<callbacks::CallbackPtr> callbacks = {};
  double validation_split = 0.0;  // fraction of the data, taken from the end, before shuffling
  // Arrays or a PyDataset, evaluated after each epoch (validation_freq).
  std::optional<ValidationData> validation_data = std::nullopt;
  bool shuffle = true;  // the rows of arrays, the batch order of a PyDataset, per epoch
  // One array for every output, or, as y is given, a list with one per output (an undefined
  // Tensor leaves that output unweighted) or a dict by output name (outputs left out are
  // unweighted). The same in evaluate, train_on_batch, test_on_batch and validation_data.
  Data sample_weight = {};
  int initial_epoch = 0;
  std::optional<int> steps_per_epoch = std::nullopt;
  ClassWeight class_weight = {};
  ValidationFreq validation_freq = 1;
};

struct EvaluateOptions {
  std::optional<int> batch_size = std::nullopt;  // as in FitOptions
  int verbose = 1;
  Data sample_weight = {};
  std::vector<callbacks::CallbackPtr> callbacks = {};
  // Accepted for Keras's spelling: Results is both the list and the dict.
  bool return_dict = false;
};

struct TrainOnBatchOptions {
  Data sample_weight = {};
  ClassWeight class_weight = {};
  bool return_dict = false;  // as in EvaluateOptions
};

struct TestOnBatchOptions {
  Data sample_weight = {};
  bool return_dict = false;  // as in EvaluateOptions
};

// What evaluate, train_on_batch and test_on_batch return: the values in metrics_names() order,
// as Keras's list (results[0] is the loss), and by name, as Keras's return_dict=True gives them
// (results["loss"], results.dict()).
class Results : public std::vector<double> {
 public:
  Results() = default;
  Results(std::vector<std::string> names, std::vector<double> values)
      : std::vector<double>(std::move(values)), names_(std::move(names)) {}
  const std::vector<std::string>& names() const { return names_; }
  using std::vector<double>::operator[];
  // ValueError naming the known names for an unknown one.
  double operator[](std::string_view name) const;
  std::map<std::string, double> dict() const;

 private:
  std::vector<std::string> names_;
};

struct PredictOptions {
  std::optional<int> batch_size = std::nullopt;  // as in FitOptions
  int verbose = 0;
  std::vector<callbacks::CallbackPtr> callbacks = {};
};

}  // namespace keras
