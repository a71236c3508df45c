// The part of image_dataset_from_directory and text_dataset_from_directory that is not about
// the files' content (Keras's dataset_utils): which files, which labels, which split, and the
// batches of labels. See keras/utils/image_dataset.h and keras/utils/text_dataset.h.
//
// Files: with labels "inferred", one class per subdirectory of `directory` (sorted by name,
// hidden ones skipped; or class_names, in its order), every file below it, at any depth, whose
// name ends (case-insensitively) with an allowed extension; otherwise every such file under
// `directory`. Subdirectories are walked in sorted order of their paths and files sorted by
// name, as Keras's os.walk; with follow_links, symbolic links to directories are followed.
// shuffle=false keeps that order; shuffle=true shuffles it once with `seed` (Keras shuffles
// with NumPy's generator: the same files, another order).
//
// Split: validation_split v keeps the last int(v * n) files for "validation" and the others
// for "training", as Keras (so with int(v * n) == 0, training is empty: "No training ... found"
// and validation gets every file). Keras's ValueErrors and wording for v outside (0, 1), subset
// without v (and inversely), v with shuffle and no seed, labels of the wrong length, class_names
// with labels not "inferred" or naming a missing subdirectory, label_mode "binary" without
// exactly 2 classes, and no files found.
//
// Batches: x as each dataset makes it; y by label_mode: "int" int32 (batch,), "categorical"
// float32 (batch, num_classes) one-hot, "binary" float32 (batch, 1); none with labels or
// label_mode std::nullopt (predict). With shuffle, a dataset draws a new order of its files every
// epoch (Keras reshuffles through a buffer of 8 * batch_size files: the same batch sizes, another
// mix), except the validation set of subset "both", which keeps its order, as Keras's.
// A missing `directory` is an IOError "[Errno 2] No such file or directory: '<directory>'"
// with labels "inferred" (Python's os.listdir), else "No ... found".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "keras/core/random.h"
#include "keras/trainers/py_dataset.h"

namespace keras::utils {

// Keras's `labels`: "inferred", a list of integer labels (one per file, in the sorted order of
// the files' paths), or nullptr (None: no labels).
using DirectoryLabels = std::variant<std::string, std::vector<int64_t>, std::nullptr_t>;

// What the directory functions share (their options structs convert to it).
struct DirectoryOptions {
  DirectoryLabels labels = std::string("inferred");
  std::optional<std::string> label_mode = "int";  // "int", "categorical", "binary" or nullopt
  std::optional<std::vector<std::string>> class_names = std::nullopt;
  int64_t batch_size = 32;
  bool shuffle = true;
  std::optional<uint64_t> seed = std::nullopt;
  std::optional<double> validation_split = std::nullopt;
  std::optional<std::string> subset = std::nullopt;  // "training", "validation" or "both"
  bool follow_links = false;
  bool verbose = true;
};

// The files of one split, in order, and how to batch them (made by the directory functions).
struct DirectoryFiles {
  std::vector<std::string> paths;
  std::vector<int64_t> labels;            // one per path; empty without labels
  std::vector<std::string> class_names;   // empty without labels
  std::optional<std::string> label_mode;  // std::nullopt: batches hold x only
  int64_t batch_size = 32;
  bool reshuffle = false;  // a new order every epoch
  uint64_t seed = 0;
};

class DirectoryDataset : public PyDataset {
 public:
  // Keras's dataset.class_names (empty without labels) and dataset.file_paths.
  const std::vector<std::string>& class_names() const { return class_names_; }
  const std::vector<std::string>& file_paths() const { return paths_; }
  // The integer label of each file in file_paths() (empty without labels).
  const std::vector<int64_t>& labels() const { return labels_; }
  int64_t num_batches() const override;
  Batch get(int64_t index) override;
  void on_epoch_begin() override;

 protected:
  explicit DirectoryDataset(DirectoryFiles files);
  // The batch's x from its files' paths.
  virtual Tensor load_batch(const std::vector<std::string>& paths) const = 0;

 private:
  std::vector<std::string> paths_;
  std::vector<int64_t> labels_;
  std::vector<std::string> class_names_;
  std::optional<std::string> label_mode_;
  int64_t batch_size_;
  bool reshuffle_;
  Generator generator_;
  std::vector<size_t> order_;  // this epoch's order of the files
};

}  // namespace keras::utils
