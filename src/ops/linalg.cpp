#include "keras/ops/linalg.h"

#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "ops/dense_bias.h"

namespace keras::ops {

using autodiff::Grads;
using autodiff::launch;

Tensor matmul_t(const Tensor& a, const Tensor& b, bool ta, bool tb) {
  KERAS_CHECK(is_floating(a.dtype()) && a.dtype() == b.dtype(), TypeError,
              "matmul: expected two float32 or float64 tensors of the same dtype, got ", a.dtype(),
              " and ", b.dtype());
  const int ra = a.rank(), rb = b.rank();
  KERAS_CHECK((ra == 2 || ra == 3) && (rb == 2 || rb == 3) && !(ra == 2 && rb == 3), ValueError,
              "matmul: unsupported ranks ", shape_str(a.shape()), " and ", shape_str(b.shape()));
  const int64_t m = ta ? a.shape()[ra - 1] : a.shape()[ra - 2];
  const int64_t k = ta ? a.shape()[ra - 2] : a.shape()[ra - 1];
  const int64_t kb = tb ? b.shape()[rb - 1] : b.shape()[rb - 2];
  const int64_t n = tb ? b.shape()[rb - 2] : b.shape()[rb - 1];
  KERAS_CHECK(k == kb, ValueError, "matmul: inner dimensions differ: ", shape_str(a.shape()),
              " and ", shape_str(b.shape()));
  if (ra == 3 && rb == 3) {
    KERAS_CHECK(a.shape()[0] == b.shape()[0], ValueError,
                "matmul: batch dimensions differ: ", shape_str(a.shape()), " and ",
                shape_str(b.shape()));
  }
  Shape out = ra == 3 ? Shape{a.shape()[0], m, n} : Shape{m, n};
  Tensor y = Tensor::empty(out, a.dtype(), a.device());
  backend::Backend& be = backend::backend_for("matmul", {a, b});
  launch([&be, a, b, y, ta, tb] { be.gemm(a, b, y, {.transpose_a = ta, .transpose_b = tb}); });
  if (!autodiff::any_tracked({a, b})) return y;
  const bool need_a = autodiff::is_tracked(a), need_b = autodiff::is_tracked(b);
  autodiff::record("matmul", {a, b}, y, [a, b, ta, tb, need_a, need_b](const Tensor& dy) {
    Tensor da, db;
    if (a.rank() == 3 && b.rank() == 2) {  // b is shared by every batch entry
      if (need_a) {
        da = matmul_t(dy, b, false, !tb);
        if (ta) da = transpose(da, {0, 2, 1});
      }
      if (need_b) db = sum(tb ? matmul_t(dy, a, true, ta) : matmul_t(a, dy, !ta, false), 0);
      return Grads{da, db};
    }
    if (need_a) {
      da = !ta  ? matmul_t(dy, b, false, !tb)
           : tb ? matmul_t(b, dy, true, true)
                : matmul_t(b, dy, false, true);
    }
    if (need_b) {
      db = !tb ? matmul_t(a, dy, !ta, false) : matmul_t(dy, a, true, ta);
    }
    return Grads{da, db};
  });
  return y;
}

Tensor addmm(const Tensor& c, const Tensor& a, const Tensor& b) {
  KERAS_CHECK(is_floating(a.dtype()) && a.dtype() == b.dtype() && a.dtype() == c.dtype(), TypeError,
              "addmm: expected three float32 or float64 tensors of one dtype, got ", c.dtype(),
              ", ", a.dtype(), " and ", b.dtype());
  KERAS_CHECK(a.rank() == 2 && b.rank() == 2 && c.rank() == 2 && a.dim(1) == b.dim(0) &&
                  c.dim(0) == a.dim(0) && c.dim(1) == b.dim(1),
              ValueError, "addmm: shapes ", shape_str(c.shape()), " + ", shape_str(a.shape()),
              " @ ", shape_str(b.shape()), " do not fit");
  Tensor y = Tensor::empty(c.shape(), c.dtype(), c.device());
  backend::Backend& be = backend::backend_for("addmm", {c, a, b});
  launch([&be, a, b, c, y] {
    be.copy(c, y);
    be.gemm(a, b, y, {.beta = 1.0});
  });
  if (!autodiff::any_tracked({c, a, b})) return y;
  const bool need_a = autodiff::is_tracked(a), need_b = autodiff::is_tracked(b);
  autodiff::record("addmm", {c, a, b}, y, [a, b, need_a, need_b](const Tensor& dy) {
    return Grads{dy, need_a ? matmul_t(dy, b, false, true) : Tensor(),
                 need_b ? matmul_t(a, dy, true, false) : Tensor()};
  });
  return y;
}

Tensor matmul(const Tensor& a_in, const Tensor& b_in) {
  KERAS_CHECK(a_in.rank() >= 1 && b_in.rank() >= 1, ValueError,
              "matmul: operands must have at least one dimension, got ", shape_str(a_in.shape()),
              " and ", shape_str(b_in.shape()));
  DType t = result_type(a_in.dtype(), b_in.dtype());
  if (!is_floating(t)) t = float32;
  Tensor a = cast(a_in, t), b = cast(b_in, t);
  const bool a_vec = a.rank() == 1, b_vec = b.rank() == 1;
  if (a_vec) a = reshape(a, {1, a.shape()[0]});
  if (b_vec) b = reshape(b, {b.shape()[0], 1});
  Tensor y;
  if (b.rank() == 2 && a.rank() > 2) {  // [..., m, k] @ [k, n]: fold leading dims into rows
    Shape out = a.shape();
    out.back() = b.shape()[1];
    KERAS_CHECK(a.shape().back() == b.shape()[0], ValueError,
                "matmul: inner dimensions differ: ", shape_str(a_in.shape()), " and ",
                shape_str(b_in.shape()));
    y = reshape(matmul_t(reshape(a, {-1, a.shape().back()}), b, false, false), out);
  } else {
    y = matmul_t(a, b, false, false);
  }
  if (a_vec) y = squeeze(y, y.rank() - 2);
  if (b_vec) y = squeeze(y, -1);
  return y;
}

namespace internal {

Tensor dense(const Tensor& x, const Tensor& kernel, const Tensor& bias, bool relu) {
  const bool fused = x.dtype() == float32 && kernel.dtype() == float32 && x.rank() >= 2 &&
                     kernel.rank() == 2 && x.shape().back() == kernel.shape()[0] &&
                     (!bias.defined() || (bias.dtype() == float32 && bias.rank() == 1 &&
                                          bias.shape()[0] == kernel.shape()[1])) &&
                     !autodiff::any_tracked({x, kernel, bias});
  if (!fused) {
    Tensor y = matmul(x, kernel);
    if (bias.defined()) y = add(y, bias);
    return relu ? ops::relu(y) : y;
  }
  backend::Backend& be = backend::backend_for("matmul", {x, kernel, bias});
  int64_t count = 1;  // the rows: x's leading dimensions (also when K is 0)
  for (int i = 0; i + 1 < x.rank(); ++i) count *= x.shape()[i];
  const Tensor rows = x.reshape({count, x.shape().back()});
  const Tensor y = Tensor::empty({rows.shape()[0], kernel.shape()[1]}, float32, x.device());
  launch([&be, rows, kernel, bias, y, relu] { be.dense(rows, kernel, bias, y, relu); });
  Shape out = x.shape();
  out.back() = kernel.shape()[1];
  return y.reshape(out);
}

}  // namespace internal

}  // namespace keras::ops
