// Losses (keras.losses) with Keras 3's formulas: probabilities are clipped to
// [epsilon, 1 - epsilon] with epsilon = 1e-7, categorical predictions are renormalized to sum to
// 1, label smoothing as in Keras. A loss maps (y_true, y_pred) to per-sample values (the last
// axis reduced) and reduces them with "sum_over_batch_size": sum(values * sample_weight) / count.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "keras/core/tensor.h"

namespace keras::losses {

inline constexpr double kEpsilon = 1e-7;

class Loss {
 public:
  explicit Loss(std::string name) : name_(std::move(name)) {}
  virtual ~Loss() = default;
  const std::string& name() const { return name_; }
  // Per-sample losses: shape y_pred.shape[:-1] (after aligning ranks as Keras does).
  virtual Tensor call(const Tensor& y_true, const Tensor& y_pred) const = 0;
  // The reduced scalar loss; sample_weight (optional) broadcasts against the per-sample values.
  Tensor operator()(const Tensor& y_true,
                    const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) const;

 private:
  std::string name_;
};

using LossPtr = std::shared_ptr<Loss>;

struct CrossentropyOptions {
  bool from_logits = false;
  double label_smoothing = 0.0;
};
struct SparseCrossentropyOptions {
  bool from_logits = false;
};

LossPtr MeanSquaredError();
LossPtr MeanAbsoluteError();
LossPtr BinaryCrossentropy(CrossentropyOptions options = {});
LossPtr CategoricalCrossentropy(CrossentropyOptions options = {});
LossPtr SparseCategoricalCrossentropy(SparseCrossentropyOptions options = {});

// By Keras name: "mse"/"mean_squared_error", "mae"/"mean_absolute_error",
// "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy".
// Throws ValueError for unknown names.
LossPtr get(std::string_view name);

// The per-sample functions (keras.losses.categorical_crossentropy, ...).
Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred);
Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred);
Tensor binary_crossentropy(const Tensor& y_true,
                           const Tensor& y_pred,
                           bool from_logits = false,
                           double label_smoothing = 0.0);
Tensor categorical_crossentropy(const Tensor& y_true,
                                const Tensor& y_pred,
                                bool from_logits = false,
                                double label_smoothing = 0.0);
Tensor sparse_categorical_crossentropy(const Tensor& y_true,
                                       const Tensor& y_pred,
                                       bool from_logits = false);

// Keras's squeeze_or_expand_to_same_rank: drops or adds a trailing size-1 axis so ranks match.
std::pair<Tensor, Tensor> align_ranks(const Tensor& y_true, const Tensor& y_pred);

}  // namespace keras::losses
