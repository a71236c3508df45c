// Fashion-MNIST (Zalando): 28x28 grayscale images of 10 clothing classes, 60000 for training and
// 10000 for testing, as keras.datasets.fashion_mnist.load_data() returns them:
//
//   auto [train, test] = keras::datasets::fashion_mnist::load_data();
//   train.x  // uint8 (60000, 28, 28), pixel values 0..255
//   train.y  // uint8 (60000,), labels 0..9 (T-shirt/top, Trouser, Pullover, Dress, Coat,
//            //                               Sandal, Shirt, Sneaker, Bag, Ankle boot)
//
// Nothing is downloaded: the files come from the Debian package dataset-fashion-mnist, which
// installs them in /usr/share/datasets/fashion-mnist.
#pragma once

#include <string>

#include "keras/datasets/mnist.h"

namespace keras::datasets::fashion_mnist {

// Reads train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and
// t10k-labels-idx1-ubyte.gz (or the same names without .gz) from `dir`. A missing file is an
// IOError naming it and saying to `apt-get install dataset-fashion-mnist`; malformed files and
// inconsistent shapes throw as in mnist::load_data.
Dataset load_data(const std::string& dir = "/usr/share/datasets/fashion-mnist");

}  // namespace keras::datasets::fashion_mnist
