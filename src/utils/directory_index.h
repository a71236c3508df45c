// Keras's dataset_utils for the directory datasets: argument checks, index_directory and the
// training/validation split (keras/utils/directory_dataset.h states the behaviour).
#pragma once

#include <string>
#include <vector>

#include "keras/utils/directory_dataset.h"

namespace keras::utils::internal {

// The words that differ between image and text datasets in Keras's messages.
struct DirectoryKind {
  std::vector<std::string> formats;  // allowed extensions, lower case: ".png", ...
  std::string files;                 // "image files" / "text files" (the labels error)
  std::string samples;               // "images" / "text samples" (the labels error)
  std::string none_found;            // "images" / "text files" ("No ... found in directory")
  std::string allowed;               // "Allowed formats: (...)" / "Allowed format: .txt"
};

// The directory part of an image or text dataset's options (fields of the same names).
template <class DatasetOptions>
DirectoryOptions directory_options(const DatasetOptions& o) {
  return {.labels = o.labels,
          .label_mode = o.label_mode,
          .class_names = o.class_names,
          .batch_size = o.batch_size,
          .shuffle = o.shuffle,
          .seed = o.seed,
          .validation_split = o.validation_split,
          .subset = o.subset,
          .follow_links = o.follow_links,
          .verbose = o.verbose};
}

// Keras's checks of labels, class_names and label_mode, before anything else.
void check_label_arguments(const DirectoryOptions& options, const DirectoryKind& kind);

// check_validation_split_arg, index_directory and the split: one DirectoryFiles, or two
// (training, validation) for subset "both".
std::vector<DirectoryFiles> split_directory(const std::string& directory,
                                            const DirectoryOptions& options,
                                            const DirectoryKind& kind);

}  // namespace keras::utils::internal
