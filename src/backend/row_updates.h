// Helpers for the row-sparse optimizer kernels (Backend::*_update_rows): visiting each listed
// row once per step, and the per-element update rules shared with the dense kernels so that both
// compute bit-identical values.
#pragma once

#include <cmath>
#include <cstdint>
#include <utility>

#include "keras/backend/backend.h"

namespace keras::backend::rows {

// Calls f(id) for every id in `rows` (int32 or int64), in order, duplicates included.
template <class F>
void for_each_id(const Tensor& rows, F&& f) {
  auto visit = [&]<class I>(const I* ids) {
    for (int64_t i = 0; i < rows.size(); ++i) f(static_cast<int64_t>(ids[i]));
  };
  if (rows.dtype() == DType::int32) {
    visit(static_cast<const int32_t*>(rows.raw_data()));
  } else {
    visit(static_cast<const int64_t*>(rows.raw_data()));
  }
}

// The i-th id of `rows` (int32 or int64).
inline int64_t id_at(const Tensor& rows, int64_t i) {
  return rows.dtype() == DType::int32 ? static_cast<const int32_t*>(rows.raw_data())[i]
                                      : static_cast<const int64_t*>(rows.raw_data())[i];
}

// Calls f(i, row, last_step[row]) once for each distinct id `row` in `rows` (at position i)
// whose last_step is not yet `step` and for which keep(row) is true, then sets it to `step`.
template <class Keep, class F>
void for_each_new_row_if(
    const Tensor& rows, const Tensor& last_step, int64_t step, Keep&& keep, F&& f) {
  int64_t* last = static_cast<int64_t*>(last_step.raw_data());
  int64_t i = 0;
  for_each_id(rows, [&](int64_t r) {
    if (keep(r) && last[r] != step) {
      f(i, r, last[r]);
      last[r] = step;
    }
    ++i;
  });
}

// for_each_new_row_if for every row.
template <class F>
void for_each_new_row(const Tensor& rows, const Tensor& last_step, int64_t step, F&& f) {
  for_each_new_row_if(
      rows, last_step, step, [](int64_t) { return true; }, std::forward<F>(f));
}

// Row `row` (the i-th listed) of a row-sparse update's gradient `pg` with `n` elements per row.
template <class T>
const T* gradient_row(const T* pg, RowGradient layout, int64_t i, int64_t row, int64_t n) {
  return pg + (layout == RowGradient::compact ? i : row) * n;
}

// Checks a compact gradient's row count against the ids listed.
inline void check_layout(const Tensor& g, const Tensor& rows, RowGradient layout, const char* op) {
  if (layout != RowGradient::compact) return;
  KERAS_CHECK(!g.shape().empty() && g.shape()[0] == rows.size(), ValueError, op,
              ": a compact gradient has one row per listed id (", rows.size(), "), got shape ",
              shape_str(g.shape()));
}

// Elements per row of a tensor (the product of all dimensions after the first).
inline int64_t row_size(const Tensor& t) {
  return t.shape().empty() || t.shape()[0] == 0 ? 0 : t.size() / t.shape()[0];
}

// ---- the reference rules (double arithmetic, stored as T) ----

template <class T>
void sgd_ref(T* pw, const T* pg, T* pm, int64_t n, const SgdParams& p) {
  for (int64_t i = 0; i < n; ++i) {
    const double grad = pg[i];
    if (pm == nullptr) {
      pw[i] = static_cast<T>(pw[i] - p.learning_rate * grad);
      continue;
    }
    const double m = p.momentum * pm[i] - p.learning_rate * grad;
    pm[i] = static_cast<T>(m);
    pw[i] =
        static_cast<T>(p.nesterov ? pw[i] + p.momentum * m - p.learning_rate * grad : pw[i] + m);
  }
}

template <class T>
void adagrad_ref(T* pw, const T* pg, T* pa, int64_t n, const AdagradParams& p) {
  for (int64_t i = 0; i < n; ++i) {
    const double grad = pg[i];
    const double a = pa[i] + grad * grad;
    pa[i] = static_cast<T>(a);
    pw[i] = static_cast<T>(pw[i] - p.learning_rate * grad / std::sqrt(a + p.epsilon));
  }
}

template <class T>
void rmsprop_ref(T* pw, const T* pg, T* pv, T* pm, T* pa, int64_t n, const RmspropParams& p) {
  for (int64_t i = 0; i < n; ++i) {
    const double grad = pg[i];
    const double v = p.rho * pv[i] + (1.0 - p.rho) * grad * grad;
    pv[i] = static_cast<T>(v);
    double denominator = v + p.epsilon;
    if (pa != nullptr) {
      const double a = p.rho * pa[i] + (1.0 - p.rho) * grad;
      pa[i] = static_cast<T>(a);
      denominator = v - a * a + p.epsilon;
    }
    const double increment = p.learning_rate * grad / std::sqrt(denominator);
    if (pm != nullptr) {
      const double m = p.momentum * pm[i] + increment;
      pm[i] = static_cast<T>(m);
      pw[i] = static_cast<T>(pw[i] - m);
    } else {
      pw[i] = static_cast<T>(pw[i] - increment);
    }
  }
}

// What rmsprop_ref does to a slot element whose gradient is 0, `times` times.
template <class T>
void rmsprop_decay_ref(T* slot, int64_t n, int64_t times, double rho) {
  for (int64_t k = 0; k < times; ++k) {
    for (int64_t i = 0; i < n; ++i) slot[i] = static_cast<T>(rho * slot[i] + 0.0);
  }
}

}  // namespace keras::backend::rows
