#include "keras/utils/image_dataset.h"

#include <algorithm>
#include <cstring>

#include "keras/core/error.h"
#include "keras/io/image.h"
#include "keras/ops/image.h"
#include "keras/ops/shape.h"
#include "utils/directory_index.h"
#include "utils/pil_image.h"

namespace keras::utils {
namespace {

const internal::DirectoryKind kImages{
    .formats = {".bmp", ".gif", ".jpeg", ".jpg", ".png"},
    .files = "image files",
    .samples = "images",
    .none_found = "images",
    .allowed = "Allowed formats: ('.bmp', '.gif', '.jpeg', '.jpg', '.png')"};

// Keras's checks, in its order; returns the options with interpolation lower-cased.
ImageDatasetOptions checked(ImageDatasetOptions o) {
  internal::check_label_arguments(internal::directory_options(o), kImages);
  KERAS_CHECK(o.color_mode == "rgb" || o.color_mode == "rgba" || o.color_mode == "grayscale",
              ValueError,
              "`color_mode` must be one of {\"rgb\", \"rgba\", \"grayscale\"}. Received: "
              "color_mode=",
              o.color_mode);
  KERAS_CHECK(o.image_size.first > 0 && o.image_size.second > 0, ValueError,
              "Invalid `image_size` value. Expected a tuple of 2 integers. Received: "
              "image_size=(",
              o.image_size.first, ", ", o.image_size.second, ")");
  std::transform(o.interpolation.begin(), o.interpolation.end(), o.interpolation.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  bool known = false;
  for (const char* m : {"bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                        "gaussian", "mitchellcubic"})
    known = known || o.interpolation == m;
  KERAS_CHECK(known, ValueError,
              "Argument `interpolation` should be one of ('bilinear', 'nearest', 'bicubic', "
              "'area', 'lanczos3', 'lanczos5', 'gaussian', 'mitchellcubic'). Received: "
              "interpolation=",
              o.interpolation);
  KERAS_CHECK(o.data_format == "channels_last" || o.data_format == "channels_first", ValueError,
              "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
              "Received: data_format=",
              o.data_format);
  return o;
}

}  // namespace

ImageDataset::ImageDataset(DirectoryFiles files, const ImageDatasetOptions& options)
    : DirectoryDataset(std::move(files)),
      options_(options),
      channels_(options.color_mode == "grayscale" ? 1
                : options.color_mode == "rgba"    ? 4
                                                  : 3) {}

Tensor ImageDataset::load_batch(const std::vector<std::string>& paths) const {
  const auto [height, width] = options_.image_size;
  const bool first = options_.data_format == "channels_first";
  const auto n = static_cast<int64_t>(paths.size());
  const int64_t per_image = height * width * channels_;
  std::vector<float> values(static_cast<size_t>(n * per_image));
  for (int64_t i = 0; i < n; ++i) {
    const io::ImageData img = internal::convert(io::read_image(paths[i]), channels_);
    Tensor x = Tensor::from_vector(std::vector<float>(img.pixels.begin(), img.pixels.end()),
                                   {img.height, img.width, img.channels});
    if (first) x = ops::transpose(x, {2, 0, 1});
    x = ops::image::resize(x, options_.image_size,
                           {.interpolation = options_.interpolation,
                            .crop_to_aspect_ratio = options_.crop_to_aspect_ratio,
                            .pad_to_aspect_ratio = options_.pad_to_aspect_ratio,
                            .data_format = options_.data_format})
            .cpu();
    std::memcpy(values.data() + i * per_image, x.data<float>(), sizeof(float) * per_image);
  }
  return Tensor::from_vector(
      values, first ? Shape{n, channels_, height, width} : Shape{n, height, width, channels_});
}

std::shared_ptr<ImageDataset> image_dataset_from_directory(const std::string& directory,
                                                           const ImageDatasetOptions& options) {
  KERAS_CHECK(options.subset != "both", ValueError,
              "image_dataset_from_directory: subset=\"both\" returns two datasets; call "
              "image_dataset_from_directory_both");
  const ImageDatasetOptions o = checked(options);
  auto splits = internal::split_directory(directory, internal::directory_options(o), kImages);
  return std::make_shared<ImageDataset>(std::move(splits.front()), o);
}

std::pair<std::shared_ptr<ImageDataset>, std::shared_ptr<ImageDataset>>
image_dataset_from_directory_both(const std::string& directory, ImageDatasetOptions options) {
  if (!options.subset) options.subset = "both";
  KERAS_CHECK(
      options.subset == "both", ValueError,
      "image_dataset_from_directory_both: subset must be \"both\", received: ", *options.subset);
  const ImageDatasetOptions o = checked(options);
  auto splits = internal::split_directory(directory, internal::directory_options(o), kImages);
  return {std::make_shared<ImageDataset>(std::move(splits[0]), o),
          std::make_shared<ImageDataset>(std::move(splits[1]), o)};
}

}  // namespace keras::utils
