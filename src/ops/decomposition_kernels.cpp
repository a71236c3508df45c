// Dense factorizations and triangular solves, one matrix at a time in float64 on the host.
#include "ops/decomposition_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace keras::ops::internal {
namespace {

using Matrix = std::vector<double>;  // row-major
constexpr double kEps = std::numeric_limits<double>::epsilon();

// Reads matrix b of x (batch, rows, cols) into double, or writes one into y.
Matrix load(const Tensor& x, int64_t b) {
  const int64_t size = x.shape()[1] * x.shape()[2];
  Matrix m(static_cast<size_t>(size));
  visit_dtype(x.dtype(), [&]<class T>() {
    const T* p = static_cast<const T*>(x.raw_data()) + b * size;
    for (int64_t i = 0; i < size; ++i) m[static_cast<size_t>(i)] = static_cast<double>(p[i]);
  });
  return m;
}
// Writes `values` at entry offset `at` of y (any floating or int32 dtype).
void store(const Tensor& y, int64_t at, const std::vector<double>& values) {
  visit_dtype(y.dtype(), [&]<class T>() {
    T* p = static_cast<T*>(y.raw_data()) + at;
    for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<T>(values[i]);
  });
}

// The first `cols` columns of the (rows x stride) row-major m.
Matrix left_columns(const Matrix& m, int64_t rows, int64_t stride, int64_t cols) {
  Matrix out(static_cast<size_t>(rows * cols));
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j)
      out[static_cast<size_t>(i * cols + j)] = m[static_cast<size_t>(i * stride + j)];
  }
  return out;
}

void lu(const Tensor& x, std::span<const Tensor> outs) {
  const int64_t m = x.shape()[1], n = x.shape()[2], k = std::min(m, n);
  for (int64_t b = 0; b < x.shape()[0]; ++b) {
    Matrix a = load(x, b);
    auto at = [&a, n](int64_t i, int64_t j) -> double& {
      return a[static_cast<size_t>(i * n + j)];
    };
    std::vector<double> pivots(static_cast<size_t>(k)), perm(static_cast<size_t>(m));
    std::iota(perm.begin(), perm.end(), 0.0);
    double parity = 1;
    for (int64_t j = 0; j < k; ++j) {
      int64_t p = j;
      for (int64_t i = j + 1; i < m; ++i) {
        if (std::abs(at(i, j)) > std::abs(at(p, j))) p = i;
      }
      pivots[static_cast<size_t>(j)] = static_cast<double>(p);
      if (p != j) {
        for (int64_t c = 0; c < n; ++c) std::swap(at(j, c), at(p, c));
        std::swap(perm[static_cast<size_t>(j)], perm[static_cast<size_t>(p)]);
        parity = -parity;
      }
      if (at(j, j) == 0) continue;  // a singular column: nothing to eliminate with
      for (int64_t i = j + 1; i < m; ++i) {
        at(i, j) /= at(j, j);
        for (int64_t c = j + 1; c < n; ++c) at(i, c) -= at(i, j) * at(j, c);
      }
    }
    store(outs[0], b * m * n, a);
    store(outs[1], b * k, pivots);
    store(outs[2], b * m, perm);
    store(outs[3], b, {parity});
  }
}

void cholesky(const Tensor& x, const Tensor& y) {
  const int64_t n = x.shape()[1];
  for (int64_t b = 0; b < x.shape()[0]; ++b) {
    const Matrix a = load(x, b);
    Matrix l(a.size(), 0.0);
    auto at = [n](Matrix& v, int64_t i, int64_t j) -> double& {
      return v[static_cast<size_t>(i * n + j)];
    };
    bool ok = true;
    for (int64_t i = 0; i < n && ok; ++i) {
      for (int64_t j = 0; j <= i; ++j) {
        double s = a[static_cast<size_t>(i * n + j)];
        for (int64_t c = 0; c < j; ++c) s -= at(l, i, c) * at(l, j, c);
        if (i == j) {
          ok = s > 0;  // also false for NaN
          at(l, i, i) = std::sqrt(s);
        } else {
          at(l, i, j) = s / at(l, j, j);
        }
      }
    }
    if (!ok) std::fill(l.begin(), l.end(), std::numeric_limits<double>::quiet_NaN());
    store(y, b * n * n, l);
  }
}

// Householder QR of a (m x n): q (m x m) and r (m x n), q r = a.
void householder(Matrix& r, Matrix& q, int64_t m, int64_t n) {
  q.assign(static_cast<size_t>(m * m), 0.0);
  for (int64_t i = 0; i < m; ++i) q[static_cast<size_t>(i * m + i)] = 1;
  auto R = [&r, n](int64_t i, int64_t j) -> double& { return r[static_cast<size_t>(i * n + j)]; };
  auto Q = [&q, m](int64_t i, int64_t j) -> double& { return q[static_cast<size_t>(i * m + j)]; };
  std::vector<double> v(static_cast<size_t>(m));
  for (int64_t j = 0; j < std::min(m, n); ++j) {
    double tail = 0;
    for (int64_t i = j + 1; i < m; ++i) tail += R(i, j) * R(i, j);
    if (tail == 0) continue;  // already reduced: no reflection (keeps the diagonal's sign)
    const double x0 = R(j, j), norm = std::sqrt(x0 * x0 + tail);
    const double alpha =
        x0 >= 0 ? -norm : norm;  // the new diagonal, away from x0 (no cancellation)
    // v = x - alpha e0, reflected with H = I - 2 v vᵀ / (vᵀ v).
    for (int64_t i = j; i < m; ++i) v[static_cast<size_t>(i)] = R(i, j);
    v[static_cast<size_t>(j)] -= alpha;
    const double vv = (x0 - alpha) * (x0 - alpha) + tail;
    for (int64_t c = j; c < n; ++c) {
      double d = 0;
      for (int64_t i = j; i < m; ++i) d += v[static_cast<size_t>(i)] * R(i, c);
      d *= 2 / vv;
      for (int64_t i = j; i < m; ++i) R(i, c) -= d * v[static_cast<size_t>(i)];
    }
    for (int64_t i = j + 1; i < m; ++i) R(i, j) = 0;
    for (int64_t row = 0; row < m; ++row) {  // q = q H
      double d = 0;
      for (int64_t i = j; i < m; ++i) d += Q(row, i) * v[static_cast<size_t>(i)];
      d *= 2 / vv;
      for (int64_t i = j; i < m; ++i) Q(row, i) -= d * v[static_cast<size_t>(i)];
    }
  }
}

void qr(const Tensor& x, std::span<const Tensor> outs) {
  const int64_t m = x.shape()[1], n = x.shape()[2], c = outs[0].shape()[2];
  for (int64_t b = 0; b < x.shape()[0]; ++b) {
    Matrix r = load(x, b), q;
    householder(r, q, m, n);
    store(outs[0], b * m * c, left_columns(q, m, m, c));
    r.resize(static_cast<size_t>(c * n));  // r's first c rows
    store(outs[1], b * c * n, r);
  }
}

// Cyclic Jacobi rotations of symmetric a (n x n) until its off-diagonal part vanishes; v
// accumulates them, so a = v diag(w) vᵀ at the end.
void jacobi_eigen(Matrix& a, Matrix& v, int64_t n) {
  auto A = [&a, n](int64_t i, int64_t j) -> double& { return a[static_cast<size_t>(i * n + j)]; };
  auto V = [&v, n](int64_t i, int64_t j) -> double& { return v[static_cast<size_t>(i * n + j)]; };
  v.assign(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i) V(i, i) = 1;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0, all = 0;
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        all += A(i, j) * A(i, j);
        if (i != j) off += A(i, j) * A(i, j);
      }
    }
    if (!(off > kEps * kEps * all)) break;  // also stops on NaN
    for (int64_t p = 0; p < n; ++p) {
      for (int64_t q = p + 1; q < n; ++q) {
        if (A(p, q) == 0) continue;
        // The rotation [c s; -s c] that zeroes a[p, q]: t = tan, the smaller root.
        const double theta = (A(q, q) - A(p, p)) / (2 * A(p, q));
        const double t = (theta >= 0 ? 1 : -1) / (std::abs(theta) + std::hypot(theta, 1.0));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int64_t k = 0; k < n; ++k) {  // columns: a J, v J
          const double kp = A(k, p), kq = A(k, q);
          A(k, p) = c * kp - s * kq;
          A(k, q) = s * kp + c * kq;
          const double vp = V(k, p), vq = V(k, q);
          V(k, p) = c * vp - s * vq;
          V(k, q) = s * vp + c * vq;
        }
        for (int64_t k = 0; k < n; ++k) {  // rows: Jᵀ (a J)
          const double pk = A(p, k), qk = A(q, k);
          A(p, k) = c * pk - s * qk;
          A(q, k) = s * pk + c * qk;
        }
        A(p, q) = A(q, p) = 0;
      }
    }
  }
}

void eigh(const Tensor& x, std::span<const Tensor> outs) {
  const int64_t n = x.shape()[1];
  for (int64_t b = 0; b < x.shape()[0]; ++b) {
    Matrix a = load(x, b), v;
    jacobi_eigen(a, v, n);
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), int64_t{0});
    std::stable_sort(order.begin(), order.end(), [&](int64_t i, int64_t j) {
      return a[static_cast<size_t>(i * n + i)] < a[static_cast<size_t>(j * n + j)];
    });
    std::vector<double> w(static_cast<size_t>(n));
    Matrix vs(v.size());
    for (int64_t c = 0; c < n; ++c) {
      const int64_t o = order[static_cast<size_t>(c)];
      w[static_cast<size_t>(c)] = a[static_cast<size_t>(o * n + o)];
      for (int64_t i = 0; i < n; ++i)
        vs[static_cast<size_t>(i * n + c)] = v[static_cast<size_t>(i * n + o)];
    }
    store(outs[0], b * n, w);
    store(outs[1], b * n * n, vs);
  }
}

// Makes the columns of q (rows x cols) from `valid` on orthonormal: each other column becomes
// the unit vector, among the standard basis orthogonalized against the columns before it, that
// keeps the most of its length.
void complete_basis(Matrix& q, int64_t rows, int64_t cols, int64_t valid) {
  auto Q = [&q, cols](int64_t i, int64_t j) -> double& {
    return q[static_cast<size_t>(i * cols + j)];
  };
  std::vector<double> best, cand(static_cast<size_t>(rows));
  for (int64_t j = valid; j < cols; ++j) {
    double best_norm = -1;
    for (int64_t e = 0; e < rows; ++e) {
      std::fill(cand.begin(), cand.end(), 0.0);
      cand[static_cast<size_t>(e)] = 1;
      for (int pass = 0; pass < 2; ++pass) {  // twice: Gram-Schmidt's lost orthogonality back
        for (int64_t c = 0; c < j; ++c) {
          double d = 0;
          for (int64_t i = 0; i < rows; ++i) d += Q(i, c) * cand[static_cast<size_t>(i)];
          for (int64_t i = 0; i < rows; ++i) cand[static_cast<size_t>(i)] -= d * Q(i, c);
        }
      }
      double norm = 0;
      for (double c : cand) norm += c * c;
      if (norm > best_norm) {
        best_norm = norm;
        best = cand;
      }
    }
    const double scale = 1 / std::sqrt(best_norm);
    for (int64_t i = 0; i < rows; ++i) Q(i, j) = best[static_cast<size_t>(i)] * scale;
  }
}

// One-sided Jacobi on the columns of a (m x n, m >= n): u (m x m), s (n), v (n x n) with
// a = u[:, :n] diag(s) vᵀ, s descending.
void jacobi_svd(
    const Matrix& a, int64_t m, int64_t n, Matrix& u, std::vector<double>& s, Matrix& v) {
  Matrix w = a;
  auto W = [&w, n](int64_t i, int64_t j) -> double& { return w[static_cast<size_t>(i * n + j)]; };
  Matrix rv(static_cast<size_t>(n * n), 0.0);
  auto RV = [&rv, n](int64_t i, int64_t j) -> double& {
    return rv[static_cast<size_t>(i * n + j)];
  };
  for (int64_t i = 0; i < n; ++i) RV(i, i) = 1;
  for (int sweep = 0; sweep < 100; ++sweep) {
    bool rotated = false;
    for (int64_t p = 0; p < n; ++p) {
      for (int64_t q = p + 1; q < n; ++q) {
        double alpha = 0, beta = 0, gamma = 0;
        for (int64_t i = 0; i < m; ++i) {
          alpha += W(i, p) * W(i, p);
          beta += W(i, q) * W(i, q);
          gamma += W(i, p) * W(i, q);
        }
        if (!(std::abs(gamma) > kEps * std::sqrt(alpha * beta))) continue;
        rotated = true;
        const double zeta = (beta - alpha) / (2 * gamma);
        const double t = (zeta >= 0 ? 1 : -1) / (std::abs(zeta) + std::hypot(zeta, 1.0));
        const double c = 1 / std::sqrt(t * t + 1), sn = t * c;
        for (int64_t i = 0; i < m; ++i) {
          const double ip = W(i, p), iq = W(i, q);
          W(i, p) = c * ip - sn * iq;
          W(i, q) = sn * ip + c * iq;
        }
        for (int64_t i = 0; i < n; ++i) {
          const double ip = RV(i, p), iq = RV(i, q);
          RV(i, p) = c * ip - sn * iq;
          RV(i, q) = sn * ip + c * iq;
        }
      }
    }
    if (!rotated) break;
  }
  std::vector<double> norms(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) {
    double sq = 0;
    for (int64_t i = 0; i < m; ++i) sq += W(i, j) * W(i, j);
    norms[static_cast<size_t>(j)] = std::sqrt(sq);
  }
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t i, int64_t j) {
    return norms[static_cast<size_t>(i)] > norms[static_cast<size_t>(j)];
  });
  s.assign(static_cast<size_t>(n), 0.0);
  u.assign(static_cast<size_t>(m * m), 0.0);
  v.assign(static_cast<size_t>(n * n), 0.0);
  const double largest = n > 0 ? norms[static_cast<size_t>(order[0])] : 0;
  int64_t valid = 0;  // leading columns of u with a direction of their own
  for (int64_t c = 0; c < n; ++c) {
    const int64_t o = order[static_cast<size_t>(c)];
    const double sigma = norms[static_cast<size_t>(o)];
    s[static_cast<size_t>(c)] = sigma;
    for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i * n + c)] = RV(i, o);
    if (sigma > largest * kEps * static_cast<double>(m) && valid == c) {
      for (int64_t i = 0; i < m; ++i) u[static_cast<size_t>(i * m + c)] = W(i, o) / sigma;
      ++valid;
    }
  }
  complete_basis(u, m, m, valid);
}

void svd(const Tensor& x, std::span<const Tensor> outs) {
  const int64_t m = x.shape()[1], n = x.shape()[2], k = std::min(m, n);
  const Tensor& tu = outs[1];
  const Tensor& tvt = outs[2];
  for (int64_t b = 0; b < x.shape()[0]; ++b) {
    const Matrix a = load(x, b);
    Matrix u, v;  // a = u diag(s) vᵀ with u (m x m), v (n x n)
    std::vector<double> s;
    if (m >= n) {
      jacobi_svd(a, m, n, u, s, v);
      complete_basis(v, n, n, n);
    } else {  // aᵀ = v' s u'ᵀ
      Matrix at(a.size());
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j)
          at[static_cast<size_t>(j * m + i)] = a[static_cast<size_t>(i * n + j)];
      }
      jacobi_svd(at, n, m, v, s, u);
    }
    store(outs[0], b * k, s);
    if (tu.defined()) {
      const int64_t cu = tu.shape()[2];
      store(tu, b * m * cu, left_columns(u, m, m, cu));
    }
    if (tvt.defined()) {
      const int64_t cv = tvt.shape()[1];
      Matrix vt(static_cast<size_t>(cv * n));
      for (int64_t r = 0; r < cv; ++r) {
        for (int64_t j = 0; j < n; ++j)
          vt[static_cast<size_t>(r * n + j)] = v[static_cast<size_t>(j * n + r)];
      }
      store(tvt, b * cv * n, vt);
    }
  }
}

}  // namespace

void factorize(Factorization kind, const Tensor& x, std::span<const Tensor> outs) {
  switch (kind) {
    case Factorization::lu:
      lu(x, outs);
      break;
    case Factorization::cholesky:
      cholesky(x, outs[0]);
      break;
    case Factorization::qr:
      qr(x, outs);
      break;
    case Factorization::eigh:
      eigh(x, outs);
      break;
    case Factorization::svd:
      svd(x, outs);
      break;
  }
}

void triangular_solve(const Tensor& a, const Tensor& b, const Tensor& x, TriangularSolveParams p) {
  const int64_t n = a.shape()[1], k = b.shape()[2];
  // op(a) is lower triangular when a is lower and not transposed, or upper and transposed.
  const bool forward = p.lower != p.transpose_a;
  for (int64_t batch = 0; batch < a.shape()[0]; ++batch) {
    const Matrix t = load(a, batch);
    Matrix y = load(b, batch);
    auto T = [&](int64_t i, int64_t j) {  // op(a)[i, j]
      return p.transpose_a ? t[static_cast<size_t>(j * n + i)] : t[static_cast<size_t>(i * n + j)];
    };
    for (int64_t step = 0; step < n; ++step) {
      const int64_t i = forward ? step : n - 1 - step;
      for (int64_t c = 0; c < k; ++c) {
        double s = y[static_cast<size_t>(i * k + c)];
        if (forward) {
          for (int64_t j = 0; j < i; ++j) s -= T(i, j) * y[static_cast<size_t>(j * k + c)];
        } else {
          for (int64_t j = i + 1; j < n; ++j) s -= T(i, j) * y[static_cast<size_t>(j * k + c)];
        }
        y[static_cast<size_t>(i * k + c)] = p.unit_diagonal ? s : s / T(i, i);
      }
    }
    store(x, batch * n * k, y);
  }
}

}  // namespace keras::ops::internal
