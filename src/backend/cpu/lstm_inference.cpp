// LSTM inference in float32 (Backend::lstm_inference): the input projection done inside the
// recurrence, so that the (batch, steps, 4u) projected inputs never go through memory, and
// nothing written that only a backward needs. Each OpenMP thread owns a range of batch rows and
// runs their whole recurrence with single-threaded GEMMs: one fork per layer. Inputs that are
// mostly zeros (one-hot or multi-hot steps, as the guide's tweets) are projected by adding the
// kernel rows of their nonzero entries instead of a GEMM (sparse_gemm.h).
#include <algorithm>
#include <cstdint>

#include "backend/cpu/blas.h"
#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/fast_math.h"
#include "backend/cpu/parallel.h"
#include "backend/cpu/scratch.h"
#include "backend/cpu/sparse_gemm.h"
#include "backend/cpu/vec16.h"
#include "backend/kernel_data.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace keras::backend {
namespace {

// A row range projects all its steps in one GEMM when their projections fit in this many floats
// (half of a 1 MiB L2), else one step at a time (a GEMM of the rows' inputs at that step).
constexpr int64_t kProjectAllFloats = int64_t{1} << 17;
// Step-at-a-time rows run in blocks of this many, so that a step's inputs, projections and
// states stay in L2 between its GEMMs and the cell.
constexpr int64_t kBlockRows = 64;
// A thread is worth its fork when it gets at least this many multiply-adds.
constexpr int64_t kMinThreadWork = int64_t{1} << 20;

struct Raw {
  const float *x, *kernel, *bias, *u_kernel, *h0, *c0;
  float *hs, *h, *c;
  int64_t batch, steps, features, units;
  bool reverse;
  // Mostly-zero inputs and a finite kernel (a zero input times an infinite or NaN weight must
  // still give NaN): project by kernel rows. Decided once per call, where blas::sgemm would
  // decide (and scan the kernel) again for every step's projection.
  bool sparse;
};

// One row of the cell: z (4u, gate order i, f, c, o, without the bias) is overwritten; c and h
// are updated in place. Separate passes so that GCC vectorizes each (as rnn.cpp's cell_row).
[[gnu::always_inline]] inline void cell_body(float* __restrict z,
                                             const float* __restrict bias,
                                             float* __restrict c,
                                             float* __restrict h,
                                             int64_t units) {
  const float* i = z;
  const float* f = z + units;
  float* g = z + 2 * units;
  float* o = z + 3 * units;
  for (int64_t j = 0; j < 2 * units; ++j) z[j] = fast::sigmoid(z[j] + bias[j]);
  for (int64_t j = 0; j < units; ++j) g[j] = fast::tanh(g[j] + bias[2 * units + j]);
  for (int64_t j = 0; j < units; ++j) o[j] = fast::sigmoid(o[j] + bias[3 * units + j]);
  for (int64_t j = 0; j < units; ++j) c[j] = f[j] * c[j] + i[j] * g[j];
  for (int64_t j = 0; j < units; ++j) h[j] = o[j] * fast::tanh(c[j]);
}

void cell_default(float* z, const float* bias, float* c, float* h, int64_t units) {
  cell_body(z, bias, c, h, units);
}

// The same loops in 16-float vectors where the CPU has AVX-512 (the build leaves it off for
// GCC 12's miscompiles elsewhere; these loops are checked against the reference backend).
// shared_lstm's predict, three interleaved pairs: 5,503-6,058 -> 6,499-7,143 samples/s.
[[gnu::target("avx512f,avx512vl,avx512bw,avx512dq,prefer-vector-width=512")]] void cell_avx512(
    float* z, const float* bias, float* c, float* h, int64_t units) {
  cell_body(z, bias, c, h, units);
}

using CellFn = void (*)(float*, const float*, float*, float*, int64_t);
CellFn pick_cell() {
  return vec16::cpu_has_avx512() ? cell_avx512 : cell_default;  // KERAS_MAX_CPU_ISA included
}
const CellFn cell = pick_cell();

// Asks for the next step's inputs of `rows` rows (stride ld floats, f each) while this step's
// recurrent GEMM and cell run: they are 140 KB apart in shared_lstm (one stream per row, more
// than the hardware prefetcher follows), and the projection stalled on memory for them.
void prefetch_step(const float* x, int64_t ld, int64_t rows, int64_t f) {
  for (int64_t b = 0; b < rows; ++b) {
    const char* row = reinterpret_cast<const char*>(x + b * ld);
    for (int64_t byte = 0; byte < f * 4; byte += 64) __builtin_prefetch(row + byte);
  }
}

// The recurrence of rows [r0, r1), all steps.
void rows(const Raw& s, const float* bias, int64_t r0, int64_t r1) {
  const int64_t nb = r1 - r0, u = s.units, g = 4 * u, f = s.features, steps = s.steps;
  float* h = s.h + r0 * u;
  float* c = s.c + r0 * u;
  std::copy(s.h0 + r0 * u, s.h0 + r1 * u, h);
  std::copy(s.c0 + r0 * u, s.c0 + r1 * u, c);
  const float* x = s.x + r0 * steps * f;
  const bool project_all = nb * steps * g <= kProjectAllFloats;
  float* z = scratch<float, 0>(static_cast<size_t>((project_all ? nb * steps : nb) * g));
  auto project = [&](const float* xs, int64_t ldx, int64_t count) {
    if (s.sparse) {
      sparse::gemm_rows({f, 1.0f, xs, ldx, s.kernel, g, 0.0f, z, g}, {0, count, 0, g});
    } else {
      blas::gemm(false, false, count, g, f, xs, ldx, s.kernel, g, 0.0f, z, g);
    }
  };
  if (project_all) project(x, f, nb * steps);
  const int64_t ldz = project_all ? steps * g : g;
  for (int64_t k = 0; k < steps; ++k) {
    const int64_t t = s.reverse ? steps - 1 - k : k;
    float* zk = project_all ? z + t * g : z;
    if (!project_all) {
      project(x + t * f, steps * f, nb);
      if (k + 1 < steps) prefetch_step(x + (s.reverse ? t - 1 : t + 1) * f, steps * f, nb, f);
    }
    blas::gemm(false, false, nb, g, u, h, u, s.u_kernel, g, 1.0f, zk, ldz);
    for (int64_t b = 0; b < nb; ++b) {
      cell(zk + b * ldz, bias, c + b * u, h + b * u, u);
      if (s.hs != nullptr) std::copy(h + b * u, h + b * u + u, s.hs + ((r0 + b) * steps + k) * u);
    }
  }
}

}  // namespace

void CpuBackend::lstm_inference(const LstmInferenceArgs& a) {
  if (a.x.dtype() != DType::float32) {
    ReferenceBackend::lstm_inference(a);
    return;
  }
  Raw s{kernel_data<float>(a.x),
        kernel_data<float>(a.kernel),
        a.bias.defined() ? kernel_data<float>(a.bias) : nullptr,
        kernel_data<float>(a.u_kernel),
        kernel_data<float>(a.h0),
        kernel_data<float>(a.c0),
        a.hs.defined() ? kernel_data<float>(a.hs) : nullptr,
        kernel_data<float>(a.h),
        kernel_data<float>(a.c),
        a.x.dim(0),
        a.x.dim(1),
        a.x.dim(2),
        a.h0.dim(1),
        a.reverse,
        false};
  s.sparse = sparse::mostly_zeros(s.x, s.batch * s.steps, s.features, s.features) &&
             sparse::all_finite(s.kernel, s.features, 4 * s.units, 4 * s.units);
  const int64_t g = 4 * s.units;
  const int64_t row_work = s.steps * (s.features + s.units) * g;
  int threads = 1;
#ifdef _OPENMP
  if (blas::gemm_nests_in_openmp() && !omp_in_parallel()) {
    const int64_t min_rows = std::max<int64_t>(1, kMinThreadWork / std::max<int64_t>(1, row_work));
    threads = static_cast<int>(std::clamp<int64_t>(s.batch / min_rows, 1, num_threads()));
  }
#endif
  split_rows(s.batch, threads, [&](int, int64_t r0, int64_t r1) {
    const float* bias = s.bias;
    if (bias == nullptr) {
      float* zeros = scratch<float, 1>(static_cast<size_t>(g));
      std::fill(zeros, zeros + g, 0.0f);
      bias = zeros;
    }
    const bool blocks = (r1 - r0) * s.steps * g > kProjectAllFloats;
    for (int64_t b = r0; b < r1; b += blocks ? kBlockRows : r1 - r0) {
      rows(s, bias, b, blocks ? std::min(r1, b + kBlockRows) : r1);
    }
  });
}

}  // namespace keras::backend
