#include "keras/layers/input_layer.h"

#include "keras/config/json.h"

namespace keras {

KerasTensor Input(const std::vector<Dim>& shape, InputOptions options) {
  Shape batch_shape = to_shape(shape);
  KERAS_CHECK(!options.batch_size || *options.batch_size > 0, ValueError,
              "Input: batch_size must be a positive integer or None, received batch_size=",
              options.batch_size.value_or(0));
  batch_shape.insert(batch_shape.begin(), options.batch_size.value_or(kNone));
  auto layer =
      std::make_shared<layers::InputLayerImpl>(batch_shape, options.dtype, std::move(options.name));
  return layer->make_input_tensor();
}

namespace layers {

InputLayerImpl::InputLayerImpl(Shape batch_shape, DType dtype, std::string name)
    : Layer(std::move(name), "input"), batch_shape_(std::move(batch_shape)), input_dtype_(dtype) {
  set_dtype(dtype);
  set_built(true);
}

KerasTensor InputLayerImpl::make_input_tensor() {
  KERAS_CHECK(inbound_nodes().empty(), ValueError, "InputLayer ", name(), " already has a tensor");
  return add_node({}, {{batch_shape_, input_dtype_, name() + ":0"}})[0];
}

Tensors InputLayerImpl::call(const Tensors& inputs, bool) {
  return inputs;
}

std::vector<Shape> InputLayerImpl::compute_output_shape(const std::vector<Shape>&) const {
  return {batch_shape_};
}

Json InputLayerImpl::get_config() const {
  return Json{{"batch_shape", config::shape_to_json(batch_shape_)},
              {"dtype", std::string(dtype_name(input_dtype_))},
              {"sparse", false},
              {"ragged", false},
              {"name", name()}};
}

std::shared_ptr<Layer> InputLayerImpl::from_config(const Json& config) {
  const Json* shape = config::find(config, "batch_shape");
  if (shape == nullptr) shape = config::find(config, "batch_input_shape");  // Keras 2
  KERAS_CHECK(shape != nullptr, ValueError, "InputLayer config has no batch_shape");
  Shape batch_shape = config::shape_from_json(*shape, "InputLayer batch_shape");
  KERAS_CHECK(!batch_shape.empty(), ValueError, "InputLayer batch_shape must include the batch");
  KERAS_CHECK(!config::get<bool>(config, "sparse", false, "InputLayer") &&
                  !config::get<bool>(config, "ragged", false, "InputLayer"),
              ValueError, "InputLayer: sparse and ragged inputs are not supported");
  const DType dtype =
      config::find(config, "dtype") ? config::dtype_from_json(config["dtype"]) : float32;
  return std::make_shared<InputLayerImpl>(
      std::move(batch_shape), dtype, config::get<std::string>(config, "name", "", "InputLayer"));
}

}  // namespace layers
}  // namespace keras
