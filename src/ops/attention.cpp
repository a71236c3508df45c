#include "keras/ops/attention.h"

#include <cmath>

#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/nn.h"
#include "keras/ops/shape.h"
#include "ops/floating.h"

namespace keras::ops {

using autodiff::Grads;
using autodiff::launch;

Tensor masked_softmax(const Tensor& x_in, const Tensor& mask_in, bool uniform_empty_rows) {
  if (!mask_in.defined()) return softmax(x_in, -1);
  const Tensor x = floating(x_in);
  KERAS_CHECK(x.rank() >= 1, ValueError, "masked_softmax: expected a tensor of rank >= 1");
  KERAS_CHECK(mask_in.rank() <= x.rank(), ValueError,
              "The `mask` must be broadcastable to `inputs` and must not have more dimensions. "
              "Received: inputs.shape=",
              shape_str(x.shape()), ", mask.shape=", shape_str(mask_in.shape()));
  const int offset = x.rank() - mask_in.rank();
  for (int d = 0; d < mask_in.rank(); ++d) {
    const int64_t m = mask_in.dim(d), i = x.dim(d + offset);
    KERAS_CHECK(m == 1 || m == i, ValueError,
                "The `mask` must be broadcastable to `inputs`. Each mask dimension must be 1 or "
                "match the corresponding input dimension. Received: inputs.shape=",
                shape_str(x.shape()), ", mask.shape=", shape_str(mask_in.shape()));
  }
  Tensor mask = mask_in.dtype() == bool_ ? mask_in : greater(mask_in, 0.5);
  if (offset > 0) {
    Shape s(static_cast<size_t>(offset), 1);
    s.insert(s.end(), mask.shape().begin(), mask.shape().end());
    mask = reshape(mask, s);
  }
  Tensor y = empty_like(x);
  backend::Backend& be = backend::backend_for("masked_softmax", {x, mask});
  launch(
      [&be, x, mask, y, uniform_empty_rows] { be.masked_softmax(x, mask, y, uniform_empty_rows); });
  autodiff::record("masked_softmax", {x}, y, [&be, y, mask, uniform_empty_rows](const Tensor& dy) {
    Tensor dx = empty_like(y);
    launch([&be, y, dy, dx] { be.softmax_backward(y, dy, dx); });
    // Elsewhere y is 0 at masked entries, and so is dx; a uniform empty row is not.
    if (uniform_empty_rows) dx = where(mask, dx, zeros_like(dx));
    return Grads{dx};
  });
  return y;
}

namespace {

// A bias or mask of rank < 4 expanded as Keras does: at axis 2 when rank 3 with N at axis 1,
// else at axis 1, until rank 4; then its head axis must be 1 or N.
Tensor as_logits_shape(Tensor t, int64_t heads, const char* name) {
  if (!t.defined()) return t;
  while (t.rank() < 4) t = expand_dims(t, t.rank() == 3 && t.dim(1) == heads ? 2 : 1);
  KERAS_CHECK(t.rank() == 4 && (t.dim(1) == 1 || t.dim(1) == heads), ValueError, "Expected `", name,
              "` to have shape (B, 1, T, S) or (B, N, T, S) with N=", heads, " but got ",
              shape_str(t.shape()), ".");
  return t;
}

}  // namespace

Tensor dot_product_attention(const Tensor& query,
                             const Tensor& key_in,
                             const Tensor& value_in,
                             const Tensor& bias_in,
                             const Tensor& mask_in,
                             std::optional<double> scale,
                             bool is_causal) {
  KERAS_CHECK(query.rank() == 4 && key_in.rank() == 4 && value_in.rank() == 4, ValueError,
              "`dot_product_attention` only supports 4D inputs. Received: query.shape=",
              shape_str(query.shape()), ", key.shape=", shape_str(key_in.shape()),
              ", value.shape=", shape_str(value_in.shape()), ".");
  const DType dtype =
      floating_result_type(result_type(query.dtype(), key_in.dtype()), value_in.dtype());
  const Tensor q = cast(query, dtype);
  Tensor k = cast(key_in, dtype), v = cast(value_in, dtype);
  const int64_t heads = q.dim(2), kv_heads = k.dim(2), t = q.dim(1), s = k.dim(1);
  KERAS_CHECK(kv_heads > 0 && heads % kv_heads == 0 && v.dim(2) == kv_heads && v.dim(1) == s &&
                  k.dim(3) == q.dim(3) && k.dim(0) == q.dim(0) && v.dim(0) == q.dim(0),
              ValueError,
              "dot_product_attention: query (B, T, N, H), key and value (B, S, K, H) with N a "
              "multiple of K; got query.shape=",
              shape_str(q.shape()), ", key.shape=", shape_str(k.shape()),
              ", value.shape=", shape_str(v.shape()));
  if (kv_heads != heads) {  // grouped queries: each key/value head serves N / K query heads
    k = repeat(k, heads / kv_heads, 2);
    v = repeat(v, heads / kv_heads, 2);
  }
  const double s_factor = scale.value_or(1.0 / std::sqrt(static_cast<double>(q.dim(3))));
  Tensor logits = multiply(einsum("BTNH,BSNH->BNTS", {q, k}), s_factor);
  if (bias_in.defined()) logits = add(logits, cast(as_logits_shape(bias_in, heads, "bias"), dtype));
  Tensor mask = as_logits_shape(mask_in, heads, "mask");
  if (mask.defined() && mask.dtype() != bool_) mask = not_equal(mask, scalar_like(0, mask));
  if (is_causal) {
    const Tensor lower = cast(tril(ones({t, s}, int32)), bool_);
    mask = mask.defined() ? logical_and(mask, lower) : lower;
  }
  const Tensor probs = masked_softmax(logits, mask, true);
  return einsum("BNTS,BSNH->BTNH", {probs, v});
}

}  // namespace keras::ops
