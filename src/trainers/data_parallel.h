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

// This process's contiguous share of `batch` (rows [r*b/n, (r+1)*b/n) of b rows). Its share of
// the rows (the factor of its gradient in the global sum) becomes this thread's gradient weight,
// which the kernel of all_reduce_gradients reads when the step runs next on this thread.
// ValueError when the batch has fewer rows than there are processes.
BatchRows shard_batch(const BatchRows& batch);

// ValueError unless every loss is a mean over the batch (reduction "sum_over_batch_size" or
// "mean"): only then is the shares' weighted sum the global batch's loss.
void check_data_parallel_losses(const std::vector<losses::LossPtr>& losses);

// The gradients to apply: each process's `grads` times the gradient weight, summed
// across processes in one flat buffer per dtype. A launched kernel, so traced plans replay it.
// New tensors, without row hints: the sum covers other processes' rows too.
Tensors all_reduce_gradients(const Tensors& grads);

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
