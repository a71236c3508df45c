#include "keras/metrics/accuracy.h"

#include <limits>

#include "keras/losses/loss.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "metrics/wrapped.h"

namespace keras::metrics {
namespace {

using namespace keras::ops;

Tensor as_float32(const Tensor& bools) {
  return cast(bools, float32);
}

// Keras's in_top_k: targets (n,) int, predictions (n, classes).
Tensor in_top_k(const Tensor& targets, const Tensor& predictions, int k) {
  const int64_t classes = predictions.shape().back();
  const Tensor is_label = greater(one_hot(targets, classes, float32), 0.5);
  Tensor at_label = sum(where(is_label, predictions, zeros_like(predictions)), -1, true);
  at_label = where(not_equal(at_label, at_label),
                   full_like(at_label, -std::numeric_limits<double>::infinity()), at_label);
  const Tensor larger = sum(as_float32(greater(predictions, at_label)), -1);
  return less(larger, full({}, k, float32, larger.device()));
}

// Runs `match` on labels flattened to (n,) and predictions to (n, classes), and gives the
// matches the labels' shape back, as Keras's top-k accuracies do.
template <class Match>
Tensor top_k_matches(const Tensor& labels, const Tensor& y_pred, const Match& match) {
  Tensor p = y_pred;
  if (p.rank() > 2) p = reshape(p, {-1, p.shape().back()});
  const Shape original = labels.shape();
  const Tensor flat = labels.rank() > 1 ? reshape(labels, {-1}) : labels;
  const Tensor matches = as_float32(match(flat, p));
  return labels.rank() > 1 ? reshape(matches, original) : matches;
}

Tensor floating(const Tensor& t) {
  return is_floating(t.dtype()) ? t : cast(t, float32);
}

}  // namespace

Tensor accuracy(const Tensor& y_true, const Tensor& y_pred) {
  auto [t, p] = losses::squeeze_or_expand_to_same_rank(cast(y_true, y_pred.dtype()), y_pred);
  return as_float32(equal(t, p));
}

Tensor binary_accuracy(const Tensor& y_true, const Tensor& y_pred, double threshold) {
  auto [t, p] = losses::squeeze_or_expand_to_same_rank(y_true, y_pred);
  // Bool or integer predictions compare with the threshold as numbers (as NumPy promotes them).
  return as_float32(equal(t, cast(greater(floating(p), threshold), t.dtype())));
}

Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred) {
  Tensor t = argmax(y_true, -1);
  const Shape original = t.shape();
  const bool reshape_matches = t.rank() == y_pred.rank();
  if (reshape_matches) t = squeeze(t, -1);
  const Tensor matches = as_float32(equal(t, argmax(y_pred, -1)));
  return reshape_matches ? reshape(matches, original) : matches;
}

Tensor sparse_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred) {
  Tensor t = cast(y_true, y_pred.dtype());
  const Shape original = t.shape();
  const bool reshape_matches = t.rank() == y_pred.rank() && t.rank() > 0 && t.shape().back() == 1;
  if (reshape_matches) t = squeeze(t, -1);
  Tensor matches = as_float32(equal(t, cast(argmax(y_pred, -1), t.dtype())));
  if (reshape_matches) matches = reshape(matches, original);
  if (matches.rank() > 1 && matches.shape().back() == 1) matches = squeeze(matches, -1);
  return matches;
}

Tensor top_k_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred, int k) {
  const Tensor p = floating(y_pred);
  return top_k_matches(argmax(y_true, -1), p, [k](const Tensor& labels, const Tensor& preds) {
    return in_top_k(labels, preds, k);
  });
}

Tensor sparse_top_k_categorical_accuracy(const Tensor& y_true,
                                         const Tensor& y_pred,
                                         int k,
                                         bool from_sorted_ids) {
  const Tensor p = from_sorted_ids ? y_pred : floating(y_pred);
  const Tensor labels = cast(y_true, from_sorted_ids ? p.dtype() : int32);
  return top_k_matches(labels, p, [k, from_sorted_ids](const Tensor& t, const Tensor& preds) {
    if (!from_sorted_ids) return in_top_k(t, preds, k);
    const int64_t first = std::min<int64_t>(k, preds.shape().back());
    return any(equal(expand_dims(t, 1), slice_axis(preds, 1, 0, first)), {1});
  });
}

MetricPtr Accuracy(std::string name) {
  return keras_mean_metric("Accuracy", std::move(name), accuracy);
}

MetricPtr BinaryAccuracy(BinaryAccuracyOptions o) {
  const double threshold = o.threshold;
  return keras_mean_metric(
      "BinaryAccuracy", std::move(o.name),
      [threshold](const Tensor& t, const Tensor& p) { return binary_accuracy(t, p, threshold); },
      Json{{"threshold", threshold}});
}

MetricPtr CategoricalAccuracy(std::string name) {
  return keras_mean_metric("CategoricalAccuracy", std::move(name), categorical_accuracy);
}

MetricPtr SparseCategoricalAccuracy(std::string name) {
  return keras_mean_metric("SparseCategoricalAccuracy", std::move(name),
                           sparse_categorical_accuracy);
}

MetricPtr TopKCategoricalAccuracy(TopKCategoricalAccuracyOptions o) {
  const int k = o.k;
  return keras_mean_metric(
      "TopKCategoricalAccuracy", std::move(o.name),
      [k](const Tensor& t, const Tensor& p) { return top_k_categorical_accuracy(t, p, k); },
      Json{{"k", k}});
}

MetricPtr SparseTopKCategoricalAccuracy(SparseTopKCategoricalAccuracyOptions o) {
  const int k = o.k;
  const bool sorted = o.from_sorted_ids;
  Json extra{{"k", k}};
  if (sorted) extra["from_sorted_ids"] = true;
  return keras_mean_metric(
      "SparseTopKCategoricalAccuracy", std::move(o.name),
      [k, sorted](const Tensor& t, const Tensor& p) {
        return sparse_top_k_categorical_accuracy(t, p, k, sorted);
      },
      std::move(extra));
}

}  // namespace keras::metrics
