#include "keras/layers/preprocessing/category_encoding.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "layers/preprocessing/categorical.h"

namespace keras::layers {

namespace categorical {

void check_mode(const std::string& mode, const std::string& layer) {
  KERAS_CHECK(mode == "one_hot" || mode == "multi_hot" || mode == "count", ValueError, layer,
              ": Unknown arg for output_mode: ", mode);
}

Shape output_shape(const Shape& shape, const std::string& mode, int64_t depth,
                   const std::string& layer) {
  if (shape.empty()) return {depth};
  if (mode == "one_hot") {
    Shape out = shape;
    if (out.size() > 1 && out.back() == 1) out.pop_back();
    out.push_back(depth);
    return out;
  }
  KERAS_CHECK(shape.size() <= 2, ValueError, layer, ": output_mode='", mode,
              "' takes ids of rank 1 or 2, (batch,) or (batch, ids); received shape ",
              shape_str(shape));
  Shape out(shape.begin(), shape.end() - 1);
  out.push_back(depth);
  return out;
}

Tensor encode(const Tensor& ids_in, const std::string& mode, int64_t depth, DType dtype,
              const std::string& layer) {
  const Shape out = output_shape(ids_in.shape(), mode, depth, layer);
  Tensor ids = ids_in.rank() == 0 ? ops::expand_dims(ids_in, 0) : ids_in;
  if (mode == "one_hot") {
    if (ids.rank() > 1 && ids.shape().back() == 1) ids = ops::squeeze(ids, -1);
    return ops::reshape(ops::one_hot(ids, depth, dtype), out);
  }
  // (..., k, depth) reduced over the k ids: their union (max) or their count (sum).
  const Tensor hot = ops::one_hot(ids, depth, dtype);
  const int axis = static_cast<int>(hot.rank()) - 2;
  return mode == "count" ? ops::sum(hot, {axis}) : ops::max(hot, {axis});
}

}  // namespace categorical

namespace {

std::string standard_mode(std::string mode) {
  return mode == "binary" ? "multi_hot" : mode;
}

}  // namespace

CategoryEncodingImpl::CategoryEncodingImpl(int64_t num_tokens, CategoryEncodingOptions options)
    : Layer(options.name,
            "category_encoding",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      num_tokens_(num_tokens),
      options_(std::move(options)) {
  options_.output_mode = standard_mode(options_.output_mode);
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

std::vector<Shape> CategoryEncodingImpl::compute_output_shape(
    const std::vector<Shape>& in) const {
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
      CategoryEncodingOptions{.output_mode = config::get<std::string>(c, "output_mode",
                                                                      "multi_hot", w),
                              .sparse = config::get<bool>(c, "sparse", false, w),
                              .name = config::get<std::string>(c, "name", "", w)});
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
