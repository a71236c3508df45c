// Row-sparse RMSprop (CPU): the float32 rule of CpuBackend::rmsprop_update on listed rows only.
#include "backend/row_updates.h"

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/parallel.h"
#include "backend/cpu/rmsprop_f32.h"

namespace keras::backend {
namespace {

// The cases CpuBackend::rmsprop_update computes itself; the others run the reference rule.
bool fast_rmsprop(const Tensor& w, const Tensor& average_gradient, const RmspropParams& p) {
  return w.dtype() == DType::float32 && p.momentum == 0 && !average_gradient.defined();
}

// Fetches a row about to be updated. The listed rows lie scattered over the table, so each
// would start with misses the hardware prefetcher cannot foresee; fetching a few ids ahead
// overlaps them with the current row's arithmetic.
constexpr int64_t kAhead = 2;
template <int kForWrite>
void prefetch_row(const float* p, int64_t n) {
  for (int64_t j = 0; j < n; j += 16) __builtin_prefetch(p + j, kForWrite);
}

}  // namespace

void CpuBackend::rmsprop_update_rows(const Tensor& w,
                                     const Tensor& g,
                                     const Tensor& rows,
                                     RowGradient layout,
                                     const Tensor& velocity,
                                     const Tensor& average_gradient,
                                     const Tensor& last_step,
                                     int64_t step,
                                     const RmspropParams& p) {
  if (!fast_rmsprop(w, average_gradient, p)) {
    ReferenceBackend::rmsprop_update_rows(w, g, rows, layout, velocity, average_gradient, last_step,
                                          step, p);
    return;
  }
  rows::check_layout(g, rows, layout, "rmsprop_update_rows");
  const int64_t n = rows::row_size(w);
  float* pw = static_cast<float*>(w.raw_data());
  const float* pg = static_cast<const float*>(g.raw_data());
  float* pv = static_cast<float*>(velocity.raw_data());
  const int64_t count = rows.size();
  // Large updates (an Embedding's: thousands of rows) on every thread, each its own rows.
  on_each_thread(chunk_threads(count * n, n), [&](int t, int threads) {
    auto mine = [&](int64_t r) { return owns_row(r, t, threads); };
    rows::for_each_new_row_if(rows, last_step, step, mine, [&](int64_t i, int64_t r, int64_t last) {
      if (i + kAhead < count) {
        const int64_t next = rows::id_at(rows, i + kAhead);
        if (mine(next)) {
          prefetch_row<1>(pw + next * n, n);
          prefetch_row<1>(pv + next * n, n);
          if (layout == RowGradient::table) prefetch_row<0>(pg + next * n, n);
        }
      }
      rows::rmsprop_decay_f32(pv + r * n, n, step - 1 - last, p);
      rows::rmsprop_f32(pw + r * n, rows::gradient_row(pg, layout, i, r, n), pv + r * n, n, p);
    });
  });
}

void CpuBackend::rmsprop_catch_up(const Tensor& velocity,
                                  const Tensor& average_gradient,
                                  const Tensor& last_step,
                                  int64_t step,
                                  const RmspropParams& p) {
  if (!fast_rmsprop(velocity, average_gradient, p)) {
    ReferenceBackend::rmsprop_catch_up(velocity, average_gradient, last_step, step, p);
    return;
  }
  const int64_t n = rows::row_size(velocity);
  float* pv = static_cast<float*>(velocity.raw_data());
  int64_t* last = static_cast<int64_t*>(last_step.raw_data());
  for (int64_t r = 0; r < last_step.size(); ++r) {
    if (last[r] >= step) continue;
    rows::rmsprop_decay_f32(pv + r * n, n, step - last[r], p);
    last[r] = step;
  }
}

}  // namespace keras::backend
