#include "keras/utils/directory_dataset.h"

#include <algorithm>
#include <numeric>

#include "keras/core/error.h"

namespace keras::utils {

DirectoryDataset::DirectoryDataset(DirectoryFiles files)
    : paths_(std::move(files.paths)),
      labels_(std::move(files.labels)),
      class_names_(std::move(files.class_names)),
      label_mode_(std::move(files.label_mode)),
      batch_size_(files.batch_size),
      reshuffle_(files.reshuffle),
      generator_(files.seed),
      order_(paths_.size()) {
  std::iota(order_.begin(), order_.end(), size_t{0});
}

int64_t DirectoryDataset::num_batches() const {
  return (static_cast<int64_t>(paths_.size()) + batch_size_ - 1) / batch_size_;
}

void DirectoryDataset::on_epoch_begin() {
  if (!reshuffle_) return;
  for (size_t i = order_.size(); i > 1; --i)
    std::swap(order_[i - 1], order_[generator_.next_below(i)]);
}

Batch DirectoryDataset::get(int64_t index) {
  KERAS_CHECK(index >= 0 && index < num_batches(), IndexError, "DirectoryDataset: batch ", index,
              " out of range [0, ", num_batches(), ")");
  const size_t first = static_cast<size_t>(index * batch_size_);
  const size_t last = std::min(paths_.size(), first + static_cast<size_t>(batch_size_));
  std::vector<std::string> paths;
  std::vector<int64_t> labels;
  for (size_t k = first; k < last; ++k) {
    paths.push_back(paths_[order_[k]]);
    if (label_mode_) labels.push_back(labels_[order_[k]]);
  }
  Batch batch{.x = load_batch(paths)};
  if (!label_mode_) return batch;
  const auto n = static_cast<int64_t>(labels.size());
  if (*label_mode_ == "int") {
    batch.y = Tensor::from_vector(std::vector<int32_t>(labels.begin(), labels.end()));
  } else if (*label_mode_ == "binary") {
    batch.y = Tensor::from_vector(std::vector<float>(labels.begin(), labels.end()), {n, 1});
  } else {
    // tf.one_hot: a label outside [0, num_classes) gives a row of zeros.
    const auto k = static_cast<int64_t>(class_names_.size());
    std::vector<float> one_hot(static_cast<size_t>(n * k), 0.0f);
    for (int64_t i = 0; i < n; ++i)
      if (labels[i] >= 0 && labels[i] < k) one_hot[i * k + labels[i]] = 1.0f;
    batch.y = Tensor::from_vector(one_hot, {n, k});
  }
  return batch;
}

}  // namespace keras::utils
