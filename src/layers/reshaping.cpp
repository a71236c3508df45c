#include "keras/layers/reshaping.h"

#include <algorithm>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

std::optional<Shape> optional_shape(const std::optional<std::vector<Dim>>& s) {
  return s ? std::optional(to_shape(*s)) : std::nullopt;
}

// Floating inputs take the layer's dtype (Keras's autocast); other dtypes pass through.
DType autocast(DType input, DType layer) {
  return is_floating(input) ? layer : input;
}

}  // namespace

// ---- RepeatVector ----

RepeatVectorImpl::RepeatVectorImpl(int64_t n, RepeatVectorOptions options)
    : Layer(std::move(options.name), "repeat_vector", optional_shape(options.input_shape)), n_(n) {
  KERAS_CHECK(n > 0, ValueError, "Argument `n` should be a positive integer. Received: n=", n);
  input_spec_ = {InputSpec{.ndim = 2}};
}

std::vector<Shape> RepeatVectorImpl::compute_output_shape(const std::vector<Shape>& in) const {
  return {Shape{in[0][0], n_, in[0][1]}};
}

std::vector<DType> RepeatVectorImpl::compute_output_dtype(const std::vector<DType>& in,
                                                          size_t num_outputs) const {
  return std::vector<DType>(num_outputs, autocast(in.at(0), dtype()));
}

Tensors RepeatVectorImpl::call(const Tensors& inputs, bool) {
  const Tensor x = ops::cast(inputs[0], autocast(inputs[0].dtype(), dtype()));
  const int64_t batch = x.shape()[0], features = x.shape()[1];
  return {ops::broadcast_to(ops::reshape(x, {batch, 1, features}), {batch, n_, features})};
}

// ---- Permute ----

PermuteImpl::PermuteImpl(std::vector<int> dims, PermuteOptions options)
    : Layer(std::move(options.name), "permute", optional_shape(options.input_shape)),
      dims_(std::move(dims)) {
  std::vector<int> sorted = dims_;
  std::sort(sorted.begin(), sorted.end());
  bool ok = true;
  for (size_t i = 0; i < sorted.size(); ++i) ok = ok && sorted[i] == static_cast<int>(i) + 1;
  KERAS_CHECK(ok, ValueError, "Invalid permutation `dims` for Permute Layer: ",
              shape_str(Shape(dims_.begin(), dims_.end())),
              ". The set of indices in `dims` must be consecutive and start from 1.");
  input_spec_ = {InputSpec{.ndim = static_cast<int>(dims_.size()) + 1}};
}

std::vector<Shape> PermuteImpl::compute_output_shape(const std::vector<Shape>& in) const {
  Shape out = in[0];
  for (size_t i = 0; i < dims_.size(); ++i) out[i + 1] = in[0][static_cast<size_t>(dims_[i])];
  return {out};
}

std::vector<DType> PermuteImpl::compute_output_dtype(const std::vector<DType>& in,
                                                     size_t num_outputs) const {
  return std::vector<DType>(num_outputs, autocast(in.at(0), dtype()));
}

Tensors PermuteImpl::call(const Tensors& inputs, bool) {
  const Tensor x = ops::cast(inputs[0], autocast(inputs[0].dtype(), dtype()));
  std::vector<int> axes{0};
  axes.insert(axes.end(), dims_.begin(), dims_.end());
  return {ops::transpose(x, axes)};
}

Json RepeatVectorImpl::get_config() const {
  Json config = Layer::get_config();
  config["n"] = n_;
  return config;
}

std::shared_ptr<Layer> RepeatVectorImpl::from_config(const Json& config) {
  auto layer = std::make_shared<RepeatVectorImpl>(
      config::require<int64_t>(config, "n", "RepeatVector"),
      RepeatVectorOptions{.name = config::get<std::string>(config, "name", "", "RepeatVector")});
  layer->apply_base_config(config);
  return layer;
}

Json PermuteImpl::get_config() const {
  Json config = Layer::get_config();
  config["dims"] = dims_;
  return config;
}

std::shared_ptr<Layer> PermuteImpl::from_config(const Json& config) {
  const auto dims = config::require<std::vector<int>>(config, "dims", "Permute");
  KERAS_CHECK(dims.size() <= 64, ValueError, "Permute: too many dims");
  auto layer = std::make_shared<PermuteImpl>(
      dims, PermuteOptions{.name = config::get<std::string>(config, "name", "", "Permute")});
  layer->apply_base_config(config);
  return layer;
}

}  // namespace keras::layers
