#include "keras/utils/timeseries_dataset.h"

#include <algorithm>
#include <numeric>

#include "keras/core/error.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"

namespace keras::utils {
namespace {

// Keras's checks, in its order and wording (a start_index or end_index of 0 is not checked, as
// Keras tests them for truth).
void check_arguments(const Tensor& data,
                     const Tensor& targets,
                     int64_t sequence_length,
                     const TimeseriesDatasetOptions& o) {
  KERAS_CHECK(data.defined() && data.rank() >= 1, ValueError,
              "timeseries_dataset_from_array: `data` must be an array of shape (steps, ...)");
  const int64_t n = data.shape()[0];
  KERAS_CHECK(!targets.defined() || targets.rank() >= 1, ValueError,
              "timeseries_dataset_from_array: `targets` must be an array of shape (steps, ...) or "
              "None");
  KERAS_CHECK(sequence_length > 0, ValueError,
              "timeseries_dataset_from_array: `sequence_length` must be higher than 0. Received: "
              "sequence_length=",
              sequence_length);
  KERAS_CHECK(o.batch_size > 0, ValueError,
              "timeseries_dataset_from_array: `batch_size` must be higher than 0. Received: "
              "batch_size=",
              o.batch_size);
  const int64_t start = o.start_index.value_or(0), end = o.end_index.value_or(0);
  if (start != 0) {
    KERAS_CHECK(start >= 0, ValueError,
                "`start_index` must be 0 or greater. Received: start_index=", start);
    KERAS_CHECK(start < n, ValueError,
                "`start_index` must be lower than the length of the data. Received: start_index=",
                start, ", for data of length ", n);
  }
  if (end != 0) {
    KERAS_CHECK(start == 0 || end > start, ValueError,
                "`end_index` must be higher than `start_index`. Received: start_index=", start,
                ", and end_index=", end, " ");
    KERAS_CHECK(end < n, ValueError,
                "`end_index` must be lower than the length of the data. Received: end_index=", end,
                ", for data of length ", n);
    KERAS_CHECK(end > 0, ValueError,
                "`end_index` must be higher than 0. Received: end_index=", end);
  }
  KERAS_CHECK(o.sampling_rate > 0, ValueError,
              "`sampling_rate` must be higher than 0. Received: sampling_rate=", o.sampling_rate);
  KERAS_CHECK(o.sampling_rate < n, ValueError,
              "`sampling_rate` must be lower than the length of the data. Received: "
              "sampling_rate=",
              o.sampling_rate, ", for data of length ", n);
  KERAS_CHECK(
      o.sequence_stride > 0, ValueError,
      "`sequence_stride` must be higher than 0. Received: sequence_stride=", o.sequence_stride);
  KERAS_CHECK(o.sequence_stride < n, ValueError,
              "`sequence_stride` must be lower than the length of the data. Received: "
              "sequence_stride=",
              o.sequence_stride, ", for data of length ", n);
}

}  // namespace

TimeseriesDataset::TimeseriesDataset(Tensor data,
                                     Tensor targets,
                                     int64_t sequence_length,
                                     const TimeseriesDatasetOptions& options)
    : PyDataset({.workers = 0}),
      data_(std::move(data)),
      targets_(std::move(targets)),
      sequence_length_(sequence_length),
      options_(options),
      offset_(options.start_index.value_or(0)),
      // Without a seed, one draw of the global generator (none with one: value_or would draw).
      generator_(options.seed ? *options.seed : global_generator().next_u64()) {
  check_arguments(data_, targets_, sequence_length_, options_);
  const int64_t end = options_.end_index.value_or(data_.shape()[0]);
  // Windows that fit in [start_index, end_index): the last row of window p is
  // p + (sequence_length - 1) * sampling_rate.
  int64_t count = end - offset_ - (sequence_length_ - 1) * options_.sampling_rate;
  // As Keras, no more windows than targets (those past the end of targets have none).
  if (targets_.defined()) count = std::min(count, targets_.shape()[0] - offset_);
  for (int64_t p = 0; p < count; p += options_.sequence_stride) starts_.push_back(p);
  KERAS_CHECK(!starts_.empty(), ValueError, "timeseries_dataset_from_array: no window of ",
              sequence_length_, " steps sampled every ", options_.sampling_rate, " fits in the ",
              end - offset_, " time steps from start_index ", offset_, " to end_index ", end);
}

int64_t TimeseriesDataset::num_batches() const {
  return (num_sequences() + options_.batch_size - 1) / options_.batch_size;
}

void TimeseriesDataset::on_epoch_begin() {
  if (!options_.shuffle) return;
  for (size_t i = starts_.size(); i > 1; --i) {
    std::swap(starts_[i - 1], starts_[generator_.next_below(i)]);
  }
}

Batch TimeseriesDataset::get(int64_t index) {
  KERAS_CHECK(index >= 0 && index < num_batches(), IndexError, "TimeseriesDataset: batch ", index,
              " out of range [0, ", num_batches(), ")");
  const int64_t first = index * options_.batch_size;
  const int64_t size = std::min(options_.batch_size, num_sequences() - first);
  std::vector<int64_t> rows, target_rows;
  rows.reserve(static_cast<size_t>(size * sequence_length_));
  for (int64_t k = first; k < first + size; ++k) {
    const int64_t start = offset_ + starts_[static_cast<size_t>(k)];
    target_rows.push_back(start);
    for (int64_t j = 0; j < sequence_length_; ++j)
      rows.push_back(start + j * options_.sampling_rate);
  }
  Batch batch;
  batch.x = ops::take(data_, Tensor::from_vector(rows, {size, sequence_length_}), 0);
  if (targets_.defined()) batch.y = ops::take(targets_, Tensor::from_vector(target_rows), 0);
  return batch;
}

std::shared_ptr<TimeseriesDataset> timeseries_dataset_from_array(
    const Tensor& data,
    const Tensor& targets,
    int64_t sequence_length,
    const TimeseriesDatasetOptions& options) {
  return std::make_shared<TimeseriesDataset>(data, targets, sequence_length, options);
}

}  // namespace keras::utils
