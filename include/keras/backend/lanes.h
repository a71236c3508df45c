// Running independent pieces of work at once on the CPU backend's threads.
#pragma once

#include <functional>

namespace keras::backend {

// Runs f(0), ..., f(lanes - 1) at once, each on its own thread of the pool the CPU kernels use
// (OpenMP's), with the caller's backend (ScopedBackend), InferenceScope and default device; the
// kernels a lane calls run on its thread only. One after another on the calling thread when lanes
// <= 1 or when called from inside that pool. Once every lane has ended, rethrows the first
// exception one threw.
void run_lanes(int lanes, const std::function<void(int)>& f);

// While alive, the CPU kernels the calling thread calls run on it alone, as a lane's do
// (num_threads() is 1 on this thread, and so is OpenMP's count for its next parallel regions): a
// lane's work done outside run_lanes (tracing its plans) then has the bits its replays in a lane
// have. (Kernels that split rows among threads may round a row differently where it falls in
// another thread's block; AVX2's sgemm does.) Scopes nest.
class OnOneThread {
 public:
  OnOneThread();
  ~OnOneThread();
  OnOneThread(const OnOneThread&) = delete;
  OnOneThread& operator=(const OnOneThread&) = delete;

 private:
  bool previous_;
  int omp_threads_;
};

}  // namespace keras::backend
