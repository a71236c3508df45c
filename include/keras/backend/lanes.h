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

}  // namespace keras::backend
