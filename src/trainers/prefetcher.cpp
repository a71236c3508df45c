#include "trainers/prefetcher.h"

namespace keras::trainers::internal {

Prefetcher::Prefetcher(
    Load load, std::vector<int64_t> indices, size_t first, int workers, int capacity)
    : load_(std::move(load)),
      indices_(std::move(indices)),
      next_to_start_(first),
      next_to_take_(first),
      capacity_(static_cast<size_t>(std::max(capacity, 1))) {
  const size_t threads = std::min(static_cast<size_t>(std::max(workers, 0)),
                                  indices_.size() - std::min(first, indices_.size()));
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

Prefetcher::~Prefetcher() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  can_start_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void Prefetcher::work() {
  std::unique_lock lock(mutex_);
  while (!stop_ && next_to_start_ < indices_.size()) {
    if (next_to_start_ >= next_to_take_ + capacity_) {
      can_start_.wait(lock);
      continue;
    }
    const size_t position = next_to_start_++;
    lock.unlock();
    Result r;
    try {
      r.data = load_(indices_[position]);
    } catch (...) {
      r.error = std::current_exception();
    }
    lock.lock();
    if (r.error) stop_ = true;  // as Keras: the first error ends the reading
    done_.emplace(position, std::move(r));
    ready_.notify_all();
  }
  ready_.notify_all();
}

ArrayData Prefetcher::next() {
  if (threads_.empty()) return load_(indices_.at(next_to_take_++));
  std::unique_lock lock(mutex_);
  const size_t position = next_to_take_;
  // A stopped reader still delivers what it loaded, then the error that stopped it.
  ready_.wait(lock, [&] { return done_.contains(position); });
  Result r = std::move(done_.at(position));
  done_.erase(position);
  ++next_to_take_;
  lock.unlock();
  can_start_.notify_all();
  if (r.error) std::rethrow_exception(r.error);
  return std::move(r.data);
}

}  // namespace keras::trainers::internal
