#include "keras/layers/embedding.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

std::optional<Shape> embedding_input_shape(const EmbeddingOptions& o) {
  if (o.input_shape) return to_shape(*o.input_shape);
  if (o.input_length) return Shape{*o.input_length};  // Keras 2: input_shape=(input_length,)
  return std::nullopt;
}

}  // namespace

void internal::take_dims(const char* layer,
                         int64_t input_dim,
                         int64_t output_dim,
                         int64_t& options_input_dim,
                         int64_t& options_output_dim) {
  KERAS_CHECK(options_input_dim == 0 || options_input_dim == input_dim, ValueError, layer,
              ": input_dim given twice, as ", input_dim,
              " and as options.input_dim=", options_input_dim);
  KERAS_CHECK(options_output_dim == 0 || options_output_dim == output_dim, ValueError, layer,
              ": output_dim given twice, as ", output_dim,
              " and as options.output_dim=", options_output_dim);
  options_input_dim = input_dim;
  options_output_dim = output_dim;
}

EmbeddingOptions Embedding::with_dims(int64_t input_dim, int64_t output_dim, EmbeddingOptions o) {
  internal::take_dims("Embedding", input_dim, output_dim, o.input_dim, o.output_dim);
  return o;
}

EmbeddingImpl::EmbeddingImpl(EmbeddingOptions options)
    : Layer(options.name, "embedding", embedding_input_shape(options)),
      options_(std::move(options)) {
  autocast_ = false;
  KERAS_CHECK(options_.input_dim > 0, ValueError,
              "`input_dim` must be a positive integer. Received: input_dim=", options_.input_dim);
  KERAS_CHECK(
      options_.output_dim > 0, ValueError,
      "`output_dim` must be a positive integer. Received: output_dim=", options_.output_dim);
  KERAS_CHECK(!options_.input_length || *options_.input_length > 0, ValueError,
              "Embedding: input_length must be positive, got ", *options_.input_length);
  set_activity_regularizer(options_.activity_regularizer);
  if (options_.weights.defined()) {
    // Keras 3: build at once and set_weights([weights]) (its shape checks and errors).
    maybe_build({Shape{kNone}});
    set_weights({options_.weights});
    options_.weights = {};
  }
}

void EmbeddingImpl::build(const std::vector<Shape>&) {
  embeddings_ = add_weight("embeddings", {options_.input_dim, options_.output_dim},
                           options_.embeddings_initializer, true, options_.embeddings_regularizer,
                           options_.embeddings_constraint);
}

Tensors EmbeddingImpl::call(const Tensors& inputs, bool) {
  const Tensor& given = inputs[0];
  // Floating ids are checked as given, before Keras's cast to int32 would truncate them.
  Tensor y = ops::embedding_lookup(
      embeddings_.value(), given,
      str("Exception encountered when calling layer \"", name(), "\" (type ", class_name(), "): "));
  if (options_.mask_zero) {
    Tensor ids = given;
    if (ids.dtype() != int32 && ids.dtype() != int64) ids = ops::cast(ids, int32);  // as Keras 2
    y.set_keras_mask(ops::not_equal(ids, ops::zeros_like(ids)));
  }
  return {y};
}

std::vector<Shape> EmbeddingImpl::compute_output_shape(
    const std::vector<Shape>& input_shapes) const {
  const Shape& in = input_shapes[0];
  Shape out = in;
  if (options_.input_length) {
    // Keras 2: the input_length must agree with the timestep dimension, which it fixes.
    const bool ok = in.size() == 2 && (in[1] == kNone || in[1] == *options_.input_length);
    KERAS_CHECK(ok, ValueError, "\"input_length\" is ", *options_.input_length,
                ", but received input has shape ", shape_str(in));
    out[1] = *options_.input_length;
  }
  out.push_back(options_.output_dim);
  return {out};
}

Json EmbeddingImpl::get_config() const {
  Json config = Layer::get_config();
  config["input_dim"] = options_.input_dim;
  config["output_dim"] = options_.output_dim;
  config["embeddings_initializer"] = initializers::serialize(options_.embeddings_initializer);
  config["embeddings_regularizer"] = regularizers::serialize(options_.embeddings_regularizer);
  config["activity_regularizer"] = regularizers::serialize(activity_regularizer());
  config["embeddings_constraint"] = constraints::serialize(options_.embeddings_constraint);
  config["mask_zero"] = options_.mask_zero;
  return config;
}

EmbeddingOptions EmbeddingImpl::options_from_config(const Json& config, const char* w) {
  using config::value;
  EmbeddingOptions o{
      .input_dim = config::require<int64_t>(config, "input_dim", w),
      .output_dim = config::require<int64_t>(config, "output_dim", w),
      .embeddings_initializer =
          initializers::deserialize(value(config, "embeddings_initializer", "uniform")),
      .embeddings_regularizer =
          regularizers::deserialize(value(config, "embeddings_regularizer", nullptr)),
      .embeddings_constraint =
          constraints::deserialize(value(config, "embeddings_constraint", nullptr)),
      .mask_zero = config::get<bool>(config, "mask_zero", false, w),
      .name = config::get<std::string>(config, "name", "", w),
  };
  // Keras 2 configs carry input_length; Keras 3 drops it (the input shape fixes the length).
  if (config::find(config, "input_length")) {
    o.input_length = config::require<int64_t>(config, "input_length", w);
  }
  return o;
}

std::shared_ptr<Layer> EmbeddingImpl::from_config(const Json& config) {
  auto layer = std::make_shared<EmbeddingImpl>(options_from_config(config, "Embedding"));
  layer->apply_base_config(config);
  return layer;
}

}  // namespace keras::layers
