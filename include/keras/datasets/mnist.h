// MNIST-style datasets read from IDX files, returned as keras.datasets.mnist.load_data() does:
//
//   auto [train, test] = keras::datasets::mnist::load_data("/path/to/mnist");
//   train.x  // uint8 (60000, 28, 28), pixel values 0..255
//   train.y  // uint8 (60000,), class labels 0..9
#pragma once

#include <string>
#include <string_view>

#include "keras/core/tensor.h"

namespace keras::datasets {

// One split of a dataset: inputs x (uint8, (n, 28, 28)) and labels y (uint8, (n,)).
struct Split {
  Tensor x;
  Tensor y;
};

// Keras's ((x_train, y_train), (x_test, y_test)).
struct Dataset {
  Split train;
  Split test;
};

namespace detail {
// Loads train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte from `dir`, each as "<name>.gz" or, failing that, "<name>". A missing
// file is an IOError naming it and `dataset`, followed by `missing_hint`.
Dataset load_idx_dataset(const std::string& dir,
                         std::string_view dataset,
                         std::string_view missing_hint);
}  // namespace detail

}  // namespace keras::datasets

namespace keras::datasets::mnist {

// Reads the four MNIST IDX files (gzipped or not) from `dir`. Throws IOError when a file is
// missing or malformed, and ValueError when the images are not uint8 (n, 28, 28), the labels are
// not uint8 (n,), or a split's image and label counts differ.
Dataset load_data(const std::string& dir);

}  // namespace keras::datasets::mnist
