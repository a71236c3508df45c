// The loss base class (keras.Loss) and Keras 3's reduction of per-sample values.
//
// A loss maps (y_true, y_pred) to per-sample values (call), then reduces them (operator()):
// the mask of y_pred (Tensor::keras_mask) and the mask call() leaves on its values (as
// SparseCategoricalCrossentropy's ignore_class does) are merged into the sample weights, the
// values are multiplied by them, and `reduction` aggregates:
//   "sum_over_batch_size", "mean": sum(values * weights) / values.size() (0 when empty)
//   "mean_with_sample_weight":     sum(values * weights) / sum(weights) (the size without weights)
//   "sum":                         sum(values * weights)
//   "none" or std::nullopt (None): the weighted values, unreduced
// As in Keras, values of shape () or (0,) are returned unreduced whatever the reduction, and
// sample weights broadcast against the values by NumPy's rules after one trailing size-1 axis
// is added or dropped to match ranks (squeeze_or_expand_to_same_rank): weights of shape (n,)
// fit values of shape (n,) or (n, 1), not (n, t).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "keras/config/json_fwd.h"
#include "keras/core/tensor.h"

namespace keras::losses {

// A reduction as Keras spells it; std::nullopt is Python's None (same as "none").
using Reduction = std::optional<std::string>;

// Returns `reduction` if Keras allows it, else throws ValueError("Invalid value for argument
// `reduction`. Expected one of {...}. Received: reduction=...").
Reduction standardize_reduction(const Reduction& reduction);

class Loss {
 public:
  // Throws ValueError for an invalid reduction.
  explicit Loss(std::string name, Reduction reduction = "sum_over_batch_size");
  virtual ~Loss() = default;
  const std::string& name() const { return name_; }
  const Reduction& reduction() const { return reduction_; }

  // Per-sample losses. y_true and y_pred arrive in the loss's computation dtype: y_pred's when
  // floating, else float32 (y_true is cast to it, integer labels included, as Keras does).
  virtual Tensor call(const Tensor& y_true, const Tensor& y_pred) const = 0;
  // The reduced loss (see the top of this file); sample_weight is optional.
  Tensor operator()(const Tensor& y_true,
                    const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) const;

  // Keras's class name for serialization ("Huber"); a loss defined outside keras.cpp keeps
  // "Loss" unless it overrides this.
  virtual std::string class_name() const { return "Loss"; }
  // {"name": ..., "reduction": ...} plus the loss's own arguments.
  virtual Json get_config() const;

 private:
  std::string name_;
  Reduction reduction_;
};

using LossPtr = std::shared_ptr<Loss>;

// Keras's squeeze_or_expand_to_same_rank: when the ranks differ by exactly one and the longer
// one ends in a size-1 axis, the shorter one gains a trailing axis if it has rank 1 and
// expand_rank_1, else the longer one loses its last axis. Otherwise both come back unchanged.
std::pair<Tensor, Tensor> squeeze_or_expand_to_same_rank(const Tensor& x1,
                                                         const Tensor& x2,
                                                         bool expand_rank_1 = true);
// The same, kept for callers of the earlier name.
inline std::pair<Tensor, Tensor> align_ranks(const Tensor& y_true, const Tensor& y_pred) {
  return squeeze_or_expand_to_same_rank(y_true, y_pred);
}

// Keras's reduce_weighted_values: merges `mask` (bool, optional) into `sample_weight`
// (optional), weights `values` and reduces them (see the top of this file), in `values`'s
// dtype (floating; integer values are cast to float32).
Tensor reduce_weighted_values(const Tensor& values,
                              const Tensor& sample_weight = Tensor(),
                              const Tensor& mask = Tensor(),
                              const Reduction& reduction = "sum_over_batch_size");

}  // namespace keras::losses
