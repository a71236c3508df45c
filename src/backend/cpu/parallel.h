// Splitting elementwise work across the OpenMP threads (those oneDNN and OpenBLAS use too), only
// where it is large enough to pay for the fork and join (a few microseconds with the workers
// spinning; a pass over 64K floats takes tens).
#pragma once

#include <algorithm>
#include <cstdint>

#include "keras/backend/backend.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace keras::backend {

inline constexpr int64_t kParallelMinWork = int64_t{1} << 16;

// Calls f(begin, end) over contiguous chunks covering [0, n), each boundary a multiple of
// `granule`; in parallel when n >= min_work and several threads are allowed, else one call.
template <class F>
void parallel_chunks(int64_t n, int64_t granule, F&& f, int64_t min_work = kParallelMinWork) {
  granule = std::max<int64_t>(1, granule);
  const int64_t units = (n + granule - 1) / granule;
#ifdef _OPENMP
  const int threads = static_cast<int>(std::min<int64_t>(num_threads(), units));
  if (n >= min_work && threads > 1 && !omp_in_parallel()) {
#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num(), nt = omp_get_num_threads();
      const int64_t b = std::min(n, units * t / nt * granule);
      const int64_t e = std::min(n, units * (t + 1) / nt * granule);
      if (b < e) f(b, e);
    }
    return;
  }
#endif
  (void)units;
  (void)min_work;
  if (n > 0) f(int64_t{0}, n);
}

}  // namespace keras::backend
