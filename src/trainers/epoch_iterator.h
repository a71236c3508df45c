// The batches of one pass over fit / evaluate / predict's data (Keras 3's EpochIterator over a
// data adapter): arrays cut into batch_size rows, or a PyDataset's batches read ahead by a
// Prefetcher. The trainer runs every batch the same way, on the plan for its shapes.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "keras/core/random.h"
#include "keras/core/tensor.h"
#include "keras/trainers/py_dataset.h"

namespace keras::trainers::internal {

class Prefetcher;

// Data as arrays: tensors in model order, all with n rows.
struct ArrayData {
  Tensors x, y;
  // None (empty), one for every output, or one per output (undefined: that output unweighted).
  Tensors sample_weight;
  int64_t n = 0;

  // Rows [begin, end) of every array (views).
  ArrayData rows(int64_t begin, int64_t end) const;
};

// One batch: rows rows[0..count) of *data (valid until the iterator's next call).
struct BatchRows {
  const ArrayData* data = nullptr;
  const int64_t* rows = nullptr;
  int64_t count = 0;
};

// The order of `order.size()` items for one epoch: 0..n-1, shuffled by the global generator
// (Fisher-Yates) when `shuffle`, from `from` instead of the generator's state when given (a
// resumed epoch; the generator is then left as it was).
void epoch_order(std::vector<int64_t>& order, bool shuffle, const Generator::State* from);

class EpochIterator {
 public:
  virtual ~EpochIterator() = default;
  virtual int64_t num_batches() const = 0;
  // Rows of all the data when known in advance (arrays), for predict's output.
  virtual std::optional<int64_t> num_samples() const = 0;
  // Starts a pass at batch `first_step`; its order is shuffled as epoch_order says.
  virtual void begin_epoch(bool shuffle, const Generator::State* from, int64_t first_step) = 0;
  // Batch `step` of the pass; steps come in increasing order from first_step.
  virtual BatchRows batch(int64_t step) = 0;
  // Ends the pass (also after an early stop).
  virtual void end_epoch() {}
};

// Arrays in batches of batch_size rows (the last one smaller).
class ArrayIterator final : public EpochIterator {
 public:
  ArrayIterator(ArrayData data, int64_t batch_size);
  int64_t num_batches() const override;
  std::optional<int64_t> num_samples() const override { return data_.n; }
  const ArrayData& data() const { return data_; }
  void begin_epoch(bool shuffle, const Generator::State* from, int64_t first_step) override;
  BatchRows batch(int64_t step) override;

 private:
  ArrayData data_;
  int64_t batch_size_;
  std::vector<int64_t> order_;
};

// A PyDataset's batches, each turned into arrays by `prepare` (which checks and converts it as
// arrays are; it runs on the worker threads).
class DatasetIterator final : public EpochIterator {
 public:
  using Prepare = std::function<ArrayData(const utils::Batch&)>;
  DatasetIterator(utils::PyDataset& dataset, Prepare prepare);
  ~DatasetIterator() override;
  int64_t num_batches() const override { return num_batches_; }
  std::optional<int64_t> num_samples() const override { return std::nullopt; }
  void begin_epoch(bool shuffle, const Generator::State* from, int64_t first_step) override;
  BatchRows batch(int64_t step) override;
  void end_epoch() override;

 private:
  utils::PyDataset& dataset_;
  Prepare prepare_;
  int64_t num_batches_;
  std::vector<int64_t> order_;
  std::unique_ptr<Prefetcher> prefetcher_;
  ArrayData current_;
  std::vector<int64_t> rows_;  // 0..n-1 for the current batch
};

}  // namespace keras::trainers::internal
