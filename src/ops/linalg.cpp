#include "keras/ops/linalg.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "ops/dense_bias.h"
#include "ops/floating.h"

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

Tensor tensordot(const Tensor& a_in,
                 const Tensor& b_in,
                 const std::vector<int>& axes_a,
                 const std::vector<int>& axes_b) {
  KERAS_CHECK(axes_a.size() == axes_b.size(), ValueError, "tensordot: ", axes_a.size(),
              " axes of the first operand against ", axes_b.size(), " of the second");
  const DType out = result_type(a_in.dtype(), b_in.dtype());
  // matmul is for floating operands: integers go through float64, exact up to 2^53.
  const DType work = is_floating(out) ? out : float64;
  const Tensor a = cast(a_in, work), b = cast(b_in, work);
  std::vector<bool> in_a(static_cast<size_t>(a.rank())), in_b(static_cast<size_t>(b.rank()));
  std::vector<int> contracted_a, contracted_b;
  int64_t k = 1;
  for (size_t i = 0; i < axes_a.size(); ++i) {
    const int x = normalize_axis(axes_a[i], a.rank()), y = normalize_axis(axes_b[i], b.rank());
    KERAS_CHECK(!in_a[static_cast<size_t>(x)] && !in_b[static_cast<size_t>(y)], ValueError,
                "tensordot: an axis is contracted twice");
    KERAS_CHECK(a.shape()[static_cast<size_t>(x)] == b.shape()[static_cast<size_t>(y)], ValueError,
                "tensordot: contracted axes must have the same size, got ", shape_str(a.shape()),
                " axis ", x, " and ", shape_str(b.shape()), " axis ", y);
    in_a[static_cast<size_t>(x)] = in_b[static_cast<size_t>(y)] = true;
    contracted_a.push_back(x);
    contracted_b.push_back(y);
    k *= a.shape()[static_cast<size_t>(x)];
  }
  // a as (free, k) and b as (k, free), each transposed so the contracted axes meet.
  std::vector<int> perm_a, perm_b = contracted_b;
  Shape out_shape;
  int64_t m = 1, n = 1;
  for (int d = 0; d < a.rank(); ++d) {
    if (in_a[static_cast<size_t>(d)]) continue;
    perm_a.push_back(d);
    out_shape.push_back(a.shape()[static_cast<size_t>(d)]);
    m *= a.shape()[static_cast<size_t>(d)];
  }
  perm_a.insert(perm_a.end(), contracted_a.begin(), contracted_a.end());
  for (int d = 0; d < b.rank(); ++d) {
    if (in_b[static_cast<size_t>(d)]) continue;
    perm_b.push_back(d);
    out_shape.push_back(b.shape()[static_cast<size_t>(d)]);
    n *= b.shape()[static_cast<size_t>(d)];
  }
  const Tensor a2 = reshape(a.rank() > 0 ? transpose(a, perm_a) : a, {m, k});
  const Tensor b2 = reshape(b.rank() > 0 ? transpose(b, perm_b) : b, {k, n});
  return cast(reshape(matmul(a2, b2), out_shape), out);
}
Tensor tensordot(const Tensor& a, const Tensor& b, int axes) {
  KERAS_CHECK(axes >= 0 && axes <= a.rank() && axes <= b.rank(), ValueError,
              "tensordot: cannot contract ", axes, " axes of operands of ranks ", a.rank(), " and ",
              b.rank());
  std::vector<int> axes_a, axes_b;
  for (int i = 0; i < axes; ++i) {
    axes_a.push_back(a.rank() - axes + i);
    axes_b.push_back(i);
  }
  return tensordot(a, b, axes_a, axes_b);
}
Tensor outer(const Tensor& a, const Tensor& b) {
  return tensordot(reshape(a, {a.size()}), reshape(b, {b.size()}), 0);
}
Tensor inner(const Tensor& a, const Tensor& b) {
  if (a.rank() == 0 || b.rank() == 0) return multiply(a, b);
  return tensordot(a, b, {-1}, {-1});
}
Tensor vdot(const Tensor& a, const Tensor& b) {
  return tensordot(reshape(a, {a.size()}), reshape(b, {b.size()}), 1);
}
Tensor dot(const Tensor& a, const Tensor& b) {
  if (a.rank() == 0 || b.rank() == 0) return multiply(a, b);
  return tensordot(a, b, {-1}, {b.rank() == 1 ? -1 : -2});
}

Tensor kron(const Tensor& a_in, const Tensor& b_in) {
  const int rank = std::max(a_in.rank(), b_in.rank());
  Shape sa(static_cast<size_t>(rank - a_in.rank()), 1),
      sb(static_cast<size_t>(rank - b_in.rank()), 1);
  sa.insert(sa.end(), a_in.shape().begin(), a_in.shape().end());
  sb.insert(sb.end(), b_in.shape().begin(), b_in.shape().end());
  // a as (a0, 1, a1, 1, ...) times b as (1, b0, 1, b1, ...), then each pair of axes merged.
  Shape ia, ib, out;
  for (size_t d = 0; d < sa.size(); ++d) {
    ia.insert(ia.end(), {sa[d], 1});
    ib.insert(ib.end(), {1, sb[d]});
    out.push_back(sa[d] * sb[d]);
  }
  return reshape(multiply(reshape(a_in, ia), reshape(b_in, ib)), out);
}

Tensor cross(const Tensor& a_in,
             const Tensor& b_in,
             int axisa,
             int axisb,
             int axisc,
             std::optional<int> axis) {
  if (axis) axisa = axisb = axisc = *axis;
  KERAS_CHECK(a_in.rank() >= 1 && b_in.rank() >= 1, ValueError,
              "cross: the operands need at least one axis, got shapes ", shape_str(a_in.shape()),
              " and ", shape_str(b_in.shape()));
  const Tensor a = moveaxis(a_in, {axisa}, {-1}), b = moveaxis(b_in, {axisb}, {-1});
  const int64_t na = a.shape().back(), nb = b.shape().back();
  KERAS_CHECK((na == 2 || na == 3) && (nb == 2 || nb == 3), ValueError,
              "incompatible dimensions for cross product (dimension must be 2 or 3), got ", na,
              " and ", nb);
  auto part = [](const Tensor& v, int64_t i) {
    return i < v.shape().back() ? squeeze(slice_axis(v, -1, i, 1), -1)
                                : zeros_like(squeeze(slice_axis(v, -1, 0, 1), -1));
  };
  const Tensor a0 = part(a, 0), a1 = part(a, 1), a2 = part(a, 2);
  const Tensor b0 = part(b, 0), b1 = part(b, 1), b2 = part(b, 2);
  const Tensor z = subtract(multiply(a0, b1), multiply(a1, b0));
  if (na == 2 && nb == 2) return z;
  const Tensor x = subtract(multiply(a1, b2), multiply(a2, b1));
  const Tensor y = subtract(multiply(a2, b0), multiply(a0, b2));
  const int last = x.rank();
  const Tensor c =
      concatenate({expand_dims(x, last), expand_dims(y, last), expand_dims(z, last)}, last);
  return moveaxis(c, {-1}, {axisc});
}

namespace {

// An order of keras.ops.norm: a number, or none, "fro" or "nuc".
struct NormOrder {
  std::optional<double> p;
  std::string name;  // "fro", "nuc" or empty
};

std::string order_str(const NormOrder& o) {
  return o.p ? "'" + str(*o.p) + "'" : o.name.empty() ? std::string("None") : "'" + o.name + "'";
}

std::string axes_str(const std::vector<int>& axes) {  // a Python tuple
  std::string s = "(";
  for (size_t i = 0; i < axes.size(); ++i) s += (i > 0 ? ", " : "") + str(axes[i]);
  return s + (axes.size() == 1 ? ",)" : ")");
}

void expect_norm_axes(bool ok, const std::vector<int>& axes) {
  KERAS_CHECK(ok, ValueError, "Improper number of axes for norm: axis=", axes_str(axes),
              ". Pass one axis to compute a vector-norm, or two axes to compute a matrix-norm.");
}

Tensor vector_norm(const Tensor& x, const NormOrder& o, int axis, bool keepdims) {
  KERAS_CHECK(o.name.empty(), ValueError, "Invalid order ", order_str(o), " for vector norm.");
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<int> axes{axis};
  if (!o.p || *o.p == 2) return sqrt(sum(square(x), axes, keepdims));
  const double p = *o.p;
  if (p == inf) return max(abs(x), axes, keepdims);
  if (p == -inf) return min(abs(x), axes, keepdims);
  if (p == 0) return sum(cast(not_equal(x, scalar_like(0.0, x)), x.dtype()), axes, keepdims);
  if (p == 1) return sum(abs(x), axes, keepdims);
  return power(sum(power(abs(x), p), axes, keepdims), 1.0 / p);
}

Tensor matrix_norm(const Tensor& x, const NormOrder& o, int row, int col, bool keepdims) {
  const double inf = std::numeric_limits<double>::infinity();
  Tensor y;
  if ((!o.p && o.name.empty()) || o.name == "fro") {
    y = sqrt(sum(square(x), {row, col}, true));
  } else if (o.name == "nuc" || (o.p && (*o.p == 2 || *o.p == -2))) {
    // From the singular values: their sum, the largest or the smallest.
    const Tensor s = svd(moveaxis(x, {row, col}, {-2, -1}), false, false)[0];
    y = o.name == "nuc" ? sum(s, {-1}) : *o.p > 0 ? max(s, {-1}) : min(s, {-1});
    if (!keepdims) return y;
    return expand_dims(expand_dims(y, std::min(row, col)), std::max(row, col));
  } else {
    KERAS_CHECK(o.p && (*o.p == 1 || *o.p == -1 || *o.p == inf || *o.p == -inf), ValueError,
                "Invalid order ", order_str(o), " for matrix norm.");
    // 1: the largest sum over rows of each column; inf: over columns of each row.
    const bool columns = *o.p == 1 || *o.p == -1;
    const Tensor sums = sum(abs(x), {columns ? row : col}, true);
    y = *o.p > 0 ? max(sums, {columns ? col : row}, true) : min(sums, {columns ? col : row}, true);
  }
  if (keepdims) return y;
  Shape out;
  for (int d = 0; d < x.rank(); ++d) {
    if (d != row && d != col) out.push_back(x.shape()[static_cast<size_t>(d)]);
  }
  return reshape(y, out);
}

Tensor norm_of(const Tensor& x_in, const NormOrder& o, std::vector<int> axes, bool keepdims) {
  const Tensor x = floating(x_in);
  const int rank = x.rank();
  if (axes.empty()) {
    axes.resize(static_cast<size_t>(rank));
    std::iota(axes.begin(), axes.end(), 0);
    if (!o.p && o.name.empty()) return sqrt(sum(square(x), axes, keepdims));
    expect_norm_axes(rank == 1 || rank == 2, axes);
  }
  for (int& a : axes) a = normalize_axis(a, rank);
  if (axes.size() == 1) return vector_norm(x, o, axes[0], keepdims);
  expect_norm_axes(axes.size() == 2, axes);
  KERAS_CHECK(axes[0] != axes[1], ValueError, "norm: duplicate axes given: axis=", axes_str(axes));
  return matrix_norm(x, o, axes[0], axes[1], keepdims);
}

}  // namespace

Tensor norm(const Tensor& x, std::optional<double> ord, std::vector<int> axes, bool keepdims) {
  return norm_of(x, {ord, ""}, std::move(axes), keepdims);
}
Tensor norm(const Tensor& x, const std::string& ord, std::vector<int> axes, bool keepdims) {
  KERAS_CHECK(ord == "fro" || ord == "nuc", ValueError, "norm: invalid norm order '",
              ord.substr(0, 20), "' (a number, 'fro' or 'nuc')");
  return norm_of(x, {std::nullopt, ord}, std::move(axes), keepdims);
}

}  // namespace keras::ops
