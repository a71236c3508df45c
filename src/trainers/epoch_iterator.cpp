#include "trainers/epoch_iterator.h"

#include <algorithm>
#include <numeric>

#include "trainers/prefetcher.h"

namespace keras::trainers::internal {

ArrayData ArrayData::rows(int64_t begin, int64_t end) const {
  ArrayData out;
  for (const Tensor& t : x) out.x.push_back(t.slice_rows(begin, end));
  for (const Tensor& t : y) out.y.push_back(t.defined() ? t.slice_rows(begin, end) : Tensor());
  for (const Tensor& t : sample_weight)
    out.sample_weight.push_back(t.defined() ? t.slice_rows(begin, end) : Tensor());
  out.n = end - begin;
  return out;
}

void epoch_order(std::vector<int64_t>& order, bool shuffle, const Generator::State* from) {
  std::iota(order.begin(), order.end(), int64_t{0});
  Generator& g = global_generator();
  const Generator::State now = g.state();
  if (from != nullptr) g.set_state(*from);
  if (shuffle) {
    for (size_t i = order.size(); i-- > 1;) {
      std::swap(order[i], order[static_cast<size_t>(g.next_below(i + 1))]);
    }
  }
  if (from != nullptr) g.set_state(now);
}

ArrayIterator::ArrayIterator(ArrayData data, int64_t batch_size)
    : data_(std::move(data)), batch_size_(batch_size), order_(static_cast<size_t>(data_.n)) {
  std::iota(order_.begin(), order_.end(), int64_t{0});
}

int64_t ArrayIterator::num_batches() const {
  return (data_.n + batch_size_ - 1) / batch_size_;
}

void ArrayIterator::begin_epoch(bool shuffle, const Generator::State* from, int64_t) {
  epoch_order(order_, shuffle, from);
}

BatchRows ArrayIterator::batch(int64_t step) {
  const int64_t start = step * batch_size_;
  return {&data_, order_.data() + start, std::min(batch_size_, data_.n - start)};
}

DatasetIterator::DatasetIterator(utils::PyDataset& dataset, Prepare prepare)
    : dataset_(dataset), prepare_(std::move(prepare)), num_batches_(dataset.num_batches()) {
  KERAS_CHECK(num_batches_ > 0, ValueError,
              "The PyDataset has length 0: num_batches() must be positive, got ", num_batches_);
  order_.resize(static_cast<size_t>(num_batches_));
}

DatasetIterator::~DatasetIterator() = default;

void DatasetIterator::begin_epoch(bool shuffle, const Generator::State* from, int64_t first_step) {
  prefetcher_.reset();
  epoch_order(order_, shuffle, from);
  dataset_.on_epoch_begin();
  prefetcher_ = std::make_unique<Prefetcher>(
      [this](int64_t index) { return prepare_(dataset_.get(index)); }, order_,
      static_cast<size_t>(first_step), dataset_.workers(), dataset_.max_queue_size());
}

BatchRows DatasetIterator::batch(int64_t) {
  current_ = prefetcher_->next();
  if (rows_.size() < static_cast<size_t>(current_.n)) {
    const size_t old = rows_.size();
    rows_.resize(static_cast<size_t>(current_.n));
    std::iota(rows_.begin() + static_cast<std::ptrdiff_t>(old), rows_.end(),
              static_cast<int64_t>(old));
  }
  return {&current_, rows_.data(), current_.n};
}

void DatasetIterator::end_epoch() {
  prefetcher_.reset();  // joins the workers: no get() runs during on_epoch_end
  dataset_.on_epoch_end();
}

}  // namespace keras::trainers::internal
