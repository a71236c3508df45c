// keras::utils::PyDataset: data that fit / evaluate / predict read one batch at a time, for data
// larger than memory or made on the fly (Keras 3's keras.utils.PyDataset, formerly Sequence).
//
//   class Files : public keras::utils::PyDataset {
//    public:
//     Files() : PyDataset({.workers = 2, .max_queue_size = 8}) {}
//     int64_t num_batches() const override { return 100; }        // Python's __len__
//     keras::utils::Batch get(int64_t index) override {          // Python's __getitem__
//       return {.x = read_images(index), .y = read_labels(index)};
//     }
//     void on_epoch_end() override { reshuffle_files(); }
//   };
//   Files train, val;
//   model.fit(train, {}, {.epochs = 5, .validation_data = keras::ValidationData{val}});
//   model.evaluate(val);  model.predict(val);
//
// get(i) returns batch i as Keras's (x,), (x, y) or (x, y, sample_weight): each a tensor, a list
// in model order or a map keyed by input/output name, as for arrays. Batches may differ in size
// (the last one is often smaller); each size and shape gets its own compiled plan, as in fit on
// arrays, so training on the same batches as a PyDataset or as arrays (shuffle=false) runs the
// same kernels on the same shapes and gives the same weights bit for bit.
//
// How the trainer reads it (one pass = one training epoch, one validation, evaluate or predict):
//   - on_epoch_begin() on the calling thread, then get() for the pass's batches, then, once no
//     get() runs any more, on_epoch_end() on the calling thread (not after a pass an exception
//     ended).
//   - fit's shuffle=true (the default) draws the order of the batch indices per epoch from the
//     global generator (keras::utils::set_random_seed), as it draws rows for arrays; evaluate,
//     predict and validation read batches 0, 1, ... in order.
//   - workers >= 1: get() runs on that many background threads, which read up to max_queue_size
//     batches ahead of training (with several workers, get() must be safe to call concurrently
//     for different indices). workers = 0: get() runs on the calling thread, when its batch is
//     due. (Keras 3 reads on the calling thread when workers is 1; keras.cpp prefetches.)
//   - An exception thrown by get() reaches the caller of fit/evaluate/predict, unchanged, when
//     training reaches that batch; the other workers finish their current get() and stop. An
//     exception from a callback or the model stops the workers the same way.
//   - get() runs while the model trains: it must not change the model, and keras::random draws
//     in it use the global generator concurrently with the model's (use a Generator of its own).
// Not supported: infinite datasets (num_batches() must be positive), use_multiprocessing, and
// with a dataset, fit's `y`, `sample_weight`, `batch_size` and `validation_split` (ValueError,
// Keras's wording).
#pragma once

#include <cstdint>

#include "keras/trainers/data.h"

namespace keras::utils {

struct PyDatasetOptions {
  int workers = 1;          // background threads calling get(); 0: get() on the calling thread
  int max_queue_size = 10;  // batches read ahead at most
};

// What PyDataset::get returns: Keras's (x,), (x, y) or (x, y, sample_weight). sample_weight is
// one tensor of shape (batch,) or (batch, ...) as for arrays.
struct Batch {
  Data x;
  Data y = {};
  Data sample_weight = {};
};

class PyDataset {
 public:
  // ValueError for workers < 0 or max_queue_size < 1.
  explicit PyDataset(PyDatasetOptions options = {});
  virtual ~PyDataset() = default;
  PyDataset(const PyDataset&) = default;
  PyDataset& operator=(const PyDataset&) = default;

  // The number of batches (Python's num_batches / __len__).
  virtual int64_t num_batches() const = 0;
  // Batch `index`, 0 <= index < num_batches() (Python's __getitem__).
  virtual Batch get(int64_t index) = 0;
  virtual void on_epoch_begin() {}
  virtual void on_epoch_end() {}

  int workers() const { return options_.workers; }
  int max_queue_size() const { return options_.max_queue_size; }

 private:
  PyDatasetOptions options_;
};

// Keras 2's name for the same class.
using Sequence = PyDataset;

}  // namespace keras::utils
