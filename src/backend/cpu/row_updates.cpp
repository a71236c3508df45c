// Row-sparse RMSprop (CPU): the float32 rule of CpuBackend::rmsprop_update on listed rows only.
#include "backend/row_updates.h"

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/rmsprop_f32.h"

namespace keras::backend {
namespace {

// The cases CpuBackend::rmsprop_update computes itself; the others run the reference rule.
bool fast_rmsprop(const Tensor& w, const Tensor& average_gradient, const RmspropParams& p) {
  return w.dtype() == DType::float32 && p.momentum == 0 && !average_gradient.defined();
}

}  // namespace

void CpuBackend::rmsprop_update_rows(const Tensor& w,
                                     const Tensor& g,
                                     const Tensor& rows,
                                     const Tensor& velocity,
                                     const Tensor& average_gradient,
                                     const Tensor& last_step,
                                     int64_t step,
                                     const RmspropParams& p) {
  if (!fast_rmsprop(w, average_gradient, p)) {
    ReferenceBackend::rmsprop_update_rows(w, g, rows, velocity, average_gradient, last_step, step,
                                          p);
    return;
  }
  const int64_t n = rows::row_size(w);
  float* pw = static_cast<float*>(w.raw_data());
  const float* pg = static_cast<const float*>(g.raw_data());
  float* pv = static_cast<float*>(velocity.raw_data());
  rows::for_each_new_row(rows, last_step, step, [&](int64_t r, int64_t last) {
    rows::rmsprop_decay_f32(pv + r * n, n, step - 1 - last, p);
    rows::rmsprop_f32(pw + r * n, pg + r * n, pv + r * n, n, p);
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
