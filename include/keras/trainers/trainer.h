// Trainer: compile / fit / evaluate / predict for a model (Keras 3's Trainer).
//
// Execution plans: the first batch of a given shape in each mode (train, test, predict) runs
// under a KernelTrace, which records every kernel of the step — forward, loss, gradients,
// optimizer update, metric updates — together with the buffers they use. Later batches of that
// shape (batch size and every input's and target's other dims) copy their rows into the same input
// buffers and replay the recorded kernels: no graph walking, no shape checks, no heap allocation
// per step. CompileOptions::run_eagerly runs every step op by op instead (same ops and kernels).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "keras/autodiff/trace.h"
#include "keras/callbacks/callback.h"
#include "keras/callbacks/saver.h"
#include "keras/core/random.h"
#include "keras/layers/layer.h"
#include "keras/trainers/compile_options.h"

namespace keras::callbacks {
class CallbackList;
}

namespace keras::trainers {

namespace internal {
class ArrayIterator;
struct ArrayData;
struct BatchRows;
struct BorrowedRows;
class EpochIterator;
}  // namespace internal

// What the trainer needs to know about the model's inputs and outputs.
struct ModelSignature {
  std::vector<std::string> input_names;
  std::vector<TensorSpec> input_specs;
  std::vector<std::string> output_names;
  std::vector<TensorSpec> output_specs;
  // The most rows of a batch predict() runs at a time; 0: the whole batch (the model decides:
  // src/models/predict_rows.h).
  int64_t predict_rows = 0;
  // Inputs given as a dict whose keys are not in sorted order: Keras's spelling of it
  // ("{'b': 'b', 'a': 'a'}"); empty otherwise.
  std::string unsorted_dict_inputs;
};

// Keras 3's ValueError when inputs given as a list (matched in flattening order, by sorted key)
// meet a model whose input dict was given in another order: the list's order is ambiguous then.
void check_input_structure(const Data& x, const ModelSignature& signature);

class Trainer {
 public:
  // `saver`: how callbacks save and restore this model (see callbacks/saver.h).
  explicit Trainer(layers::Layer& model, callbacks::ModelSaver saver = {});
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // Updates the model's inputs/outputs (a Sequential model can grow); drops compiled plans.
  void set_signature(ModelSignature signature);
  void compile(const CompileOptions& options);
  bool compiled() const { return optimizer_ != nullptr; }

  callbacks::History fit(const Data& x, const Data& y, const FitOptions& options);
  // [loss, metrics...] in metrics_names() order.
  Results evaluate(const Data& x, const Data& y, const EvaluateOptions& options);
  // One tensor per output.
  Tensors predict(const Data& x, const PredictOptions& options);
  // One gradient step on the whole of x (one batch; the plan fit uses for batches of that size)
  // and the loss and metrics of that batch alone (the metrics are reset first, as in Keras 3).
  Results train_on_batch(const Data& x, const Data& y, const TrainOnBatchOptions& options);
  // The loss and metrics of one batch, without training.
  Results test_on_batch(const Data& x, const Data& y, const TestOnBatchOptions& options);
  // The model's outputs on one batch in inference mode.
  Tensors predict_on_batch(const Data& x);
  // "loss", then per-output losses (several outputs), then metrics, as evaluate() orders them.
  std::vector<std::string> metrics_names() const;
  // The loss trackers, then the compiled metrics once built, in metrics_names() order.
  std::vector<metrics::MetricPtr> metrics() const;

  optimizers::Optimizer& optimizer() const;
  // The options of the last compile() (for saving the compile config).
  const std::optional<CompileOptions>& compile_options() const { return compile_options_; }
  layers::Layer& model() const { return model_; }
  const callbacks::ModelSaver& saver() const { return saver_; }
  // Set by a callback to stop fit() after the current batch (the epoch still ends: validation
  // and on_epoch_end run). fit() resets it when it starts.
  bool stop_training = false;
  // Set by a callback in on_train_begin (BackupAndRestore) to start fit() at this epoch instead
  // of FitOptions::initial_epoch (Keras's model._initial_epoch); fit() clears it when it ends.
  std::optional<int> initial_epoch;
  // Set with initial_epoch by BackupAndRestore (a backup taken every save_freq batches) to resume
  // inside that epoch: fit() starts it at batch `step` (0 to the epoch's number of batches, else
  // ValueError), in the order shuffled from `shuffle_state` (the global generator's state when
  // the interrupted run shuffled that epoch: its epoch_shuffle_state()), and leaves the global
  // generator as on_train_begin left it. fit() clears it when it starts.
  struct ResumePoint {
    int64_t step = 0;
    Generator::State shuffle_state;
  };
  std::optional<ResumePoint> resume_within_epoch;
  // The global generator's state just before fit() drew the current epoch's shuffle order.
  const Generator::State& epoch_shuffle_state() const { return epoch_shuffle_state_; }

 private:
  enum class Mode { train, test, predict };
  struct Plan;
  struct Output;
  using ArrayData = internal::ArrayData;
  using EpochIterator = internal::EpochIterator;

  // sample_weight: as ArrayData's (none, one for all outputs, or one per output).
  Tensor compute_loss(const Tensors& y, const Tensors& y_pred, const Tensors& sample_weight);
  void build_metrics(const Tensors& y, const Tensors& y_pred);
  void update_metrics(const Tensors& y, const Tensors& y_pred, const Tensors& sample_weight);
  Tensors step(Mode mode, const Tensors& x, const Tensors& y, const Tensors& sample_weight);
  // Runs one batch; returns the predictions (valid until the next call, and while `borrow`
  // lives). With `borrow`, a traced plan may read contiguous rows of x in place instead of
  // copying them into its buffers; `borrow` gives the buffers back when it is destroyed.
  // `lane` picks one of several plans for the same shapes (predict_part's lanes).
  const Tensors& run_batch(Mode mode,
                           const internal::BatchRows& batch,
                           internal::BorrowedRows* borrow = nullptr,
                           int lane = 0);
  // The plan traced for `batch`'s mode, size and shapes in `lane`, or null.
  Plan* find_plan(Mode mode, const internal::BatchRows& batch, int lane) const;
  // Runs a traced plan on `batch` (rows borrowed as run_batch's); touches no member, so that
  // lanes replay their plans at once. Returns the plan's predictions.
  static const Tensors& replay(Plan& plan,
                               const internal::BatchRows& batch,
                               internal::BorrowedRows* borrow);
  // predict()'s `batch` (rows [start, start + batch.count) of n, when n is known) into
  // `results` (see collect_predictions, which forgets n for outputs not aligned with the batch):
  // split into predict_lanes() lanes run at once, each in parts of at most
  // signature_.predict_rows rows.
  void predict_batch(const internal::BatchRows& batch,
                     std::optional<int64_t>& n,
                     int64_t start,
                     std::vector<Tensors>& results);
  // How many lanes predict splits `rows` into: up to the backend's threads, each of at least
  // kMinLaneRows rows (fewer rows make each layer's products less efficient), and 1 for a model
  // that is not batch-independent (Layer::batch_independent) or that runs eagerly.
  int predict_lanes(int64_t rows) const;
  // predict()'s full batches of `data` (steps [0, k)) on backend::num_threads() lanes that take
  // whole batches in turn, each on its own plans: no lane waits for another between batches, and
  // a lane slowed by the machine takes fewer of them. Traces each lane's plans on the first
  // batches one after another. Returns k: 0 when it does not apply (one lane, an eager or
  // batch-dependent model, fewer than two full batches per lane) or outputs not aligned with the
  // batch (collect_predictions then forgot n).
  int64_t predict_in_turn(internal::ArrayIterator& data,
                          std::optional<int64_t>& n,
                          std::vector<Tensors>& results);
  static constexpr int64_t kMinLaneRows = 32, kLaneGranule = 8;
  void reset_metrics();
  callbacks::Logs collect_logs() const;
  // Writes the current metric values into `logs`; allocates only when a key is new.
  void update_logs(callbacks::Logs& logs) const;
  double last_loss() const;
  // One epoch's training batches, steps [first_step, steps) of `batches` (begun by the caller);
  // `logs` holds the batch logs (kept across epochs so that steady-state steps allocate nothing).
  void train_epoch(EpochIterator& batches,
                   int64_t first_step,
                   int64_t steps,
                   callbacks::CallbackList& cbs,
                   callbacks::Logs& logs);
  // Runs every batch of `batches` in test mode with the test hooks; returns the logs.
  callbacks::Logs test_loop(EpochIterator& batches, callbacks::CallbackList& cbs);
  // The batches of x (and y and sample weights when need_y): a PyDataset's (ValueError, in
  // Keras's words, when y, sample_weight or batch_size are given with one) or arrays in batches
  // of batch_size rows (default 32). Both are checked and converted by prepare().
  std::unique_ptr<EpochIterator> make_iterator(const Data& x,
                                               const Data& y,
                                               const Data& sample_weight,
                                               std::optional<int> batch_size,
                                               const ClassWeight& class_weight,
                                               bool need_y) const;
  // fit's training batches, and its validation batches when it validates.
  void fit_iterators(const Data& x,
                     const Data& y,
                     const FitOptions& options,
                     std::unique_ptr<EpochIterator>& train,
                     std::unique_ptr<EpochIterator>& val) const;
  ArrayData prepare(const Data& x, const Data& y, const Data& sample_weight, bool need_y) const;
  // The targets in output order, undefined for an output given none: allowed, as in Keras 3, for
  // an output without a loss and metrics (std::nullopt in a list, a list that stops before it, a
  // key left out of a map); otherwise a ValueError in Keras 3's words (a KeyError there):
  // "The path: ('out',) in the `loss` argument, can't be found ...".
  Tensors flatten_targets(const Data& y) const;
  // prepare() with Keras's class_weight turned into sample weights; ValueError
  // `both_given_error` (Keras words it per function) when sample weights are given too.
  ArrayData prepare_weighted(const Data& x,
                             const Data& y,
                             const Data& sample_weight,
                             const ClassWeight& class_weight,
                             const char* both_given_error) const;
  // The results of the metrics now, in metrics_names() order.
  Results results() const;
  // train_on_batch / test_on_batch: all of `data` as one batch, the metrics reset first.
  Results one_batch(Mode mode, const ArrayData& data);

  layers::Layer& model_;
  callbacks::ModelSaver saver_;
  ModelSignature signature_;
  optimizers::OptimizerPtr optimizer_;
  std::vector<Output> outputs_;
  std::shared_ptr<metrics::Mean> loss_tracker_;
  bool metrics_built_ = false;
  // Set while a fit() given TerminateOnNaN runs: its data is not checked for NaN and inf up
  // front (the callback handles the losses they make, as in Keras).
  bool non_finite_data_ok_ = false;
  bool run_eagerly_ = false;
  // Set when a traced step read tensor values on the host (autodiff::depends_on_values): the
  // steps run eagerly from then on.
  bool steps_read_values_ = false;
  // By mode (and sample weights), batch size and lane: one plan per shape of the inputs and
  // targets (variable-length inputs get one per length).
  std::map<std::tuple<int, int64_t, int>, std::vector<std::unique_ptr<Plan>>> plans_;
  std::optional<CompileOptions> compile_options_;  // re-applied when the signature changes
  Tensor last_loss_;
  Tensors eager_y_pred_;
  Generator::State epoch_shuffle_state_;
};

}  // namespace keras::trainers
