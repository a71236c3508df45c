// Row-sparse optimizer updates (reference): the dense rules applied to the listed rows only.
#include "backend/row_updates.h"

#include "backend/reference/reference_backend.h"

namespace keras::backend {

void ReferenceBackend::fill_rows(const Tensor& y, const Tensor& rows, double value) {
  const int64_t n = rows::row_size(y);
  visit_dtype(y.dtype(), [&]<class T>() {
    T* py = static_cast<T*>(y.raw_data());
    rows::for_each_id(rows, [&](int64_t r) {
      KERAS_CHECK(r >= 0 && r < y.shape()[0], IndexError, "fill_rows: row ", r,
                  " is out of range [0, ", y.shape()[0], ")");
      std::fill(py + r * n, py + (r + 1) * n, static_cast<T>(value));
    });
  });
}

void ReferenceBackend::sgd_update_rows(const Tensor& w,
                                       const Tensor& g,
                                       const Tensor& rows,
                                       RowGradient layout,
                                       const Tensor& last_step,
                                       int64_t step,
                                       const SgdParams& p) {
  rows::check_layout(g, rows, layout, "sgd_update_rows");
  KERAS_CHECK(p.momentum == 0, ValueError, "sgd_update_rows: momentum is not supported");
  const int64_t n = rows::row_size(w);
  visit_floating(w, "sgd_update_rows", [&]<class T>() {
    T* pw = static_cast<T*>(w.raw_data());
    const T* pg = static_cast<const T*>(g.raw_data());
    rows::for_each_new_row(rows, last_step, step, [&](int64_t i, int64_t r, int64_t) {
      rows::sgd_ref(pw + r * n, rows::gradient_row(pg, layout, i, r, n), static_cast<T*>(nullptr),
                    n, p);
    });
  });
}

void ReferenceBackend::rmsprop_update_rows(const Tensor& w,
                                           const Tensor& g,
                                           const Tensor& rows,
                                           RowGradient layout,
                                           const Tensor& velocity,
                                           const Tensor& average_gradient,
                                           const Tensor& last_step,
                                           int64_t step,
                                           const RmspropParams& p) {
  rows::check_layout(g, rows, layout, "rmsprop_update_rows");
  KERAS_CHECK(p.momentum == 0, ValueError, "rmsprop_update_rows: momentum is not supported");
  const int64_t n = rows::row_size(w);
  visit_floating(w, "rmsprop_update_rows", [&]<class T>() {
    T* pw = static_cast<T*>(w.raw_data());
    const T* pg = static_cast<const T*>(g.raw_data());
    T* pv = static_cast<T*>(velocity.raw_data());
    T* pa = average_gradient.defined() ? static_cast<T*>(average_gradient.raw_data()) : nullptr;
    rows::for_each_new_row(rows, last_step, step, [&](int64_t i, int64_t r, int64_t last) {
      const int64_t o = r * n;
      rows::rmsprop_decay_ref(pv + o, n, step - 1 - last, p.rho);
      if (pa != nullptr) rows::rmsprop_decay_ref(pa + o, n, step - 1 - last, p.rho);
      rows::rmsprop_ref(pw + o, rows::gradient_row(pg, layout, i, r, n), pv + o,
                        static_cast<T*>(nullptr), pa != nullptr ? pa + o : nullptr, n, p);
    });
  });
}

void ReferenceBackend::rmsprop_catch_up(const Tensor& velocity,
                                        const Tensor& average_gradient,
                                        const Tensor& last_step,
                                        int64_t step,
                                        const RmspropParams& p) {
  const int64_t n = rows::row_size(velocity);
  int64_t* last = static_cast<int64_t*>(last_step.raw_data());
  visit_floating(velocity, "rmsprop_catch_up", [&]<class T>() {
    T* pv = static_cast<T*>(velocity.raw_data());
    T* pa = average_gradient.defined() ? static_cast<T*>(average_gradient.raw_data()) : nullptr;
    for (int64_t r = 0; r < last_step.size(); ++r) {
      if (last[r] >= step) continue;
      rows::rmsprop_decay_ref(pv + r * n, n, step - last[r], p.rho);
      if (pa != nullptr) rows::rmsprop_decay_ref(pa + r * n, n, step - last[r], p.rho);
      last[r] = step;
    }
  });
}

void ReferenceBackend::adagrad_update_rows(const Tensor& w,
                                           const Tensor& g,
                                           const Tensor& rows,
                                           RowGradient layout,
                                           const Tensor& accumulator,
                                           const Tensor& last_step,
                                           int64_t step,
                                           const AdagradParams& p) {
  rows::check_layout(g, rows, layout, "adagrad_update_rows");
  const int64_t n = rows::row_size(w);
  visit_floating(w, "adagrad_update_rows", [&]<class T>() {
    T* pw = static_cast<T*>(w.raw_data());
    const T* pg = static_cast<const T*>(g.raw_data());
    T* pa = static_cast<T*>(accumulator.raw_data());
    rows::for_each_new_row(rows, last_step, step, [&](int64_t i, int64_t r, int64_t) {
      rows::adagrad_ref(pw + r * n, rows::gradient_row(pg, layout, i, r, n), pa + r * n, n, p);
    });
  });
}

}  // namespace keras::backend
