#include "keras/trainers/py_dataset.h"

namespace keras::utils {

PyDataset::PyDataset(PyDatasetOptions options) : options_(options) {
  KERAS_CHECK(
      options_.workers >= 0, ValueError,
      "PyDataset: `workers` must be a non-negative integer. Received: workers=", options_.workers);
  KERAS_CHECK(options_.max_queue_size >= 1, ValueError,
              "PyDataset: `max_queue_size` must be a positive integer. Received: max_queue_size=",
              options_.max_queue_size);
}

}  // namespace keras::utils
