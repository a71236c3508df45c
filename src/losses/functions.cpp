// The per-sample loss functions (keras.losses.huber, ...), Keras 3's formulas op by op.
#include <cmath>
#include <limits>
#include <numeric>

#include "keras/losses/losses.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "ops/sparse_labels.h"

namespace keras::losses {

using namespace ops;  // NOLINT: loss formulas read best with bare op names

namespace {

DType float_dtype(const Tensor& y_pred) {
  return is_floating(y_pred.dtype()) ? y_pred.dtype() : float32;
}

// (y_true, y_pred) in y_pred's floating dtype.
std::pair<Tensor, Tensor> as_float(const Tensor& y_true, const Tensor& y_pred) {
  const DType dtype = float_dtype(y_pred);
  return {y_true.dtype() == dtype ? y_true : cast(y_true, dtype),
          y_pred.dtype() == dtype ? y_pred : cast(y_pred, dtype)};
}

// As Keras's regression losses begin: floats, ranks aligned.
std::pair<Tensor, Tensor> aligned(const Tensor& y_true, const Tensor& y_pred) {
  auto [t, p] = as_float(y_true, y_pred);
  return squeeze_or_expand_to_same_rank(t, p);
}

Tensor smooth_binary(const Tensor& y_true, double label_smoothing) {
  if (label_smoothing == 0.0) return y_true;
  return add(multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing);
}

// Label smoothing over the last axis's classes (Keras uses shape[-1] whatever the axis).
Tensor smooth_categorical(const Tensor& y_true, double label_smoothing) {
  if (label_smoothing == 0.0) return y_true;
  KERAS_CHECK(y_true.rank() >= 1, ValueError,
              "Arguments `target` and `output` must be at least rank 1. Received: target.shape=",
              shape_str(y_true.shape()));
  const double classes = static_cast<double>(y_true.shape().back());
  return add(multiply(y_true, 1.0 - label_smoothing), label_smoothing / classes);
}

// Keras's convert_binary_labels_to_hinge: 0/1 labels become -1/1 when every label is 0 or 1,
// decided inside the computation (a plan replays it on each batch's values).
Tensor hinge_labels(const Tensor& y_true) {
  const Tensor is_binary = all(
      logical_or(equal(y_true, scalar_like(0.0, y_true)), equal(y_true, scalar_like(1.0, y_true))));
  return where(is_binary, subtract(multiply(y_true, 2.0), 1.0), y_true);
}

}  // namespace

Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred) {
  auto [t, p] = aligned(y_true, y_pred);
  return mean(square(subtract(t, p)), -1);
}

Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred) {
  auto [t, p] = aligned(y_true, y_pred);
  return mean(abs(subtract(t, p)), -1);
}

Tensor mean_absolute_percentage_error(const Tensor& y_true, const Tensor& y_pred) {
  auto [t, p] = aligned(y_true, y_pred);
  const Tensor diff = abs(divide(subtract(t, p), maximum(abs(t), kEpsilon)));
  return multiply(mean(diff, -1), 100.0);
}

Tensor mean_squared_logarithmic_error(const Tensor& y_true, const Tensor& y_pred) {
  auto [t, p] = aligned(y_true, y_pred);
  const Tensor first_log = log(add(maximum(p, kEpsilon), 1.0));
  const Tensor second_log = log(add(maximum(t, kEpsilon), 1.0));
  return mean(square(subtract(first_log, second_log)), -1);
}

Tensor cosine_similarity(const Tensor& y_true, const Tensor& y_pred, int axis) {
  auto [t, p] = aligned(y_true, y_pred);
  return negative(sum(multiply(normalize(t, axis), normalize(p, axis)), axis));
}

Tensor huber(const Tensor& y_true, const Tensor& y_pred, double delta) {
  auto [t, p] = aligned(y_true, y_pred);
  const Tensor error = subtract(p, t);
  const Tensor abs_error = abs(error);
  const Tensor quadratic = multiply(square(error), 0.5);
  const Tensor linear = subtract(multiply(abs_error, delta), 0.5 * delta * delta);
  return mean(where(less_equal(abs_error, scalar_like(delta, abs_error)), quadratic, linear), -1);
}

Tensor log_cosh(const Tensor& y_true, const Tensor& y_pred) {
  auto [t, p] = aligned(y_true, y_pred);
  const Tensor x = subtract(p, t);
  return mean(subtract(add(x, softplus(multiply(x, -2.0))), std::log(2.0)), -1);
}

Tensor kl_divergence(const Tensor& y_true, const Tensor& y_pred) {
  auto [t_in, p_in] = as_float(y_true, y_pred);
  const Tensor t = clip(t_in, kEpsilon, 1.0);
  const Tensor p = clip(p_in, kEpsilon, 1.0);
  return sum(multiply(t, log(divide(t, p))), -1);
}

Tensor poisson(const Tensor& y_true, const Tensor& y_pred) {
  auto [t, p] = as_float(y_true, y_pred);
  return mean(subtract(p, multiply(t, log(add(p, kEpsilon)))), -1);
}

Tensor hinge(const Tensor& y_true, const Tensor& y_pred) {
  auto [t, p] = as_float(y_true, y_pred);
  return mean(maximum(subtract(1.0, multiply(hinge_labels(t), p)), 0.0), -1);
}

Tensor squared_hinge(const Tensor& y_true, const Tensor& y_pred) {
  auto [t, p] = as_float(y_true, y_pred);
  return mean(square(maximum(subtract(1.0, multiply(hinge_labels(t), p)), 0.0)), -1);
}

Tensor categorical_hinge(const Tensor& y_true, const Tensor& y_pred) {
  auto [t, p] = as_float(y_true, y_pred);
  const Tensor pos = sum(multiply(t, p), -1);
  const Tensor neg = max(multiply(subtract(1.0, t), p), -1);
  return maximum(add(subtract(neg, pos), 1.0), 0.0);
}

Tensor binary_crossentropy(const Tensor& y_true,
                           const Tensor& y_pred,
                           bool from_logits,
                           double label_smoothing,
                           int axis) {
  // Keras's function leaves the ranks alone (its class aligns them); aligning here too lets
  // metrics call it on (n,) against (n, 1) and changes nothing else.
  auto [t, p] = aligned(y_true, y_pred);
  return mean(ops::binary_crossentropy(smooth_binary(t, label_smoothing), p, from_logits), axis);
}

Tensor binary_focal_crossentropy(const Tensor& y_true,
                                 const Tensor& y_pred,
                                 bool apply_class_balancing,
                                 double alpha,
                                 double gamma,
                                 bool from_logits,
                                 double label_smoothing,
                                 int axis) {
  auto [t_in, p_in] = as_float(y_true, y_pred);
  const Tensor t = smooth_binary(t_in, label_smoothing);
  const Tensor p = from_logits ? sigmoid(p_in) : p_in;
  const Tensor bce = ops::binary_crossentropy(t, p, false);
  const Tensor p_t = add(multiply(t, p), multiply(subtract(1.0, t), subtract(1.0, p)));
  Tensor focal_bce = multiply(power(subtract(1.0, p_t), gamma), bce);
  if (apply_class_balancing) {
    const Tensor weight = add(multiply(t, alpha), multiply(subtract(1.0, t), 1.0 - alpha));
    focal_bce = multiply(weight, focal_bce);
  }
  return mean(focal_bce, axis);
}

Tensor categorical_crossentropy(const Tensor& y_true,
                                const Tensor& y_pred,
                                bool from_logits,
                                double label_smoothing,
                                int axis) {
  auto [t_in, p] = as_float(y_true, y_pred);
  const Tensor t = smooth_categorical(t_in, label_smoothing);
  // Integer labels in one column: Keras 2's hint (check_loss_and_target_compatibility).
  KERAS_CHECK(t.shape() == p.shape() || t.rank() == 0 || t.shape().back() != 1 || p.rank() == 0 ||
                  p.shape().back() == 1,
              ValueError, "You are passing a target array of shape ", shape_str(t.shape()),
              " while using as loss `categorical_crossentropy`. `categorical_crossentropy` "
              "expects targets to be binary matrices (1s and 0s) of shape (samples, classes). If "
              "your targets are integer classes, you can convert them via "
              "`keras::utils::to_categorical(y_int)`. Alternatively, you can use the loss "
              "function `sparse_categorical_crossentropy` instead, which does expect integer "
              "targets. (output.shape=",
              shape_str(p.shape()), ")");
  return ops::categorical_crossentropy(t, p, from_logits, axis);
}

Tensor categorical_focal_crossentropy(const Tensor& y_true,
                                      const Tensor& y_pred,
                                      double alpha,
                                      double gamma,
                                      bool from_logits,
                                      double label_smoothing,
                                      int axis) {
  auto [t_in, p_in] = as_float(y_true, y_pred);
  const Tensor t = smooth_categorical(t_in, label_smoothing);
  const Tensor p = from_logits ? softmax(p_in, axis) : p_in;
  const Tensor output =
      clip(divide(p, sum(p, axis, true)), kEpsilon, 1.0 - kEpsilon);  // renormalized
  const Tensor cce = multiply(negative(t), log(output));
  const Tensor weighting = multiply(power(subtract(1.0, output), gamma), alpha);
  return sum(multiply(weighting, cce), axis);
}

Tensor sparse_categorical_crossentropy(const Tensor& y_true,
                                       const Tensor& y_pred_in,
                                       bool from_logits,
                                       std::optional<int64_t> ignore_class,
                                       int axis) {
  const Tensor y_pred = as_float(y_pred_in, y_pred_in).second;
  KERAS_CHECK(y_pred.rank() >= 1, ValueError,
              "Argument `output` must be at least rank 1. Received: output.shape=",
              shape_str(y_pred.shape()));
  const int class_axis = normalize_axis(axis, y_pred.rank());
  Tensor labels = ops::sparse_labels(y_true, y_pred, class_axis);
  Tensor output = y_pred;
  Tensor valid;
  if (ignore_class) {
    valid = not_equal(labels, scalar_like(static_cast<double>(*ignore_class), labels));
    labels = where(valid, labels, scalar_like(0.0, labels));
    output = where(expand_dims(valid, class_axis), output, scalar_like(0.0, output));
  }
  if (labels.dtype() != int32) labels = cast(labels, int32);
  Tensor res = ops::sparse_categorical_crossentropy(labels, output, from_logits, class_axis);
  if (ignore_class) {
    res = where(valid, res, scalar_like(0.0, res));
    res.set_keras_mask(valid);
  }
  return res;
}

Tensor ctc(const Tensor& y_true, const Tensor& y_pred) {
  KERAS_CHECK(y_true.rank() == 2, ValueError,
              "Targets `y_true` are expected to be a tensor of shape `(batch_size, max_length)` "
              "in integer format. Received: y_true.shape=",
              shape_str(y_true.shape()));
  KERAS_CHECK(y_pred.rank() == 3, ValueError,
              "Logits `y_pred` are expected to be a tensor of shape `(batch_size, max_length, "
              "num_classes)`. Received: y_pred.shape=",
              shape_str(y_pred.shape()));
  const int64_t batch = y_pred.shape()[0], steps = y_pred.shape()[1];
  const Tensor labels = cast(y_true, int32);
  const Tensor label_length =
      cast(sum(cast(not_equal(labels, zeros({}, int32, labels.device())), int32), -1), int32);
  const Tensor input_length = full({batch}, static_cast<double>(steps), int32, y_pred.device());
  return ctc_loss(labels, as_float(y_pred, y_pred).second, label_length, input_length, 0);
}

Tensor dice(const Tensor& y_true, const Tensor& y_pred, const std::vector<int>& axis) {
  auto [t, p] = as_float(y_true, y_pred);
  const Tensor intersection = sum(multiply(t, p), axis);
  const Tensor denominator = add(add(sum(t, axis), sum(p, axis)), kEpsilon);
  return subtract(1.0, divide(multiply(intersection, 2.0), denominator));
}

Tensor tversky(const Tensor& y_true,
               const Tensor& y_pred,
               double alpha,
               double beta,
               const std::vector<int>& axis) {
  auto [t, p] = as_float(y_true, y_pred);
  const Tensor intersection = sum(multiply(t, p), axis);
  const Tensor fp = sum(multiply(subtract(1.0, p), t), axis);
  const Tensor fn = sum(multiply(p, subtract(1.0, t)), axis);
  const Tensor denominator =
      add(add(add(intersection, multiply(fp, alpha)), multiply(fn, beta)), kEpsilon);
  return subtract(1.0, divide(intersection, denominator));
}

Tensor circle(const Tensor& y_true,
              const Tensor& y_pred_in,
              const Tensor& ref_labels_in,
              const Tensor& ref_embeddings_in,
              bool remove_diagonal,
              double gamma,
              double margin) {
  const Tensor y_pred = as_float(y_pred_in, y_pred_in).second;
  const Tensor ref_embeddings =
      ref_embeddings_in.defined() ? cast(ref_embeddings_in, y_pred.dtype()) : y_pred;
  Tensor labels = cast(y_true, int32);
  Tensor ref_labels = ref_labels_in.defined() ? cast(ref_labels_in, int32) : labels;
  const double optim_pos = margin, optim_neg = 1.0 + margin;
  const double delta_pos = margin, delta_neg = 1.0 - margin;
  const Tensor distances =
      maximum(subtract(1.0, matmul(y_pred, transpose(ref_embeddings, {1, 0}))), 0.0);
  // build_pos_neg_masks: same label (off the diagonal when remove_diagonal) / other label.
  if (labels.rank() == 1) labels = reshape(labels, {labels.size(), 1});
  if (ref_labels.rank() == 1) ref_labels = reshape(ref_labels, {ref_labels.size(), 1});
  Tensor positive = equal(labels, transpose(ref_labels, {1, 0}));
  const Tensor negative_mask = logical_not(positive);
  if (remove_diagonal) {
    const int64_t n = labels.size(), m = ref_labels.size();
    // Built from ops, not host writes: the tensors may live on another device.
    const Tensor off_diagonal = not_equal(reshape(arange(n, int64, labels.device()), {n, 1}),
                                          reshape(arange(m, int64, labels.device()), {1, m}));
    positive = logical_and(positive, off_diagonal);
  }
  const DType dtype = distances.dtype();
  const Tensor pos_weights =
      maximum(multiply(add(distances, optim_pos), cast(positive, dtype)), 0.0);
  const Tensor neg_weights =
      maximum(multiply(subtract(optim_neg, distances), cast(negative_mask, dtype)), 0.0);
  const Tensor pos_wdists = multiply(multiply(pos_weights, subtract(delta_pos, distances)), -gamma);
  const Tensor neg_wdists = multiply(multiply(neg_weights, subtract(delta_neg, distances)), gamma);
  const Tensor minus_inf = scalar_like(-std::numeric_limits<double>::infinity(), distances);
  const Tensor p_loss = logsumexp(where(positive, pos_wdists, minus_inf), {1});
  const Tensor n_loss = logsumexp(where(negative_mask, neg_wdists, minus_inf), {1});
  const Tensor z = add(p_loss, n_loss);
  const Tensor loss = softplus(z);
  // Keras masks the losses that are > 0. softplus(z) ~ exp(z) for very negative z, and XLA and
  // TensorFlow flush results below the smallest normal number to 0 on CPUs: the mask is decided
  // on z, independently of how exp rounds there.
  const double smallest =
      dtype == float32 ? std::numeric_limits<float>::min() : std::numeric_limits<double>::min();
  loss.set_keras_mask(greater(z, std::log(smallest)));
  return loss;
}

Tensor categorical_generalized_cross_entropy(const Tensor& y_true,
                                             const Tensor& y_pred_in,
                                             double q) {
  const Tensor y_pred = as_float(y_pred_in, y_pred_in).second;
  Tensor labels = y_true;
  // A trailing size-1 label axis is dropped (Keras would broadcast it against the batch).
  if (labels.rank() == y_pred.rank() && labels.rank() > 0 && labels.shape().back() == 1) {
    labels = squeeze(labels, -1);
  }
  const Tensor target = one_hot(cast(labels, int32), y_pred.shape().back(), y_pred.dtype());
  const Tensor p = sum(multiply(y_pred, target), -1);
  return divide(subtract(1.0, power(p, q)), q);
}

}  // namespace keras::losses
