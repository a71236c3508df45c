#include <algorithm>
#include <cmath>

#include "backend/masked_rows.h"
#include "backend/reference/reference_backend.h"
#include "backend/row_updates.h"

namespace keras::backend {

void ReferenceBackend::gemm(const Tensor& a, const Tensor& b, const Tensor& y, GemmParams p) {
  const bool batched = y.rank() == 3;
  const int64_t batch = batched ? y.shape()[0] : 1;
  const int ra = a.rank(), rb = b.rank();
  const int64_t m = y.shape()[y.rank() - 2], n = y.shape()[y.rank() - 1];
  const int64_t k = p.transpose_a ? a.shape()[ra - 2] : a.shape()[ra - 1];
  const int64_t a_rows = a.shape()[ra - 2], a_cols = a.shape()[ra - 1];
  const int64_t b_rows = b.shape()[rb - 2], b_cols = b.shape()[rb - 1];
  visit_floating(y, "gemm", [&]<class T>() {
    for (int64_t bi = 0; bi < batch; ++bi) {
      const T* pa = static_cast<const T*>(a.raw_data()) + (ra == 3 ? bi * a_rows * a_cols : 0);
      const T* pb = static_cast<const T*>(b.raw_data()) + (rb == 3 ? bi * b_rows * b_cols : 0);
      T* py = static_cast<T*>(y.raw_data()) + bi * m * n;
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          double acc = 0.0;
          for (int64_t q = 0; q < k; ++q) {
            const T av = p.transpose_a ? pa[q * a_cols + i] : pa[i * a_cols + q];
            const T bv = p.transpose_b ? pb[j * b_cols + q] : pb[q * b_cols + j];
            acc += static_cast<double>(av) * static_cast<double>(bv);
          }
          const double prev = p.beta == 0.0 ? 0.0 : p.beta * static_cast<double>(py[i * n + j]);
          py[i * n + j] = static_cast<T>(p.alpha * acc + prev);
        }
      }
    }
  });
}

namespace {

template <class T, class F>
void for_each_row(const Tensor& x, F&& f) {
  const int64_t n = x.shape().empty() ? 1 : x.shape().back();
  const int64_t rows = n == 0 ? 0 : x.size() / n;
  for (int64_t r = 0; r < rows; ++r) f(r * n, n);
}

}  // namespace

void ReferenceBackend::softmax(const Tensor& x, const Tensor& y) {
  visit_floating(x, "softmax", [&]<class T>() {
    const T* in = static_cast<const T*>(x.raw_data());
    T* out = static_cast<T*>(y.raw_data());
    for_each_row<T>(x, [&](int64_t o, int64_t n) {
      const T mx = *std::max_element(in + o, in + o + n);
      double sum = 0.0;
      for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(in[o + i] - mx));
      for (int64_t i = 0; i < n; ++i) {
        out[o + i] = static_cast<T>(std::exp(static_cast<double>(in[o + i] - mx)) / sum);
      }
    });
  });
}

void ReferenceBackend::softmax_backward(const Tensor& y, const Tensor& dy, const Tensor& dx) {
  visit_floating(y, "softmax_backward", [&]<class T>() {
    const T* py = static_cast<const T*>(y.raw_data());
    const T* g = static_cast<const T*>(dy.raw_data());
    T* out = static_cast<T*>(dx.raw_data());
    for_each_row<T>(y, [&](int64_t o, int64_t n) {
      double dot = 0.0;
      for (int64_t i = 0; i < n; ++i) dot += static_cast<double>(py[o + i]) * g[o + i];
      for (int64_t i = 0; i < n; ++i) out[o + i] = static_cast<T>(py[o + i] * (g[o + i] - dot));
    });
  });
}

void ReferenceBackend::log_softmax(const Tensor& x, const Tensor& y) {
  visit_floating(x, "log_softmax", [&]<class T>() {
    const T* in = static_cast<const T*>(x.raw_data());
    T* out = static_cast<T*>(y.raw_data());
    for_each_row<T>(x, [&](int64_t o, int64_t n) {
      const T mx = *std::max_element(in + o, in + o + n);
      double sum = 0.0;
      for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(in[o + i] - mx));
      const double lse = std::log(sum);
      for (int64_t i = 0; i < n; ++i) out[o + i] = static_cast<T>(in[o + i] - mx - lse);
    });
  });
}

void ReferenceBackend::log_softmax_backward(const Tensor& y, const Tensor& dy, const Tensor& dx) {
  visit_floating(y, "log_softmax_backward", [&]<class T>() {
    const T* py = static_cast<const T*>(y.raw_data());
    const T* g = static_cast<const T*>(dy.raw_data());
    T* out = static_cast<T*>(dx.raw_data());
    for_each_row<T>(y, [&](int64_t o, int64_t n) {
      double sum = 0.0;
      for (int64_t i = 0; i < n; ++i) sum += g[o + i];
      for (int64_t i = 0; i < n; ++i) {
        out[o + i] = static_cast<T>(g[o + i] - std::exp(static_cast<double>(py[o + i])) * sum);
      }
    });
  });
}

namespace {

// Runs draw(generator) from `state` and returns the state after it.
template <class F>
RandomState draw_from(RandomState state, F&& draw) {
  Generator gen;
  gen.set_state(state);
  draw(gen);
  return gen.state();
}

}  // namespace

RandomState ReferenceBackend::random_uniform(const Tensor& y,
                                             double low,
                                             double high,
                                             RandomState state) {
  return draw_from(state, [&](Generator& gen) {
    visit_floating(y, "random_uniform", [&]<class T>() {
      T* out = static_cast<T*>(y.raw_data());
      for (int64_t i = 0; i < y.size(); ++i)
        out[i] = static_cast<T>(low + (high - low) * gen.next_double());
    });
  });
}

RandomState ReferenceBackend::random_normal(const Tensor& y,
                                            double mean,
                                            double stddev,
                                            RandomState state) {
  return draw_from(state, [&](Generator& gen) {
    visit_floating(y, "random_normal", [&]<class T>() {
      T* out = static_cast<T*>(y.raw_data());
      for (int64_t i = 0; i < y.size(); ++i)
        out[i] = static_cast<T>(mean + stddev * gen.next_normal());
    });
  });
}

RandomState ReferenceBackend::random_truncated_normal(const Tensor& y,
                                                      double mean,
                                                      double stddev,
                                                      RandomState state) {
  return draw_from(state, [&](Generator& gen) {
    visit_floating(y, "random_truncated_normal", [&]<class T>() {
      T* out = static_cast<T*>(y.raw_data());
      for (int64_t i = 0; i < y.size(); ++i) {
        double z = gen.next_normal();
        while (std::abs(z) > 2.0) z = gen.next_normal();
        out[i] = static_cast<T>(mean + stddev * z);
      }
    });
  });
}

RandomState ReferenceBackend::random_bernoulli(const Tensor& y, double p, RandomState state) {
  return draw_from(state, [&](Generator& gen) {
    visit_floating(y, "random_bernoulli", [&]<class T>() {
      T* out = static_cast<T*>(y.raw_data());
      for (int64_t i = 0; i < y.size(); ++i) out[i] = gen.next_double() < p ? T(1) : T(0);
    });
  });
}

RandomState ReferenceBackend::random_randint(const Tensor& y,
                                             int64_t low,
                                             int64_t high,
                                             RandomState state) {
  const uint64_t span = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  return draw_from(state, [&](Generator& gen) {
    visit_dtype(y.dtype(), [&]<class T>() {
      T* out = static_cast<T*>(y.raw_data());
      for (int64_t i = 0; i < y.size(); ++i)
        out[i] = static_cast<T>(low + static_cast<int64_t>(gen.next_below(span)));
    });
  });
}

RandomState ReferenceBackend::random_permutation(const Tensor& y, RandomState state) {
  KERAS_CHECK(y.dtype() == DType::int64, TypeError,
              "random_permutation: expected an int64 output, got ", y.dtype());
  return draw_from(state, [&](Generator& gen) {
    auto* p = static_cast<int64_t*>(y.raw_data());
    const int64_t n = y.size();
    for (int64_t i = 0; i < n; ++i) p[i] = i;
    for (int64_t i = n - 1; i > 0; --i) {
      std::swap(p[i], p[static_cast<int64_t>(gen.next_below(static_cast<uint64_t>(i + 1)))]);
    }
  });
}

// ---- optimizers: Keras 3 update rules, computed in double ----

void ReferenceBackend::sgd_update(const Tensor& w,
                                  const Tensor& g,
                                  const Tensor& momentum,
                                  const SgdParams& p) {
  visit_floating(w, "sgd_update", [&]<class T>() {
    T* pm = momentum.defined() ? static_cast<T*>(momentum.raw_data()) : nullptr;
    rows::sgd_ref(static_cast<T*>(w.raw_data()), static_cast<const T*>(g.raw_data()), pm, w.size(),
                  p);
  });
}

void ReferenceBackend::rmsprop_update(const Tensor& w,
                                      const Tensor& g,
                                      const Tensor& velocity,
                                      const Tensor& momentum,
                                      const Tensor& average_gradient,
                                      const RmspropParams& p) {
  visit_floating(w, "rmsprop_update", [&]<class T>() {
    auto slot = [](const Tensor& t) {
      return t.defined() ? static_cast<T*>(t.raw_data()) : nullptr;
    };
    rows::rmsprop_ref(static_cast<T*>(w.raw_data()), static_cast<const T*>(g.raw_data()),
                      slot(velocity), slot(momentum), slot(average_gradient), w.size(), p);
  });
}

void ReferenceBackend::adam_update(const Tensor& w,
                                   const Tensor& g,
                                   const Tensor& m,
                                   const Tensor& v,
                                   const Tensor& v_hat,
                                   const AdamParams& p) {
  const double t = static_cast<double>(p.step);
  const double alpha =
      p.learning_rate * std::sqrt(1.0 - std::pow(p.beta_2, t)) / (1.0 - std::pow(p.beta_1, t));
  visit_floating(w, "adam_update", [&]<class T>() {
    T* pw = static_cast<T*>(w.raw_data());
    const T* pg = static_cast<const T*>(g.raw_data());
    T* pm = static_cast<T*>(m.raw_data());
    T* pv = static_cast<T*>(v.raw_data());
    T* ph = v_hat.defined() ? static_cast<T*>(v_hat.raw_data()) : nullptr;
    for (int64_t i = 0; i < w.size(); ++i) {
      double wi = pw[i];
      if (p.weight_decay != 0.0) wi -= wi * p.weight_decay * p.learning_rate;
      const double grad = pg[i];
      const double mi = pm[i] + (grad - pm[i]) * (1.0 - p.beta_1);
      double vi = pv[i] + (grad * grad - pv[i]) * (1.0 - p.beta_2);
      pm[i] = static_cast<T>(mi);
      pv[i] = static_cast<T>(vi);
      if (ph != nullptr) {
        vi = std::max<double>(ph[i], vi);
        ph[i] = static_cast<T>(vi);
      }
      pw[i] = static_cast<T>(wi - alpha * mi / (std::sqrt(vi) + p.epsilon));
    }
  });
}

void ReferenceBackend::adagrad_update(const Tensor& w,
                                      const Tensor& g,
                                      const Tensor& accumulator,
                                      const AdagradParams& p) {
  visit_floating(w, "adagrad_update", [&]<class T>() {
    rows::adagrad_ref(static_cast<T*>(w.raw_data()), static_cast<const T*>(g.raw_data()),
                      static_cast<T*>(accumulator.raw_data()), w.size(), p);
  });
}

}  // namespace keras::backend

namespace keras::backend {

void ReferenceBackend::masked_softmax(const Tensor& x,
                                      const Tensor& mask,
                                      const Tensor& y,
                                      bool uniform_empty_rows) {
  visit_floating(x, "masked_softmax", [&]<class T>() {
    const T* in = static_cast<const T*>(x.raw_data());
    const bool* m = static_cast<const bool*>(mask.raw_data());
    T* out = static_cast<T*>(y.raw_data());
    for_each_masked_row(x, mask, [&](int64_t o, int64_t mo, int64_t ms, int64_t n) {
      bool any = false;
      T mx = 0;
      for (int64_t i = 0; i < n; ++i) {
        if (m[mo + i * ms] && (!any || in[o + i] > mx)) mx = in[o + i];
        any = any || m[mo + i * ms];
      }
      if (!any) {
        for (int64_t i = 0; i < n; ++i) out[o + i] = uniform_empty_rows ? T(1.0 / n) : T(0);
        return;
      }
      double sum = 0.0;
      for (int64_t i = 0; i < n; ++i) {
        if (m[mo + i * ms]) sum += std::exp(static_cast<double>(in[o + i] - mx));
      }
      for (int64_t i = 0; i < n; ++i) {
        out[o + i] = m[mo + i * ms]
                         ? static_cast<T>(std::exp(static_cast<double>(in[o + i] - mx)) / sum)
                         : T(0);
      }
    });
  });
}

}  // namespace keras::backend
