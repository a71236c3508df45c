#include "keras/layers/preprocessing/pipeline.h"

#include "keras/config/json.h"
#include "keras/layers/registry.h"
#include "layers/container_variables.h"

namespace keras::layers {

PipelineImpl::PipelineImpl(std::vector<LayerRef> layers, PipelineOptions options)
    : Layer(std::move(options.name), "pipeline"), layers_(std::move(layers)) {
  for (size_t i = 0; i < layers_.size(); ++i) {
    KERAS_CHECK(static_cast<bool>(layers_[i]), ValueError, "Pipeline: layer ", i,
                " of the list is undefined");
  }
  autocast_ = false;  // Keras's Pipeline leaves its inputs as they come; each layer casts its own
}

bool PipelineImpl::batch_independent() const {
  for (const LayerRef& l : layers_) {
    if (!l->batch_independent()) return false;
  }
  return true;
}

void PipelineImpl::build(const std::vector<Shape>& input_shapes) {
  std::vector<Shape> shapes = input_shapes;
  for (const LayerRef& l : layers_) {
    KERAS_CHECK(shapes.size() == 1, ValueError, "Pipeline ", name(), ": layer ", l.name(), " gets ",
                shapes.size(), " inputs; a Pipeline's layers take one input each");
    l->maybe_build(shapes);
    shapes = l->compute_output_shape(shapes);
  }
}

std::vector<Shape> PipelineImpl::compute_output_shape(const std::vector<Shape>& in) const {
  std::vector<Shape> shapes = in;
  for (const LayerRef& l : layers_) {
    KERAS_CHECK(shapes.size() == 1, ValueError, "Pipeline ", name(), ": layer ", l.name(), " gets ",
                shapes.size(), " inputs; a Pipeline's layers take one input each");
    shapes = l->compute_output_shape(shapes);
  }
  return shapes;
}

std::vector<DType> PipelineImpl::compute_output_dtype(const std::vector<DType>& in,
                                                      size_t n) const {
  std::vector<DType> dtypes = in;
  for (const LayerRef& l : layers_) dtypes = l->compute_output_dtype(dtypes, 1);
  if (dtypes.size() != n) dtypes.resize(n, dtypes.empty() ? dtype() : dtypes.front());
  return dtypes;
}

Tensors PipelineImpl::call(const Tensors& inputs, bool training) {
  Tensors x = inputs;
  for (const LayerRef& l : layers_) x = l->call_with_masks(x, training);
  return x;
}

std::vector<Variable> PipelineImpl::weights() const {
  std::vector<Variable> out;
  for (const LayerRef& l : layers_) {
    for (const Variable& v : l.weights()) {
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
  }
  return out;
}

void PipelineImpl::set_trainable(bool trainable) {
  Layer::set_trainable(trainable);
  for (const LayerRef& l : layers_) l->set_trainable(trainable);
}

void PipelineImpl::set_dtype(DType dtype) {
  Layer::set_dtype(dtype);
  for (const LayerRef& l : layers_) l->set_dtype(dtype);
}

Tensors PipelineImpl::losses() const {
  Tensors out = Layer::losses();
  for (const LayerRef& l : layers_) {
    for (const Tensor& t : l->losses()) out.push_back(t);
  }
  return out;
}

void PipelineImpl::clear_losses() {
  Layer::clear_losses();
  for (const LayerRef& l : layers_) l->clear_losses();
}

std::vector<Generator*> PipelineImpl::seed_generators() {
  std::vector<Generator*> out;
  for (const LayerRef& l : layers_) {
    for (Generator* g : l->seed_generators()) out.push_back(g);
  }
  return out;
}

std::vector<Layer::VariableGroup> PipelineImpl::saved_variables() const {
  std::vector<std::shared_ptr<Layer>> layers;
  for (const LayerRef& l : layers_) layers.push_back(l.layer());
  return container_variables(layers);
}

Json PipelineImpl::get_config() const {
  Json list = Json::array();
  for (const LayerRef& l : layers_) list.push_back(layers::serialize_layer(*l.layer()));
  return Json{{"layers", list}, {"name", name()}};
}

std::shared_ptr<Layer> PipelineImpl::from_config(const Json& config) {
  const Json* list = config::find(config, "layers");
  KERAS_CHECK(list != nullptr && list->is_array(), ValueError,
              "`Pipeline` config must contain a `layers` key mapping to a list of serialized "
              "layers. Received config with layers=",
              list == nullptr ? std::string("None") : list->dump().substr(0, 200), ".");
  std::vector<LayerRef> layers;
  for (const Json& l : *list) layers.emplace_back(layers::deserialize_layer(l));
  auto layer = std::make_shared<PipelineImpl>(
      std::move(layers),
      PipelineOptions{.name = config::get<std::string>(config, "name", "", "Pipeline")});
  layer->apply_base_config(config);
  return layer;
}

}  // namespace keras::layers
