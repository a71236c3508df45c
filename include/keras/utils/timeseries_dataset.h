// keras::utils::timeseries_dataset_from_array (keras.utils.timeseries_dataset_from_array):
// sliding windows over a time series, batched, as a dataset fit / evaluate / predict read.
//
//   // data: (steps, features); targets[i]: what follows the window that starts at step i.
//   auto train = keras::utils::timeseries_dataset_from_array(
//       data, targets, /*sequence_length=*/10, {.batch_size = 32, .shuffle = true, .seed = 7});
//   model.fit(train, {}, {.epochs = 5});
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "keras/core/random.h"
#include "keras/trainers/py_dataset.h"

namespace keras::utils {

struct TimeseriesDatasetOptions {
  int64_t sequence_stride = 1;  // steps between the starts of consecutive windows
  int64_t sampling_rate = 1;    // steps between the rows of a window
  int64_t batch_size = 128;     // windows per batch (the last batch may hold fewer)
  // Windows in a random order, drawn again every epoch (Keras shuffles them with NumPy and
  // TensorFlow's buffer: the same windows, another order). Reproducible with `seed`.
  bool shuffle = false;
  std::optional<uint64_t> seed = std::nullopt;
  // The rows of `data` (and `targets`) used: [start_index, end_index). Default: all.
  std::optional<int64_t> start_index = std::nullopt;
  std::optional<int64_t> end_index = std::nullopt;
};

// The dataset timeseries_dataset_from_array returns. Batch i holds windows k = i * batch_size,
// ...: x[k] = data[s + p_k + j * sampling_rate] for j < sequence_length, y[k] = targets[s + p_k]
// (s = start_index, p_k the k-th window start: 0, sequence_stride, ..., in order or shuffled).
class TimeseriesDataset : public PyDataset {
 public:
  TimeseriesDataset(Tensor data,
                    Tensor targets,
                    int64_t sequence_length,
                    const TimeseriesDatasetOptions& options);
  int64_t num_batches() const override;
  Batch get(int64_t index) override;
  void on_epoch_begin() override;
  // The number of windows (Keras's dataset cardinality times batch_size, at most).
  int64_t num_sequences() const { return static_cast<int64_t>(starts_.size()); }

 private:
  Tensor data_, targets_;
  int64_t sequence_length_;
  TimeseriesDatasetOptions options_;
  int64_t offset_;               // start_index
  std::vector<int64_t> starts_;  // window starts, relative to offset_, in this epoch's order
  Generator generator_;
};

// `data`: (steps, ...) of any dtype; `targets`: (steps, ...) or an undefined Tensor (`{}`, Python's
// None: batches then hold x only, for predict). ValueError in Keras's wording for a start_index,
// end_index, sampling_rate or sequence_stride out of range; also when no window fits (Keras
// returns an empty dataset) or for a non-positive sequence_length or batch_size.
std::shared_ptr<TimeseriesDataset> timeseries_dataset_from_array(
    const Tensor& data,
    const Tensor& targets,
    int64_t sequence_length,
    const TimeseriesDatasetOptions& options = {});

}  // namespace keras::utils
