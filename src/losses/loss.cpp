#include "keras/losses/loss.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::losses {

using namespace ops;  // NOLINT

namespace {

bool is_mean(const Reduction& r) {
  return r == "sum_over_batch_size" || r == "mean";
}

// a / b, or 0 where b == 0; the guarded divisor keeps the unused branch's gradient finite.
Tensor divide_no_nan(const Tensor& a, const Tensor& b) {
  const Tensor zero = scalar_like(0.0, b);
  const Tensor is_zero = equal(b, zero);
  return where(is_zero, scalar_like(0.0, a), divide(a, where(is_zero, scalar_like(1.0, b), b)));
}

// Keras's apply_mask: the mask as weights, scaled by total / valid for the mean reductions so
// that masked entries leave the average instead of counting as zeros.
Tensor apply_mask(Tensor sample_weight, const Tensor& mask, DType dtype, const Reduction& r) {
  const Tensor fmask = cast(mask, dtype);
  Tensor float_mask = fmask;
  if (is_mean(r)) {
    const Tensor total = full({}, static_cast<double>(mask.size()), dtype, mask.device());
    float_mask =
        where(cast(mask, bool_), divide_no_nan(total, sum(fmask)), scalar_like(0.0, fmask));
  }
  if (!sample_weight.defined()) return float_mask;
  auto [m, sw] = squeeze_or_expand_to_same_rank(float_mask, sample_weight);
  return multiply(sw, m);
}

Tensor reduce_values(const Tensor& values, const Tensor& sample_weight, const Reduction& r) {
  if (!r || *r == "none" || values.rank() == 0 || (values.rank() == 1 && values.size() == 0)) {
    return values;
  }
  const Tensor loss = sum(values);
  if (*r == "sum") return loss;
  if (*r == "mean_with_sample_weight" && sample_weight.defined()) {
    return divide_no_nan(loss, sum(sample_weight));
  }
  if (values.size() == 0) return zeros_like(loss);
  return divide(loss, static_cast<double>(values.size()));
}

}  // namespace

Reduction standardize_reduction(const Reduction& reduction) {
  if (!reduction) return reduction;
  for (const char* allowed :
       {"sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight"}) {
    if (*reduction == allowed) return reduction;
  }
  throw ValueError(
      str("Invalid value for argument `reduction`. Expected one of {'sum_over_batch_size', "
          "'sum', None, 'none', 'mean', 'mean_with_sample_weight'}. Received: reduction=",
          excerpt(*reduction)));
}

Loss::Loss(std::string name, Reduction reduction)
    : name_(std::move(name)), reduction_(standardize_reduction(reduction)) {}

Json Loss::get_config() const {
  return Json{{"name", name_}, {"reduction", reduction_ ? Json(*reduction_) : Json(nullptr)}};
}

Tensor Loss::operator()(const Tensor& y_true,
                        const Tensor& y_pred,
                        const Tensor& sample_weight) const {
  const Tensor in_mask = y_pred.keras_mask();
  const DType dtype = is_floating(y_pred.dtype()) ? y_pred.dtype() : float32;
  const Tensor values = call(y_true.dtype() == dtype ? y_true : cast(y_true, dtype),
                             y_pred.dtype() == dtype ? y_pred : cast(y_pred, dtype));
  const Tensor out_mask = values.keras_mask();
  Tensor mask = in_mask.defined() ? in_mask : out_mask;
  if (in_mask.defined() && out_mask.defined()) mask = logical_and(in_mask, out_mask);
  return reduce_weighted_values(values, sample_weight, mask, reduction_);
}

std::pair<Tensor, Tensor> squeeze_or_expand_to_same_rank(const Tensor& x1,
                                                         const Tensor& x2,
                                                         bool expand_rank_1) {
  const int r1 = x1.rank(), r2 = x2.rank();
  if (r1 == r2 + 1 && x1.shape().back() == 1) {
    if (r2 == 1 && expand_rank_1) return {x1, expand_dims(x2, -1)};
    return {squeeze(x1, -1), x2};
  }
  if (r2 == r1 + 1 && x2.shape().back() == 1) {
    if (r1 == 1 && expand_rank_1) return {expand_dims(x1, -1), x2};
    return {x1, squeeze(x2, -1)};
  }
  return {x1, x2};
}

Tensor reduce_weighted_values(const Tensor& values_in,
                              const Tensor& sample_weight,
                              const Tensor& mask,
                              const Reduction& reduction_in) {
  const Reduction reduction = standardize_reduction(reduction_in);
  const DType dtype = is_floating(values_in.dtype()) ? values_in.dtype() : float32;
  Tensor values = values_in.dtype() == dtype ? values_in : cast(values_in, dtype);
  Tensor sw = sample_weight.defined() ? cast(sample_weight, dtype) : Tensor();
  if (mask.defined()) sw = apply_mask(sw, mask, dtype, reduction);
  if (sw.defined()) {
    std::tie(values, sw) = squeeze_or_expand_to_same_rank(values, sw);
    try {
      broadcast_shapes(values.shape(), sw.shape());
    } catch (const ValueError&) {
      throw ValueError(str("Incompatible shapes for broadcasting: sample_weight of shape ",
                           shape_str(sample_weight.shape()), " cannot weight losses of shape ",
                           shape_str(values_in.shape())));
    }
    values = multiply(values, sw);
  }
  return reduce_values(values, sw, reduction);
}

}  // namespace keras::losses
