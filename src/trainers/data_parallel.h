// What fit/evaluate do differently under keras::distribution::DataParallel (see
// keras/distribution/distribution.h for the contract). Each call is a no-op, or the identity,
// when data parallelism is not active, so the trainer calls them unconditionally.
#pragma once

#include <memory>
#include <vector>

#include "keras/core/tensor.h"
#include "keras/losses/loss.h"
#include "keras/metrics/metric.h"
#include "keras/optimizers/optimizers.h"
#include "trainers/epoch_iterator.h"

namespace keras::layers {
class Layer;
}

namespace keras::trainers::internal {

// Process 0's weights, optimizer variables (when built) and global generator state, on every
// process.
void sync_from_chief(const layers::Layer& model, const optimizers::Optimizer& optimizer);

// This process's contiguous share of `batch` (rows [r*b/n, (r+1)*b/n) of b rows; for a
// training batch under DataParallel::balance_shares(), the balanced split, which is collective:
// every process calls it for the same batches). Its share of the rows (the factor of its gradient
// in the global sum) becomes this thread's gradient weight, which GradientExchange's kernels read
// when the step runs next on this thread.
// ValueError when the batch has fewer rows than there are processes.
BatchRows shard_batch(const BatchRows& batch, bool training = false);

// Scope of one fit's balanced shares (DataParallel::balance_shares()): shard_batch balances
// training batches only inside it, from speeds measured in it. close() (collective) completes
// the last step's exchange; it is called by every process at the end of fit, and without it (an
// exception) the next fit's scope completes the exchange before it starts.
class BalancedShares {
 public:
  BalancedShares();
  ~BalancedShares();
  BalancedShares(const BalancedShares&) = delete;
  BalancedShares& operator=(const BalancedShares&) = delete;
  void close();
};

// This process's rows in the last training step whose split was balanced (0: none yet; kept after
// fit ends, for tests and diagnostics).
int64_t last_balanced_rows();

// ValueError unless every loss is a mean over the batch (reduction "sum_over_batch_size" or
// "mean"): only then is the shares' weighted sum the global batch's loss.
void check_data_parallel_losses(const std::vector<losses::LossPtr>& losses);

// The gradients to apply: each process's gradients times its gradient weight, summed across
// processes, in launched kernels (traced plans replay them). Dense gradients go in buckets of
// DataParallel::bucket_bytes() (one dtype each, in the order they become final): ready() launches
// a bucket's non-blocking all-reduce once the bucket is full, finish() starts the rest,
// exchanges the row-sparse gradients (an Embedding's) and waits for every bucket. A row-sparse
// gradient is exchanged as its touched rows (all-gathered and added in process order) when that
// moves fewer bytes than a dense all-reduce (the same choice on every process: it depends on the
// global row counts); its result keeps a row hint (every touched row, padded with repeats; all
// rows after a dense exchange). New tensors; the identity when data parallelism is off.
//
// Tables shared in memory (DataParallel::shared_tables, on one machine, inside a
// SharedTablesScope): from the step after the optimizer has built its row state, such a
// gradient's variable and that state move into shared memory (SharedTable); each process then
// sums and updates only the rows it owns, and after_update() keeps the processes in step.
class GradientExchange {
 public:
  // For the gradients of `variables`, which `optimizer` updates after finish().
  GradientExchange(const std::vector<Variable>& variables, optimizers::OptimizerPtr optimizer);
  ~GradientExchange();
  GradientExchange(const GradientExchange&) = delete;
  GradientExchange& operator=(const GradientExchange&) = delete;
  bool active() const;
  // Gradient i (of `count`) is final: GradientTape::gradient's on_final.
  void ready(size_t i, const Tensor& grad);
  // The summed gradients, for `grads` as gradient() returned them (those ready() did not see
  // are taken now, in order).
  Tensors finish(const Tensors& grads);
  // After the optimizer's update (and the constraints): waits, when tables are shared, until
  // every process has updated its rows.
  void after_update();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Predict under DataParallel: this process's share of `batch` (as shard_batch, without touching
// the gradient weight); the whole batch when it has fewer rows than there are processes.
BatchRows predict_share(const BatchRows& batch);
// The batch's outputs from every process's share of `count` rows, concatenated in process order
// (the identity when predict_share did not split). New tensors.
Tensors gather_predictions(const Tensors& share_outputs, int64_t count);

// While alive, every metric's state variables hold their sum over the processes (so results()
// are the global values); the local state comes back when it is destroyed.
class GlobalMetricState {
 public:
  explicit GlobalMetricState(const std::vector<metrics::MetricPtr>& metrics);
  ~GlobalMetricState();
  GlobalMetricState(const GlobalMetricState&) = delete;
  GlobalMetricState& operator=(const GlobalMetricState&) = delete;

 private:
  std::vector<Variable> variables_;
  std::vector<double> local_;
};

}  // namespace keras::trainers::internal
