#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/fast_math.h"

namespace keras::backend {

// Same arithmetic as backend/lstm_cell.h, written as contiguous passes so that GCC vectorizes
// each one (the interleaved single loop does not vectorize).
void CpuBackend::lstm_cell(const Tensor& z,
                           const Tensor& c_prev,
                           const Tensor& h,
                           const Tensor& c,
                           const Tensor& workspace) {
  if (z.dtype() != DType::float32) {
    ReferenceBackend::lstm_cell(z, c_prev, h, c, workspace);
    return;
  }
  const int64_t batch = c.dim(0), units = c.dim(1);
  for (int64_t b = 0; b < batch; ++b) {
    const float* zb = static_cast<const float*>(z.raw_data()) + b * 4 * units;
    float* wb = static_cast<float*>(workspace.raw_data()) + b * 5 * units;
    const float* cp = static_cast<const float*>(c_prev.raw_data()) + b * units;
    float* cb = static_cast<float*>(c.raw_data()) + b * units;
    float* hb = static_cast<float*>(h.raw_data()) + b * units;
    float* i = wb;
    float* f = wb + units;
    float* g = wb + 2 * units;
    float* o = wb + 3 * units;
    float* tc = wb + 4 * units;
    for (int64_t u = 0; u < 2 * units; ++u) wb[u] = fast::sigmoid(zb[u]);  // i and f
    for (int64_t u = 0; u < units; ++u) g[u] = fast::tanh(zb[2 * units + u]);
    for (int64_t u = 0; u < units; ++u) o[u] = fast::sigmoid(zb[3 * units + u]);
    for (int64_t u = 0; u < units; ++u) cb[u] = f[u] * cp[u] + i[u] * g[u];
    for (int64_t u = 0; u < units; ++u) tc[u] = fast::tanh(cb[u]);
    for (int64_t u = 0; u < units; ++u) hb[u] = o[u] * tc[u];
  }
}

}  // namespace keras::backend
