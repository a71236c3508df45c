#include "keras/layers/preprocessing/image_layer.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {

ImageLayerImpl::ImageLayerImpl(const std::string& name,
                               std::string_view prefix,
                               const std::optional<std::vector<Dim>>& input_shape,
                               const char* what,
                               std::string data_format,
                               std::optional<uint64_t> seed)
    : Layer(name, prefix, input_shape ? std::optional(to_shape(*input_shape)) : std::nullopt),
      what_(what),
      data_format_(std::move(data_format)),
      seed_(seed) {
  augmentation::check_data_format(data_format_);
  if (seed_) generator_.emplace(*seed_);
}

Tensor ImageLayerImpl::images(const Tensor& x, std::pair<int, int>* axes) const {
  const auto a = augmentation::image_axes(x.rank(), data_format_, what_);
  if (axes != nullptr) *axes = a;
  return x.dtype() == dtype() ? x : ops::cast(x, dtype());
}

std::vector<Shape> ImageLayerImpl::compute_output_shape(const std::vector<Shape>& in) const {
  (void)augmentation::image_axes(static_cast<int>(in[0].size()), data_format_, what_);
  return {in[0]};
}

std::vector<DType> ImageLayerImpl::compute_output_dtype(const std::vector<DType>&, size_t) const {
  return {dtype()};
}

Json ImageLayerImpl::image_config() const {
  Json config = Layer::get_config();
  config["data_format"] = data_format_;
  return config;
}

Json ImageLayerImpl::seed_json() const {
  return seed_ ? Json(*seed_) : Json(nullptr);
}

}  // namespace keras::layers
