#include "keras/layers/input_layer.h"

namespace keras {

KerasTensor Input(const std::vector<Dim>& shape, InputOptions options) {
  Shape batch_shape = to_shape(shape);
  for (int64_t d : batch_shape) {
    KERAS_CHECK(d == kNone || d >= 0, ValueError, "Input: invalid shape ", shape_str(batch_shape));
  }
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

}  // namespace layers
}  // namespace keras
