// Tensor-level collectives for layers and the trainer under DataParallel.
#pragma once

#include "keras/core/tensor.h"

namespace keras::distribution::internal {

// This process's share of the current global batch's rows (rows_r / b): set for the step about to
// run on this thread by the trainer (1 outside DataParallel). The training objective is
// sum_r share_r * loss_r, so each process's gradients are weighted by it before being summed.
double& batch_share();

// The sum of `x` (float32 or float64, on the host) over the processes, as a launched kernel (a
// traced plan repeats it), differentiable: its backward sums share_r * dy_r over the processes and
// divides by this process's share, so that the trainer's final weighting (times share) gives the
// global objective's gradient. Every process must call it at the same point of its step.
Tensor all_reduce_sum(const Tensor& x);

}  // namespace keras::distribution::internal
