// keras.ops.linalg's factorizations and solves. Every op works on (batch, m, n) stacks: the
// backend factorizes, the gradients are written with other ops.
#include <cmath>
#include <limits>

#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "keras/ops/sort.h"
#include "ops/decomposition_kernels.h"
#include "ops/floating.h"
#include "ops/host_kernel.h"

namespace keras::ops {
namespace {

using autodiff::Grads;
using internal::Factorization;
using internal::TriangularSolveParams;

Tensor mT(const Tensor& x) {
  return swapaxes(x, -1, -2);
}

Shape batch_of(const Tensor& x) {
  return Shape(x.shape().begin(), x.shape().end() - 2);
}

Shape with_batch(Shape batch, std::initializer_list<int64_t> tail) {
  batch.insert(batch.end(), tail);
  return batch;
}

// x (..., m, n) as (batch, m, n).
Tensor stack3(const Tensor& x) {
  int64_t count = 1;
  for (int d = 0; d + 2 < x.rank(); ++d) count *= x.shape()[static_cast<size_t>(d)];
  return reshape(x, {count, x.shape()[x.rank() - 2], x.shape()[x.rank() - 1]});
}

// Identity matrices shaped as the square stack x, in its dtype and on its device.
Tensor eye_like(const Tensor& x) {
  return tril(triu(ones_like(stop_gradient(x))));
}

void expect_matrix(const Tensor& x, const char* op) {
  KERAS_CHECK(x.rank() >= 2, ValueError, op,
              ": Expected input to have rank >= 2. Received input with shape ",
              shape_str(x.shape()), ".");
}
void expect_square(const Tensor& x, const char* op) {
  expect_matrix(x, op);
  KERAS_CHECK(x.shape()[x.rank() - 1] == x.shape()[x.rank() - 2], ValueError, op,
              ": Expected a square matrix. Received non-square input with shape ",
              shape_str(x.shape()));
}

Tensors factorize(Factorization kind, const Tensor& x, Tensors outs) {
  internal::launch_on_host({x}, outs, [kind](const Tensors& in, const Tensors& out) {
    internal::factorize(kind, in[0], out);
  });
  return outs;
}
Tensor empty_for(const Tensor& x, Shape shape, DType dtype) {
  return Tensor::empty(std::move(shape), dtype, x.device());
}

// op(a)^-1 b for triangular stacks a (batch, n, n) and b (batch, n, k).
Tensor trsolve(const Tensor& a, const Tensor& b, TriangularSolveParams p) {
  const Tensor x = empty_for(b, b.shape(), b.dtype());
  KERAS_CHECK(a.device() == b.device(), ValueError,
              "solve_triangular: expected all tensors on one device, got ", a.device(), " and ",
              b.device());
  internal::launch_on_host({a, b}, {x}, [p](const Tensors& in, const Tensors& out) {
    internal::triangular_solve(in[0], in[1], out[0], p);
  });
  if (!autodiff::any_tracked({a, b})) return x;
  autodiff::record("solve_triangular", {a, b}, x, [a, x, p](const Tensor& dy) {
    TriangularSolveParams t = p;
    t.transpose_a = !p.transpose_a;
    const Tensor db = trsolve(a, dy, t);  // op(a)^-T dy
    Tensor da = p.transpose_a ? matmul_t(x, db, false, true) : matmul_t(db, x, false, true);
    // Only the triangle the solve read has a gradient.
    const int skip = p.unit_diagonal ? 1 : 0;
    da = p.lower ? tril(da, -skip) : triu(da, skip);
    return Grads{negative(da), db};
  });
  return x;
}

struct Lu {
  Tensor lu, pivots, perm, parity;
};
Lu lu3(const Tensor& a) {
  const int64_t b = a.shape()[0], m = a.shape()[1], n = a.shape()[2];
  const Tensors o =
      factorize(Factorization::lu, stop_gradient(a),
                {empty_for(a, a.shape(), a.dtype()), empty_for(a, {b, std::min(m, n)}, int32),
                 empty_for(a, {b, m}, int32), empty_for(a, {b}, a.dtype())});
  return {o[0], o[1], o[2], o[3]};
}

// Rows i of the stack b (batch, n, k) taken from rows rows[i] (int32, (batch, n)).
Tensor take_rows(const Tensor& b, const Tensor& rows) {
  return take_along_axis(b, broadcast_to(expand_dims(rows, -1), b.shape()), 1);
}

// a^-1 b (or a^-T b) from a's LU factors (p a = l u).
Tensor lu_solve(const Lu& f, const Tensor& b, bool transpose) {
  if (!transpose) {
    const Tensor y = trsolve(f.lu, take_rows(b, f.perm), {.lower = true, .unit_diagonal = true});
    return trsolve(f.lu, y, {.lower = false});
  }
  // aᵀ = uᵀ lᵀ p
  const Tensor y = trsolve(f.lu, b, {.lower = false, .transpose_a = true});
  const Tensor z = trsolve(f.lu, y, {.lower = true, .transpose_a = true, .unit_diagonal = true});
  return take_rows(z, argsort(f.perm));
}

// a^-1 b for stacks a (batch, n, n) and b (batch, n, k); da = -db xᵀ, db = a^-T dy.
Tensor solve3(const Tensor& a, const Tensor& b) {
  const Lu f = lu3(a);
  const Tensor x = lu_solve(f, stop_gradient(b), false);
  if (!autodiff::any_tracked({a, b})) return x;
  autodiff::record("solve", {a, b}, x, [f, x](const Tensor& dy) {
    const Tensor db = lu_solve(f, dy, true);
    return Grads{negative(matmul_t(db, x, false, true)), db};
  });
  return x;
}

Tensor inverse_from(const Lu& f) {
  return lu_solve(f, eye_like(f.lu), false);
}

// Prepares solve's operands: one floating dtype, b (..., n, k) (a vector as one column), both
// broadcast to their common batch and flattened to stacks.
struct System {
  Tensor a, b;
  Shape out;
  bool vector;
};
System system_of(const Tensor& a_in, const Tensor& b_in, bool vector, const char* op) {
  const DType t = floating_result_type(a_in.dtype(), b_in.dtype());
  const Tensor a = cast(a_in, t);
  const Tensor b = vector ? expand_dims(cast(b_in, t), -1) : cast(b_in, t);
  const int64_t n = a.shape().back(), k = b.shape().back();
  KERAS_CHECK(b.shape()[static_cast<size_t>(b.rank() - 2)] == n, ValueError, op,
              ": the rows of b, shape ", shape_str(b_in.shape()), ", do not match a, shape ",
              shape_str(a_in.shape()));
  const Shape batch = broadcast_shapes(batch_of(a), batch_of(b));
  Shape out = with_batch(batch, {n, k});
  if (vector) out.pop_back();
  return {stack3(broadcast_to(a, with_batch(batch, {n, n}))),
          stack3(broadcast_to(b, with_batch(batch, {n, k}))), out, vector};
}

// Keras's checks of solve's and solve_triangular's b.
void expect_compatible(const Tensor& a, const Tensor& b, const char* op) {
  expect_square(a, op);
  KERAS_CHECK(b.rank() >= 1, ValueError, op,
              ": Expected input to have rank >= 1. Received scalar input.");
  const auto dim = [](const Tensor& t, int i) {
    return t.shape()[static_cast<size_t>(t.rank() + i)];
  };
  KERAS_CHECK(a.rank() != b.rank() || dim(a, -2) == dim(b, -2), ValueError, op,
              ": Incompatible shapes between `a` and `b`. Expected `a.shape[-2] == b.shape[-2]`. "
              "Received: a.shape=",
              shape_str(a.shape()), ", b.shape=", shape_str(b.shape()));
  KERAS_CHECK(a.rank() != b.rank() - 1 || dim(a, -1) == dim(b, -1), ValueError, op,
              ": Incompatible shapes between `a` and `b`. Expected `a.shape[-1] == b.shape[-1]`. "
              "Received: a.shape=",
              shape_str(a.shape()), ", b.shape=", shape_str(b.shape()));
}

// 1 / (d[j] - d[i]) off the diagonal, 0 on it, for d (batch, n): eigh's and svd's gaps.
Tensor inverse_gaps(const Tensor& d, const Tensor& eye) {
  const Tensor gaps = subtract(expand_dims(d, 1), expand_dims(d, 2));
  return multiply(divide(1.0, add(gaps, eye)), subtract(1.0, eye));
}

Tensor symmetric_part(const Tensor& x) {
  return multiply(add(x, mT(x)), 0.5);
}

}  // namespace

Tensor solve(const Tensor& a, const Tensor& b) {
  expect_compatible(a, b, "solve");
  const System s = system_of(a, b, b.rank() == 1, "solve");
  return reshape(solve3(s.a, s.b), s.out);
}

Tensor solve_triangular(const Tensor& a, const Tensor& b, bool lower) {
  expect_compatible(a, b, "solve_triangular");
  const System s = system_of(a, b, b.rank() == a.rank() - 1, "solve_triangular");
  return reshape(trsolve(s.a, s.b, {.lower = lower}), s.out);
}

Tensor inv(const Tensor& x_in) {
  expect_square(x_in, "inv");
  const Tensor x = stack3(floating(x_in));
  return reshape(solve3(x, eye_like(x)), x_in.shape());
}

Tensor det(const Tensor& x_in) {
  expect_square(x_in, "det");
  const Tensor x = stack3(floating(x_in));
  const Lu f = lu3(x);
  const Tensor d = multiply(prod(diagonal(f.lu, 0, 1, 2), {1}), f.parity);
  if (autodiff::any_tracked({x})) {  // d det = det a^-T
    autodiff::record("det", {x}, d, [f, d](const Tensor& dy) {
      return Grads{multiply(reshape(multiply(dy, d), {-1, 1, 1}), mT(inverse_from(f)))};
    });
  }
  return reshape(d, batch_of(x_in));
}

std::pair<Tensor, Tensor> slogdet(const Tensor& x_in) {
  expect_square(x_in, "slogdet");
  const Tensor x = stack3(floating(x_in));
  const Lu f = lu3(x);
  const Tensor diag = diagonal(f.lu, 0, 1, 2);
  const Tensor sign = multiply(prod(ops::sign(diag), {1}), f.parity);
  const Tensor logabs = sum(log(abs(diag)), {1});
  if (autodiff::any_tracked({x})) {  // d log|det| = a^-T; the sign is piecewise constant
    autodiff::record("slogdet", {x}, {sign, logabs}, [f](const Tensors& dys) {
      return Grads{multiply(reshape(dys[1], {-1, 1, 1}), mT(inverse_from(f)))};
    });
  }
  return {reshape(sign, batch_of(x_in)), reshape(logabs, batch_of(x_in))};
}

std::pair<Tensor, Tensor> lu_factor(const Tensor& x_in) {
  expect_matrix(x_in, "lu_factor");
  const Tensor x = stack3(floating(x_in));
  const Lu f = lu3(x);
  const int64_t m = x.shape()[1], n = x.shape()[2];
  return {reshape(f.lu, x_in.shape()),
          reshape(f.pivots, with_batch(batch_of(x_in), {std::min(m, n)}))};
}

Tensor cholesky(const Tensor& x_in, bool upper) {
  expect_square(x_in, "cholesky");
  const Tensor x = symmetric_part(stack3(floating(x_in)));
  const Tensor l = factorize(Factorization::cholesky, x, {empty_for(x, x.shape(), x.dtype())})[0];
  if (autodiff::any_tracked({x})) {
    // a̅ = l^-T sym(Φ(lᵀ l̅)) l^-1, Φ the lower triangle with its diagonal halved.
    autodiff::record("cholesky", {x}, l, [l](const Tensor& dy) {
      const Tensor g = matmul_t(l, tril(dy), true, false);
      const Tensor phi = multiply(add(tril(g), tril(g, -1)), 0.5);
      const Tensor y = trsolve(l, symmetric_part(phi), {.lower = true, .transpose_a = true});
      return Grads{mT(trsolve(l, mT(y), {.lower = true, .transpose_a = true}))};
    });
  }
  return reshape(upper ? mT(l) : l, x_in.shape());
}

Tensor cholesky_inverse(const Tensor& x_in, bool upper) {
  expect_square(x_in, "cholesky_inverse");
  const Tensor x = stack3(floating(x_in));
  const Tensor inv_factor = trsolve(x, eye_like(x), {.lower = !upper});
  const Tensor y = upper ? matmul_t(inv_factor, inv_factor, false, true)
                         : matmul_t(inv_factor, inv_factor, true, false);
  return reshape(y, x_in.shape());
}

std::pair<Tensor, Tensor> qr(const Tensor& x_in, const std::string& mode) {
  KERAS_CHECK(mode == "reduced" || mode == "complete", ValueError,
              "`mode` argument value not supported. Expected one of {'reduced', 'complete'}. "
              "Received: mode=",
              mode.substr(0, 40));
  KERAS_CHECK(x_in.rank() >= 2, ValueError,
              "qr: Input should have rank >= 2. Received: input.shape = ", shape_str(x_in.shape()));
  const Tensor x = stack3(floating(x_in));
  const int64_t b = x.shape()[0], m = x.shape()[1], n = x.shape()[2];
  const int64_t c = mode == "complete" ? m : std::min(m, n);
  const Tensors o =
      factorize(Factorization::qr, x,
                {empty_for(x, {b, m, c}, x.dtype()), empty_for(x, {b, c, n}, x.dtype())});
  const Tensor q = o[0], r = o[1];
  if (autodiff::any_tracked({x})) {
    autodiff::record("qr", {x}, {q, r}, [q, r, m, n, c](const Tensors& dys) {
      KERAS_CHECK(m >= n && c == n, NotImplementedError,
                  "qr: the gradient is defined for matrices with at least as many rows as columns "
                  "in mode 'reduced' (as JAX's), got a ",
                  m, "x", n, " matrix in mode '", c == n ? "reduced" : "complete", "'");
      // a̅ = (q̅ + q copyltu(m)) r^-T, m = r r̅ᵀ - q̅ᵀ q, copyltu mirroring the lower triangle.
      const Tensor mm =
          subtract(matmul_t(r, dys[1], false, true), matmul_t(dys[0], q, true, false));
      const Tensor sym = add(tril(mm), mT(tril(mm, -1)));
      const Tensor bq = add(dys[0], matmul_t(q, sym, false, false));
      return Grads{mT(trsolve(r, mT(bq), {.lower = false}))};
    });
  }
  const Shape batch = batch_of(x_in);
  return {reshape(q, with_batch(batch, {m, c})), reshape(r, with_batch(batch, {c, n}))};
}

std::pair<Tensor, Tensor> eigh(const Tensor& x_in) {
  expect_square(x_in, "eigh");
  const Tensor x = symmetric_part(stack3(floating(x_in)));
  const int64_t b = x.shape()[0], n = x.shape()[1];
  const Tensors o =
      factorize(Factorization::eigh, x,
                {empty_for(x, {b, n}, x.dtype()), empty_for(x, x.shape(), x.dtype())});
  const Tensor w = o[0], v = o[1];
  if (autodiff::any_tracked({x})) {
    // a̅ = v (diag(w̅) + F ∘ (vᵀ v̅)) vᵀ, F[i, j] = 1 / (w[j] - w[i]) off the diagonal.
    autodiff::record("eigh", {x}, {w, v}, [w, v](const Tensors& dys) {
      const Tensor eye = eye_like(v);
      const Tensor inner = add(multiply(eye, expand_dims(dys[0], 1)),
                               multiply(inverse_gaps(w, eye), matmul_t(v, dys[1], true, false)));
      return Grads{matmul_t(matmul_t(v, inner, false, false), v, false, true)};
    });
  }
  return {reshape(w, with_batch(batch_of(x_in), {n})), reshape(v, x_in.shape())};
}

Tensors svd(const Tensor& x_in, bool full_matrices, bool compute_uv) {
  expect_matrix(x_in, "svd");
  const Tensor x = stack3(floating(x_in));
  const int64_t b = x.shape()[0], m = x.shape()[1], n = x.shape()[2], k = std::min(m, n);
  const bool full = full_matrices && compute_uv;
  const int64_t cu = full ? m : k, cv = full ? n : k;
  const Tensors o = factorize(Factorization::svd, x,
                              {empty_for(x, {b, k}, x.dtype()), empty_for(x, {b, m, cu}, x.dtype()),
                               empty_for(x, {b, cv, n}, x.dtype())});
  const Tensor s = o[0], u = o[1], vt = o[2];
  if (autodiff::any_tracked({x})) {
    const Tensors outs = compute_uv ? Tensors{u, s, vt} : Tensors{s};
    autodiff::record("svd", {x}, outs, [s, u, vt, k, m, n, compute_uv, full](const Tensors& dys) {
      const Tensor ur = slice_axis(u, 2, 0, k), v = mT(slice_axis(vt, 1, 0, k));
      const Tensor ds = compute_uv ? dys[1] : dys[0];
      // The singular values' part: u diag(s̅) vᵀ.
      Tensor inner = multiply(eye_like(matmul_t(ur, ur, true, false)), expand_dims(ds, 1));
      if (!compute_uv) return Grads{matmul_t(matmul_t(ur, inner, false, false), v, false, true)};
      KERAS_CHECK(!full || m == n, NotImplementedError,
                  "svd: the gradient of the singular vectors with full_matrices=True is defined "
                  "for square matrices only (as JAX's), got a ",
                  m, "x", n, " matrix");
      const Tensor du = dys[0], dv = mT(dys[2]);
      const Tensor eye = eye_like(inner);
      const Tensor f = inverse_gaps(square(s), eye);
      const Tensor uu = matmul_t(ur, du, true, false), vv = matmul_t(v, dv, true, false);
      const Tensor j = multiply(f, subtract(uu, mT(uu))), kk = multiply(f, subtract(vv, mT(vv)));
      inner = add(inner, add(multiply(j, expand_dims(s, 1)), multiply(expand_dims(s, 2), kk)));
      Tensor da = matmul_t(matmul_t(ur, inner, false, false), v, false, true);
      // The parts outside the singular subspaces (zero for a square matrix).
      const Tensor du_s = divide(du, expand_dims(s, 1)), dv_s = divide(dv, expand_dims(s, 1));
      const Tensor pu = subtract(du_s, matmul_t(ur, matmul_t(ur, du_s, true, false), false, false));
      const Tensor pv = subtract(dv_s, matmul_t(v, matmul_t(v, dv_s, true, false), false, false));
      da = add(da, matmul_t(pu, v, false, true));
      da = add(da, matmul_t(ur, pv, false, true));
      return Grads{da};
    });
  }
  const Shape batch = batch_of(x_in);
  const Tensor values = reshape(s, with_batch(batch, {k}));
  if (!compute_uv) return {values};
  return {reshape(u, with_batch(batch, {m, cu})), values, reshape(vt, with_batch(batch, {cv, n}))};
}

Tensor lstsq(const Tensor& a_in, const Tensor& b_in, std::optional<double> rcond) {
  KERAS_CHECK(a_in.rank() == 2, ValueError,
              "lstsq: Expected a to have rank 2. Received: a.shape=", shape_str(a_in.shape()));
  KERAS_CHECK(b_in.rank() == 1 || b_in.rank() == 2, ValueError,
              "lstsq: Expected b to have rank 1 or 2. Received: b.shape=", shape_str(b_in.shape()));
  KERAS_CHECK(b_in.shape()[0] == a_in.shape()[0], ValueError,
              "lstsq: Expected b.shape[0] to be equal to a.shape[0]. Received: a.shape=",
              shape_str(a_in.shape()), ", b.shape=", shape_str(b_in.shape()));
  const DType t = floating_result_type(a_in.dtype(), b_in.dtype());
  const Tensor a = cast(a_in, t);
  const Tensor b = b_in.rank() == 1 ? expand_dims(cast(b_in, t), 1) : cast(b_in, t);
  const int64_t m = a.shape()[0], n = a.shape()[1];
  if (a.size() == 0) {
    const Tensor x = zeros_like(broadcast_to(scalar_like(0, a), {n, b.shape()[1]}));
    return b_in.rank() == 1 ? reshape(x, {n}) : x;
  }
  const double eps =
      t == float64 ? std::numeric_limits<double>::epsilon() : std::numeric_limits<float>::epsilon();
  const double cut =
      rcond ? (*rcond < 0 ? eps : *rcond) : eps * static_cast<double>(std::max(m, n));
  const Tensors usv = svd(a, false, true);
  const Tensor& s = usv[1];
  // Singular values below rcond times the largest count as zero (JAX's mask).
  const Tensor keep =
      logical_and(greater(s, 0.0), greater_equal(s, multiply(slice_axis(s, 0, 0, 1), cut)));
  const Tensor s_inv = where(keep, divide(1.0, where(keep, s, ones_like(s))), zeros_like(s));
  const Tensor ub = multiply(matmul(mT(usv[0]), b), expand_dims(s_inv, 1));
  const Tensor x = matmul(mT(usv[2]), ub);
  return b_in.rank() == 1 ? reshape(x, {n}) : x;
}

Tensor pinv(const Tensor& x_in, std::optional<double> rcond) {
  expect_matrix(x_in, "pinv");
  const Tensor x = floating(x_in);
  const int64_t m = x.shape()[x.rank() - 2], n = x.shape()[x.rank() - 1];
  if (m == 0 || n == 0) return zeros_like(mT(x));
  const double eps = x.dtype() == float64 ? std::numeric_limits<double>::epsilon()
                                          : std::numeric_limits<float>::epsilon();
  const double rtol = rcond ? *rcond : 10.0 * static_cast<double>(std::max(m, n)) * eps;
  const Tensors usv = svd(x, false, true);
  const Tensor& s = usv[1];
  const Tensor keep = greater(s, multiply(slice_axis(s, -1, 0, 1), rtol));
  const Tensor s_inv = where(keep, divide(1.0, where(keep, s, ones_like(s))), zeros_like(s));
  return matmul(mT(usv[2]), multiply(mT(usv[0]), expand_dims(s_inv, -1)));
}

Tensor matrix_rank(const Tensor& x_in, std::optional<double> tol) {
  expect_matrix(x_in, "matrix_rank");
  const Tensor x = floating(x_in);
  const int64_t m = x.shape()[x.rank() - 2], n = x.shape()[x.rank() - 1];
  if (m == 0 || n == 0) return zeros_like(cast(sum(x, {-2, -1}), int32));
  const Tensor s = stop_gradient(svd(x, false, false)[0]);
  const double eps = x.dtype() == float64 ? std::numeric_limits<double>::epsilon()
                                          : std::numeric_limits<float>::epsilon();
  const Tensor threshold =
      tol ? full_like(slice_axis(s, -1, 0, 1), *tol)
          : multiply(max(s, {-1}, true), static_cast<double>(std::max(m, n)) * eps);
  return sum(cast(greater(s, threshold), int32), {-1});
}

}  // namespace keras::ops
