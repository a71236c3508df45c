#include "keras/ops/attention.h"

#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/ops/elementwise.h"
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

}  // namespace keras::ops
