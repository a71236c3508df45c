#include <algorithm>
#include <cmath>
#include <vector>

#include "backend/kernel_data.h"
#include "backend/lstm_cell.h"
#include "backend/lstm_sequence.h"
#include "backend/reference/reference_backend.h"
#include "backend/unary_math.h"

namespace keras::backend {

void ReferenceBackend::lstm_cell(const Tensor& z,
                                 const Tensor& c_prev,
                                 const Tensor& h,
                                 const Tensor& c,
                                 const Tensor& workspace) {
  visit_floating(z, "lstm_cell", [&]<class T>() {
    lstm_cell_forward<T>(
        static_cast<const T*>(z.raw_data()), static_cast<const T*>(c_prev.raw_data()),
        static_cast<T*>(h.raw_data()), static_cast<T*>(c.raw_data()),
        static_cast<T*>(workspace.raw_data()), c.dim(0), c.dim(1),
        [](T x) { return sigmoid_scalar(x); }, [](T x) { return std::tanh(x); });
  });
}

void ReferenceBackend::lstm_cell_backward(const Tensor& dh,
                                          const Tensor& dc,
                                          const Tensor& c_prev,
                                          const Tensor& workspace,
                                          const Tensor& dz,
                                          const Tensor& dc_prev) {
  visit_floating(dh, "lstm_cell_backward", [&]<class T>() {
    lstm_cell_backward_loops<T>(
        static_cast<const T*>(dh.raw_data()), static_cast<const T*>(dc.raw_data()),
        static_cast<const T*>(c_prev.raw_data()), static_cast<const T*>(workspace.raw_data()),
        static_cast<T*>(dz.raw_data()), static_cast<T*>(dc_prev.raw_data()), dh.dim(0), dh.dim(1));
  });
}

namespace {

// Row-major C = op(A) op(B) + beta C, the plain loops (C is not read when beta is 0, as in
// BLAS: it may hold garbage).
struct NaiveGemm {
  template <class T>
  void operator()(bool ta,
                  bool tb,
                  int64_t m,
                  int64_t n,
                  int64_t k,
                  const T* a,
                  int64_t lda,
                  const T* b,
                  int64_t ldb,
                  T beta,
                  T* c,
                  int64_t ldc) const {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        T sum = 0;
        for (int64_t p = 0; p < k; ++p) {
          sum += (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
        }
        c[i * ldc + j] = beta == T(0) ? sum : beta * c[i * ldc + j] + sum;  // BLAS: C unread
      }
    }
  }
};

}  // namespace

void ReferenceBackend::lstm_sequence(const LstmSequenceArgs& a) {
  visit_floating(a.xs, "lstm_sequence", [&]<class T>() {
    const LstmSequence<T> s = sequence_of<T>(a);
    std::vector<T> z(static_cast<size_t>(s.batch * s.gates()));
    lstm_sequence_rows(s, 0, s.batch, z.data(), NaiveGemm{},
                       [u = s.units](const T* zb, const T* c_prev, T* h, T* c, T* w) {
                         lstm_cell_forward<T>(
                             zb, c_prev, h, c, w, 1, u, [](T x) { return sigmoid_scalar(x); },
                             [](T x) { return std::tanh(x); });
                       });
  });
}

void ReferenceBackend::lstm_sequence_backward(const LstmSequenceArgs& a,
                                              const LstmSequenceGrads& g) {
  visit_floating(g.dhs, "lstm_sequence_backward", [&]<class T>() {
    const LstmSequence<T> s = sequence_of<T>(a);
    lstm_sequence_backward_rows(s, kernel_data<T>(g.dhs), kernel_data<T>(g.dc_last), 0, s.batch,
                                kernel_data<T>(g.dxs), kernel_data<T>(g.dh0), kernel_data<T>(g.dc0),
                                kernel_data<T>(g.du), NaiveGemm{});
  });
}

// The differentiable path's arithmetic: every step projected, then lstm_sequence's recurrence.
void ReferenceBackend::lstm_inference(const LstmInferenceArgs& a) {
  visit_floating(a.x, "lstm_inference", [&]<class T>() {
    const int64_t batch = a.x.dim(0), steps = a.x.dim(1), features = a.x.dim(2);
    const int64_t u = a.h0.dim(1), g = 4 * u, rows = batch * steps;
    std::vector<T> xs(static_cast<size_t>(rows * g)), hs(static_cast<size_t>(rows * u));
    std::vector<T> cs(hs.size()), ws(static_cast<size_t>(rows * 5 * u));
    NaiveGemm{}(false, false, rows, g, features, kernel_data<T>(a.x), features,
                kernel_data<T>(a.kernel), g, T(0), xs.data(), g);
    if (a.bias.defined()) {
      const T* bias = kernel_data<T>(a.bias);
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < g; ++j) xs[r * g + j] += bias[j];
      }
    }
    const LstmSequence<T> s{xs.data(),
                            kernel_data<T>(a.u_kernel),
                            kernel_data<T>(a.h0),
                            kernel_data<T>(a.c0),
                            hs.data(),
                            cs.data(),
                            ws.data(),
                            batch,
                            steps,
                            u,
                            a.reverse};
    std::vector<T> z(static_cast<size_t>(batch * g));
    lstm_sequence_rows(s, 0, batch, z.data(), NaiveGemm{},
                       [u](const T* zb, const T* c_prev, T* h, T* c, T* w) {
                         lstm_cell_forward<T>(
                             zb, c_prev, h, c, w, 1, u, [](T x) { return sigmoid_scalar(x); },
                             [](T x) { return std::tanh(x); });
                       });
    if (a.hs.defined()) std::copy(hs.begin(), hs.end(), kernel_data<T>(a.hs));
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t last = s.row(b, steps - 1) * u;
      std::copy(hs.begin() + last, hs.begin() + last + u, kernel_data<T>(a.h) + b * u);
      std::copy(cs.begin() + last, cs.begin() + last + u, kernel_data<T>(a.c) + b * u);
    }
  });
}

}  // namespace keras::backend
