// keras::utils::text_dataset_from_directory (keras.utils.text_dataset_from_directory): the .txt
// files of a directory tree, one class per subdirectory, as batches of strings.
//
//   // reviews/neg/*.txt, reviews/pos/*.txt
//   auto train = keras::utils::text_dataset_from_directory("reviews", {.max_length = 1000});
//   // x: a string tensor (batch,), each a file's bytes; y: int32 (batch,)
//
// Which files, labels and split: keras/utils/directory_dataset.h (extension .txt). Batches:
// x a string tensor (batch,) of the files' contents, cut to their first max_length bytes (as
// tf.strings.substr), for a model that starts with TextVectorization.
#pragma once

#include <memory>
#include <utility>

#include "keras/utils/directory_dataset.h"

namespace keras::utils {

struct TextDatasetOptions {
  DirectoryLabels labels = std::string("inferred");
  std::optional<std::string> label_mode = "int";
  std::optional<std::vector<std::string>> class_names = std::nullopt;
  int64_t batch_size = 32;
  std::optional<int64_t> max_length = std::nullopt;  // bytes kept of each file; default all
  bool shuffle = true;
  std::optional<uint64_t> seed = std::nullopt;
  std::optional<double> validation_split = std::nullopt;
  std::optional<std::string> subset = std::nullopt;  // "training", "validation" ("both": _both)
  bool follow_links = false;
  bool verbose = true;
};

class TextDataset final : public DirectoryDataset {
 public:
  TextDataset(DirectoryFiles files, const TextDatasetOptions& options);

 protected:
  Tensor load_batch(const std::vector<std::string>& paths) const override;

 private:
  std::optional<int64_t> max_length_;
};

// Keras's ValueErrors as directory_dataset.h lists; ValueError for a negative max_length or
// subset "both" (use text_dataset_from_directory_both). A file that cannot be read is an IOError
// from the batch that reads it.
std::shared_ptr<TextDataset> text_dataset_from_directory(const std::string& directory,
                                                         const TextDatasetOptions& options = {});

// subset "both" (set when options.subset is unset): the training and the validation dataset.
std::pair<std::shared_ptr<TextDataset>, std::shared_ptr<TextDataset>>
text_dataset_from_directory_both(const std::string& directory, TextDatasetOptions options);

}  // namespace keras::utils
