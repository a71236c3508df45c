#include "keras/datasets/fashion_mnist.h"

namespace keras::datasets::fashion_mnist {

Dataset load_data(const std::string& dir) {
  return detail::load_idx_dataset(
      dir, "fashion_mnist",
      "; the Fashion-MNIST files are provided by the Debian package dataset-fashion-mnist "
      "(apt-get install dataset-fashion-mnist)");
}

}  // namespace keras::datasets::fashion_mnist
