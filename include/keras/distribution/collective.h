// Collective communication between the processes of one training job: the one seam between
// keras.cpp and a communication engine. Open MPI implements it today (src/distribution/
// mpi_collective.cpp, the only file that includes <mpi.h>); NCCL or Gloo would implement the same
// calls. Buffers are host memory; every process of the job must make the same calls in the
// same order with the same counts and dtypes (as MPI requires).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "keras/core/dtype.h"

namespace keras::distribution {

enum class ReduceOp { sum, mean };

class Collective {
 public:
  virtual ~Collective() = default;
  // This process's index in the job, 0..size()-1, and the number of processes.
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // The engine, for messages ("Open MPI 4.1.4", "local").
  virtual std::string name() const = 0;
  // Copies `count` elements of `dtype` at `data` on process `root` to every other process.
  virtual void broadcast(void* data, int64_t count, DType dtype, int root) = 0;
  // Replaces `data` on every process by the element-wise sum (or mean) over the processes.
  // float32 and float64 only (TypeError otherwise).
  virtual void all_reduce(void* data, int64_t count, DType dtype, ReduceOp op) = 0;
  // Non-blocking all_reduce (sum): starts it and returns a request for wait(). `data` must stay
  // alive and untouched until wait() returns; other collectives may run meanwhile (all processes
  // must still start them in the same order). Every started request must be waited for.
  virtual int64_t start_all_reduce(void* data, int64_t count, DType dtype) = 0;
  virtual void wait(int64_t request) = 0;
  // Lets started requests advance (engines without a progress thread move data only inside
  // their calls); never blocks.
  virtual void progress() {}
  // Concatenates every process's `bytes[rank()]` bytes at `send` into `recv`, in process order
  // (process r's bytes start at bytes[0] + ... + bytes[r-1]). `bytes` lists every process's count
  // and is the same on every process.
  virtual void all_gather(const void* send, void* recv, const std::vector<int64_t>& bytes) = 0;
  // Returns when every process has called it.
  virtual void barrier() = 0;
  // Seconds this process has spent inside the calls above waiting for them to complete (for the
  // other processes, mostly), since the collective started: fit's share balancing subtracts it
  // from a step's time. 0 for engines that do not count it.
  virtual double waited_seconds() const { return 0.0; }
  // Memory that every process of the job maps (each at its own address), when they all run on
  // one machine. allocate_shared is collective: it returns `bytes` of uninitialized memory, or
  // nullptr on every process when any cannot (processes on several machines, not enough shared
  // memory). free_shared (collective) gives it back. Stores before a barrier() are seen by every
  // process after it.
  virtual void* allocate_shared(size_t /*bytes*/) { return nullptr; }
  virtual void free_shared(void* /*data*/) {}
};

// The job's collective: the engine initialize() started, or a one-process one (every call is a
// no-op) when it was not called.
Collective& collective();

}  // namespace keras::distribution
