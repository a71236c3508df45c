// Prefetcher: loads items (a PyDataset's batches) on background threads, ahead of the consumer,
// and hands them over in order.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "trainers/epoch_iterator.h"

namespace keras::trainers::internal {

class Prefetcher {
 public:
  using Load = std::function<ArrayData(int64_t index)>;
  // Loads load(indices[i]) for i = first, first + 1, ... on `workers` threads (0: on the
  // consumer's thread, in next()), at most `capacity` items ahead of the consumer.
  Prefetcher(Load load, std::vector<int64_t> indices, size_t first, int workers, int capacity);
  // Stops: no load starts any more; waits for the running ones (a load cannot be interrupted).
  ~Prefetcher();
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  // The next item in order; rethrows the exception its load threw. After an exception no new
  // load starts.
  ArrayData next();

 private:
  struct Result {
    ArrayData data;
    std::exception_ptr error;
  };
  void work();

  Load load_;
  std::vector<int64_t> indices_;
  size_t next_to_start_, next_to_take_;
  size_t capacity_;
  bool stop_ = false;
  std::map<size_t, Result> done_;  // by position in indices_
  std::mutex mutex_;
  std::condition_variable can_start_, ready_;
  std::vector<std::thread> threads_;
};

}  // namespace keras::trainers::internal
