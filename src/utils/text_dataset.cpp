#include "keras/utils/text_dataset.h"

#include "core/file_util.h"
#include "keras/core/error.h"
#include "utils/directory_index.h"

namespace keras::utils {
namespace {

const internal::DirectoryKind kText{.formats = {".txt"},
                                    .files = "text files",
                                    .samples = "text samples",
                                    .none_found = "text files",
                                    .allowed = "Allowed format: .txt"};

// Keras checks the label arguments and max_length before the directory.
DirectoryOptions checked_directory_options(const TextDatasetOptions& o) {
  internal::check_label_arguments({.labels = o.labels,
                                   .label_mode = o.label_mode,
                                   .class_names = o.class_names,
                                   .batch_size = o.batch_size},
                                  kText);
  KERAS_CHECK(!o.max_length || *o.max_length >= 0, ValueError,
              "`max_length` must be a non-negative integer. Received: max_length=", *o.max_length);
  return internal::directory_options(o);
}

}  // namespace

TextDataset::TextDataset(DirectoryFiles files, const TextDatasetOptions& options)
    : DirectoryDataset(std::move(files)), max_length_(options.max_length) {}

Tensor TextDataset::load_batch(const std::vector<std::string>& paths) const {
  std::vector<std::string> texts;
  texts.reserve(paths.size());
  for (const auto& p : paths) {
    texts.push_back(max_length_ ? keras::internal::read_file(p, static_cast<size_t>(*max_length_))
                                : keras::internal::read_file(p));
  }
  return Tensor::from_strings(std::move(texts));
}

std::shared_ptr<TextDataset> text_dataset_from_directory(const std::string& directory,
                                                         const TextDatasetOptions& options) {
  KERAS_CHECK(options.subset != "both", ValueError,
              "text_dataset_from_directory: subset=\"both\" returns two datasets; call "
              "text_dataset_from_directory_both");
  auto splits = internal::split_directory(directory, checked_directory_options(options), kText);
  return std::make_shared<TextDataset>(std::move(splits.front()), options);
}

std::pair<std::shared_ptr<TextDataset>, std::shared_ptr<TextDataset>>
text_dataset_from_directory_both(const std::string& directory, TextDatasetOptions options) {
  if (!options.subset) options.subset = "both";
  KERAS_CHECK(
      options.subset == "both", ValueError,
      "text_dataset_from_directory_both: subset must be \"both\", received: ", *options.subset);
  auto splits = internal::split_directory(directory, checked_directory_options(options), kText);
  return {std::make_shared<TextDataset>(std::move(splits[0]), options),
          std::make_shared<TextDataset>(std::move(splits[1]), options)};
}

}  // namespace keras::utils
