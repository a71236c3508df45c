// LSTM kernels in float32: the cell as contiguous passes that GCC vectorizes, and the whole
// sequence with the batch split across OpenMP threads, each running its rows' recurrence with
// single-threaded GEMMs. One fork per sequence instead of a (tiny, two-thread) GEMM per step.
#include <algorithm>

#include "backend/cpu/blas.h"
#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/fast_math.h"
#include "backend/cpu/parallel.h"
#include "backend/cpu/scratch.h"
#include "backend/kernel_data.h"
#include "backend/lstm_sequence.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace keras::backend {
namespace {

// Same arithmetic as backend/lstm_cell.h, one batch row (the interleaved loop does not
// vectorize).
void cell_row(const float* zb, const float* cp, float* hb, float* cb, float* wb, int64_t units) {
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

struct Sgemm {
  template <class... Args>
  void operator()(Args... args) const {
    blas::gemm(args...);
  }
};

// Threads for `batch` independent rows: at least 8 rows each, and only where our threads may call
// GEMM (blas::gemm_nests_in_openmp).
int row_threads(int64_t batch) {
#ifdef _OPENMP
  if (!blas::gemm_nests_in_openmp()) return 1;
  return static_cast<int>(std::clamp<int64_t>(batch / 8, 1, num_threads()));
#else
  (void)batch;
  return 1;
#endif
}

}  // namespace

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
    cell_row(kernel_data<float>(z) + b * 4 * units, kernel_data<float>(c_prev) + b * units,
             kernel_data<float>(h) + b * units, kernel_data<float>(c) + b * units,
             kernel_data<float>(workspace) + b * 5 * units, units);
  }
}

void CpuBackend::lstm_sequence(const LstmSequenceArgs& a) {
  if (a.xs.dtype() != DType::float32) {
    ReferenceBackend::lstm_sequence(a);
    return;
  }
  const LstmSequence<float> s = sequence_of<float>(a);
  split_rows(s.batch, row_threads(s.batch), [&](int, int64_t r0, int64_t r1) {
    lstm_sequence_rows(s, r0, r1, scratch<float, 0>(static_cast<size_t>((r1 - r0) * s.gates())),
                       Sgemm{},
                       [u = s.units](const float* zb, const float* cp, float* h, float* c,
                                     float* w) { cell_row(zb, cp, h, c, w, u); });
  });
}

void CpuBackend::lstm_sequence_backward(const LstmSequenceArgs& a, const LstmSequenceGrads& g) {
  if (g.dhs.dtype() != DType::float32) {
    ReferenceBackend::lstm_sequence_backward(a, g);
    return;
  }
  const LstmSequence<float> s = sequence_of<float>(a);
  const int threads = row_threads(s.batch);
  const int64_t du_size = s.units * s.gates();
  // Thread 0 writes du itself; the others' shares are added after the join.
  float* du_shares = scratch<float, 1>(static_cast<size_t>((threads - 1) * du_size));
  split_rows(s.batch, threads, [&](int t, int64_t r0, int64_t r1) {
    float* part = t == 0 ? kernel_data<float>(g.du) : du_shares + (t - 1) * du_size;
    lstm_sequence_backward_rows(s, kernel_data<float>(g.dhs), kernel_data<float>(g.dc_last), r0, r1,
                                kernel_data<float>(g.dxs), kernel_data<float>(g.dh0),
                                kernel_data<float>(g.dc0), part, Sgemm{});
  });
  float* out = kernel_data<float>(g.du);
  for (int t = 1; t < threads; ++t) {
    const float* part = du_shares + (t - 1) * du_size;
    for (int64_t j = 0; j < du_size; ++j) out[j] += part[j];
  }
}

}  // namespace keras::backend
