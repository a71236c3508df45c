#include "keras/layers/preprocessing/category_encoding.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
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

namespace {

// The ids and, when given, the count_weights (ValueError in Keras's wording for other calls).
void check_inputs(const std::string& layer,
                  const std::string& mode,
                  const std::vector<Shape>& shapes) {
  KERAS_CHECK(shapes.size() == 1 || shapes.size() == 2, ValueError, "Layer '", layer,
              "' (CategoryEncoding) expects its ids and at most count_weights; received ",
              shapes.size(), " inputs");
  if (shapes.size() == 1) return;
  KERAS_CHECK(mode == "count", ValueError,
              "`count_weights` is not used when `output_mode` is not `'count'`. Received "
              "`count_weights` of shape ",
              shape_str(shapes[1]), ".");
  KERAS_CHECK(shapes[1] == shapes[0], ValueError, "Layer '", layer,
              "' (CategoryEncoding): `count_weights` must have the shape of the ids, ",
              shape_str(shapes[0]), "; received ", shape_str(shapes[1]));
}

}  // namespace

Tensors CategoryEncodingImpl::call(const Tensors& inputs, bool) {
  std::vector<Shape> shapes;
  for (const Tensor& t : inputs) shapes.push_back(t.shape());
  check_inputs(name(), options_.output_mode, shapes);
  if (inputs.size() == 2) {
    return {categorical::weighted_count(inputs[0], ops::cast(inputs[1], dtype()), num_tokens_,
                                        "CategoryEncoding")};
  }
  return {categorical::encode(inputs[0], options_.output_mode, num_tokens_, dtype(),
                              "CategoryEncoding")};
}

std::vector<Shape> CategoryEncodingImpl::compute_output_shape(const std::vector<Shape>& in) const {
  check_inputs(name(), options_.output_mode, in);
  return {categorical::output_shape(in[0], options_.output_mode, num_tokens_, "CategoryEncoding")};
}

SavedCallTensors CategoryEncodingImpl::bind_saved_call(const Json& args, const Json& kwargs) {
  KERAS_CHECK(args.is_array() && (args.size() == 1 || args.size() == 2), ValueError,
              "Functional config: layer \"", name(),
              "\" (CategoryEncoding) takes its ids and count_weights");
  SavedCallTensors call{.inputs = {&args[0]}, .masks = {}};
  if (args.size() == 2) call.inputs.push_back(&args[1]);
  if (kwargs.is_object()) {
    for (const auto& [key, value] : kwargs.items()) {
      KERAS_CHECK(key == "count_weights" && call.inputs.size() == 1, ValueError,
                  "Functional config: layer \"", name(),
                  "\" (CategoryEncoding) is called with the argument '", key.substr(0, 100),
                  "', which it does not take (or takes twice)");
      if (!value.is_null()) call.inputs.push_back(&value);
    }
  }
  return call;
}

Json CategoryEncodingImpl::saved_call(const Node& node,
                                      const std::vector<Json>& inputs,
                                      const std::vector<Json>&) const {
  Json kwargs = Json::object();
  if (inputs.size() > 1) kwargs["count_weights"] = inputs[1];
  if (node.training) kwargs["training"] = *node.training;
  return Json{{"args", Json::array({inputs.at(0)})}, {"kwargs", kwargs}};
}

Tensors CategoryEncodingImpl::call_node(const Node&, const Tensors& inputs, bool training) {
  return call_with_masks(inputs, training);
}

bool CategoryEncodingImpl::same_call(const Node& a, const Node& b) const {
  return a.input_tensors.size() == b.input_tensors.size();
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
