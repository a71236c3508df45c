#include "keras/layers/activations/elu.h"

#include "keras/config/json.h"
#include "keras/ops/nn.h"

namespace keras::layers {

ELUImpl::ELUImpl(ELUOptions options)
    : Layer(options.name,
            "elu",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      options_(std::move(options)) {}

Tensors ELUImpl::call(const Tensors& inputs, bool) {
  return {ops::elu(inputs[0], options_.alpha)};
}

std::vector<Shape> ELUImpl::compute_output_shape(const std::vector<Shape>& in) const {
  return {in[0]};
}

Json ELUImpl::get_config() const {
  Json config = Layer::get_config();
  config["alpha"] = options_.alpha;
  return config;
}

std::shared_ptr<Layer> ELUImpl::from_config(const Json& c) {
  const char* w = "ELU";
  auto layer =
      std::make_shared<ELUImpl>(ELUOptions{.alpha = config::get<double>(c, "alpha", 1.0, w),
                                           .name = config::get<std::string>(c, "name", "", w)});
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
