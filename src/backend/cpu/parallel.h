// Splitting elementwise work across the OpenMP threads (those oneDNN and OpenBLAS use too), only
// where it is large enough to pay for the fork and join (a few microseconds with the workers
// spinning; a pass over 64K floats takes tens).
#pragma once

#include <algorithm>
#include <cstdint>

#include "keras/backend/backend.h"

#ifdef _OPENMP
#include <omp.h>
// An OpenMP directive, left out when OpenMP is not there: KERAS_OMP(omp simd reduction(+ : s)).
#define KERAS_OMP(directive) _Pragma(#directive)
#else
#define KERAS_OMP(directive)
#endif

namespace keras::backend {

inline constexpr int64_t kParallelMinWork = int64_t{1} << 16;
// Below this many multiply-adds (a few microseconds on one core) a GEMM's fork and join costs
// more than the second thread saves.
inline constexpr int64_t kMinThreadedGemmWork = int64_t{1} << 17;

#ifdef _OPENMP
// While alive, the calling thread's next parallel regions (oneDNN's and OpenBLAS's included) use
// n threads; the count it had comes back after.
class ScopedOmpThreads {
 public:
  explicit ScopedOmpThreads(int n) : saved_(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~ScopedOmpThreads() { omp_set_num_threads(saved_); }
  ScopedOmpThreads(const ScopedOmpThreads&) = delete;
  ScopedOmpThreads& operator=(const ScopedOmpThreads&) = delete;

 private:
  int saved_;
};
#endif

// Inside a parallel region: the size of the team and this thread's number in it (1 and 0 without
// OpenMP).
inline int team_size() {
#ifdef _OPENMP
  return omp_get_num_threads();
#else
  return 1;
#endif
}
inline int thread_id() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

// The number of threads parallel_chunks(n, granule, f, min_work) splits the work across: 1 when
// n < min_work, when only one thread is allowed or when called inside a parallel region.
inline int chunk_threads(int64_t n, int64_t granule, int64_t min_work = kParallelMinWork) {
#ifdef _OPENMP
  granule = std::max<int64_t>(1, granule);
  const int64_t units = (n + granule - 1) / granule;
  const int threads = static_cast<int>(std::min<int64_t>(num_threads(), units));
  if (n >= min_work && threads > 1 && !omp_in_parallel()) return threads;
#else
  (void)n;
  (void)granule;
  (void)min_work;
#endif
  return 1;
}

// Calls f(t, begin, end) over contiguous chunks covering [0, n), each boundary a multiple of
// `granule`, one chunk per thread t in [0, threads) (threads from chunk_threads; 1 = one call on
// the calling thread with t = 0). Kernels that keep per-thread partial results index them by t.
template <class F>
void parallel_chunks_indexed(int threads, int64_t n, int64_t granule, F&& f) {
  granule = std::max<int64_t>(1, granule);
  const int64_t units = (n + granule - 1) / granule;
#ifdef _OPENMP
  if (threads > 1) {
#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num(), nt = omp_get_num_threads();
      const int64_t b = std::min(n, units * t / nt * granule);
      const int64_t e = std::min(n, units * (t + 1) / nt * granule);
      if (b < e) f(t, b, e);
    }
    return;
  }
#endif
  (void)threads;
  (void)units;
  if (n > 0) f(0, int64_t{0}, n);
}

// Calls f(begin, end) over contiguous chunks covering [0, n), each boundary a multiple of
// `granule`; in parallel when n >= min_work and several threads are allowed, else one call.
template <class F>
void parallel_chunks(int64_t n, int64_t granule, F&& f, int64_t min_work = kParallelMinWork) {
  parallel_chunks_indexed(chunk_threads(n, granule, min_work), n, granule,
                          [&](int, int64_t b, int64_t e) { f(b, e); });
}

// Calls f(thread, r0, r1) for `threads` contiguous row ranges of [0, batch), each on its own
// OpenMP thread (on the caller when threads is 1).
template <class F>
void split_rows(int64_t batch, int threads, F&& f) {
  auto range = [&](int t) {
    const int64_t r0 = batch * t / threads, r1 = batch * (t + 1) / threads;
    f(t, r0, r1);
  };
#ifdef _OPENMP
  if (threads > 1) {
#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (int t = 0; t < threads; ++t) range(t);
    return;
  }
#endif
  range(0);
}

// Kernels that write rows of a table listed by ids, duplicates allowed (an Embedding's gradient,
// its optimizer's row update), split the work by destination: of `threads`, thread t owns the
// rows in the blocks of 64 rows b with b % threads == t (interleaved, so that ids crowding one
// end of the table still split). Each row then has one writer, which sees the listed ids in list
// order: the same bits as one thread.
inline bool owns_row(int64_t row, int t, int threads) {
  return (row >> 6) % threads == t;
}

// Calls f(t, team) on each thread t of a team of `threads` OpenMP threads (team: as many as
// OpenMP gave), or f(0, 1) on the caller when threads is 1 (also inside another parallel
// region, whose team is not this call's).
template <class F>
void on_each_thread(int threads, F&& f) {
#ifdef _OPENMP
  if (threads > 1) {
#pragma omp parallel num_threads(threads)
    f(omp_get_thread_num(), omp_get_num_threads());
    return;
  }
#endif
  f(0, 1);
}

}  // namespace keras::backend
