// keras::utils::image_dataset_from_directory (keras.utils.image_dataset_from_directory): the
// images of a directory tree, one class per subdirectory, as batches fit / evaluate / predict
// read.
//
//   // photos/cat/*.jpg, photos/dog/*.png
//   auto [train, val] = keras::utils::image_dataset_from_directory_both(
//       "photos", {.image_size = {64, 64}, .seed = 7, .validation_split = 0.2});
//   train->class_names();                    // {"cat", "dog"}
//   model.fit(train, {}, {.epochs = 5, .validation_data = keras::ValidationData{val}});
//
// Which files, labels and split: keras/utils/directory_dataset.h (extensions .bmp, .gif, .jpeg,
// .jpg, .png, Keras's ALLOWLIST_FORMATS). Each image is decoded (keras/io/image.h), converted to
// color_mode as Pillow converts it, and resized to image_size by keras::ops::image::resize with
// `interpolation`, crop_to_aspect_ratio and pad_to_aspect_ratio, as Keras's format="grain"
// does (Keras's default format="tf" decodes and resizes with TensorFlow instead: see
// docs/differences.md). Batches: x float32 (batch, height, width, channels), or
// (batch, channels, height, width) with data_format "channels_first", values 0..255.
#pragma once

#include <memory>
#include <utility>

#include "keras/utils/directory_dataset.h"

namespace keras::utils {

struct ImageDatasetOptions {
  DirectoryLabels labels = std::string("inferred");
  std::optional<std::string> label_mode = "int";
  std::optional<std::vector<std::string>> class_names = std::nullopt;
  std::string color_mode = "rgb";  // "grayscale" (1 channel), "rgb" (3), "rgba" (4)
  int64_t batch_size = 32;
  std::pair<int64_t, int64_t> image_size = {256, 256};  // (height, width)
  bool shuffle = true;
  std::optional<uint64_t> seed = std::nullopt;
  std::optional<double> validation_split = std::nullopt;
  std::optional<std::string> subset = std::nullopt;  // "training", "validation" ("both": _both)
  // "bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian",
  // "mitchellcubic" (any case).
  std::string interpolation = "bilinear";
  bool follow_links = false;
  bool crop_to_aspect_ratio = false;
  bool pad_to_aspect_ratio = false;
  std::string data_format = "channels_last";
  bool verbose = true;
};

class ImageDataset final : public DirectoryDataset {
 public:
  ImageDataset(DirectoryFiles files, const ImageDatasetOptions& options);

 protected:
  Tensor load_batch(const std::vector<std::string>& paths) const override;

 private:
  ImageDatasetOptions options_;
  int channels_;
};

// Keras's ValueErrors (and wording) for the arguments directory_dataset.h lists and for a
// color_mode, interpolation or image_size Keras refuses; ValueError for subset "both" (use
// image_dataset_from_directory_both). An image that cannot be decoded is an IOError from the
// batch that reads it (from fit / evaluate / predict).
std::shared_ptr<ImageDataset> image_dataset_from_directory(const std::string& directory,
                                                           const ImageDatasetOptions& options = {});

// subset "both" (set when options.subset is unset): the training and the validation dataset.
std::pair<std::shared_ptr<ImageDataset>, std::shared_ptr<ImageDataset>>
image_dataset_from_directory_both(const std::string& directory, ImageDatasetOptions options);

}  // namespace keras::utils
