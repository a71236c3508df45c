#include "keras/layers/preprocessing/category_encoding.h"

#include "keras/config/json.h"
#include "layers/preprocessing/categorical.h"

namespace keras::layers {

CategoryEncodingImpl::CategoryEncodingImpl(int64_t num_tokens, CategoryEncodingOptions options)
    : Layer(options.name,
            "category_encoding",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      num_tokens_(num_tokens),
      options_(std::move(options)) {
  autocast_ = false;
  options_.output_mode = categorical::standard_mode(options_.output_mode);
  categorical::check_mode(options_.output_mode, "CategoryEncoding");
  KERAS_CHECK(num_tokens_ >= 1, ValueError,
              "`num_tokens` must be >= 1. Received: num_tokens=", num_tokens_, ".");
  KERAS_CHECK(!options_.sparse, NotImplementedError,
              "CategoryEncoding: sparse=True needs sparse tensors, which keras.cpp does not have");
}

Tensors CategoryEncodingImpl::call(const Tensors& inputs, bool) {
  KERAS_CHECK(inputs.size() == 1, NotImplementedError,
              "CategoryEncoding: count_weights (a second input) is not supported");
  return {categorical::encode(inputs[0], options_.output_mode, num_tokens_, dtype(),
                              "CategoryEncoding")};
}

std::vector<Shape> CategoryEncodingImpl::compute_output_shape(const std::vector<Shape>& in) const {
  return {categorical::output_shape(in[0], options_.output_mode, num_tokens_, "CategoryEncoding")};
}

std::vector<DType> CategoryEncodingImpl::compute_output_dtype(const std::vector<DType>&,
                                                              size_t) const {
  return {dtype()};
}

Json CategoryEncodingImpl::get_config() const {
  Json config = Layer::get_config();
  config["num_tokens"] = num_tokens_;
  config["output_mode"] = options_.output_mode;  // Keras writes no "sparse"
  return config;
}

std::shared_ptr<Layer> CategoryEncodingImpl::from_config(const Json& c) {
  const char* w = "CategoryEncoding";
  const Json* tokens = config::find(c, "num_tokens");
  KERAS_CHECK(tokens != nullptr && !tokens->is_null(), ValueError,
              "num_tokens must be set to use this layer. If the number of tokens is not known "
              "beforehand, use the IntegerLookup layer instead.");
  auto layer = std::make_shared<CategoryEncodingImpl>(
      config::convert<int64_t>(*tokens, "num_tokens", w),
      CategoryEncodingOptions{
          .output_mode = config::get<std::string>(c, "output_mode", "multi_hot", w),
          .sparse = config::get<bool>(c, "sparse", false, w),
          .name = config::get<std::string>(c, "name", "", w)});
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
